/**
 * The Arm ARM's "Loads and Stores" group: single registers (unscaled, pre/post-indexed, unsigned
 * offset, register offset, literal) and register pairs.
 */
import { bits, signExtend } from '../bits';
import { ZR, type Extend, type LoadStore, type LoadStorePair } from '../insn';
import { EncodingError, checkOffset, decSP, encSP, encZR, fmt, regName, target, type Encoding } from './encoding';

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

export function ldstImmRow(name: string, match: number, mode: 'unscaled' | 'pre' | 'post'): Encoding<LoadStore> {
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

export const ldstUimm: Encoding<LoadStore> = {
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

export const ldstReg: Encoding<LoadStore> = {
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

export const ldrLiteral: Encoding<LoadStore> = {
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

export function pairRow(name: string, match: number, mode: LoadStorePair['mode']): Encoding<LoadStorePair> {
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
