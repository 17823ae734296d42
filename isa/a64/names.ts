/**
 * Names the disassembler prints and the assembler accepts: conditions, system registers, cache
 * operations, barrier options, hints. Spelled as GNU binutils spells them.
 */
import type { DcOp, IcOp, PstateField } from './insn';

/** Condition names by encoding; the first is the one objdump prints, the rest its aliases. */
export const CONDITIONS: readonly (readonly string[])[] = [
  ['eq', 'none'],
  ['ne', 'any'],
  ['cs', 'hs', 'nlast'],
  ['cc', 'lo', 'ul', 'last'],
  ['mi', 'first'],
  ['pl', 'nfrst'],
  ['vs'],
  ['vc'],
  ['hi', 'pmore'],
  ['ls', 'plast'],
  ['ge', 'tcont'],
  ['lt', 'tstop'],
  ['gt'],
  ['le'],
  ['al'],
  ['nv'],
];

const condByName = new Map<string, number>(CONDITIONS.flatMap((names, i) => names.map((n) => [n, i] as [string, number])));

/** Condition code for a name (any alias, case-insensitive). */
export function conditionCode(name: string): number | undefined {
  return condByName.get(name.toLowerCase());
}

export interface SysRegInfo {
  /** The architecture's name, e.g. `SCTLR_EL1`, `CurrentEL`. */
  readonly name: string;
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  /** Read-only registers cannot be the target of MSR. */
  readonly readOnly?: boolean;
}

