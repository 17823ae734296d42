/**
 * Issue 9: every word of the code of kvm-unit-tests' .flat files and of the Linux Image in
 * ../shared/guests/ disassembles as objdump does (ranges and how they were found:
 * objdump-guests.ts). Mismatches are grouped by objdump mnemonic; the committed list
 * (objdump-guests-known.json) names those still left, with counts, and may only shrink.
 * `npm run test:disasm` prints the full report.
 */
import { gnuToolsAvailable } from '../devices/cpu/a64/gnu';
import { byMnemonic, checkKnown, compareRange, flatRange, guestRanges, guestsAvailable, knownMismatches, linuxRange, type Mismatch } from './objdump-guests';

const run = (guestsAvailable() && gnuToolsAvailable()) || process.env.CI !== undefined ? describe : describe.skip;

run('the guests in ../shared/guests disassemble as objdump does', () => {
  it('finds each code range from the image itself', () => {
    expect(flatRange('kvm-unit-tests/cache.flat')).toMatchObject({ start: 0, end: 0x10000 });
    expect(flatRange('kvm-unit-tests/gic.flat')).toMatchObject({ start: 0, end: 0x20000 });
    expect(linuxRange()).toMatchObject({ start: 0x10000, end: 0x190000, base: 0xffffffc008000000n });
  });

  it('has no mismatching mnemonic beyond the known list, none more often, and lists none fixed', () => {
    const all: Mismatch[] = [];
    for (const r of guestRanges()) all.push(...compareRange(r).mismatches);
    const { worse, fixed } = checkKnown(byMnemonic(all), knownMismatches());
    expect(worse).toEqual([]);
    // A fixed mnemonic leaves the list: `npm run test:disasm -- --write-known`.
    expect(fixed).toEqual([]);
  }, 120_000);
});
