/**
 * The Arm ARM's "Branches, Exception Generating and System instructions" group: branches
 * (immediate, conditional, compare, test, register), ERET, exception generation, hints,
 * barriers, MSR (immediate), cache maintenance (SYS) and MRS/MSR (register).
 */
import { bits, hex, signExtend } from '../bits';
import type { Barrier, BranchImm, BranchReg, CompareBranch, CondBranch, DataCacheOp, Eret, ExceptionGen, Hint, InsnCacheOp, PstateMove, SysInsn, SysRegMove, TestBranch } from '../insn';
import { BARRIER_OPTIONS, CONDITIONS, DC_OPS, HINT_NAMES, IC_OPS, PSTATE_FIELDS, sysRegName, type CacheOpInfo } from '../names';
import { EncodingError, checkCond, checkOffset, checkUnsigned, encZR, fmt, regName, sfBit, target, type Encoding } from './encoding';
import { laterSysOp } from './system-generic';

export const branchImm: Encoding<BranchImm> = {
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

export const condBranch: Encoding<CondBranch> = {
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

export const compareBranch: Encoding<CompareBranch> = {
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

export const testBranch: Encoding<TestBranch> = {
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

export const branchReg: Encoding<BranchReg> = {
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

export const eret: Encoding<Eret> = {
  name: 'ERET',
  mask: 0xffffffff,
  match: 0xd69f03e0,
  keys: ['ERET'],
  decode: (w) => ({ op: 'ERET', word: w }),
  format: () => 'eret',
  encode: () => 0xd69f03e0,
};

export function exceptionRow(op: ExceptionGen['op'], match: number): Encoding<ExceptionGen> {
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

const HINT_OPS: readonly Hint['op'][] = ['NOP', 'YIELD', 'WFE', 'WFI', 'SEV', 'SEVL'];

export const hint: Encoding<Hint> = {
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

export function barrierRow(op: Barrier['op'], match: number): Encoding<Barrier> {
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

export const msrImm: Encoding<PstateMove> = {
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

/**
 * SYS at CRn = 7 outside AT (CRm = 8, 9, the MMU's rows): the ARMv8.0 DC and IC operations, and
 * the other words there as generic SYS (objdump names those of later versions, `dc cvap`).
 */
function cacheOpRow(name: string, mask: number, match: number, keys: readonly string[]): Encoding<DataCacheOp | InsnCacheOp | SysInsn> {
  return {
    name,
    mask,
    match,
    keys,
    decode(w) {
      const [op1, crm, op2, rt] = [bits(w, 18, 16), bits(w, 11, 8), bits(w, 7, 5), bits(w, 4, 0)];
      // Operations without a register need Rt = 31; other values are left UNDEFINED (objdump
      // prints them as `ic iallu` too, which would not assemble back to the same word).
      const match = (o: CacheOpInfo<string>) => o.op1 === op1 && o.crm === crm && o.op2 === op2;
      const dc = DC_OPS.find(match);
      if (dc !== undefined) return { op: 'DC', word: w, cacheOp: dc.name, rt };
      const ic = IC_OPS.find(match);
      if (ic !== undefined) return ic.takesReg || rt === 31 ? { op: 'IC', word: w, cacheOp: ic.name, rt } : undefined;
      return laterSysOp(w);
    },
    format(i) {
      if (i.op !== 'DC' && i.op !== 'IC') throw new EncodingError('SYS is formatted by its own row');
      const table: readonly CacheOpInfo<string>[] = i.op === 'DC' ? DC_OPS : IC_OPS;
      const info = table.find((o) => o.name === i.cacheOp)!;
      return fmt(i.op.toLowerCase(), info.takesReg ? `${i.cacheOp.toLowerCase()}, ${regName(i.rt, true)}` : i.cacheOp.toLowerCase());
    },
    encode(i) {
      if (i.op !== 'DC' && i.op !== 'IC') throw new EncodingError('SYS is encoded by its own row');
      const table: readonly CacheOpInfo<string>[] = i.op === 'DC' ? DC_OPS : IC_OPS;
      const info = table.find((o) => o.name === i.cacheOp);
      if (info === undefined) throw new EncodingError(`${i.cacheOp} is not a ${i.op} operation`);
      const rt = encZR(i.rt, true, 'Rt');
      if (!info.takesReg && rt !== 31) throw new EncodingError(`${i.op} ${i.cacheOp} takes no register`);
      return (0xd5080000 | (info.op1 << 16) | (7 << 12) | (info.crm << 8) | (info.op2 << 5) | rt) >>> 0;
    },
  };
}

export const cacheOpRows = [
  cacheOpRow('SYS: DC and IC (CRn 7, CRm 0-7)', 0xfff8f800, 0xd5087000, ['DC', 'IC']),
  cacheOpRow('SYS: DC and IC (CRn 7, CRm 10-11)', 0xfff8fe00, 0xd5087a00, []),
  cacheOpRow('SYS: DC and IC (CRn 7, CRm 12-15)', 0xfff8fc00, 0xd5087c00, []),
];

export function sysRegRow(op: 'MRS' | 'MSR', match: number): Encoding<SysRegMove> {
  return {
    name: `${op} (register)`,
    mask: 0xfff00000,
    match,
    keys: [op],
    decode: (w) => ({ op, word: w, sysreg: bits(w, 19, 5) | (1 << 15), rt: bits(w, 4, 0) }),
    format: (i) => (op === 'MRS' ? fmt('mrs', `${regName(i.rt, true)}, ${sysRegName(i.sysreg)}`) : fmt('msr', `${sysRegName(i.sysreg, true)}, ${regName(i.rt, true)}`)),
    encode(i) {
      // op0 = 2 or 3 (this row), or 0 (the generic rows of system-generic.ts); op0 = 1 is SYS/SYSL.
      if (!Number.isInteger(i.sysreg) || i.sysreg < 0 || i.sysreg > 0xffff || i.sysreg >> 14 === 1) throw new EncodingError(`system register encoding ${hex(i.sysreg)} does not have op0 = 0, 2 or 3`);
      return ((match & ~0x180000) | (i.sysreg << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
    },
  };
}
