/**
 * The Arm ARM's "Loads and Stores" group, general registers: single registers (unscaled,
 * pre/post-indexed, unsigned offset, register offset, literal; the prefetches PRFM/PRFUM share
 * those rows), unprivileged (LDTR/STTR), register pairs (LDP/STP, LDPSW) and no-allocate pairs
 * (LDNP/STNP). The exclusives are in loads-stores-exclusive.ts.
 */
import { bits, signExtend } from '../bits';
import { ZR, type Extend, type LoadPairSigned, type LoadStore, type LoadStorePair, type LoadStorePairNonTemporal, type LoadStoreUnprivileged, type Prefetch } from '../insn';
import { EncodingError, checkOffset, checkUnsigned, decSP, encSP, encZR, fmt, regName, target, type Encoding } from './encoding';

/**
 * PRFM's prefetch operations by the Rt field, as objdump names them: type (PLD, PLI, PST), target
 * (L1-L3), policy (KEEP, STRM); the unallocated ones print as `#0x..`.
 */
export const PRFOPS: readonly (string | undefined)[] = Array.from({ length: 32 }, (_, op) => {
  const type = ['pld', 'pli', 'pst'][op >> 3];
  const level = ((op >> 1) & 3) + 1;
  if (type === undefined || ((op >> 1) & 3) === 3) return undefined;
  return `${type}l${level}${op & 1 ? 'strm' : 'keep'}`;
});

export function prfopName(op: number): string {
  return PRFOPS[op] ?? `#0x${op.toString(16).padStart(2, '0')}`;
}

/** size:opc = 3:2 is PRFM in the unsigned-offset, register-offset and (PRFUM) unscaled forms. */
const isPrefetch = (size: number, opc: number): boolean => size === 3 && opc === 2;

function prefetchFields(w: number, mode: Prefetch['mode'], imm: number, rm = ZR, extend: Extend = 'lsl', scaled = false): Prefetch & { word: number } {
  return { op: 'PRFM', word: w, prfop: bits(w, 4, 0), rn: mode === 'literal' ? ZR : decSP(bits(w, 9, 5)), mode, imm, rm, extend, scaled };
}

/** Rt, size and opc of a load/store or a prefetch (prefetches are size 3, opc 2, Rt = prfop). */
function rtSizeOpc(i: LoadStore | Prefetch): number {
  if (i.op === 'PRFM') return (3 << 30) | (2 << 22) | checkUnsigned(i.prfop, 5, 'prefetch operation');
  return (checkSize(i.size) << 30) | (ldstOpc(i) << 22) | encZR(i.rt, i.sf, 'Rt');
}

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

