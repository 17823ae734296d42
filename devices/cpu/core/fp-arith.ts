/**
 * IEEE 754 arithmetic as the Arm ARM's FP pseudocode defines it (FPUnpack, FPRound,
 * FPProcessNaNs, FPMulAdd...), exactly, on BigInt significands: every result is computed
 * exactly (or with a sticky bit past enough guard bits) and rounded once, under FPCR's rounding
 * mode, FZ (flush-to-zero of denormal inputs and tiny results) and DN (default NaN), raising
 * FPSR's cumulative flags. Values are the raw bits (bigint) of half, single or double.
 */

/** FPSR cumulative flags. */
export const IOC = 1;
export const DZC = 2;
export const OFC = 4;
export const UFC = 8;
export const IXC = 16;
export const IDC = 128;

/** Rounding: FPCR.RMode's 0 RN, 1 RP, 2 RM, 3 RZ, 4 ties-away (FCVTA*, FRINTA), 5 to odd (FCVTXN). */
export type Rounding = 0 | 1 | 2 | 3 | 4 | 5;

interface Format {
  width: number;
  /** Significand bits including the hidden one. */
  p: number;
  ebits: number;
  emin: number;
  emax: number;
}
export const HALF: Format = { width: 16, p: 11, ebits: 5, emin: -14, emax: 15 };
export const SINGLE: Format = { width: 32, p: 24, ebits: 8, emin: -126, emax: 127 };
export const DOUBLE: Format = { width: 64, p: 53, ebits: 11, emin: -1022, emax: 1023 };
/** By FP type field: 0 single, 1 double, 3 half. */
const BY_TYPE: readonly Format[] = [SINGLE, DOUBLE, SINGLE, HALF];

const enum K {
  ZERO,
  NUM,
  INF,
  QNAN,
  SNAN,
}

