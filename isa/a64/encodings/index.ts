/**
 * The encoding table: one entry per instruction class, each with its mask/match, and the three
 * functions that the decoder, the disassembler and the assembler share — decode (word → fields),
 * format (fields → GNU objdump text) and encode (fields → word, validating every field).
 */
import { InputError } from '../../../core';
import { MASK64, bits, decodeLogicImm, encodeLogicImm, fitsSigned, hex, join64, signExtend } from '../bits';
import {
  SP,
  ZR,
  type AddSubImm,
  type AddSubReg,
  type Barrier,
  type Bitfield,
  type BranchImm,
  type BranchReg,
  type CompareBranch,
  type CondBranch,
  type CondSelect,
  type DataCacheOp,
  type DataProc2,
  type Eret,
  type ExceptionGen,
  type Extend,
  type Extr,
  type Hint,
  type Insn,
  type InsnCacheOp,
  type InsnFields,
  type LoadStore,
  type LoadStorePair,
  type LogicImm,
  type LogicReg,
  type MoveWide,
  type MulAdd,
  type PcRel,
  type PstateMove,
  type ShiftType,
  type SysRegMove,
  type TestBranch,
} from '../insn';
import { BARRIER_OPTIONS, CONDITIONS, DC_OPS, HINT_NAMES, IC_OPS, PSTATE_FIELDS, sysRegName, type CacheOpInfo } from '../names';

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

function checkReg(r: number, what: string): void {
  if (!Number.isInteger(r) || r < 0 || r > 32) throw new EncodingError(`${what}: register number ${r} is not 0-32`);
}

/** Encodes an operand where 31 means SP. */
function encSP(r: number, sf: boolean, what: string): number {
  checkReg(r, what);
  if (r === ZR) throw new EncodingError(`${what} cannot be ${regName(ZR, sf)} here (register 31 is ${regName(SP, sf)} in this operand)`);
  return r === SP ? 31 : r;
}

/** Encodes an operand where 31 means ZR. */
function encZR(r: number, sf: boolean, what: string): number {
  checkReg(r, what);
  if (r === SP) throw new EncodingError(`${what} cannot be ${regName(SP, sf)} here (register 31 is ${regName(ZR, sf)} in this operand)`);
  return r;
}

const decSP = (field: number): number => (field === 31 ? SP : field);

// ---------------------------------------------------------------- formatting helpers

function fmt(mnemonic: string, operands: string, comment?: string): string {
  const text = operands === '' ? mnemonic : `${mnemonic}\t${operands}`;
  return comment === undefined ? text : `${text}\t// ${comment}`;
}

const SHIFTS: readonly ShiftType[] = ['lsl', 'lsr', 'asr', 'ror'];

function shiftSuffix(type: ShiftType, amount: number): string {
  return type === 'lsl' && amount === 0 ? '' : `, ${type} #${amount}`;
}

function target(pc: bigint, offset: number): string {
  return hex((pc + BigInt(offset)) & MASK64);
}

/** `// eq = none`: objdump's comment listing a condition's other names. */
function condComment(cond: number): string | undefined {
  const names = CONDITIONS[cond];
  return names.length > 1 ? `${names[0]} = ${names.slice(1).join(', ')}` : undefined;
}

function checkCond(c: number): number {
  if (!Number.isInteger(c) || c < 0 || c > 15) throw new EncodingError(`condition ${c} is not 0-15`);
  return c;
}

function checkUnsigned(v: number, width: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** width) throw new EncodingError(`${what} ${v} does not fit in ${width} bits (0-${2 ** width - 1})`);
  return v;
}

/** A byte offset that must be a multiple of `scale` and fit `width` signed bits once scaled. */
function checkOffset(v: number, width: number, scale: number, what: string): number {
  const range = `${-(2 ** (width - 1)) * scale} to ${(2 ** (width - 1) - 1) * scale}`;
  if (!Number.isInteger(v) || v % scale !== 0) throw new EncodingError(`${what} ${v} is not a multiple of ${scale}`);
  if (!fitsSigned(v / scale, width)) throw new EncodingError(`${what} ${v} is out of range (${range})`);
  return (v / scale) & ((1 << width) - 1);
}

const sfBit = (sf: boolean): number => (sf ? 0x80000000 : 0);

/** The value of a MOVZ/MOVN/ORR alias as objdump's comment prints it: signed decimal. */
function movComment(value: bigint, sf: boolean): string {
  return `#${BigInt.asIntN(sf ? 64 : 32, value)}`;
}

function widthMask(sf: boolean): bigint {
  return sf ? MASK64 : 0xffffffffn;
}

/** True when `value` can be made by one MOVZ (or, given ~value, one MOVN) of that width. */
export function isMoveWideImm(value: bigint, sf: boolean): boolean {
  const v = value & widthMask(sf);
  for (let s = 0; s < (sf ? 64 : 32); s += 16) if ((v & ~(0xffffn << BigInt(s))) === 0n) return true;
  return false;
}

// ---------------------------------------------------------------- the rows