export function ldstImmRow(name: string, match: number, mode: 'unscaled' | 'pre' | 'post'): Encoding<LoadStore | Prefetch> {
  return {
    name,
    mask: 0x3f200c00,
    match,
    keys: mode === 'unscaled' ? ['LDR/unscaled', 'STR/unscaled', 'PRFM/unscaled'] : [`LDR/${mode}`, `STR/${mode}`],
    decode(w) {
      const size = bits(w, 31, 30) as LoadStore['size'];
      const opc = bits(w, 23, 22);
      const imm = signExtend(bits(w, 20, 12), 9);
      if (mode === 'unscaled' && isPrefetch(size, opc)) return prefetchFields(w, 'unscaled', imm);
      const k = ldstKind(size, opc);
      if (k === undefined) return undefined;
      return { ...k, word: w, size, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), mode, imm, ...BASE_FIELDS };
    },
    format(i) {
      const rn = regName(i.rn, true);
      if (i.op === 'PRFM') return fmt('prfum', `${prfopName(i.prfop)}, [${rn}${i.imm ? `, #${i.imm}` : ''}]`);
      const rt = regName(i.rt, i.sf);
      const mn = ldstMnemonic(i.op, i.size, i.signed, mode === 'unscaled');
      if (mode === 'unscaled') return fmt(mn, `${rt}, [${rn}${i.imm ? `, #${i.imm}` : ''}]`);
      return fmt(mn, mode === 'pre' ? `${rt}, [${rn}, #${i.imm}]!` : `${rt}, [${rn}], #${i.imm}`);
    },
    encode(i) {
      if (i.op === 'PRFM' && mode !== 'unscaled') throw new EncodingError(`PRFM has no ${mode}-indexed form`);
      const imm = checkOffset(i.imm, 9, 1, 'offset');
      return (match | rtSizeOpc(i) | (imm << 12) | (encSP(i.rn, true, 'base register') << 5)) >>> 0;
    },
  };
}

export const ldstUimm: Encoding<LoadStore | Prefetch> = {
  name: 'load/store register (unsigned immediate)',
  mask: 0x3f000000,
  match: 0x39000000,
  keys: ['LDR/offset', 'STR/offset', 'PRFM/offset'],
  decode(w) {
    const size = bits(w, 31, 30) as LoadStore['size'];
    const opc = bits(w, 23, 22);
    if (isPrefetch(size, opc)) return prefetchFields(w, 'offset', bits(w, 21, 10) << 3);
    const k = ldstKind(size, opc);
    if (k === undefined) return undefined;
    return { ...k, word: w, size, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), mode: 'offset', imm: bits(w, 21, 10) << size, ...BASE_FIELDS };
  },
  format(i) {
    const addr = `[${regName(i.rn, true)}${i.imm ? `, #${i.imm}` : ''}]`;
    if (i.op === 'PRFM') return fmt('prfm', `${prfopName(i.prfop)}, ${addr}`);
    return fmt(ldstMnemonic(i.op, i.size, i.signed, false), `${regName(i.rt, i.sf)}, ${addr}`);
  },
  encode(i) {
    const size = i.op === 'PRFM' ? 3 : checkSize(i.size);
    const scale = 1 << size;
    const what = i.op === 'PRFM' ? 'PRFM' : ldstMnemonic(i.op, size, i.signed, false).toUpperCase();
    if (!Number.isInteger(i.imm) || i.imm < 0 || i.imm % scale !== 0 || i.imm / scale > 0xfff)
      throw new EncodingError(`offset ${i.imm} does not fit ${what} (unsigned, a multiple of ${scale} up to ${0xfff * scale})`);
    return (0x39000000 | rtSizeOpc(i) | ((i.imm / scale) << 10) | (encSP(i.rn, true, 'base register') << 5)) >>> 0;
  },
};

const EXTENDS: readonly (Extend | undefined)[] = [undefined, undefined, 'uxtw', 'lsl', undefined, undefined, 'sxtw', 'sxtx'];

export const ldstReg: Encoding<LoadStore | Prefetch> = {
  name: 'load/store register (register offset)',
  mask: 0x3f200c00,
  match: 0x38200800,
  keys: ['LDR/reg', 'STR/reg', 'PRFM/reg'],
  decode(w) {
    const size = bits(w, 31, 30) as LoadStore['size'];
    const opc = bits(w, 23, 22);
    const extend = EXTENDS[bits(w, 15, 13)];
    if (extend === undefined) return undefined;
    const rm = bits(w, 20, 16);
    const scaled = bits(w, 12, 12) === 1;
    if (isPrefetch(size, opc)) return prefetchFields(w, 'reg', 0, rm, extend, scaled);
    const k = ldstKind(size, opc);
    if (k === undefined) return undefined;
    return { ...k, word: w, size, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), mode: 'reg', imm: 0, rm, extend, scaled };
  },
  format(i) {
    const size = i.op === 'PRFM' ? 3 : i.size;
    const rm = regName(i.rm, i.extend === 'lsl' || i.extend === 'sxtx');
    const ext = i.scaled ? `, ${i.extend} #${size}` : i.extend === 'lsl' ? '' : `, ${i.extend}`;
    const addr = `[${regName(i.rn, true)}, ${rm}${ext}]`;
    if (i.op === 'PRFM') return fmt('prfm', `${prfopName(i.prfop)}, ${addr}`);
    return fmt(ldstMnemonic(i.op, i.size, i.signed, false), `${regName(i.rt, i.sf)}, ${addr}`);
  },
  encode(i) {
    const option = EXTENDS.indexOf(i.extend);
    if (option < 0) throw new EncodingError(`index extension ${String(i.extend)} is not uxtw, lsl, sxtw or sxtx`);
    return (0x38200800 | rtSizeOpc(i) | (encZR(i.rm, true, 'index register') << 16) | (option << 13) | (i.scaled ? 1 << 12 : 0) | (encSP(i.rn, true, 'base register') << 5)) >>> 0;
  },
};

