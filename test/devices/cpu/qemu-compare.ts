/**
 * Runs every example guest on QEMU (`qemu-system-aarch64 -M virt -cpu cortex-a72 -nographic
 * -kernel NAME.elf`, with a timeout) and on kvmsim (NAME.bin at 0x40080000, cortex-a72, the test
 * hypervisor), and compares what each printed on the PL011. smc-stale is expected to differ: it
 * patches code without I-cache maintenance, which runs the stale instruction on a core without
 * DIC (kvmsim's cortex-a72) but not under QEMU, whose translated code follows every store.
 *
 *     npx ts-node --transpile-only test/devices/cpu/qemu-compare.ts      (npm run test:qemu)
 *
 * Needs `apt-get install qemu-system-arm binutils-aarch64-linux-gnu` (the ELF files are rebuilt
 * with GNU as/ld when binutils are there). Exits 1 on an unexpected difference.
 */
import 'reflect-metadata';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GUESTS, buildGuests } from '../../../examples/guest/build';
import { cpuMachine, IMAGE_BASE, loadImage, runGuest } from './harness';

const DIR = path.join(__dirname, '../../../examples/guest');
/** Guests whose output legitimately differs, and why. */
const EXPECTED_DIFFERENT: Record<string, string> = {
  'smc-stale': 'no IC IVAU after patching code: cortex-a72 (DIC=0) runs the stale I-cache line, QEMU has no I-cache to go stale',
};

function runQemu(elf: string): { output: string; error?: string } {
  const r = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-nographic', '-kernel', elf], { timeout: 20_000, encoding: 'utf8' });
  if (r.error) return { output: r.stdout ?? '', error: r.error.message };
  if (r.status !== 0) return { output: r.stdout ?? '', error: `exit status ${r.status}: ${r.stderr}` };
  return { output: r.stdout };
}

function runKvmsim(bin: string): { output: string; exit: string } {
  const m = cpuMachine();
  loadImage(m, IMAGE_BASE, fs.readFileSync(bin));
  m.core.reset(IMAGE_BASE);
  const r = runGuest(m, 0, 50_000_000);
  return { output: r.output, exit: r.exit.reason === 'system_event' ? `system_event ${r.exit.event}` : `${r.exit.reason} at 0x${r.exit.pc.toString(16)}` };
}

function main(): number {
  buildGuests(DIR, () => undefined);
  let bad = 0;
  for (const g of GUESTS) {
    const q = runQemu(path.join(DIR, `${g}.elf`));
    const k = runKvmsim(path.join(DIR, `${g}.bin`));
    const same = q.error === undefined && q.output === k.output && k.exit === 'system_event shutdown';
    const why = EXPECTED_DIFFERENT[g];
    let verdict: string;
    if (same) verdict = why === undefined ? 'same' : 'SAME BUT EXPECTED TO DIFFER';
    else verdict = why !== undefined && q.error === undefined ? `differs as expected (${why})` : 'DIFFERENT';
    if (verdict === 'DIFFERENT' || verdict.startsWith('SAME BUT')) bad++;
    process.stdout.write(`${g.padEnd(10)} ${verdict}\n`);
    if (!same) {
      if (q.error !== undefined) process.stdout.write(`  qemu: ${q.error}\n`);
      process.stdout.write(`  kvmsim exit: ${k.exit}\n`);
      const ql = q.output.split('\n');
      const kl = k.output.split('\n');
      for (let i = 0; i < Math.max(ql.length, kl.length); i++) {
        if (ql[i] !== kl[i]) process.stdout.write(`  line ${i + 1}: qemu ${JSON.stringify(ql[i] ?? null)} kvmsim ${JSON.stringify(kl[i] ?? null)}\n`);
      }
    }
  }
  process.stdout.write(`${GUESTS.length - bad} passed, ${bad} failed\n`);
  return bad === 0 ? 0 : 1;
}

process.exitCode = main();
