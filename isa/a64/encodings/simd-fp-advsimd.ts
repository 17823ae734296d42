/**
 * Advanced SIMD data processing: three same, two-register misc, across lanes, scalar pairwise,
 * permute (ZIP/UZP/TRN), EXT, TBL/TBX, shift by immediate, copy (DUP/INS/UMOV/SMOV) and modified
 * immediate (MOVI/MVNI/ORR/BIC/FMOV), vector and scalar forms. Each row decodes the mnemonics of
 * its class that the core executes; the other words of the class stay undefined.
 */
import { bits } from '../bits';
import type { SimdFp, SimdFpOp } from '../insn';
import { EncodingError, fmt, regName, type Encoding } from './encoding';
import { ELEMENT, arrangement, checkField, checkV, elem, regList, simd, sreg, vreg } from './simd-fp-common';

/** A row whose words are all `q u size opc rd rn rm ra imm` of one layout. */
interface Layout {
  name: string;
  mask: number;
  match: number;
  op: SimdFpOp;
  /** Whether the layout has these fields (for encode's checks): q (bit 30), u (bit 29), size (23:22), rm (20:16). */
  decode(w: number): Partial<SimdFp> | undefined;
  format(i: SimdFp): string | undefined;
  encode(i: SimdFp): number;
  /** Rows that share another row's key (split for the no-overlap rule). */
  keyless?: boolean;
  /** What encode starts from, when the row's match has bits encode sets itself (shift rows). */
  base?: number;
}

function row(l: Layout): Encoding<SimdFp> {
  return {
    name: l.name,
    mask: l.mask,
    match: l.match,
    keys: l.keyless ? [] : [l.op],
    decode(w) {
      const f = l.decode(w);
      if (f === undefined) return undefined;
      const i = { ...simd(l.op, f), word: w };
      return l.format(i) === undefined ? undefined : i;
    },
    format(i) {
      const t = l.format(i);
      if (t === undefined) throw new EncodingError(`no ${l.op} instruction has these fields`);
      return t;
    },
    encode(i) {
      if (l.format(i) === undefined) throw new EncodingError(`no ${l.op} instruction has these fields (u=${i.u} size=${i.size} opcode=${i.opc} q=${i.q})`);
      return ((l.base ?? l.match) | l.encode(i)) >>> 0;
    },
  };
}

const Q = (i: SimdFp) => (i.q ? 1 << 30 : 0);
const U = (i: SimdFp) => checkField(i.u, 1, 'U') << 29;
const SIZE = (i: SimdFp) => checkField(i.size, 2, 'size') << 22;
const RM = (i: SimdFp) => checkV(i.rm, 'Vm') << 16;
const RNRD = (i: SimdFp) => (checkV(i.rn, 'Vn') << 5) | checkV(i.rd, 'Vd');
const common = (w: number) => ({ q: bits(w, 30, 30) === 1, u: bits(w, 29, 29), size: bits(w, 23, 22), rm: bits(w, 20, 16), rn: bits(w, 9, 5), rd: bits(w, 4, 0) });

// ---------------------------------------------------------------- three same

/** Element size rules: 'all' any size (size 3 needs Q); 'no64' sizes 0-2; 'bytes' size 0; 'hs' sizes 1-2. */
type SizeRule = 'all' | 'no64' | 'bytes' | 'hs';
export const THREE_SAME: Readonly<Record<number, [string, SizeRule]>> = {
  [0b000000]: ['shadd', 'no64'], [0b000001]: ['sqadd', 'all'], [0b000010]: ['srhadd', 'no64'], [0b000100]: ['shsub', 'no64'], [0b000101]: ['sqsub', 'all'],
  [0b000110]: ['cmgt', 'all'], [0b000111]: ['cmge', 'all'], [0b001000]: ['sshl', 'all'], [0b001001]: ['sqshl', 'all'], [0b001010]: ['srshl', 'all'], [0b001011]: ['sqrshl', 'all'],
  [0b001100]: ['smax', 'no64'], [0b001101]: ['smin', 'no64'], [0b001110]: ['sabd', 'no64'], [0b001111]: ['saba', 'no64'],
  [0b010000]: ['add', 'all'], [0b010001]: ['cmtst', 'all'], [0b010010]: ['mla', 'no64'], [0b010011]: ['mul', 'no64'],
  [0b010100]: ['smaxp', 'no64'], [0b010101]: ['sminp', 'no64'], [0b010110]: ['sqdmulh', 'hs'], [0b010111]: ['addp', 'all'],
  [0b100000]: ['uhadd', 'no64'], [0b100001]: ['uqadd', 'all'], [0b100010]: ['urhadd', 'no64'], [0b100100]: ['uhsub', 'no64'], [0b100101]: ['uqsub', 'all'],
  [0b100110]: ['cmhi', 'all'], [0b100111]: ['cmhs', 'all'], [0b101000]: ['ushl', 'all'], [0b101001]: ['uqshl', 'all'], [0b101010]: ['urshl', 'all'], [0b101011]: ['uqrshl', 'all'],
  [0b101100]: ['umax', 'no64'], [0b101101]: ['umin', 'no64'], [0b101110]: ['uabd', 'no64'], [0b101111]: ['uaba', 'no64'],
  [0b110000]: ['sub', 'all'], [0b110001]: ['cmeq', 'all'], [0b110010]: ['mls', 'no64'], [0b110011]: ['pmul', 'bytes'],
  [0b110100]: ['umaxp', 'no64'], [0b110101]: ['uminp', 'no64'], [0b110110]: ['sqrdmulh', 'hs'],
};
/** Opcode 00011: the bitwise ops, by U:size. */
export const LOGIC3 = ['and', 'bic', 'orr', 'orn', 'eor', 'bsl', 'bit', 'bif'] as const;
/** Scalar three same: U:opcode → the sizes it has ('d' size 3 only, 'any' all four, 'hs' 1-2). */
const SCALAR_THREE_SAME: Readonly<Record<number, 'd' | 'any' | 'hs'>> = {
  [0b000110]: 'd', [0b000111]: 'd', [0b010000]: 'd', [0b010001]: 'd', [0b100110]: 'd', [0b100111]: 'd', [0b110000]: 'd', [0b110001]: 'd',
  [0b001000]: 'd', [0b101000]: 'd', [0b001010]: 'd', [0b101010]: 'd',
  [0b000001]: 'any', [0b100001]: 'any', [0b000101]: 'any', [0b100101]: 'any', [0b001001]: 'any', [0b101001]: 'any', [0b001011]: 'any', [0b101011]: 'any',
  [0b010110]: 'hs', [0b110110]: 'hs',
};