export const ldrLiteral: Encoding<LoadStore | Prefetch> = {
  name: 'load register (literal)',
  mask: 0x3f000000,
  match: 0x18000000,
  keys: ['LDR/literal', 'PRFM/literal'],
  decode(w) {
    const opc = bits(w, 31, 30);
    const imm = signExtend(bits(w, 23, 5), 19) * 4;
    if (opc === 3) return prefetchFields(w, 'literal', imm);
    return { op: 'LDR', word: w, size: opc === 0 ? 2 : opc === 1 ? 3 : 2, signed: opc === 2, sf: opc !== 0, rt: bits(w, 4, 0), rn: ZR, mode: 'literal', imm, ...BASE_FIELDS };
  },
  format(i, pc) {
    if (i.op === 'PRFM') return fmt('prfm', `${prfopName(i.prfop)}, ${target(pc, i.imm)}`);
    return fmt(i.signed ? 'ldrsw' : 'ldr', `${regName(i.rt, i.sf)}, ${target(pc, i.imm)}`);
  },
  encode(i) {
    const off = checkOffset(i.imm, 19, 4, 'literal offset') << 5;
    if (i.op === 'PRFM') return ((3 << 30) | 0x18000000 | off | checkUnsigned(i.prfop, 5, 'prefetch operation')) >>> 0;
    const opc = i.signed ? (i.size === 2 && i.sf ? 2 : -1) : i.size === 2 && !i.sf ? 0 : i.size === 3 && i.sf ? 1 : -1;
    if (opc < 0) throw new EncodingError('LDR (literal) loads a W or X register, or LDRSW an X register');
    return ((opc << 30) | 0x18000000 | off | encZR(i.rt, i.sf, 'Rt')) >>> 0;
  },
};

function pairAddress(rn: number, mode: LoadStorePair['mode'], imm: number): string {
  const r = regName(rn, true);
  return mode === 'offset' ? `[${r}${imm ? `, #${imm}` : ''}]` : mode === 'pre' ? `[${r}, #${imm}]!` : `[${r}], #${imm}`;
}

/** LDP/STP of W or X registers, and (opc 01, a load) LDPSW. */
export function pairRow(name: string, match: number, mode: LoadStorePair['mode']): Encoding<LoadStorePair | LoadPairSigned> {
  return {
    name,
    mask: 0x3f800000,
    match,
    keys: [`LDP/${mode}`, `STP/${mode}`, `LDPSW/${mode}`],
    decode(w) {
      const opc = bits(w, 31, 30);
      const load = bits(w, 22, 22) === 1;
      const rt = bits(w, 4, 0);
      const rt2 = bits(w, 14, 10);
      const rn = decSP(bits(w, 9, 5));
      if (opc === 1) {
        // Rt == Rt2, or writeback into either, is CONSTRAINED UNPREDICTABLE: UNDEFINED here, as objdump has it.
        if (!load || rt === rt2 || (mode !== 'offset' && (rn === rt || rn === rt2))) return undefined;
        return { op: 'LDPSW', word: w, rt, rt2, rn, mode, imm: signExtend(bits(w, 21, 15), 7) << 2 };
      }
      if (opc !== 0 && opc !== 2) return undefined;
      const size = opc === 2 ? 3 : 2;
      return { op: load ? 'LDP' : 'STP', word: w, size, sf: size === 3, rt, rt2, rn, mode, imm: signExtend(bits(w, 21, 15), 7) << size };
    },
    format(i) {
      const sf = i.op === 'LDPSW' || i.sf;
      return fmt(i.op.toLowerCase(), `${regName(i.rt, sf)}, ${regName(i.rt2, sf)}, ${pairAddress(i.rn, mode, i.imm)}`);
    },
    encode(i) {
      const regs = (sf: boolean) => (encZR(i.rt2, sf, 'Rt2') << 10) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, sf, 'Rt');
      if (i.op === 'LDPSW') return ((1 << 30) | match | (1 << 22) | (checkOffset(i.imm, 7, 4, 'LDPSW offset') << 15) | regs(true)) >>> 0;
      if ((i.size !== 2 && i.size !== 3) || i.sf !== (i.size === 3)) throw new EncodingError(`${i.op} pairs two W (size 2) or two X (size 3) registers`);
      const imm = checkOffset(i.imm, 7, 1 << i.size, `${i.op} offset`);
      return (((i.size === 3 ? 2 : 0) << 30) | match | (i.op === 'LDP' ? 1 << 22 : 0) | (imm << 15) | regs(i.sf)) >>> 0;
    },
  };
}

