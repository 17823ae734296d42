/**
 * Assembler handlers for SIMD&FP (GNU as syntax): loads/stores of B/H/S/D/Q registers, LD1/ST1,
 * the AdvSIMD classes the encoding table has, and scalar FP. Mnemonics shared with the integer
 * set (mov, add, ldr, orr...) go to these handlers when an operand is a SIMD&FP register.
 */
import { ExprError } from './expr';
import type { Handler, Ops } from './asm-insns';
import { SP, ZR, type Extend, type SimdFp } from './insn';
import type { FpImmOperand, MemOperand, Operand, RegOperand, VListOperand, VRegOperand } from './operands';
import { ARRANGEMENTS, simd } from './encodings/simd-fp-common';
import { BY_ELEMENT, FP_THREE_SAME, FP_TWO_MISC, SHIFTS, THREE_DIFF, THREE_SAME, LOGIC3, PERMUTE, encodeShift, expandImm, fpImmValue } from './encodings/simd-fp-advsimd';
import { FP1_NAMES, FP2_NAMES, FP3_NAMES } from './encodings/simd-fp-scalar';

const fail = (msg: string): never => {
  throw new ExprError(msg);
};

export const isSimdOperand = (o: Operand): boolean => o.kind === 'vreg' || o.kind === 'vlist' || o.kind === 'fimm';

// ---------------------------------------------------------------- operand accessors

function vreg(ops: Ops, i: number): VRegOperand {
  const o = ops.at(i);
  return o.kind === 'vreg' ? o : fail(`operand ${i + 1} of ${ops.mnemonic} must be a SIMD&FP register, not '${o.text}'`);
}

/** A vector `vN.T`: its number, size and Q. */
function vec(ops: Ops, i: number): { n: number; size: number; q: boolean; arr: string } {
  const r = vreg(ops, i);
  const k = r.prefix === 'v' && r.index === undefined && r.arr !== undefined ? ARRANGEMENTS.indexOf(r.arr as (typeof ARRANGEMENTS)[number]) : -1;
  if (k < 0) fail(`operand ${i + 1} of ${ops.mnemonic} must be a vector with an arrangement (v0.16b, v1.4s...), not '${r.text}'`);
  return { n: r.num, size: k >> 1, q: (k & 1) === 1, arr: r.arr! };
}

const SCALAR_SIZE: Readonly<Record<string, number>> = { b: 0, h: 1, s: 2, d: 3, q: 4 };

/** A scalar `bN`...`qN`: its number and log2 bytes. */
function scalar(ops: Ops, i: number): { n: number; size: number } {
  const r = vreg(ops, i);
  if (r.prefix === 'v') fail(`operand ${i + 1} of ${ops.mnemonic} must be a scalar register (b0, h0, s0, d0, q0), not '${r.text}'`);
  return { n: r.num, size: SCALAR_SIZE[r.prefix] };
}

/** An element `vN.T[i]`. */
function element(ops: Ops, i: number): { n: number; size: number; index: number } {
  const r = vreg(ops, i);
  const size = r.arr === undefined ? -1 : 'bhsd'.indexOf(r.arr.slice(-1));
  if (r.prefix !== 'v' || r.index === undefined || size < 0) fail(`operand ${i + 1} of ${ops.mnemonic} must be an element (v0.s[1]), not '${r.text}'`);
  if (r.index! >= 16 >> size) fail(`element index ${r.index} is out of range for .${'bhsd'[size]} (0-${(16 >> size) - 1})`);
  return { n: r.num, size, index: r.index! };
}

function gpr(ops: Ops, i: number): RegOperand {
  return ops.reg(i, 'any', 'zr');
}

function kindOf(ops: Ops, i: number): 'vec' | 'elem' | 'scalar' | 'gpr' | 'other' {
  const o = ops.list[i];
  if (o === undefined) return 'other';
  if (o.kind === 'reg') return 'gpr';
  if (o.kind !== 'vreg') return 'other';
  if (o.prefix !== 'v') return 'scalar';
  return o.index !== undefined ? 'elem' : 'vec';
}

const isZeroImm = (ops: Ops, i: number): boolean => {
  const o = ops.list[i];
  if (o?.kind === 'fimm') return o.value === 0;
  return o?.kind === 'imm' && ops.ctx.value(o.expr) === 0n;
};

function same(ops: Ops, a: { size: number; q: boolean }, b: { size: number; q: boolean }): void {
  if (a.size !== b.size || a.q !== b.q) fail(`the operands of ${ops.mnemonic} must have the same arrangement`);
}

// ---------------------------------------------------------------- loads and stores

function vldst(op: 'LDR_V' | 'STR_V', unscaled: boolean): Handler {
  return (ops) => {
    ops.expect([2, 3], 'Vt, [Xn {, #imm}] / [Xn, #imm]! / [Xn], #imm / [Xn, Rm {, extend #n}] / label');
    const { n: rt, size } = scalar(ops, 0);
    const base = { size, rd: rt, rm: ZR };
    const o = ops.at(1);
    if (o.kind !== 'mem') {
      if (op !== 'LDR_V' || unscaled || size < 2) ops.mem(1);
      return simd('LDR_V', { ...base, rn: ZR, mode: 'literal', imm: ops.offset(1) });
    }
    const m = o as MemOperand;
    const rn = m.base.num;
    if (ops.length === 3) {
      if (m.pre || m.offset !== undefined || m.index !== undefined) fail(`post-index needs [Xn], #imm, not '${m.text}', ...`);
      return simd(op, { ...base, rn, mode: 'post', imm: ops.small(2, -256, 255, 'post-index offset') });
    }
    if (m.index !== undefined) {
      const type = m.extend?.type ?? 'lsl';
      if (!['uxtw', 'lsl', 'sxtw', 'sxtx'].includes(type)) fail(`index extension must be lsl, uxtw, sxtw or sxtx, not ${type}`);
      if (m.index.is64 !== (type === 'lsl' || type === 'sxtx')) fail(`index register ${m.index.text} has the wrong width for ${type}`);
      if (m.index.num === SP) fail('the index register cannot be SP');
      let scaled = false;
      if (m.extend?.amount !== undefined) {
        const amount = ops.ctx.value(m.extend.amount);
        if (amount !== 0n && amount !== BigInt(size)) fail(`index shift must be #0 or #${size} for a ${1 << size}-byte access, not #${amount}`);
        scaled = size === 0 ? true : amount !== 0n;
      }
      return simd(op, { ...base, rn, mode: 'reg', rm: m.index.num, extend: type as Extend, scaled });
    }
    const off = m.offset === undefined ? 0n : ops.ctx.value(m.offset.expr);
    if (m.pre) return simd(op, { ...base, rn, mode: 'pre', imm: Number(off) });
    const scale = 1n << BigInt(size);
    if (!unscaled && off >= 0n && off % scale === 0n && off / scale <= 0xfffn) return simd(op, { ...base, rn, mode: 'offset', imm: Number(off) });
    if (off >= -256n && off <= 255n) return simd(op, { ...base, rn, mode: 'unscaled', imm: Number(off) });
    return fail(`offset ${off} does not fit ${ops.mnemonic.toUpperCase()}`);
  };
}

