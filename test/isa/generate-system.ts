/**
 * The `sys` group of the differential generator: system register moves QEMU's cortex-a72 and
 * kvmsim must agree on, exception-generating instructions, and the EL0 access controls. A
 * sequence runs at EL0 or EL1 (`Sequence.el`) under a SCTLR_EL1 the harness writes first
 * (`Sequence.sctlr`: KVM's reset value with a random choice of UCT, DZE, UCI, UMA and nTWE);
 * exceptions the sequence takes are logged by the harness (ESR, ELR) and skipped.
 *
 * Left out on purpose: registers whose value is the clock's (the counters, the PMU counters),
 * OSLSR_EL1 (KVM resets the OS lock clear, QEMU set), VBAR (QEMU keeps bits 10:5), CONTEXTIDR
 * writes (QEMU keeps bits 63:32), DC ZVA where it executes (with the MMU off memory is Device:
 * an alignment fault on kvmsim, as the architecture says, a zeroing on QEMU 7.2), MDSCR_EL1
 * writes (its SS bit starts software step, which kvmsim does not model), MSR DAIFSet/DAIFClr
 * where it traps (QEMU 7.2 swaps Op1 and Op2 in that ISS), WFI (it would stop the VCPU),
 * ERET/HVC at EL1 (they leave the sequence).
 */
import { encode, type Rng } from '../../index';
import { SysRegs, sysReg } from '../../isa/a64';

type Fields = Parameters<typeof encode>[0];

export const SYSTEM_FORMS = ['CCSIDR', 'RAZ_WI', 'MRS_ID', 'TPIDR', 'NZCV', 'DAIF', 'DAIF_IMM', 'SCTLR', 'CURRENTEL', 'EL1_RW', 'PMU', 'EXC', 'UNDEF', 'WFE', 'CACHE'] as const;

/** KVM's SCTLR_EL1 reset value (guest-interface.ts) with SA and SA0 off. */
export const SCTLR_BASE = 0x30d00800;
/** SCTLR_EL1 bits the generator flips: UMA, DZE, UCT, nTWE, UCI (no effect on what the harness does). */
export const SCTLR_EL0_BITS = [1 << 9, 1 << 14, 1 << 15, 1 << 18, 1 << 26] as const;

const SYS = SysRegs;
/** Read-only registers with one value on both: the ID space, MIDR, MPIDR, REVIDR, CTR, CLIDR, DCZID, AIDR, CBAR, PMCEID*, MDCCSR, MDRAR, CNTFRQ. */
const READ_ONLY: readonly number[] = [
  ...Array.from({ length: 56 }, (_, i) => sysReg(3, 0, 0, 1 + (i >> 3), i & 7)),
  SYS.MIDR_EL1, SYS.MPIDR_EL1, SYS.REVIDR_EL1, SYS.CTR_EL0, SYS.CLIDR_EL1, SYS.DCZID_EL0, SYS.AIDR_EL1, SYS.CBAR_EL1,
  SYS.PMCEID0_EL0, SYS.PMCEID1_EL0, SYS.MDCCSR_EL0, SYS.MDRAR_EL1, SYS.CNTFRQ_EL0, SYS.ISR_EL1,
];
/** EL1 registers that hold any 64-bit value on both. */
const EL1_STORED: readonly number[] = [SYS.TPIDR_EL1, SYS.ELR_EL1, SYS.FAR_EL1, SYS.ESR_EL1, SYS.SPSR_EL1, SYS.CNTKCTL_EL1];
/** RAZ/WI on both (QEMU's ARM_CP_CONST): ACTLR, AFSR0/1, AMAIR, the Cortex-A72 L2/CPU control and error registers. */
const RAZ_WI: readonly number[] = ['ACTLR_EL1', 'AFSR0_EL1', 'AFSR1_EL1', 'AMAIR_EL1', 'L2CTLR_EL1', 'L2ECTLR_EL1', 'L2ACTLR_EL1', 'CPUACTLR_EL1', 'CPUECTLR_EL1', 'CPUMERRSR_EL1', 'L2MERRSR_EL1'].map((n) => SYS[n]);
/** PMU registers that do not count: configuration only (PMCR_EL0 is read, never written, so nothing counts). */
const PMU_REGS: readonly number[] = [SYS.PMCR_EL0, SYS.PMSELR_EL0, SYS.PMCNTENSET_EL0, SYS.PMCNTENCLR_EL0, SYS.PMOVSSET_EL0, SYS.PMOVSCLR_EL0, SYS.PMINTENSET_EL1, SYS.PMINTENCLR_EL1, SYS.PMUSERENR_EL0, SYS.PMCCFILTR_EL0];
const PMU_WRITABLE: readonly number[] = [SYS.PMSELR_EL0, SYS.PMOVSSET_EL0, SYS.PMOVSCLR_EL0, SYS.PMINTENSET_EL1, SYS.PMINTENCLR_EL1, SYS.PMUSERENR_EL0, SYS.PMCCFILTR_EL0];

