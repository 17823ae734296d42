/**
 * The Arm ARM's "Data Processing -- Register" group: add/subtract and logical (shifted register),
 * data-processing (2 and 3 source), conditional select.
 */
import { bits } from '../bits';
import {
  SP,
  ZR,
  type AddSubCarry,
  type AddSubExt,
  type AddSubReg,
  type CondCompareImm,
  type CondCompareReg,
  type CondSelect,
  type Crc32,
  type DataProc1,
  type DataProc2,
  type LogicReg,
  type MulAdd,
  type MulAddLong,
  type MulHigh,
  type RegExtend,
  type ShiftType,
} from '../insn';
import { CONDITIONS } from '../names';
import { ADDSUB_OPS, EncodingError, SHIFTS, checkCond, checkUnsigned, condComment, decSP, encSP, encZR, fmt, regName, sfBit, shiftSuffix, type Encoding } from './encoding';

function checkShift(type: ShiftType, amount: number, sf: boolean, allowRor: boolean, name: string): number {
  const t = SHIFTS.indexOf(type);
  if (t < 0 || (t === 3 && !allowRor)) throw new EncodingError(`${name} does not take shift ${type}`);
  if (!Number.isInteger(amount) || amount < 0 || amount >= (sf ? 64 : 32)) throw new EncodingError(`shift amount ${amount} is out of range for ${name} (0-${sf ? 63 : 31})`);
  return (t << 22) | (amount << 10);
}

