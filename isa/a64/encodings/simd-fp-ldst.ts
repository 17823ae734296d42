/**
 * Loads and stores of SIMD&FP registers: single B/H/S/D/Q registers (unsigned offset, unscaled,
 * pre/post-indexed, register offset, literal), pairs of S/D/Q (LDP/STP, LDNP/STNP), and LD1/ST1
 * (multiple structures, 1-4 registers, no offset or post-indexed).
 */
import { bits, signExtend } from '../bits';
import { ZR, type Extend, type SimdFp } from '../insn';
import { EncodingError, checkOffset, decSP, encSP, encZR, fmt, regName, target, type Encoding } from './encoding';
import { arrangement, checkV, regList, simd, sreg } from './simd-fp-common';

const EXTENDS: readonly (Extend | undefined)[] = [undefined, undefined, 'uxtw', 'lsl', undefined, undefined, 'sxtw', 'sxtx'];

/** size:opc of a SIMD&FP single-register load/store → access log2 (0-4) and load, or undefined. */
function kind(w: number): { size: number; load: boolean } | undefined {
  const size = bits(w, 31, 30);
  const opc = bits(w, 23, 22);
  if (opc >= 2 && size !== 0) return undefined;
  return { size: opc >= 2 ? 4 : size, load: (opc & 1) === 1 };
}

/** The size and opc fields for an access of 1 << size bytes. */
function sizeOpc(i: SimdFp): number {
  if (!Number.isInteger(i.size) || i.size < 0 || i.size > 4) throw new EncodingError(`SIMD&FP access size ${i.size} is not 0-4 (B, H, S, D, Q)`);
  const load = i.op === 'LDR_V' ? 1 : 0;
  return i.size === 4 ? (2 | load) << 22 : ((i.size << 30) | (load << 22)) >>> 0;
}

const mnemonicOf = (i: SimdFp, unscaled: boolean): string => (i.op === 'LDR_V' ? 'ld' : 'st') + (unscaled ? 'ur' : 'r');

export function vldstImmRow(name: string, match: number, mode: 'unscaled' | 'pre' | 'post'): Encoding<SimdFp> {
  return {
    name,
    mask: 0x3f200c00,
    match,
    keys: [`LDR_V/${mode}`, `STR_V/${mode}`],
    decode(w) {
      const k = kind(w);
      if (k === undefined) return undefined;
      return { ...simd(k.load ? 'LDR_V' : 'STR_V', { size: k.size, rd: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), rm: ZR, mode, imm: signExtend(bits(w, 20, 12), 9) }), word: w };
    },
    format(i) {
      const rt = sreg(i.rd, i.size);
      const rn = regName(i.rn, true);
      if (mode === 'unscaled') return fmt(mnemonicOf(i, true), `${rt}, [${rn}${i.imm ? `, #${i.imm}` : ''}]`);
      return fmt(mnemonicOf(i, false), mode === 'pre' ? `${rt}, [${rn}, #${i.imm}]!` : `${rt}, [${rn}], #${i.imm}`);
    },
    encode(i) {
      return (sizeOpc(i) | match | (checkOffset(i.imm, 9, 1, 'offset') << 12) | (encSP(i.rn, true, 'base register') << 5) | checkV(i.rd, 'Vt')) >>> 0;
    },
  };
}

export const vldstUimm: Encoding<SimdFp> = {
  name: 'load/store SIMD&FP register (unsigned immediate)',
  mask: 0x3f000000,
  match: 0x3d000000,
  keys: ['LDR_V/offset', 'STR_V/offset'],
  decode(w) {
    const k = kind(w);
    if (k === undefined) return undefined;
    return { ...simd(k.load ? 'LDR_V' : 'STR_V', { size: k.size, rd: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), rm: ZR, mode: 'offset', imm: bits(w, 21, 10) * (1 << k.size) }), word: w };
  },
  format(i) {
    return fmt(mnemonicOf(i, false), `${sreg(i.rd, i.size)}, [${regName(i.rn, true)}${i.imm ? `, #${i.imm}` : ''}]`);
  },
  encode(i) {
    const scale = 1 << i.size;
    if (!Number.isInteger(i.imm) || i.imm < 0 || i.imm % scale !== 0 || i.imm / scale > 0xfff)
      throw new EncodingError(`offset ${i.imm} does not fit ${mnemonicOf(i, false).toUpperCase()} (unsigned, a multiple of ${scale} up to ${0xfff * scale})`);
    return (sizeOpc(i) | 0x3d000000 | ((i.imm / scale) << 10) | (encSP(i.rn, true, 'base register') << 5) | checkV(i.rd, 'Vt')) >>> 0;
  },
};

