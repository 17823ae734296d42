/**
 * The SIMD&FP rows of the encoding table against GNU binutils: words GNU as made, objdump's
 * text for them, and (when the binutils are installed) random words of every row.
 */
import * as fs from 'fs';
import * as path from 'path';
import { assemble, decode, disassemble, encode, encodingOf } from '../../../../isa/a64';
import { SIMD_FP_CASES, SIMD_FP_ROWS } from './simd-fp-cases';
import { BASE, FIXTURES, gnuAssemble, gnuDisassemble, gnuToolsAvailable, normalize, wordsToBytes } from './gnu';

const SOURCE = fs.readFileSync(path.join(FIXTURES, 'simd-fp.S'), 'utf8');

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

  it('assembles objdump\'s text of every case back to its word', () => {
    const bad: string[] = [];
    for (const [w, t] of SIMD_FP_CASES) {
      const r = assemble(t.replace(/\s*\/\/.*$/, ''), { base: 0n });
      const got = new DataView(r.bytes.buffer, r.bytes.byteOffset).getUint32(0, true);
      if (got !== w) bad.push(`'${t}': ${hex8(got)}, not ${hex8(w)}`);
    }
    expect(bad).toEqual([]);
  });

  it('rejects what GNU as rejects', () => {
    for (const t of ['ld1 {v30.16b-v1.16b}, [x1]', 'add v0.4s, v1.4s, v2.8h', 'fmov d0, #0.1', 'ldr q0, [x1, #-257]', 'mov v0.s[4], w1', 'movi v0.2d, #0x12'])
      expect(() => assemble(t, { base: 0n })).toThrow();
  });

  const live = gnuToolsAvailable() || process.env.CI !== undefined ? it : it.skip;
  live('assembles fixtures/simd-fp.S byte for byte as GNU as, and disassembles it as objdump', () => {
    const mine = assemble(SOURCE, { base: BASE, file: 'simd-fp.S' });
    const gnu = gnuAssemble(SOURCE, BASE);
    const bad: string[] = [];
    for (const e of mine.listing.filter((x) => x.insn)) {
      const off = Number(e.address - BASE);
      const theirs = Buffer.from(gnu.subarray(off, off + 4)).toString('hex');
      if (theirs !== Buffer.from(e.bytes).toString('hex')) bad.push(`line ${e.line}: ${e.source}: GNU ${theirs}, kvmsim ${Buffer.from(e.bytes).toString('hex')}`);
    }
    expect(bad).toEqual([]);
    expect(mine.bytes.length).toBe(gnu.length);
    const text = gnuDisassemble(gnu, BASE).filter((l) => normalize(disassemble(l.word, l.address)) !== normalize(l.text)).map((l) => `${hex8(l.word)}: objdump '${l.text}', kvmsim '${disassemble(l.word, l.address)}'`);
    expect(text).toEqual([]);
  });

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
