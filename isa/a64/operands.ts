/** Operand syntax of GNU as for AArch64: registers, immediates, shifts, memory operands. */
import { SP, ZR } from './insn';
import { ExprError, parseExpr, type Expr } from './expr';

export interface RegOperand {
  readonly kind: 'reg';
  /** 0-30, ZR or SP. */
  readonly num: number;
  readonly is64: boolean;
  readonly text: string;
}

export interface ImmOperand {
  readonly kind: 'imm';
  readonly expr: Expr;
  /** Written with a leading `#`. */
  readonly hash: boolean;
  /** `:lo12:expr`: the low 12 bits of the value. */
  readonly lo12: boolean;
  readonly text: string;
}

export interface ShiftOperand {
  readonly kind: 'shift';
  /** `lsl`, `lsr`, `asr`, `ror`, `uxtw`, `sxtw`, `sxtx`, `uxtx`... (lower case). */
  readonly type: string;
  readonly amount?: Expr;
  readonly text: string;
}

export interface MemOperand {
  readonly kind: 'mem';
  readonly base: RegOperand;
  readonly offset?: ImmOperand;
  readonly index?: RegOperand;
  readonly extend?: ShiftOperand;
  /** `[...]!`: pre-index writeback. */
  readonly pre: boolean;
  readonly text: string;
}

/** `=value`: a literal-pool load (`ldr Xt, =value`), see literal-pool.ts. */
export interface LiteralPoolOperand {
  readonly kind: 'pool';
  readonly text: string;
}

/** `x2!`: a register the instruction writes back (FEAT_MOPS's operands). */
export interface RegWritebackOperand {
  readonly kind: 'reg!';
  readonly reg: RegOperand;
  readonly text: string;
}


/**
 * A SIMD&FP register: `v3.16b` (vector, with its arrangement), `v3.s[1]` or `v3.4s[1]` (an
 * element), `v3` (bare), or a scalar `b3`/`h3`/`s3`/`d3`/`q3`.
 */
export interface VRegOperand {
  readonly kind: 'vreg';
  readonly num: number;
  /** `v`, or the scalar's letter. */
  readonly prefix: 'v' | 'b' | 'h' | 's' | 'd' | 'q';
  /** `16b`, `2d`...; for an element, only its letter (`s`). */
  readonly arr?: string;
  readonly index?: number;
  readonly text: string;
}

/** `{v0.16b-v3.16b}` or `{v0.2d, v1.2d}`, optionally with an element index after the brace. */
export interface VListOperand {
  readonly kind: 'vlist';
  readonly regs: readonly number[];
  readonly arr: string;
  readonly index?: number;
  readonly text: string;
}

/** A floating-point immediate (`#1.0`, `#-2.5e+00`). */
export interface FpImmOperand {
  readonly kind: 'fimm';
  readonly value: number;
  readonly text: string;
}

export type Operand = RegOperand | ImmOperand | ShiftOperand | MemOperand | LiteralPoolOperand | RegWritebackOperand | VRegOperand | VListOperand | FpImmOperand;

const VREG_RE = /^v([0-9]|[12][0-9]|3[01])(?:\.([0-9]*)([bhsd]))?(?:\[([0-9]+)\])?$/;
const SCALAR_RE = /^([bhsdq])([0-9]|[12][0-9]|3[01])$/;

/** A SIMD&FP register name, or undefined. */
export function parseVRegister(text: string): VRegOperand | undefined {
  const t = text.trim().toLowerCase();
  const s = SCALAR_RE.exec(t);
  if (s !== null) return { kind: 'vreg', num: Number(s[2]), prefix: s[1] as VRegOperand['prefix'], text: text.trim() };
  const m = VREG_RE.exec(t);
  if (m === null) return undefined;
  const index = m[4] === undefined ? undefined : Number(m[4]);
  const arr = m[3] === undefined ? undefined : index !== undefined ? m[3] : `${m[2]}${m[3]}`;
  return { kind: 'vreg', num: Number(m[1]), prefix: 'v', arr, index, text: text.trim() };
}

function parseVList(text: string): VListOperand {
  const t = text.trim();
  const close = t.lastIndexOf('}');
  const after = t.slice(close + 1).trim();
  const idx = /^\[([0-9]+)\]$/.exec(after);
  if (close < 0 || (after !== '' && idx === null)) throw new ExprError(`bad register list '${t}'`);
  const inner = t.slice(1, close).trim();
  const parts = inner.split(',').map((p) => p.trim());
  const regs: number[] = [];
  let arr: string | undefined;
  const one = (p: string): VRegOperand => {
    const r = parseVRegister(p);
    if (r === undefined || r.prefix !== 'v' || r.arr === undefined || r.index !== undefined) throw new ExprError(`'${p}' in '${t}' is not a vector register with an arrangement (v0.16b)`);
    if (arr !== undefined && r.arr !== arr) throw new ExprError(`the registers of '${t}' have different arrangements`);
    arr = r.arr;
    return r;
  };
  if (parts.length === 1 && parts[0].includes('-')) {
    const [a, b] = parts[0].split('-').map((p) => one(p));
    if (b.num < a.num) throw new ExprError(`invalid range in vector register list '${t}'`);
    for (let r = a.num; r <= b.num; r++) regs.push(r);
  } else {
    for (const p of parts) regs.push(one(p).num);
    for (let k = 1; k < regs.length; k++) if (regs[k] !== (regs[k - 1] + 1) % 32) throw new ExprError(`the registers of '${t}' are not consecutive`);
  }
  if (regs.length < 1 || regs.length > 4) throw new ExprError(`'${t}' has ${regs.length} registers (1 to 4)`);
  return { kind: 'vlist', regs, arr: arr!, index: idx === null ? undefined : Number(idx[1]), text: t };
}

