/**
 * What every row of the encoding table is (`Encoding`), and the field helpers the rows of every
 * group share: register names and checks, objdump formatting, range checks.
 */
import { InputError } from '../../../core';
import { MASK64, fitsSigned, hex } from '../bits';
import { SP, ZR, type InsnFields, type ShiftType } from '../insn';
import { CONDITIONS } from '../names';

/** A field that cannot be encoded (out of range, wrong register kind). */
export class EncodingError extends InputError {}

/** One row of the table. */
export interface Encoding<F extends InsnFields = InsnFields> {
  /** What the row covers, in the architecture's words. */
  readonly name: string;
  readonly mask: number;
  readonly match: number;
  /** `op`, or `op/mode` for loads and stores: the fields this row encodes. */
  readonly keys: readonly string[];
  /** Fields of `word` (which matches mask/match), or undefined for a reserved encoding. */
  decode(word: number): (F & { readonly word: number }) | undefined;
  /** GNU objdump's text: `mnemonic\toperands[\t// comment]`; `pc` resolves PC-relative targets. */
  format(i: F, pc: bigint): string;
  /** The word for `i`; throws EncodingError naming the field that does not fit. */
  encode(i: F): number;
}

// ---------------------------------------------------------------- registers

/** `x5`, `wzr`, `sp`... for a decoded register number. */
export function regName(r: number, sf: boolean): string {
  if (r === SP) return sf ? 'sp' : 'wsp';
  if (r === ZR) return sf ? 'xzr' : 'wzr';
  return (sf ? 'x' : 'w') + r;
}

export function checkReg(r: number, what: string): void {
  if (!Number.isInteger(r) || r < 0 || r > 32) throw new EncodingError(`${what}: register number ${r} is not 0-32`);
}

/** Encodes an operand where 31 means SP. */
export function encSP(r: number, sf: boolean, what: string): number {
  checkReg(r, what);
  if (r === ZR) throw new EncodingError(`${what} cannot be ${regName(ZR, sf)} here (register 31 is ${regName(SP, sf)} in this operand)`);
  return r === SP ? 31 : r;
}

/** Encodes an operand where 31 means ZR. */
export function encZR(r: number, sf: boolean, what: string): number {
  checkReg(r, what);
  if (r === SP) throw new EncodingError(`${what} cannot be ${regName(SP, sf)} here (register 31 is ${regName(ZR, sf)} in this operand)`);
  return r;
}

export const decSP = (field: number): number => (field === 31 ? SP : field);

// ---------------------------------------------------------------- formatting helpers

export function fmt(mnemonic: string, operands: string, comment?: string): string {
  const text = operands === '' ? mnemonic : `${mnemonic}\t${operands}`;
  return comment === undefined ? text : `${text}\t// ${comment}`;
}

export const SHIFTS: readonly ShiftType[] = ['lsl', 'lsr', 'asr', 'ror'];

export function shiftSuffix(type: ShiftType, amount: number): string {
  return type === 'lsl' && amount === 0 ? '' : `, ${type} #${amount}`;
}

export function target(pc: bigint, offset: number): string {
  return hex((pc + BigInt(offset)) & MASK64);
}

/** `// eq = none`: objdump's comment listing a condition's other names. */
export function condComment(cond: number): string | undefined {
  const names = CONDITIONS[cond];
  return names.length > 1 ? `${names[0]} = ${names.slice(1).join(', ')}` : undefined;
}

export function checkCond(c: number): number {
  if (!Number.isInteger(c) || c < 0 || c > 15) throw new EncodingError(`condition ${c} is not 0-15`);
  return c;
}

export function checkUnsigned(v: number, width: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** width) throw new EncodingError(`${what} ${v} does not fit in ${width} bits (0-${2 ** width - 1})`);
  return v;
}

/** A byte offset that must be a multiple of `scale` and fit `width` signed bits once scaled. */
export function checkOffset(v: number, width: number, scale: number, what: string): number {
  const range = `${-(2 ** (width - 1)) * scale} to ${(2 ** (width - 1) - 1) * scale}`;
  if (!Number.isInteger(v) || v % scale !== 0) throw new EncodingError(`${what} ${v} is not a multiple of ${scale}`);
  if (!fitsSigned(v / scale, width)) throw new EncodingError(`${what} ${v} is out of range (${range})`);
  return (v / scale) & ((1 << width) - 1);
}

export const sfBit = (sf: boolean): number => (sf ? 0x80000000 : 0);

/** The value of a MOVZ/MOVN/ORR alias as objdump's comment prints it: signed decimal. */
export function movComment(value: bigint, sf: boolean): string {
  return `#${BigInt.asIntN(sf ? 64 : 32, value)}`;
}

export function widthMask(sf: boolean): bigint {
  return sf ? MASK64 : 0xffffffffn;
}

/** True when `value` can be made by one MOVZ (or, given ~value, one MOVN) of that width. */
export function isMoveWideImm(value: bigint, sf: boolean): boolean {
  const v = value & widthMask(sf);
  for (let s = 0; s < (sf ? 64 : 32); s += 16) if ((v & ~(0xffffn << BigInt(s))) === 0n) return true;
  return false;
}

export const ADDSUB_OPS = ['ADD', 'ADDS', 'SUB', 'SUBS'] as const;

/**
 * A row with other rows carved out of it: words that match an inner row's mask are the inner
 * row's (a later architecture version's instruction inside a space this row decodes
 * generically), the rest the outer row's. The table sees one row, so rows still never overlap.
 */
export function withInner(outer: Encoding, inner: readonly Encoding[]): Encoding {
  const owner = (w: number): Encoding => inner.find((e) => ((w & e.mask) >>> 0) === e.match) ?? outer;
  const byKey = (f: InsnFields): Encoding => inner.find((e) => e.keys.includes(f.op)) ?? outer;
  return {
    name: `${outer.name}; ${inner.map((e) => e.name).join('; ')}`,
    mask: outer.mask,
    match: outer.match,
    keys: [...outer.keys, ...inner.flatMap((e) => e.keys)],
    decode: (w) => owner(w).decode(w),
    format: (i, pc) => byKey(i).format(i, pc),
    encode: (i) => byKey(i).encode(i),
  };
}
