/**
 * Instruction syntax → fields: one handler per mnemonic (including GNU's aliases: MOV, CMP, TST,
 * LSL, CSET...). Handlers choose the form as GNU as does (e.g. LDR with a negative offset becomes
 * LDUR, ADD of a negative immediate becomes SUB) and leave range checks to the encoders.
 */
import { MASK64, encodeLogicImm, hex } from './bits';
import { ExprError, type Expr } from './expr';
import { SP, ZR, type DcOp, type Extend, type IcOp, type InsnFields, type LoadStore, type LoadStoreExclusive, type LoadStorePair, type Prefetch, type RegExtend, type ShiftType } from './insn';
import { PRFOPS } from './encodings/loads-stores';
import { AT_OPS, TLBI_OPS } from './encodings/tlbi-at';
import { DC_OPS, HINT_NAMES, IC_OPS, LATER_SYS_OPS, PSTATE_FIELDS, barrierOption, conditionCode, parseSysReg } from './names';
import type { ImmOperand, MemOperand, Operand, RegOperand, ShiftOperand } from './operands';
import { BEYOND_V80_HANDLERS, bcCond, withNxs, withSysV8x } from './asm-beyond-v80';
import { SIMD_HANDLERS, isSimdOperand } from './asm-simd';

/** What a handler needs from the assembler: values of expressions at this instruction. */
export interface InsnContext {
  /** Address of the instruction. */
  readonly pc: bigint;
  value(e: Expr): bigint;
}

/** A handler's result: fields to encode, or a raw word (UDF). */
export type AsmResult = InsnFields | { readonly raw: number };

export type Handler = (ops: Ops, mnemonic: string) => AsmResult;

const fail = (msg: string): never => {
  throw new ExprError(msg);
};

/** Operand accessors with checks and GNU-like messages. */
export class Ops {
  constructor(
    readonly list: readonly Operand[],
    readonly ctx: InsnContext,
    readonly mnemonic: string,
  ) {}

  get length(): number {
    return this.list.length;
  }

  expect(counts: number | readonly number[], usage: string): void {
    const ok = typeof counts === 'number' ? this.list.length === counts : counts.includes(this.list.length);
    if (!ok) fail(`${this.mnemonic} takes ${usage}, got ${this.list.length} operand${this.list.length === 1 ? '' : 's'}`);
  }

  at(i: number): Operand {
    return this.list[i] ?? fail(`${this.mnemonic}: missing operand ${i + 1}`);
  }

  isReg(i: number): boolean {
    return this.list[i]?.kind === 'reg';
  }

  /**
   * A general register. `width` is 'x', 'w' or 'any'; `allow` says whether SP or ZR (31 in the
   * encoding) may appear here.
   */
  reg(i: number, width: 'x' | 'w' | 'any', allow: 'sp' | 'zr'): RegOperand {
    const o = this.at(i);
    if (o.kind !== 'reg') return fail(`operand ${i + 1} of ${this.mnemonic} must be a register, not '${o.text}'`);
    if (width === 'x' && !o.is64) fail(`operand ${i + 1} of ${this.mnemonic} must be an X register, not '${o.text}'`);
    if (width === 'w' && o.is64) fail(`operand ${i + 1} of ${this.mnemonic} must be a W register, not '${o.text}'`);
    if (o.num === SP && allow !== 'sp') fail(`operand ${i + 1} of ${this.mnemonic} cannot be ${o.text} (register 31 is the zero register here)`);
    if (o.num === ZR && allow !== 'zr') fail(`operand ${i + 1} of ${this.mnemonic} cannot be ${o.text} (register 31 is the stack pointer here)`);
    return o;
  }

  /** A register of the same width as `sf`. */
  regSf(i: number, sf: boolean, allow: 'sp' | 'zr'): number {
    return this.reg(i, sf ? 'x' : 'w', allow).num;
  }

  immOp(i: number): ImmOperand {
    const o = this.at(i);
    if (o.kind === 'pool') fail(`'${o.text}' (a literal pool load) takes the form ldr Wt/Xt, =value or ldrsw Xt, =value`);
    if (o.kind !== 'imm') fail(`operand ${i + 1} of ${this.mnemonic} must be an immediate or expression, not '${o.text}'`);
    return o as ImmOperand;
  }

  /** The value of an immediate operand (`:lo12:` applied). */
  imm(i: number): bigint {
    const o = this.immOp(i);
    const v = this.ctx.value(o.expr);
    return o.lo12 ? v & 0xfffn : v;
  }

  /** An immediate that must lie in [lo, hi]. */
  small(i: number, lo: number, hi: number, what: string): number {
    const v = this.imm(i);
    if (v < BigInt(lo) || v > BigInt(hi)) fail(`${what} ${v} is out of range (${lo}-${hi})`);
    return Number(v);
  }

  /** A bare name (condition, barrier option, system register, cache op). */
  name(i: number, what: string): string {
    const o = this.at(i);
    if (o.kind === 'imm' && !o.hash && o.expr.k === 'sym') return o.expr.name;
    return fail(`operand ${i + 1} of ${this.mnemonic} must be ${what}, not '${o.text}'`);
  }

  shift(i: number): ShiftOperand | undefined {
    const o = this.list[i];
    if (o === undefined) return undefined;
    if (o.kind !== 'shift') return fail(`operand ${i + 1} of ${this.mnemonic} must be a shift (lsl/lsr/asr${this.mnemonic.match(/^(and|bic|orr|orn|eor|eon|ands|bics|tst|mvn)$/) ? '/ror' : ''} #n), not '${o.text}'`);
    return o;
  }

  shiftAmount(s: ShiftOperand): number {
    if (s.amount === undefined) return fail(`${s.type} needs an amount, e.g. '${s.type} #2'`);
    const v = this.ctx.value(s.amount);
    if (v < 0n || v > 63n) fail(`shift amount ${v} is out of range`);
    return Number(v);
  }

  /** Branch offset from this instruction to the target expression of operand `i`. */
  offset(i: number): number {
    const target = this.imm(i);
    const off = BigInt.asIntN(64, target - this.ctx.pc);
    if (off < -(1n << 40n) || off > 1n << 40n) fail(`target ${hex(target & MASK64)} is out of range`);
    return Number(off);
  }

  mem(i: number): MemOperand {
    const o = this.at(i);
    if (o.kind !== 'mem') return fail(`operand ${i + 1} of ${this.mnemonic} must be a memory operand like [x1, #8], not '${o.text}'`);
    return o;
  }

  cond(i: number): number {
    const n = this.name(i, 'a condition (eq, ne, hs, lo, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv)');
    return conditionCode(n) ?? fail(`'${n}' is not a condition`);
  }
}

/** Converts a checked bigint to a number (values here are bounded by the checks). */
const num = (v: bigint): number => Number(v);

/** Width of an operation from its first register. */
function sfOf(ops: Ops, i = 0): boolean {
  const o = ops.at(i);
  if (o.kind !== 'reg') fail(`operand ${i + 1} of ${ops.mnemonic} must be a register, not '${o.text}'`);
  return (o as RegOperand).is64;
}

/** A value for a `width`-bit immediate: accepts unsigned or (two's complement) negative forms. */
function truncImm(v: bigint, sf: boolean, what: string): bigint {
  const bitsN = sf ? 64n : 32n;
  if (v < -(1n << (bitsN - 1n)) || v >= 1n << bitsN) fail(`immediate ${v} does not fit ${what} (${bitsN} bits)`);
  return BigInt.asUintN(Number(bitsN), v);
}

// ---------------------------------------------------------------- moves

function movWide(op: 'MOVZ' | 'MOVN' | 'MOVK'): Handler {
  return (ops) => {
    ops.expect([2, 3], 'Rd, #imm16 {, lsl #0/16/32/48}');
    const sf = sfOf(ops);
    const rd = ops.regSf(0, sf, 'zr');
    let shift = 0;
    const s = ops.shift(2);
    if (s !== undefined) {
      if (s.type !== 'lsl') fail(`${op} takes only lsl, not ${s.type}`);
      shift = ops.shiftAmount(s);
    }
    const v = ops.imm(1);
    if (v < 0n || v > 0xffffn) fail(`immediate ${v} does not fit ${op} (16 bits, optionally shifted by ${sf ? '16/32/48' : '16'})`);
    return { op, sf, rd, imm: num(v), shift };
  };
}