/** The FP ops of three same (opcodes 11xxx): U:size<1>:opcode<2:0> → name. */
export const FP_THREE_SAME: Readonly<Record<number, string>> = {
  [0b00000]: 'fmaxnm', [0b00001]: 'fmla', [0b00010]: 'fadd', [0b00011]: 'fmulx', [0b00100]: 'fcmeq', [0b00110]: 'fmax', [0b00111]: 'frecps',
  [0b01000]: 'fminnm', [0b01001]: 'fmls', [0b01010]: 'fsub', [0b01110]: 'fmin', [0b01111]: 'frsqrts',
  [0b10000]: 'fmaxnmp', [0b10010]: 'faddp', [0b10011]: 'fmul', [0b10100]: 'fcmge', [0b10101]: 'facge', [0b10110]: 'fmaxp', [0b10111]: 'fdiv',
  [0b11000]: 'fminnmp', [0b11010]: 'fabd', [0b11100]: 'fcmgt', [0b11101]: 'facgt', [0b11110]: 'fminp',
};
export const fpThreeSameKey = (u: number, size: number, opc: number): number => (u << 4) | ((size >> 1) << 3) | (opc & 7);

export function threeSameName(u: number, opc: number, size: number): string | undefined {
  if (opc === 0b00011) return LOGIC3[(u << 2) | size];
  return THREE_SAME[(u << 5) | opc]?.[0];
}

function sizeOk(rule: SizeRule, size: number, q: boolean): boolean {
  if (rule === 'bytes') return size === 0;
  if (rule === 'hs') return size === 1 || size === 2;
  if (rule === 'no64') return size !== 3;
  return size !== 3 || q;
}

const v3same = row({
  name: 'AdvSIMD three same',
  mask: 0x9f200400,
  match: 0x0e200400,
  op: 'V_3SAME',
  decode: (w) => ({ ...common(w), opc: bits(w, 15, 11) }),
  format(i) {
    if (i.opc === 0b00011) {
      const a = i.q ? '16b' : '8b';
      const name = LOGIC3[(i.u << 2) | i.size];
      if (name === 'orr' && i.rn === i.rm) return fmt('mov', `v${i.rd}.${a}, v${i.rn}.${a}`);
      return fmt(name, `v${i.rd}.${a}, v${i.rn}.${a}, v${i.rm}.${a}`);
    }
    if (i.opc >= 0b11000) {
      const name = FP_THREE_SAME[fpThreeSameKey(i.u, i.size, i.opc)];
      const es = 2 + (i.size & 1);
      if (name === undefined || (es === 3 && !i.q)) return undefined;
      return fmt(name, `${vreg(i.rd, es, i.q)}, ${vreg(i.rn, es, i.q)}, ${vreg(i.rm, es, i.q)}`);
    }
    const e = THREE_SAME[(i.u << 5) | i.opc];
    if (e === undefined || !sizeOk(e[1], i.size, i.q)) return undefined;
    return fmt(e[0], `${vreg(i.rd, i.size, i.q)}, ${vreg(i.rn, i.size, i.q)}, ${vreg(i.rm, i.size, i.q)}`);
  },
  encode: (i) => Q(i) | U(i) | SIZE(i) | RM(i) | (checkField(i.opc, 5, 'opcode') << 11) | RNRD(i),
});

const s3same = row({
  name: 'AdvSIMD scalar three same',
  mask: 0xdf200400,
  match: 0x5e200400,
  op: 'S_3SAME',
  decode: (w) => ({ ...common(w), q: false, opc: bits(w, 15, 11) }),
  format(i) {
    const rule = SCALAR_THREE_SAME[(i.u << 5) | i.opc];
    if (rule === undefined || (rule === 'd' && i.size !== 3) || (rule === 'hs' && i.size !== 1 && i.size !== 2)) return undefined;
    return fmt(THREE_SAME[(i.u << 5) | i.opc][0], `${sreg(i.rd, i.size)}, ${sreg(i.rn, i.size)}, ${sreg(i.rm, i.size)}`);
  },
  encode: (i) => U(i) | SIZE(i) | RM(i) | (checkField(i.opc, 5, 'opcode') << 11) | RNRD(i),
});

// ---------------------------------------------------------------- three different

/** Three different: U:opcode → name and shape (long: Vd wide; wide: Vd, Vn wide; narrow: Vn, Vm wide; 'sq': long, U=0, sizes 1-2). */
export const THREE_DIFF: Readonly<Record<number, [string, 'long' | 'wide' | 'narrow' | 'sq' | 'pmull']>> = {
  [0b00000]: ['saddl', 'long'], [0b00001]: ['saddw', 'wide'], [0b00010]: ['ssubl', 'long'], [0b00011]: ['ssubw', 'wide'],
  [0b00100]: ['addhn', 'narrow'], [0b00101]: ['sabal', 'long'], [0b00110]: ['subhn', 'narrow'], [0b00111]: ['sabdl', 'long'],
  [0b01000]: ['smlal', 'long'], [0b01001]: ['sqdmlal', 'sq'], [0b01010]: ['smlsl', 'long'], [0b01011]: ['sqdmlsl', 'sq'],
  [0b01100]: ['smull', 'long'], [0b01101]: ['sqdmull', 'sq'], [0b01110]: ['pmull', 'pmull'],
  [0b10000]: ['uaddl', 'long'], [0b10001]: ['uaddw', 'wide'], [0b10010]: ['usubl', 'long'], [0b10011]: ['usubw', 'wide'],
  [0b10100]: ['raddhn', 'narrow'], [0b10101]: ['uabal', 'long'], [0b10110]: ['rsubhn', 'narrow'], [0b10111]: ['uabdl', 'long'],
  [0b11000]: ['umlal', 'long'], [0b11010]: ['umlsl', 'long'], [0b11100]: ['umull', 'long'],
};