function vpair(op: 'LDP_V' | 'STP_V' | 'LDNP_V' | 'STNP_V'): Handler {
  return (ops) => {
    ops.expect([3, 4], 'Vt, Vt2, [Xn {, #imm}] / [Xn, #imm]! / [Xn], #imm');
    const a = scalar(ops, 0);
    const b = scalar(ops, 1);
    if (a.size !== b.size) fail(`the registers of ${ops.mnemonic} must be the same size`);
    const m = ops.mem(2);
    if (m.index !== undefined) fail(`${ops.mnemonic} has no register-offset form`);
    const base = { size: a.size, rd: a.n, ra: b.n, rn: m.base.num };
    const noAlloc = op === 'LDNP_V' || op === 'STNP_V';
    if (ops.length === 4) {
      if (noAlloc || m.pre || m.offset !== undefined) fail(`${ops.mnemonic}: post-index needs [Xn], #imm`);
      return simd(op, { ...base, mode: 'post', imm: Number(ops.imm(3)) });
    }
    if (noAlloc && m.pre) fail(`${ops.mnemonic} has no pre-index form`);
    const off = m.offset === undefined ? 0n : ops.ctx.value(m.offset.expr);
    return simd(op, { ...base, mode: m.pre ? 'pre' : 'offset', imm: Number(off) });
  };
}

function list(ops: Ops, i: number): VListOperand {
  const o = ops.at(i);
  return o.kind === 'vlist' ? o : fail(`operand ${i + 1} of ${ops.mnemonic} must be a register list ({v0.16b-v3.16b}), not '${o.text}'`);
}

/** LDn/STn of one lane ({v0.s, v1.s}[1]) and LDnR ({v0.4s}): single structures. */
function single(ops: Ops, n: number, load: boolean, replicate: boolean): SimdFp {
  const l = list(ops, 0);
  if (l.regs.length !== n) fail(`${ops.mnemonic} takes ${n} register${n > 1 ? 's' : ''}`);
  const m = ops.mem(1);
  if (m.index !== undefined || m.offset !== undefined || m.pre) fail(`${ops.mnemonic} addresses [Xn] only`);
  let q = false;
  let size: number;
  if (replicate) {
    const k = ARRANGEMENTS.indexOf(l.arr as (typeof ARRANGEMENTS)[number]);
    if (k < 0 || l.index !== undefined) fail(`${ops.mnemonic} takes vectors with an arrangement`);
    q = (k & 1) === 1;
    size = k >> 1;
  } else {
    size = 'bhsd'.indexOf(l.arr);
    if (size < 0 || l.arr.length !== 1 || l.index === undefined) fail(`${ops.mnemonic} of one lane takes {Vt.T, ...}[index] with T b, h, s or d`);
  }
  const op = replicate ? 'LDNR' : load ? 'LDNS' : 'STNS';
  const base = { q, size, ra: n, opc: l.index ?? 0, rd: l.regs[0], rn: m.base.num };
  if (ops.length === 2) return simd(op, { ...base, rm: ZR, mode: 'offset' });
  if (ops.isReg(2)) return simd(op, { ...base, rm: ops.reg(2, 'x', 'zr').num, mode: 'post' });
  return simd(op, { ...base, rm: ZR, mode: 'post', imm: Number(ops.imm(2)) });
}

function ldr(n: number): Handler {
  return (ops) => {
    ops.expect([2, 3], '{Vt.T, ...}, [Xn] {, #imm | Xm}');
    return single(ops, n, true, true);
  };
}

function ld1(op: 'LD1' | 'ST1' | 'LD2' | 'ST2' | 'LD3' | 'ST3' | 'LD4' | 'ST4'): Handler {
  return (ops) => {
    ops.expect([2, 3], '{Vt.T, ...}, [Xn] {, #imm | Xm}');
    if (ops.at(0).kind === 'vlist' && (ops.at(0) as VListOperand).index !== undefined) return single(ops, Number(op.slice(2)), op.startsWith('LD'), false);
    const l = list(ops, 0);
    const k = ARRANGEMENTS.indexOf(l.arr as (typeof ARRANGEMENTS)[number]);
    if (k < 0 || l.index !== undefined) fail(`${ops.mnemonic} (multiple structures) takes vectors with an arrangement, not '${l.text}'`);
    const m = ops.mem(1);
    if (m.index !== undefined || m.offset !== undefined || m.pre) fail(`${ops.mnemonic} addresses [Xn] only`);
    const base = { q: (k & 1) === 1, size: k >> 1, ra: l.regs.length, rd: l.regs[0], rn: m.base.num };
    if (ops.length === 2) return simd(op, { ...base, rm: ZR, mode: 'offset' });
    if (ops.isReg(2)) return simd(op, { ...base, rm: ops.reg(2, 'x', 'zr').num, mode: 'post' });
    return simd(op, { ...base, rm: ZR, mode: 'post', imm: Number(ops.imm(2)) });
  };
}

// ---------------------------------------------------------------- AdvSIMD

/** U:opcode of the three-same integer ops, from the encoding table. */
const THREE: Readonly<Record<string, [number, number]>> = Object.fromEntries(Object.entries(THREE_SAME).map(([k, [n]]) => [n, [Number(k) >> 5, Number(k) & 31]]));
/** Compares against zero: U:opcode of the two-register misc forms. */
const ZERO_CMP: Readonly<Record<string, [number, number]>> = { cmgt: [0, 0b01000], cmeq: [0, 0b01001], cmlt: [0, 0b01010], cmge: [1, 0b01000], cmle: [1, 0b01001] };

function threeSame(name: string): Handler {
  return (ops) => {
    ops.expect([2, 3], 'Vd.T, Vn.T, Vm.T');
    if (name === 'addp' && ops.length === 2) {
      const d = scalar(ops, 0);
      const n = vec(ops, 1);
      if (d.size !== 3 || n.arr !== '2d') fail('addp (scalar) is ADDP Dd, Vn.2D');
      return simd('S_PAIR', { size: 3, opc: 0b11011, rd: d.n, rn: n.n });
    }
    ops.expect(3, 'Vd.T, Vn.T, Vm.T or Vd.T, Vn.T, #0');
    if (ZERO_CMP[name] !== undefined && !ops.isReg(2) && ops.at(2).kind !== 'vreg') {
      if (!isZeroImm(ops, 2)) fail(`${ops.mnemonic} compares with #0 only`);
      const [u, opc] = ZERO_CMP[name];
      if (kindOf(ops, 0) === 'scalar') return simd('S_2MISC', { u, opc, size: 3, rd: scalar(ops, 0).n, rn: scalar(ops, 1).n });
      const d = vec(ops, 0);
      const n = vec(ops, 1);
      same(ops, d, n);
      return simd('V_2MISC', { u, opc, q: d.q, size: d.size, rd: d.n, rn: n.n });
    }
    const [u, opc] = THREE[name] ?? fail(`${ops.mnemonic} takes #0 as its third operand`);
    const [a, b] = [1, 2];
    if (kindOf(ops, 0) === 'scalar') {
      const [d, n, m] = [scalar(ops, 0), scalar(ops, a), scalar(ops, b)];
      if (n.size !== d.size || m.size !== d.size) fail(`the registers of ${ops.mnemonic} must be the same size`);
      return simd('S_3SAME', { u, opc, size: d.size, rd: d.n, rn: n.n, rm: m.n });
    }
    const [d, n, m] = [vec(ops, 0), vec(ops, a), vec(ops, b)];
    same(ops, d, n);
    same(ops, d, m);
    return simd('V_3SAME', { u, opc, q: d.q, size: d.size, rd: d.n, rn: n.n, rm: m.n });
  };
}

