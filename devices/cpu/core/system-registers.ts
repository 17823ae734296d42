/**
 * System registers at EL1: MRS/MSR, MSR (immediate) to PSTATE fields, the banked SP_EL0/SP_EL1,
 * the ID registers the topology gives, and HCR_EL2.TVM traps of the VM registers.
 */
import { SysRegs } from '../../../isa/a64/names';
import type { VmRegister } from '../guest-interface';
import { CNTFRQ, CYCLES_PER_TICK, ID_AA64PFR0_EL1, ccsidrEl1, clidrEl1, ctrEl0, dczidEl0, idAa64mmfr0El1, midrEl1, mpidrEl1 } from '../id-registers';
import { DataProcessing } from './data-processing';
import { SP, TWO32 } from './state';

const SYS = SysRegs;

/** Registers that only hold what the guest writes. */
const PLAIN_REGS: readonly string[] = [
  'ACTLR_EL1', 'CPACR_EL1', 'SPSR_EL1', 'ELR_EL1', 'AFSR0_EL1', 'AFSR1_EL1', 'ESR_EL1', 'FAR_EL1', 'PAR_EL1',
  'AMAIR_EL1', 'VBAR_EL1', 'CONTEXTIDR_EL1', 'TPIDR_EL1', 'TPIDR_EL0', 'TPIDRRO_EL0', 'CNTKCTL_EL1', 'CNTV_CTL_EL0',
  'CNTV_CVAL_EL0', 'CNTV_TVAL_EL0', 'FPCR', 'FPSR', 'CSSELR_EL1',
];
const PLAIN = new Set(PLAIN_REGS.map((n) => SYS[n]));

export abstract class SystemRegisters extends DataProcessing {
  protected daif = 0xf;
  protected spsel = 1;
  protected spEl0Lo = 0;
  protected spEl0Hi = 0;
  protected spEl1Lo = 0;
  protected spEl1Hi = 0;
  // System registers that only hold values: packed encoding → halves.
  protected readonly sysLo = new Map<number, number>();
  protected readonly sysHi = new Map<number, number>();

  /** Reads `code` into rl/rh; false when it is not readable at EL1. */
  protected mrs(code: number): boolean {
    let lo = 0;
    let hi = 0;
    const t = this.topology;
    switch (code) {
      case SYS.SCTLR_EL1:
        lo = this.memory.sctlr;
        break;
      case SYS.TTBR0_EL1:
        [lo, hi] = this.memory.ttbr0;
        break;
      case SYS.TTBR1_EL1:
        [lo, hi] = this.memory.ttbr1;
        break;
      case SYS.TCR_EL1:
        [lo, hi] = this.memory.tcr;
        break;
      case SYS.MAIR_EL1:
        [lo, hi] = this.memory.mair;
        break;
      case SYS.NZCV:
        lo = this.nzcv;
        break;
      case SYS.DAIF:
        lo = this.daif << 6;
        break;
      case SYS.SPSel:
        lo = this.spsel;
        break;
      case SYS.CurrentEL:
        lo = 1 << 2;
        break;
      case SYS.SP_EL0:
        if (this.spsel === 0) return false;
        lo = this.spEl0Lo;
        hi = this.spEl0Hi;
        break;
      case SYS.MIDR_EL1:
        lo = midrEl1(t);
        break;
      case SYS.MPIDR_EL1:
        lo = mpidrEl1(this.index);
        break;
      case SYS.REVIDR_EL1:
      case SYS.ID_AA64ISAR0_EL1:
        break;
      case SYS.ID_AA64PFR0_EL1:
        lo = ID_AA64PFR0_EL1;
        break;
      case SYS.ID_AA64MMFR0_EL1:
        lo = idAa64mmfr0El1(this.ipaBits);
        break;
      case SYS.CTR_EL0:
        lo = ctrEl0(t);
        break;
      case SYS.CLIDR_EL1:
        lo = clidrEl1(t);
        break;
      case SYS.CCSIDR_EL1:
        lo = ccsidrEl1(t, this.sysLo.get(SYS.CSSELR_EL1) ?? 0);
        break;
      case SYS.DCZID_EL0:
        lo = dczidEl0(t);
        break;
      case SYS.CNTFRQ_EL0:
        lo = CNTFRQ;
        break;
      case SYS.CNTPCT_EL0:
      case SYS.CNTVCT_EL0: {
        const ticks = Math.floor(this.clock.now / CYCLES_PER_TICK);
        lo = ticks | 0;
        hi = Math.floor(ticks / TWO32);
        break;
      }
      default:
        if (!PLAIN.has(code)) return false;
        lo = this.sysLo.get(code) ?? 0;
        hi = this.sysHi.get(code) ?? 0;
    }
    this.rl = lo | 0;
    this.rh = hi | 0;
    return true;
  }