const v3diff = row({
  name: 'AdvSIMD three different',
  mask: 0x9f200c00,
  match: 0x0e200000,
  op: 'V_3DIFF',
  decode: (w) => ({ ...common(w), opc: bits(w, 15, 12) }),
  format(i) {
    const e = THREE_DIFF[(i.u << 4) | i.opc];
    if (e === undefined) return undefined;
    const [name, shape] = e;
    // PMULL of 64-bit elements is the Cryptographic Extension's (not modelled).
    if (i.size === 3 || (shape === 'sq' && i.size === 0) || (shape === 'pmull' && i.size !== 0)) return undefined;
    const mn = i.q ? `${name}2` : name;
    const wide = vreg(i.rd, i.size + 1, true);
    const half = (r: number) => vreg(r, i.size, i.q);
    if (shape === 'wide') return fmt(mn, `${wide}, ${vreg(i.rn, i.size + 1, true)}, ${half(i.rm)}`);
    if (shape === 'narrow') return fmt(mn, `${half(i.rd)}, ${vreg(i.rn, i.size + 1, true)}, ${vreg(i.rm, i.size + 1, true)}`);
    return fmt(mn, `${wide}, ${half(i.rn)}, ${half(i.rm)}`);
  },
  encode: (i) => Q(i) | U(i) | SIZE(i) | RM(i) | (checkField(i.opc, 4, 'opcode') << 12) | RNRD(i),
});

/** Scalar three different: SQDMLAL (1001), SQDMLSL (1011), SQDMULL (1101), U=0, H or S sources. */
const s3diff = row({
  name: 'AdvSIMD scalar three different',
  mask: 0xdf200c00,
  match: 0x5e200000,
  op: 'S_3DIFF',
  decode: (w) => ({ ...common(w), q: false, opc: bits(w, 15, 12) }),
  format(i) {
    const name = i.u === 0 ? { 0b1001: 'sqdmlal', 0b1011: 'sqdmlsl', 0b1101: 'sqdmull' }[i.opc] : undefined;
    if (name === undefined || (i.size !== 1 && i.size !== 2)) return undefined;
    return fmt(name, `${sreg(i.rd, i.size + 1)}, ${sreg(i.rn, i.size)}, ${sreg(i.rm, i.size)}`);
  },
  encode: (i) => U(i) | SIZE(i) | RM(i) | (checkField(i.opc, 4, 'opcode') << 12) | RNRD(i),
});

// ---------------------------------------------------------------- by element

/**
 * Vector x indexed element: U:opcode → name and shape ('same', 'long' as three different,
 * 'fp' the FP ops). Executed as the three-same/three-different op of the same name with Vm the
 * element broadcast.
 */
export const BY_ELEMENT: Readonly<Record<number, [string, 'same' | 'long' | 'hs' | 'fp']>> = {
  [0b00001]: ['fmla', 'fp'], [0b00010]: ['smlal', 'long'], [0b00011]: ['sqdmlal', 'long'], [0b00101]: ['fmls', 'fp'], [0b00110]: ['smlsl', 'long'],
  [0b00111]: ['sqdmlsl', 'long'], [0b01000]: ['mul', 'same'], [0b01001]: ['fmul', 'fp'], [0b01010]: ['smull', 'long'], [0b01011]: ['sqdmull', 'long'],
  [0b01100]: ['sqdmulh', 'same'], [0b01101]: ['sqrdmulh', 'same'],
  [0b10000]: ['mla', 'same'], [0b10010]: ['umlal', 'long'], [0b10100]: ['mls', 'same'], [0b10110]: ['umlsl', 'long'], [0b11001]: ['fmulx', 'fp'], [0b11010]: ['umull', 'long'],
};
const SCALAR_BY_ELEMENT = new Set(['fmla', 'fmls', 'fmul', 'fmulx']);

/** Rm and the index of an element operand: from L, M, H by element size (FP: size<0> 0 S, 1 D). */
function elemFields(w: number, esize: number): { rm: number; imm: number } | undefined {
  const h = bits(w, 11, 11);
  const l = bits(w, 21, 21);
  const m = bits(w, 20, 20);
  const rm = bits(w, 19, 16);
  if (esize === 1) return { rm, imm: (h << 2) | (l << 1) | m };
  if (esize === 2) return { rm: (m << 4) | rm, imm: (h << 1) | l };
  if (esize === 3) return l === 0 ? { rm: (m << 4) | rm, imm: h } : undefined;
  return undefined;
}

/** The element size of a by-element op (log2 bytes), or -1 when reserved. */
export function elemSize(i: SimdFp): number {
  const e = BY_ELEMENT[(i.u << 4) | i.opc];
  if (e === undefined) return -1;
  if (e[1] === 'fp') return i.size < 2 ? -1 : 2 + (i.size & 1);
  return i.size === 1 || i.size === 2 ? i.size : -1;
}

function elemRow(scalar: boolean): Encoding<SimdFp> {
  return row({
    name: scalar ? 'AdvSIMD scalar x indexed element' : 'AdvSIMD vector x indexed element',
    mask: scalar ? 0xdf000400 : 0x9f000400,
    match: scalar ? 0x5f000000 : 0x0f000000,
    op: scalar ? 'S_ELEM' : 'V_ELEM',
    decode(w) {
      const f = { ...common(w), q: scalar ? false : bits(w, 30, 30) === 1, opc: bits(w, 15, 12) };
      const es = elemSize(simd('V_ELEM', f));
      const x = es < 0 ? undefined : elemFields(w, es);
      return x === undefined ? undefined : { ...f, ...x };
    },
    format(i) {
      const e = BY_ELEMENT[(i.u << 4) | i.opc];
      const es = elemSize(i);
      if (e === undefined || es < 0 || i.imm >= 16 >> es || (es === 1 && i.rm > 15)) return undefined;
      const [name, shape] = e;
      const el = elem(i.rm, es, i.imm);
      if (scalar) return SCALAR_BY_ELEMENT.has(name) ? fmt(name, `${sreg(i.rd, es)}, ${sreg(i.rn, es)}, ${el}`) : undefined;
      if (shape === 'long') return fmt(i.q ? `${name}2` : name, `${vreg(i.rd, es + 1, true)}, ${vreg(i.rn, es, i.q)}, ${el}`);
      if (es === 3 && !i.q) return undefined;
      return fmt(name, `${vreg(i.rd, es, i.q)}, ${vreg(i.rn, es, i.q)}, ${el}`);
    },
    encode(i) {
      const es = elemSize(i);
      let h = 0;
      let l = 0;
      let m = 0;
      let rm = i.rm & 15;
      if (es === 1) {
        h = (i.imm >> 2) & 1;
        l = (i.imm >> 1) & 1;
        m = i.imm & 1;
      } else {
        m = (i.rm >> 4) & 1;
        if (es === 2) {
          h = (i.imm >> 1) & 1;
          l = i.imm & 1;
        } else h = i.imm & 1;
      }
      rm &= 15;
      return Q(i) | U(i) | SIZE(i) | (l << 21) | (m << 20) | (rm << 16) | (checkField(i.opc, 4, 'opcode') << 12) | (h << 11) | RNRD(i);
    },
  });
}

