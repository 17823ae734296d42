/**
 * The generator's SIMD and FP groups: V register and FPCR/FPSR initial values with the corner
 * cases over-represented (±0, ±inf, quiet and signalling NaNs, denormals, values at rounding and
 * conversion boundaries), loads/stores of B/H/S/D/Q registers and LD1/ST1 inside the scratch
 * buffer, and random valid words of every AdvSIMD and FP class the core decodes.
 */
import { decode, encode, type Rng } from '../../index';
import { ENCODINGS } from '../../isa/a64/encodings';
import { simd } from '../../isa/a64/encodings/simd-fp-common';
import type { SimdFp } from '../../isa/a64/insn';

export const SIMD_FORMS = [
  'LDR_V/offset', 'LDR_V/unscaled', 'LDR_V/pre', 'LDR_V/post', 'LDR_V/reg',
  'STR_V/offset', 'STR_V/unscaled', 'STR_V/pre', 'STR_V/post', 'STR_V/reg',
  'LDP_V/offset', 'LDP_V/pre', 'LDP_V/post', 'STP_V/offset', 'STP_V/pre', 'STP_V/post', 'LDNP_V', 'STNP_V',
  'LD1/offset', 'LD1/post', 'ST1/offset', 'ST1/post', 'LDN/offset', 'LDN/post', 'STN/offset', 'STN/post', 'LDNS/offset', 'LDNS/post', 'STNS/offset', 'STNS/post', 'LDNR/offset', 'LDNR/post',
  'V_3SAME', 'S_3SAME', 'V_3DIFF', 'S_3DIFF', 'V_ELEM', 'S_ELEM', 'V_2MISC', 'S_2MISC', 'V_ACROSS', 'S_PAIR', 'V_PERM', 'V_EXT', 'V_TBL',
  'V_SHIFT', 'S_SHIFT', 'V_COPY', 'S_COPY', 'V_MODIMM', 'FMOV_GEN',
] as const;
export const FP_FORMS = ['FP_INT', 'FP_FIXED', 'FP_IMM', 'FP_1', 'FP_2', 'FP_3', 'FP_CMP', 'FP_CCMP', 'FP_CSEL'] as const;

const SCRATCH_SIZE = 128;
const BASES = [27, 28];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.nextInt(xs.length)];
}

const F32 = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00001, 0xff800001, 0x7fffffff,
  0x00000001, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f000000,
  0x3fc00000, 0xbfc00000, 0x40200000, 0x4b000000, 0x4b400001, 0x4f000000, 0xcf000000, 0x4f800000, 0x4effffff,
  0xcf000001, 0x5f000000, 0xdf000000, 0x5f800000, 0x33800000, 0x00400000, 0x0d800000,
];
const F64 = [
  0x0000000000000000n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n,
  0xfff8000000000001n, 0x7ff0000000000001n, 0xfff4000000000000n, 0x0000000000000001n, 0x800fffffffffffffn,
  0x0010000000000000n, 0x7fefffffffffffffn, 0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n,
  0x3ff8000000000000n, 0x4330000000000000n, 0x4338000000000001n, 0x41e0000000000000n, 0xc1e0000000000000n,
  0x41dfffffffffffffn, 0x41efffffffe00000n, 0x43e0000000000000n, 0xc3e0000000000000n, 0x43f0000000000000n,
  0x47efffffe0000000n, 0x3810000000000000n, 0x36a0000000000000n, 0x3ca0000000000000n,
];

/** A single with a random exponent near 1 and a random significand (or a half-way one). */
function randF32(rng: Rng): number {
  const exp = 127 + rng.nextInt(64) - 32;
  let frac = rng.nextU32() & 0x7fffff;
  if (rng.nextInt(4) === 0) frac &= ~0xff;
  return ((rng.nextInt(2) << 31) | (exp << 23) | frac) >>> 0;
}
function randF64(rng: Rng): bigint {
  const exp = BigInt(1023 + rng.nextInt(128) - 64);
  let frac = ((BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32())) & 0xf_ffff_ffff_ffffn;
  if (rng.nextInt(4) === 0) frac &= ~0x7ffn;
  return (BigInt(rng.nextInt(2)) << 63n) | (exp << 52n) | frac;
}
function f32(rng: Rng): bigint {
  return BigInt(rng.nextInt(2) ? pick(rng, F32) : randF32(rng));
}

