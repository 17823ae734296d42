/**
 * kvm-unit-tests (../shared/guests/kvm-unit-tests, built from public sources) on `kvmsim boot`,
 * with the options of the guests' README: the verdict lines (PASS/FAIL/SKIP, SUMMARY, EXIT) equal
 * QEMU 7.2's console for the same test (qemu-7.2/NAME.out). INFO lines print timer values and
 * latencies, which differ from run to run on QEMU too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULTS, bootImage, defaultModules, type BootOptions } from 'kvmsim';

const DIR = path.join(__dirname, '..', '..', '..', '..', 'shared', 'guests', 'kvm-unit-tests');
const present = fs.existsSync(DIR);
const ctx = { modules: defaultModules(), defaults: DEFAULTS };

const TESTS: [name: string, file: string, opts: BootOptions][] = [
  ['selftest-setup', 'selftest.flat', { smp: '2', ram: '256MiB', append: 'setup smp=2 mem=256' }],
  ['selftest-vectors-kernel', 'selftest.flat', { append: 'vectors-kernel' }],
  ['selftest-vectors-user', 'selftest.flat', { append: 'vectors-user' }],
  ['selftest-smp', 'selftest.flat', { smp: '2', append: 'smp' }],
  ['psci', 'psci.flat', { smp: '2' }],
  ['cache', 'cache.flat', {}],
  ['timer', 'timer.flat', {}],
  ['gicv2-ipi', 'gic.flat', { smp: '2', gicVersion: '2', append: 'ipi' }],
  ['gicv3-ipi', 'gic.flat', { smp: '2', gicVersion: '3', append: 'ipi' }],
];

const verdicts = (console: string): string[] => console.split('\n').filter((l) => /^(PASS|FAIL|SKIP|SUMMARY|EXIT):/.test(l));

describe('kvm-unit-tests on kvmsim boot', () => {
  (present ? it.each(TESTS) : it.skip.each(TESTS))('%s prints the verdicts QEMU 7.2 prints', (name, file, opts) => {
    const want = verdicts(fs.readFileSync(path.join(DIR, 'qemu-7.2', `${name}.out`), 'utf8'));
    const r = bootImage(path.join(DIR, file), { ...opts, ram: opts.ram ?? '256MiB', maxInsns: '1000000000' }, ctx);
    expect({ name, verdicts: verdicts(r.uart), exit: r.exit }).toEqual({ name, verdicts: want, exit: 'system_event shutdown' });
  }, 300_000);

  (present ? it : it.skip)('cache reports the IDC and DIC it sees: none on cortex-a72, both on neoverse-n1', () => {
    const a72 = bootImage(path.join(DIR, 'cache.flat'), { ram: '256MiB' }, ctx).uart;
    const n1 = bootImage(path.join(DIR, 'cache.flat'), { ram: '256MiB', topology: 'neoverse-n1' }, ctx).uart;
    expect(a72).toMatch(/INFO: IDC-DIC: dcache clean to PoU required/);
    expect(n1).not.toMatch(/dcache clean to PoU required/);
    expect(verdicts(n1)).toEqual(verdicts(a72));
  }, 300_000);
});