function logic3(name: (typeof LOGIC3)[number]): Handler {
  const k = LOGIC3.indexOf(name);
  return (ops) => {
    ops.expect(3, 'Vd.T, Vn.T, Vm.T');
    const [d, n, m] = [vec(ops, 0), vec(ops, 1), vec(ops, 2)];
    if (d.size !== 0 || n.arr !== d.arr || m.arr !== d.arr) fail(`${ops.mnemonic} takes .8b or .16b vectors`);
    return simd('V_3SAME', { u: k >> 2, size: k & 3, opc: 0b00011, q: d.q, rd: d.n, rn: n.n, rm: m.n });
  };
}

/** U:opcode of the two-register misc ops (not the compares). */
const MISC: Readonly<Record<string, [number, number]>> = {
  rev64: [0, 0b00000], rev16: [0, 0b00001], rev32: [1, 0b00000], cnt: [0, 0b00101], not: [1, 0b00101], mvn: [1, 0b00101],
  abs: [0, 0b01011], neg: [1, 0b01011], suqadd: [0, 0b00011], usqadd: [1, 0b00011], sqabs: [0, 0b00111], sqneg: [1, 0b00111],
  cls: [0, 0b00100], clz: [1, 0b00100], rbit: [1, 0b00101],
};

function twoMisc(name: string): Handler {
  return (ops) => {
    ops.expect(2, 'Vd.T, Vn.T');
    const [u, opc] = MISC[name];
    if (kindOf(ops, 0) === 'scalar') {
      const [d, n] = [scalar(ops, 0), scalar(ops, 1)];
      if (d.size !== n.size) fail(`the registers of ${ops.mnemonic} must be the same size`);
      return simd('S_2MISC', { u, opc, size: d.size, rd: d.n, rn: n.n });
    }
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    same(ops, d, n);
    if ((name === 'not' || name === 'mvn' || name === 'rbit') && d.size !== 0) fail(`${ops.mnemonic} takes .8b or .16b vectors`);
    return simd('V_2MISC', { u, opc, q: d.q, size: name === 'not' || name === 'mvn' ? 0 : name === 'rbit' ? 1 : d.size, rd: d.n, rn: n.n });
  };
}

/** XTN, SQXTN, UQXTN, SQXTUN (and their 2 forms): U:opcode. */
const NARROW: Readonly<Record<string, [number, number]>> = { xtn: [0, 0b10010], sqxtn: [0, 0b10100], uqxtn: [1, 0b10100], sqxtun: [1, 0b10010] };

function narrow(name: string, upper: boolean): Handler {
  const [u, opc] = NARROW[name];
  return (ops) => {
    ops.expect(2, 'Vd.Tb, Vn.Ta');
    if (!upper && kindOf(ops, 0) === 'scalar') {
      const [d, n] = [scalar(ops, 0), scalar(ops, 1)];
      if (name === 'xtn' || n.size !== d.size + 1 || d.size > 2) fail(`${ops.mnemonic} (scalar) narrows to half the size`);
      return simd('S_2MISC', { u, opc, size: d.size, rd: d.n, rn: n.n });
    }
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    if (d.q !== upper || !n.q || n.size !== d.size + 1) fail(`${ops.mnemonic} narrows Vn.${ARRANGEMENTS[(d.size + 1) * 2 + 1] ?? '?'} into Vd`);
    return simd('V_2MISC', { u, opc, q: d.q, size: d.size, rd: d.n, rn: n.n });
  };
}

/** SADDLP, UADDLP, SADALP, UADALP. */
function pairLong(u: number, opc: number): Handler {
  return (ops) => {
    ops.expect(2, 'Vd.Ta, Vn.Tb');
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    if (d.q !== n.q || d.size !== n.size + 1) fail(`${ops.mnemonic} sums pairs into elements of twice the size`);
    return simd('V_2MISC', { u, opc, q: n.q, size: n.size, rd: d.n, rn: n.n });
  };
}

function shllMisc(upper: boolean): Handler {
  return (ops) => {
    ops.expect(3, 'Vd.Ta, Vn.Tb, #shift');
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    if (n.q !== upper || !d.q || d.size !== n.size + 1 || ops.imm(2) !== BigInt(8 << n.size)) fail(`${ops.mnemonic} widens Vn's elements, shifting by their size (#${8 << n.size})`);
    return simd('V_2MISC', { u: 1, opc: 0b10011, q: n.q, size: n.size, rd: d.n, rn: n.n });
  };
}

/** The FP ops of two-register misc by name, vector or scalar; `other` takes the forms they are not. */
function fpMisc(name: string, other?: Handler, upper = false): Handler {
  const entry = Object.entries(FP_TWO_MISC).find(([, [n]]) => n === name)!;
  const key = Number(entry[0]);
  const kind = entry[1][1];
  const [u, s1, opc] = [key >> 6, (key >> 5) & 1, key & 31];
  return (ops, mn) => {
    const k0 = kindOf(ops, 0);
    const k1 = kindOf(ops, 1);
    const zeroForm = kind === 'zero';
    // The scalar forms here are the conversions and compares; FRINT*, FABS, FNEG, FSQRT of S/D are FP_1's.
    const scalarForm = /^(fcvt[npmza][su]|fcvtxn|[su]cvtf|fcm)/.test(name);
    const isMine = k0 === 'vec' || (scalarForm && k0 === 'scalar' && k1 === 'scalar' && (!zeroForm || (ops.length === 3 && ops.at(2).kind !== 'vreg')));
    if (!isMine) return other !== undefined ? other(ops, mn) : fail(`${mn} takes vectors or S/D registers`);
    ops.expect(zeroForm ? 3 : 2, zeroForm ? 'Vd, Vn, #0.0' : 'Vd, Vn');
    if (zeroForm && !isZeroImm(ops, 2)) fail(`${mn} compares with #0.0 only`);
    if (k0 === 'scalar') {
      const d = vreg(ops, 0);
      const n = vreg(ops, 1);
      const sz = kind === 'fcvtxn' ? 1 : d.prefix === 'd' ? 1 : 0;
      if (kind === 'fcvtxn' ? d.prefix !== 's' || n.prefix !== 'd' : (d.prefix !== 's' && d.prefix !== 'd') || n.prefix !== d.prefix) fail(`${mn}: wrong register sizes`);
      return simd('S_2MISC', { u, opc, size: (s1 << 1) | sz, rd: d.num, rn: n.num });
    }
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    let sz: number;
    if (kind === 'fcvtn' || kind === 'fcvtxn') {
      if (d.q !== upper || !n.q || n.size !== d.size + 1 || d.size < 1) fail(`${mn} narrows .4s or .2d`);
      sz = d.size - 1;
      return simd('V_2MISC', { u, opc, q: d.q, size: (s1 << 1) | sz, rd: d.n, rn: n.n });
    }
    if (kind === 'fcvtl') {
      if (n.q !== upper || !d.q || d.size !== n.size + 1 || n.size < 1) fail(`${mn} widens .4h or .2s`);
      return simd('V_2MISC', { u, opc, q: n.q, size: (s1 << 1) | (n.size - 1), rd: d.n, rn: n.n });
    }
    same(ops, d, n);
    if (d.size < 2) fail(`${mn} takes .2s, .4s or .2d vectors`);
    return simd('V_2MISC', { u, opc, q: d.q, size: (s1 << 1) | (d.size - 2), rd: d.n, rn: n.n });
  };
}