/** One 64-bit half of a V register. */
function vhalf(rng: Rng): bigint {
  switch (rng.nextInt(6)) {
    case 0: return (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
    case 1: return pick(rng, F64);
    case 2: return randF64(rng);
    case 3: return (f32(rng) << 32n) | f32(rng);
    case 4: return BigInt(rng.nextInt(256)) * 0x0101010101010101n ^ (rng.nextInt(2) ? 0n : BigInt(rng.nextU32()));
    default: return pick(rng, [0n, (1n << 64n) - 1n, 0x8000_0000_0000_0000n, 0x7f7f_7f7f_8080_8080n, 0x0000_ffff_0000_ffffn]);
  }
}

/** V0-V31 (low, high halves), FPSR and FPCR before a sequence. */
export function fpState(rng: Rng): { vregs: bigint[]; fpsr: number; fpcr: number } {
  const vregs = Array.from({ length: 64 }, () => vhalf(rng));
  // FPSR: some cumulative flags already set (they must stay set). FPCR: RMode, FZ, DN.
  const fpsr = rng.nextInt(2) ? 0 : rng.nextU32() & 0x9f;
  const fpcr = rng.nextInt(3) === 0 ? 0 : (rng.nextInt(4) << 22) | (rng.nextInt(4) === 0 ? 1 << 24 : 0) | (rng.nextInt(4) === 0 ? 1 << 25 : 0);
  return { vregs, fpsr, fpcr };
}

interface Emitted {
  word: number;
  form: string;
  asm?: string;
}

function rowsOf(op: string): (typeof ENCODINGS)[number][] {
  const rows = ENCODINGS.filter((e) => e.keys.some((k) => k === op || k.startsWith(`${op}/`)) || (e.keys.length === 0 && e.name.includes(op === 'V_SHIFT' ? 'AdvSIMD shift' : op === 'S_SHIFT' ? 'AdvSIMD scalar shift' : '\0')));
  return rows;
}

/** A random word of the rows of `op` that decodes (a valid encoding of the class). */
function randomWord(rng: Rng, op: string, accept: (i: SimdFp) => boolean): number {
  const rows = rowsOf(op);
  for (let tries = 0; tries < 50000; tries++) {
    const e = pick(rng, rows);
    const w = ((rng.nextU32() & ~e.mask) | e.match) >>> 0;
    const d = decode(w);
    if (d.op !== 'UNDEFINED' && accept(d as unknown as SimdFp)) return w;
  }
  throw new Error(`no valid ${op} word found`);
}

/** A general register that generated code may write: not SP, not the bases x27/x28. */
const okDest = (r: number): boolean => r !== 27 && r !== 28;

/** Writes a general register: SMOV/UMOV, FMOV to general, FCVT*. */
function writesGeneral(i: SimdFp): boolean {
  if (i.op === 'V_COPY') return i.u === 0 && ((i.imm & 15) === 0b0101 || (i.imm & 15) === 0b0111);
  if (i.op === 'FP_INT') return i.opc !== 2 && i.opc !== 3 && i.opc !== 7;
  if (i.op === 'FP_FIXED') return i.opc >= 8;
  return false;
}

export function dataUnit(rng: Rng, form: string): Emitted {
  if (form === 'FMOV_GEN') {
    const w = randomWord(rng, 'FP_INT', (i) => i.opc >= 6 && (!writesGeneral(i) || okDest(i.rd)));
    return { word: w, form };
  }
  return { word: randomWord(rng, form, (i) => !writesGeneral(i) || okDest(i.rd)), form };
}

/** A load/store of V registers inside the scratch buffer; undefined when it does not fit. */
export function vldstUnit(rng: Rng, form: string, off: Map<number, number>, writeback: boolean): Emitted | undefined {
  const [op, mode = 'offset'] = form.split('/');
  if (!writeback && (mode === 'pre' || mode === 'post')) return undefined;
  const rn = pick(rng, BASES);
  const o = off.get(rn)!;
  const v = () => rng.nextInt(32);
  const g = (f: SimdFp, asm?: string): Emitted => ({ word: encode(f), form, asm });
  if (op === 'LD1' || op === 'ST1' || op === 'LDN' || op === 'STN') {
    const q = rng.nextInt(2) === 1;
    const structs = op.endsWith('N') ? 2 + rng.nextInt(3) : 1;
    const count = structs > 1 ? structs : 1 + rng.nextInt(4);
    const sop = (structs > 1 ? `${op.slice(0, 2)}${structs}` : op) as 'LD1';
    const bytes = (q ? 16 : 8) * count;
    if (o % 16 !== 0 || o + bytes > SCRATCH_SIZE) return undefined;
    const size = structs > 1 && !q ? rng.nextInt(3) : rng.nextInt(4);
    if (mode === 'post') {
      // Post-indexed by the immediate (Rm = 31) or by a register holding the same amount.
      const target = rng.nextInt(SCRATCH_SIZE / 16) * 16;
      if (target - o !== bytes) return undefined;
      off.set(rn, target);
      return g(simd(sop, { q, size, ra: count, rd: v(), rn, rm: 31, mode: 'post', imm: bytes }));
    }
    return g(simd(sop, { q, size, ra: count, rd: v(), rn, rm: 31, mode: 'offset' }));
  }
  if (op === 'LDNS' || op === 'STNS' || op === 'LDNR') {
    // One lane (or one replicated element) per register of 1-4: n consecutive elements at Xn,
    // aligned to the element (Device memory).
    const n = 1 + rng.nextInt(4);
    const size = rng.nextInt(4);
    const es = 1 << size;
    if (o % es !== 0 || o + n * es > SCRATCH_SIZE) return undefined;
    const q = rng.nextInt(2) === 1;
    const base = { q: op === 'LDNR' ? q : false, size, ra: n, opc: op === 'LDNR' ? 0 : rng.nextInt(16 >> size), rd: v(), rn, rm: 31 };
    if (mode === 'post') {
      const target = o + n * es;
      if (target % 8 !== 0 || target > SCRATCH_SIZE - 8) return undefined;
      off.set(rn, target);
      return g(simd(op, { ...base, mode: 'post', imm: n * es }));
    }
    return g(simd(op, { ...base, mode: 'offset' }));
  }
  if (op === 'LDP_V' || op === 'STP_V' || op === 'LDNP_V' || op === 'STNP_V') {
    const size = 2 + rng.nextInt(3);
    const n = 1 << size;
    const t1 = v();
    let t2 = v();
    while (op.startsWith('LD') && t2 === t1) t2 = v();
    if (mode === 'post') {
      if (o % Math.min(n, 16) !== 0 || o + 2 * n > SCRATCH_SIZE) return undefined;
      const target = rng.nextInt(SCRATCH_SIZE / 8) * 8;
      const imm = target - o;
      if (imm % n !== 0 || imm < -64 * n || imm > 63 * n) return undefined;
      off.set(rn, target);
      return g(simd(op, { size, rd: t1, ra: t2, rn, mode: 'post', imm }));
    }
    const a = rng.nextInt((SCRATCH_SIZE - 2 * n) / n + 1) * n;
    const imm = a - o;
    if (imm % n !== 0 || imm < -64 * n || imm > 63 * n) return undefined;
    if (mode === 'pre') {
      if (a % 8 !== 0) return undefined;
      off.set(rn, a);
    }
    return g(simd(op, { size, rd: t1, ra: t2, rn, mode: mode as 'offset', imm }));
  }
  // Single registers.
  const size = rng.nextInt(5);
  const n = 1 << size;
  const rt = v();
  const base = { size, rd: rt, rn, rm: 31 };
  const a = rng.nextInt((SCRATCH_SIZE - n) / n + 1) * n;
  if (mode === 'reg') {
    // The index register holds a - o (scaled or not): set up by the caller as a MOVZ/MOVN.
    return undefined;
  }
  if (mode === 'offset') {
    if (a >= o && (a - o) % n === 0) return g(simd(op as 'LDR_V', { ...base, mode: 'offset', imm: a - o }));
    return g(simd(op as 'LDR_V', { ...base, mode: 'unscaled', imm: a - o }));
  }
  if (mode === 'unscaled') return g(simd(op as 'LDR_V', { ...base, mode: 'unscaled', imm: a - o }));
  if (mode === 'pre') {
    const p = rng.nextInt((SCRATCH_SIZE - Math.max(n, 8)) / Math.max(n, 8) + 1) * Math.max(n, 8);
    off.set(rn, p);
    return g(simd(op as 'LDR_V', { ...base, mode: 'pre', imm: p - o }));
  }
  if (o % n !== 0 || o + n > SCRATCH_SIZE) return undefined;
  const target = rng.nextInt(SCRATCH_SIZE / 8) * 8;
  off.set(rn, target);
  return g(simd(op as 'LDR_V', { ...base, mode: 'post', imm: target - o }));
}

/** LDR/STR (register offset) of a V register: the index set-up (MOVZ/MOVN) and the access. */
export function vldstRegUnit(rng: Rng, form: string, off: Map<number, number>, freeRegs: readonly number[]): Emitted[] | undefined {
  const op = form.split('/')[0] as 'LDR_V' | 'STR_V';
  const rn = pick(rng, BASES);
  const o = off.get(rn)!;
  const size = rng.nextInt(5);
  const n = 1 << size;
  const a = rng.nextInt((SCRATCH_SIZE - n) / n + 1) * n;
  const extend = pick(rng, ['lsl', 'uxtw', 'sxtw', 'sxtx'] as const);
  const scaled = rng.nextInt(2) === 1;
  const delta = a - o;
  if (extend === 'uxtw' && delta < 0) return undefined;
  if (scaled && delta % n !== 0) return undefined;
  const index = delta / (scaled ? n : 1);
  const ix = pick(rng, freeRegs);
  const set: Emitted[] = [];
  if (index >= 0) set.push({ word: encode({ op: 'MOVZ', sf: true, rd: ix, imm: index, shift: 0 }), form: 'MOVZ' });
  else set.push({ word: encode({ op: 'MOVN', sf: true, rd: ix, imm: ~index & 0xffff, shift: 0 }), form: 'MOVN' });
  if (extend === 'uxtw' || extend === 'sxtw') set.push({ word: encode({ op: 'MOVK', sf: true, rd: ix, imm: rng.nextInt(0x10000), shift: pick(rng, [32, 48]) }), form: 'MOVK' });
  return [...set, { word: encode(simd(op, { size, rd: rng.nextInt(32), rn, rm: ix, mode: 'reg', extend, scaled })), form }];
}
