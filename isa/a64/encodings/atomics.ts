/**
 * ARMv8.1's Large System Extensions (FEAT_LSE): the atomic memory operations (LDADD, LDCLR,
 * LDEOR, LDSET, LD{S,U}{MAX,MIN}, SWP and their ST<op> aliases), CAS and CASP; and, in the same
 * space, ARMv8.3's LDAPR (FEAT_LRCPC) and ARMv8.7's LD64B/ST64B/ST64BV/ST64BV0 (FEAT_LS64). A
 * Cortex-A72 implements none of them: they decode and print as objdump does, and execute as
 * UNDEFINED (ID_AA64ISAR0_EL1.Atomic and ID_AA64ISAR1_EL1.LRCPC are 0, so software checks first).
 */
import { bits } from '../bits';
import type { AtomicMemOp, AtomicOpName, CompareSwap, CompareSwapPair, LoadAcquirePc, SingleCopy64 } from '../insn';
import { EncodingError, checkUnsigned, decSP, encSP, encZR, fmt, regName, type Encoding } from './encoding';

const ATOMIC_OPS: readonly AtomicOpName[] = ['ADD', 'CLR', 'EOR', 'SET', 'SMAX', 'SMIN', 'UMAX', 'UMIN'];

/** `a`, `l`, `al` or nothing: the ordering suffix of acquire/release forms. */
export const orderSuffix = (acquire: boolean, release: boolean): string => (acquire ? 'a' : '') + (release ? 'l' : '');
/** `b`, `h` or nothing: the size suffix of byte and halfword forms. */
export const sizeSuffix = (size: number): string => (size === 0 ? 'b' : size === 1 ? 'h' : '');

const memOperand = (rn: number): string => `[${regName(rn, true)}]`;

function checkSize(size: number): number {
  if (size !== 0 && size !== 1 && size !== 2 && size !== 3) throw new EncodingError(`access size ${size} is not 0-3`);
  return size;
}

/** ST<op>: objdump's alias of LD<op> without acquire, with Rt = ZR (not for SWP). */
export function isStoreAlias(i: AtomicMemOp): boolean {
  return i.atomic !== 'SWP' && !i.acquire && i.rt === 31;
}

export function atomicMnemonic(i: AtomicMemOp): string {
  const order = orderSuffix(i.acquire, i.release);
  if (i.atomic === 'SWP') return `swp${order}${sizeSuffix(i.size)}`;
  return `${isStoreAlias(i) ? 'st' : 'ld'}${i.atomic.toLowerCase()}${order}${sizeSuffix(i.size)}`;
}

/** FEAT_LS64 by o3:opc (size 11, A = R = 0); LD64B and ST64B have Rs = 11111. */
const LS64: ReadonlyMap<number, SingleCopy64['op']> = new Map([[9, 'ST64B'], [10, 'ST64BV0'], [11, 'ST64BV'], [13, 'LD64B']]);

/**
 * size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt: LD<op> (o3 = 0), SWP (o3:opc = 1000), LDAPR (1100),
 * and the LS64 ones (1001, 1010, 1011, 1101).
 */
