/**
 * Scalar floating point: conversions between FP and integer (FMOV general, FCVT*S/U, SCVTF,
 * UCVTF), FMOV immediate, one source (FMOV, FABS, FNEG, FSQRT, FCVT, FRINT*), two source, three
 * source (FMADD...), FCMP/FCMPE, FCCMP/FCCMPE and FCSEL. `size` is the type field: 0 single,
 * 1 double, 3 half (only FCVT takes half precision on ARMv8.0).
 */
import { bits } from '../bits';
import type { SimdFp, SimdFpOp } from '../insn';
import { CONDITIONS } from '../names';
import { EncodingError, checkCond, condComment, fmt, regName, type Encoding } from './encoding';
import { fpImmText, fpImmValue } from './simd-fp-advsimd';
import { checkField, checkV, simd } from './simd-fp-common';

/** The letter of FP type `t`, or undefined for type 2. */
export const FTYPE: readonly (string | undefined)[] = ['s', 'd', undefined, 'h'];
const fr = (n: number, t: number): string => `${FTYPE[t]}${n}`;
/** Single or double. */
const sd = (t: number): boolean => t === 0 || t === 1;

interface Layout {
  name: string;
  mask: number;
  match: number;
  op: SimdFpOp;
  decode(w: number): Partial<SimdFp>;
  format(i: SimdFp): string | undefined;
  encode(i: SimdFp): number;
}

function row(l: Layout): Encoding<SimdFp> {
  return {
    name: l.name,
    mask: l.mask,
    match: l.match,
    keys: [l.op],
    decode(w) {
      const i = { ...simd(l.op, l.decode(w)), word: w };
      return l.format(i) === undefined ? undefined : i;
    },
    format(i) {
      return l.format(i) ?? '';
    },
    encode(i) {
      if (l.format(i) === undefined) throw new EncodingError(`no ${l.op} instruction has these fields (type=${i.size} opcode=${i.opc})`);
      return (l.match | l.encode(i)) >>> 0;
    },
  };
}

const TYPE = (i: SimdFp) => checkField(i.size, 2, 'type') << 22;
const RNRD = (i: SimdFp) => (checkV(i.rn, 'Rn') << 5) | checkV(i.rd, 'Rd');
const RM = (i: SimdFp) => checkV(i.rm, 'Vm') << 16;
const base = (w: number) => ({ size: bits(w, 23, 22), rn: bits(w, 9, 5), rd: bits(w, 4, 0) });

/** FP_INT opcodes 0/1 and 4/5 by rounding: the conversions to integer. */
const FCVT_ROUND = ['n', 'p', 'm', 'z'] as const;

/** FP_INT: `imm` is rmode, `opc` the opcode, `sf` the general register's width. */
const fpInt = row({
  name: 'conversion between floating-point and integer',
  mask: 0x7f20fc00,
  match: 0x1e200000,
  op: 'FP_INT',
  decode: (w) => ({ ...base(w), sf: bits(w, 31, 31) === 1, imm: bits(w, 20, 19), opc: bits(w, 18, 16) }),
  format(i) {
    const t = i.size;
    const x = regName(i.rd, i.sf);
    const rmode = i.imm;
    switch (i.opc) {
      case 0: case 1:
        return sd(t) ? fmt(`fcvt${FCVT_ROUND[rmode]}${i.opc ? 'u' : 's'}`, `${x}, ${fr(i.rn, t)}`) : undefined;
      case 2: case 3:
        return sd(t) && rmode === 0 ? fmt(i.opc === 2 ? 'scvtf' : 'ucvtf', `${fr(i.rd, t)}, ${regName(i.rn, i.sf)}`) : undefined;
      case 4: case 5:
        return sd(t) && rmode === 0 ? fmt(i.opc === 4 ? 'fcvtas' : 'fcvtau', `${x}, ${fr(i.rn, t)}`) : undefined;
      default: {
        const toGeneral = i.opc === 6;
        let v: string;
        if (rmode === 0 && sd(t) && i.sf === (t === 1)) v = fr(toGeneral ? i.rn : i.rd, t);
        else if (rmode === 1 && t === 2 && i.sf) v = `v${toGeneral ? i.rn : i.rd}.d[1]`;
        else return undefined;
        return fmt('fmov', toGeneral ? `${x}, ${v}` : `${v}, ${regName(i.rn, i.sf)}`);
      }
    }
  },
  encode: (i) => (i.sf ? 0x80000000 : 0) | TYPE(i) | (checkField(i.imm, 2, 'rmode') << 19) | (checkField(i.opc, 3, 'opcode') << 16) | (checkField(i.rn, 5, 'Rn') << 5) | checkField(i.rd, 5, 'Rd'),
});