const ACROSS: Readonly<Record<string, [number, number, boolean]>> = {
  saddlv: [0, 0b00011, true], uaddlv: [1, 0b00011, true], smaxv: [0, 0b01010, false], umaxv: [1, 0b01010, false],
  sminv: [0, 0b11010, false], uminv: [1, 0b11010, false], addv: [0, 0b11011, false],
};

function across(name: string): Handler {
  return (ops) => {
    ops.expect(2, 'Vd, Vn.T');
    const [u, opc, long] = ACROSS[name];
    const d = scalar(ops, 0);
    const n = vec(ops, 1);
    if (d.size !== n.size + (long ? 1 : 0)) fail(`the destination of ${ops.mnemonic} has the wrong size for .${n.arr}`);
    return simd('V_ACROSS', { u, opc, q: n.q, size: n.size, rd: d.n, rn: n.n });
  };
}

function permute(name: string): Handler {
  const opc = PERMUTE.indexOf(name as (typeof PERMUTE)[number]);
  return (ops) => {
    ops.expect(3, 'Vd.T, Vn.T, Vm.T');
    const [d, n, m] = [vec(ops, 0), vec(ops, 1), vec(ops, 2)];
    same(ops, d, n);
    same(ops, d, m);
    return simd('V_PERM', { opc, q: d.q, size: d.size, rd: d.n, rn: n.n, rm: m.n });
  };
}

const ext: Handler = (ops) => {
  ops.expect(4, 'Vd.T, Vn.T, Vm.T, #index');
  const [d, n, m] = [vec(ops, 0), vec(ops, 1), vec(ops, 2)];
  if (d.size !== 0 || n.arr !== d.arr || m.arr !== d.arr) fail('ext takes .8b or .16b vectors');
  return simd('V_EXT', { q: d.q, rd: d.n, rn: n.n, rm: m.n, imm: ops.small(3, 0, d.q ? 15 : 7, 'index') });
};

function tbl(opc: number): Handler {
  return (ops) => {
    ops.expect(3, 'Vd.T, {Vn.16b, ...}, Vm.T');
    const d = vec(ops, 0);
    const l = list(ops, 1);
    const m = vec(ops, 2);
    if (l.arr !== '16b' || d.size !== 0 || m.arr !== d.arr) fail(`${ops.mnemonic} takes a list of .16b tables and .8b/.16b vectors`);
    return simd('V_TBL', { opc, q: d.q, ra: l.regs.length, rd: d.n, rn: l.regs[0], rm: m.n });
  };
}

/** Shift by immediate by name (from the encoding table; `2` forms of the narrowing ones too). */
const SHIFT: Readonly<Record<string, [number, number, 'right' | 'left' | 'narrow' | 'long' | 'fixed']>> = Object.fromEntries(
  Object.entries(SHIFTS).flatMap(([k, [n, kind]]) => {
    const e: [number, number, typeof kind] = [Number(k) >> 5, Number(k) & 31, kind];
    return kind === 'narrow' ? [[n, e], [`${n}2`, e]] : kind === 'long' ? [] : [[n, e]];
  }),
);

function shift(name: string, other?: Handler): Handler {
  return (ops, mn) => {
    // SQSHL/UQSHL, SCVTF...: the other forms (by register, from a general register) elsewhere.
    if (other !== undefined && (ops.length !== 3 || ops.at(2).kind === 'vreg' || kindOf(ops, 0) === 'gpr' || kindOf(ops, 1) === 'gpr')) return other(ops, mn);
    ops.expect(3, 'Vd.T, Vn.T, #shift');
    const [u, opc, kind] = SHIFT[name];
    const amount = Number(ops.imm(2));
    if (kindOf(ops, 0) === 'scalar') {
      const [d, n] = [scalar(ops, 0), scalar(ops, 1)];
      if (kind === 'narrow' ? n.size !== d.size + 1 : n.size !== d.size) fail(`${ops.mnemonic}: wrong register sizes`);
      const imm = encodeShift(kind, d.size, amount) ?? fail(`shift amount ${amount} is out of range for ${ops.mnemonic}`);
      return simd('S_SHIFT', { u, opc, imm, rd: d.n, rn: n.n });
    }
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    if (kind === 'narrow') {
      if (d.q !== name.endsWith('2') || !n.q || n.size !== d.size + 1) fail(`${ops.mnemonic} narrows a vector of twice the element size`);
    } else same(ops, d, n);
    const imm = encodeShift(kind, d.size, amount) ?? fail(`shift amount ${amount} is out of range for ${ops.mnemonic} .${d.arr}`);
    return simd('V_SHIFT', { u, opc, q: d.q, imm, rd: d.n, rn: n.n });
  };
}

/** imm5 for an element of `size` at `index`. */
const imm5 = (size: number, index: number): number => ((index << (size + 1)) | (1 << size)) & 31;

const dup: Handler = (ops) => {
  ops.expect(2, 'Vd.T, Vn.Ts[i] or Vd.T, Rn');
  if (kindOf(ops, 0) === 'scalar') {
    const d = scalar(ops, 0);
    const e = element(ops, 1);
    if (d.size !== e.size) fail(`${ops.mnemonic}: the element and the scalar must be the same size`);
    return simd('S_COPY', { imm: imm5(e.size, e.index) << 4, rd: d.n, rn: e.n });
  }
  const d = vec(ops, 0);
  if (kindOf(ops, 1) === 'gpr') {
    const r = gpr(ops, 1);
    if (r.is64 !== (d.size === 3)) fail(`dup of .${d.arr} takes a ${d.size === 3 ? 'X' : 'W'} register`);
    return simd('V_COPY', { q: d.q, imm: (imm5(d.size, 0) << 4) | 0b0001, rd: d.n, rn: r.num });
  }
  const e = element(ops, 1);
  if (e.size !== d.size) fail('dup: the element and the vector must have the same element size');
  return simd('V_COPY', { q: d.q, imm: imm5(e.size, e.index) << 4, rd: d.n, rn: e.n });
};