// ---------------------------------------------------------------- two-register misc

/** Size rules of two-register misc beyond those of three same. */
type MiscRule = SizeRule | 'rev64' | 'rev32' | 'narrow' | 'pairlong' | 'shll';
/** U:opcode → name and size rule; `zero` compares print `, #0`. */
const TWO_MISC: Readonly<Record<number, [string, MiscRule, boolean?]>> = {
  [0b000000]: ['rev64', 'rev64'], [0b000001]: ['rev16', 'bytes'], [0b100000]: ['rev32', 'rev32'],
  [0b000101]: ['cnt', 'bytes'], [0b100101]: ['mvn', 'bytes'],
  [0b001000]: ['cmgt', 'all', true], [0b001001]: ['cmeq', 'all', true], [0b001010]: ['cmlt', 'all', true],
  [0b101000]: ['cmge', 'all', true], [0b101001]: ['cmle', 'all', true],
  [0b001011]: ['abs', 'all'], [0b101011]: ['neg', 'all'],
  [0b010010]: ['xtn', 'narrow'], [0b010100]: ['sqxtn', 'narrow'], [0b110100]: ['uqxtn', 'narrow'], [0b110010]: ['sqxtun', 'narrow'],
  [0b000010]: ['saddlp', 'pairlong'], [0b100010]: ['uaddlp', 'pairlong'], [0b000110]: ['sadalp', 'pairlong'], [0b100110]: ['uadalp', 'pairlong'],
  [0b000011]: ['suqadd', 'all'], [0b100011]: ['usqadd', 'all'], [0b000111]: ['sqabs', 'all'], [0b100111]: ['sqneg', 'all'],
  [0b000100]: ['cls', 'no64'], [0b100100]: ['clz', 'no64'], [0b110011]: ['shll', 'shll'],
};
/** Scalar two-register misc: U:opcode → 'd' (size 3 only), 'any', or 'narrow' (sizes 0-2, from twice the size). */
const SCALAR_TWO_MISC: Readonly<Record<number, 'd' | 'any' | 'narrow'>> = {
  [0b001000]: 'd', [0b001001]: 'd', [0b001010]: 'd', [0b101000]: 'd', [0b101001]: 'd', [0b001011]: 'd', [0b101011]: 'd',
  [0b000011]: 'any', [0b100011]: 'any', [0b000111]: 'any', [0b100111]: 'any',
  [0b010100]: 'narrow', [0b110100]: 'narrow', [0b110010]: 'narrow',
};

/** The FP ops of two-register misc: U:size<1>:opcode → name and kind. */
export const FP_TWO_MISC: Readonly<Record<number, [string, 'op' | 'zero' | 'fcvtn' | 'fcvtl' | 'fcvtxn']>> = {
  [0b0010110]: ['fcvtn', 'fcvtn'], [0b0010111]: ['fcvtl', 'fcvtl'], [0b0011000]: ['frintn', 'op'], [0b0011001]: ['frintm', 'op'],
  [0b0011010]: ['fcvtns', 'op'], [0b0011011]: ['fcvtms', 'op'], [0b0011100]: ['fcvtas', 'op'], [0b0011101]: ['scvtf', 'op'],
  [0b0101100]: ['fcmgt', 'zero'], [0b0101101]: ['fcmeq', 'zero'], [0b0101110]: ['fcmlt', 'zero'], [0b0101111]: ['fabs', 'op'],
  [0b0111000]: ['frintp', 'op'], [0b0111001]: ['frintz', 'op'], [0b0111010]: ['fcvtps', 'op'], [0b0111011]: ['fcvtzs', 'op'],
  [0b1010110]: ['fcvtxn', 'fcvtxn'], [0b1011000]: ['frinta', 'op'], [0b1011001]: ['frintx', 'op'], [0b1011010]: ['fcvtnu', 'op'],
  [0b1011011]: ['fcvtmu', 'op'], [0b1011100]: ['fcvtau', 'op'], [0b1011101]: ['ucvtf', 'op'],
  [0b1101100]: ['fcmge', 'zero'], [0b1101101]: ['fcmle', 'zero'], [0b1101111]: ['fneg', 'op'], [0b1111001]: ['frinti', 'op'],
  [0b1111010]: ['fcvtpu', 'op'], [0b1111011]: ['fcvtzu', 'op'], [0b1111111]: ['fsqrt', 'op'],
};
export const fpMiscKey = (u: number, size: number, opc: number): number => (u << 6) | ((size >> 1) << 5) | opc;
/** The scalar FP forms of two-register misc (no FRINT*, FABS, FNEG, FSQRT, FCVTN/L: those are FP_1's). */
const SCALAR_FP_MISC = new Set(['fcvtns', 'fcvtms', 'fcvtas', 'scvtf', 'fcmgt', 'fcmeq', 'fcmlt', 'fcvtps', 'fcvtzs', 'fcvtxn', 'fcvtnu', 'fcvtmu', 'fcvtau', 'ucvtf', 'fcmge', 'fcmle', 'fcvtpu', 'fcvtzu']);

export function twoMiscName(u: number, opc: number): string | undefined {
  return TWO_MISC[(u << 5) | opc]?.[0];
}

/** The text of an FP two-register misc op, vector or (scalar) scalar; undefined when reserved. */
function fpMiscText(i: SimdFp, scalar: boolean): string | undefined {
  const e = FP_TWO_MISC[fpMiscKey(i.u, i.size, i.opc)];
  if (e === undefined) return undefined;
  const [name, kind] = e;
  const sz = i.size & 1;
  if (scalar) {
    if (!SCALAR_FP_MISC.has(name)) return undefined;
    if (kind === 'fcvtxn') return sz === 1 ? fmt(name, `s${i.rd}, d${i.rn}`) : undefined;
    const r = sz ? 'd' : 's';
    return fmt(name, `${r}${i.rd}, ${r}${i.rn}${kind === 'zero' ? ', #0.0' : ''}`);
  }
  if (kind === 'fcvtn' || kind === 'fcvtxn') {
    if (kind === 'fcvtxn' && sz === 0) return undefined;
    return fmt(i.q ? `${name}2` : name, `${vreg(i.rd, 1 + sz, i.q)}, ${vreg(i.rn, 2 + sz, true)}`);
  }
  if (kind === 'fcvtl') return fmt(i.q ? `${name}2` : name, `${vreg(i.rd, 2 + sz, true)}, ${vreg(i.rn, 1 + sz, i.q)}`);
  if (sz === 1 && !i.q) return undefined;
  return fmt(name, `${vreg(i.rd, 2 + sz, i.q)}, ${vreg(i.rn, 2 + sz, i.q)}${kind === 'zero' ? ', #0.0' : ''}`);
}

