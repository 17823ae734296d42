/**
 * The Arm ARM's "Load/store exclusive" class (ARMv8.0: LDXR/STXR, LDAXR/STLXR and their byte and
 * halfword forms, the pairs LDXP/STXP/LDAXP/STLXP, and LDAR/STLR), and CLREX, which clears the
 * exclusive monitor these use (it sits in the system class, but is part of the same story).
 *
 * Fields that must be ones (Rs of the loads, Rt2 of the single-register forms) are ignored where
 * GNU objdump (binutils 2.40) ignores them (the exclusives, STLR) and required where it requires
 * them (LDAR), so every word disassembles as objdump does. The ARMv8.1 encodings of this class (LDLAR/STLLR, CAS,
 * CASP) are unallocated here.
 */
import { hex, bits } from '../bits';
import { ZR, type ClearExclusive, type LoadStoreExclusive } from '../insn';
import { EncodingError, checkUnsigned, decSP, encSP, encZR, fmt, regName, type Encoding } from './encoding';

type ExclusiveOp = LoadStoreExclusive['op'];

const PAIRS: ReadonlySet<ExclusiveOp> = new Set(['LDXP', 'LDAXP', 'STXP', 'STLXP']);
const STATUS: ReadonlySet<ExclusiveOp> = new Set(['STXR', 'STLXR', 'STXP', 'STLXP']);

export const isExclusivePair = (op: ExclusiveOp): boolean => PAIRS.has(op);
/** The store exclusives, which write a status register. */
export const hasStatus = (op: ExclusiveOp): boolean => STATUS.has(op);

/**
 * The fields `op` ignores (its must-be-ones Rs or Rt2, which encode writes as ones): a decoded word
 * re-encodes to itself but for these bits.
 */
export function ignoredBits(op: ExclusiveOp): number {
  if (op === 'LDAR') return 0;
  return (STATUS.has(op) ? 0 : 0x1f0000) | (PAIRS.has(op) ? 0 : 0x7c00);
}

/** o2:L:o1:o0 of each op. */
const BITS: Readonly<Record<ExclusiveOp, number>> = {
  STXR: 0b0000,
  STLXR: 0b0001,
  LDXR: 0b0100,
  LDAXR: 0b0101,
  STXP: 0b0010,
  STLXP: 0b0011,
  LDXP: 0b0110,
  LDAXP: 0b0111,
  STLR: 0b1001,
  LDAR: 0b1101,
};
const BY_BITS = new Map<number, ExclusiveOp>(Object.entries(BITS).map(([op, b]) => [b, op as ExclusiveOp]));

/**
 * The class's decode, format and encode; its rows (below) cover the parts of the class these
 * ops live in, leaving CAS (o2 = o1 = 1) and CASP (a pair with size 0x) to their ARMv8.1 rows.
 */
const exclusiveClass: Encoding<LoadStoreExclusive> = {
  name: 'load/store exclusive, load-acquire/store-release',
  mask: 0x3f000000,
  match: 0x08000000,
  keys: Object.keys(BITS),
  decode(w) {
    const size = bits(w, 31, 30) as LoadStoreExclusive['size'];
    const op = BY_BITS.get((bits(w, 23, 22) << 2) | (bits(w, 21, 21) << 1) | bits(w, 15, 15));
    if (op === undefined) return undefined;
    const rs = bits(w, 20, 16);
    const rt2 = bits(w, 14, 10);
    if (PAIRS.has(op) && size < 2) return undefined;
    if (op === 'LDAR' && (rs !== 31 || rt2 !== 31)) return undefined;
    return { op, word: w, size, rs: STATUS.has(op) ? rs : ZR, rt: bits(w, 4, 0), rt2: PAIRS.has(op) ? rt2 : ZR, rn: decSP(bits(w, 9, 5)) };
  },
  format(i) {
    const sf = i.size === 3;
    const suffix = PAIRS.has(i.op) ? '' : i.size === 0 ? 'b' : i.size === 1 ? 'h' : '';
    const regs = [...(STATUS.has(i.op) ? [regName(i.rs, false)] : []), regName(i.rt, sf), ...(PAIRS.has(i.op) ? [regName(i.rt2, sf)] : [])];
    return fmt(i.op.toLowerCase() + suffix, `${regs.join(', ')}, [${regName(i.rn, true)}]`);
  },
  encode(i) {
    const b = BITS[i.op];
    if (b === undefined) throw new EncodingError(`${String(i.op)} is not a load/store exclusive`);
    if (i.size !== 0 && i.size !== 1 && i.size !== 2 && i.size !== 3) throw new EncodingError(`access size ${i.size} is not 0-3`);
    if (PAIRS.has(i.op) && i.size < 2) throw new EncodingError(`${i.op} pairs two W (size 2) or two X (size 3) registers`);
    const sf = i.size === 3;
    const rs = STATUS.has(i.op) ? encZR(i.rs, false, 'status register') : 31;
    const rt2 = PAIRS.has(i.op) ? encZR(i.rt2, sf, 'Rt2') : 31;
    const fields = ((b >> 2) << 22) | (((b >> 1) & 1) << 21) | ((b & 1) << 15);
    return ((i.size << 30) | 0x08000000 | fields | (rs << 16) | (rt2 << 10) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, sf, 'Rt')) >>> 0;
  },
};

const row = (name: string, mask: number, match: number, ops: readonly ExclusiveOp[]): Encoding<LoadStoreExclusive> => ({ ...exclusiveClass, name, mask, match, keys: ops });

/** o2 = 0, o1 = 0: LDXR, STXR, LDAXR, STLXR of every size. */
const exclusiveRegister = row('load/store exclusive register', 0x3fa00000, 0x08000000, ['LDXR', 'STXR', 'LDAXR', 'STLXR']);
/** o2 = 0, o1 = 1 with size 1x: LDXP, STXP, LDAXP, STLXP of W and X pairs. */
const exclusivePair = row('load/store exclusive pair', 0xbfa00000, 0x88200000, ['LDXP', 'STXP', 'LDAXP', 'STLXP']);
/** o2 = 1, o1 = 0: LDAR, STLR (and ARMv8.1's LDLAR/STLLR, decoded as UNDEFINED). */
const acquireRelease = row('load-acquire/store-release register', 0x3fa00000, 0x08800000, ['LDAR', 'STLR']);

/** The rows of the class, for the table. */
export const loadStoreExclusiveRows: readonly Encoding<LoadStoreExclusive>[] = [exclusiveRegister, exclusivePair, acquireRelease];
/** The class as one encoding (its keys are every op): what tests of the class ask. */
export const loadStoreExclusive = exclusiveClass;

export const clearExclusive: Encoding<ClearExclusive> = {
  name: 'CLREX',
  mask: 0xfffff0ff,
  match: 0xd503305f,
  keys: ['CLREX'],
  decode: (w) => ({ op: 'CLREX', word: w, imm: bits(w, 11, 8) }),
  format: (i) => (i.imm === 15 ? 'clrex' : fmt('clrex', `#${hex(i.imm)}`)),
  encode: (i) => (0xd503305f | (checkUnsigned(i.imm, 4, 'CLREX option') << 8)) >>> 0,
};