/** MOV Rd, #imm as GNU as picks it: MOVZ, else MOVN, else ORR with a bitmask immediate. */
function movImm(ops: Ops, sf: boolean, rd: number): InsnFields {
  const raw = ops.imm(1);
  const v = truncImm(raw, sf, 'MOV');
  const width = sf ? 64 : 32;
  if (rd !== SP) {
    for (let s = 0; s < width; s += 16) if ((v & ~(0xffffn << BigInt(s))) === 0n) return { op: 'MOVZ', sf, rd, imm: num(v >> BigInt(s)), shift: s };
    const inv = ~v & (sf ? MASK64 : 0xffffffffn);
    for (let s = 0; s < width; s += 16) if ((inv & ~(0xffffn << BigInt(s))) === 0n) return { op: 'MOVN', sf, rd, imm: num(inv >> BigInt(s)), shift: s };
  }
  if (encodeLogicImm(v, sf ? 64 : 32) === undefined) fail(`immediate ${hex(v)} cannot be made by a single MOV (MOVZ, MOVN or ORR with a bitmask immediate)`);
  return { op: 'ORR_IMM', sf, rd, rn: ZR, immLo: num(v & 0xffffffffn), immHi: num(v >> 32n) };
}

const mov: Handler = (ops) => {
  ops.expect(2, 'Rd, Rm or Rd, #imm');
  const sf = sfOf(ops);
  const d = ops.at(0) as RegOperand;
  if (ops.isReg(1)) {
    // To or from SP it is ADD #0; otherwise ORR with the zero register.
    if (d.num === SP || (ops.at(1) as RegOperand).num === SP) return { op: 'ADD_IMM', sf, rd: ops.regSf(0, sf, 'sp'), rn: ops.regSf(1, sf, 'sp'), imm: 0, shift: 0 };
    return { op: 'ORR_REG', sf, rd: ops.regSf(0, sf, 'zr'), rn: ZR, rm: ops.regSf(1, sf, 'zr'), shiftType: 'lsl', shift: 0 };
  }
  return movImm(ops, sf, ops.regSf(0, sf, d.num === SP ? 'sp' : 'zr'));
};

// ---------------------------------------------------------------- arithmetic and logic

function optShift(ops: Ops, i: number, allowRor: boolean): { shiftType: ShiftType; shift: number } {
  const s = ops.shift(i);
  if (s === undefined) return { shiftType: 'lsl', shift: 0 };
  if (!['lsl', 'lsr', 'asr', ...(allowRor ? ['ror'] : [])].includes(s.type)) fail(`${ops.mnemonic} does not take '${s.type}' here`);
  return { shiftType: s.type as ShiftType, shift: ops.shiftAmount(s) };
}

const isSP = (ops: Ops, i: number): boolean => {
  const o = ops.at(i);
  return o.kind === 'reg' && o.num === SP;
};

type ArithOp = 'ADD' | 'ADDS' | 'SUB' | 'SUBS';
const NEGATED: Readonly<Record<ArithOp, ArithOp>> = { ADD: 'SUB', SUB: 'ADD', ADDS: 'SUBS', SUBS: 'ADDS' };

/** The immediate form; a negative immediate flips ADD/SUB as GNU as does. */
function arithImm(ops: Ops, op: ArithOp, sf: boolean, rd: number, rn: number, immIndex: number): InsnFields {
  const o = ops.immOp(immIndex);
  const given = ops.imm(immIndex);
  const s = ops.shift(immIndex + 1);
  const tooBig = (): never => fail(`immediate ${given} does not fit ${ops.mnemonic.toUpperCase()} (12 bits, optionally shifted by 12)`);
  let shift: 0 | 12 = 0;
  if (s !== undefined) {
    const amount = s.type === 'lsl' ? ops.shiftAmount(s) : -1;
    if (amount !== 0 && amount !== 12) fail(`${ops.mnemonic} immediate shift must be lsl #0 or lsl #12`);
    shift = amount as 0 | 12;
  }
  let v = given;
  if (v < 0n && !o.lo12) {
    op = NEGATED[op];
    v = -v;
  }
  if (s !== undefined) {
    if (v > 0xfffn) tooBig();
    v <<= BigInt(shift);
  } else if (v > 0xfffn) {
    if ((v & 0xfffn) !== 0n || v >> 12n > 0xfffn) tooBig();
    shift = 12;
  }
  return { op: `${op}_IMM`, sf, rd, rn, imm: num(v), shift };
}

function arith(op: ArithOp): Handler {
  return (ops) => {
    ops.expect([3, 4], 'Rd, Rn, #imm {, lsl #12} or Rd, Rn, Rm {, shift #n}');
    const sf = sfOf(ops);
    const sOp = op === 'ADDS' || op === 'SUBS';
    if (ops.isReg(2)) {
      if (wantsExtended(ops, sf, [0, 1], 2)) return arithExt(ops, op, sf, ops.regSf(0, sf, sOp ? 'zr' : 'sp'), ops.regSf(1, sf, 'sp'), 2);
      return { op: `${op}_REG`, sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), rm: ops.regSf(2, sf, 'zr'), ...optShift(ops, 3, false) };
    }
    const rd = ops.regSf(0, sf, sOp ? 'zr' : 'sp');
    const rn = ops.regSf(1, sf, 'sp');
    return arithImm(ops, op, sf, rd, rn, 2);
  };
}

function compare(op: 'SUBS' | 'ADDS'): Handler {
  return (ops) => {
    ops.expect([2, 3], 'Rn, #imm or Rn, Rm {, shift #n}');
    const sf = sfOf(ops);
    if (ops.isReg(1)) {
      if (wantsExtended(ops, sf, [0], 1)) return arithExt(ops, op, sf, ZR, ops.regSf(0, sf, 'sp'), 1);
      return { op: `${op}_REG`, sf, rd: ZR, rn: ops.regSf(0, sf, 'zr'), rm: ops.regSf(1, sf, 'zr'), ...optShift(ops, 2, false) };
    }
    return arithImm(ops, op, sf, ZR, ops.regSf(0, sf, 'sp'), 1);
  };
}

const EXTEND_NAMES: readonly string[] = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];

/**
 * Whether ADD/SUB/CMP/CMN with register `rmIndex` is the extended-register form: an extend
 * operator follows, SP is one of `spIndexes`, or a 64-bit operation adds a W register.
 */
function wantsExtended(ops: Ops, sf: boolean, spIndexes: readonly number[], rmIndex: number): boolean {
  const after = ops.list[rmIndex + 1];
  if (after?.kind === 'shift' && EXTEND_NAMES.includes(after.type)) return true;
  if (spIndexes.some((i) => isSP(ops, i))) return true;
  const rm = ops.at(rmIndex);
  return sf && rm.kind === 'reg' && !rm.is64;
}

/**
 * The extended-register form, as GNU as reads it: `Rm, <extend> {#0-4}`; with SP as Rd or Rn,
 * `lsl #n` or nothing means UXTX (UXTW for a 32-bit operation, or a W register).
 */