const moveWide: Encoding<MoveWide> = {
  name: 'move wide (immediate)',
  mask: 0x1f800000,
  match: 0x12800000,
  keys: ['MOVN', 'MOVZ', 'MOVK'],
  decode(w) {
    const opc = bits(w, 30, 29);
    const sf = w >>> 31 === 1;
    const hw = bits(w, 22, 21);
    if (opc === 1 || (!sf && hw >= 2)) return undefined;
    return { op: opc === 0 ? 'MOVN' : opc === 2 ? 'MOVZ' : 'MOVK', word: w, sf, rd: bits(w, 4, 0), imm: bits(w, 20, 5), shift: hw * 16 };
  },
  format(i) {
    const rd = regName(i.rd, i.sf);
    if (i.op !== 'MOVK' && !(i.imm === 0 && i.shift !== 0) && !(i.op === 'MOVN' && !i.sf && i.imm === 0xffff)) {
      let v = BigInt(i.imm) << BigInt(i.shift);
      if (i.op === 'MOVN') v = ~v & widthMask(i.sf);
      return fmt('mov', `${rd}, #${hex(v)}`, movComment(v, i.sf));
    }
    return fmt(i.op.toLowerCase(), `${rd}, #${hex(i.imm)}${i.shift ? `, lsl #${i.shift}` : ''}`);
  },
  encode(i) {
    const shifts = i.sf ? '16/32/48' : '16';
    if (!Number.isInteger(i.imm) || i.imm < 0 || i.imm > 0xffff || ![0, 16, 32, 48].includes(i.shift) || (!i.sf && i.shift > 16))
      throw new EncodingError(`immediate ${i.imm}${i.shift ? ` (lsl #${i.shift})` : ''} does not fit ${i.op} (16 bits, optionally shifted by ${shifts})`);
    const opc = i.op === 'MOVN' ? 0 : i.op === 'MOVZ' ? 2 : 3;
    return (sfBit(i.sf) | (opc << 29) | 0x12800000 | ((i.shift / 16) << 21) | (i.imm << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

const ADDSUB_OPS = ['ADD', 'ADDS', 'SUB', 'SUBS'] as const;

const addSubImm: Encoding<AddSubImm> = {
  name: 'add/subtract (immediate)',
  mask: 0x1f000000,
  match: 0x11000000,
  keys: ['ADD_IMM', 'ADDS_IMM', 'SUB_IMM', 'SUBS_IMM'],
  decode(w) {
    const sh = bits(w, 23, 22);
    if (sh > 1) return undefined;
    const s = bits(w, 29, 29);
    const op = `${ADDSUB_OPS[bits(w, 30, 29)]}_IMM` as AddSubImm['op'];
    const rd = bits(w, 4, 0);
    return { op, word: w, sf: w >>> 31 === 1, rd: s ? rd : decSP(rd), rn: decSP(bits(w, 9, 5)), imm: bits(w, 21, 10) * (sh ? 4096 : 1), shift: sh ? 12 : 0 };
  },
  format(i) {
    const rd = regName(i.rd, i.sf);
    const rn = regName(i.rn, i.sf);
    const imm = `#${hex(i.imm >>> i.shift)}${i.shift ? ', lsl #12' : ''}`;
    if (i.op === 'ADD_IMM' && i.imm === 0 && i.shift === 0 && (i.rd === SP || i.rn === SP)) return fmt('mov', `${rd}, ${rn}`);
    if (i.op === 'ADDS_IMM' && i.rd === ZR) return fmt('cmn', `${rn}, ${imm}`);
    if (i.op === 'SUBS_IMM' && i.rd === ZR) return fmt('cmp', `${rn}, ${imm}`);
    return fmt(i.op.slice(0, -4).toLowerCase(), `${rd}, ${rn}, ${imm}`);
  },
  encode(i) {
    const name = i.op.slice(0, -4);
    if (i.shift !== 0 && i.shift !== 12) throw new EncodingError(`${name} immediate shift must be 0 or 12, not ${i.shift}`);
    const unit = i.shift === 12 ? 4096 : 1;
    if (!Number.isInteger(i.imm) || i.imm < 0 || i.imm % unit !== 0 || i.imm / unit > 0xfff)
      throw new EncodingError(`immediate ${i.imm} does not fit ${name} (12 bits, optionally shifted by 12)`);
    const s = i.op.endsWith('S_IMM');
    const rd = s ? encZR(i.rd, i.sf, 'Rd') : encSP(i.rd, i.sf, 'Rd');
    return (sfBit(i.sf) | (ADDSUB_OPS.indexOf(name as (typeof ADDSUB_OPS)[number]) << 29) | 0x11000000 | (i.shift ? 1 << 22 : 0) | ((i.imm / unit) << 10) | (encSP(i.rn, i.sf, 'Rn') << 5) | rd) >>> 0;
  },
};

function checkShift(type: ShiftType, amount: number, sf: boolean, allowRor: boolean, name: string): number {
  const t = SHIFTS.indexOf(type);
  if (t < 0 || (t === 3 && !allowRor)) throw new EncodingError(`${name} does not take shift ${type}`);
  if (!Number.isInteger(amount) || amount < 0 || amount >= (sf ? 64 : 32)) throw new EncodingError(`shift amount ${amount} is out of range for ${name} (0-${sf ? 63 : 31})`);
  return (t << 22) | (amount << 10);
}

const addSubReg: Encoding<AddSubReg> = {
  name: 'add/subtract (shifted register)',
  mask: 0x1f200000,
  match: 0x0b000000,
  keys: ['ADD_REG', 'ADDS_REG', 'SUB_REG', 'SUBS_REG'],
  decode(w) {
    const sf = w >>> 31 === 1;
    const shift = bits(w, 23, 22);
    const amount = bits(w, 15, 10);
    if (shift === 3 || (!sf && amount >= 32)) return undefined;
    const op = `${ADDSUB_OPS[bits(w, 30, 29)]}_REG` as AddSubReg['op'];
    return { op, word: w, sf, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16), shiftType: SHIFTS[shift], shift: amount };
  },
  format(i) {
    const [rd, rn, rm] = [regName(i.rd, i.sf), regName(i.rn, i.sf), regName(i.rm, i.sf)];
    const sh = shiftSuffix(i.shiftType, i.shift);
    if (i.op === 'SUBS_REG' && i.rd === ZR) return fmt('cmp', `${rn}, ${rm}${sh}`);
    if (i.op === 'ADDS_REG' && i.rd === ZR) return fmt('cmn', `${rn}, ${rm}${sh}`);
    if (i.op === 'SUB_REG' && i.rn === ZR) return fmt('neg', `${rd}, ${rm}${sh}`);
    if (i.op === 'SUBS_REG' && i.rn === ZR) return fmt('negs', `${rd}, ${rm}${sh}`);
    return fmt(i.op.slice(0, -4).toLowerCase(), `${rd}, ${rn}, ${rm}${sh}`);
  },
  encode(i) {
    const name = i.op.slice(0, -4);
    const op = ADDSUB_OPS.indexOf(name as (typeof ADDSUB_OPS)[number]);
    return (sfBit(i.sf) | (op << 29) | 0x0b000000 | checkShift(i.shiftType, i.shift, i.sf, false, name) | (encZR(i.rm, i.sf, 'Rm') << 16) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

const LOGIC_IMM_OPS = ['AND_IMM', 'ORR_IMM', 'EOR_IMM', 'ANDS_IMM'] as const;

const logicImm: Encoding<LogicImm> = {
  name: 'logical (immediate)',
  mask: 0x1f800000,
  match: 0x12000000,
  keys: [...LOGIC_IMM_OPS],
  decode(w) {
    const sf = w >>> 31 === 1;
    const v = decodeLogicImm(bits(w, 22, 22), bits(w, 21, 16), bits(w, 15, 10), sf);
    if (v === undefined) return undefined;
    const op = LOGIC_IMM_OPS[bits(w, 30, 29)];
    const rd = bits(w, 4, 0);
    return { op, word: w, sf, rd: op === 'ANDS_IMM' ? rd : decSP(rd), rn: bits(w, 9, 5), immLo: v[0], immHi: v[1] };
  },
  format(i) {
    const value = join64(i.immLo, i.immHi);
    const [rd, rn] = [regName(i.rd, i.sf), regName(i.rn, i.sf)];
    if (i.op === 'ANDS_IMM' && i.rd === ZR) return fmt('tst', `${rn}, #${hex(value)}`);
    // objdump prefers MOV unless a MOVZ/MOVN could make the value (and Rd is not SP).
    if (i.op === 'ORR_IMM' && i.rn === ZR && (i.rd === SP || !(isMoveWideImm(value, i.sf) || isMoveWideImm(~value, i.sf))))
      return fmt('mov', `${rd}, #${hex(value)}`, movComment(value, i.sf));
    return fmt(i.op.slice(0, -4).toLowerCase(), `${rd}, ${rn}, #${hex(value)}`);
  },
  encode(i) {
    const value = join64(i.immLo, i.immHi);
    const code = i.sf || i.immHi === 0 ? encodeLogicImm(value, i.sf ? 64 : 32) : undefined;
    if (code === undefined) throw new EncodingError(`immediate ${hex(value)} is not a valid bitmask immediate for ${i.op.slice(0, -4)} (a rotated run of ones repeated in 2, 4, 8, 16, 32${i.sf ? ' or 64' : ''}-bit elements)`);
    const rd = i.op === 'ANDS_IMM' ? encZR(i.rd, i.sf, 'Rd') : encSP(i.rd, i.sf, 'Rd');
    return (sfBit(i.sf) | (LOGIC_IMM_OPS.indexOf(i.op) << 29) | 0x12000000 | (code << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | rd) >>> 0;
  },
};

const LOGIC_REG_OPS = ['AND_REG', 'BIC_REG', 'ORR_REG', 'ORN_REG', 'EOR_REG', 'EON_REG', 'ANDS_REG', 'BICS_REG'] as const;

const logicReg: Encoding<LogicReg> = {
  name: 'logical (shifted register)',
  mask: 0x1f000000,
  match: 0x0a000000,
  keys: [...LOGIC_REG_OPS],
  decode(w) {
    const sf = w >>> 31 === 1;
    const amount = bits(w, 15, 10);
    if (!sf && amount >= 32) return undefined;
    const op = LOGIC_REG_OPS[(bits(w, 30, 29) << 1) | bits(w, 21, 21)];
    return { op, word: w, sf, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16), shiftType: SHIFTS[bits(w, 23, 22)], shift: amount };
  },
  format(i) {
    const [rd, rn, rm] = [regName(i.rd, i.sf), regName(i.rn, i.sf), regName(i.rm, i.sf)];
    const sh = shiftSuffix(i.shiftType, i.shift);
    if (i.op === 'ORR_REG' && i.rn === ZR && i.shiftType === 'lsl' && i.shift === 0) return fmt('mov', `${rd}, ${rm}`);
    if (i.op === 'ORN_REG' && i.rn === ZR) return fmt('mvn', `${rd}, ${rm}${sh}`);
    if (i.op === 'ANDS_REG' && i.rd === ZR) return fmt('tst', `${rn}, ${rm}${sh}`);
    return fmt(i.op.slice(0, -4).toLowerCase(), `${rd}, ${rn}, ${rm}${sh}`);
  },
  encode(i) {
    const n = LOGIC_REG_OPS.indexOf(i.op);
    return (sfBit(i.sf) | ((n >> 1) << 29) | 0x0a000000 | ((n & 1) << 21) | checkShift(i.shiftType, i.shift, i.sf, true, i.op.slice(0, -4)) | (encZR(i.rm, i.sf, 'Rm') << 16) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

/** The architecture's BFXPreferred(): whether UBFX/SBFX is the preferred disassembly. */
function bfxPreferred(sf: boolean, unsigned: boolean, imms: number, immr: number): boolean {
  if (imms < immr) return false;
  if (imms === (sf ? 63 : 31)) return false;
  if (immr === 0) {
    if (!sf && (imms === 7 || imms === 15)) return false;
    if (sf && !unsigned && (imms === 7 || imms === 15 || imms === 31)) return false;
  }
  return true;
}

const bitfield: Encoding<Bitfield> = {
  name: 'bitfield',
  mask: 0x1f800000,
  match: 0x13000000,
  keys: ['SBFM', 'UBFM'],
  decode(w) {
    const sf = w >>> 31 === 1;
    const opc = bits(w, 30, 29);
    const immr = bits(w, 21, 16);
    const imms = bits(w, 15, 10);
    if ((opc !== 0 && opc !== 2) || bits(w, 22, 22) !== (sf ? 1 : 0) || (!sf && (immr >= 32 || imms >= 32))) return undefined;
    return { op: opc === 0 ? 'SBFM' : 'UBFM', word: w, sf, rd: bits(w, 4, 0), rn: bits(w, 9, 5), immr, imms };
  },
  format(i) {
    const size = i.sf ? 64 : 32;
    const [rd, rn] = [regName(i.rd, i.sf), regName(i.rn, i.sf)];
    const wn = regName(i.rn, false);
    const { immr, imms } = i;
    const u = i.op === 'UBFM';
    if (imms === size - 1) return fmt(u ? 'lsr' : 'asr', `${rd}, ${rn}, #${immr}`);
    if (u && imms + 1 === immr) return fmt('lsl', `${rd}, ${rn}, #${size - 1 - imms}`);
    if (imms < immr) return fmt(u ? 'ubfiz' : 'sbfiz', `${rd}, ${rn}, #${(size - immr) % size}, #${imms + 1}`);
    if (bfxPreferred(i.sf, u, imms, immr)) return fmt(u ? 'ubfx' : 'sbfx', `${rd}, ${rn}, #${immr}, #${imms - immr + 1}`);
    if (immr === 0 && (imms === 7 || imms === 15 || imms === 31)) {
      const ext = imms === 7 ? 'b' : imms === 15 ? 'h' : 'w';
      return fmt(`${u ? 'uxt' : 'sxt'}${ext}`, `${rd}, ${wn}`);
    }
    return fmt(i.op.toLowerCase(), `${rd}, ${rn}, #${immr}, #${imms}`);
  },
  encode(i) {
    const size = i.sf ? 64 : 32;
    checkUnsigned(i.immr, i.sf ? 6 : 5, `${i.op} immr`);
    checkUnsigned(i.imms, i.sf ? 6 : 5, `${i.op} imms`);
    if (i.immr >= size || i.imms >= size) throw new EncodingError(`${i.op} immr/imms must be below ${size}`);
    return (sfBit(i.sf) | ((i.op === 'SBFM' ? 0 : 2) << 29) | 0x13000000 | (i.sf ? 1 << 22 : 0) | (i.immr << 16) | (i.imms << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

const extract: Encoding<Extr> = {
  name: 'extract',
  mask: 0x7fa00000,
  match: 0x13800000,
  keys: ['EXTR'],
  decode(w) {
    const sf = w >>> 31 === 1;
    const lsb = bits(w, 15, 10);
    if (bits(w, 22, 22) !== (sf ? 1 : 0) || (!sf && lsb >= 32)) return undefined;
    return { op: 'EXTR', word: w, sf, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16), lsb };
  },
  format(i) {
    const [rd, rn, rm] = [regName(i.rd, i.sf), regName(i.rn, i.sf), regName(i.rm, i.sf)];
    return i.rn === i.rm ? fmt('ror', `${rd}, ${rn}, #${i.lsb}`) : fmt('extr', `${rd}, ${rn}, ${rm}, #${i.lsb}`);
  },
  encode(i) {
    if (!Number.isInteger(i.lsb) || i.lsb < 0 || i.lsb >= (i.sf ? 64 : 32)) throw new EncodingError(`EXTR lsb ${i.lsb} is out of range (0-${i.sf ? 63 : 31})`);
    return (sfBit(i.sf) | 0x13800000 | (i.sf ? 1 << 22 : 0) | (encZR(i.rm, i.sf, 'Rm') << 16) | (i.lsb << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

const mulAdd: Encoding<MulAdd> = {
  name: 'data-processing (3 source): MADD/MSUB',
  mask: 0x7fe00000,
  match: 0x1b000000,
  keys: ['MADD', 'MSUB'],
  decode(w) {
    return { op: bits(w, 15, 15) ? 'MSUB' : 'MADD', word: w, sf: w >>> 31 === 1, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16), ra: bits(w, 14, 10) };
  },
  format(i) {
    const [rd, rn, rm] = [regName(i.rd, i.sf), regName(i.rn, i.sf), regName(i.rm, i.sf)];
    if (i.ra === ZR) return fmt(i.op === 'MADD' ? 'mul' : 'mneg', `${rd}, ${rn}, ${rm}`);
    return fmt(i.op.toLowerCase(), `${rd}, ${rn}, ${rm}, ${regName(i.ra, i.sf)}`);
  },
  encode(i) {
    return (sfBit(i.sf) | 0x1b000000 | (encZR(i.rm, i.sf, 'Rm') << 16) | (i.op === 'MSUB' ? 1 << 15 : 0) | (encZR(i.ra, i.sf, 'Ra') << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

const DP2_OPCODES: Readonly<Record<DataProc2['op'], number>> = { UDIV: 2, SDIV: 3, LSLV: 8, LSRV: 9, ASRV: 10, RORV: 11 };
const DP2_BY_OPCODE = new Map(Object.entries(DP2_OPCODES).map(([k, v]) => [v, k as DataProc2['op']]));

const dataProc2: Encoding<DataProc2> = {
  name: 'data-processing (2 source)',
  mask: 0x7fe00000,
  match: 0x1ac00000,
  keys: Object.keys(DP2_OPCODES),
  decode(w) {
    const op = DP2_BY_OPCODE.get(bits(w, 15, 10));
    if (op === undefined) return undefined;
    return { op, word: w, sf: w >>> 31 === 1, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16) };
  },
  format(i) {
    const name = i.op.endsWith('DIV') ? i.op : i.op.slice(0, -1);
    return fmt(name.toLowerCase(), `${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}, ${regName(i.rm, i.sf)}`);
  },
  encode(i) {
    return (sfBit(i.sf) | 0x1ac00000 | (encZR(i.rm, i.sf, 'Rm') << 16) | (DP2_OPCODES[i.op] << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

const CSEL_OPS = ['CSEL', 'CSINC', 'CSINV', 'CSNEG'] as const;

const condSelect: Encoding<CondSelect> = {
  name: 'conditional select',
  mask: 0x3fe00800,
  match: 0x1a800000,
  keys: [...CSEL_OPS],
  decode(w) {
    const op = CSEL_OPS[(bits(w, 30, 30) << 1) | bits(w, 10, 10)];
    return { op, word: w, sf: w >>> 31 === 1, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16), cond: bits(w, 15, 12) };
  },
  format(i) {
    const [rd, rn, rm] = [regName(i.rd, i.sf), regName(i.rn, i.sf), regName(i.rm, i.sf)];
    if (i.cond < 14 && i.rn === i.rm && i.op !== 'CSEL') {
      const inv = i.cond ^ 1;
      const c = CONDITIONS[inv][0];
      if (i.op === 'CSINC' && i.rn === ZR) return fmt('cset', `${rd}, ${c}`, condComment(inv));
      if (i.op === 'CSINV' && i.rn === ZR) return fmt('csetm', `${rd}, ${c}`, condComment(inv));
      return fmt(i.op === 'CSINC' ? 'cinc' : i.op === 'CSINV' ? 'cinv' : 'cneg', `${rd}, ${rn}, ${c}`, condComment(inv));
    }
    return fmt(i.op.toLowerCase(), `${rd}, ${rn}, ${rm}, ${CONDITIONS[i.cond][0]}`, condComment(i.cond));
  },
  encode(i) {
    const n = CSEL_OPS.indexOf(i.op);
    return (sfBit(i.sf) | ((n >> 1) << 30) | 0x1a800000 | (encZR(i.rm, i.sf, 'Rm') << 16) | (checkCond(i.cond) << 12) | ((n & 1) << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

// ---------------------------------------------------------------- loads and stores

/** size:opc of a single-register load/store → what it does, or undefined (PRFM, unallocated). */
function ldstKind(size: number, opc: number): { op: 'LDR' | 'STR'; signed: boolean; sf: boolean } | undefined {
  if (opc === 0) return { op: 'STR', signed: false, sf: size === 3 };
  if (opc === 1) return { op: 'LDR', signed: false, sf: size === 3 };
  if (opc === 2) return size === 3 ? undefined : { op: 'LDR', signed: true, sf: true };
  return size >= 2 ? undefined : { op: 'LDR', signed: true, sf: false };
}

function ldstOpc(i: LoadStore): number {
  if (i.op === 'STR') {
    if (i.signed) throw new EncodingError('a store cannot be signed');
    if (i.sf !== (i.size === 3)) throw new EncodingError(`STR of ${1 << i.size} bytes takes a ${i.size === 3 ? 'X' : 'W'} register`);
    return 0;
  }
  if (!i.signed) {
    if (i.sf !== (i.size === 3)) throw new EncodingError(`LDR of ${1 << i.size} bytes takes a ${i.size === 3 ? 'X' : 'W'} register`);
    return 1;
  }
  if (i.size === 3) throw new EncodingError('a signed load of 8 bytes does not exist');
  if (i.size === 2 && !i.sf) throw new EncodingError('LDRSW takes an X register');
  return i.sf ? 2 : 3;
}

function checkSize(size: number): number {
  if (size !== 0 && size !== 1 && size !== 2 && size !== 3) throw new EncodingError(`access size ${size} is not 0-3`);
  return size;
}

/** `ldr`, `ldrsw`, `sturh`...: the mnemonic of a single-register load/store. */
export function ldstMnemonic(op: 'LDR' | 'STR', size: number, signed: boolean, unscaled: boolean): string {
  const base = (op === 'LDR' ? 'ld' : 'st') + (unscaled ? 'ur' : 'r') + (signed ? 's' : '');
  return base + (size === 0 ? 'b' : size === 1 ? 'h' : size === 2 && signed ? 'w' : '');
}

const BASE_FIELDS = { rm: ZR, extend: 'lsl' as Extend, scaled: false };

function ldstImmRow(name: string, match: number, mode: 'unscaled' | 'pre' | 'post'): Encoding<LoadStore> {
  return {
    name,
    mask: 0x3f200c00,
    match,
    keys: [`LDR/${mode}`, `STR/${mode}`],
    decode(w) {
      const size = bits(w, 31, 30) as LoadStore['size'];
      const k = ldstKind(size, bits(w, 23, 22));
      if (k === undefined) return undefined;
      return { ...k, word: w, size, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), mode, imm: signExtend(bits(w, 20, 12), 9), ...BASE_FIELDS };
    },
    format(i) {
      const rt = regName(i.rt, i.sf);
      const rn = regName(i.rn, true);
      const mn = ldstMnemonic(i.op, i.size, i.signed, mode === 'unscaled');
      if (mode === 'unscaled') return fmt(mn, `${rt}, [${rn}${i.imm ? `, #${i.imm}` : ''}]`);
      return fmt(mn, mode === 'pre' ? `${rt}, [${rn}, #${i.imm}]!` : `${rt}, [${rn}], #${i.imm}`);
    },
    encode(i) {
      const size = checkSize(i.size);
      const imm = checkOffset(i.imm, 9, 1, 'offset');
      return ((size << 30) | match | (ldstOpc(i) << 22) | (imm << 12) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
    },
  };
}

const ldstUimm: Encoding<LoadStore> = {
  name: 'load/store register (unsigned immediate)',
  mask: 0x3f000000,
  match: 0x39000000,
  keys: ['LDR/offset', 'STR/offset'],
  decode(w) {
    const size = bits(w, 31, 30) as LoadStore['size'];
    const k = ldstKind(size, bits(w, 23, 22));
    if (k === undefined) return undefined;
    return { ...k, word: w, size, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), mode: 'offset', imm: bits(w, 21, 10) << size, ...BASE_FIELDS };
  },
  format(i) {
    return fmt(ldstMnemonic(i.op, i.size, i.signed, false), `${regName(i.rt, i.sf)}, [${regName(i.rn, true)}${i.imm ? `, #${i.imm}` : ''}]`);
  },
  encode(i) {
    const size = checkSize(i.size);
    const scale = 1 << size;
    if (!Number.isInteger(i.imm) || i.imm < 0 || i.imm % scale !== 0 || i.imm / scale > 0xfff)
      throw new EncodingError(`offset ${i.imm} does not fit ${ldstMnemonic(i.op, size, i.signed, false).toUpperCase()} (unsigned, a multiple of ${scale} up to ${0xfff * scale})`);
    return ((size << 30) | 0x39000000 | (ldstOpc(i) << 22) | ((i.imm / scale) << 10) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
  },
};

const EXTENDS: readonly (Extend | undefined)[] = [undefined, undefined, 'uxtw', 'lsl', undefined, undefined, 'sxtw', 'sxtx'];

const ldstReg: Encoding<LoadStore> = {
  name: 'load/store register (register offset)',
  mask: 0x3f200c00,
  match: 0x38200800,
  keys: ['LDR/reg', 'STR/reg'],
  decode(w) {
    const size = bits(w, 31, 30) as LoadStore['size'];
    const k = ldstKind(size, bits(w, 23, 22));
    const extend = EXTENDS[bits(w, 15, 13)];
    if (k === undefined || extend === undefined) return undefined;
    return { ...k, word: w, size, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), mode: 'reg', imm: 0, rm: bits(w, 20, 16), extend, scaled: bits(w, 12, 12) === 1 };
  },
  format(i) {
    const rm = regName(i.rm, i.extend === 'lsl' || i.extend === 'sxtx');
    const ext = i.scaled ? `, ${i.extend} #${i.size}` : i.extend === 'lsl' ? '' : `, ${i.extend}`;
    return fmt(ldstMnemonic(i.op, i.size, i.signed, false), `${regName(i.rt, i.sf)}, [${regName(i.rn, true)}, ${rm}${ext}]`);
  },
  encode(i) {
    const size = checkSize(i.size);
    const option = EXTENDS.indexOf(i.extend);
    if (option < 0) throw new EncodingError(`index extension ${String(i.extend)} is not uxtw, lsl, sxtw or sxtx`);
    return ((size << 30) | 0x38200800 | (ldstOpc(i) << 22) | (encZR(i.rm, true, 'index register') << 16) | (option << 13) | (i.scaled ? 1 << 12 : 0) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
  },
};

const ldrLiteral: Encoding<LoadStore> = {
  name: 'load register (literal)',
  mask: 0x3f000000,
  match: 0x18000000,
  keys: ['LDR/literal'],
  decode(w) {
    const opc = bits(w, 31, 30);
    if (opc === 3) return undefined;
    return { op: 'LDR', word: w, size: opc === 0 ? 2 : opc === 1 ? 3 : 2, signed: opc === 2, sf: opc !== 0, rt: bits(w, 4, 0), rn: ZR, mode: 'literal', imm: signExtend(bits(w, 23, 5), 19) * 4, ...BASE_FIELDS };
  },
  format(i, pc) {
    return fmt(i.signed ? 'ldrsw' : 'ldr', `${regName(i.rt, i.sf)}, ${target(pc, i.imm)}`);
  },
  encode(i) {
    const opc = i.signed ? (i.size === 2 && i.sf ? 2 : -1) : i.size === 2 && !i.sf ? 0 : i.size === 3 && i.sf ? 1 : -1;
    if (opc < 0) throw new EncodingError('LDR (literal) loads a W or X register, or LDRSW an X register');
    return ((opc << 30) | 0x18000000 | (checkOffset(i.imm, 19, 4, 'literal offset') << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
  },
};

function pairRow(name: string, match: number, mode: LoadStorePair['mode']): Encoding<LoadStorePair> {
  return {
    name,
    mask: 0x3f800000,
    match,
    keys: [`LDP/${mode}`, `STP/${mode}`],
    decode(w) {
      const opc = bits(w, 31, 30);
      if (opc !== 0 && opc !== 2) return undefined;
      const size = opc === 2 ? 3 : 2;
      return { op: bits(w, 22, 22) ? 'LDP' : 'STP', word: w, size, sf: size === 3, rt: bits(w, 4, 0), rt2: bits(w, 14, 10), rn: decSP(bits(w, 9, 5)), mode, imm: signExtend(bits(w, 21, 15), 7) << size };
    },
    format(i) {
      const regs = `${regName(i.rt, i.sf)}, ${regName(i.rt2, i.sf)}`;
      const rn = regName(i.rn, true);
      const addr = mode === 'offset' ? `[${rn}${i.imm ? `, #${i.imm}` : ''}]` : mode === 'pre' ? `[${rn}, #${i.imm}]!` : `[${rn}], #${i.imm}`;
      return fmt(i.op.toLowerCase(), `${regs}, ${addr}`);
    },
    encode(i) {
      if ((i.size !== 2 && i.size !== 3) || i.sf !== (i.size === 3)) throw new EncodingError(`${i.op} pairs two W (size 2) or two X (size 3) registers`);
      const imm = checkOffset(i.imm, 7, 1 << i.size, `${i.op} offset`);
      return (((i.size === 3 ? 2 : 0) << 30) | match | (i.op === 'LDP' ? 1 << 22 : 0) | (imm << 15) | (encZR(i.rt2, i.sf, 'Rt2') << 10) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
    },
  };
}

// ---------------------------------------------------------------- PC-relative and branches

const pcRel: Encoding<PcRel> = {
  name: 'PC-rel. addressing',
  mask: 0x1f000000,
  match: 0x10000000,
  keys: ['ADR', 'ADRP'],
  decode(w) {
    const imm = signExtend((bits(w, 23, 5) << 2) | bits(w, 30, 29), 21);
    return w >>> 31 ? { op: 'ADRP', word: w, rd: bits(w, 4, 0), imm: imm * 4096 } : { op: 'ADR', word: w, rd: bits(w, 4, 0), imm };
  },
  format(i, pc) {
    const t = i.op === 'ADRP' ? hex(((pc & ~0xfffn) + BigInt(i.imm)) & MASK64) : target(pc, i.imm);
    return fmt(i.op.toLowerCase(), `${regName(i.rd, true)}, ${t}`);
  },
  encode(i) {
    const v = i.op === 'ADRP' ? checkOffset(i.imm, 21, 4096, 'ADRP page offset') : checkOffset(i.imm, 21, 1, 'ADR offset');
    return ((i.op === 'ADRP' ? 0x80000000 : 0) | ((v & 3) << 29) | 0x10000000 | ((v >> 2) << 5) | encZR(i.rd, true, 'Rd')) >>> 0;
  },
};

const branchImm: Encoding<BranchImm> = {
  name: 'unconditional branch (immediate)',
  mask: 0x7c000000,
  match: 0x14000000,
  keys: ['B', 'BL'],
  decode(w) {
    return { op: w >>> 31 ? 'BL' : 'B', word: w, imm: signExtend(bits(w, 25, 0), 26) * 4 };
  },
  format(i, pc) {
    return fmt(i.op.toLowerCase(), target(pc, i.imm));
  },
  encode(i) {
    return ((i.op === 'BL' ? 0x80000000 : 0) | 0x14000000 | checkOffset(i.imm, 26, 4, `${i.op} offset`)) >>> 0;
  },
};

const condBranch: Encoding<CondBranch> = {
  name: 'conditional branch (immediate)',
  mask: 0xff000010,
  match: 0x54000000,
  keys: ['B_COND'],
  decode(w) {
    return { op: 'B_COND', word: w, cond: bits(w, 3, 0), imm: signExtend(bits(w, 23, 5), 19) * 4 };
  },
  format(i, pc) {
    const names = CONDITIONS[i.cond];
    return fmt(`b.${names[0]}`, target(pc, i.imm), names.length > 1 ? names.slice(1).map((n) => `b.${n}`).join(', ') : undefined);
  },
  encode(i) {
    return (0x54000000 | (checkOffset(i.imm, 19, 4, 'B.cond offset') << 5) | checkCond(i.cond)) >>> 0;
  },
};

const compareBranch: Encoding<CompareBranch> = {
  name: 'compare and branch (immediate)',
  mask: 0x7e000000,
  match: 0x34000000,
  keys: ['CBZ', 'CBNZ'],
  decode(w) {
    return { op: bits(w, 24, 24) ? 'CBNZ' : 'CBZ', word: w, sf: w >>> 31 === 1, rt: bits(w, 4, 0), imm: signExtend(bits(w, 23, 5), 19) * 4 };
  },
  format(i, pc) {
    return fmt(i.op.toLowerCase(), `${regName(i.rt, i.sf)}, ${target(pc, i.imm)}`);
  },
  encode(i) {
    return (sfBit(i.sf) | 0x34000000 | (i.op === 'CBNZ' ? 1 << 24 : 0) | (checkOffset(i.imm, 19, 4, `${i.op} offset`) << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
  },
};

const testBranch: Encoding<TestBranch> = {
  name: 'test and branch (immediate)',
  mask: 0x7e000000,
  match: 0x36000000,
  keys: ['TBZ', 'TBNZ'],
  decode(w) {
    return { op: bits(w, 24, 24) ? 'TBNZ' : 'TBZ', word: w, rt: bits(w, 4, 0), bit: (bits(w, 31, 31) << 5) | bits(w, 23, 19), imm: signExtend(bits(w, 18, 5), 14) * 4 };
  },
  format(i, pc) {
    return fmt(i.op.toLowerCase(), `${regName(i.rt, i.bit >= 32)}, #${i.bit}, ${target(pc, i.imm)}`);
  },
  encode(i) {
    checkUnsigned(i.bit, 6, `${i.op} bit number`);
    return (((i.bit >> 5) << 31) | 0x36000000 | (i.op === 'TBNZ' ? 1 << 24 : 0) | ((i.bit & 31) << 19) | (checkOffset(i.imm, 14, 4, `${i.op} offset`) << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
  },
};

const BR_OPS = ['BR', 'BLR', 'RET'] as const;

const branchReg: Encoding<BranchReg> = {
  name: 'unconditional branch (register)',
  mask: 0xff9ffc1f,
  match: 0xd61f0000,
  keys: [...BR_OPS],
  decode(w) {
    const opc = bits(w, 22, 21);
    if (opc === 3) return undefined;
    return { op: BR_OPS[opc], word: w, rn: bits(w, 9, 5) };
  },
  format(i) {
    if (i.op === 'RET' && i.rn === 30) return 'ret';
    return fmt(i.op.toLowerCase(), regName(i.rn, true));
  },
  encode(i) {
    return (0xd61f0000 | (BR_OPS.indexOf(i.op) << 21) | (encZR(i.rn, true, 'Rn') << 5)) >>> 0;
  },
};

const eret: Encoding<Eret> = {
  name: 'ERET',
  mask: 0xffffffff,
  match: 0xd69f03e0,
  keys: ['ERET'],
  decode: (w) => ({ op: 'ERET', word: w }),
  format: () => 'eret',
  encode: () => 0xd69f03e0,
};

function exceptionRow(op: ExceptionGen['op'], match: number): Encoding<ExceptionGen> {
  return {
    name: `exception generation: ${op}`,
    mask: 0xffe0001f,
    match,
    keys: [op],
    decode: (w) => ({ op, word: w, imm: bits(w, 20, 5) }),
    format: (i) => fmt(op.toLowerCase(), `#${hex(i.imm)}`),
    encode: (i) => (match | (checkUnsigned(i.imm, 16, `${op} immediate`) << 5)) >>> 0,
  };
}

// ---------------------------------------------------------------- system

const HINT_OPS: readonly Hint['op'][] = ['NOP', 'YIELD', 'WFE', 'WFI', 'SEV', 'SEVL'];

const hint: Encoding<Hint> = {
  name: 'hints',
  mask: 0xfffff01f,
  match: 0xd503201f,
  keys: [...HINT_OPS],
  decode(w) {
    const imm = bits(w, 11, 5);
    return { op: HINT_OPS[imm] ?? 'NOP', word: w, imm };
  },
  format(i) {
    return HINT_NAMES.get(i.imm) ?? fmt('hint', `#${hex(i.imm)}`);
  },
  encode(i) {
    const expected = HINT_OPS[i.imm] ?? 'NOP';
    checkUnsigned(i.imm, 7, 'hint number');
    if (expected !== i.op) throw new EncodingError(`hint #${i.imm} is ${expected}, not ${i.op}`);
    return (0xd503201f | (i.imm << 5)) >>> 0;
  },
};

function barrierRow(op: Barrier['op'], match: number): Encoding<Barrier> {
  return {
    name: `barriers: ${op}`,
    mask: 0xfffff0ff,
    match,
    keys: [op],
    decode: (w) => ({ op, word: w, option: bits(w, 11, 8) }),
    format(i) {
      if (op === 'ISB') return i.option === 15 ? 'isb' : fmt('isb', `#${hex(i.option)}`);
      if (op === 'DSB' && i.option === 0) return 'ssbb';
      if (op === 'DSB' && i.option === 4) return 'pssbb';
      const name = BARRIER_OPTIONS[i.option];
      return fmt(op.toLowerCase(), name ?? `#0x${i.option.toString(16).padStart(2, '0')}`);
    },
    encode: (i) => (match | (checkUnsigned(i.option, 4, `${op} option`) << 8)) >>> 0,
  };
}

const msrImm: Encoding<PstateMove> = {
  name: 'MSR (immediate)',
  mask: 0xfff8f01f,
  match: 0xd500401f,
  keys: ['MSR_IMM'],
  decode(w) {
    const op1 = bits(w, 18, 16);
    const op2 = bits(w, 7, 5);
    const f = PSTATE_FIELDS.find((p) => p.op1 === op1 && p.op2 === op2);
    const imm = bits(w, 11, 8);
    // SPSel takes one bit; its other CRm values encode other PSTATE fields (not modelled).
    if (f === undefined || imm > f.maxImm) return undefined;
    return { op: 'MSR_IMM', word: w, field: f.name, imm };
  },
  format: (i) => fmt('msr', `${i.field.toLowerCase()}, #${hex(i.imm)}`),
  encode(i) {
    const f = PSTATE_FIELDS.find((p) => p.name === i.field);
    if (f === undefined) throw new EncodingError(`PSTATE field ${String(i.field)} is not SPSel, DAIFSet or DAIFClr`);
    if (!Number.isInteger(i.imm) || i.imm < 0 || i.imm > f.maxImm) throw new EncodingError(`MSR ${i.field} immediate ${i.imm} is out of range (0-${f.maxImm})`);
    return (0xd500401f | (f.op1 << 16) | (i.imm << 8) | (f.op2 << 5)) >>> 0;
  },
};

const cacheOp: Encoding<DataCacheOp | InsnCacheOp> = {
  name: 'SYS: DC and IC',
  mask: 0xfff80000,
  match: 0xd5080000,
  keys: ['DC', 'IC'],
  decode(w) {
    if (bits(w, 15, 12) !== 7) return undefined;
    const [op1, crm, op2, rt] = [bits(w, 18, 16), bits(w, 11, 8), bits(w, 7, 5), bits(w, 4, 0)];
    // Operations without a register need Rt = 31; other values are not DC/IC (objdump: SYS).
    const match = (o: CacheOpInfo<string>) => o.op1 === op1 && o.crm === crm && o.op2 === op2 && (o.takesReg || rt === 31);
    const dc = DC_OPS.find(match);
    if (dc !== undefined) return { op: 'DC', word: w, cacheOp: dc.name, rt };
    const ic = IC_OPS.find(match);
    if (ic !== undefined) return { op: 'IC', word: w, cacheOp: ic.name, rt };
    return undefined;
  },
  format(i) {
    const table: readonly CacheOpInfo<string>[] = i.op === 'DC' ? DC_OPS : IC_OPS;
    const info = table.find((o) => o.name === i.cacheOp)!;
    return fmt(i.op.toLowerCase(), info.takesReg ? `${i.cacheOp.toLowerCase()}, ${regName(i.rt, true)}` : i.cacheOp.toLowerCase());
  },
  encode(i) {
    const table: readonly CacheOpInfo<string>[] = i.op === 'DC' ? DC_OPS : IC_OPS;
    const info = table.find((o) => o.name === i.cacheOp);
    if (info === undefined) throw new EncodingError(`${i.cacheOp} is not a ${i.op} operation`);
    const rt = encZR(i.rt, true, 'Rt');
    if (!info.takesReg && rt !== 31) throw new EncodingError(`${i.op} ${i.cacheOp} takes no register`);
    return (0xd5080000 | (info.op1 << 16) | (7 << 12) | (info.crm << 8) | (info.op2 << 5) | rt) >>> 0;
  },
};

function sysRegRow(op: 'MRS' | 'MSR', match: number): Encoding<SysRegMove> {
  return {
    name: `${op} (register)`,
    mask: 0xfff00000,
    match,
    keys: [op],
    decode: (w) => ({ op, word: w, sysreg: bits(w, 19, 5) | (1 << 15), rt: bits(w, 4, 0) }),
    format: (i) => (op === 'MRS' ? fmt('mrs', `${regName(i.rt, true)}, ${sysRegName(i.sysreg)}`) : fmt('msr', `${sysRegName(i.sysreg)}, ${regName(i.rt, true)}`)),
    encode(i) {
      if (!Number.isInteger(i.sysreg) || i.sysreg >> 15 !== 1 || i.sysreg > 0xffff) throw new EncodingError(`system register encoding ${hex(i.sysreg)} does not have op0 = 2 or 3`);
      return (match | ((i.sysreg & 0x7fff) << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
    },
  };
}

/** The whole table, in no particular order: rows never overlap (a test checks it). */
export const ENCODINGS: readonly Encoding[] = [
  moveWide,
  addSubImm,
  addSubReg,
  logicImm,
  logicReg,
  bitfield,
  extract,
  mulAdd,
  dataProc2,
  condSelect,
  ldstUimm,
  ldstImmRow('load/store register (unscaled immediate)', 0x38000000, 'unscaled'),
  ldstImmRow('load/store register (immediate post-indexed)', 0x38000400, 'post'),
  ldstImmRow('load/store register (immediate pre-indexed)', 0x38000c00, 'pre'),
  ldstReg,
  ldrLiteral,
  pairRow('load/store register pair (offset)', 0x29000000, 'offset'),
  pairRow('load/store register pair (pre-indexed)', 0x29800000, 'pre'),
  pairRow('load/store register pair (post-indexed)', 0x28800000, 'post'),
  pcRel,
  branchImm,
  condBranch,
  compareBranch,
  testBranch,
  branchReg,
  eret,
  exceptionRow('SVC', 0xd4000001),
  exceptionRow('HVC', 0xd4000002),
  exceptionRow('SMC', 0xd4000003),
  exceptionRow('BRK', 0xd4200000),
  hint,
  barrierRow('DSB', 0xd503309f),
  barrierRow('DMB', 0xd50330bf),
  barrierRow('ISB', 0xd50330df),
  msrImm,
  cacheOp,
  sysRegRow('MRS', 0xd5300000),
  sysRegRow('MSR', 0xd5100000),
] as unknown as readonly Encoding[];

/** The key an instruction's fields are encoded under (see `Encoding.keys`). */
export function encodingKey(i: InsnFields): string {
  return i.op === 'LDR' || i.op === 'STR' || i.op === 'LDP' || i.op === 'STP' ? `${i.op}/${i.mode}` : i.op;
}

