/** Bit-level helpers shared by the decoder, the encoder and the assembler. */

export const MASK64 = (1n << 64n) - 1n;

/** Bits [hi:lo] of a 32-bit word, unsigned. */
export function bits(word: number, hi: number, lo: number): number {
  return (word >>> lo) & (hi - lo === 31 ? 0xffffffff : (1 << (hi - lo + 1)) - 1);
}

/** Sign-extends the low `width` bits of `v` (width <= 32). */
export function signExtend(v: number, width: number): number {
  const shift = 32 - width;
  return (v << shift) >> shift;
}

/** True when `v` is an integer that fits a signed field of `width` bits. */
export function fitsSigned(v: number, width: number): boolean {
  return Number.isInteger(v) && v >= -(2 ** (width - 1)) && v < 2 ** (width - 1);
}

export function fitsUnsigned(v: number, width: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < 2 ** width;
}

export function hex(v: number | bigint): string {
  return v < 0 ? '-0x' + (-BigInt(v)).toString(16) : '0x' + v.toString(16);
}

/** Unsigned 64-bit value from two 32-bit halves. */
export function join64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Signed value of the low `width` (32 or 64) bits of `v`. */
export function toSigned(v: bigint, width: 32 | 64): bigint {
  return BigInt.asIntN(width, v);
}

function ones(n: number): bigint {
  return (1n << BigInt(n)) - 1n;
}

function ror(v: bigint, r: number, esize: number): bigint {
  if (r === 0) return v;
  const m = ones(esize);
  return ((v >> BigInt(r)) | (v << BigInt(esize - r))) & m;
}

function replicate(v: bigint, esize: number, datasize: number): bigint {
  let out = 0n;
  for (let i = 0; i < datasize; i += esize) out |= v << BigInt(i);
  return out;
}

/**
 * The architecture's DecodeBitMasks(N, imms, immr, immediate, M): `wmask` and `tmask` of
 * `datasize` bits, or undefined for a reserved encoding.
 */
export function decodeBitMasks(n: number, imms: number, immr: number, immediate: boolean, datasize: 32 | 64): { wmask: bigint; tmask: bigint } | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return undefined;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return undefined;
  const esize = 1 << len;
  if (esize > datasize) return undefined;
  const levels = esize - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const s = imms & levels;
  const r = immr & levels;
  const diff = (s - r) & levels;
  const welem = ones(s + 1);
  const telem = ones(diff + 1);
  return { wmask: replicate(ror(welem, r, esize), esize, datasize), tmask: replicate(telem, esize, datasize) };
}

/** N:immr:imms packed as 13 bits, the layout of the encoding (bits 22:10). */
const logicImmCache32 = new Map<number, [number, number] | null>();
const logicImmCache64 = new Map<number, [number, number] | null>();

/** The value of a logical immediate as [lo, hi] 32-bit halves, or undefined if reserved. */
export function decodeLogicImm(n: number, immr: number, imms: number, sf: boolean): [number, number] | undefined {
  const key = (n << 12) | (immr << 6) | imms;
  const cache = sf ? logicImmCache64 : logicImmCache32;
  let v = cache.get(key);
  if (v === undefined) {
    const m = sf || n === 0 ? decodeBitMasks(n, imms, immr, true, sf ? 64 : 32) : undefined;
    v = m === undefined ? null : [Number(m.wmask & 0xffffffffn), Number(m.wmask >> 32n)];
    cache.set(key, v);
  }
  return v ?? undefined;
}

let encode64: Map<bigint, number> | undefined;
let encode32: Map<bigint, number> | undefined;

/**
 * Encodes `value` (unsigned, `datasize` bits) as a logical immediate: N:immr:imms packed in 13
 * bits as in the instruction, or undefined when it is not a bitmask immediate. The encoding of a
 * valid value is unique.
 */
export function encodeLogicImm(value: bigint, datasize: 32 | 64): number | undefined {
  if (encode64 === undefined || encode32 === undefined) {
    encode64 = new Map();
    encode32 = new Map();
    for (let n = 0; n < 2; n++)
      for (let immr = 0; immr < 64; immr++)
        for (let imms = 0; imms < 64; imms++) {
          const code = (n << 12) | (immr << 6) | imms;
          const m64 = decodeBitMasks(n, imms, immr, true, 64);
          // Bits of immr above the element size are ignored; keep the canonical (smallest) immr.
          if (m64 !== undefined && !encode64.has(m64.wmask)) encode64.set(m64.wmask, code);
          if (n === 0) {
            const m32 = decodeBitMasks(n, imms, immr, true, 32);
            if (m32 !== undefined && !encode32.has(m32.wmask)) encode32.set(m32.wmask, code);
          }
        }
  }
  return (datasize === 64 ? encode64 : encode32).get(value);
}