/** INS/MOV to an element, from a general register or another element. */
function insert(ops: Ops): SimdFp {
  const d = element(ops, 0);
  if (kindOf(ops, 1) === 'gpr') {
    const r = gpr(ops, 1);
    if (r.is64 !== (d.size === 3)) fail(`${ops.mnemonic} to .${'bhsd'[d.size]} takes a ${d.size === 3 ? 'X' : 'W'} register`);
    return simd('V_COPY', { q: true, imm: (imm5(d.size, d.index) << 4) | 0b0011, rd: d.n, rn: r.num });
  }
  const s = element(ops, 1);
  if (s.size !== d.size) fail(`${ops.mnemonic}: the elements must be the same size`);
  return simd('V_COPY', { q: true, u: 1, imm: (imm5(d.size, d.index) << 4) | ((s.index << s.size) & 15), rd: d.n, rn: s.n });
}

function moveToGeneral(ops: Ops, signed: boolean): SimdFp {
  const r = gpr(ops, 0);
  const e = element(ops, 1);
  return simd('V_COPY', { q: r.is64, imm: (imm5(e.size, e.index) << 4) | (signed ? 0b0101 : 0b0111), rd: r.num, rn: e.n });
}

const ins: Handler = (ops) => {
  ops.expect(2, 'Vd.Ts[i], Rn or Vd.Ts[i], Vn.Ts[j]');
  return insert(ops);
};
const umov: Handler = (ops) => {
  ops.expect(2, 'Rd, Vn.Ts[i]');
  return moveToGeneral(ops, false);
};
const smov: Handler = (ops) => {
  ops.expect(2, 'Rd, Vn.Ts[i]');
  return moveToGeneral(ops, true);
};

/** MOV with a SIMD&FP operand: ORR (vector), INS, UMOV, DUP (scalar). */
const mov: Handler = (ops) => {
  ops.expect(2, 'Vd.T, Vn.T / Vd.Ts[i], Rn / Rd, Vn.Ts[i] / Vd, Vn.Ts[i]');
  const k0 = kindOf(ops, 0);
  if (k0 === 'elem') return insert(ops);
  if (k0 === 'gpr') return moveToGeneral(ops, false);
  if (k0 === 'scalar') return dup(ops, 'mov');
  const d = vec(ops, 0);
  const n = vec(ops, 1);
  if (d.size !== 0 || n.arr !== d.arr) fail('mov (vector) takes .8b or .16b vectors');
  return simd('V_3SAME', { u: 0, size: 2, opc: 0b00011, q: d.q, rd: d.n, rn: n.n, rm: n.n });
};

// ---------------------------------------------------------------- modified immediate

/** The imm8 whose FP immediate is `v`, or undefined. */
function fpImm8(v: number): number | undefined {
  for (let k = 0; k < 256; k++) if (fpImmValue(k) === v) return k;
  return undefined;
}

function fimm(ops: Ops, i: number): number {
  const o = ops.at(i);
  if (o.kind === 'fimm') return (o as FpImmOperand).value;
  if (o.kind === 'imm') return Number(ops.ctx.value(o.expr));
  return fail(`operand ${i + 1} of ${ops.mnemonic} must be a floating-point immediate, not '${o.text}'`);
}

function modImm(name: 'movi' | 'mvni' | 'orr' | 'bic'): Handler {
  return (ops) => {
    ops.expect([2, 3], 'Vd.T, #imm8 {, lsl #n | msl #n}');
    const invert = name === 'mvni' || name === 'bic' ? 1 : 0;
    const orr = name === 'orr' || name === 'bic';
    const value = ops.imm(1);
    const s = ops.shift(2);
    const amount = s === undefined ? 0 : ops.shiftAmount(s);
    if (name === 'movi' && kindOf(ops, 0) === 'scalar') {
      const d = scalar(ops, 0);
      if (d.size !== 3) fail('movi (scalar) takes a D register');
      return simd('V_MODIMM', { u: 1, opc: 0xe, imm: byteMask(value), rd: d.n });
    }
    const d = vec(ops, 0);
    if (d.arr === '2d') {
      if (name !== 'movi') fail(`${ops.mnemonic} has no .2d form`);
      return simd('V_MODIMM', { u: 1, q: true, opc: 0xe, imm: byteMask(value), rd: d.n });
    }
    if (value < 0n || value > 255n) fail(`immediate ${value} does not fit ${ops.mnemonic} (8 bits, shifted)`);
    const imm = Number(value);
    if (d.size === 0) {
      if (name !== 'movi' || s !== undefined) fail(`${ops.mnemonic} .${d.arr} takes an 8-bit immediate only`);
      return simd('V_MODIMM', { u: 0, q: d.q, opc: 0xe, imm, rd: d.n });
    }
    if (s?.type === 'msl') {
      if (orr || d.size !== 2 || (amount !== 8 && amount !== 16)) fail(`${ops.mnemonic}: msl #8 or #16 with .2s/.4s only`);
      return simd('V_MODIMM', { u: invert, q: d.q, opc: amount === 8 ? 0xc : 0xd, imm, rd: d.n });
    }
    if (s !== undefined && s.type !== 'lsl') fail(`${ops.mnemonic} takes lsl or msl`);
    if (d.size === 1) {
      if (amount !== 0 && amount !== 8) fail(`${ops.mnemonic} .${d.arr}: lsl #0 or #8`);
      return simd('V_MODIMM', { u: invert, q: d.q, opc: 0x8 | ((amount / 8) << 1) | (orr ? 1 : 0), imm, rd: d.n });
    }
    if (d.size !== 2 || amount % 8 !== 0 || amount > 24) fail(`${ops.mnemonic} .${d.arr}: lsl #0, #8, #16 or #24`);
    return simd('V_MODIMM', { u: invert, q: d.q, opc: ((amount / 8) << 1) | (orr ? 1 : 0), imm, rd: d.n });
  };
}

/** imm8 of MOVI's 64-bit form: one bit per all-ones byte. */
function byteMask(v: bigint): number {
  let imm = 0;
  for (let k = 0; k < 8; k++) {
    const b = (v >> BigInt(8 * k)) & 0xffn;
    if (b === 0xffn) imm |= 1 << k;
    else if (b !== 0n) fail(`immediate 0x${v.toString(16)} is not made of 0x00 and 0xff bytes`);
  }
  if (expandImm(1, 0xe, imm) !== BigInt.asUintN(64, v)) fail(`immediate 0x${v.toString(16)} does not fit movi`);
  return imm;
}

/** ORR/BIC: of three vectors, or of a vector and an immediate (the modified-immediate forms). */
function orrBic(name: 'orr' | 'bic'): Handler {
  const reg = logic3(name);
  const imm = modImm(name);
  return (ops, m) => (ops.list[1]?.kind === 'imm' ? imm(ops, m) : reg(ops, m));
}

// ---------------------------------------------------------------- scalar FP

const FTYPE_OF: Readonly<Record<string, number>> = { s: 0, d: 1, h: 3 };