/** The harness's end-of-sequence SVC immediate: the generator never uses it. */
export const END_SVC = 0xffff;

export interface SysGenContext {
  rng: Rng;
  el: 0 | 1;
  /** A free destination register (never a base, never SP). */
  rd(): number;
  /** Any register x0-x30 or XZR as a source. */
  src(): number;
  /** x27 or x28 (inside the scratch buffer). */
  base(): number;
  sctlr: number;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.nextInt(xs.length)];
}

/** One unit of the sys group, or undefined when the form does not fit this EL. */
export function systemUnit(form: string, c: SysGenContext): { word: number; form: string; group: 'sys' }[] | undefined {
  const r = c.rng;
  const out: { word: number; form: string; group: 'sys' }[] = [];
  const put = (f: Fields) => out.push({ word: encode(f), form, group: 'sys' });
  const mrs = (sysreg: number) => put({ op: 'MRS', rt: c.rd(), sysreg });
  const msr = (sysreg: number) => put({ op: 'MSR', rt: c.src(), sysreg });
  switch (form) {
    case 'MRS_ID':
      // At EL0 the EL1 ones are UNDEFINED, CTR_EL0 obeys UCT, DCZID_EL0.DZP shows DZE.
      mrs(pick(r, READ_ONLY));
      break;
    case 'CCSIDR': {
      // CSSELR_EL1 = L1D, L1I or L2, then CCSIDR_EL1 (the cortex-a72 topology's geometry is QEMU's).
      let t = c.rd();
      while (t === 31) t = c.rd();
      put({ op: 'MOVZ', sf: true, rd: t, imm: r.nextInt(3), shift: 0 });
      put({ op: 'MSR', rt: t, sysreg: SYS.CSSELR_EL1 });
      mrs(SYS.CCSIDR_EL1);
      break;
    }
    case 'RAZ_WI': {
      const reg = pick(r, RAZ_WI);
      if (r.nextInt(2) === 0) msr(reg);
      mrs(reg);
      break;
    }
    case 'TPIDR': {
      const reg = pick(r, [SYS.TPIDR_EL0, SYS.TPIDRRO_EL0, SYS.TPIDR_EL1]);
      if (r.nextInt(2) === 0) msr(reg);
      mrs(reg);
      break;
    }
    case 'NZCV':
      if (r.nextInt(2) === 0) msr(SYS.NZCV);
      else mrs(SYS.NZCV);
      break;
    case 'DAIF':
      if (r.nextInt(2) === 0) msr(SYS.DAIF);
      mrs(SYS.DAIF);
      break;
    case 'DAIF_IMM':
      // Not where it traps (EL0 without UMA): QEMU 7.2 swaps Op1 and Op2 in that ESR.
      if (c.el === 0 && (c.sctlr & (1 << 9)) === 0) return undefined;
      put({ op: 'MSR_IMM', field: pick(r, ['DAIFSet', 'DAIFClr'] as const), imm: r.nextInt(16) });
      if (r.nextInt(2) === 0) mrs(SYS.DAIF);
      break;
    case 'SCTLR': {
      // Read SCTLR_EL1, flip one of the EL0 control bits, write it back, read it again.
      if (c.el === 0) {
        mrs(SYS.SCTLR_EL1); // UNDEFINED
        break;
      }
      let t = c.rd();
      while (t === 31) t = c.rd();
      const bit = pick(r, SCTLR_EL0_BITS);
      put({ op: 'MRS', rt: t, sysreg: SYS.SCTLR_EL1 });
      put({ op: 'EOR_IMM', sf: true, rd: t, rn: t, immLo: bit, immHi: 0 });
      put({ op: 'MSR', rt: t, sysreg: SYS.SCTLR_EL1 });
      mrs(SYS.SCTLR_EL1);
      break;
    }
    case 'CURRENTEL':
      mrs(SYS.CurrentEL);
      break;
    case 'EL1_RW': {
      // CONTEXTIDR_EL1 is read only: QEMU keeps bits 63:32 of a write, which are RES0.
      if (r.nextInt(4) === 0) {
        mrs(SYS.CONTEXTIDR_EL1);
        break;
      }
      const reg = pick(r, EL1_STORED);
      if (r.nextInt(2) === 0) msr(reg);
      mrs(reg);
      break;
    }
    case 'PMU':
      if (r.nextInt(2) === 0) msr(pick(r, PMU_WRITABLE));
      mrs(pick(r, PMU_REGS));
      break;
    case 'EXC': {
      const op = pick(r, ['SVC', 'BRK', 'HLT', 'SMC', 'HVC'] as const);
      if (op === 'HVC' && c.el === 1) return undefined; // PSCI / an exit to the VMM
      put({ op, imm: r.nextInt(END_SVC) });
      break;
    }
    case 'UNDEF': {
      const k = r.nextInt(4);
      if (k === 0) out.push({ word: r.nextInt(0x10000), form, group: 'sys' }); // UDF
      else if (k === 1) put({ op: 'SYS', op1: r.nextInt(8), crn: pick(r, [0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15]), crm: r.nextInt(16), op2: r.nextInt(8), rt: c.src() });
      else if (k === 2) put({ op: 'SYSL', op1: r.nextInt(8), crn: r.nextInt(16), crm: r.nextInt(16), op2: r.nextInt(8), rt: c.rd() });
      else {
        if (c.el === 1) return undefined;
        put({ op: 'ERET' }); // UNDEFINED at EL0
      }
      break;
    }
    case 'WFE':
      put({ op: 'WFE', imm: 2 });
      break;
    case 'CACHE': {
      // By VA on the scratch buffer. At EL0: UCI decides the clean/invalidate-to-PoC/PoU ones
      // and IC IVAU, DC IVAC and IC IALLU are UNDEFINED; DC ZVA only where DZE = 0 traps it.
      const dz = c.el === 0 && (c.sctlr & (1 << 14)) === 0;
      const op = pick(r, dz ? ['CVAC', 'CIVAC', 'CVAU', 'IVAC', 'IVAU', 'IALLU', 'ZVA'] : ['CVAC', 'CIVAC', 'CVAU', 'IVAC', 'IVAU', 'IALLU']);
      if (op === 'IVAU') put({ op: 'IC', cacheOp: 'IVAU', rt: c.base() });
      else if (op === 'IALLU') put({ op: 'IC', cacheOp: 'IALLU', rt: 31 });
      else put({ op: 'DC', cacheOp: op as 'CVAC', rt: c.base() });
      break;
    }
    default:
      throw new Error(`sys: unknown form ${form}`);
  }
  return out;
}

/** A sequence's SCTLR_EL1: the base value with each EL0 control bit at random. */
export function randomSctlr(rng: Rng): number {
  let v = SCTLR_BASE;
  for (const b of SCTLR_EL0_BITS) if (rng.nextInt(2) === 1) v |= b;
  return v >>> 0;
}
