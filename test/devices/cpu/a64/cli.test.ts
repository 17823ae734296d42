import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli, type CliIo } from '../../../../core';
import { a64CliModule } from '../../../../isa/a64';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s), isTty: false };
  const code = await runCli(argv, [a64CliModule], undefined, io);
  return { code, out, err };
}

describe('kvmsim asm / disasm', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-a64-cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text?: string) => {
    const p = path.join(dir, name);
    if (text !== undefined) fs.writeFileSync(p, text);
    return p;
  };

  it('assembles a file at a base address and lists it', async () => {
    const src = file('guest.S', '_start: mov x0, #1\n        b _start\nmsg: .ascii "ok"\n');
    const bin = file('guest.bin');
    const r = await cli('asm', src, '-o', bin, '--base', '0x40080000', '--list');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(fs.readFileSync(bin).toString('hex')).toBe('200080d2' + 'ffffff17' + '6f6b');
    expect(r.out).toContain('40080000  d2800020         1  _start: mov x0, #1');
    expect(r.out).toContain('40080004  17ffffff         2  b _start');
    expect(r.out).toMatch(/0x40080008 {2}msg/);
    expect(r.out).toContain(`${bin}: 10 bytes at 0x40080000`);
  });

  it('disassembles an image as objdump does, trailing bytes as .byte', async () => {
    const bin = file('x.bin');
    fs.writeFileSync(bin, Buffer.from('200080d2ffffff17c0035fd6ab', 'hex'));
    const r = await cli('disasm', bin, '--base', '0x1000');
    expect(r.code).toBe(0);
    expect(r.out).toBe('00001000:\td2800020\tmov\tx0, #0x1\t// #1\n00001004:\t17ffffff\tb\t0x1000\n00001008:\td65f03c0\tret\n0000100c:\tab\t.byte\t0xab\n');
  });

  it('round-trips: disasm of an assembled image shows the source instructions', async () => {
    const src = file('r.S', 'dc civac, x0\ndsb ish\nic iallu\nisb\nmrs x1, sctlr_el1\neret\n');
    const bin = file('r.bin');
    expect((await cli('asm', src, '-o', bin)).code).toBe(0);
    const r = await cli('disasm', bin);
    expect(r.out.split('\n').map((l) => l.split('\t').slice(2).join(' '))).toEqual(['dc civac, x0', 'dsb ish', 'ic iallu', 'isb', 'mrs x1, sctlr_el1', 'eret', '']);
  });

  it('reports bad source with file and line, exit code 2, and writes nothing', async () => {
    const src = file('bad.S', 'nop\nmovz x0, #70000\n');
    const bin = file('bad.bin');
    const r = await cli('asm', src, '-o', bin);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`kvmsim: error: ${src}: line 2: immediate 70000 does not fit MOVZ (16 bits, optionally shifted by 16/32/48)\n`);
    expect(fs.existsSync(bin)).toBe(false);
  });

  it('reports a missing file, a bad --base and a missing -o as bad input', async () => {
    expect(await cli('asm', file('none.S'), '-o', file('o.bin'))).toMatchObject({ code: 2, err: `kvmsim: error: ${file('none.S')}: cannot read (no such file)\n` });
    expect(await cli('disasm', file('none.bin'))).toMatchObject({ code: 2 });
    const bin = file('y.bin', '');
    expect(await cli('disasm', bin, '--base', 'zz')).toMatchObject({ code: 2, err: "kvmsim: error: --base 'zz': expected an address such as 0x40080000\n" });
    expect((await cli('asm', file('z.S', 'nop'))).code).toBe(2);
  });

  const HELLO_ELF = path.join(__dirname, '..', '..', '..', '..', 'examples', 'guest', 'hello.elf');

  it('disassembles an ELF executable: its executable sections at their addresses, with labels, not its header', async () => {
    const r = await cli('disasm', HELLO_ELF);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out.startsWith('\nDisassembly of section .text:\n\n0000000040080000 <_start>:\n40080000:\td2a80800\tmov\tx0, #0x40400000')).toBe(true);
    expect(r.out).toContain('\n\n0000000040080030 <puts_then_dec>:\n40080030:\ta9be7bfd\tstp\tx29, x30, [sp, #-32]!\n');
    expect(r.out).not.toContain('464c457f'); // the ELF magic, disassembled as a word
    expect(r.out).not.toMatch(/^0000000\d:/m);
    // The same words as the raw image boot would run.
    const raw = await cli('disasm', path.join(path.dirname(HELLO_ELF), 'hello.bin'));
    const words = (t: string) => t.split('\n').filter((l) => /^[0-9a-f]{8}:\t/.test(l)).map((l) => l.split('\t').slice(0, 2).join(' '));
    expect(words(r.out)).toEqual(words(raw.out));
    expect(await cli('disasm', HELLO_ELF, '--base', '0x1000')).toMatchObject({ code: 2, err: expect.stringContaining('is an ELF file') });
  });

  it('an ELF without section headers: its executable (PF_X) segments', async () => {
    const bytes = fs.readFileSync(HELLO_ELF);
    bytes.writeBigUInt64LE(0n, 40); // e_shoff
    bytes.writeUInt16LE(0, 60); // e_shnum
    const elf = file('stripped.elf');
    fs.writeFileSync(elf, bytes);
    const r = await cli('disasm', elf);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('\nDisassembly of segment 0 (PF_X):\n\n40080000:\td2a80800\tmov\tx0, #0x40400000')).toBe(true);
  });

  it('asm --list without -o prints the listing and writes nothing', async () => {
    const src = file('l.S', '_start: mov x0, #1\n');
    const r = await cli('asm', src, '--list');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('40080000  d2800020         1  _start: mov x0, #1');
    expect(fs.readdirSync(dir)).toEqual(['l.S']);
    expect(await cli('asm', src)).toMatchObject({ code: 2, err: expect.stringContaining('give -o FILE') });
  });

  it('--help prints address defaults in hex', async () => {
    for (const c of ['asm', 'disasm']) {
      const r = await cli(c, '--help');
      expect(r.out.replace(/\s+/g, ' ')).toContain('(default: 0x40080000)');
      expect(r.out).not.toMatch(/default: "?\d+"?\)/);
    }
  });
});