function arithExt(ops: Ops, op: ArithOp, sf: boolean, rd: number, rn: number, rmIndex: number): InsnFields {
  const rmOp = ops.reg(rmIndex, sf ? 'any' : 'w', 'zr');
  const s = ops.shift(rmIndex + 1);
  if (ops.length > rmIndex + 2) fail(`${ops.mnemonic} takes no operand after the extend`);
  let extend: RegExtend;
  let shift = 0;
  if (s === undefined || s.type === 'lsl') {
    if (!isSP(ops, 0) && !isSP(ops, rmIndex - 1)) fail(`missing extend operator at operand ${rmIndex + 1} of ${ops.mnemonic} (uxtb, uxth, uxtw, uxtx, sxtb, sxth, sxtw, sxtx)`);
    extend = sf && rmOp.is64 ? 'uxtx' : 'uxtw';
    if (s !== undefined) shift = ops.shiftAmount(s);
  } else {
    if (!EXTEND_NAMES.includes(s.type)) fail(`${ops.mnemonic} with SP or an extended register takes an extend operator or lsl, not ${s.type}`);
    extend = s.type as RegExtend;
    if (s.amount !== undefined) shift = ops.shiftAmount(s);
  }
  if (shift > 4) fail(`extend shift amount ${shift} is out of range (0-4)`);
  return { op: `${op}_EXT`, sf, rd, rn, rm: rmOp.num, extend, shift };
}

function negate(op: 'SUB' | 'SUBS'): Handler {
  return (ops) => {
    ops.expect([2, 3], 'Rd, Rm {, shift #n}');
    const sf = sfOf(ops);
    return { op: `${op}_REG`, sf, rd: ops.regSf(0, sf, 'zr'), rn: ZR, rm: ops.regSf(1, sf, 'zr'), ...optShift(ops, 2, false) };
  };
}

type LogicOp = 'AND' | 'BIC' | 'ORR' | 'ORN' | 'EOR' | 'EON' | 'ANDS' | 'BICS';
/** BIC/ORN/EON/BICS of an immediate are AND/ORR/EOR/ANDS of its complement. */
const IMM_OF: Readonly<Record<LogicOp, ['AND' | 'ORR' | 'EOR' | 'ANDS', boolean]>> = {
  AND: ['AND', false], BIC: ['AND', true], ORR: ['ORR', false], ORN: ['ORR', true],
  EOR: ['EOR', false], EON: ['EOR', true], ANDS: ['ANDS', false], BICS: ['ANDS', true],
};

function logicImmFields(ops: Ops, op: LogicOp, sf: boolean, rd: number, rn: number, i: number): InsnFields {
  const [immOp, invert] = IMM_OF[op];
  let v = truncImm(ops.imm(i), sf, op);
  if (invert) v = ~v & (sf ? MASK64 : 0xffffffffn);
  return { op: `${immOp}_IMM`, sf, rd, rn, immLo: num(v & 0xffffffffn), immHi: num(v >> 32n) };
}

function logic(op: LogicOp): Handler {
  return (ops) => {
    ops.expect([3, 4], 'Rd, Rn, #bitmask or Rd, Rn, Rm {, shift #n}');
    const sf = sfOf(ops);
    if (ops.isReg(2)) {
      return { op: `${op}_REG`, sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), rm: ops.regSf(2, sf, 'zr'), ...optShift(ops, 3, true) };
    }
    const flags = IMM_OF[op][0] === 'ANDS';
    return logicImmFields(ops, op, sf, ops.regSf(0, sf, flags ? 'zr' : 'sp'), ops.regSf(1, sf, 'zr'), 2);
  };
}

const tst: Handler = (ops) => {
  ops.expect([2, 3], 'Rn, #bitmask or Rn, Rm {, shift #n}');
  const sf = sfOf(ops);
  if (ops.isReg(1)) return { op: 'ANDS_REG', sf, rd: ZR, rn: ops.regSf(0, sf, 'zr'), rm: ops.regSf(1, sf, 'zr'), ...optShift(ops, 2, true) };
  return logicImmFields(ops, 'ANDS', sf, ZR, ops.regSf(0, sf, 'zr'), 1);
};

const mvn: Handler = (ops) => {
  ops.expect([2, 3], 'Rd, Rm {, shift #n}');
  const sf = sfOf(ops);
  return { op: 'ORN_REG', sf, rd: ops.regSf(0, sf, 'zr'), rn: ZR, rm: ops.regSf(1, sf, 'zr'), ...optShift(ops, 2, true) };
};

/** LSL/LSR/ASR/ROR: by immediate (UBFM/SBFM/EXTR aliases) or by register (xxxV). */
function shiftOp(kind: 'lsl' | 'lsr' | 'asr' | 'ror'): Handler {
  return (ops) => {
    ops.expect(3, 'Rd, Rn, #amount or Rd, Rn, Rm');
    const sf = sfOf(ops);
    const rd = ops.regSf(0, sf, 'zr');
    const rn = ops.regSf(1, sf, 'zr');
    const size = sf ? 64 : 32;
    if (ops.isReg(2)) return { op: `${kind.toUpperCase()}V` as 'LSLV', sf, rd, rn, rm: ops.regSf(2, sf, 'zr') };
    const n = ops.small(2, 0, size - 1, `${kind} amount`);
    switch (kind) {
      case 'lsl':
        return { op: 'UBFM', sf, rd, rn, immr: (size - n) % size, imms: size - 1 - n };
      case 'lsr':
        return { op: 'UBFM', sf, rd, rn, immr: n, imms: size - 1 };
      case 'asr':
        return { op: 'SBFM', sf, rd, rn, immr: n, imms: size - 1 };
      case 'ror':
        return { op: 'EXTR', sf, rd, rn, rm: rn, lsb: n };
    }
  };
}

function threeReg(op: 'UDIV' | 'SDIV' | 'LSLV' | 'LSRV' | 'ASRV' | 'RORV'): Handler {
  return (ops) => {
    ops.expect(3, 'Rd, Rn, Rm');
    const sf = sfOf(ops);
    return { op, sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), rm: ops.regSf(2, sf, 'zr') };
  };
}

function bfm(op: 'SBFM' | 'UBFM' | 'BFM'): Handler {
  return (ops) => {
    ops.expect(4, 'Rd, Rn, #immr, #imms');
    const sf = sfOf(ops);
    const max = sf ? 63 : 31;
    return { op, sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), immr: ops.small(2, 0, max, 'immr'), imms: ops.small(3, 0, max, 'imms') };
  };
}

/** UBFX/SBFX (extract) and UBFIZ/SBFIZ (insert in zero): #lsb, #width. */
function bitfieldAlias(op: 'SBFM' | 'UBFM' | 'BFM', insert: boolean): Handler {
  return (ops) => {
    ops.expect(4, 'Rd, Rn, #lsb, #width');
    const sf = sfOf(ops);
    const size = sf ? 64 : 32;
    const lsb = ops.small(2, 0, size - 1, 'lsb');
    const width = ops.small(3, 1, size - lsb, 'width');
    const [immr, imms] = insert ? [(size - lsb) % size, width - 1] : [lsb, lsb + width - 1];
    return { op, sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), immr, imms };
  };
}

/** SXTB/SXTH/SXTW/UXTB/UXTH Rd, Wn. */
function extendAlias(op: 'SBFM' | 'UBFM', imms: number, dest: 'x' | 'w' | 'any'): Handler {
  return (ops) => {
    ops.expect(2, 'Rd, Wn');
    const d = ops.reg(0, dest, 'zr');
    return { op, sf: d.is64, rd: d.num, rn: ops.reg(1, 'w', 'zr').num, immr: 0, imms };
  };
}

const extr: Handler = (ops) => {
  ops.expect(4, 'Rd, Rn, Rm, #lsb');
  const sf = sfOf(ops);
  return { op: 'EXTR', sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), rm: ops.regSf(2, sf, 'zr'), lsb: ops.small(3, 0, sf ? 63 : 31, 'lsb') };
};

function mulAdd(op: 'MADD' | 'MSUB', withRa: boolean): Handler {
  return (ops) => {
    ops.expect(withRa ? 4 : 3, withRa ? 'Rd, Rn, Rm, Ra' : 'Rd, Rn, Rm');
    const sf = sfOf(ops);
    return { op, sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), rm: ops.regSf(2, sf, 'zr'), ra: withRa ? ops.regSf(3, sf, 'zr') : ZR };
  };
}

