/**
 * The SIMD&FP rows of the encoding table against GNU binutils: words GNU as made, objdump's
 * text for them, and (when the binutils are installed) random words of every row.
 */
import { decode, disassemble, encode, encodingOf } from '../../../../isa/a64';
import { SIMD_FP_CASES, SIMD_FP_ROWS } from './simd-fp-cases';
import { gnuDisassemble, gnuToolsAvailable, normalize, wordsToBytes } from './gnu';

const hex8 = (w: number) => w.toString(16).padStart(8, '0');

describe('SIMD&FP encodings', () => {
  it('disassembles words from GNU as as objdump does', () => {
    const bad = SIMD_FP_CASES.filter(([w, t]) => normalize(disassemble(w, 0)) !== t).map(([w, t]) => `${hex8(w)}: objdump '${t}', kvmsim '${normalize(disassemble(w, 0))}'`);
    expect(bad).toEqual([]);
  });

  it('has a case for every SIMD&FP row', () => {
    const rows = new Set(SIMD_FP_CASES.map(([w]) => encodingOf(w)));
    const missing = [...SIMD_FP_ROWS].filter((e) => !rows.has(e) && e.keys.length > 0).map((e) => e.name);
    expect(missing).toEqual([]);
  });

  it('re-encodes every case to the same word', () => {
    const bad = SIMD_FP_CASES.filter(([w]) => {
      const d = decode(w);
      return d.op === 'UNDEFINED' || encode(d) !== w;
    }).map(([w, t]) => `${hex8(w)} ${t}`);
    expect(bad).toEqual([]);
  });

  const live = gnuToolsAvailable() || process.env.CI !== undefined ? it : it.skip;
  live('disassembles 300 random words of every SIMD&FP row as objdump does (or leaves them undefined)', () => {
    let s = 0x51d0f9;
    const next = () => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>>= 0);
    };
    const words: number[] = [];
    for (const e of SIMD_FP_ROWS) for (let k = 0; k < 300; k++) words.push(((next() & ~e.mask) | e.match) >>> 0);
    const bad: string[] = [];
    gnuDisassemble(wordsToBytes(words), 0n).forEach((l, i) => {
      if (decode(l.word).op === 'UNDEFINED') return;
      const ours = normalize(disassemble(l.word, BigInt(i * 4)));
      if (ours !== normalize(l.text)) bad.push(`${hex8(l.word)}: objdump '${normalize(l.text)}', kvmsim '${ours}'`);
    });
    expect(bad).toEqual([]);
  });
});