export const vldstReg: Encoding<SimdFp> = {
  name: 'load/store SIMD&FP register (register offset)',
  mask: 0x3f200c00,
  match: 0x3c200800,
  keys: ['LDR_V/reg', 'STR_V/reg'],
  decode(w) {
    const k = kind(w);
    const extend = EXTENDS[bits(w, 15, 13)];
    if (k === undefined || extend === undefined) return undefined;
    return { ...simd(k.load ? 'LDR_V' : 'STR_V', { size: k.size, rd: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), rm: bits(w, 20, 16), mode: 'reg', extend, scaled: bits(w, 12, 12) === 1 }), word: w };
  },
  format(i) {
    const rm = regName(i.rm, i.extend === 'lsl' || i.extend === 'sxtx');
    const ext = i.scaled ? `, ${i.extend} #${i.size}` : i.extend === 'lsl' ? '' : `, ${i.extend}`;
    return fmt(mnemonicOf(i, false), `${sreg(i.rd, i.size)}, [${regName(i.rn, true)}, ${rm}${ext}]`);
  },
  encode(i) {
    const option = EXTENDS.indexOf(i.extend);
    if (option < 0) throw new EncodingError(`index extension ${String(i.extend)} is not uxtw, lsl, sxtw or sxtx`);
    return (sizeOpc(i) | 0x3c200800 | (encZR(i.rm, true, 'index register') << 16) | (option << 13) | (i.scaled ? 1 << 12 : 0) | (encSP(i.rn, true, 'base register') << 5) | checkV(i.rd, 'Vt')) >>> 0;
  },
};

export const vldrLiteral: Encoding<SimdFp> = {
  name: 'load SIMD&FP register (literal)',
  mask: 0x3f000000,
  match: 0x1c000000,
  keys: ['LDR_V/literal'],
  decode(w) {
    const opc = bits(w, 31, 30);
    if (opc === 3) return undefined;
    return { ...simd('LDR_V', { size: opc + 2, rd: bits(w, 4, 0), rn: ZR, rm: ZR, mode: 'literal', imm: signExtend(bits(w, 23, 5), 19) * 4 }), word: w };
  },
  format(i, pc) {
    return fmt('ldr', `${sreg(i.rd, i.size)}, ${target(pc, i.imm)}`);
  },
  encode(i) {
    if (i.op !== 'LDR_V' || i.size < 2 || i.size > 4) throw new EncodingError('LDR (literal) loads an S, D or Q register');
    return (((i.size - 2) << 30) | 0x1c000000 | (checkOffset(i.imm, 19, 4, 'literal offset') << 5) | checkV(i.rd, 'Vt')) >>> 0;
  },
};

/** Pairs of S/D/Q: `mode` offset, pre, post; `noAlloc` is LDNP/STNP (offset only). */
export function vpairRow(name: string, match: number, mode: 'offset' | 'pre' | 'post', noAlloc: boolean): Encoding<SimdFp> {
  const [ld, st] = noAlloc ? (['LDNP_V', 'STNP_V'] as const) : (['LDP_V', 'STP_V'] as const);
  return {
    name,
    mask: 0x3f800000,
    match,
    keys: [`${ld}/${mode}`, `${st}/${mode}`],
    decode(w) {
      const opc = bits(w, 31, 30);
      if (opc === 3) return undefined;
      const size = opc + 2;
      return { ...simd(bits(w, 22, 22) ? ld : st, { size, rd: bits(w, 4, 0), ra: bits(w, 14, 10), rn: decSP(bits(w, 9, 5)), rm: ZR, mode, imm: signExtend(bits(w, 21, 15), 7) * (1 << size) }), word: w };
    },
    format(i) {
      const regs = `${sreg(i.rd, i.size)}, ${sreg(i.ra, i.size)}`;
      const rn = regName(i.rn, true);
      const addr = mode === 'offset' ? `[${rn}${i.imm ? `, #${i.imm}` : ''}]` : mode === 'pre' ? `[${rn}, #${i.imm}]!` : `[${rn}], #${i.imm}`;
      return fmt(i.op.slice(0, -2).toLowerCase(), `${regs}, ${addr}`);
    },
    encode(i) {
      if (i.size < 2 || i.size > 4) throw new EncodingError(`${i.op.slice(0, -2)} pairs two S, D or Q registers`);
      const imm = checkOffset(i.imm, 7, 1 << i.size, `${i.op.slice(0, -2)} offset`);
      return (((i.size - 2) << 30) | match | (i.op === ld ? 1 << 22 : 0) | (imm << 15) | (checkV(i.ra, 'Vt2') << 10) | (encSP(i.rn, true, 'base register') << 5) | checkV(i.rd, 'Vt')) >>> 0;
    },
  };
}