function csel(op: 'CSEL' | 'CSINC' | 'CSINV' | 'CSNEG'): Handler {
  return (ops) => {
    ops.expect(4, 'Rd, Rn, Rm, cond');
    const sf = sfOf(ops);
    return { op, sf, rd: ops.regSf(0, sf, 'zr'), rn: ops.regSf(1, sf, 'zr'), rm: ops.regSf(2, sf, 'zr'), cond: ops.cond(3) };
  };
}

/** CSET/CSETM (Rd, cond) and CINC/CINV/CNEG (Rd, Rn, cond): the condition is inverted. */
function condAlias(op: 'CSINC' | 'CSINV' | 'CSNEG', withRn: boolean): Handler {
  return (ops) => {
    ops.expect(withRn ? 3 : 2, withRn ? 'Rd, Rn, cond' : 'Rd, cond');
    const sf = sfOf(ops);
    const cond = ops.cond(withRn ? 2 : 1);
    if (cond >= 14) fail(`${ops.mnemonic} cannot use condition al or nv`);
    const rn = withRn ? ops.regSf(1, sf, 'zr') : ZR;
    return { op, sf, rd: ops.regSf(0, sf, 'zr'), rn, rm: rn, cond: cond ^ 1 };
  };
}

// ---------------------------------------------------------------- loads and stores

interface LdstSpec {
  op: 'LDR' | 'STR';
  /** undefined: from the register width (LDR/STR/LDUR/STUR). */
  size?: 0 | 1 | 2;
  signed: boolean;
  unscaled: boolean;
}

const EXTEND_TYPES: readonly string[] = ['uxtw', 'lsl', 'sxtw', 'sxtx'];

function ldst(spec: LdstSpec): Handler {
  return (ops) => {
    ops.expect([2, 3], 'Rt, [Xn {, #imm}] / [Xn, #imm]! / [Xn], #imm / [Xn, Rm {, extend #n}] / label');
    const rt = ops.reg(0, 'any', 'zr');
    let size: 0 | 1 | 2 | 3;
    let sf: boolean;
    if (spec.size === undefined) {
      size = rt.is64 ? 3 : 2;
      sf = rt.is64;
    } else {
      size = spec.size;
      if (!spec.signed && rt.is64) fail(`operand 1 of ${ops.mnemonic} must be a W register, not '${rt.text}'`);
      if (spec.signed && spec.size === 2 && !rt.is64) fail(`operand 1 of ${ops.mnemonic} must be an X register, not '${rt.text}'`);
      sf = spec.signed ? rt.is64 : false;
    }
    const base = { op: spec.op, size, signed: spec.signed, sf, rt: rt.num, rm: ZR, extend: 'lsl' as Extend, scaled: false };
    const o = ops.at(1);
    if (o.kind !== 'mem') {
      // LDR (literal) exists only as LDR Wt/Xt, label and LDRSW Xt, label.
      const literal = spec.op === 'LDR' && !spec.unscaled && ops.length === 2 && size >= 2;
      if (!literal) ops.mem(1);
      return { ...base, rn: ZR, mode: 'literal', imm: ops.offset(1) };
    }
    const m = o;
    const rn = m.base.num;
    if (ops.length === 3) {
      if (m.pre || m.offset !== undefined || m.index !== undefined) fail(`post-index needs [Xn], #imm, not '${m.text}', ...`);
      if (spec.unscaled) fail(`${ops.mnemonic} has no post-index form`);
      return { ...base, rn, mode: 'post', imm: ops.small(2, -256, 255, 'post-index offset') };
    }
    if (m.index !== undefined) {
      if (m.pre || spec.unscaled) fail(`${ops.mnemonic} has no ${m.pre ? 'pre-indexed ' : ''}register-offset form`);
      const ext = m.extend;
      const type = ext?.type ?? 'lsl';
      if (!EXTEND_TYPES.includes(type)) fail(`index extension must be lsl, uxtw, sxtw or sxtx, not ${type}`);
      const xIndex = type === 'lsl' || type === 'sxtx';
      if (m.index.is64 !== xIndex) fail(`index register ${m.index.text} must be ${xIndex ? 'an X' : 'a W'} register with ${type}`);
      if (m.index.num === SP) fail('the index register cannot be SP');
      let scaled = false;
      if (ext?.amount !== undefined) {
        const amount = ops.ctx.value(ext.amount);
        if (amount !== 0n && amount !== BigInt(size)) fail(`index shift must be #0 or #${size} for a ${1 << size}-byte access, not #${amount}`);
        scaled = size === 0 ? true : amount !== 0n;
      } else if (type === 'lsl' && ext !== undefined) fail(`lsl needs an amount, e.g. 'lsl #${size}'`);
      return { ...base, rn, mode: 'reg', imm: 0, rm: m.index.num, extend: type as Extend, scaled };
    }
    const off = m.offset === undefined ? 0n : m.offset.lo12 ? ops.ctx.value(m.offset.expr) & 0xfffn : ops.ctx.value(m.offset.expr);
    if (m.pre) {
      if (spec.unscaled) fail(`${ops.mnemonic} has no pre-index form`);
      if (off < -256n || off > 255n) fail(`pre-index offset ${off} is out of range (-256-255)`);
      return { ...base, rn, mode: 'pre', imm: num(off) };
    }
    const scale = 1n << BigInt(size);
    const fitsScaled = off >= 0n && off % scale === 0n && off / scale <= 0xfffn;
    const fitsUnscaled = off >= -256n && off <= 255n;
    if (!spec.unscaled && fitsScaled) return { ...base, rn, mode: 'offset', imm: num(off) };
    if (fitsUnscaled && (spec.unscaled || !m.offset?.lo12)) return { ...base, rn, mode: 'unscaled', imm: num(off) };
    if (spec.unscaled) return fail(`offset ${off} does not fit ${ops.mnemonic.toUpperCase()} (-256 to 255)`);
    return fail(`offset ${off} does not fit ${ops.mnemonic.toUpperCase()} (a multiple of ${scale} from 0 to ${0xfff * Number(scale)}, or -256 to 255)`);
  };
}

function pair(op: 'LDP' | 'STP'): Handler {
  return (ops) => {
    ops.expect([3, 4], 'Rt, Rt2, [Xn {, #imm}] / [Xn, #imm]! / [Xn], #imm');
    const sf = sfOf(ops);
    const rt = ops.regSf(0, sf, 'zr');
    const rt2 = ops.regSf(1, sf, 'zr');
    const m = ops.mem(2);
    if (m.index !== undefined) fail(`${op.toLowerCase()} has no register-offset form`);
    const size = sf ? 3 : 2;
    const base = { op, size, sf, rt, rt2, rn: m.base.num } as const;
    if (ops.length === 4) {
      if (m.pre || m.offset !== undefined) fail(`post-index needs [Xn], #imm, not '${m.text}', ...`);
      return { ...base, mode: 'post', imm: num(ops.imm(3)) };
    }
    const off = m.offset === undefined ? 0n : ops.ctx.value(m.offset.expr);
    if (off < -(1n << 20n) || off > 1n << 20n) fail(`${op} offset ${off} is out of range`);
    return { ...base, mode: m.pre ? 'pre' : 'offset', imm: num(off) };
  };
}

// ---------------------------------------------------------------- loads and stores added (issue 9)

/** PRFM/PRFUM: a prefetch operation (name or #0-31), then any address LDR Xt takes but pre/post. */
function prefetch(unscaled: boolean): Handler {
  return (ops) => {
    ops.expect(2, 'prfop, [Xn {, #imm}] / [Xn, Rm {, extend #3}] / label');
    const o = ops.at(0);
    let prfop: number;
    if (o.kind === 'imm' && o.hash) prfop = ops.small(0, 0, 31, 'prefetch operation');
    else {
      const name = ops.name(0, 'a prefetch operation (pldl1keep ... pstl3strm, or #0-31)').toLowerCase();
      prfop = PRFOPS.indexOf(name);
      if (prfop < 0) fail(`'${name}' is not a prefetch operation (pldl1keep ... pstl3strm, or #0-31)`);
    }
    // The address as LDR Xt would take it, on a stand-in X0.
    const x0: RegOperand = { kind: 'reg', num: 0, is64: true, text: 'x0' };
    const f = ldst({ op: 'LDR', signed: false, unscaled })(new Ops([x0, ops.at(1)], ops.ctx, ops.mnemonic), ops.mnemonic) as LoadStore;
    if (f.mode === 'pre' || f.mode === 'post') fail(`${ops.mnemonic} has no ${f.mode}-indexed form`);
    return { op: 'PRFM', prfop, rn: f.rn, mode: f.mode as Prefetch['mode'], imm: f.imm, rm: f.rm, extend: f.extend, scaled: f.scaled };
  };
}