const v2misc = row({
  name: 'AdvSIMD two-register miscellaneous',
  mask: 0x9f3e0c00,
  match: 0x0e200800,
  op: 'V_2MISC',
  decode: (w) => ({ ...common(w), rm: 0, opc: bits(w, 16, 12) }),
  format(i) {
    if (i.opc >= 0b10110 || (i.opc >= 0b01100 && i.opc <= 0b01111)) return fpMiscText(i, false);
    if (i.u === 1 && i.opc === 0b00101 && i.size === 1) return fmt('rbit', `${vreg(i.rd, 0, i.q)}, ${vreg(i.rn, 0, i.q)}`);
    const e = TWO_MISC[(i.u << 5) | i.opc];
    if (e === undefined) return undefined;
    const [name, rule, zero] = e;
    if (rule === 'narrow') {
      if (i.size === 3) return undefined;
      return fmt(i.q ? `${name}2` : name, `${vreg(i.rd, i.size, i.q)}, ${vreg(i.rn, i.size + 1, true)}`);
    }
    if (rule === 'pairlong') return i.size === 3 ? undefined : fmt(name, `${vreg(i.rd, i.size + 1, i.q)}, ${vreg(i.rn, i.size, i.q)}`);
    if (rule === 'shll') return i.size === 3 ? undefined : fmt(i.q ? 'shll2' : 'shll', `${vreg(i.rd, i.size + 1, true)}, ${vreg(i.rn, i.size, i.q)}, #${8 << i.size}`);
    const ok = rule === 'rev64' ? i.size !== 3 : rule === 'rev32' ? i.size < 2 : sizeOk(rule, i.size, i.q);
    if (!ok) return undefined;
    return fmt(name, `${vreg(i.rd, i.size, i.q)}, ${vreg(i.rn, i.size, i.q)}${zero ? ', #0' : ''}`);
  },
  encode: (i) => Q(i) | U(i) | SIZE(i) | (checkField(i.opc, 5, 'opcode') << 12) | RNRD(i),
});

const s2misc = row({
  name: 'AdvSIMD scalar two-register miscellaneous',
  mask: 0xdf3e0c00,
  match: 0x5e200800,
  op: 'S_2MISC',
  decode: (w) => ({ ...common(w), q: false, rm: 0, opc: bits(w, 16, 12) }),
  format(i) {
    if (i.opc >= 0b10110 || (i.opc >= 0b01100 && i.opc <= 0b01111)) return fpMiscText(i, true);
    const rule = SCALAR_TWO_MISC[(i.u << 5) | i.opc];
    if (rule === undefined || (rule === 'd' && i.size !== 3) || (rule === 'narrow' && i.size === 3)) return undefined;
    const [name, , zero] = TWO_MISC[(i.u << 5) | i.opc];
    if (rule === 'narrow') return fmt(name, `${sreg(i.rd, i.size)}, ${sreg(i.rn, i.size + 1)}`);
    return fmt(name, `${sreg(i.rd, i.size)}, ${sreg(i.rn, i.size)}${zero ? ', #0' : ''}`);
  },
  encode: (i) => U(i) | SIZE(i) | (checkField(i.opc, 5, 'opcode') << 12) | RNRD(i),
});

// ---------------------------------------------------------------- across lanes, scalar pairwise

/** U:opcode → name, and whether the result is twice the element (the long forms). */
const ACROSS: Readonly<Record<number, [string, boolean]>> = {
  [0b000011]: ['saddlv', true], [0b100011]: ['uaddlv', true], [0b001010]: ['smaxv', false], [0b101010]: ['umaxv', false],
  [0b011010]: ['sminv', false], [0b111010]: ['uminv', false], [0b011011]: ['addv', false],
};

export function acrossName(u: number, opc: number): string | undefined {
  return ACROSS[(u << 5) | opc]?.[0];
}

const vacross = row({
  name: 'AdvSIMD across lanes',
  mask: 0x9f3e0c00,
  match: 0x0e300800,
  op: 'V_ACROSS',
  decode: (w) => ({ ...common(w), rm: 0, opc: bits(w, 16, 12) }),
  format(i) {
    // FMAXNMV, FMINNMV, FMAXV, FMINV: .4s only (the U=0 forms are FP16's).
    if (i.u === 1 && (i.opc === 0b01100 || i.opc === 0b01111)) {
      if (!i.q || (i.size & 1) === 1) return undefined;
      const name = i.opc === 0b01100 ? (i.size & 2 ? 'fminnmv' : 'fmaxnmv') : i.size & 2 ? 'fminv' : 'fmaxv';
      return fmt(name, `s${i.rd}, v${i.rn}.4s`);
    }
    const e = ACROSS[(i.u << 5) | i.opc];
    if (e === undefined || i.size === 3 || (i.size === 2 && !i.q)) return undefined;
    return fmt(e[0], `${sreg(i.rd, i.size + (e[1] ? 1 : 0))}, ${vreg(i.rn, i.size, i.q)}`);
  },
  encode: (i) => Q(i) | U(i) | SIZE(i) | (checkField(i.opc, 5, 'opcode') << 12) | RNRD(i),
});

/** Scalar pairwise FP (U=1): size<1>:opcode → name. */
export const SCALAR_FP_PAIR: Readonly<Record<number, string>> = {
  [0b001100]: 'fmaxnmp', [0b101100]: 'fminnmp', [0b001101]: 'faddp', [0b001111]: 'fmaxp', [0b101111]: 'fminp',
};