/** LDNP/STNP: the pair (offset) with a non-temporal hint. */
export const pairNonTemporal: Encoding<LoadStorePairNonTemporal> = {
  name: 'load/store no-allocate pair (offset)',
  mask: 0x3f800000,
  match: 0x28000000,
  keys: ['LDNP', 'STNP'],
  decode(w) {
    const opc = bits(w, 31, 30);
    if (opc !== 0 && opc !== 2) return undefined;
    const size = opc === 2 ? 3 : 2;
    return { op: bits(w, 22, 22) ? 'LDNP' : 'STNP', word: w, size, sf: size === 3, rt: bits(w, 4, 0), rt2: bits(w, 14, 10), rn: decSP(bits(w, 9, 5)), imm: signExtend(bits(w, 21, 15), 7) << size };
  },
  format(i) {
    return fmt(i.op.toLowerCase(), `${regName(i.rt, i.sf)}, ${regName(i.rt2, i.sf)}, ${pairAddress(i.rn, 'offset', i.imm)}`);
  },
  encode(i) {
    if ((i.size !== 2 && i.size !== 3) || i.sf !== (i.size === 3)) throw new EncodingError(`${i.op} pairs two W (size 2) or two X (size 3) registers`);
    const imm = checkOffset(i.imm, 7, 1 << i.size, `${i.op} offset`);
    return (((i.size === 3 ? 2 : 0) << 30) | 0x28000000 | (i.op === 'LDNP' ? 1 << 22 : 0) | (imm << 15) | (encZR(i.rt2, i.sf, 'Rt2') << 10) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
  },
};

/** `ldtr`, `sttrb`, `ldtrsw`...: the mnemonic of an unprivileged load/store. */
export function unprivMnemonic(op: 'LDTR' | 'STTR', size: number, signed: boolean): string {
  return (op === 'LDTR' ? 'ldtr' : 'sttr') + (signed ? 's' : '') + (size === 0 ? 'b' : size === 1 ? 'h' : size === 2 && signed ? 'w' : '');
}

/** LDTR/STTR and their sized and signed forms: [Rn, #simm9], as EL0 would access it. */
export const ldstUnprivileged: Encoding<LoadStoreUnprivileged> = {
  name: 'load/store register (unprivileged)',
  mask: 0x3f200c00,
  match: 0x38000800,
  keys: ['LDTR', 'STTR'],
  decode(w) {
    const size = bits(w, 31, 30) as LoadStore['size'];
    const k = ldstKind(size, bits(w, 23, 22));
    if (k === undefined) return undefined;
    return { op: k.op === 'LDR' ? 'LDTR' : 'STTR', signed: k.signed, sf: k.sf, word: w, size, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), imm: signExtend(bits(w, 20, 12), 9) };
  },
  format(i) {
    return fmt(unprivMnemonic(i.op, i.size, i.signed), `${regName(i.rt, i.sf)}, [${regName(i.rn, true)}${i.imm ? `, #${i.imm}` : ''}]`);
  },
  encode(i) {
    const size = checkSize(i.size) as LoadStore['size'];
    const opc = ldstOpc({ op: i.op === 'LDTR' ? 'LDR' : 'STR', size, signed: i.signed, sf: i.sf, rt: i.rt, rn: i.rn, mode: 'unscaled', imm: i.imm, ...BASE_FIELDS });
    return ((size << 30) | 0x38000800 | (opc << 22) | (checkOffset(i.imm, 9, 1, 'offset') << 12) | (encSP(i.rn, true, 'base register') << 5) | encZR(i.rt, i.sf, 'Rt')) >>> 0;
  },
};