/** LDPSW: LDP's forms, X registers, 4-byte words. */
const ldpsw: Handler = (ops) => {
  ops.expect([3, 4], 'Xt, Xt2, [Xn {, #imm}] / [Xn, #imm]! / [Xn], #imm');
  const rt = ops.reg(0, 'x', 'zr').num;
  const rt2 = ops.reg(1, 'x', 'zr').num;
  const m = ops.mem(2);
  if (m.index !== undefined) fail('ldpsw has no register-offset form');
  if (ops.length === 4) {
    if (m.pre || m.offset !== undefined) fail(`post-index needs [Xn], #imm, not '${m.text}', ...`);
    return { op: 'LDPSW', rt, rt2, rn: m.base.num, mode: 'post', imm: num(ops.imm(3)) };
  }
  const off = m.offset === undefined ? 0n : ops.ctx.value(m.offset.expr);
  if (off < -(1n << 20n) || off > 1n << 20n) fail(`LDPSW offset ${off} is out of range`);
  return { op: 'LDPSW', rt, rt2, rn: m.base.num, mode: m.pre ? 'pre' : 'offset', imm: num(off) };
};

/** LDNP/STNP: LDP/STP's offset form only. */
function pairNonTemporal(op: 'LDNP' | 'STNP'): Handler {
  return (ops, mnemonic) => {
    ops.expect(3, 'Rt, Rt2, [Xn {, #imm}]');
    if (ops.mem(2).pre) fail(`${mnemonic} has no pre-indexed form`);
    const f = pair(op === 'LDNP' ? 'LDP' : 'STP')(ops, mnemonic) as LoadStorePair;
    return { op, size: f.size, sf: f.sf, rt: f.rt, rt2: f.rt2, rn: f.rn, imm: f.imm };
  };
}

/** LDTR/STTR and the sized and signed forms: [Xn {, #simm9}] only. */
function unprivileged(op: 'LDTR' | 'STTR', size: 0 | 1 | 2 | undefined, signed: boolean): Handler {
  return (ops) => {
    ops.expect(2, 'Rt, [Xn {, #imm}]');
    const rt = ops.reg(0, 'any', 'zr');
    if (size !== undefined && !signed && rt.is64) fail(`operand 1 of ${ops.mnemonic} must be a W register, not '${rt.text}'`);
    if (signed && size === 2 && !rt.is64) fail(`operand 1 of ${ops.mnemonic} must be an X register, not '${rt.text}'`);
    const m = ops.mem(1);
    if (m.pre || m.index !== undefined) fail(`${ops.mnemonic} takes [Xn {, #imm}] only, not '${m.text}'`);
    const off = m.offset === undefined ? 0n : ops.ctx.value(m.offset.expr);
    if (off < -256n || off > 255n) fail(`offset ${off} does not fit ${ops.mnemonic.toUpperCase()} (-256 to 255)`);
    const sz = size ?? (rt.is64 ? 3 : 2);
    return { op, size: sz, signed, sf: size === undefined ? rt.is64 : signed && rt.is64, rt: rt.num, rn: m.base.num, imm: num(off) };
  };
}

/** `[Xn]` or `[Xn, #0]`: the only address of the exclusives and acquire/release. */
function simpleAddress(ops: Ops, i: number): number {
  const m = ops.mem(i);
  if (m.pre || m.index !== undefined || (m.offset !== undefined && ops.ctx.value(m.offset.expr) !== 0n)) fail(`${ops.mnemonic} takes [Xn] (or [Xn, #0]), not '${m.text}'`);
  return m.base.num;
}

/** LDXR/STXR/LDAR/STLR... and the pairs: `size` from the b/h suffix, else the register width. */
function exclusive(op: LoadStoreExclusive['op'], suffix: 0 | 1 | undefined): Handler {
  const pairOp = op.endsWith('P');
  const status = op.startsWith('ST') && op !== 'STLR';
  const n = (status ? 1 : 0) + (pairOp ? 2 : 1);
  return (ops) => {
    ops.expect(n + 1, `${status ? 'Ws, ' : ''}Rt${pairOp ? ', Rt2' : ''}, [Xn]`);
    const first = status ? 1 : 0;
    const rt = ops.reg(first, suffix === undefined ? 'any' : 'w', 'zr');
    const size = suffix ?? (rt.is64 ? 3 : 2);
    const rs = status ? ops.reg(0, 'w', 'zr').num : ZR;
    const rt2 = pairOp ? ops.regSf(first + 1, rt.is64, 'zr') : ZR;
    return { op, size, rs, rt: rt.num, rt2, rn: simpleAddress(ops, n) };
  };
}

const EXCLUSIVE_HANDLERS: [string, Handler][] = (['LDXR', 'LDAXR', 'STXR', 'STLXR', 'LDAR', 'STLR'] as const).flatMap((op) => [
  [op.toLowerCase(), exclusive(op, undefined)] as [string, Handler],
  [`${op.toLowerCase()}b`, exclusive(op, 0)] as [string, Handler],
  [`${op.toLowerCase()}h`, exclusive(op, 1)] as [string, Handler],
]);

const clrex: Handler = (ops) => {
  ops.expect([0, 1], 'no operands or #imm');
  return { op: 'CLREX', imm: ops.length === 0 ? 15 : ops.small(0, 0, 15, 'CLREX option') };
};

const LDST_HANDLERS: [string, Handler][] = [
  ['prfm', prefetch(false)],
  ['prfum', prefetch(true)],
  ['ldpsw', ldpsw],
  ['ldnp', pairNonTemporal('LDNP')],
  ['stnp', pairNonTemporal('STNP')],
  ['ldtr', unprivileged('LDTR', undefined, false)],
  ['sttr', unprivileged('STTR', undefined, false)],
  ['ldtrb', unprivileged('LDTR', 0, false)],
  ['sttrb', unprivileged('STTR', 0, false)],
  ['ldtrh', unprivileged('LDTR', 1, false)],
  ['sttrh', unprivileged('STTR', 1, false)],
  ['ldtrsb', unprivileged('LDTR', 0, true)],
  ['ldtrsh', unprivileged('LDTR', 1, true)],
  ['ldtrsw', unprivileged('LDTR', 2, true)],
  ...EXCLUSIVE_HANDLERS,
  ...(['LDXP', 'LDAXP', 'STXP', 'STLXP'] as const).map((op) => [op.toLowerCase(), exclusive(op, undefined)] as [string, Handler]),
  ['clrex', clrex],
];

// ---------------------------------------------------------------- PC-relative and branches

const adr: Handler = (ops) => {
  ops.expect(2, 'Xd, label');
  return { op: 'ADR', rd: ops.reg(0, 'x', 'zr').num, imm: ops.offset(1) };
};

const adrp: Handler = (ops) => {
  ops.expect(2, 'Xd, label');
  const target = ops.imm(1);
  const page = (v: bigint) => v & ~0xfffn;
  const off = BigInt.asIntN(64, page(target) - page(ops.ctx.pc));
  if (off < -(1n << 32n) || off >= 1n << 32n) fail(`ADRP target ${hex(target & MASK64)} is out of range (±4 GiB)`);
  return { op: 'ADRP', rd: ops.reg(0, 'x', 'zr').num, imm: num(off) };
};

