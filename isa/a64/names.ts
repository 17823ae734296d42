/**
 * Names the disassembler prints and the assembler accepts: conditions, system registers, cache
 * operations, barrier options, hints. Spelled as GNU binutils spells them.
 */
import type { DcOp, IcOp, PstateField } from './insn';
import { OBJDUMP_SYSREG_NAMES, OBJDUMP_WRITE_NAMES } from './sysreg-names';

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
  // ---- The EL0/EL1 registers of a Cortex-A72 beyond the original subset (system/EL helper).
  ...idRegs(),
  { name: 'AIDR_EL1', op0: 3, op1: 1, crn: 0, crm: 0, op2: 7, readOnly: true },
  { name: 'ISR_EL1', op0: 3, op1: 0, crn: 12, crm: 1, op2: 0, readOnly: true },
  { name: 'CNTP_TVAL_EL0', op0: 3, op1: 3, crn: 14, crm: 2, op2: 0 },
  { name: 'CNTP_CTL_EL0', op0: 3, op1: 3, crn: 14, crm: 2, op2: 1 },
  { name: 'CNTP_CVAL_EL0', op0: 3, op1: 3, crn: 14, crm: 2, op2: 2 },
  // Performance monitors (PMUv3, six event counters).
  { name: 'PMCR_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 0 },
  { name: 'PMCNTENSET_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 1 },
  { name: 'PMCNTENCLR_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 2 },
  { name: 'PMOVSCLR_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 3 },
  { name: 'PMSWINC_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 4 },
  { name: 'PMSELR_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 5 },
  { name: 'PMCEID0_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 6, readOnly: true },
  { name: 'PMCEID1_EL0', op0: 3, op1: 3, crn: 9, crm: 12, op2: 7, readOnly: true },
  { name: 'PMCCNTR_EL0', op0: 3, op1: 3, crn: 9, crm: 13, op2: 0 },
  { name: 'PMXEVTYPER_EL0', op0: 3, op1: 3, crn: 9, crm: 13, op2: 1 },
  { name: 'PMXEVCNTR_EL0', op0: 3, op1: 3, crn: 9, crm: 13, op2: 2 },
  { name: 'PMUSERENR_EL0', op0: 3, op1: 3, crn: 9, crm: 14, op2: 0 },
  { name: 'PMINTENSET_EL1', op0: 3, op1: 0, crn: 9, crm: 14, op2: 1 },
  { name: 'PMINTENCLR_EL1', op0: 3, op1: 0, crn: 9, crm: 14, op2: 2 },
  { name: 'PMOVSSET_EL0', op0: 3, op1: 3, crn: 9, crm: 14, op2: 3 },
  ...Array.from({ length: 31 }, (_, n) => ({ name: `PMEVCNTR${n}_EL0`, op0: 3, op1: 3, crn: 14, crm: 8 + (n >> 3), op2: n & 7 })),
  ...Array.from({ length: 31 }, (_, n) => ({ name: `PMEVTYPER${n}_EL0`, op0: 3, op1: 3, crn: 14, crm: 12 + (n >> 3), op2: n & 7 })),
  { name: 'PMCCFILTR_EL0', op0: 3, op1: 3, crn: 14, crm: 15, op2: 7 },
  // Debug (op0 = 2): the OS lock, the monitor control, breakpoints and watchpoints.
  { name: 'OSDTRRX_EL1', op0: 2, op1: 0, crn: 0, crm: 0, op2: 2 },
  { name: 'MDCCINT_EL1', op0: 2, op1: 0, crn: 0, crm: 2, op2: 0 },
  { name: 'MDSCR_EL1', op0: 2, op1: 0, crn: 0, crm: 2, op2: 2 },
  { name: 'OSDTRTX_EL1', op0: 2, op1: 0, crn: 0, crm: 3, op2: 2 },
  { name: 'OSECCR_EL1', op0: 2, op1: 0, crn: 0, crm: 6, op2: 2 },
  ...Array.from({ length: 16 }, (_, n) => [
    { name: `DBGBVR${n}_EL1`, op0: 2, op1: 0, crn: 0, crm: n, op2: 4 },
    { name: `DBGBCR${n}_EL1`, op0: 2, op1: 0, crn: 0, crm: n, op2: 5 },
    { name: `DBGWVR${n}_EL1`, op0: 2, op1: 0, crn: 0, crm: n, op2: 6 },
    { name: `DBGWCR${n}_EL1`, op0: 2, op1: 0, crn: 0, crm: n, op2: 7 },
  ]).flat(),
  { name: 'MDRAR_EL1', op0: 2, op1: 0, crn: 1, crm: 0, op2: 0, readOnly: true },
  { name: 'OSLAR_EL1', op0: 2, op1: 0, crn: 1, crm: 0, op2: 4 },
  { name: 'OSLSR_EL1', op0: 2, op1: 0, crn: 1, crm: 1, op2: 4, readOnly: true },
  { name: 'OSDLR_EL1', op0: 2, op1: 0, crn: 1, crm: 3, op2: 4 },
  { name: 'DBGPRCR_EL1', op0: 2, op1: 0, crn: 1, crm: 4, op2: 4 },
  { name: 'DBGCLAIMSET_EL1', op0: 2, op1: 0, crn: 7, crm: 8, op2: 6 },
  { name: 'DBGCLAIMCLR_EL1', op0: 2, op1: 0, crn: 7, crm: 9, op2: 6 },
  { name: 'DBGAUTHSTATUS_EL1', op0: 2, op1: 0, crn: 7, crm: 14, op2: 6, readOnly: true },
  { name: 'MDCCSR_EL0', op0: 2, op1: 3, crn: 0, crm: 1, op2: 0, readOnly: true },
  // Cortex-A72 IMPLEMENTATION DEFINED registers QEMU gives it (objdump has no names for them).
  { name: 'L2CTLR_EL1', op0: 3, op1: 1, crn: 11, crm: 0, op2: 2 },
  { name: 'L2ECTLR_EL1', op0: 3, op1: 1, crn: 11, crm: 0, op2: 3 },
  { name: 'L2ACTLR_EL1', op0: 3, op1: 1, crn: 15, crm: 0, op2: 0 },
  { name: 'CPUACTLR_EL1', op0: 3, op1: 1, crn: 15, crm: 2, op2: 0 },
  { name: 'CPUECTLR_EL1', op0: 3, op1: 1, crn: 15, crm: 2, op2: 1 },
  { name: 'CPUMERRSR_EL1', op0: 3, op1: 1, crn: 15, crm: 2, op2: 2 },
  { name: 'L2MERRSR_EL1', op0: 3, op1: 1, crn: 15, crm: 2, op2: 3 },
  { name: 'CBAR_EL1', op0: 3, op1: 1, crn: 15, crm: 3, op2: 0, readOnly: true },
];

/** The AArch64 and AArch32 identification registers (op0 = 3, op1 = 0, CRn = 0, CRm = 1-7). */
function idRegs(): SysRegInfo[] {
  const names: [string, number, number][] = [
    ['ID_PFR0_EL1', 1, 0], ['ID_PFR1_EL1', 1, 1], ['ID_DFR0_EL1', 1, 2], ['ID_AFR0_EL1', 1, 3],
    ['ID_MMFR0_EL1', 1, 4], ['ID_MMFR1_EL1', 1, 5], ['ID_MMFR2_EL1', 1, 6], ['ID_MMFR3_EL1', 1, 7],
    ['ID_ISAR0_EL1', 2, 0], ['ID_ISAR1_EL1', 2, 1], ['ID_ISAR2_EL1', 2, 2], ['ID_ISAR3_EL1', 2, 3],
    ['ID_ISAR4_EL1', 2, 4], ['ID_ISAR5_EL1', 2, 5], ['ID_MMFR4_EL1', 2, 6], ['ID_ISAR6_EL1', 2, 7],
    ['MVFR0_EL1', 3, 0], ['MVFR1_EL1', 3, 1], ['MVFR2_EL1', 3, 2], ['ID_PFR2_EL1', 3, 4], ['ID_DFR1_EL1', 3, 5], ['ID_MMFR5_EL1', 3, 6],
    ['ID_AA64PFR1_EL1', 4, 1], ['ID_AA64ZFR0_EL1', 4, 4], ['ID_AA64SMFR0_EL1', 4, 5],
    ['ID_AA64DFR0_EL1', 5, 0], ['ID_AA64DFR1_EL1', 5, 1], ['ID_AA64AFR0_EL1', 5, 4], ['ID_AA64AFR1_EL1', 5, 5],
    ['ID_AA64ISAR1_EL1', 6, 1], ['ID_AA64ISAR2_EL1', 6, 2], ['ID_AA64MMFR1_EL1', 7, 1], ['ID_AA64MMFR2_EL1', 7, 2],
  ];
  return names.map(([name, crm, op2]) => ({ name, op0: 3, op1: 0, crn: 0, crm, op2, readOnly: true }));
}

/** The named system registers, keyed by packed encoding. */
export const SYS_REGS: ReadonlyMap<number, SysRegInfo> = new Map(REGS.map((r) => [sysReg(r.op0, r.op1, r.crn, r.crm, r.op2), r]));
const sysRegByName = new Map(REGS.map((r) => [r.name.toLowerCase(), r]));
/** Every name objdump knows, for the assembler (GNU as accepts them all). */
const OBJDUMP_PACKED = new Map<string, number>([...OBJDUMP_SYSREG_NAMES, ...OBJDUMP_WRITE_NAMES].map(([k, v]) => [v, k]));

/** Packed encodings of the named registers, for code: `SysRegs.SCTLR_EL1`. */
export const SysRegs: Readonly<Record<string, number>> = Object.fromEntries(REGS.map((r) => [r.name, sysReg(r.op0, r.op1, r.crn, r.crm, r.op2)]));

/**
 * objdump's spelling: its name for the encoding (it knows registers of every architecture
 * version, sysreg-names.ts), or `s<op0>_<op1>_c<n>_c<m>_<op2>` when it has none. `write`: the
 * name for MSR (one encoding is DBGDTRRX_EL0 to MRS and DBGDTRTX_EL0 to MSR).
 */
export function sysRegName(packed: number, write = false): string {
  const o = (write ? OBJDUMP_WRITE_NAMES.get(packed) : undefined) ?? OBJDUMP_SYSREG_NAMES.get(packed);
  if (o !== undefined) return o;
  return `s${packed >> 14}_${(packed >> 11) & 7}_c${(packed >> 7) & 15}_c${(packed >> 3) & 15}_${packed & 7}`;
}

/** Parses a register name or the generic `s3_0_c15_c2_0` form; undefined if neither. */
export function parseSysReg(name: string): { packed: number; info?: SysRegInfo } | undefined {
  const lower = name.toLowerCase();
  const info = sysRegByName.get(lower);
  if (info !== undefined) return { packed: sysReg(info.op0, info.op1, info.crn, info.crm, info.op2), info };
  const known = OBJDUMP_PACKED.get(lower);
  if (known !== undefined) return { packed: known, info: SYS_REGS.get(known) };
  const m = /^s([023])_([0-7])_c([0-9]|1[0-5])_c([0-9]|1[0-5])_([0-7])$/.exec(lower);
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
  // Later architecture versions' (UNDEFINED on this core; objdump names them).
  { name: 'UAO', op1: 0, op2: 3, maxImm: 1 },
  { name: 'PAN', op1: 0, op2: 4, maxImm: 1 },
  { name: 'ALLINT', op1: 1, op2: 0, maxImm: 1 },
  { name: 'SSBS', op1: 3, op2: 1, maxImm: 1 },
  { name: 'DIT', op1: 3, op2: 2, maxImm: 1 },
  { name: 'TCO', op1: 3, op2: 4, maxImm: 1 },
];

/**
 * SYS operations at CRn = 7 of later architecture versions that objdump prints by name
 * (op1:CRm:op2 → `dc cvap`): the ARMv8.0 core does not implement them (they are UNDEFINED), but
 * the disassembler prints them as objdump does.
 */
export const LATER_SYS_OPS: ReadonlyMap<string, string> = new Map(
  (
    'dc igvac 0:6:3 / dc igsw 0:6:4 / dc igdvac 0:6:5 / dc igdsw 0:6:6 / dc cgsw 0:10:4 / dc cgdsw 0:10:6 / dc cigsw 0:14:4 / ' +
    'dc cigdsw 0:14:6 / cfp rctx 3:3:4 / dvp rctx 3:3:5 / cpp rctx 3:3:7 / dc gva 3:4:3 / dc gzva 3:4:4 / dc cgvac 3:10:3 / ' +
    'dc cgdvac 3:10:5 / dc cvap 3:12:1 / dc cgvap 3:12:3 / dc cgdvap 3:12:5 / dc cvadp 3:13:1 / dc cgvadp 3:13:3 / ' +
    'dc cgdvadp 3:13:5 / dc cigvac 3:14:3 / dc cigdvac 3:14:5 / dc cipapa 6:14:1 / dc cigdpapa 6:14:5'
  )
    .split(' / ')
    .map((e) => {
      const [m, op, key] = e.split(' ');
      return [key, `${m}\t${op}`] as [string, string];
    }),
);