/** An unpacked operand: value (-1)^s * m * 2^e for NUM. */
interface Val {
  k: K;
  s: number;
  m: bigint;
  e: number;
  bits: bigint;
  f: Format;
}

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export class FpUnit {
  fpcr = 0;
  flags = 0;

  private get fz(): boolean {
    return ((this.fpcr >>> 24) & 1) === 1;
  }
  private get dn(): boolean {
    return ((this.fpcr >>> 25) & 1) === 1;
  }
  private get rmode(): Rounding {
    return ((this.fpcr >>> 22) & 3) as Rounding;
  }

  unpack(bits: bigint, f: Format): Val {
    const fb = f.p - 1;
    const frac = bits & ((1n << BigInt(fb)) - 1n);
    const exp = Number((bits >> BigInt(fb)) & ((1n << BigInt(f.ebits)) - 1n));
    const s = Number((bits >> BigInt(f.width - 1)) & 1n);
    const v: Val = { k: K.ZERO, s, m: 0n, e: 0, bits, f };
    if (exp === 0) {
      if (frac === 0n) return v;
      // FZ flushes single and double denormals (not half: that is FZ16's, absent on ARMv8.0).
      if (this.fz && f.width !== 16) {
        this.flags |= IDC;
        return v;
      }
      return { ...v, k: K.NUM, m: frac, e: f.emin - fb };
    }
    if (exp === (1 << f.ebits) - 1) {
      if (frac === 0n) return { ...v, k: K.INF };
      return { ...v, k: (frac >> BigInt(fb - 1)) & 1n ? K.QNAN : K.SNAN };
    }
    return { ...v, k: K.NUM, m: frac | (1n << BigInt(fb)), e: exp - ((1 << (f.ebits - 1)) - 1) - fb };
  }

  private zero(s: number, f: Format): bigint {
    return BigInt(s) << BigInt(f.width - 1);
  }
  private inf(s: number, f: Format): bigint {
    return this.zero(s, f) | (((1n << BigInt(f.ebits)) - 1n) << BigInt(f.p - 1));
  }
  private maxNormal(s: number, f: Format): bigint {
    return this.zero(s, f) | ((((1n << BigInt(f.ebits)) - 2n) << BigInt(f.p - 1)) | ((1n << BigInt(f.p - 1)) - 1n));
  }
  defaultNaN(f: Format): bigint {
    return this.inf(0, f) | (1n << BigInt(f.p - 2));
  }
  private quiet(v: Val): bigint {
    return this.dn ? this.defaultNaN(v.f) : v.bits | (1n << BigInt(v.f.p - 2));
  }
  private invalid(f: Format): bigint {
    this.flags |= IOC;
    return this.defaultNaN(f);
  }

  /** FPRound: (-1)^s * m * 2^e to format f under `rm`. */
  round(s: number, m: bigint, e: number, f: Format, rm: Rounding = this.rmode): bigint {
    if (m === 0n) return this.zero(s, f);
    const E = e + bitLength(m) - 1;
    if (this.fz && f.width !== 16 && E < f.emin) {
      this.flags |= UFC;
      return this.zero(s, f);
    }
    const qexp = Math.max(E, f.emin) - (f.p - 1);
    const shift = qexp - e;
    let q: bigint;
    let cmp = 0; // remainder against half an ulp: -2 none, -1 below, 0 exactly half, 1 above
    let inexact = false;
    if (shift <= 0) {
      q = m << BigInt(-shift);
    } else {
      q = m >> BigInt(shift);
      const r = m - (q << BigInt(shift));
      inexact = r !== 0n;
      const half = 1n << BigInt(shift - 1);
      cmp = r < half ? -1 : r === half ? 0 : 1;
    }
    let up = false;
    if (inexact) {
      switch (rm) {
        case 0: up = cmp > 0 || (cmp === 0 && (q & 1n) === 1n); break;
        case 4: up = cmp >= 0; break;
        case 1: up = s === 0; break;
        case 2: up = s === 1; break;
        default: up = false;
      }
    }
    if (up) q += 1n;
    if (rm === 5 && inexact) q |= 1n;
    let qe = qexp;
    if (q >= 1n << BigInt(f.p)) {
      q >>= 1n;
      qe += 1;
    }
    const normal = q >= 1n << BigInt(f.p - 1);
    if (normal && qe + f.p - 1 > f.emax) {
      this.flags |= OFC | IXC;
      const toInf = rm === 0 || rm === 4 || (rm === 1 && s === 0) || (rm === 2 && s === 1);
      return toInf ? this.inf(s, f) : this.maxNormal(s, f);
    }
    if (inexact) {
      this.flags |= IXC;
      if (E < f.emin) this.flags |= UFC;
    }
    const bias = (1 << (f.ebits - 1)) - 1;
    const biased = normal ? BigInt(qe + f.p - 1 + bias) : 0n;
    const frac = normal ? q - (1n << BigInt(f.p - 1)) : q;
    return this.zero(s, f) | (biased << BigInt(f.p - 1)) | frac;
  }

  /** FPProcessNaNs over operands in priority order: a signalling NaN first, then a quiet one. */
  private nans(...vs: Val[]): bigint | undefined {
    const sn = vs.find((v) => v.k === K.SNAN);
    if (sn !== undefined) {
      this.flags |= IOC;
      return this.quiet(sn);
    }
    const qn = vs.find((v) => v.k === K.QNAN);
    return qn === undefined ? undefined : this.quiet(qn);
  }

  /** Exact a + b (both ZERO or NUM) rounded; `zs` the sign of an exact zero from unlike signs. */
  private addExact(as: number, am: bigint, ae: number, bs: number, bm: bigint, be: number, f: Format): bigint {
    if (am === 0n && bm === 0n) return this.zero(as === bs ? as : this.rmode === 2 ? 1 : 0, f);
    if (am === 0n) return this.round(bs, bm, be, f);
    if (bm === 0n) return this.round(as, am, ae, f);
    const e = Math.min(ae, be);
    const x = (as ? -1n : 1n) * (am << BigInt(ae - e));
    const y = (bs ? -1n : 1n) * (bm << BigInt(be - e));
    const sum = x + y;
    if (sum === 0n) return this.zero(this.rmode === 2 ? 1 : 0, f);
    return this.round(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, f);
  }

  private add(a: Val, b: Val, f: Format): bigint {
    const n = this.nans(a, b);
    if (n !== undefined) return n;
    if (a.k === K.INF && b.k === K.INF) return a.s === b.s ? this.inf(a.s, f) : this.invalid(f);
    if (a.k === K.INF) return this.inf(a.s, f);
    if (b.k === K.INF) return this.inf(b.s, f);
    return this.addExact(a.s, a.m, a.e, b.s, b.m, b.e, f);
  }

  private mul(a: Val, b: Val, f: Format): bigint {
    const n = this.nans(a, b);
    if (n !== undefined) return n;
    const s = a.s ^ b.s;
    if ((a.k === K.INF && b.k === K.ZERO) || (a.k === K.ZERO && b.k === K.INF)) return this.invalid(f);
    if (a.k === K.INF || b.k === K.INF) return this.inf(s, f);
    if (a.k === K.ZERO || b.k === K.ZERO) return this.zero(s, f);
    return this.round(s, a.m * b.m, a.e + b.e, f);
  }

  private div(a: Val, b: Val, f: Format): bigint {
    const n = this.nans(a, b);
    if (n !== undefined) return n;
    const s = a.s ^ b.s;
    if ((a.k === K.INF && b.k === K.INF) || (a.k === K.ZERO && b.k === K.ZERO)) return this.invalid(f);
    if (a.k === K.INF) return this.inf(s, f);
    if (b.k === K.INF || a.k === K.ZERO) return this.zero(s, f);
    if (b.k === K.ZERO) {
      this.flags |= DZC;
      return this.inf(s, f);
    }
    const k = Math.max(0, f.p + 3 + bitLength(b.m) - bitLength(a.m));
    const num = a.m << BigInt(k);
    const q = num / b.m;
    const sticky = q * b.m !== num ? 1n : 0n;
    return this.round(s, (q << 1n) | sticky, a.e - b.e - k - 1, f);
  }

  private sqrt(a: Val, f: Format): bigint {
    const n = this.nans(a);
    if (n !== undefined) return n;
    if (a.k === K.ZERO) return this.zero(a.s, f); // a flushed denormal too
    if (a.s === 1) return this.invalid(f);
    if (a.k === K.INF) return a.bits;
    let m = a.m;
    let e = a.e;
    if (e & 1) {
      m <<= 1n;
      e -= 1;
    }
    const k = f.p + 3;
    const x = m << BigInt(2 * k);
    const r = isqrt(x);
    const sticky = r * r !== x ? 1n : 0n;
    return this.round(0, (r << 1n) | sticky, (e - 2 * k) / 2 - 1, f);
  }

  /** -1, 0, 1 for a < b, a == b, a > b (ZERO, NUM, INF only). */
  private cmp(a: Val, b: Val): number {
    const key = (v: Val): [number, bigint, number] => [v.k === K.ZERO ? 0 : v.s ? -1 : 1, v.m, v.e];
    const [sa] = key(a);
    const [sb] = key(b);
    if (a.k === K.INF || b.k === K.INF) {
      const ia = a.k === K.INF ? (a.s ? -2 : 2) : 0;
      const ib = b.k === K.INF ? (b.s ? -2 : 2) : 0;
      if (ia !== 0 || ib !== 0) {
        if (ia === ib) return 0;
        if (ia !== 0 && ib !== 0) return ia < ib ? -1 : 1;
        if (ia !== 0) return ia < 0 ? -1 : 1;
        return ib < 0 ? 1 : -1;
      }
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    const e = Math.min(a.e, b.e);
    const x = a.m << BigInt(a.e - e);
    const y = b.m << BigInt(b.e - e);
    const mag = x === y ? 0 : x < y ? -1 : 1;
    return sa < 0 ? -mag : mag;
  }

  private repack(v: Val, f: Format, rm: Rounding = this.rmode): bigint {
    if (v.k === K.ZERO) return this.zero(v.s, f);
    if (v.k === K.INF) return this.inf(v.s, f);
    return this.round(v.s, v.m, v.e, f, rm);
  }

  private minMax(a: Val, b: Val, f: Format, max: boolean, numeric: boolean): bigint {
    if (numeric) {
      // FPMaxNum/FPMinNum: a quiet NaN against a number loses.
      const loser = (s: number): Val => ({ k: K.INF, s, m: 0n, e: 0, bits: this.inf(s, f), f });
      if (a.k === K.QNAN && b.k !== K.QNAN && b.k !== K.SNAN) a = loser(max ? 1 : 0);
      else if (b.k === K.QNAN && a.k !== K.QNAN && a.k !== K.SNAN) b = loser(max ? 1 : 0);
    }
    const n = this.nans(a, b);
    if (n !== undefined) return n;
    if (a.k === K.ZERO && b.k === K.ZERO) return this.zero(max ? a.s & b.s : a.s | b.s, f);
    const c = this.cmp(a, b);
    return this.repack(max ? (c > 0 ? a : b) : c < 0 ? a : b, f);
  }

  // ---------------------------------------------------------------- the instructions

  /** FMUL FDIV FADD FSUB FMAX FMIN FMAXNM FMINNM FNMUL by opcode. */
  binary(opc: number, x: bigint, y: bigint, dbl: boolean): bigint {
    const f = dbl ? DOUBLE : SINGLE;
    const a = this.unpack(x, f);
    const b = this.unpack(y, f);
    switch (opc) {
      case 0: return this.mul(a, b, f);
      case 1: return this.div(a, b, f);
      case 2: return this.add(a, b, f);
      case 3: {
        // FPSub: NaNs are the operands' own; only a number's sign flips.
        const n = this.nans(a, b);
        return n ?? this.add(a, { ...b, s: b.s ^ 1 }, f);
      }
      case 4: return this.minMax(a, b, f, true, false);
      case 5: return this.minMax(a, b, f, false, false);
      case 6: return this.minMax(a, b, f, true, true);
      case 7: return this.minMax(a, b, f, false, true);
      default: return this.mul(a, b, f) ^ (1n << BigInt(f.width - 1));
    }
  }

  /** FMADD (0), FMSUB (1), FNMADD (2), FNMSUB (3): Ra ± Rn * Rm, rounded once. */
  fused(kind: number, n: bigint, m: bigint, a: bigint, dbl: boolean): bigint {
    const f = dbl ? DOUBLE : SINGLE;
    const sign = 1n << BigInt(f.width - 1);
    if (kind === 1 || kind === 2) n ^= sign;
    if (kind >= 2) a ^= sign;
    const va = this.unpack(a, f);
    const v1 = this.unpack(n, f);
    const v2 = this.unpack(m, f);
    const infZero = (v1.k === K.INF && v2.k === K.ZERO) || (v1.k === K.ZERO && v2.k === K.INF);
    const nan = this.nans(va, v1, v2);
    if (va.k === K.QNAN && infZero) return this.invalid(f);
    if (nan !== undefined) return nan;
    if (infZero) return this.invalid(f);
    const ps = v1.s ^ v2.s;
    const pInf = v1.k === K.INF || v2.k === K.INF;
    if (pInf && va.k === K.INF && va.s !== ps) return this.invalid(f);
    if (pInf) return this.inf(ps, f);
    if (va.k === K.INF) return this.inf(va.s, f);
    const pm = v1.k === K.ZERO || v2.k === K.ZERO ? 0n : v1.m * v2.m;
    return this.addExact(ps, pm, v1.e + v2.e, va.s, va.m, va.e, f);
  }

  /** FMOV FABS FNEG FSQRT FRINT* by opcode; undefined for an opcode not executed. */
  unary(opc: number, x: bigint, dbl: boolean): bigint | undefined {
    const f = dbl ? DOUBLE : SINGLE;
    const sign = 1n << BigInt(f.width - 1);
    switch (opc) {
      case 0: return x;
      case 1: return x & ~sign;
      case 2: return x ^ sign;
      case 3: return this.sqrt(this.unpack(x, f), f);
      case 8: return this.roundInt(x, f, 0, false);
      case 9: return this.roundInt(x, f, 1, false);
      case 10: return this.roundInt(x, f, 2, false);
      case 11: return this.roundInt(x, f, 3, false);
      case 12: return this.roundInt(x, f, 4, false);
      case 14: return this.roundInt(x, f, this.rmode, true);
      case 15: return this.roundInt(x, f, this.rmode, false);
      default: return undefined;
    }
  }

  /** The integer nearest m * 2^e under `rm` (sign s), and whether it was inexact. */
  private toIntegral(s: number, m: bigint, e: number, rm: Rounding): [bigint, boolean] {
    if (e >= 0) return [m << BigInt(e), false];
    const sh = BigInt(-e);
    let q = m >> sh;
    const r = m - (q << sh);
    if (r === 0n) return [q, false];
    const half = 1n << (sh - 1n);
    let up = false;
    switch (rm) {
      case 0: up = r > half || (r === half && (q & 1n) === 1n); break;
      case 4: up = r >= half; break;
      case 1: up = s === 0; break;
      case 2: up = s === 1; break;
      default: up = false;
    }
    if (up) q += 1n;
    return [q, true];
  }

  private roundInt(x: bigint, f: Format, rm: Rounding, exact: boolean): bigint {
    const v = this.unpack(x, f);
    const n = this.nans(v);
    if (n !== undefined) return n;
    if (v.k !== K.NUM) return this.repack(v, f);
    const [q, inexact] = this.toIntegral(v.s, v.m, v.e, rm);
    if (inexact && exact) this.flags |= IXC;
    return q === 0n ? this.zero(v.s, f) : this.round(v.s, q, 0, f);
  }

  /** FCVT*S/U: to a `width`-bit integer (as a signed or unsigned bigint), saturating. */
  toInt(x: bigint, dbl: boolean, rm: Rounding, isSigned: boolean, width: number, fbits = 0): bigint {
    const f = dbl ? DOUBLE : SINGLE;
    const v = this.unpack(x, f);
    v.e += fbits;
    const max = isSigned ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
    const min = isSigned ? -(1n << BigInt(width - 1)) : 0n;
    if (v.k === K.QNAN || v.k === K.SNAN) {
      this.flags |= IOC;
      return 0n;
    }
    if (v.k === K.INF) {
      this.flags |= IOC;
      return v.s ? min : max;
    }
    if (v.k === K.ZERO) return 0n;
    const [q, inexact] = this.toIntegral(v.s, v.m, v.e, rm);
    const r = v.s ? -q : q;
    if (r > max || r < min) {
      this.flags |= IOC;
      return r > max ? max : min;
    }
    if (inexact) this.flags |= IXC;
    return r;
  }

  /** SCVTF/UCVTF: an integer to single or double under FPCR's rounding. */
  fromInt(n: bigint, dbl: boolean, fbits = 0): bigint {
    const f = dbl ? DOUBLE : SINGLE;
    if (n === 0n) return 0n;
    return this.round(n < 0n ? 1 : 0, n < 0n ? -n : n, -fbits, f);
  }

  /** FCVT between types (0 single, 1 double, 3 half). */
  convert(x: bigint, from: number, to: number, rm: Rounding = this.rmode): bigint {
    const ff = BY_TYPE[from];
    const ft = BY_TYPE[to];
    const v = this.unpack(x, ff);
    if (v.k === K.SNAN || v.k === K.QNAN) {
      if (v.k === K.SNAN) this.flags |= IOC;
      if (this.dn) return this.defaultNaN(ft);
      // FPConvertNaN: sign, quiet, and the top of the payload.
      const payload = x & ((1n << BigInt(ff.p - 2)) - 1n);
      const d = ft.p - ff.p;
      const moved = d >= 0 ? payload << BigInt(d) : payload >> BigInt(-d);
      return this.inf(v.s, ft) | (1n << BigInt(ft.p - 2)) | moved;
    }
    return this.repack(v, ft, rm);
  }

  /** FMULX: FMUL, but infinity times zero is 2.0 (signed). */
  mulx(x: bigint, y: bigint, dbl: boolean): bigint {
    const f = dbl ? DOUBLE : SINGLE;
    const a = this.unpack(x, f);
    const b = this.unpack(y, f);
    const n = this.nans(a, b);
    if (n !== undefined) return n;
    if ((a.k === K.INF && b.k === K.ZERO) || (a.k === K.ZERO && b.k === K.INF)) return this.round(a.s ^ b.s, 1n, 1, f);
    return this.mul(a, b, f);
  }

  /** FRECPS (2 - n * m) and FRSQRTS ((3 - n * m) / 2), fused; infinity times zero gives 2.0 / 1.5. */
  step(x: bigint, y: bigint, dbl: boolean, rsqrt: boolean): bigint {
    const f = dbl ? DOUBLE : SINGLE;
    const a = this.unpack(x ^ (1n << BigInt(f.width - 1)), f);
    const b = this.unpack(y, f);
    const n = this.nans(a, b);
    if (n !== undefined) return n;
    if ((a.k === K.INF && b.k === K.ZERO) || (a.k === K.ZERO && b.k === K.INF)) return rsqrt ? this.round(0, 3n, -1, f) : this.round(0, 1n, 1, f);
    if (a.k === K.INF || b.k === K.INF) return this.inf(a.s ^ b.s, f);
    const pm = a.k === K.ZERO || b.k === K.ZERO ? 0n : a.m * b.m;
    const pe = a.e + b.e;
    // 2 + p, or (3 + p) / 2: exactly, then one rounding.
    const e = Math.min(pe, 0) - (rsqrt ? 1 : 0);
    const c = (rsqrt ? 3n : 2n) << BigInt(-Math.min(pe, 0));
    const p = (a.s ^ b.s ? -1n : 1n) * (pm << BigInt(pe - Math.min(pe, 0)));
    const sum = c + p;
    if (sum === 0n) return this.zero(this.rmode === 2 ? 1 : 0, f);
    return this.round(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, f);
  }

  /** FCMEQ (0), FCMGE (1), FCMGT (2), FACGE (3), FACGT (4): the predicate, Invalid as FPCompareEQ/GE/GT raise it. */
  vcompare(kind: number, x: bigint, y: bigint, dbl: boolean): boolean {
    const f = dbl ? DOUBLE : SINGLE;
    const sign = 1n << BigInt(f.width - 1);
    if (kind >= 3) {
      x &= ~sign;
      y &= ~sign;
    }
    const a = this.unpack(x, f);
    const b = this.unpack(y, f);
    const isNaN = (v: Val) => v.k === K.QNAN || v.k === K.SNAN;
    if (isNaN(a) || isNaN(b)) {
      if (kind !== 0 || a.k === K.SNAN || b.k === K.SNAN) this.flags |= IOC;
      return false;
    }
    const c = this.cmp(a, b);
    return kind === 0 ? c === 0 : kind === 1 || kind === 3 ? c >= 0 : c > 0;
  }

  /** FCMP/FCMPE: NZCV. `signalling` (FCMPE) raises Invalid for quiet NaNs too. */
  compare(x: bigint, y: bigint, dbl: boolean, signalling: boolean): number {
    const f = dbl ? DOUBLE : SINGLE;
    const a = this.unpack(x, f);
    const b = this.unpack(y, f);
    const nan = (v: Val) => v.k === K.QNAN || v.k === K.SNAN;
    if (nan(a) || nan(b)) {
      if (signalling || a.k === K.SNAN || b.k === K.SNAN) this.flags |= IOC;
      return 0b0011;
    }
    const c = this.cmp(a, b);
    return c === 0 ? 0b0110 : c < 0 ? 0b1000 : 0b0010;
  }
}