/** An S/D (or H) register: its number and type field. */
function freg(ops: Ops, i: number, half = false): { n: number; t: number } {
  const r = vreg(ops, i);
  const t = FTYPE_OF[r.prefix];
  if (t === undefined || (t === 3 && !half)) fail(`operand ${i + 1} of ${ops.mnemonic} must be an S or D register, not '${r.text}'`);
  return { n: r.num, t };
}

function sameType(ops: Ops, ...rs: { t: number }[]): number {
  if (rs.some((r) => r.t !== rs[0].t)) fail(`the registers of ${ops.mnemonic} must be all S or all D`);
  return rs[0].t;
}

const fmov: Handler = (ops) => {
  ops.expect(2, 'Vd, Vn / Vd, Rn / Rd, Vn / Vd, #imm / Vd.T, #imm');
  const k0 = kindOf(ops, 0);
  const k1 = kindOf(ops, 1);
  if (k0 === 'vec') {
    const d = vec(ops, 0);
    const imm = fpImm8(fimm(ops, 1)) ?? fail(`${ops.at(1).text} cannot be an FMOV immediate`);
    if (d.arr !== '2s' && d.arr !== '4s' && d.arr !== '2d') fail('fmov (vector, immediate) takes .2s, .4s or .2d');
    return simd('V_MODIMM', { u: d.arr === '2d' ? 1 : 0, q: d.q, opc: 0xf, imm, rd: d.n });
  }
  if (k0 === 'gpr' || k1 === 'gpr') {
    const toGeneral = k0 === 'gpr';
    const r = gpr(ops, toGeneral ? 0 : 1);
    const vi = toGeneral ? 1 : 0;
    const base = { sf: r.is64, opc: toGeneral ? 6 : 7, rd: toGeneral ? r.num : vreg(ops, vi).num, rn: toGeneral ? vreg(ops, vi).num : r.num };
    if (kindOf(ops, vi) === 'elem') {
      const e = element(ops, vi);
      if (e.size !== 3 || e.index !== 1 || !r.is64) fail('fmov to or from an element takes Vn.d[1] and an X register');
      return simd('FP_INT', { ...base, size: 2, imm: 1 });
    }
    const f = freg(ops, vi);
    if ((f.t === 1) !== r.is64) fail(`fmov between ${r.is64 ? 'X and D' : 'W and S'} registers only`);
    return simd('FP_INT', { ...base, size: f.t, imm: 0 });
  }
  const d = freg(ops, 0);
  if (kindOf(ops, 1) === 'scalar') {
    const n = freg(ops, 1);
    return simd('FP_1', { size: sameType(ops, d, n), opc: 0, rd: d.n, rn: n.n });
  }
  const imm = fpImm8(fimm(ops, 1)) ?? fail(`${ops.at(1).text} cannot be an FMOV immediate`);
  return simd('FP_IMM', { size: d.t, imm, rd: d.n });
};

function fp1(opc: number): Handler {
  return (ops) => {
    ops.expect(2, 'Vd, Vn');
    const [d, n] = [freg(ops, 0), freg(ops, 1)];
    return simd('FP_1', { size: sameType(ops, d, n), opc, rd: d.n, rn: n.n });
  };
}

const fcvt: Handler = (ops) => {
  ops.expect(2, 'Vd, Vn');
  const [d, n] = [freg(ops, 0, true), freg(ops, 1, true)];
  if (d.t === n.t) fail('fcvt converts between different precisions');
  return simd('FP_1', { size: n.t, opc: 4 | d.t, rd: d.n, rn: n.n });
};

function fp2(opc: number): Handler {
  return (ops) => {
    ops.expect(3, 'Vd, Vn, Vm');
    const [d, n, m] = [freg(ops, 0), freg(ops, 1), freg(ops, 2)];
    return simd('FP_2', { size: sameType(ops, d, n, m), opc, rd: d.n, rn: n.n, rm: m.n });
  };
}

function fp3(k: number): Handler {
  return (ops) => {
    ops.expect(4, 'Vd, Vn, Vm, Va');
    const [d, n, m, a] = [freg(ops, 0), freg(ops, 1), freg(ops, 2), freg(ops, 3)];
    return simd('FP_3', { size: sameType(ops, d, n, m, a), u: k >> 1, opc: k & 1, rd: d.n, rn: n.n, rm: m.n, ra: a.n });
  };
}

function fcmp(signalling: boolean): Handler {
  return (ops) => {
    ops.expect(2, 'Vn, Vm or Vn, #0.0');
    const n = freg(ops, 0);
    if (kindOf(ops, 1) !== 'scalar') {
      if (!isZeroImm(ops, 1)) fail(`${ops.mnemonic} compares with #0.0 only`);
      return simd('FP_CMP', { size: n.t, opc: (signalling ? 16 : 0) | 8, rn: n.n });
    }
    const m = freg(ops, 1);
    return simd('FP_CMP', { size: sameType(ops, n, m), opc: signalling ? 16 : 0, rn: n.n, rm: m.n });
  };
}

function fccmp(signalling: boolean): Handler {
  return (ops) => {
    ops.expect(4, 'Vn, Vm, #nzcv, cond');
    const [n, m] = [freg(ops, 0), freg(ops, 1)];
    return simd('FP_CCMP', { size: sameType(ops, n, m), opc: signalling ? 1 : 0, rn: n.n, rm: m.n, imm: (ops.cond(3) << 4) | ops.small(2, 0, 15, 'nzcv') });
  };
}

const fcsel: Handler = (ops) => {
  ops.expect(4, 'Vd, Vn, Vm, cond');
  const [d, n, m] = [freg(ops, 0), freg(ops, 1), freg(ops, 2)];
  return simd('FP_CSEL', { size: sameType(ops, d, n, m), rd: d.n, rn: n.n, rm: m.n, imm: ops.cond(3) });
};

/** FCVT{N,P,M,Z,A}{S,U} Rd, Vn. */
function fcvtInt(rmode: number, opc: number): Handler {
  return (ops) => {
    if (ops.length === 3 && rmode === 3 && opc <= 1) {
      // FCVTZS/FCVTZU Rd, Vn, #fbits: to fixed point.
      const r = gpr(ops, 0);
      const n = freg(ops, 1);
      return simd('FP_FIXED', { sf: r.is64, size: n.t, opc: 0b11000 | opc, imm: ops.small(2, 1, r.is64 ? 64 : 32, 'fraction bits'), rd: r.num, rn: n.n });
    }
    ops.expect(2, 'Rd, Vn');
    const r = gpr(ops, 0);
    const n = freg(ops, 1);
    return simd('FP_INT', { sf: r.is64, size: n.t, imm: rmode, opc, rd: r.num, rn: n.n });
  };
}

function cvtf(opc: number): Handler {
  return (ops) => {
    if (ops.length === 3) {
      // SCVTF/UCVTF Vd, Rn, #fbits: from fixed point.
      const d = freg(ops, 0);
      const r = gpr(ops, 1);
      return simd('FP_FIXED', { sf: r.is64, size: d.t, opc, imm: ops.small(2, 1, r.is64 ? 64 : 32, 'fraction bits'), rd: d.n, rn: r.num });
    }
    ops.expect(2, 'Vd, Rn');
    const d = freg(ops, 0);
    const r = gpr(ops, 1);
    return simd('FP_INT', { sf: r.is64, size: d.t, opc, rd: d.n, rn: r.num });
  };
}

