/**
 * `kvmsim boot`: no instruction budget by default (QEMU has none), Ctrl-C stops cleanly with a
 * summary and exit 130, and the plugins, stats and trace work as they do for `run`.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BOOT_SLICE, BootSession, DEFAULTS, Interrupt, assemble, bootImage, defaultModules, drainSlices, main } from 'kvmsim';
import { captureIo, ensureDistBuilt } from '../../helpers';

const ROOT = path.join(__dirname, '..', '..', '..');
const GUESTS = path.join(ROOT, 'examples', 'guest');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-boot-'));

/** A guest that prints a line, then counts forever. */
const FOREVER = `
        movz    x9, #0x0900, lsl #16
        mov     w0, #'s'
        strb    w0, [x9]
        mov     w0, #10
        strb    w0, [x9]
        mov     x1, #0
1:      add     x1, x1, #1
        b       1b
`;

function writeGuest(dir: string, source: string): string {
  const file = path.join(dir, 'guest.bin');
  fs.writeFileSync(file, assemble(source, { base: 0x4008_0000 }).bytes);
  return file;
}

describe('kvmsim boot', () => {
  it('tells the first exception of a guest that powered off only with --summary', async () => {
    const guest = writeGuest(
      tmp(),
      `
        adr x6, vectors
        msr vbar_el1, x6
        brk #1
        movz w0, #0x0008
        movk w0, #0x8400, lsl #16
        hvc #0
        .balign 2048
vectors:
        .skip 0x200
        mrs x10, elr_el1
        add x10, x10, #4
        msr elr_el1, x10
        eret`,
    );
    const quiet = captureIo();
    expect(await main(['boot', guest], quiet)).toBe(0);
    expect(quiet.stderr).not.toMatch(/unexpected exception/);
    const told = captureIo();
    expect(await main(['boot', guest, '--summary'], told)).toBe(0);
    expect(told.stderr).toMatch(/the guest took an unexpected exception \(and went on\); the first:\n  BRK #1/);
  });

  it('has no instruction budget unless --max-insns gives one', () => {
    const ctx = { modules: defaultModules(), defaults: DEFAULTS };
    const s = new BootSession(path.join(GUESTS, 'hello.bin'), {}, ctx);
    expect(s.maxInsns).toBe(Infinity);
    s.dispose();
    const t = new BootSession(path.join(GUESTS, 'hello.bin'), { maxInsns: '5000' }, ctx);
    expect(t.maxInsns).toBe(5000);
    t.dispose();
  });

  it('running in slices changes nothing the guest or the caches see; an interrupt stops at the next slice', () => {
    const ctx = { modules: defaultModules(), defaults: DEFAULTS };
    const whole = bootImage(path.join(GUESTS, 'sieve.bin'), {}, ctx);
    const s = new BootSession(path.join(GUESTS, 'sieve.bin'), {}, ctx);
    const sliced = drainSlices(s.run(1000));
    const stats = s.machine.stats.toJSON();
    s.dispose();
    expect(sliced).toEqual(whole);
    expect(whole.ok).toBe(true);
    expect(JSON.stringify(stats)).toContain('"kvm.vcpu0.runs"');

    const interrupt = new Interrupt();
    const t = new BootSession(writeGuest(tmp(), FOREVER), {}, ctx);
    const run = t.run(BOOT_SLICE, interrupt);
    run.next();
    run.next();
    interrupt.request();
    let r = run.next();
    while (!r.done) r = run.next();
    t.dispose();
    expect(r.value).toMatchObject({ exit: 'interrupted', interrupted: true, ok: false, uart: 's\n' });
    expect(r.value.instructions).toBeGreaterThanOrEqual(2 * BOOT_SLICE);
    expect(r.value.instructions).toBeLessThanOrEqual(3 * BOOT_SLICE);
  });

  it('--help says there is no default budget and that Ctrl-C stops', async () => {
    const io = captureIo();
    expect(await main(['boot', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('default: no limit');
    expect(io.stdout).toContain('Ctrl-C');
    expect(io.stdout).toMatch(/--stats <file>/);
    expect(io.stdout).toMatch(/--trace <file>/);
  });

  it('--plugin checker prints the checker summary; --stats and --trace write their files', async () => {
    const dir = tmp();
    const stats = path.join(dir, 'stats.json');
    const trace = path.join(dir, 'trace.json');
    const io = captureIo();
    expect(await main(['boot', path.join(GUESTS, 'hello.elf'), '--plugin', 'checker', '--stats', stats, '--trace', trace], io)).toBe(0);
    expect(io.stdout).toBe(fs.readFileSync(path.join(GUESTS, 'hello.expected'), 'utf8'));
    expect(io.stderr).toMatch(/kvmsim: system_event shutdown/);
    expect(io.stderr).toMatch(/== checker\n +stale reads\/fetches +0/);
    expect(io.stderr).not.toContain('== kvm'); // its section repeats the console: only with --summary
    const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
    expect(JSON.stringify(s)).toContain('system.cpu0.insns');
    const t = JSON.parse(fs.readFileSync(trace, 'utf8'));
    expect(JSON.stringify(t)).toContain('KVM_RUN');
  });

  it('--summary prints the whole summary, KVM section included', async () => {
    const io = captureIo();
    expect(await main(['boot', path.join(GUESTS, 'hello.bin'), '--summary'], io)).toBe(0);
    expect(io.stderr).toMatch(/== kvm\n +policy +seed/);
  });

  it('--plugin trace without --trace says how to write the trace', async () => {
    const io = captureIo();
    expect(await main(['boot', path.join(GUESTS, 'hello.bin'), '--plugin', 'trace'], io)).toBe(0);
    expect(io.stderr).toContain('give --trace FILE');
  });

  it('--json includes the plugins’ summary sections', async () => {
    const io = captureIo();
    expect(await main(['boot', path.join(GUESTS, 'hello.bin'), '--plugin', 'checker', '--json'], io)).toBe(0);
    const j = JSON.parse(io.stdout);
    expect(j.ok).toBe(true);
    expect(j.interrupted).toBe(false);
    expect(j.summary.map((s: { title: string }) => s.title)).toContain('checker');
  });

  it('a guest that ends in an exception loop: the report names the first fault, with ESR, ELR, FAR and disassembly', async () => {
    const guest = writeGuest(
      tmp(),
      `
        adr x0, vectors
        msr vbar_el1, x0
        isb
bad:    .word 0x5ac01820        // ctz w0, w1 (FEAT_CSSC): not modelled
        adr x6, zeroes
        msr vbar_el1, x6
        brk #1
        .balign 2048
vectors:
        .skip 0x200
        mrs x10, elr_el1
        add x10, x10, #4
        msr elr_el1, x10
        eret
        .balign 2048
zeroes: .skip 0x800`,
    );
    const io = captureIo();
    expect(await main(['boot', guest], io)).toBe(1);
    expect(io.stderr).toMatch(/kvmsim: guest_fault: exception loop: 32 exceptions .*; the first unexpected exception \(after 9 instructions\): undefined instruction at PC=0x4008000c, word=0x5ac01820/);
    expect(io.stderr).toContain('kvmsim: the first unexpected exception:\n  undefined instruction at PC=0x4008000c, word=0x5ac01820 (outside the modelled A64 subset: data processing, one source, beyond ARMv8.0 (CTZ, CNT, ABS, PAC...)) (after 9 instructions)\n');
    expect(io.stderr).toContain('  instruction  0x4008000c: 0x5ac01820  .inst 0x5ac01820 ; undefined\n');
    expect(io.stderr).toContain('  ESR_EL1      0x02000000 (EC 0x0: unknown reason (undefined instruction))\n');
    expect(io.stderr).toContain('  ELR_EL1      0x4008000c\n');
    expect(io.stderr).toContain('  FAR_EL1      UNKNOWN');
    // QEMU's boot stub at the start of RAM, then the guest.
    expect(io.stderr).toContain('  ran before   0x40000000 0x40000004 0x40000008 0x4000000c 0x40000010 0x40000014 0x40080000 0x40080004 0x40080008\n');
    expect(io.stderr).not.toMatch(/0x-/);
  });

  it('Ctrl-C stops a guest that runs forever: summary on stderr, exit 130', async () => {
    ensureDistBuilt();
    const guest = writeGuest(tmp(), FOREVER);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'kvmsim.js'), 'boot', guest], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('s\n')) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await done;
    expect(code).toBe(130);
    expect(out).toBe('s\n');
    expect(err).toMatch(/kvmsim: interrupted: interrupted \(Ctrl-C\) at PC 0x4008001[8c]; \d+ instructions/);
    expect(err).toContain('== kvm');
    expect(err).not.toContain('\r'); // no progress line when stderr is not a terminal
  }, 60_000);
});