function branch(op: 'B' | 'BL'): Handler {
  return (ops) => {
    ops.expect(1, 'label');
    return { op, imm: ops.offset(0) };
  };
}

function bcond(cond: number): Handler {
  return (ops) => {
    ops.expect(1, 'label');
    return { op: 'B_COND', cond, imm: ops.offset(0) };
  };
}

function cbz(op: 'CBZ' | 'CBNZ'): Handler {
  return (ops) => {
    ops.expect(2, 'Rt, label');
    const sf = sfOf(ops);
    return { op, sf, rt: ops.regSf(0, sf, 'zr'), imm: ops.offset(1) };
  };
}

function tbz(op: 'TBZ' | 'TBNZ'): Handler {
  return (ops) => {
    ops.expect(3, 'Rt, #bit, label');
    const r = ops.reg(0, 'any', 'zr');
    const bit = ops.small(1, 0, r.is64 ? 63 : 31, 'bit number');
    return { op, rt: r.num, bit, imm: ops.offset(2) };
  };
}

function branchReg(op: 'BR' | 'BLR' | 'RET'): Handler {
  return (ops) => {
    if (op === 'RET' && ops.length === 0) return { op, rn: 30 };
    ops.expect(1, 'Xn');
    return { op, rn: ops.reg(0, 'x', 'zr').num };
  };
}

// ---------------------------------------------------------------- system

function exception(op: 'SVC' | 'HVC' | 'SMC' | 'BRK' | 'HLT'): Handler {
  return (ops) => {
    ops.expect(1, '#imm16');
    return { op, imm: ops.small(0, 0, 0xffff, `${op} immediate`) };
  };
}

const HINTS = ['NOP', 'YIELD', 'WFE', 'WFI', 'SEV', 'SEVL'] as const;

function hintOp(imm: number): Handler {
  return (ops) => {
    ops.expect(0, 'no operands');
    return { op: HINTS[imm], imm };
  };
}

const hint: Handler = (ops) => {
  ops.expect(1, '#imm');
  const imm = ops.small(0, 0, 127, 'hint number');
  return { op: HINTS[imm] ?? 'NOP', imm };
};

function barrier(op: 'DSB' | 'DMB'): Handler {
  return (ops) => {
    ops.expect(1, 'option (sy, ish, ishld, ...) or #imm');
    const o = ops.at(0);
    if (o.kind === 'imm' && o.hash) return { op, option: ops.small(0, 0, 15, `${op} option`) };
    const name = ops.name(0, 'a barrier option (sy, st, ld, ish, ishst, ishld, nsh, nshst, nshld, osh, oshst, oshld)');
    return { op, option: barrierOption(name) ?? fail(`'${name}' is not a barrier option`) };
  };
}

const isb: Handler = (ops) => {
  ops.expect([0, 1], 'optional sy or #imm');
  if (ops.length === 0) return { op: 'ISB', option: 15 };
  const o = ops.at(0);
  if (o.kind === 'imm' && o.hash) return { op: 'ISB', option: ops.small(0, 0, 15, 'ISB option') };
  if (ops.name(0, 'sy or #imm').toLowerCase() !== 'sy') fail(`isb takes only sy`);
  return { op: 'ISB', option: 15 };
};

/** The later-version CRn = 7 operations objdump names (`dc cvap`, `cfp rctx`): generic SYS words here. */
const LATER_BY_NAME = new Map([...LATER_SYS_OPS].map(([key, text]) => [text.replace('\t', ' '), key.split(':').map(Number)]));

function laterSysOp(ops: Ops, mnemonic: string): InsnFields | undefined {
  const n = ops.list[0]?.kind === 'imm' ? ops.name(0, 'an operation') : '';
  const key = LATER_BY_NAME.get(`${mnemonic} ${n.toLowerCase()}`);
  if (key === undefined) return undefined;
  ops.expect(2, `${n.toLowerCase()}, Xt`);
  const [op1, crm, op2] = key;
  return { op: 'SYS', op1, crn: 7, crm, op2, rt: ops.reg(1, 'x', 'zr').num, name: LATER_SYS_OPS.get(key.join(':')) };
}

const rctx = (mnemonic: string): Handler => (ops) => laterSysOp(ops, mnemonic) ?? fail(`${mnemonic} takes rctx, Xt`);

function cacheOp(op: 'DC' | 'IC'): Handler {
  return (ops) => {
    const later = op === 'DC' ? laterSysOp(ops, 'dc') : undefined;
    if (later !== undefined) return later;
    const table = op === 'DC' ? DC_OPS : IC_OPS;
    const name = ops.name(0, `a ${op} operation (${table.map((t) => t.name.toLowerCase()).join(', ')})`).toUpperCase();
    const info = table.find((t) => t.name === name) ?? fail(`'${name.toLowerCase()}' is not a ${op} operation (${table.map((t) => t.name.toLowerCase()).join(', ')})`);
    if (info.takesReg) {
      ops.expect(2, `${name.toLowerCase()}, Xt`);
      return op === 'DC' ? { op, cacheOp: name as DcOp, rt: ops.reg(1, 'x', 'zr').num } : { op, cacheOp: name as IcOp, rt: ops.reg(1, 'x', 'zr').num };
    }
    ops.expect(1, `${name.toLowerCase()} alone`);
    return { op: 'IC', cacheOp: name as IcOp, rt: ZR };
  };
}

/** TLBI <op>{, Xt} and AT <op>, Xt (encodings/tlbi-at.ts). */
function sysOp(op: 'TLBI' | 'AT'): Handler {
  return (ops) => {
    const table = op === 'TLBI' ? TLBI_OPS : AT_OPS;
    const name = ops.name(0, `a ${op} operation (such as ${op === 'TLBI' ? 'vae1is' : 's1e1r'})`).toUpperCase();
    const info = table.find((t) => t.name === name) ?? fail(`'${name.toLowerCase()}' is not a ${op} operation (${table.map((t) => t.name.toLowerCase()).join(', ')})`);
    if (!info.takesReg) {
      ops.expect(1, `${name.toLowerCase()} alone`);
      return { op, sysOp: name, rt: ZR };
    }
    ops.expect(2, `${name.toLowerCase()}, Xt`);
    return { op, sysOp: name, rt: ops.reg(1, 'x', 'zr').num };
  };
}

function sysRegOperand(ops: Ops, i: number, write: boolean): number {
  const name = ops.name(i, 'a system register');
  const r = parseSysReg(name) ?? fail(`'${name}' is not a known system register (use the s<op0>_<op1>_c<n>_c<m>_<op2> form for others)`);
  if (write && r.info?.readOnly) fail(`system register ${r.info.name} is read-only`);
  return r.packed;
}

const mrs: Handler = (ops) => {
  ops.expect(2, 'Xt, system register');
  return { op: 'MRS', rt: ops.reg(0, 'x', 'zr').num, sysreg: sysRegOperand(ops, 1, false) };
};

const msr: Handler = (ops) => {
  ops.expect(2, 'system register, Xt or pstatefield, #imm');
  const name = ops.name(0, 'a system register or PSTATE field');
  const field = PSTATE_FIELDS.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (field !== undefined && !ops.isReg(1)) return { op: 'MSR_IMM', field: field.name, imm: ops.small(1, 0, field.maxImm, `MSR ${field.name} immediate`) };
  return { op: 'MSR', rt: ops.reg(1, 'x', 'zr').num, sysreg: sysRegOperand(ops, 0, true) };
};

/** `C0`-`C15` of SYS/SYSL. */
function crOperand(ops: Ops, i: number): number {
  const n = ops.name(i, 'a system control register name C0-C15');
  const m = /^[cC]([0-9]|1[0-5])$/.exec(n);
  return m === null ? fail(`'${n}' is not C0-C15`) : +m[1];
}