const FP_IMM_RE = /^#?\s*[-+]?([0-9]+\.[0-9]*|[0-9]*\.[0-9]+|[0-9]+(?=[eE]))([eE][-+]?[0-9]+)?$/;

const REG_ALIASES: Readonly<Record<string, [number, boolean]>> = {
  sp: [SP, true],
  wsp: [SP, false],
  xzr: [ZR, true],
  wzr: [ZR, false],
  fp: [29, true],
  lr: [30, true],
  ip0: [16, true],
  ip1: [17, true],
};

/** A general-purpose register name (case-insensitive), or undefined. */
export function parseRegister(text: string): RegOperand | undefined {
  const t = text.trim().toLowerCase();
  const alias = Object.hasOwn(REG_ALIASES, t) ? REG_ALIASES[t] : undefined; // not 'constructor', 'toString'...
  if (alias !== undefined) return { kind: 'reg', num: alias[0], is64: alias[1], text: text.trim() };
  const m = /^([xw])([0-9]|[12][0-9]|30)$/.exec(t);
  if (m === null) return undefined;
  return { kind: 'reg', num: Number(m[2]), is64: m[1] === 'x', text: text.trim() };
}

const SHIFT_RE = /^(lsl|lsr|asr|ror|msl|uxtb|uxth|uxtw|uxtx|sxtb|sxth|sxtw|sxtx)(?:\s+#?(.*)|\s*#(.*))?$/i;

function parseShift(text: string): ShiftOperand | undefined {
  const m = SHIFT_RE.exec(text.trim());
  if (m === null) return undefined;
  const amountText = m[2] ?? m[3];
  return { kind: 'shift', type: m[1].toLowerCase(), amount: amountText !== undefined && amountText.trim() !== '' ? parseExpr(amountText) : undefined, text: text.trim() };
}

function parseImm(text: string): ImmOperand {
  let t = text.trim();
  const hash = t.startsWith('#');
  if (hash) t = t.slice(1).trim();
  const lo12 = /^:lo12:/i.test(t);
  if (lo12) t = t.slice(6);
  else if (/^:[a-z0-9_]+:/i.test(t)) throw new ExprError(`relocation operator '${/^:[a-z0-9_]+:/i.exec(t)![0]}' is not supported (only :lo12:)`);
  return { kind: 'imm', expr: parseExpr(t), hash, lo12, text: text.trim() };
}

/** Splits at commas outside brackets, parentheses and quotes. */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"') quote = c;
    if (c === '[' || c === '(' || c === '{') depth++;
    if (c === ']' || c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function parseMem(text: string): MemOperand {
  const t = text.trim();
  const close = t.lastIndexOf(']');
  if (close < 0) throw new ExprError(`missing ']' in '${t}'`);
  const after = t.slice(close + 1).trim();
  if (after !== '' && after !== '!') throw new ExprError(`unexpected '${after}' after ']' in '${t}'`);
  const parts = splitTopLevel(t.slice(1, close));
  const base = parseRegister(parts[0]);
  if (base === undefined || !base.is64 || base.num === ZR) throw new ExprError(`the base register of '${t}' must be an X register or SP, not '${parts[0]}'`);
  if (parts.length > 3) throw new ExprError(`too many parts in '${t}'`);
  let offset: ImmOperand | undefined;
  let index: RegOperand | undefined;
  let extend: ShiftOperand | undefined;
  if (parts.length >= 2) {
    index = parseRegister(parts[1]);
    if (index === undefined) {
      if (parts.length === 3) throw new ExprError(`unexpected '${parts[2]}' after an immediate offset in '${t}'`);
      offset = parseImm(parts[1]);
    }
  }
  if (parts.length === 3) {
    extend = parseShift(parts[2]);
    if (extend === undefined) throw new ExprError(`'${parts[2]}' is not an extend or shift (lsl, uxtw, sxtw, sxtx) in '${t}'`);
  }
  return { kind: 'mem', base, offset, index, extend, pre: after === '!', text: t };
}

/** Parses one operand. Throws ExprError on bad syntax. */
export function parseOperand(text: string): Operand {
  const t = text.trim();
  if (t === '') throw new ExprError('empty operand');
  if (t.startsWith('[')) return parseMem(t);
  if (t.startsWith('=')) return { kind: 'pool', text: t };
  if (t.startsWith('{')) return parseVList(t);
  const reg = parseRegister(t);
  if (reg !== undefined) return reg;
  const wb = t.endsWith('!') ? parseRegister(t.slice(0, -1)) : undefined;
  if (wb !== undefined) return { kind: 'reg!', reg: wb, text: t };
  const vreg = parseVRegister(t);
  if (vreg !== undefined) return vreg;
  if (FP_IMM_RE.test(t)) return { kind: 'fimm', value: Number(t.replace(/^#\s*/, '')), text: t };
  const shift = parseShift(t);
  if (shift !== undefined) return shift;
  return parseImm(t);
}
