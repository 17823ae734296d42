/**
 * `npm run test:disasm [-- --examples N] [--write-known]`: every word of the guests' code ranges
 * (see objdump-guests.ts) disassembled by kvmsim and by objdump; prints the ranges, then the
 * mismatches grouped by objdump mnemonic with counts and examples. `--write-known` rewrites the
 * committed list of known mismatches (objdump-guests-known.json) from this run, which may only
 * shrink it. Exits 1 when a mnemonic mismatches that the list does not name, or more often.
 */
import { KNOWN_FILE, byMnemonic, checkKnown, compareRange, guestRanges, knownMismatches, writeKnown, type Mismatch } from './objdump-guests';

function main(): number {
  const argv = process.argv.slice(2);
  const ei = argv.indexOf('--examples');
  const examples = ei >= 0 ? Number(argv[ei + 1]) : 2;
  const all: Mismatch[] = [];
  let words = 0;
  for (const r of guestRanges()) {
    const res = compareRange(r);
    words += res.words;
    all.push(...res.mismatches);
    console.log(`${r.file}: ${res.words} words, ${res.mismatches.length} mismatches; ${r.how}`);
  }
  const groups = byMnemonic(all);
  console.log(`\n${words} words, ${all.length} mismatches in ${groups.length} mnemonics:`);
  for (const [mn, n] of groups) {
    console.log(`${String(n).padStart(7)}  ${mn}`);
    for (const x of all.filter((m) => m.objdump.split(' ')[0] === mn).slice(0, examples)) {
      console.log(`           ${x.file} ${x.address.toString(16)}: ${x.word.toString(16).padStart(8, '0')} objdump '${x.objdump}' kvmsim '${x.kvmsim}'`);
    }
  }
  const { worse, fixed } = checkKnown(groups, knownMismatches());
  if (argv.includes('--write-known')) {
    if (worse.length > 0) console.log(`\nwarning: the list grows:\n  ${worse.join('\n  ')}`);
    writeKnown(groups);
    console.log(`\nwrote ${KNOWN_FILE} (${groups.length} mnemonics)`);
    return 0;
  }
  if (fixed.length > 0) console.log(`\nno longer mismatching (npm run test:disasm -- --write-known): ${fixed.join(' ')}`);
  if (worse.length > 0) {
    console.log(`\nworse than the known list:\n  ${worse.join('\n  ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
