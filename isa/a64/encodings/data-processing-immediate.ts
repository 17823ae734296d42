/**
 * The Arm ARM's "Data Processing -- Immediate" group: PC-relative addressing, add/subtract,
 * logical, move wide, bitfield and extract (immediate).
 */
import { MASK64, bits, decodeLogicImm, encodeLogicImm, hex, join64, signExtend } from '../bits';
import { SP, ZR, type AddSubImm, type Bitfield, type Extr, type LogicImm, type MoveWide, type PcRel } from '../insn';
import {
  ADDSUB_OPS,
  EncodingError,
  checkOffset,
  checkUnsigned,
  decSP,
  encSP,
  encZR,
  fmt,
  isMoveWideImm,
  movComment,
  regName,
  sfBit,
  target,
  widthMask,
  type Encoding,
} from './encoding';

export const moveWide: Encoding<MoveWide> = {
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

export const addSubImm: Encoding<AddSubImm> = {
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

const LOGIC_IMM_OPS = ['AND_IMM', 'ORR_IMM', 'EOR_IMM', 'ANDS_IMM'] as const;

export const logicImm: Encoding<LogicImm> = {
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

/** By opc: SBFM, BFM, UBFM (3 is unallocated). */
const BITFIELD_OPS = ['SBFM', 'BFM', 'UBFM'] as const;

export const bitfield: Encoding<Bitfield> = {
  name: 'bitfield',
  mask: 0x1f800000,
  match: 0x13000000,
  keys: ['SBFM', 'BFM', 'UBFM'],
  decode(w) {
    const sf = w >>> 31 === 1;
    const opc = bits(w, 30, 29);
    const immr = bits(w, 21, 16);
    const imms = bits(w, 15, 10);
    if (opc === 3 || bits(w, 22, 22) !== (sf ? 1 : 0) || (!sf && (immr >= 32 || imms >= 32))) return undefined;
    return { op: BITFIELD_OPS[opc], word: w, sf, rd: bits(w, 4, 0), rn: bits(w, 9, 5), immr, imms };
  },
  format(i) {
    const size = i.sf ? 64 : 32;
    const [rd, rn] = [regName(i.rd, i.sf), regName(i.rn, i.sf)];
    const wn = regName(i.rn, false);
    const { immr, imms } = i;
    // BFM always prints as an alias (BFC is ARMv8.2's name, but objdump prints it for any core).
    if (i.op === 'BFM') {
      if (imms < immr) return i.rn === ZR ? fmt('bfc', `${rd}, #${size - immr}, #${imms + 1}`) : fmt('bfi', `${rd}, ${rn}, #${size - immr}, #${imms + 1}`);
      return fmt('bfxil', `${rd}, ${rn}, #${immr}, #${imms - immr + 1}`);
    }
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
    return (sfBit(i.sf) | (BITFIELD_OPS.indexOf(i.op) << 29) | 0x13000000 | (i.sf ? 1 << 22 : 0) | (i.immr << 16) | (i.imms << 10) | (encZR(i.rn, i.sf, 'Rn') << 5) | encZR(i.rd, i.sf, 'Rd')) >>> 0;
  },
};

export const extract: Encoding<Extr> = {
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

export const pcRel: Encoding<PcRel> = {
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
