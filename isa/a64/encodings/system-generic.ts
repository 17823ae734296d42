/**
 * SYS and SYSL (op0 = 1) by their generic fields: every SYS word outside CRn = 7 (DC, IC, AT)
 * and CRn = 8 (TLBI), which have rows of their own, and every SYSL word. objdump prints
 * `sys #op1, Cn, Cm, #op2{, Xt}` (no Xt when Rt = 31) and `sysl Xt, #op1, Cn, Cm, #op2`.
 */
import { bits } from '../bits';
import type { SysInsn } from '../insn';
import { LATER_SYS_OPS } from '../names';
import { EncodingError, checkUnsigned, encZR, fmt, regName, type Encoding } from './encoding';

/** The fields of a SYS/SYSL word. */
export function sysFields(op: 'SYS' | 'SYSL', w: number): SysInsn & { word: number } {
  return { op, word: w, op1: bits(w, 18, 16), crn: bits(w, 15, 12), crm: bits(w, 11, 8), op2: bits(w, 7, 5), rt: bits(w, 4, 0) };
}

/** A SYS word at CRn = 7 that is not an ARMv8.0 DC/IC: objdump's later-version name if it has one. */
export function laterSysOp(w: number): SysInsn & { word: number } {
  const f = sysFields('SYS', w);
  const name = LATER_SYS_OPS.get(`${f.op1}:${f.crm}:${f.op2}`);
  return name === undefined ? f : { ...f, name };
}

function formatSys(i: SysInsn): string {
  if (i.op === 'SYSL') return fmt('sysl', `${regName(i.rt, true)}, #${i.op1}, C${i.crn}, C${i.crm}, #${i.op2}`);
  if (i.name !== undefined) return `${i.name}, ${regName(i.rt, true)}`;
  return fmt('sys', `#${i.op1}, C${i.crn}, C${i.crm}, #${i.op2}${i.rt === 31 ? '' : `, ${regName(i.rt, true)}`}`);
}

function encodeSys(i: SysInsn): number {
  checkUnsigned(i.op1, 3, `${i.op} op1`);
  checkUnsigned(i.crn, 4, `${i.op} CRn`);
  checkUnsigned(i.crm, 4, `${i.op} CRm`);
  checkUnsigned(i.op2, 3, `${i.op} op2`);
  const l = i.op === 'SYSL' ? 1 << 21 : 0;
  return (0xd5080000 | l | (i.op1 << 16) | (i.crn << 12) | (i.crm << 8) | (i.op2 << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
}

function sysRow(name: string, mask: number, match: number, keys: readonly string[]): Encoding<SysInsn> {
  return { name, mask, match, keys, decode: (w) => sysFields('SYS', w), format: formatSys, encode: encodeSys };
}

/** SYS with CRn = 0-6 and 9-15, in the fewest mask/match rows. */
export const sysRows: readonly Encoding<SysInsn>[] = [
  sysRow('SYS (CRn 0-3)', 0xfff8c000, 0xd5080000, ['SYS']),
  sysRow('SYS (CRn 4-5)', 0xfff8e000, 0xd5084000, []),
  sysRow('SYS (CRn 6)', 0xfff8f000, 0xd5086000, []),
  sysRow('SYS (CRn 9)', 0xfff8f000, 0xd5089000, []),
  sysRow('SYS (CRn 10-11)', 0xfff8e000, 0xd508a000, []),
  sysRow('SYS (CRn 12-15)', 0xfff8c000, 0xd508c000, []),
];

export const sysl: Encoding<SysInsn> = {
  name: 'SYSL',
  mask: 0xfff80000,
  match: 0xd5280000,
  keys: ['SYSL'],
  decode: (w) => sysFields('SYSL', w),
  format: formatSys,
  encode(i) {
    if (i.op !== 'SYSL') throw new EncodingError(`${i.op} is not SYSL`);
    return encodeSys(i);
  },
};
