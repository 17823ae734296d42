/**
 * SYS and SYSL (op0 = 1) by their generic fields: every SYS word outside CRn = 7 (DC, IC, AT)
 * and CRn = 8 (TLBI), which have rows of their own, and every SYSL word. objdump prints
 * `sys #op1, Cn, Cm, #op2{, Xt}` (no Xt when Rt = 31) and `sysl Xt, #op1, Cn, Cm, #op2`.
 */
import { bits } from '../bits';
import type { SysInsn, SysRegMove } from '../insn';
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

/**
 * MRS and MSR (register) with op0 = 0: no register lives there (UNDEFINED on execution), but
 * objdump prints them generically (`mrs x0, s0_0_c0_c0_0`). Kept clear of the rows in the same
 * space: MSR words at CRn = 2-4 with Rt = 31 (hints, barriers, CLREX, MSR immediate), the
 * ARMv8.7 WFET/WFIT (CRn = 1) and the TME TSTART/TTEST (which objdump names; left UNDEFINED).
 */
function op0Move(op: 'MRS' | 'MSR', name: string, mask: number, match: number): Encoding<SysRegMove> {
  return {
    name,
    mask,
    match,
    keys: [],
    decode(w) {
      const [op1, crn, crm, op2] = [bits(w, 18, 16), bits(w, 15, 12), bits(w, 11, 8), bits(w, 7, 5)];
      if (op === 'MSR' && op1 === 3 && crn === 1 && crm === 0 && op2 < 2) return undefined; // WFET, WFIT
      if (op === 'MRS' && op1 === 3 && crn === 3 && crm < 2 && op2 === 3) return undefined; // TSTART, TTEST
      return { op, word: w, sysreg: bits(w, 18, 5), rt: bits(w, 4, 0) };
    },
    format: () => {
      throw new EncodingError('MRS/MSR are formatted by their own row');
    },
    encode: () => {
      throw new EncodingError('MRS/MSR are encoded by their own row');
    },
  };
}

/** Rt != 31 as mask/match pairs: Rt bit k clear and bits below it set, k = 0-4. */
const RT_NOT_31 = [0, 1, 2, 3, 4].map((k) => ({ mask: (1 << (k + 1)) - 1, match: (1 << k) - 1 }));

export const op0MoveRows: readonly Encoding<SysRegMove>[] = [
  op0Move('MRS', 'MRS (op0 = 0)', 0xfff80000, 0xd5200000),
  op0Move('MSR', 'MSR (op0 = 0, CRn 0-1)', 0xfff8e000, 0xd5000000),
  op0Move('MSR', 'MSR (op0 = 0, CRn 5)', 0xfff8f000, 0xd5005000),
  op0Move('MSR', 'MSR (op0 = 0, CRn 6-7)', 0xfff8e000, 0xd5006000),
  op0Move('MSR', 'MSR (op0 = 0, CRn 8-15)', 0xfff88000, 0xd5008000),
  ...RT_NOT_31.map((r, k) => op0Move('MSR', `MSR (op0 = 0, CRn 2-3, Rt != 31 #${k})`, (0xfff8e000 | r.mask) >>> 0, (0xd5002000 | r.match) >>> 0)),
  ...RT_NOT_31.map((r, k) => op0Move('MSR', `MSR (op0 = 0, CRn 4, Rt != 31 #${k})`, (0xfff8f000 | r.mask) >>> 0, (0xd5004000 | r.match) >>> 0)),
];
