/**
 * Boots every example guest on QEMU (`qemu-system-aarch64 -M virt -cpu cortex-a72 -nographic -nic none
 * -kernel NAME.elf`, with a timeout) and on kvmsim the same way (`kvmsim boot NAME.elf`: the
 * KVM plugin, the VMM, the A64 core), and compares what each printed on the PL011.
 *
 * kvmsim boots each guest twice: on neoverse-n1, whose I-cache is coherent with the D-side
 * (CTR_EL0.DIC), as QEMU's translated code is with every store — there every guest must print
 * exactly what QEMU prints; and on cortex-a72 (no DIC), where smc-stale, which patches code
 * without I-cache maintenance, must differ: the stale I-cache line runs.
 *
 *     npx ts-node --transpile-only test/devices/cpu/qemu-compare.ts      (npm run test:qemu)
 *
 * Needs `apt-get install qemu-system-arm binutils-aarch64-linux-gnu` (the ELF files are rebuilt
 * with GNU as/ld when binutils are there). Prints `N passed, M failed`; exits 1 on a failure.
 */
import 'reflect-metadata';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { DEFAULTS, bootImage, defaultModules } from '../../../index';
import { GUESTS, buildGuests } from '../../../examples/guest/build';

const DIR = path.join(__dirname, '../../../examples/guest');
/** Guests that must differ from QEMU on a core without DIC, and why. */
const STALE_WITHOUT_DIC: Record<string, string> = {
  'smc-stale': 'code patched with no IC IVAU: without DIC the stale I-cache line runs; QEMU, like a DIC core, runs the new code',
};

function runQemu(elf: string): { output: string; error?: string } {
  const r = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-nographic', '-nic', 'none', '-kernel', elf], { timeout: 20_000, encoding: 'utf8' });
  if (r.error !== undefined) return { output: r.stdout ?? '', error: r.error.message };
  if (r.status !== 0) return { output: r.stdout, error: `exit status ${r.status}: ${r.stderr.trim()}` };
  return { output: r.stdout };
}

function runKvmsim(elf: string, topology: string): { output: string; exit: string } {
  const r = bootImage(elf, { topology }, { modules: defaultModules(), defaults: DEFAULTS });
  return { output: r.uart, exit: r.exit };
}

function diff(q: string, k: string): string[] {
  const ql = q.split('\n');
  const kl = k.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(ql.length, kl.length); i++) {
    if (ql[i] !== kl[i]) out.push(`  line ${i + 1}: qemu ${JSON.stringify(ql[i] ?? null)} kvmsim ${JSON.stringify(kl[i] ?? null)}`);
  }
  return out;
}

function main(): number {
  buildGuests(DIR, () => undefined);
  let passed = 0;
  let failed = 0;
  /** `details` are printed on failure, or always when `show` is set. */
  const check = (label: string, ok: boolean, details: string[], show = false) => {
    if (ok) passed++;
    else failed++;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${label}\n${ok && !show ? '' : details.map((d) => d + '\n').join('')}`);
  };
  for (const g of GUESTS) {
    const elf = path.join(DIR, `${g}.elf`);
    const q = runQemu(elf);
    if (q.error !== undefined) {
      check(`${g}: qemu`, false, [`  qemu: ${q.error}`]);
      continue;
    }
    const dic = runKvmsim(elf, 'neoverse-n1');
    check(`${g}: same output as QEMU on neoverse-n1 (DIC)`, dic.output === q.output && dic.exit === 'system_event shutdown', [`  kvmsim exit: ${dic.exit}`, ...diff(q.output, dic.output)]);
    const a72 = runKvmsim(elf, 'cortex-a72');
    const why = STALE_WITHOUT_DIC[g];
    if (why === undefined) {
      check(`${g}: same output as QEMU on cortex-a72`, a72.output === q.output && a72.exit === 'system_event shutdown', [`  kvmsim exit: ${a72.exit}`, ...diff(q.output, a72.output)]);
    } else {
      check(`${g}: differs from QEMU on cortex-a72, as it must (${why})`, a72.output !== q.output && a72.exit === 'system_event shutdown', diff(q.output, a72.output), true);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