/** FP_FIXED: `imm` is fbits (1-64), `opc` rmode:opcode (0b00010 SCVTF, 0b00011 UCVTF, 0b11000 FCVTZS, 0b11001 FCVTZU). */
const FIXED_NAMES: Readonly<Record<number, string>> = { 0b00010: 'scvtf', 0b00011: 'ucvtf', 0b11000: 'fcvtzs', 0b11001: 'fcvtzu' };
const fpFixed = row({
  name: 'conversion between floating-point and fixed-point',
  mask: 0x7f200000,
  match: 0x1e000000,
  op: 'FP_FIXED',
  decode: (w) => ({ ...base(w), sf: bits(w, 31, 31) === 1, opc: bits(w, 20, 16), imm: 64 - bits(w, 15, 10) }),
  format(i) {
    const name = FIXED_NAMES[i.opc];
    if (name === undefined || !sd(i.size) || i.imm < 1 || i.imm > (i.sf ? 64 : 32)) return undefined;
    const toFp = i.opc < 8;
    return fmt(name, toFp ? `${fr(i.rd, i.size)}, ${regName(i.rn, i.sf)}, #${i.imm}` : `${regName(i.rd, i.sf)}, ${fr(i.rn, i.size)}, #${i.imm}`);
  },
  encode: (i) => (i.sf ? 0x80000000 : 0) | TYPE(i) | (checkField(i.opc, 5, 'rmode:opcode') << 16) | (checkField(64 - i.imm, 6, 'scale') << 10) | (checkField(i.rn, 5, 'Rn') << 5) | checkField(i.rd, 5, 'Rd'),
});

const fpImm = row({
  name: 'floating-point immediate (FMOV)',
  mask: 0xff201fe0,
  match: 0x1e201000,
  op: 'FP_IMM',
  decode: (w) => ({ ...base(w), rn: 0, imm: bits(w, 20, 13) }),
  format: (i) => (sd(i.size) ? fmt('fmov', `${fr(i.rd, i.size)}, #${fpImmText(fpImmValue(i.imm))}`) : undefined),
  encode: (i) => TYPE(i) | (checkField(i.imm, 8, 'imm8') << 13) | checkV(i.rd, 'Vd'),
});

export const FP1_NAMES: Readonly<Record<number, string>> = {
  0: 'fmov', 1: 'fabs', 2: 'fneg', 3: 'fsqrt', 8: 'frintn', 9: 'frintp', 10: 'frintm', 11: 'frintz', 12: 'frinta', 14: 'frintx', 15: 'frinti',
};

const fp1 = row({
  name: 'floating-point data processing (1 source)',
  mask: 0xff207c00,
  match: 0x1e204000,
  op: 'FP_1',
  decode: (w) => ({ ...base(w), opc: bits(w, 20, 15) }),
  format(i) {
    if (i.opc >= 4 && i.opc <= 7) {
      const to = i.opc & 3;
      if (to === 2 || to === i.size || FTYPE[i.size] === undefined) return undefined;
      return fmt('fcvt', `${fr(i.rd, to)}, ${fr(i.rn, i.size)}`);
    }
    const name = FP1_NAMES[i.opc];
    return name !== undefined && sd(i.size) ? fmt(name, `${fr(i.rd, i.size)}, ${fr(i.rn, i.size)}`) : undefined;
  },
  encode: (i) => TYPE(i) | (checkField(i.opc, 6, 'opcode') << 15) | RNRD(i),
});