/** Multiple structures: opcode → structure elements (1 for LD1/ST1) and register count. */
const STRUCTURES: Readonly<Record<number, [number, number]>> = { 0b0111: [1, 1], 0b1010: [1, 2], 0b0110: [1, 3], 0b0010: [1, 4], 0b1000: [2, 2], 0b0100: [3, 3], 0b0000: [4, 4] };
const structOpcode = (n: number, count: number): number | undefined => {
  const e = Object.entries(STRUCTURES).find(([, [a, b]]) => a === n && b === count);
  return e === undefined ? undefined : Number(e[0]);
};
type StructOp = 'LD1' | 'ST1' | 'LD2' | 'ST2' | 'LD3' | 'ST3' | 'LD4' | 'ST4';

/** LD1/ST1 {Vt.T - ...}, [Xn] (`post`: [Xn], #imm or [Xn], Xm). `size` is the element size, `ra` the count. */
export function ld1Row(name: string, post: boolean): Encoding<SimdFp> {
  const mode = post ? 'post' : 'offset';
  return {
    name,
    mask: post ? 0xbfa00000 : 0xbfbf0000,
    match: post ? 0x0c800000 : 0x0c000000,
    keys: [1, 2, 3, 4].flatMap((n) => [`LD${n}/${mode}`, `ST${n}/${mode}`]),
    decode(w) {
      const e = STRUCTURES[bits(w, 15, 12)];
      if (e === undefined) return undefined;
      const [n, count] = e;
      const q = bits(w, 30, 30) === 1;
      // One-element 64-bit structures exist only for LD1/ST1.
      if (n > 1 && bits(w, 11, 10) === 3 && !q) return undefined;
      const rm = post ? bits(w, 20, 16) : ZR;
      return { ...simd(`${bits(w, 22, 22) ? 'LD' : 'ST'}${n}` as StructOp, { q, size: bits(w, 11, 10), ra: count, rd: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), rm, mode, imm: post && rm === ZR ? count * (q ? 16 : 8) : 0 }), word: w };
    },
    format(i) {
      const list = regList(i.rd, i.ra, arrangement(i.size, i.q));
      const rn = regName(i.rn, true);
      if (!post) return fmt(i.op.toLowerCase(), `${list}, [${rn}]`);
      return fmt(i.op.toLowerCase(), `${list}, [${rn}], ${i.rm === ZR ? `#${i.imm}` : regName(i.rm, true)}`);
    },
    encode(i) {
      const n = Number(i.op.slice(2));
      const opcode = structOpcode(n, i.ra);
      if (opcode === undefined) throw new EncodingError(`${i.op} takes ${n === 1 ? '1 to 4 registers' : `${n} registers`}, not ${i.ra}`);
      if (n > 1 && i.size === 3 && !i.q) throw new EncodingError(`${i.op} has no .1d form`);
      if (!Number.isInteger(i.size) || i.size < 0 || i.size > 3) throw new EncodingError(`element size ${i.size} is not 0-3`);
      let rm = 0;
      if (post) {
        rm = encZR(i.rm, true, 'post-index register');
        if (rm === ZR && i.imm !== i.ra * (i.q ? 16 : 8)) throw new EncodingError(`the post-index immediate of ${i.op} with ${i.ra} register${i.ra > 1 ? 's' : ''} of ${i.q ? 16 : 8} bytes must be #${i.ra * (i.q ? 16 : 8)}, not #${i.imm}`);
      }
      return ((i.q ? 1 << 30 : 0) | (post ? 0x0c800000 : 0x0c000000) | (i.op.startsWith('LD') ? 1 << 22 : 0) | (rm << 16) | (opcode << 12) | (i.size << 10) | (encSP(i.rn, true, 'base register') << 5) | checkV(i.rd, 'Vt')) >>> 0;
    },
  };
}

/**
 * LD1-LD4/ST1-ST4 (single structure) and LD1R-LD4R: `ra` the structure's elements, `size` the
 * element size, `opc` the lane index (single structure), `imm` the post-index immediate.
 */