/** Packs a system register like Linux's `sys_reg(op0, op1, crn, crm, op2)` (bits 20:5 of MRS). */
export function sysReg(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

const REGS: readonly SysRegInfo[] = [
  { name: 'MIDR_EL1', op0: 3, op1: 0, crn: 0, crm: 0, op2: 0, readOnly: true },
  { name: 'MPIDR_EL1', op0: 3, op1: 0, crn: 0, crm: 0, op2: 5, readOnly: true },
  { name: 'REVIDR_EL1', op0: 3, op1: 0, crn: 0, crm: 0, op2: 6, readOnly: true },
  { name: 'ID_AA64PFR0_EL1', op0: 3, op1: 0, crn: 0, crm: 4, op2: 0, readOnly: true },
  { name: 'ID_AA64ISAR0_EL1', op0: 3, op1: 0, crn: 0, crm: 6, op2: 0, readOnly: true },
  { name: 'ID_AA64MMFR0_EL1', op0: 3, op1: 0, crn: 0, crm: 7, op2: 0, readOnly: true },
  { name: 'CCSIDR_EL1', op0: 3, op1: 1, crn: 0, crm: 0, op2: 0, readOnly: true },
  { name: 'CLIDR_EL1', op0: 3, op1: 1, crn: 0, crm: 0, op2: 1, readOnly: true },
  { name: 'CSSELR_EL1', op0: 3, op1: 2, crn: 0, crm: 0, op2: 0 },
  { name: 'CTR_EL0', op0: 3, op1: 3, crn: 0, crm: 0, op2: 1, readOnly: true },
  { name: 'DCZID_EL0', op0: 3, op1: 3, crn: 0, crm: 0, op2: 7, readOnly: true },
  { name: 'SCTLR_EL1', op0: 3, op1: 0, crn: 1, crm: 0, op2: 0 },
  { name: 'ACTLR_EL1', op0: 3, op1: 0, crn: 1, crm: 0, op2: 1 },
  { name: 'CPACR_EL1', op0: 3, op1: 0, crn: 1, crm: 0, op2: 2 },
  { name: 'TTBR0_EL1', op0: 3, op1: 0, crn: 2, crm: 0, op2: 0 },
  { name: 'TTBR1_EL1', op0: 3, op1: 0, crn: 2, crm: 0, op2: 1 },
  { name: 'TCR_EL1', op0: 3, op1: 0, crn: 2, crm: 0, op2: 2 },
  { name: 'SPSR_EL1', op0: 3, op1: 0, crn: 4, crm: 0, op2: 0 },
  { name: 'ELR_EL1', op0: 3, op1: 0, crn: 4, crm: 0, op2: 1 },
  { name: 'SP_EL0', op0: 3, op1: 0, crn: 4, crm: 1, op2: 0 },
  { name: 'SPSel', op0: 3, op1: 0, crn: 4, crm: 2, op2: 0 },
  { name: 'CurrentEL', op0: 3, op1: 0, crn: 4, crm: 2, op2: 2, readOnly: true },
  { name: 'NZCV', op0: 3, op1: 3, crn: 4, crm: 2, op2: 0 },
  { name: 'DAIF', op0: 3, op1: 3, crn: 4, crm: 2, op2: 1 },
  { name: 'FPCR', op0: 3, op1: 3, crn: 4, crm: 4, op2: 0 },
  { name: 'FPSR', op0: 3, op1: 3, crn: 4, crm: 4, op2: 1 },
  { name: 'AFSR0_EL1', op0: 3, op1: 0, crn: 5, crm: 1, op2: 0 },
  { name: 'AFSR1_EL1', op0: 3, op1: 0, crn: 5, crm: 1, op2: 1 },
  { name: 'ESR_EL1', op0: 3, op1: 0, crn: 5, crm: 2, op2: 0 },
  { name: 'FAR_EL1', op0: 3, op1: 0, crn: 6, crm: 0, op2: 0 },
  { name: 'PAR_EL1', op0: 3, op1: 0, crn: 7, crm: 4, op2: 0 },
  { name: 'MAIR_EL1', op0: 3, op1: 0, crn: 10, crm: 2, op2: 0 },
  { name: 'AMAIR_EL1', op0: 3, op1: 0, crn: 10, crm: 3, op2: 0 },
  { name: 'VBAR_EL1', op0: 3, op1: 0, crn: 12, crm: 0, op2: 0 },
  { name: 'CONTEXTIDR_EL1', op0: 3, op1: 0, crn: 13, crm: 0, op2: 1 },
  { name: 'TPIDR_EL1', op0: 3, op1: 0, crn: 13, crm: 0, op2: 4 },
  { name: 'TPIDR_EL0', op0: 3, op1: 3, crn: 13, crm: 0, op2: 2 },
  { name: 'TPIDRRO_EL0', op0: 3, op1: 3, crn: 13, crm: 0, op2: 3 },
  { name: 'CNTKCTL_EL1', op0: 3, op1: 0, crn: 14, crm: 1, op2: 0 },
  { name: 'CNTFRQ_EL0', op0: 3, op1: 3, crn: 14, crm: 0, op2: 0 },
  { name: 'CNTPCT_EL0', op0: 3, op1: 3, crn: 14, crm: 0, op2: 1, readOnly: true },
  { name: 'CNTVCT_EL0', op0: 3, op1: 3, crn: 14, crm: 0, op2: 2, readOnly: true },
  { name: 'CNTV_TVAL_EL0', op0: 3, op1: 3, crn: 14, crm: 3, op2: 0 },
  { name: 'CNTV_CTL_EL0', op0: 3, op1: 3, crn: 14, crm: 3, op2: 1 },
  { name: 'CNTV_CVAL_EL0', op0: 3, op1: 3, crn: 14, crm: 3, op2: 2 },
  { name: 'VPIDR_EL2', op0: 3, op1: 4, crn: 0, crm: 0, op2: 0 },
  { name: 'VMPIDR_EL2', op0: 3, op1: 4, crn: 0, crm: 0, op2: 5 },
  { name: 'SCTLR_EL2', op0: 3, op1: 4, crn: 1, crm: 0, op2: 0 },
  { name: 'HCR_EL2', op0: 3, op1: 4, crn: 1, crm: 1, op2: 0 },
  { name: 'CPTR_EL2', op0: 3, op1: 4, crn: 1, crm: 1, op2: 2 },
  { name: 'TTBR0_EL2', op0: 3, op1: 4, crn: 2, crm: 0, op2: 0 },
  { name: 'TCR_EL2', op0: 3, op1: 4, crn: 2, crm: 0, op2: 2 },
  { name: 'VTTBR_EL2', op0: 3, op1: 4, crn: 2, crm: 1, op2: 0 },
  { name: 'VTCR_EL2', op0: 3, op1: 4, crn: 2, crm: 1, op2: 2 },
  { name: 'SPSR_EL2', op0: 3, op1: 4, crn: 4, crm: 0, op2: 0 },
  { name: 'ELR_EL2', op0: 3, op1: 4, crn: 4, crm: 0, op2: 1 },
  { name: 'SP_EL1', op0: 3, op1: 4, crn: 4, crm: 1, op2: 0 },
  { name: 'ESR_EL2', op0: 3, op1: 4, crn: 5, crm: 2, op2: 0 },
  { name: 'FAR_EL2', op0: 3, op1: 4, crn: 6, crm: 0, op2: 0 },
  { name: 'HPFAR_EL2', op0: 3, op1: 4, crn: 6, crm: 0, op2: 4 },
  { name: 'MAIR_EL2', op0: 3, op1: 4, crn: 10, crm: 2, op2: 0 },
  { name: 'VBAR_EL2', op0: 3, op1: 4, crn: 12, crm: 0, op2: 0 },
  { name: 'TPIDR_EL2', op0: 3, op1: 4, crn: 13, crm: 0, op2: 2 },
];

/** The named system registers, keyed by packed encoding. */
export const SYS_REGS: ReadonlyMap<number, SysRegInfo> = new Map(REGS.map((r) => [sysReg(r.op0, r.op1, r.crn, r.crm, r.op2), r]));
const sysRegByName = new Map(REGS.map((r) => [r.name.toLowerCase(), r]));

/** Packed encodings of the named registers, for code: `SysRegs.SCTLR_EL1`. */
export const SysRegs: Readonly<Record<string, number>> = Object.fromEntries(REGS.map((r) => [r.name, sysReg(r.op0, r.op1, r.crn, r.crm, r.op2)]));

/** objdump's spelling: the lower-case name, or `s<op0>_<op1>_c<n>_c<m>_<op2>` when unnamed. */
export function sysRegName(packed: number): string {
  const r = SYS_REGS.get(packed);
  if (r !== undefined) return r.name.toLowerCase();
  return `s${packed >> 14}_${(packed >> 11) & 7}_c${(packed >> 7) & 15}_c${(packed >> 3) & 15}_${packed & 7}`;
}

/** Parses a register name or the generic `s3_0_c15_c2_0` form; undefined if neither. */
export function parseSysReg(name: string): { packed: number; info?: SysRegInfo } | undefined {
  const lower = name.toLowerCase();
  const info = sysRegByName.get(lower);
  if (info !== undefined) return { packed: sysReg(info.op0, info.op1, info.crn, info.crm, info.op2), info };
  const m = /^s([23])_([0-7])_c([0-9]|1[0-5])_c([0-9]|1[0-5])_([0-7])$/.exec(lower);
  if (m === null) return undefined;
  const packed = sysReg(+m[1], +m[2], +m[3], +m[4], +m[5]);
  return { packed, info: SYS_REGS.get(packed) };
}

/** A SYS-encoded cache maintenance operation: op1, CRn=7, CRm, op2, and whether it takes Xt. */
export interface CacheOpInfo<T extends string> {
  readonly name: T;
  readonly op1: number;
  readonly crm: number;
  readonly op2: number;
  readonly takesReg: boolean;
}

export const DC_OPS: readonly CacheOpInfo<DcOp>[] = [
  { name: 'IVAC', op1: 0, crm: 6, op2: 1, takesReg: true },
  { name: 'ISW', op1: 0, crm: 6, op2: 2, takesReg: true },
  { name: 'CSW', op1: 0, crm: 10, op2: 2, takesReg: true },
  { name: 'CISW', op1: 0, crm: 14, op2: 2, takesReg: true },
  { name: 'ZVA', op1: 3, crm: 4, op2: 1, takesReg: true },
  { name: 'CVAC', op1: 3, crm: 10, op2: 1, takesReg: true },
  { name: 'CVAU', op1: 3, crm: 11, op2: 1, takesReg: true },
  { name: 'CIVAC', op1: 3, crm: 14, op2: 1, takesReg: true },
];

export const IC_OPS: readonly CacheOpInfo<IcOp>[] = [
  { name: 'IALLUIS', op1: 0, crm: 1, op2: 0, takesReg: false },
  { name: 'IALLU', op1: 0, crm: 5, op2: 0, takesReg: false },
  { name: 'IVAU', op1: 3, crm: 5, op2: 1, takesReg: true },
];

/** DSB/DMB option names by CRm; the unnamed values print as `#0x08`. */
export const BARRIER_OPTIONS: readonly (string | undefined)[] = [
  undefined, 'oshld', 'oshst', 'osh', undefined, 'nshld', 'nshst', 'nsh',
  undefined, 'ishld', 'ishst', 'ish', undefined, 'ld', 'st', 'sy',
];

export function barrierOption(name: string): number | undefined {
  const i = BARRIER_OPTIONS.indexOf(name.toLowerCase());
  return i < 0 ? undefined : i;
}

/**
 * Names of the hint space (CRm:op2) as objdump prints them. Only the first six have an effect on
 * an ARMv8.0 core; the rest (pointer authentication, BTI, ...) execute as NOP.
 */
export const HINT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'nop'], [1, 'yield'], [2, 'wfe'], [3, 'wfi'], [4, 'sev'], [5, 'sevl'],
  [7, 'xpaclri'], [8, 'pacia1716'], [10, 'pacib1716'], [12, 'autia1716'], [14, 'autib1716'],
  [16, 'esb'], [17, 'psb csync'], [18, 'tsb csync'], [20, 'csdb'], [22, 'clearbhb'],
  [24, 'paciaz'], [25, 'paciasp'], [26, 'pacibz'], [27, 'pacibsp'],
  [28, 'autiaz'], [29, 'autiasp'], [30, 'autibz'], [31, 'autibsp'],
  [32, 'bti'], [34, 'bti c'], [36, 'bti j'], [38, 'bti jc'],
]);

/** PSTATE fields writable with MSR (immediate): op1 and op2 of the encoding. */
export const PSTATE_FIELDS: readonly { readonly name: PstateField; readonly op1: number; readonly op2: number; readonly maxImm: number }[] = [
  { name: 'SPSel', op1: 0, op2: 5, maxImm: 1 },
  { name: 'DAIFSet', op1: 3, op2: 6, maxImm: 15 },
  { name: 'DAIFClr', op1: 3, op2: 7, maxImm: 15 },
];
