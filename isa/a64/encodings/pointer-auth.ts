/**
 * ARMv8.3's pointer authentication (FEAT_PAuth) outside the hint space: the authenticating
 * branches (BRAA, BLRAA, RETAA, ERETAA and their B-key and zero-modifier forms) and LDRAA/LDRAB.
 * (PACIASP, AUTIASP, XPACLRI... are hints: NOP on ARMv8.0, named in names.ts.) A Cortex-A72 has
 * no PAuth: decoded and printed, UNDEFINED when executed.
 */
import { bits, signExtend } from '../bits';
import type { PacBranch, PacLoad } from '../insn';
import { EncodingError, checkOffset, decSP, encSP, encZR, fmt, regName, type Encoding } from './encoding';

const BRANCH_OPS: readonly (PacBranch['op'] | undefined)[] = ['BRA', 'BLRA', 'RETA', undefined];

/** 1101011 Z 0 op 11111 00001 M Rn Rm: Z = 0 BRAAZ/BLRAAZ/RETAA (Rm = 11111), Z = 1 BRAA/BLRAA. */
export const pacBranch: Encoding<PacBranch> = {
  name: 'branches with pointer authentication (FEAT_PAuth)',
  mask: 0xfe9ff800,
  match: 0xd61f0800,
  keys: ['BRA', 'BLRA', 'RETA'],
  decode(w) {
    const zeroModifier = bits(w, 24, 24) === 0;
    const op = BRANCH_OPS[bits(w, 22, 21)];
    const [rn, rm] = [bits(w, 9, 5), bits(w, 4, 0)];
    if (op === undefined || (op === 'RETA' && (!zeroModifier || rn !== 31))) return undefined;
    if (zeroModifier && rm !== 31) return undefined;
    return { op, word: w, key: bits(w, 10, 10) ? 'B' : 'A', zero: zeroModifier, rn, rm: zeroModifier ? 31 : decSP(rm) };
  },
  format(i) {
    const name = `${i.op.toLowerCase()}${i.key.toLowerCase()}`;
    if (i.op === 'RETA') return name;
    return i.zero ? fmt(`${name}z`, regName(i.rn, true)) : fmt(name, `${regName(i.rn, true)}, ${regName(i.rm, true)}`);
  },
  encode(i) {
    const op = BRANCH_OPS.indexOf(i.op);
    if (op < 0) throw new EncodingError(`${String(i.op)} is not a PAuth branch`);
    const key = i.key === 'B' ? 1 << 10 : 0;
    if (i.op === 'RETA') return (0xd65f0bff | key) >>> 0;
    const rm = i.zero ? 31 : encSP(i.rm, true, 'Rm');
    return (0xd61f0800 | (i.zero ? 0 : 1 << 24) | (op << 21) | key | (encZR(i.rn, true, 'Rn') << 5) | rm) >>> 0;
  },
};

export const eretPac: Encoding<PacBranch> = {
  name: 'ERETAA/ERETAB (FEAT_PAuth)',
  mask: 0xfffffbff,
  match: 0xd69f0bff,
  keys: ['ERETA'],
  decode: (w) => ({ op: 'ERETA', word: w, key: bits(w, 10, 10) ? 'B' : 'A', zero: true, rn: 31, rm: 31 }),
  format: (i) => `ereta${i.key.toLowerCase()}`,
  encode: (i) => (0xd69f0bff | (i.key === 'B' ? 1 << 10 : 0)) >>> 0,
};

/** 11111000 M S 1 imm9 W 1 Rn Rt: offset S:imm9 × 8; W: pre-indexed writeback. */
export const pacLoad: Encoding<PacLoad> = {
  name: 'LDRAA/LDRAB (FEAT_PAuth)',
  mask: 0xff200400,
  match: 0xf8200400,
  keys: ['LDRA'],
  decode(w) {
    const imm = signExtend((bits(w, 22, 22) << 9) | bits(w, 20, 12), 10) * 8;
    return { op: 'LDRA', word: w, key: bits(w, 23, 23) ? 'B' : 'A', rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), imm, writeback: bits(w, 11, 11) === 1 };
  },
  format(i) {
    const base = regName(i.rn, true);
    const addr = i.imm === 0 ? `[${base}]` : `[${base}, #${i.imm}]`;
    return fmt(`ldra${i.key.toLowerCase()}`, `${regName(i.rt, true)}, ${addr}${i.writeback ? '!' : ''}`);
  },
  encode(i) {
    const off = checkOffset(i.imm, 10, 8, 'LDRA offset');
    return (0xf8200400 | (i.key === 'B' ? 1 << 23 : 0) | ((off >> 9) << 22) | ((off & 0x1ff) << 12) | (i.writeback ? 1 << 11 : 0) | (encSP(i.rn, true, 'Rn') << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
  },
};