/** The FP ops of three same on vectors (.2s, .4s, .2d); `scalar` is the FP form of the same mnemonic. */
function fpVector(name: string, scalarForm?: Handler): Handler {
  const entry = Object.entries(FP_THREE_SAME).find(([, n]) => n === name)!;
  const key = Number(entry[0]);
  return (ops, mn) => {
    if (kindOf(ops, 0) !== 'vec') return scalarForm !== undefined ? scalarForm(ops, mn) : fail(`${mn} takes vectors (.2s, .4s, .2d)`);
    ops.expect(3, 'Vd.T, Vn.T, Vm.T');
    const [d, n, m] = [vec(ops, 0), vec(ops, 1), vec(ops, 2)];
    same(ops, d, n);
    same(ops, d, m);
    if (d.size < 2) fail(`${mn} takes .2s, .4s or .2d vectors`);
    return simd('V_3SAME', { u: key >> 4, size: (((key >> 3) & 1) << 1) | (d.size - 2), opc: 0b11000 | (key & 7), q: d.q, rd: d.n, rn: n.n, rm: m.n });
  };
}

/** Three different by name (`upper`: the 2 form). */
function threeDiff(name: string, upper: boolean): Handler {
  const [key, [, shape]] = Object.entries(THREE_DIFF).find(([, [n]]) => n === name)!;
  const k = Number(key);
  return (ops) => {
    ops.expect(3, 'Vd, Vn, Vm');
    if (!upper && kindOf(ops, 0) === 'scalar' && name.startsWith('sqdm')) {
      const [d, n, m] = [scalar(ops, 0), scalar(ops, 1), scalar(ops, 2)];
      if (n.size !== m.size || d.size !== n.size + 1) fail(`${ops.mnemonic} (scalar): Vd is twice the size of Vn and Vm`);
      return simd('S_3DIFF', { u: 0, opc: k & 15, size: n.size, rd: d.n, rn: n.n, rm: m.n });
    }
    const [d, n, m] = [vec(ops, 0), vec(ops, 1), vec(ops, 2)];
    // The narrow element size and Q come from the half-width operand.
    const h = shape === 'narrow' ? d : m;
    const ok =
      h.q === upper &&
      (shape === 'narrow' ? n.q && m.q && n.size === h.size + 1 && m.size === h.size + 1 : d.q && d.size === h.size + 1 && (shape === 'wide' ? n.q && n.size === h.size + 1 : n.q === h.q && n.size === h.size));
    if (!ok) fail(`${ops.mnemonic}: wrong arrangements`);
    return simd('V_3DIFF', { u: k >> 4, opc: k & 15, q: upper, size: h.size, rd: d.n, rn: n.n, rm: m.n });
  };
}

/** FMAXV, FMINV, FMAXNMV, FMINNMV Sd, Vn.4S. */
function fpAcross(name: string): Handler {
  const opc = name.includes('nm') ? 0b01100 : 0b01111;
  const min = name.includes('min') ? 2 : 0;
  return (ops) => {
    ops.expect(2, 'Sd, Vn.4S');
    const d = scalar(ops, 0);
    const n = vec(ops, 1);
    if (d.size !== 2 || n.arr !== '4s') fail(`${ops.mnemonic} is ${ops.mnemonic.toUpperCase()} Sd, Vn.4S`);
    return simd('V_ACROSS', { u: 1, opc, q: true, size: min, rd: d.n, rn: n.n });
  };
}

/** FADDP, FMAXP... of two vectors (three same) or, with two operands, the scalar pairwise form. */
function fpPair(name: string): Handler {
  const vector = fpVector(name);
  const [key] = Object.entries({ fmaxnmp: 0b001100, fminnmp: 0b101100, faddp: 0b001101, fmaxp: 0b001111, fminp: 0b101111 }).find(([n]) => n === name)!.slice(1) as [number];
  return (ops, mn) => {
    if (ops.length !== 2) return vector(ops, mn);
    const d = scalar(ops, 0);
    const n = vec(ops, 1);
    if (!((d.size === 2 && n.arr === '2s') || (d.size === 3 && n.arr === '2d'))) fail(`${mn} (scalar) is ${mn.toUpperCase()} Sd, Vn.2S or Dd, Vn.2D`);
    return simd('S_PAIR', { u: 1, opc: key & 31, size: ((key >> 5) << 1) | (d.size - 2), rd: d.n, rn: n.n });
  };
}

/** By element (Vd, Vn, Vm.Ts[i]); `other` takes the other forms of the mnemonic. */
function byElement(name: string, upper: boolean, other: Handler | undefined): Handler {
  const [key, [, shape]] = Object.entries(BY_ELEMENT).find(([, [n]]) => n === name)!;
  const k = Number(key);
  return (ops, mn) => {
    if (ops.length !== 3 || kindOf(ops, 2) !== 'elem') return other !== undefined ? other(ops, mn) : fail(`${mn} takes Vd, Vn, Vm.Ts[index]`);
    const e = element(ops, 2);
    const fp = shape === 'fp';
    const base = { u: k >> 4, opc: k & 15, rm: e.n, imm: e.index };
    if (kindOf(ops, 0) === 'scalar') {
      const [d, n] = [scalar(ops, 0), scalar(ops, 1)];
      if (!fp || d.size !== n.size || d.size !== e.size || d.size < 2) fail(`${mn} (scalar, by element) takes S or D registers and an element of their size`);
      return simd('S_ELEM', { ...base, size: 2 | (d.size - 2), rd: d.n, rn: n.n });
    }
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    if (shape === 'long') {
      if (n.q !== upper || !d.q || d.size !== n.size + 1 || e.size !== n.size) fail(`${mn}: wrong arrangements`);
    } else if (d.arr !== n.arr || e.size !== d.size) fail(`${mn}: the element must have the vectors' element size`);
    const es = shape === 'long' ? n.size : d.size;
    if (es === 1 && e.n > 15) fail(`${mn}: with .h elements Vm is V0-V15`);
    return simd('V_ELEM', { ...base, q: shape === 'long' ? n.q : d.q, size: fp ? 2 | (es - 2) : es, rd: d.n, rn: n.n });
  };
}

/** FCMEQ/FCMGE/FCMGT: of two vectors (three same) or against #0.0 (two-register misc), vector or scalar. */
function zeroOr(name: string): Handler {
  const zero = fpMisc(name);
  const reg = fpVector(name);
  return (ops, mn) => (ops.length === 3 && ops.at(2).kind !== 'vreg' ? zero(ops, mn) : reg(ops, mn));
}