const spair = row({
  name: 'AdvSIMD scalar pairwise',
  mask: 0xdf3e0c00,
  match: 0x5e300800,
  op: 'S_PAIR',
  decode: (w) => ({ ...common(w), q: false, rm: 0, opc: bits(w, 16, 12) }),
  format(i) {
    if (i.u === 0) return i.opc === 0b11011 && i.size === 3 ? fmt('addp', `d${i.rd}, v${i.rn}.2d`) : undefined;
    const name = SCALAR_FP_PAIR[((i.size >> 1) << 5) | i.opc];
    if (name === undefined) return undefined;
    return fmt(name, i.size & 1 ? `d${i.rd}, v${i.rn}.2d` : `s${i.rd}, v${i.rn}.2s`);
  },
  encode: (i) => U(i) | SIZE(i) | (checkField(i.opc, 5, 'opcode') << 12) | RNRD(i),
});

// ---------------------------------------------------------------- permute, EXT, TBL/TBX

export const PERMUTE = [undefined, 'uzp1', 'trn1', 'zip1', undefined, 'uzp2', 'trn2', 'zip2'] as const;

const vperm = row({
  name: 'AdvSIMD permute',
  mask: 0xbf208c00,
  match: 0x0e000800,
  op: 'V_PERM',
  decode: (w) => ({ ...common(w), u: 0, opc: bits(w, 14, 12) }),
  format(i) {
    const name = PERMUTE[i.opc];
    if (name === undefined || (i.size === 3 && !i.q)) return undefined;
    return fmt(name, `${vreg(i.rd, i.size, i.q)}, ${vreg(i.rn, i.size, i.q)}, ${vreg(i.rm, i.size, i.q)}`);
  },
  encode: (i) => Q(i) | SIZE(i) | RM(i) | (checkField(i.opc, 3, 'opcode') << 12) | RNRD(i),
});

const vext = row({
  name: 'AdvSIMD extract (EXT)',
  mask: 0xbfe08400,
  match: 0x2e000000,
  op: 'V_EXT',
  decode: (w) => ({ ...common(w), u: 0, size: 0, imm: bits(w, 14, 11) }),
  format(i) {
    if (!i.q && i.imm >= 8) return undefined;
    const a = i.q ? '16b' : '8b';
    return fmt('ext', `v${i.rd}.${a}, v${i.rn}.${a}, v${i.rm}.${a}, #${i.imm}`);
  },
  encode: (i) => Q(i) | RM(i) | (checkField(i.imm, 4, 'index') << 11) | RNRD(i),
});

const vtbl = row({
  name: 'AdvSIMD table lookup (TBL/TBX)',
  mask: 0xbfe08c00,
  match: 0x0e000000,
  op: 'V_TBL',
  decode: (w) => ({ ...common(w), u: 0, size: 0, opc: bits(w, 12, 12), ra: bits(w, 14, 13) + 1 }),
  format(i) {
    const a = i.q ? '16b' : '8b';
    return fmt(i.opc ? 'tbx' : 'tbl', `v${i.rd}.${a}, ${regList(i.rn, i.ra, '16b')}, v${i.rm}.${a}`);
  },
  encode(i) {
    if (!Number.isInteger(i.ra) || i.ra < 1 || i.ra > 4) throw new EncodingError(`TBL/TBX take 1 to 4 table registers, not ${i.ra}`);
    return Q(i) | RM(i) | ((i.ra - 1) << 13) | (checkField(i.opc, 1, 'op') << 12) | RNRD(i);
  },
});

// ---------------------------------------------------------------- shift by immediate

/** U:opcode → name and kind: right shifts count down from 2 * esize, left up from esize. */
export const SHIFTS: Readonly<Record<number, [string, 'right' | 'left' | 'narrow' | 'long' | 'fixed']>> = {
  [0b000000]: ['sshr', 'right'], [0b100000]: ['ushr', 'right'], [0b000010]: ['ssra', 'right'], [0b100010]: ['usra', 'right'],
  [0b000100]: ['srshr', 'right'], [0b100100]: ['urshr', 'right'], [0b000110]: ['srsra', 'right'], [0b100110]: ['ursra', 'right'],
  [0b101000]: ['sri', 'right'], [0b001010]: ['shl', 'left'], [0b101010]: ['sli', 'left'],
  [0b101100]: ['sqshlu', 'left'], [0b001110]: ['sqshl', 'left'], [0b101110]: ['uqshl', 'left'],
  [0b010000]: ['shrn', 'narrow'], [0b010001]: ['rshrn', 'narrow'], [0b110000]: ['sqshrun', 'narrow'], [0b110001]: ['sqrshrun', 'narrow'],
  [0b010010]: ['sqshrn', 'narrow'], [0b010011]: ['sqrshrn', 'narrow'], [0b110010]: ['uqshrn', 'narrow'], [0b110011]: ['uqrshrn', 'narrow'],
  [0b010100]: ['sshll', 'long'], [0b110100]: ['ushll', 'long'],
  [0b011100]: ['scvtf', 'fixed'], [0b111100]: ['ucvtf', 'fixed'], [0b011111]: ['fcvtzs', 'fixed'], [0b111111]: ['fcvtzu', 'fixed'],
};
/** Scalar shifts: 'd' (D only), 'any' (any size), 'narrow' (to sizes 0-2), 'fixed' (S or D). */
const SCALAR_SHIFTS: Readonly<Record<number, 'd' | 'any' | 'narrow' | 'fixed'>> = {
  [0b000000]: 'd', [0b100000]: 'd', [0b000010]: 'd', [0b100010]: 'd', [0b101000]: 'd', [0b001010]: 'd', [0b101010]: 'd',
  [0b000100]: 'd', [0b100100]: 'd', [0b000110]: 'd', [0b100110]: 'd',
  [0b101100]: 'any', [0b001110]: 'any', [0b101110]: 'any',
  [0b110000]: 'narrow', [0b110001]: 'narrow', [0b010010]: 'narrow', [0b010011]: 'narrow', [0b110010]: 'narrow', [0b110011]: 'narrow',
  [0b011100]: 'fixed', [0b111100]: 'fixed', [0b011111]: 'fixed', [0b111111]: 'fixed',
};

export function shiftName(u: number, opc: number): string | undefined {
  return SHIFTS[(u << 5) | opc]?.[0];
}

/** log2 of the element size (0-3) from immh (bits 22:19), or -1 when immh is 0. */
export const shiftSize = (immhb: number): number => 31 - Math.clz32(immhb >>> 3);
/** The shift amount of immh:immb for `kind`. */
export function shiftAmount(kind: 'right' | 'left' | 'narrow' | 'long' | 'fixed', immhb: number): number {
  const esize = 8 << shiftSize(immhb);
  return kind === 'left' || kind === 'long' ? immhb - esize : 2 * esize - immhb;
}