export const FP2_NAMES = ['fmul', 'fdiv', 'fadd', 'fsub', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fnmul'] as const;

const fp2 = row({
  name: 'floating-point data processing (2 source)',
  mask: 0xff200c00,
  match: 0x1e200800,
  op: 'FP_2',
  decode: (w) => ({ ...base(w), rm: bits(w, 20, 16), opc: bits(w, 15, 12) }),
  format: (i) => (i.opc <= 8 && sd(i.size) ? fmt(FP2_NAMES[i.opc], `${fr(i.rd, i.size)}, ${fr(i.rn, i.size)}, ${fr(i.rm, i.size)}`) : undefined),
  encode: (i) => TYPE(i) | RM(i) | (checkField(i.opc, 4, 'opcode') << 12) | RNRD(i),
});

export const FP3_NAMES = ['fmadd', 'fmsub', 'fnmadd', 'fnmsub'] as const;

/** FP_3: u = o1, opc = o0. */
const fp3 = row({
  name: 'floating-point data processing (3 source)',
  mask: 0xff000000,
  match: 0x1f000000,
  op: 'FP_3',
  decode: (w) => ({ ...base(w), u: bits(w, 21, 21), rm: bits(w, 20, 16), opc: bits(w, 15, 15), ra: bits(w, 14, 10) }),
  format: (i) => (sd(i.size) ? fmt(FP3_NAMES[(i.u << 1) | i.opc], `${fr(i.rd, i.size)}, ${fr(i.rn, i.size)}, ${fr(i.rm, i.size)}, ${fr(i.ra, i.size)}`) : undefined),
  encode: (i) => TYPE(i) | (checkField(i.u, 1, 'o1') << 21) | RM(i) | (checkField(i.opc, 1, 'o0') << 15) | (checkV(i.ra, 'Va') << 10) | RNRD(i),
});

/** FP_CMP: opc = opcode2 (bit 3: with zero, bit 4: signalling). */
const fpCmp = row({
  name: 'floating-point compare',
  mask: 0xff20fc07,
  match: 0x1e202000,
  op: 'FP_CMP',
  decode: (w) => ({ ...base(w), rd: 0, rm: bits(w, 20, 16), opc: bits(w, 4, 0) }),
  format(i) {
    if (!sd(i.size) || (i.opc & 7) !== 0) return undefined;
    const name = i.opc & 16 ? 'fcmpe' : 'fcmp';
    if (i.opc & 8) return i.rm === 0 ? fmt(name, `${fr(i.rn, i.size)}, #0.0`) : undefined;
    return fmt(name, `${fr(i.rn, i.size)}, ${fr(i.rm, i.size)}`);
  },
  encode: (i) => TYPE(i) | RM(i) | (checkV(i.rn, 'Vn') << 5) | checkField(i.opc, 5, 'opcode2'),
});

/** FP_CCMP: imm = cond << 4 | nzcv, opc = 1 for FCCMPE. */
const fpCcmp = row({
  name: 'floating-point conditional compare',
  mask: 0xff200c00,
  match: 0x1e200400,
  op: 'FP_CCMP',
  decode: (w) => ({ ...base(w), rd: 0, rm: bits(w, 20, 16), imm: (bits(w, 15, 12) << 4) | bits(w, 3, 0), opc: bits(w, 4, 4) }),
  format(i) {
    if (!sd(i.size)) return undefined;
    const cond = i.imm >> 4;
    return fmt(i.opc ? 'fccmpe' : 'fccmp', `${fr(i.rn, i.size)}, ${fr(i.rm, i.size)}, #0x${(i.imm & 15).toString(16)}, ${CONDITIONS[cond][0]}`, condComment(cond));
  },
  encode: (i) => TYPE(i) | RM(i) | (checkCond(checkField(i.imm, 8, 'cond:nzcv') >> 4) << 12) | (checkField(i.opc, 1, 'op') << 4) | (checkV(i.rn, 'Vn') << 5) | (i.imm & 15),
});

/** FP_CSEL: imm = cond. */
const fpCsel = row({
  name: 'floating-point conditional select',
  mask: 0xff200c00,
  match: 0x1e200c00,
  op: 'FP_CSEL',
  decode: (w) => ({ ...base(w), rm: bits(w, 20, 16), imm: bits(w, 15, 12) }),
  format: (i) => (sd(i.size) ? fmt('fcsel', `${fr(i.rd, i.size)}, ${fr(i.rn, i.size)}, ${fr(i.rm, i.size)}, ${CONDITIONS[i.imm][0]}`, condComment(i.imm)) : undefined),
  encode: (i) => TYPE(i) | RM(i) | (checkCond(i.imm) << 12) | RNRD(i),
});

export const FP_ROWS: readonly Encoding<SimdFp>[] = [fpInt, fpFixed, fpImm, fp1, fp2, fp3, fpCmp, fpCcmp, fpCsel];
