/**
 * The Arm ARM's "Data Processing -- Register" group: add/subtract and logical (shifted register),
 * data-processing (2 and 3 source), conditional select.
 */
import { bits } from '../bits';
import { ZR, type AddSubReg, type CondSelect, type DataProc2, type LogicReg, type MulAdd, type ShiftType } from '../insn';
import { CONDITIONS } from '../names';
import { ADDSUB_OPS, EncodingError, SHIFTS, checkCond, condComment, encZR, fmt, regName, sfBit, shiftSuffix, type Encoding } from './encoding';

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