export function singleRow(name: string, post: boolean): Encoding<SimdFp> {
  const mode = post ? 'post' : 'offset';
  return {
    name,
    mask: post ? 0xbf800000 : 0xbf9f0000,
    match: post ? 0x0d800000 : 0x0d000000,
    keys: [`LDNS/${mode}`, `STNS/${mode}`, `LDNR/${mode}`],
    decode(w) {
      const q = bits(w, 30, 30);
      const load = bits(w, 22, 22) === 1;
      const opcode = bits(w, 15, 13);
      const s = bits(w, 12, 12);
      const size = bits(w, 11, 10);
      const selem = (((opcode & 1) << 1) | bits(w, 21, 21)) + 1;
      const rm = post ? bits(w, 20, 16) : ZR;
      const base = { q: q === 1, ra: selem, rd: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), rm, mode } as const;
      let es: number;
      let index: number;
      switch (opcode >> 1) {
        case 0: es = 0; index = (q << 3) | (s << 2) | size; break;
        case 1: if (size & 1) return undefined; es = 1; index = (q << 2) | (s << 1) | (size >> 1); break;
        case 2:
          if (size === 0) { es = 2; index = (q << 1) | s; }
          else if (size === 1 && s === 0) { es = 3; index = q; }
          else return undefined;
          break;
        default:
          if (!load || s === 1) return undefined;
          return { ...simd('LDNR', { ...base, size, imm: post && rm === ZR ? selem << size : 0 }), word: w };
      }
      return { ...simd(load ? 'LDNS' : 'STNS', { ...base, size: es, opc: index, imm: post && rm === ZR ? selem << es : 0 }), word: w };
    },
    format(i) {
      const mn = `${i.op === 'STNS' ? 'st' : 'ld'}${i.ra}${i.op === 'LDNR' ? 'r' : ''}`;
      const list = i.op === 'LDNR' ? regList(i.rd, i.ra, arrangement(i.size, i.q)) : `${regList(i.rd, i.ra, 'bhsd'[i.size])}[${i.opc}]`;
      const rn = regName(i.rn, true);
      if (!post) return fmt(mn, `${list}, [${rn}]`);
      return fmt(mn, `${list}, [${rn}], ${i.rm === ZR ? `#${i.imm}` : regName(i.rm, true)}`);
    },
    encode(i) {
      if (!Number.isInteger(i.ra) || i.ra < 1 || i.ra > 4) throw new EncodingError(`${i.op} structures have 1 to 4 elements, not ${i.ra}`);
      const sel = i.ra - 1;
      let opcode: number;
      let q: number;
      let s = 0;
      let size: number;
      if (i.op === 'LDNR') {
        opcode = 0b110 | (sel >> 1);
        q = i.q ? 1 : 0;
        size = i.size;
      } else {
        const x = i.opc;
        const max = 16 >> i.size;
        if (!Number.isInteger(x) || x < 0 || x >= max) throw new EncodingError(`lane index ${x} is out of range for .${'bhsd'[i.size]} (0-${max - 1})`);
        switch (i.size) {
          case 0: opcode = 0b000; q = x >> 3; s = (x >> 2) & 1; size = x & 3; break;
          case 1: opcode = 0b010; q = x >> 2; s = (x >> 1) & 1; size = (x & 1) << 1; break;
          case 2: opcode = 0b100; q = x >> 1; s = x & 1; size = 0; break;
          default: opcode = 0b100; q = x; size = 1;
        }
        opcode |= sel >> 1;
      }
      let rm = 0;
      if (post) {
        rm = encZR(i.rm, true, 'post-index register');
        const es = i.size;
        if (rm === ZR && i.imm !== i.ra << es) throw new EncodingError(`the post-index immediate of ${i.op} must be #${i.ra << es}, not #${i.imm}`);
      }
      return ((q << 30) | (post ? 0x0d800000 : 0x0d000000) | (i.op === 'STNS' ? 0 : 1 << 22) | ((sel & 1) << 21) | (rm << 16) | (opcode << 13) | (s << 12) | (size << 10) | (encSP(i.rn, true, 'base register') << 5) | checkV(i.rd, 'Vt')) >>> 0;
    },
  };
}

export const SIMD_FP_LDST_ROWS: readonly Encoding<SimdFp>[] = [
  vldstUimm,
  vldstImmRow('load/store SIMD&FP register (unscaled immediate)', 0x3c000000, 'unscaled'),
  vldstImmRow('load/store SIMD&FP register (immediate post-indexed)', 0x3c000400, 'post'),
  vldstImmRow('load/store SIMD&FP register (immediate pre-indexed)', 0x3c000c00, 'pre'),
  vldstReg,
  vldrLiteral,
  vpairRow('load/store SIMD&FP register pair (offset)', 0x2d000000, 'offset', false),
  vpairRow('load/store SIMD&FP register pair (pre-indexed)', 0x2d800000, 'pre', false),
  vpairRow('load/store SIMD&FP register pair (post-indexed)', 0x2c800000, 'post', false),
  vpairRow('load/store SIMD&FP no-allocate pair (offset)', 0x2c000000, 'offset', true),
  ld1Row('AdvSIMD load/store multiple structures (LD1-LD4/ST1-ST4)', false),
  ld1Row('AdvSIMD load/store multiple structures, post-indexed (LD1-LD4/ST1-ST4)', true),
  singleRow('AdvSIMD load/store single structure (LD1-LD4 lane, LD1R-LD4R)', false),
  singleRow('AdvSIMD load/store single structure, post-indexed (LD1-LD4 lane, LD1R-LD4R)', true),
];