function shiftRows(scalar: boolean): Encoding<SimdFp>[] {
  // One row per leading bit of immh, so none overlaps the modified-immediate class (immh = 0).
  return [0, 1, 2, 3].map((k) =>
    row({
      name: `AdvSIMD ${scalar ? 'scalar ' : ''}shift by immediate (immh ${['1xxx', '01xx', '001x', '0001'][k]})`,
      mask: (scalar ? 0xdf800400 : 0x9f800400) | (0x00780000 & ~((0x00400000 >>> k) - 1) & 0x00780000),
      match: (scalar ? 0x5f000400 : 0x0f000400) | (0x00400000 >>> k),
      op: scalar ? 'S_SHIFT' : 'V_SHIFT',
      keyless: k !== 0,
      base: scalar ? 0x5f000400 : 0x0f000400,
      decode: (w) => ({ ...common(w), q: scalar ? false : bits(w, 30, 30) === 1, size: 0, rm: 0, imm: bits(w, 22, 16), opc: bits(w, 15, 11) }),
      format(i) {
        const e = SHIFTS[(i.u << 5) | i.opc];
        const size = shiftSize(i.imm);
        if (e === undefined || size < 0) return undefined;
        const [name, kind] = e;
        const amount = `#${shiftAmount(kind, i.imm)}`;
        if (scalar) {
          const rule = SCALAR_SHIFTS[(i.u << 5) | i.opc];
          if (rule === undefined || (rule === 'd' && size !== 3) || (rule === 'narrow' && size === 3) || (rule === 'fixed' && size < 2)) return undefined;
          if (rule === 'narrow') return fmt(name, `${sreg(i.rd, size)}, ${sreg(i.rn, size + 1)}, ${amount}`);
          return fmt(name, `${sreg(i.rd, size)}, ${sreg(i.rn, size)}, ${amount}`);
        }
        if (kind === 'fixed' && size < 2) return undefined;
        if (kind === 'narrow') return size === 3 ? undefined : fmt(i.q ? `${name}2` : name, `${vreg(i.rd, size, i.q)}, ${vreg(i.rn, size + 1, true)}, ${amount}`);
        if (kind === 'long') {
          // SSHLL/USHLL #0 is SXTL/UXTL.
          if (size === 3) return undefined;
          const zero = shiftAmount(kind, i.imm) === 0;
          const mn = zero ? (i.u ? 'uxtl' : 'sxtl') : name;
          return fmt(i.q ? `${mn}2` : mn, `${vreg(i.rd, size + 1, true)}, ${vreg(i.rn, size, i.q)}${zero ? '' : `, ${amount}`}`);
        }
        if (size === 3 && !i.q) return undefined;
        return fmt(name, `${vreg(i.rd, size, i.q)}, ${vreg(i.rn, size, i.q)}, ${amount}`);
      },
      encode: (i) => {
        if (!Number.isInteger(i.imm) || i.imm < 8 || i.imm > 127) throw new EncodingError(`immh:immb ${i.imm} is not 8-127`);
        return Q(i) | U(i) | (i.imm << 16) | (checkField(i.opc, 5, 'opcode') << 11) | RNRD(i);
      },
    }),
  );
}

/** immh:immb for a shift of `amount` on elements of 8 << size bits; undefined when out of range. */
export function encodeShift(kind: 'right' | 'left' | 'narrow' | 'long' | 'fixed', size: number, amount: number): number | undefined {
  const esize = 8 << size;
  if (kind === 'left' || kind === 'long') return amount >= 0 && amount < esize ? esize + amount : undefined;
  return amount >= 1 && amount <= esize ? 2 * esize - amount : undefined;
}

// ---------------------------------------------------------------- copy

/** The element size of imm5 (its lowest set bit), or -1. */
export const copySize = (imm5: number): number => ((imm5 & 0xf) === 0 ? -1 : 31 - Math.clz32(imm5 & -imm5));

const vcopy = row({
  name: 'AdvSIMD copy (DUP, INS, UMOV, SMOV)',
  mask: 0x9fe08400,
  match: 0x0e000400,
  op: 'V_COPY',
  // imm = imm5 (bits 20:16) : imm4 (bits 14:11); opc = imm4. DUP (general) ignores imm5's index
  // bits and INS (element) imm4's bits below the element: they decode as GNU as encodes them, 0.
  decode(w) {
    const f = { ...common(w), size: 0, rm: 0, imm: (bits(w, 20, 16) << 4) | bits(w, 14, 11), opc: bits(w, 14, 11) };
    const size = copySize(f.imm >> 4);
    if (size >= 0 && f.u === 0 && f.opc === 0b0001) f.imm = (1 << (size + 4)) | 0b0001;
    if (size >= 0 && f.u === 1) f.imm &= ~((1 << size) - 1);
    f.opc = f.imm & 15;
    return f;
  },
  format(i) {
    const imm5 = i.imm >> 4;
    const imm4 = i.imm & 15;
    const size = copySize(imm5);
    if (size < 0) return undefined;
    const index = imm5 >> (size + 1);
    if (i.u === 1) {
      if (!i.q) return undefined;
      return fmt('mov', `${elem(i.rd, size, index)}, ${elem(i.rn, size, imm4 >> size)}`);
    }
    switch (imm4) {
      case 0b0000:
        return size === 3 && !i.q ? undefined : fmt('dup', `${vreg(i.rd, size, i.q)}, ${elem(i.rn, size, index)}`);
      case 0b0001:
        return size === 3 && !i.q ? undefined : fmt('dup', `${vreg(i.rd, size, i.q)}, ${regName(i.rn, size === 3)}`);
      case 0b0011:
        return i.q ? fmt('mov', `${elem(i.rd, size, index)}, ${regName(i.rn, size === 3)}`) : undefined;
      case 0b0101:
        if (i.q ? size > 2 : size > 1) return undefined;
        return fmt('smov', `${regName(i.rd, i.q)}, ${elem(i.rn, size, index)}`);
      case 0b0111:
        if (i.q ? size !== 3 : size > 2) return undefined;
        return fmt(size >= 2 ? 'mov' : 'umov', `${regName(i.rd, i.q)}, ${elem(i.rn, size, index)}`);
      default:
        return undefined;
    }
  },
  encode: (i) => Q(i) | U(i) | (checkField(i.imm, 9, 'imm5:imm4') >> 4 << 16) | ((i.imm & 15) << 11) | (checkField(i.rn, 5, 'Rn') << 5) | checkField(i.rd, 5, 'Rd'),
});