const sys: Handler = (ops) => {
  ops.expect([4, 5], '#op1, Cn, Cm, #op2{, Xt}');
  const rt = ops.length === 5 ? ops.reg(4, 'x', 'zr').num : ZR;
  return { op: 'SYS', op1: ops.small(0, 0, 7, 'SYS op1'), crn: crOperand(ops, 1), crm: crOperand(ops, 2), op2: ops.small(3, 0, 7, 'SYS op2'), rt };
};

const sysl: Handler = (ops) => {
  ops.expect(5, 'Xt, #op1, Cn, Cm, #op2');
  return { op: 'SYSL', rt: ops.reg(0, 'x', 'zr').num, op1: ops.small(1, 0, 7, 'SYSL op1'), crn: crOperand(ops, 2), crm: crOperand(ops, 3), op2: ops.small(4, 0, 7, 'SYSL op2') };
};

const udf: Handler = (ops) => {
  ops.expect(1, '#imm16');
  return { raw: ops.small(0, 0, 0xffff, 'UDF immediate') };
};

const noOperands = (f: InsnFields): Handler => (ops) => {
  ops.expect(0, 'no operands');
  return f;
};

// ---------------------------------------------------------------- data processing beyond the first subset

/** BFC Rd, #lsb, #width: BFI from the zero register (ARMv8.2's name; GNU as wants -march=armv8.2-a). */
const bfc: Handler = (ops) => {
  ops.expect(3, 'Rd, #lsb, #width');
  const sf = sfOf(ops);
  const size = sf ? 64 : 32;
  const lsb = ops.small(1, 0, size - 1, 'lsb');
  const width = ops.small(2, 1, size - lsb, 'width');
  return { op: 'BFM', sf, rd: ops.regSf(0, sf, 'zr'), rn: ZR, immr: (size - lsb) % size, imms: width - 1 };
};

function carry(op: 'ADC' | 'ADCS' | 'SBC' | 'SBCS', negated: boolean): Handler {
  return (ops) => {
    ops.expect(negated ? 2 : 3, negated ? 'Rd, Rm' : 'Rd, Rn, Rm');
    const sf = sfOf(ops);
    const rd = ops.regSf(0, sf, 'zr');
    if (negated) return { op, sf, rd, rn: ZR, rm: ops.regSf(1, sf, 'zr') };
    return { op, sf, rd, rn: ops.regSf(1, sf, 'zr'), rm: ops.regSf(2, sf, 'zr') };
  };
}

function condCompare(op: 'CCMN' | 'CCMP'): Handler {
  return (ops) => {
    ops.expect(4, 'Rn, Rm or #imm5, #nzcv, cond');
    const sf = sfOf(ops);
    const rn = ops.regSf(0, sf, 'zr');
    const nzcv = ops.small(2, 0, 15, 'NZCV');
    const cond = ops.cond(3);
    if (ops.isReg(1)) return { op: `${op}_REG`, sf, rn, rm: ops.regSf(1, sf, 'zr'), nzcv, cond };
    return { op: `${op}_IMM`, sf, rn, imm: ops.small(1, 0, 31, `${op} immediate`), nzcv, cond };
  };
}

/** RBIT/REV16/REV/CLZ/CLS Rd, Rn; REV32 and REV64 (REV) take X registers only. */
function oneSource(op: 'RBIT' | 'REV16' | 'REV32' | 'REV' | 'CLZ' | 'CLS', width: 'x' | 'any'): Handler {
  return (ops) => {
    ops.expect(2, 'Rd, Rn');
    const d = ops.reg(0, width, 'zr');
    return { op, sf: d.is64, rd: d.num, rn: ops.regSf(1, d.is64, 'zr') };
  };
}

/** SMADDL... Xd, Wn, Wm, Xa, and SMULL... Xd, Wn, Wm (Ra = XZR). */
function mulLong(op: 'SMADDL' | 'SMSUBL' | 'UMADDL' | 'UMSUBL', withRa: boolean): Handler {
  return (ops) => {
    ops.expect(withRa ? 4 : 3, withRa ? 'Xd, Wn, Wm, Xa' : 'Xd, Wn, Wm');
    return { op, rd: ops.reg(0, 'x', 'zr').num, rn: ops.reg(1, 'w', 'zr').num, rm: ops.reg(2, 'w', 'zr').num, ra: withRa ? ops.reg(3, 'x', 'zr').num : ZR };
  };
}

function mulHigh(op: 'SMULH' | 'UMULH'): Handler {
  return (ops) => {
    ops.expect(3, 'Xd, Xn, Xm');
    return { op, rd: ops.reg(0, 'x', 'zr').num, rn: ops.reg(1, 'x', 'zr').num, rm: ops.reg(2, 'x', 'zr').num };
  };
}

/** CRC32{B,H,W}/CRC32C{B,H,W} Wd, Wn, Wm; the X forms take Xm. */
function crc(op: 'CRC32B' | 'CRC32H' | 'CRC32W' | 'CRC32X' | 'CRC32CB' | 'CRC32CH' | 'CRC32CW' | 'CRC32CX'): Handler {
  return (ops) => {
    ops.expect(3, op.endsWith('X') ? 'Wd, Wn, Xm' : 'Wd, Wn, Wm');
    return { op, rd: ops.reg(0, 'w', 'zr').num, rn: ops.reg(1, 'w', 'zr').num, rm: ops.reg(2, op.endsWith('X') ? 'x' : 'w', 'zr').num };
  };
}

const DATA_PROCESSING_HANDLERS: [string, Handler][] = [
  ['bfm', bfm('BFM')],
  ['bfi', bitfieldAlias('BFM', true)],
  ['bfxil', bitfieldAlias('BFM', false)],
  ['bfc', bfc],
  ['adc', carry('ADC', false)],
  ['adcs', carry('ADCS', false)],
  ['sbc', carry('SBC', false)],
  ['sbcs', carry('SBCS', false)],
  ['ngc', carry('SBC', true)],
  ['ngcs', carry('SBCS', true)],
  ['ccmn', condCompare('CCMN')],
  ['ccmp', condCompare('CCMP')],
  ['rbit', oneSource('RBIT', 'any')],
  ['rev16', oneSource('REV16', 'any')],
  ['rev32', oneSource('REV32', 'x')],
  ['rev', oneSource('REV', 'any')],
  ['rev64', oneSource('REV', 'x')],
  ['clz', oneSource('CLZ', 'any')],
  ['cls', oneSource('CLS', 'any')],
  ['smaddl', mulLong('SMADDL', true)],
  ['smsubl', mulLong('SMSUBL', true)],
  ['umaddl', mulLong('UMADDL', true)],
  ['umsubl', mulLong('UMSUBL', true)],
  ['smull', mulLong('SMADDL', false)],
  ['smnegl', mulLong('SMSUBL', false)],
  ['umull', mulLong('UMADDL', false)],
  ['umnegl', mulLong('UMSUBL', false)],
  ['smulh', mulHigh('SMULH')],
  ['umulh', mulHigh('UMULH')],
  ...(['CRC32B', 'CRC32H', 'CRC32W', 'CRC32X', 'CRC32CB', 'CRC32CH', 'CRC32CW', 'CRC32CX'] as const).map((o) => [o.toLowerCase(), crc(o)] as [string, Handler]),
];

// ---------------------------------------------------------------- the mnemonic table

