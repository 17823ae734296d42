import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from 'kvmsim';
import { captureIo } from '../helpers';

const GUEST = path.join(__dirname, '..', '..', 'examples', 'guest');

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** A config in a fresh folder whose scenario writes `write` (YAML flow) and runs. */
function configWith(write: string, files: Record<string, string | Uint8Array> = {}): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-validate-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(d, name), text);
  const file = path.join(d, 'm.yaml');
  fs.writeFileSync(
    file,
    ['plugins: [kvm-arm64]', 'scenario:', '  - set_memslot: { slot: 0, gpa: 0x40000000, size: 16MiB }', `  - write: ${write}`, '  - vcpu_init: {}', '  - run: {}', ''].join('\n'),
  );
  return file;
}

describe('validate checks what the run would load, without running', () => {
  it('a missing asm_file: exit 2 naming the line and column of the arg, and its path', async () => {
    const file = configWith('{ gpa: 0x40080000, asm_file: nope.S }');
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/m\.yaml:4:41: scenario\[1\]\.write\.asm_file: cannot read assembly 'nope\.S' \(looked for .*nope\.S\)/);
    expect(r.out).toBe('');
  });

  it('assembly that does not assemble: exit 2 naming the source file and line', async () => {
    const file = configWith('{ gpa: 0x40080000, asm_file: bad.S }', { 'bad.S': 'nop\n  frobnicate x0, x1\n' });
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/scenario\[1\] \(write\): bad\.S: line 2: unknown instruction 'frobnicate'/);
    // The run refuses it before doing any work, with the same words.
    const run = await cli('run', file);
    expect(run.code).toBe(2);
    expect(run.err).toBe(r.err);
    expect(run.out).toBe('');
  });

  it('a missing .include, a missing image, a file that is not an ELF', async () => {
    const inc = await cli('validate', configWith('{ gpa: 0x40080000, asm_file: a.S }', { 'a.S': '.include "missing.S"\n' }));
    expect(inc.code).toBe(2);
    expect(inc.err).toContain('.include "missing.S": cannot read');
    const img = await cli('validate', configWith('{ gpa: 0x40080000, file: gone.bin }'));
    expect(img.code).toBe(2);
    expect(img.err).toMatch(/m\.yaml:4:37: scenario\[1\]\.write\.file: cannot read image 'gone\.bin'/);
    const elf = await cli('validate', configWith('{ elf: not.elf }', { 'not.elf': new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }));
    expect(elf.code).toBe(2);
    expect(elf.err).toMatch(/not\.elf/);
  });

  it('a good config with assembly and an ELF is ok', async () => {
    const asm = await cli('validate', configWith(`{ gpa: 0x40080000, asm_file: ${path.join(GUEST, 'hello.S')} }`));
    expect(asm.err).toBe('');
    expect(asm.code).toBe(0);
    const elf = await cli('validate', configWith(`{ elf: ${path.join(GUEST, 'hello.elf')} }`));
    expect(elf.err).toBe('');
    expect(elf.code).toBe(0);
  });

  it('a missing plugin path: exit 2 naming it', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-validate-'));
    fs.writeFileSync(path.join(d, 'm.yaml'), 'plugins:\n  - path: ./nowhere.ts\n');
    const r = await cli('validate', path.join(d, 'm.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/m\.yaml:2:5: plugins\[0\]: plugin path '\.\/nowhere\.ts' does not exist/);
  });
});