const scopy = row({
  name: 'AdvSIMD scalar copy (DUP element)',
  mask: 0xdfe08400,
  match: 0x5e000400,
  op: 'S_COPY',
  decode: (w) => ({ ...common(w), q: false, size: 0, rm: 0, imm: (bits(w, 20, 16) << 4) | bits(w, 14, 11) }),
  format(i) {
    const imm5 = i.imm >> 4;
    const size = copySize(imm5);
    if (i.u !== 0 || (i.imm & 15) !== 0 || size < 0) return undefined;
    return fmt('mov', `${sreg(i.rd, size)}, ${elem(i.rn, size, imm5 >> (size + 1))}`);
  },
  encode: (i) => U(i) | (checkField(i.imm, 9, 'imm5:imm4') >> 4 << 16) | ((i.imm & 15) << 11) | RNRD(i),
});

// ---------------------------------------------------------------- modified immediate

/** The 64-bit value of AdvSIMDExpandImm(op, cmode, imm8), as a bigint. */
export function expandImm(op: number, cmode: number, imm8: number): bigint {
  const rep = (v: bigint, width: number): bigint => {
    let out = 0n;
    for (let s = 0; s < 64; s += width) out |= v << BigInt(s);
    return out;
  };
  const b = BigInt(imm8);
  switch (cmode >> 1) {
    case 0: case 1: case 2: case 3:
      return rep(b << BigInt(8 * (cmode >> 1)), 32);
    case 4: case 5:
      return rep(b << BigInt(8 * ((cmode >> 1) & 1)), 16);
    case 6:
      return rep(cmode & 1 ? (b << 16n) | 0xffffn : (b << 8n) | 0xffn, 32);
    default:
      if ((cmode & 1) === 0) {
        if (op === 0) return rep(b, 8);
        let v = 0n;
        for (let k = 0; k < 8; k++) if ((imm8 >> k) & 1) v |= 0xffn << BigInt(8 * k);
        return v;
      }
      if (op === 0) return rep(BigInt(fpImm32(imm8)), 32);
      return fpImm64(imm8);
  }
}

/** VFPExpandImm for single precision: the float's bits. */
export function fpImm32(imm8: number): number {
  const sign = (imm8 >> 7) & 1;
  const b6 = (imm8 >> 6) & 1;
  const exp = ((b6 ^ 1) << 7) | (b6 ? 0x7c : 0) | ((imm8 >> 4) & 3);
  return ((sign << 31) | (exp << 23) | ((imm8 & 15) << 19)) >>> 0;
}
/** VFPExpandImm for double precision: the double's bits. */
export function fpImm64(imm8: number): bigint {
  const sign = BigInt((imm8 >> 7) & 1);
  const b6 = (imm8 >> 6) & 1;
  const exp = BigInt(((b6 ^ 1) << 10) | (b6 ? 0x3fc : 0) | ((imm8 >> 4) & 3));
  return (sign << 63n) | (exp << 52n) | (BigInt(imm8 & 15) << 48n);
}
/** The value of an 8-bit FP immediate: ±(16 + efgh) / 16 × 2^e, e = b ? cd - 3 : cd + 1. */
export function fpImmValue(imm8: number): number {
  const cd = (imm8 >> 4) & 3;
  const e = (imm8 >> 6) & 1 ? cd - 3 : cd + 1;
  return (imm8 & 0x80 ? -1 : 1) * ((16 + (imm8 & 15)) / 16) * 2 ** e;
}

/** objdump's `%.18e` of an FP immediate: `1.000000000000000000e+00`. */
export function fpImmText(v: number): string {
  return v.toExponential(18).replace(/e([+-])(\d)$/, 'e$10$2');
}

const hexImm = (v: bigint | number): string => `#0x${v.toString(16)}`;

const vmodimm = row({
  name: 'AdvSIMD modified immediate (MOVI, MVNI, ORR, BIC, FMOV)',
  mask: 0x9ff80c00,
  match: 0x0f000400,
  op: 'V_MODIMM',
  // opc = cmode; imm = abcdefgh.
  decode: (w) => ({ q: bits(w, 30, 30) === 1, u: bits(w, 29, 29), opc: bits(w, 15, 12), imm: (bits(w, 18, 16) << 5) | bits(w, 9, 5), rd: bits(w, 4, 0) }),
  format(i) {
    const c = i.opc;
    const imm = hexImm(i.imm);
    if (c < 8 || (c & 0xc) === 8) {
      // 32-bit (cmode 0xxx) or 16-bit (cmode 10xx) shifted immediates.
      const wide = c < 8;
      const shift = wide ? 8 * (c >> 1) : 8 * ((c >> 1) & 1);
      const orr = (c & 1) === 1;
      const name = orr ? (i.u ? 'bic' : 'orr') : i.u ? 'mvni' : 'movi';
      return fmt(name, `v${i.rd}.${wide ? (i.q ? '4s' : '2s') : i.q ? '8h' : '4h'}, ${imm}${shift ? `, lsl #${shift}` : ''}`);
    }
    if ((c & 0xe) === 0xc) return fmt(i.u ? 'mvni' : 'movi', `v${i.rd}.${i.q ? '4s' : '2s'}, ${imm}, msl #${c & 1 ? 16 : 8}`);
    if (c === 0xe) {
      if (i.u === 0) return fmt('movi', `v${i.rd}.${i.q ? '16b' : '8b'}, ${imm}`);
      const v = hexImm(expandImm(1, 0xe, i.imm));
      return fmt('movi', i.q ? `v${i.rd}.2d, ${v}` : `d${i.rd}, ${v}`);
    }
    if (i.u === 1 && !i.q) return undefined;
    return fmt('fmov', `v${i.rd}.${i.u ? '2d' : i.q ? '4s' : '2s'}, #${fpImmText(fpImmValue(i.imm))}`);
  },
  encode: (i) => Q(i) | U(i) | (checkField(i.imm, 8, 'imm8') >> 5 << 16) | (checkField(i.opc, 4, 'cmode') << 12) | ((i.imm & 31) << 5) | checkV(i.rd, 'Vd'),
});

export const SIMD_ROWS: readonly Encoding<SimdFp>[] = [v3same, s3same, v3diff, s3diff, elemRow(false), elemRow(true), v2misc, s2misc, vacross, spair, vperm, vext, vtbl, ...shiftRows(false), ...shiftRows(true), vcopy, scopy, vmodimm];
export { ELEMENT, arrangement };
