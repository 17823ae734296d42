/**
 * The system instructions of the real guests (kvm-unit-tests' .flat binaries and the Linux
 * Image in ../shared/guests): every MRS, MSR, SYS, SYSL, HLT, DC, IC (and the later-version
 * CFP/CPP/DVP) word objdump finds disassembles as objdump prints it. Runs when binutils and the
 * guests are there.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { disassemble } from '../../../../isa/a64';
import { gnuToolsAvailable } from './gnu';

const GUESTS = path.join(__dirname, '../../../../../shared/guests');
const FILES = ['kvm-unit-tests/cache.flat', 'kvm-unit-tests/gic.flat', 'kvm-unit-tests/psci.flat', 'kvm-unit-tests/selftest.flat', 'kvm-unit-tests/timer.flat', 'linux/Image'].map((f) => path.join(GUESTS, f));
const SYSTEM = /^\s*[0-9a-f]+:\t([0-9a-f]{8}) \t((?:mrs|msr|sys|sysl|hlt|dc|ic|cfp|cpp|dvp)\t.*)$/;
const have = gnuToolsAvailable() && FILES.every((f) => fs.existsSync(f));
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

(have ? describe : describe.skip)('the system instructions of the guests, as objdump prints them', () => {
  it.each(FILES.map((f) => [path.relative(GUESTS, f), f]))('%s', (_name, file) => {
    const r = spawnSync('aarch64-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 'aarch64', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
    expect(r.status).toBe(0);
    const mismatches: string[] = [];
    let n = 0;
    for (const line of r.stdout.split('\n')) {
      const m = SYSTEM.exec(line);
      if (m === null) continue;
      n++;
      const mine = disassemble(parseInt(m[1], 16), 0);
      if (norm(mine) !== norm(m[2])) mismatches.push(`${m[1]}: objdump '${norm(m[2])}', kvmsim '${norm(mine)}'`);
    }
    expect(n).toBeGreaterThan(50);
    expect(mismatches.slice(0, 20)).toEqual([]);
  }, 60_000);
});