  /** Writes `code`; 0 when not writable at EL1, 1 done. */
  protected msr(code: number, lo: number, hi: number): number {
    const mem = this.memory;
    switch (code) {
      case SYS.SCTLR_EL1:
        this.vmRegWrite('SCTLR_EL1', mem.sctlr, lo >>> 0);
        mem.setSctlr(lo);
        return 1;
      case SYS.TTBR0_EL1: {
        const [olo, ohi] = mem.ttbr0;
        this.vmRegWrite('TTBR0_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTtbr0(lo, hi);
        return 1;
      }
      case SYS.TTBR1_EL1: {
        const [olo, ohi] = mem.ttbr1;
        this.vmRegWrite('TTBR1_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTtbr1(lo, hi);
        return 1;
      }
      case SYS.TCR_EL1: {
        const [olo, ohi] = mem.tcr;
        this.vmRegWrite('TCR_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTcr(lo, hi);
        return 1;
      }
      case SYS.MAIR_EL1: {
        const [olo, ohi] = mem.mair;
        this.vmRegWrite('MAIR_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setMair(lo, hi);
        return 1;
      }
      case SYS.NZCV:
        this.n = (lo >>> 31) & 1;
        this.z = (lo >>> 30) & 1;
        this.c = (lo >>> 29) & 1;
        this.v = (lo >>> 28) & 1;
        return 1;
      case SYS.DAIF:
        this.daif = (lo >>> 6) & 0xf;
        return 1;
      case SYS.SPSel:
        this.setSpsel(lo & 1);
        return 1;
      case SYS.SP_EL0:
        if (this.spsel === 0) return 0;
        this.spEl0Lo = lo | 0;
        this.spEl0Hi = hi | 0;
        return 1;
      case SYS.VBAR_EL1:
        this.sysLo.set(code, lo & ~0x7ff);
        this.sysHi.set(code, hi | 0);
        return 1;
      default:
        if (!PLAIN.has(code)) return 0;
        this.sysLo.set(code, lo | 0);
        this.sysHi.set(code, hi | 0);
        return 1;
    }
  }

  /** HCR_EL2.TVM: the hypervisor sees the write first, then the core performs it. */
  protected vmRegWrite(reg: VmRegister, oldValue: number, newValue: number): void {
    if (this.hyp.trapsVmRegs(this.index)) this.hyp.vmRegWrite(this.index, reg, oldValue, newValue);
  }

  protected msrImm(field: number, imm: number): void {
    switch (field) {
      case 0 /* SPSel */:
        this.setSpsel(imm & 1);
        return;
      case 1 /* DAIFSet */:
        this.daif |= imm;
        return;
      default /* DAIFClr */:
        this.daif &= ~imm & 0xf;
        return;
    }
  }

  protected setSpsel(sel: number): void {
    if (sel === this.spsel) return;
    const xl = this.xl;
    const xh = this.xh;
    if (this.spsel === 1) {
      this.spEl1Lo = xl[SP];
      this.spEl1Hi = xh[SP];
      xl[SP] = this.spEl0Lo;
      xh[SP] = this.spEl0Hi;
    } else {
      this.spEl0Lo = xl[SP];
      this.spEl0Hi = xh[SP];
      xl[SP] = this.spEl1Lo;
      xh[SP] = this.spEl1Hi;
    }
    this.spsel = sel;
  }

  protected sys(name: string): number {
    const code = SYS[name];
    return (this.sysHi.get(code) ?? 0) * TWO32 + ((this.sysLo.get(code) ?? 0) >>> 0);
  }

  protected setSys(name: string, v: number): void {
    const code = SYS[name];
    this.sysLo.set(code, v | 0);
    this.sysHi.set(code, Math.floor(v / TWO32) | 0);
  }
}