export const atomicMemOp: Encoding<AtomicMemOp | LoadAcquirePc | SingleCopy64> = {
  name: 'atomic memory operations (FEAT_LSE), LDAPR (FEAT_LRCPC), LS64 (FEAT_LS64)',
  mask: 0x3f200c00,
  match: 0x38200000,
  keys: ['LSE_ATOMIC', 'LDAPR', 'LD64B', 'ST64B', 'ST64BV', 'ST64BV0'],
  decode(w) {
    const size = bits(w, 31, 30) as 0 | 1 | 2 | 3;
    const [acquire, release] = [bits(w, 23, 23) === 1, bits(w, 22, 22) === 1];
    const [rs, o3, opc, rn, rt] = [bits(w, 20, 16), bits(w, 15, 15), bits(w, 14, 12), bits(w, 9, 5), bits(w, 4, 0)];
    if (o3 === 0) return { op: 'LSE_ATOMIC', word: w, atomic: ATOMIC_OPS[opc], size, acquire, release, rs, rt, rn: decSP(rn) };
    if (opc === 0) return { op: 'LSE_ATOMIC', word: w, atomic: 'SWP', size, acquire, release, rs, rt, rn: decSP(rn) };
    if (opc === 4 && acquire && !release && rs === 31) return { op: 'LDAPR', word: w, size, rt, rn: decSP(rn) };
    const ls64 = LS64.get((o3 << 3) | opc);
    if (ls64 === undefined || size !== 3 || acquire || release || ((ls64 === 'LD64B' || ls64 === 'ST64B') && rs !== 31)) return undefined;
    return { op: ls64, word: w, rs, rt, rn: decSP(rn) };
  },
  format(i) {
    if (i.op !== 'LSE_ATOMIC' && i.op !== 'LDAPR') {
      const rs = i.op === 'ST64BV' || i.op === 'ST64BV0' ? `${regName(i.rs, true)}, ` : '';
      return fmt(i.op.toLowerCase(), `${rs}${regName(i.rt, true)}, ${memOperand(i.rn)}`);
    }
    const w = i.size === 3;
    if (i.op === 'LDAPR') return fmt(`ldapr${sizeSuffix(i.size)}`, `${regName(i.rt, w)}, ${memOperand(i.rn)}`);
    const m = atomicMnemonic(i);
    if (isStoreAlias(i)) return fmt(m, `${regName(i.rs, w)}, ${memOperand(i.rn)}`);
    return fmt(m, `${regName(i.rs, w)}, ${regName(i.rt, w)}, ${memOperand(i.rn)}`);
  },
  encode(i) {
    const rn = encSP(i.rn, true, 'Rn') << 5;
    const rt = encZR(i.rt, true, 'Rt');
    if (i.op !== 'LSE_ATOMIC' && i.op !== 'LDAPR') {
      const o3opc = [...LS64].find(([, op]) => op === i.op)![0];
      const rs = i.op === 'LD64B' || i.op === 'ST64B' ? 31 : encZR(i.rs, true, 'Rs');
      return (0xf8200000 | (rs << 16) | (o3opc << 12) | rn | rt) >>> 0;
    }
    const base = 0x38200000 | (checkSize(i.size) << 30);
    if (i.op === 'LDAPR') return (base | (1 << 23) | (31 << 16) | (0xc << 12) | rn | rt) >>> 0;
    const o3opc = i.atomic === 'SWP' ? 8 : ATOMIC_OPS.indexOf(i.atomic);
    if (o3opc < 0) throw new EncodingError(`${String(i.atomic)} is not an atomic memory operation`);
    return (base | (i.acquire ? 1 << 23 : 0) | (i.release ? 1 << 22 : 0) | (encZR(i.rs, true, 'Rs') << 16) | (o3opc << 12) | rn | rt) >>> 0;
  },
};

/** size 001000 1 L 1 Rs o0 11111 Rn Rt. */
export const compareSwap: Encoding<CompareSwap> = {
  name: 'compare and swap (FEAT_LSE)',
  mask: 0x3fa07c00,
  match: 0x08a07c00,
  keys: ['CAS'],
  decode(w) {
    return { op: 'CAS', word: w, size: bits(w, 31, 30) as 0 | 1 | 2 | 3, acquire: bits(w, 22, 22) === 1, release: bits(w, 15, 15) === 1, rs: bits(w, 20, 16), rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)) };
  },
  format(i) {
    const w = i.size === 3;
    return fmt(`cas${orderSuffix(i.acquire, i.release)}${sizeSuffix(i.size)}`, `${regName(i.rs, w)}, ${regName(i.rt, w)}, ${memOperand(i.rn)}`);
  },
  encode(i) {
    return (0x08a07c00 | (checkSize(i.size) << 30) | (i.acquire ? 1 << 22 : 0) | (i.release ? 1 << 15 : 0) | (encZR(i.rs, true, 'Rs') << 16) | (encSP(i.rn, true, 'Rn') << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
  },
};

function evenReg(r: number, what: string): number {
  checkUnsigned(r, 5, what);
  if (r % 2 !== 0 || r === 31) throw new EncodingError(`${what} of CASP must be an even register (x0, x2, ... x30), not ${r}`);
  return r;
}

/** 0 sz 001000 0 L 1 Rs o0 11111 Rn Rt; Rs and Rt odd are unallocated. */
export const compareSwapPair: Encoding<CompareSwapPair> = {
  name: 'compare and swap pair (FEAT_LSE)',
  mask: 0xbfa07c00,
  match: 0x08207c00,
  keys: ['CASP'],
  decode(w) {
    const [rs, rt] = [bits(w, 20, 16), bits(w, 4, 0)];
    if (rs % 2 !== 0 || rt % 2 !== 0) return undefined;
    return { op: 'CASP', word: w, sf: bits(w, 30, 30) === 1, acquire: bits(w, 22, 22) === 1, release: bits(w, 15, 15) === 1, rs, rt, rn: decSP(bits(w, 9, 5)) };
  },
  format(i) {
    const r = (n: number) => regName(n, i.sf);
    return fmt(`casp${orderSuffix(i.acquire, i.release)}`, `${r(i.rs)}, ${r(i.rs + 1)}, ${r(i.rt)}, ${r(i.rt + 1)}, ${memOperand(i.rn)}`);
  },
  encode(i) {
    return (0x08207c00 | (i.sf ? 1 << 30 : 0) | (i.acquire ? 1 << 22 : 0) | (i.release ? 1 << 15 : 0) | (evenReg(i.rs, 'Rs') << 16) | (encSP(i.rn, true, 'Rn') << 5) | evenReg(i.rt, 'Rt')) >>> 0;
  },
};
