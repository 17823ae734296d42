/**
 * What the SIMD and FP rows share: the record's defaults, register and arrangement names as
 * objdump prints them, register lists, and field checks.
 */
import { ZR, type SimdFp, type SimdFpOp } from '../insn';
import { EncodingError } from './encoding';

/** A record with every field not given at its neutral value. */
export function simd(op: SimdFpOp, f: Partial<Omit<SimdFp, 'op'>>): SimdFp {
  return { op, q: false, u: 0, size: 0, opc: 0, rd: 0, rn: 0, rm: 0, ra: 0, imm: 0, sf: false, mode: 'offset', extend: 'lsl', scaled: false, ...f };
}

/** Arrangements by size * 2 + Q. */
export const ARRANGEMENTS = ['8b', '16b', '4h', '8h', '2s', '4s', '1d', '2d'] as const;
export const arrangement = (size: number, q: boolean): string => ARRANGEMENTS[size * 2 + (q ? 1 : 0)];
/** `v3.16b`. */
export const vreg = (n: number, size: number, q: boolean): string => `v${n}.${arrangement(size, q)}`;
/** Scalar register of 1 << size bytes: b, h, s, d, q. */
export const SCALAR = ['b', 'h', 's', 'd', 'q'] as const;
export const sreg = (n: number, size: number): string => `${SCALAR[size]}${n}`;
/** Element letters by size. */
export const ELEMENT = ['b', 'h', 's', 'd'] as const;
export const elem = (n: number, size: number, index: number): string => `v${n}.${ELEMENT[size]}[${index}]`;

/** `{v0.16b-v3.16b}` or `{v30.2d, v31.2d, v0.2d}`: objdump's ranges need 3+ registers without wrap-around. */
export function regList(first: number, count: number, suffix: string): string {
  if (count > 2 && first + count - 1 <= 31) return `{v${first}.${suffix}-v${first + count - 1}.${suffix}}`;
  return `{${Array.from({ length: count }, (_, i) => `v${(first + i) % 32}.${suffix}`).join(', ')}}`;
}

export function checkV(r: number, what: string): number {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new EncodingError(`${what}: SIMD&FP register number ${r} is not 0-31`);
  return r;
}

export function checkField(v: number, width: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** width) throw new EncodingError(`${what} ${v} does not fit in ${width} bits`);
  return v;
}

export { ZR };