export const addSubReg: Encoding<AddSubReg> = {
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

const LOGIC_REG_OPS = ['AND_REG', 'BIC_REG', 'ORR_REG', 'ORN_REG', 'EOR_REG', 'EON_REG', 'ANDS_REG', 'BICS_REG'] as const;

export const logicReg: Encoding<LogicReg> = {
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

export const mulAdd: Encoding<MulAdd> = {
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

export const dataProc2: Encoding<DataProc2> = {
  name: 'data-processing (2 source)',
  // Opcodes 0-15 (divide, shifts); 010xxx is CRC32 (crc32 below).
  mask: 0x7fe0c000,
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

export const condSelect: Encoding<CondSelect> = {
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

// ---------------------------------------------------------------- beyond the first subset

/** The extends in `option` order. */
export const REG_EXTENDS: readonly RegExtend[] = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];

/** Whether an extended Rm is an X register: UXTX/SXTX of a 64-bit operation. */
export const extendTakesX = (sf: boolean, extend: RegExtend): boolean => sf && (extend === 'uxtx' || extend === 'sxtx');

export const addSubExt: Encoding<AddSubExt> = {
  name: 'add/subtract (extended register)',
  mask: 0x1fe00000,
  match: 0x0b200000,
  keys: ['ADD_EXT', 'ADDS_EXT', 'SUB_EXT', 'SUBS_EXT'],
  decode(w) {
    const shift = bits(w, 12, 10);
    if (shift > 4) return undefined;
    const s = bits(w, 29, 29);
    const op = `${ADDSUB_OPS[bits(w, 30, 29)]}_EXT` as AddSubExt['op'];
    const rd = bits(w, 4, 0);
    return { op, word: w, sf: w >>> 31 === 1, rd: s ? rd : decSP(rd), rn: decSP(bits(w, 9, 5)), rm: bits(w, 20, 16), extend: REG_EXTENDS[bits(w, 15, 13)], shift };
  },
  format(i) {
    const [rd, rn] = [regName(i.rd, i.sf), regName(i.rn, i.sf)];
    const rm = regName(i.rm, extendTakesX(i.sf, i.extend));
    // With SP as Rd or Rn, the extend that is no extension at all prints as LSL (or nothing).
    const plain = (i.rd === SP || i.rn === SP) && i.extend === (i.sf ? 'uxtx' : 'uxtw');
    const ext = plain ? (i.shift === 0 ? '' : `, lsl #${i.shift}`) : `, ${i.extend}${i.shift === 0 ? '' : ` #${i.shift}`}`;
    if (i.op === 'SUBS_EXT' && i.rd === ZR) return fmt('cmp', `${rn}, ${rm}${ext}`);
    if (i.op === 'ADDS_EXT' && i.rd === ZR) return fmt('cmn', `${rn}, ${rm}${ext}`);
    return fmt(i.op.slice(0, -4).toLowerCase(), `${rd}, ${rn}, ${rm}${ext}`);
  },
  encode(i) {
    const name = i.op.slice(0, -4);
    const option = REG_EXTENDS.indexOf(i.extend);
    if (option < 0) throw new EncodingError(`${name} does not take extend ${i.extend}`);
    if (!Number.isInteger(i.shift) || i.shift < 0 || i.shift > 4) throw new EncodingError(`${name} extend shift ${i.shift} is out of range (0-4)`);
    const s = i.op.endsWith('S_EXT');
    const rd = s ? encZR(i.rd, i.sf, 'Rd') : encSP(i.rd, i.sf, 'Rd');
    return (sfBit(i.sf) | (ADDSUB_OPS.indexOf(name as (typeof ADDSUB_OPS)[number]) << 29) | 0x0b200000 | (encZR(i.rm, i.sf, 'Rm') << 16) | (option << 13) | (i.shift << 10) | (encSP(i.rn, i.sf, 'Rn') << 5) | rd) >>> 0;
  },
};

const CARRY_OPS = ['ADC', 'ADCS', 'SBC', 'SBCS'] as const;

export const addSubCarry: Encoding<AddSubCarry> = {
  name: 'add/subtract (with carry)',
  mask: 0x1fe0fc00,
  match: 0x1a000000,
  keys: [...CARRY_OPS],
  decode(w) {
    return { op: CARRY_OPS[bits(w, 30, 29)], word: w, sf: w >>> 31 === 1, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16) };
  },
  format(i) {
    const [rd, rn, rm] = [regName(i.rd, i.sf), regName(i.rn, i.sf), regName(i.rm, i.sf)];
    if ((i.op === 'SBC' || i.op === 'SBCS') && i.rn === ZR) return fmt(i.op === 'SBC' ? 'ngc' : 'ngcs', `${rd}, ${rm}`);
    return fmt(i.op.toLowerCase(), `${rd}, ${rn}, ${rm}`);
  },
  encode(i) {
    return (sfBit(i.sf) | (CARRY_OPS.indexOf(i.op) << 29) | 0x1a000000 | (encZR(i.rm, i.sf, 'Rm') << 16) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

/** The conditional compares: `immediate` selects the 5-bit immediate form (bit 11). */
function condCompareRow(immediate: boolean): Encoding<CondCompareReg | CondCompareImm> {
  const kind = immediate ? 'IMM' : 'REG';
  const base = immediate ? 0x3a400800 : 0x3a400000;
  return {
    name: `conditional compare (${immediate ? 'immediate' : 'register'})`,
    // o2 (bit 10) and o3 (bit 4) are 0 in every allocated encoding.
    mask: 0x3fe00c10,
    match: base,
    keys: [`CCMN_${kind}`, `CCMP_${kind}`],
    decode(w) {
      const op = `${bits(w, 30, 30) ? 'CCMP' : 'CCMN'}_${kind}`;
      const common = { word: w, sf: w >>> 31 === 1, rn: bits(w, 9, 5), nzcv: bits(w, 3, 0), cond: bits(w, 15, 12) };
      return immediate ? { op: op as CondCompareImm['op'], ...common, imm: bits(w, 20, 16) } : { op: op as CondCompareReg['op'], ...common, rm: bits(w, 20, 16) };
    },
    format(i) {
      const second = 'imm' in i ? `#0x${i.imm.toString(16)}` : regName(i.rm, i.sf);
      return fmt(i.op.slice(0, 4).toLowerCase(), `${regName(i.rn, i.sf)}, ${second}, #0x${i.nzcv.toString(16)}, ${CONDITIONS[i.cond][0]}`, condComment(i.cond));
    },
    encode(i) {
      const field = 'imm' in i ? checkUnsigned(i.imm, 5, `${i.op.slice(0, 4)} immediate`) : encZR(i.rm, i.sf, 'Rm');
      const ccmp = i.op.startsWith('CCMP') ? 1 << 30 : 0;
      return (sfBit(i.sf) | ccmp | base | (field << 16) | (checkCond(i.cond) << 12) | (encZR(i.rn, i.sf, 'Rn') << 5) | checkUnsigned(i.nzcv, 4, 'NZCV')) >>> 0;
    },
  };
}
export const condCompareReg = condCompareRow(false);
export const condCompareImm = condCompareRow(true);

/** By opcode (bits 15:10); REV32 is opcode 2 of a 64-bit operation, whose REV is opcode 3. */
const DP1_OPS = ['RBIT', 'REV16', 'REV32', 'REV', 'CLZ', 'CLS'] as const;

export const dataProc1: Encoding<DataProc1> = {
  name: 'data-processing (1 source)',
  mask: 0x7fff0000,
  match: 0x5ac00000,
  keys: [...DP1_OPS],
  decode(w) {
    const sf = w >>> 31 === 1;
    const opcode = bits(w, 15, 10);
    if (opcode > 5 || (!sf && opcode === 3)) return undefined;
    const op = !sf && opcode === 2 ? 'REV' : DP1_OPS[opcode];
    return { op, word: w, sf, rd: bits(w, 4, 0), rn: bits(w, 9, 5) };
  },
  format(i) {
    return fmt(i.op.toLowerCase(), `${regName(i.rd, i.sf)}, ${regName(i.rn, i.sf)}`);
  },
  encode(i) {
    if (i.op === 'REV32' && !i.sf) throw new EncodingError('REV32 takes X registers (REV reverses the bytes of a W register)');
    const opcode = i.op === 'REV' && !i.sf ? 2 : DP1_OPS.indexOf(i.op);
    return (sfBit(i.sf) | 0x5ac00000 | (opcode << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

const LONG_OPS = ['SMADDL', 'SMSUBL', 'UMADDL', 'UMSUBL'] as const;
const LONG_ALIASES: Readonly<Record<MulAddLong['op'], string>> = { SMADDL: 'smull', SMSUBL: 'smnegl', UMADDL: 'umull', UMSUBL: 'umnegl' };

export const mulAddLong: Encoding<MulAddLong> = {
  name: 'data-processing (3 source): SMADDL/SMSUBL/UMADDL/UMSUBL',
  mask: 0xff600000,
  match: 0x9b200000,
  keys: [...LONG_OPS],
  decode(w) {
    return { op: LONG_OPS[(bits(w, 23, 23) << 1) | bits(w, 15, 15)], word: w, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16), ra: bits(w, 14, 10) };
  },
  format(i) {
    const [rd, rn, rm] = [regName(i.rd, true), regName(i.rn, false), regName(i.rm, false)];
    if (i.ra === ZR) return fmt(LONG_ALIASES[i.op], `${rd}, ${rn}, ${rm}`);
    return fmt(i.op.toLowerCase(), `${rd}, ${rn}, ${rm}, ${regName(i.ra, true)}`);
  },
  encode(i) {
    const n = LONG_OPS.indexOf(i.op);
    return (0x9b200000 | ((n >> 1) << 23) | (encZR(i.rm, false, 'Rm') << 16) | ((n & 1) << 15) | (encZR(i.ra, true, 'Ra') << 10) | (encZR(i.rn, false, 'Rn') << 5) | encZR(i.rd, true, 'Rd')) >>> 0;
  },
};

export const mulHigh: Encoding<MulHigh> = {
  name: 'data-processing (3 source): SMULH/UMULH',
  // o0 (bit 15) is 0; Ra (bits 14:10) should be 11111, but objdump and the Arm ARM ignore it.
  mask: 0xff608000,
  match: 0x9b400000,
  keys: ['SMULH', 'UMULH'],
  decode(w) {
    return { op: bits(w, 23, 23) ? 'UMULH' : 'SMULH', word: w, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16) };
  },
  format(i) {
    return fmt(i.op.toLowerCase(), `${regName(i.rd, true)}, ${regName(i.rn, true)}, ${regName(i.rm, true)}`);
  },
  encode(i) {
    return (0x9b407c00 | (i.op === 'UMULH' ? 1 << 23 : 0) | (encZR(i.rm, true, 'Rm') << 16) | (encZR(i.rn, true, 'Rn') << 5) | encZR(i.rd, true, 'Rd')) >>> 0;
  },
};

/** By C:sz (bits 12:10). */
const CRC_OPS = ['CRC32B', 'CRC32H', 'CRC32W', 'CRC32X', 'CRC32CB', 'CRC32CH', 'CRC32CW', 'CRC32CX'] as const;

export const crc32: Encoding<Crc32> = {
  name: 'data-processing (2 source): CRC32/CRC32C',
  mask: 0x7fe0e000,
  match: 0x1ac04000,
  keys: [...CRC_OPS],
  decode(w) {
    const sf = w >>> 31 === 1;
    const sz = bits(w, 11, 10);
    // sf must say whether Rm is X: only the doubleword forms have it set.
    if (sf !== (sz === 3)) return undefined;
    return { op: CRC_OPS[bits(w, 12, 10)], word: w, rd: bits(w, 4, 0), rn: bits(w, 9, 5), rm: bits(w, 20, 16) };
  },
  format(i) {
    return fmt(i.op.toLowerCase(), `${regName(i.rd, false)}, ${regName(i.rn, false)}, ${regName(i.rm, i.op.endsWith('X'))}`);
  },
  encode(i) {
    const x = i.op.endsWith('X');
    return (sfBit(x) | 0x1ac04000 | (encZR(i.rm, x, 'Rm') << 16) | (CRC_OPS.indexOf(i.op) << 10) | (encZR(i.rn, false, 'Rn') << 5) | encZR(i.rd, false, 'Rd')) >>> 0;
  },
};
