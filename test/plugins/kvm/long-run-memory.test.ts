/**
 * A long run's memory stays flat: a guest that exits to the VMM millions of times (polling the
 * PL011, or an address no device claims) must not keep something for every exit. Each check
 * runs the CLI in a child process and reads that process's peak RSS.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Kvm, RUN_EXITS_KEPT, assemble, createMachine } from 'kvmsim';
import { ensureDistBuilt } from '../../helpers';

const ROOT = path.join(__dirname, '..', '..', '..');
const DEVICE = path.join(ROOT, 'examples', 'custom-device');

/** Runs `kvmsim ARGS` in a child node: its exit code, peak RSS in MiB, and the end of what it printed. */
function cliInChild(args: string[]): { code: number; maxRssMiB: number; text: string } {
  const script =
    `let text = '';\n` +
    `const io = { out(s) { text = (text + s).slice(-4000); }, err(s) { text = (text + s).slice(-4000); }, isTty: false };\n` +
    `require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))}).main(${JSON.stringify(args)}, io).then((code) => {\n` +
    `  process.stdout.write(JSON.stringify({ code, maxRss: process.resourceUsage().maxRSS, text }));\n` +
    `});\n`;
  // Not a jest worker: the child loads .ts plugins with ts-node, as the CLI does.
  const env = { ...process.env };
  delete env.JEST_WORKER_ID;
  const out = execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000, maxBuffer: 1 << 26 });
  const r = JSON.parse(out) as { code: number; maxRss: number; text: string };
  return { code: r.code, maxRssMiB: r.maxRss / 1024, text: r.text };
}

/** dma.yaml with the coherent pool's memslot rejected (a bad userspace address: -EINVAL). */
function dmaWithoutPool(dir: string, maxInsns: number): string {
  const yaml = fs
    .readFileSync(path.join(DEVICE, 'dma.yaml'), 'utf8')
    .replace('size: 64KiB }', 'size: 64KiB, userspace_addr: 0x1, expect_errno: EINVAL }')
    .replace('./dma-engine.ts', path.join(DEVICE, 'dma-engine.ts'))
    .replace('./dma-ok.S', path.join(DEVICE, 'dma-ok.S'))
    .replace('- run: { vcpu: 0 }', `- run: { vcpu: 0, max_insns: ${maxInsns} }`);
  expect(yaml).toContain('expect_errno: EINVAL');
  expect(yaml).toContain(`max_insns: ${maxInsns}`);
  const file = path.join(dir, 'dma-no-pool.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

describe('long runs keep memory flat', () => {
  let dir: string;
  beforeAll(() => {
    ensureDistBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-longrun-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a guest polling the PL011 for 20 M instructions (some 4 M MMIO exits) stays under 300 MB', () => {
    const bin = path.join(dir, 'uart-poll.bin');
    const src = path.join(ROOT, 'examples', 'guest', 'uart-poll.S');
    fs.writeFileSync(bin, assemble(fs.readFileSync(src, 'utf8'), { base: 0x4008_0000, file: src }).bytes);
    const r = cliInChild(['boot', bin, '--max-insns', '20000000']);
    expect({ code: r.code, text: r.text }).toEqual({ code: 1, text: expect.stringContaining('kvmsim: insn_budget') }); // the guest never powers off
    // Before the VMM stopped keeping every exit of a run, this was 563 MB (and 151 MB at 2 M).
    expect(r.maxRssMiB).toBeLessThan(300);
  }, 120_000);

  it('the DMA example with its pool memslot rejected ends at its budget, its polling logged once', () => {
    // The engine refuses the transfer (its completion word is in no memslot), so the guest
    // polls an address no device claims: every poll is an unhandled MMIO exit.
    const r = cliInChild(['run', dmaWithoutPool(dir, 4_000_000)]);
    // The expectations fail (nothing was copied); the run ended at its budget.
    expect({ code: r.code, text: r.text }).toEqual({ code: 1, text: expect.stringContaining('vcpu0 exited with insn_budget') });
    // Before the repeated "unhandled MMIO" lines were counted instead of logged, 4 M
    // instructions took 1.4 GB and 17 s (the default 10 M budget: 3.3 GB, 48 s).
    expect(r.maxRssMiB).toBeLessThan(300);
  }, 120_000);

  it('in process: the run record keeps the last exits and counts them all; the log has a line per distinct access', () => {
    const m = createMachine(dmaWithoutPool(dir, 200_000));
    const res = m.run();
    const lines = [...m.log];
    m.dispose();
    expect(res.ok).toBe(false);
    const vmm = m.get<Kvm>(Kvm).vmm;
    const run = vmm.lastRun(0)!;
    expect(run.last.reason).toBe('insn_budget');
    expect(run.exits).toHaveLength(RUN_EXITS_KEPT);
    expect(run.exits[RUN_EXITS_KEPT - 1]).toBe(run.last);
    expect(run.exitCount).toBeGreaterThan(50_000);
    expect(run.exitsByReason.mmio).toBe(run.exitCount - 1);
    const unhandled = lines.filter((l) => l.includes('unhandled MMIO'));
    expect(unhandled.length).toBeLessThanOrEqual(3);
    expect(unhandled.join('\n')).toMatch(/unhandled MMIO read of 4 bytes at 0x80000000 at PC 0x[0-9a-f]+: \d+ more time\(s\) in this run/);
    expect(lines.some((l) => l.includes('COMPL 0x80000000 is not guest RAM'))).toBe(true);
  });
});