const HANDLERS = new Map<string, Handler>([
  ['movz', movWide('MOVZ')],
  ['movn', movWide('MOVN')],
  ['movk', movWide('MOVK')],
  ['mov', mov],
  ['add', arith('ADD')],
  ['adds', arith('ADDS')],
  ['sub', arith('SUB')],
  ['subs', arith('SUBS')],
  ['cmp', compare('SUBS')],
  ['cmn', compare('ADDS')],
  ['neg', negate('SUB')],
  ['negs', negate('SUBS')],
  ...(['AND', 'BIC', 'ORR', 'ORN', 'EOR', 'EON', 'ANDS', 'BICS'] as const).map((o) => [o.toLowerCase(), logic(o)] as [string, Handler]),
  ['tst', tst],
  ['mvn', mvn],
  ['lsl', shiftOp('lsl')],
  ['lsr', shiftOp('lsr')],
  ['asr', shiftOp('asr')],
  ['ror', shiftOp('ror')],
  ['lslv', threeReg('LSLV')],
  ['lsrv', threeReg('LSRV')],
  ['asrv', threeReg('ASRV')],
  ['rorv', threeReg('RORV')],
  ['udiv', threeReg('UDIV')],
  ['sdiv', threeReg('SDIV')],
  ['sbfm', bfm('SBFM')],
  ['ubfm', bfm('UBFM')],
  ['sbfx', bitfieldAlias('SBFM', false)],
  ['ubfx', bitfieldAlias('UBFM', false)],
  ['sbfiz', bitfieldAlias('SBFM', true)],
  ['ubfiz', bitfieldAlias('UBFM', true)],
  ['sxtb', extendAlias('SBFM', 7, 'any')],
  ['sxth', extendAlias('SBFM', 15, 'any')],
  ['sxtw', extendAlias('SBFM', 31, 'x')],
  ['uxtb', extendAlias('UBFM', 7, 'w')],
  ['uxth', extendAlias('UBFM', 15, 'w')],
  ['extr', extr],
  ['madd', mulAdd('MADD', true)],
  ['msub', mulAdd('MSUB', true)],
  ['mul', mulAdd('MADD', false)],
  ['mneg', mulAdd('MSUB', false)],
  ['csel', csel('CSEL')],
  ['csinc', csel('CSINC')],
  ['csinv', csel('CSINV')],
  ['csneg', csel('CSNEG')],
  ['cset', condAlias('CSINC', false)],
  ['csetm', condAlias('CSINV', false)],
  ['cinc', condAlias('CSINC', true)],
  ['cinv', condAlias('CSINV', true)],
  ['cneg', condAlias('CSNEG', true)],
  ['ldr', ldst({ op: 'LDR', signed: false, unscaled: false })],
  ['str', ldst({ op: 'STR', signed: false, unscaled: false })],
  ['ldrb', ldst({ op: 'LDR', size: 0, signed: false, unscaled: false })],
  ['strb', ldst({ op: 'STR', size: 0, signed: false, unscaled: false })],
  ['ldrh', ldst({ op: 'LDR', size: 1, signed: false, unscaled: false })],
  ['strh', ldst({ op: 'STR', size: 1, signed: false, unscaled: false })],
  ['ldrsb', ldst({ op: 'LDR', size: 0, signed: true, unscaled: false })],
  ['ldrsh', ldst({ op: 'LDR', size: 1, signed: true, unscaled: false })],
  ['ldrsw', ldst({ op: 'LDR', size: 2, signed: true, unscaled: false })],
  ['ldur', ldst({ op: 'LDR', signed: false, unscaled: true })],
  ['stur', ldst({ op: 'STR', signed: false, unscaled: true })],
  ['ldurb', ldst({ op: 'LDR', size: 0, signed: false, unscaled: true })],
  ['sturb', ldst({ op: 'STR', size: 0, signed: false, unscaled: true })],
  ['ldurh', ldst({ op: 'LDR', size: 1, signed: false, unscaled: true })],
  ['sturh', ldst({ op: 'STR', size: 1, signed: false, unscaled: true })],
  ['ldursb', ldst({ op: 'LDR', size: 0, signed: true, unscaled: true })],
  ['ldursh', ldst({ op: 'LDR', size: 1, signed: true, unscaled: true })],
  ['ldursw', ldst({ op: 'LDR', size: 2, signed: true, unscaled: true })],
  ['ldp', pair('LDP')],
  ['stp', pair('STP')],
  ['adr', adr],
  ['adrp', adrp],
  ['b', branch('B')],
  ['bl', branch('BL')],
  ['br', branchReg('BR')],
  ['blr', branchReg('BLR')],
  ['ret', branchReg('RET')],
  ['cbz', cbz('CBZ')],
  ['cbnz', cbz('CBNZ')],
  ['tbz', tbz('TBZ')],
  ['tbnz', tbz('TBNZ')],
  ['dc', withSysV8x(cacheOp('DC'))],
  ['ic', cacheOp('IC')],
  ['tlbi', sysOp('TLBI')],
  ['at', sysOp('AT')],
  ['dsb', withNxs(barrier('DSB'))],
  ['dmb', barrier('DMB')],
  ['isb', isb],
  ['ssbb', noOperands({ op: 'DSB', option: 0 })],
  ['pssbb', noOperands({ op: 'DSB', option: 4 })],
  ['nop', hintOp(0)],
  ['yield', hintOp(1)],
  ['wfe', hintOp(2)],
  ['wfi', hintOp(3)],
  ['sev', hintOp(4)],
  ['sevl', hintOp(5)],
  ['hint', hint],
  ['svc', exception('SVC')],
  ['hvc', exception('HVC')],
  ['smc', exception('SMC')],
  ['brk', exception('BRK')],
  ['eret', noOperands({ op: 'ERET' })],
  ['mrs', mrs],
  ['msr', msr],
  ['udf', udf],
  ...DATA_PROCESSING_HANDLERS,
  ...LDST_HANDLERS,
  // System/EL helper.
  ['hlt', exception('HLT')],
  ['sys', sys],
  ['sysl', sysl],
  ['cfp', rctx('cfp')],
  ['dvp', rctx('dvp')],
  ['cpp', rctx('cpp')],
]);

// SIMD&FP (asm-simd.ts): a mnemonic the integer set has too goes to the SIMD&FP handler when an
// operand is a SIMD&FP register, a register list or an FP immediate.
for (const [m, h] of SIMD_HANDLERS) {
  const base = HANDLERS.get(m);
  HANDLERS.set(m, base === undefined ? h : (ops, mn) => (ops.list.some(isSimdOperand) ? h(ops, mn) : base(ops, mn)));
}

/**
 * The other named hints (PAC, BTI, ESB, CSDB...), as objdump prints them: they execute as NOP on
 * an ARMv8.0 core, but their disassembly must assemble back.
 */
const NAMED_HINTS = new Map<string, Map<string, number>>();
for (const [imm, name] of HINT_NAMES) {
  if (imm <= 5) continue;
  const [first, rest = ''] = name.split(' ');
  const forms = NAMED_HINTS.get(first) ?? new Map<string, number>();
  forms.set(rest, imm);
  NAMED_HINTS.set(first, forms);
}

function namedHint(forms: ReadonlyMap<string, number>): Handler {
  return (ops, mnemonic) => {
    ops.expect([0, 1], [...forms.keys()].map((k) => (k === '' ? 'no operands' : k)).join(' or '));
    const rest = ops.length === 0 ? '' : ops.name(0, [...forms.keys()].filter((k) => k !== '').join(' or ')).toLowerCase();
    const imm = forms.get(rest) ?? fail(`'${mnemonic} ${rest}' is not a hint`);
    return { op: 'NOP', imm };
  };
}

/** The handler for a mnemonic (case-insensitive), including `b.eq` and `beq` forms. */
export function handlerFor(mnemonic: string): Handler | undefined {
  const m = mnemonic.toLowerCase();
  const h = HANDLERS.get(m) ?? BEYOND_V80_HANDLERS.get(m);
  if (h !== undefined) return h;
  const hintForms = NAMED_HINTS.get(m);
  if (hintForms !== undefined) return namedHint(hintForms);
  const c = /^b\.?([a-z]+)$/.exec(m);
  if (c !== null) {
    const cond = conditionCode(c[1]);
    if (cond !== undefined) return bcond(cond);
  }
  const bc = /^bc\.([a-z]+)$/.exec(m);
  if (bc !== null) {
    const cond = conditionCode(bc[1]);
    if (cond !== undefined) return bcCond(cond);
  }
  return undefined;
}

/** Every mnemonic the assembler accepts (without the b.<cond> spellings). */
export function mnemonics(): string[] {
  return [...HANDLERS.keys(), ...BEYOND_V80_HANDLERS.keys()].sort();
}