/** SSHLL/USHLL(2) Vd.Ta, Vn.Tb, #shift and their aliases SXTL/UXTL(2) Vd.Ta, Vn.Tb. */
function shll(u: number, upper: boolean, alias: boolean): Handler {
  return (ops) => {
    ops.expect(alias ? 2 : 3, alias ? 'Vd.Ta, Vn.Tb' : 'Vd.Ta, Vn.Tb, #shift');
    const d = vec(ops, 0);
    const n = vec(ops, 1);
    if (n.q !== upper || !d.q || d.size !== n.size + 1) fail(`${ops.mnemonic} widens Vn's elements into Vd.${ARRANGEMENTS[(n.size + 1) * 2 + 1] ?? '?'}`);
    const amount = alias ? 0 : Number(ops.imm(2));
    const imm = encodeShift('long', n.size, amount) ?? fail(`shift amount ${amount} is out of range for ${ops.mnemonic}`);
    return simd('V_SHIFT', { u, opc: 0b10100, q: n.q, imm, rd: d.n, rn: n.n });
  };
}

// ---------------------------------------------------------------- the table

const TABLE: [string, Handler][] = [
  ['ldr', vldst('LDR_V', false)],
  ['str', vldst('STR_V', false)],
  ['ldur', vldst('LDR_V', true)],
  ['stur', vldst('STR_V', true)],
  ['ldp', vpair('LDP_V')],
  ['stp', vpair('STP_V')],
  ['ldnp', vpair('LDNP_V')],
  ['stnp', vpair('STNP_V')],
  ['ld1', ld1('LD1')],
  ['st1', ld1('ST1')],
  ['ld1r', ldr(1)],
  ['ld2r', ldr(2)],
  ['ld3r', ldr(3)],
  ['ld4r', ldr(4)],
  ['ld2', ld1('LD2')],
  ['st2', ld1('ST2')],
  ['ld3', ld1('LD3')],
  ['st3', ld1('ST3')],
  ['ld4', ld1('LD4')],
  ['st4', ld1('ST4')],
  ...Object.keys(THREE).map((n) => [n, threeSame(n)] as [string, Handler]),
  ['cmle', threeSame('cmle')],
  ['cmlt', threeSame('cmlt')],
  ...LOGIC3.map((n) => [n, n === 'orr' || n === 'bic' ? orrBic(n) : logic3(n)] as [string, Handler]),
  ...Object.keys(MISC).map((n) => [n, twoMisc(n)] as [string, Handler]),
  ...Object.keys(NARROW).flatMap((n) => [[n, narrow(n, false)], [`${n}2`, narrow(n, true)]] as [string, Handler][]),
  ...Object.values(THREE_DIFF).flatMap(([n]) => [[n, threeDiff(n, false)], [`${n}2`, threeDiff(n, true)]] as [string, Handler][]),
  ['saddlp', pairLong(0, 0b00010)],
  ['uaddlp', pairLong(1, 0b00010)],
  ['sadalp', pairLong(0, 0b00110)],
  ['uadalp', pairLong(1, 0b00110)],
  ['shll', shllMisc(false)],
  ['shll2', shllMisc(true)],
  ['fcvtn', fpMisc('fcvtn')],
  ['fcvtn2', fpMisc('fcvtn', undefined, true)],
  ['fcvtl', fpMisc('fcvtl')],
  ['fcvtl2', fpMisc('fcvtl', undefined, true)],
  ['fcvtxn', fpMisc('fcvtxn')],
  ['fcvtxn2', fpMisc('fcvtxn', undefined, true)],
  ['fcmle', fpMisc('fcmle')],
  ...['fmaxv', 'fminv', 'fmaxnmv', 'fminnmv'].map((n) => [n, fpAcross(n)] as [string, Handler]),
  ['fcmlt', fpMisc('fcmlt')],
  ...Object.keys(ACROSS).map((n) => [n, across(n)] as [string, Handler]),
  ...PERMUTE.filter((n): n is NonNullable<typeof n> => n !== undefined).map((n) => [n, permute(n)] as [string, Handler]),
  ['ext', ext],
  ['tbl', tbl(0)],
  ['tbx', tbl(1)],
  ['dup', dup],
  ['ins', ins],
  ['umov', umov],
  ['smov', smov],
  ['mov', mov],
  ['movi', modImm('movi')],
  ['mvni', modImm('mvni')],
  ['fmov', fmov],
  ...Object.entries(FP1_NAMES).filter(([, n]) => n !== 'fmov').map(([k, n]) => [n, fpMisc(n, fp1(Number(k)))] as [string, Handler]),
  ['fcvt', fcvt],
  ...FP2_NAMES.map((n, k) => [n, Object.values(FP_THREE_SAME).includes(n) ? fpVector(n, fp2(k)) : fp2(k)] as [string, Handler]),
  ...Object.values(FP_THREE_SAME).filter((n) => !(FP2_NAMES as readonly string[]).includes(n)).map((n) => [n, ['fcmeq', 'fcmge', 'fcmgt'].includes(n) ? zeroOr(n) : fpVector(n)] as [string, Handler]),
  ['sshll', shll(0, false, false)],
  ['sshll2', shll(0, true, false)],
  ['ushll', shll(1, false, false)],
  ['ushll2', shll(1, true, false)],
  ['sxtl', shll(0, false, true)],
  ['sxtl2', shll(0, true, true)],
  ['uxtl', shll(1, false, true)],
  ['uxtl2', shll(1, true, true)],
  ...FP3_NAMES.map((n, k) => [n, fp3(k)] as [string, Handler]),
  ['fcmp', fcmp(false)],
  ['fcmpe', fcmp(true)],
  ['fccmp', fccmp(false)],
  ['fccmpe', fccmp(true)],
  ['fcsel', fcsel],
  ...(['n', 'p', 'm', 'z'] as const).flatMap((r, k) => [[`fcvt${r}s`, fpMisc(`fcvt${r}s`, fcvtInt(k, 0))], [`fcvt${r}u`, fpMisc(`fcvt${r}u`, fcvtInt(k, 1))]] as [string, Handler][]),
  ['fcvtas', fpMisc('fcvtas', fcvtInt(0, 4))],
  ['fcvtau', fpMisc('fcvtau', fcvtInt(0, 5))],
  ['scvtf', fpMisc('scvtf', cvtf(2))],
  ['ucvtf', fpMisc('ucvtf', cvtf(3))],
];

export const SIMD_HANDLERS: ReadonlyMap<string, Handler> = (() => {
  const m = new Map<string, Handler>(TABLE);
  // Shifts by immediate: a mnemonic with another form (SQSHL by register, SCVTF from a general
  // register, FCVTZS...) goes to it unless the operands are Vd, Vn, #imm.
  for (const n of Object.keys(SHIFT)) m.set(n, shift(n, m.get(n)));
  // By element: the mnemonics that have a Vm.Ts[index] form.
  for (const [n, shape] of Object.values(BY_ELEMENT)) {
    m.set(n, byElement(n, false, m.get(n)));
    if (shape === 'long') m.set(`${n}2`, byElement(n, true, m.get(`${n}2`)));
  }
  // FADDP, FMAXP...: of two vectors, or the scalar pairwise form.
  for (const n of ['faddp', 'fmaxp', 'fminp', 'fmaxnmp', 'fminnmp']) m.set(n, fpPair(n));
  return m;
})();

