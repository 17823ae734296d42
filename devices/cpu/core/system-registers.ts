/**
 * System registers at EL0 and EL1: MRS/MSR with the architecture's access rules (an EL1 register
 * at EL0 is UNDEFINED; SCTLR_EL1.UCT/UMA, PMUSERENR_EL0 and CNTKCTL_EL1 let EL0 reach a few, and
 * trap to EL1 with EC 0x18 when they do not), MSR (immediate) to PSTATE fields, the banked
 * SP_EL0/SP_EL1, the ID registers, the PMU (pmu.ts), the debug registers Linux touches, and
 * HCR_EL2.TVM traps of the VM registers. Any other encoding is UNDEFINED, never a silent zero.
 */
import { SysRegs } from '../../../isa/a64/names';
import type { VmRegister } from '../guest-interface';
import { GenericTimer } from '../generic-timer';
import { ICC_ENCODINGS, type IccRegister } from '../../gic/gicv3';
import { CNTFRQ, CYCLES_PER_TICK, ccsidrEl1, clidrEl1, ctrEl0, dczidEl0, idRegister, midrEl1, mpidrEl1 } from '../id-registers';
import { DataProcessing } from './data-processing';
import { Pmu } from './pmu';
import { SP, TWO32, type A64CoreDeps } from './state';

const SYS = SysRegs;

/** The GICv3 CPU interface as the core reaches it (the vgic's, under KVM). */
export interface IccAccess {
  read(cpu: number, reg: IccRegister): bigint;
  write(cpu: number, reg: IccRegister, value: bigint): void;
}

/** The ICC registers by their MRS/MSR encoding (op0:op1:CRn:CRm:op2, as SysRegs packs them). */
const ICC_BY_CODE: ReadonlyMap<number, IccRegister> = new Map(
  (Object.entries(ICC_ENCODINGS) as [IccRegister, readonly [number, number, number, number, number]][]).map(([name, [op0, op1, crn, crm, op2]]) => [
    (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2,
    name,
  ]),
);

/** What MRS/MSR did: the access completed, is UNDEFINED, or traps to EL1 (ESR EC 0x18). */
export const SYSREG_UNDEFINED = 0;
export const SYSREG_OK = 1;
export const SYSREG_TRAP = 2;

/** SCTLR_EL1 bits that open EL0 access. */
export const SCTLR_UMA = 1 << 9;
export const SCTLR_DZE = 1 << 14;
export const SCTLR_UCT = 1 << 15;
export const SCTLR_NTWI = 1 << 16;
export const SCTLR_NTWE = 1 << 18;
export const SCTLR_UCI = 1 << 26;

/** Registers that hold what EL1 writes, all 64 bits (their reset value is 0). */
const STORED_REGS: readonly string[] = [
  'SPSR_EL1', 'ELR_EL1', 'ESR_EL1', 'FAR_EL1', 'PAR_EL1', 'TPIDR_EL1', 'TPIDR_EL0', 'TPIDRRO_EL0',
  'CNTKCTL_EL1', 'FPCR', 'FPSR',
  'MDSCR_EL1', 'MDCCINT_EL1',
  ...[0, 1, 2, 3, 4, 5].flatMap((n) => [`DBGBVR${n}_EL1`, `DBGBCR${n}_EL1`]),
  ...[0, 1, 2, 3].flatMap((n) => [`DBGWVR${n}_EL1`, `DBGWCR${n}_EL1`]),
];
const STORED = new Set(STORED_REGS.map((n) => SYS[n]));
/** Registers that hold only some bits: the mask of the low half (the high half is RES0). */
const MASKED: ReadonlyMap<number, number> = new Map([
  [SYS.CPACR_EL1, 0x10300000], // TTA, FPEN
  [SYS.CONTEXTIDR_EL1, 0xffffffff],
  [SYS.CSSELR_EL1, 0xf], // Level, InD
  [SYS.OSDLR_EL1, 1], // DLK
]);
/**
 * RAZ/WI at EL1, as QEMU's cortex-a72 has them: ACTLR_EL1, AFSR0/1_EL1, AMAIR_EL1, the
 * Cortex-A72 IMPLEMENTATION DEFINED L2/CPU control and error registers, and AIDR_EL1 and
 * ISR_EL1 (read-only: no interrupt is ever pending in this model yet).
 */
const RAZ_WI = new Set(['ACTLR_EL1', 'AFSR0_EL1', 'AFSR1_EL1', 'AMAIR_EL1', 'L2CTLR_EL1', 'L2ECTLR_EL1', 'L2ACTLR_EL1', 'CPUACTLR_EL1', 'CPUECTLR_EL1', 'CPUMERRSR_EL1', 'L2MERRSR_EL1'].map((n) => SYS[n]));
const RAZ_RO = new Set(['AIDR_EL1', 'ISR_EL1', 'REVIDR_EL1', 'MDRAR_EL1', 'MDCCSR_EL0'].map((n) => SYS[n]));
/** CBAR_EL1: the virt machine's GIC base, as QEMU reports it. */
const CBAR = 0x08000000;
/** OSLSR_EL1.OSLM = 0b10 (the OS lock is implemented). */
const OSLSR_OSLM = 0x8;
/** CNTKCTL_EL1 bits that open the counters and timers to EL0. */
const EL0PCTEN = 1;
const EL0VCTEN = 2;
const EL0VTEN = 1 << 8;
const EL0PTEN = 1 << 9;

/** op0=3, op1=0, CRn=0, CRm=1-7: the ID register space (CRm:op2 is the packed code's low 6 bits). */
const isIdSpace = (code: number): boolean => code >>> 6 === SYS.MIDR_EL1 >>> 6 && (code & 0x38) !== 0;

export abstract class SystemRegisters extends DataProcessing {
  protected daif = 0xf;
  protected spsel = 1;
  protected spEl0Lo = 0;
  protected spEl0Hi = 0;
  protected spEl1Lo = 0;
  protected spEl1Hi = 0;
  /** OSLSR_EL1.OSLK: KVM resets it clear. */
  protected osLock = 0;
  // System registers that only hold values: packed encoding → halves.
  protected readonly sysLo = new Map<number, number>();
  protected readonly sysHi = new Map<number, number>();
  protected readonly pmu: Pmu;
  /** The EL1 physical and virtual timers; KVM wires their outputs to the vgic's PPIs. */
  readonly timer: GenericTimer;
  /**
   * The GICv3 CPU interface's ICC_* registers, when KVM gave the core one (a GICv3 vgic): reads
   * and writes by register name. Without it the ICC registers are UNDEFINED, as with a GICv2.
   */
  icc: IccAccess | null = null;

  constructor(d: A64CoreDeps) {
    super(d);
    this.pmu = new Pmu(d.clock);
    this.timer = new GenericTimer(() => BigInt(Math.floor(this.clock.now / CYCLES_PER_TICK)));
  }

  /** Asks the core loop to look at its interrupt inputs again (a line or PSTATE.DAIF changed). */
  protected abstract interruptCheck(): void;

  /** A timer register's value, or undefined for another register. */
  private readTimer(code: number): bigint | undefined {
    const t = this.timer;
    switch (code) {
      case SYS.CNTV_CTL_EL0:
        return BigInt(t.readCtl('virt'));
      case SYS.CNTV_CVAL_EL0:
        return t.readCval('virt');
      case SYS.CNTV_TVAL_EL0:
        return BigInt(t.readTval('virt'));
      case SYS.CNTP_CTL_EL0:
        return BigInt(t.readCtl('phys'));
      case SYS.CNTP_CVAL_EL0:
        return t.readCval('phys');
      case SYS.CNTP_TVAL_EL0:
        return BigInt(t.readTval('phys'));
      default:
        return undefined;
    }
  }

  private writeTimer(code: number, v: bigint): boolean {
    const t = this.timer;
    switch (code) {
      case SYS.CNTV_CTL_EL0:
        t.writeCtl('virt', Number(v & 0xffn));
        break;
      case SYS.CNTV_CVAL_EL0:
        t.writeCval('virt', v);
        break;
      case SYS.CNTV_TVAL_EL0:
        t.writeTval('virt', Number(v & 0xffff_ffffn));
        break;
      case SYS.CNTP_CTL_EL0:
        t.writeCtl('phys', Number(v & 0xffn));
        break;
      case SYS.CNTP_CVAL_EL0:
        t.writeCval('phys', v);
        break;
      case SYS.CNTP_TVAL_EL0:
        t.writeTval('phys', Number(v & 0xffff_ffffn));
        break;
      default:
        return false;
    }
    this.interruptCheck();
    return true;
  }

  /** MRS at the current EL into rl/rh: SYSREG_OK, SYSREG_UNDEFINED or SYSREG_TRAP. */
  protected mrs(code: number): number {
    if (this.el === 0) {
      const a = this.el0Access(code, false);
      if (a !== SYSREG_OK) return a;
    }
    return this.readSys(code) ? SYSREG_OK : SYSREG_UNDEFINED;
  }

  /** MSR at the current EL: SYSREG_OK, SYSREG_UNDEFINED or SYSREG_TRAP. */
  protected msr(code: number, lo: number, hi: number): number {
    if (this.el === 0) {
      const a = this.el0Access(code, true);
      if (a !== SYSREG_OK) return a;
    }
    return this.writeSys(code, lo, hi) ? SYSREG_OK : SYSREG_UNDEFINED;
  }

  /**
   * Whether EL0 may access `code`: the registers EL0 can reach at all (else UNDEFINED), and the
   * EL1 controls that trap them (SYSREG_TRAP). Whether the register exists, or is read-only, is
   * readSys/writeSys's answer.
   */
  protected el0Access(code: number, write: boolean): number {
    const sctlr = this.memory.sctlr;
    const cntkctl = this.sysLo.get(SYS.CNTKCTL_EL1) ?? 0;
    const timer = (bits: number): number => (write && (code === SYS.CNTFRQ_EL0 || code === SYS.CNTPCT_EL0 || code === SYS.CNTVCT_EL0) ? SYSREG_UNDEFINED : (cntkctl & bits) !== 0 ? SYSREG_OK : SYSREG_TRAP);
    switch (code) {
      case SYS.NZCV:
      case SYS.TPIDR_EL0:
      case SYS.FPCR: // CPACR_EL1.FPEN: the SIMD and FP layer's trap
      case SYS.FPSR:
        return SYSREG_OK;
      case SYS.TPIDRRO_EL0:
      case SYS.DCZID_EL0:
      case SYS.MDCCSR_EL0:
        return write ? SYSREG_UNDEFINED : SYSREG_OK;
      case SYS.CTR_EL0:
        return write ? SYSREG_UNDEFINED : (sctlr & SCTLR_UCT) !== 0 ? SYSREG_OK : SYSREG_TRAP;
      case SYS.DAIF:
        return (sctlr & SCTLR_UMA) !== 0 ? SYSREG_OK : SYSREG_TRAP;
      case SYS.CNTFRQ_EL0:
        return timer(EL0PCTEN | EL0VCTEN);
      case SYS.CNTPCT_EL0:
        return timer(EL0PCTEN);
      case SYS.CNTVCT_EL0:
        return timer(EL0VCTEN);
      case SYS.CNTV_CTL_EL0:
      case SYS.CNTV_CVAL_EL0:
      case SYS.CNTV_TVAL_EL0:
        return timer(EL0VTEN);
      case SYS.CNTP_CTL_EL0:
      case SYS.CNTP_CVAL_EL0:
      case SYS.CNTP_TVAL_EL0:
        return timer(EL0PTEN);
      default:
        return this.pmu.has(code) ? this.pmu.el0Access(code, write) : SYSREG_UNDEFINED;
    }
  }

  /** Reads `code` into rl/rh without EL0 checks; false when it is not readable. */
  protected readSys(code: number): boolean {
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
        lo = this.el << 2;
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
        lo = dczidEl0(t, this.el === 0 && (this.memory.sctlr & SCTLR_DZE) === 0);
        break;
      case SYS.CBAR_EL1:
        lo = CBAR;
        break;
      case SYS.OSLSR_EL1:
        lo = OSLSR_OSLM | (this.osLock << 1);
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
      default: {
        const tv = this.readTimer(code) ?? this.readIcc(code);
        if (tv !== undefined) {
          lo = Number(tv & 0xffff_ffffn);
          hi = Number(tv >> 32n);
        } else if (STORED.has(code) || MASKED.has(code)) {
          lo = this.sysLo.get(code) ?? 0;
          hi = this.sysHi.get(code) ?? 0;
        } else if (isIdSpace(code)) lo = idRegister(code & 0x3f);
        else if (this.pmu.has(code)) {
          if (!this.pmu.read(code)) return false;
          lo = this.pmu.lo;
          hi = this.pmu.hi;
        } else if (!RAZ_WI.has(code) && !RAZ_RO.has(code)) return false;
      }
    }
    this.rl = lo | 0;
    this.rh = hi | 0;
    return true;
  }

  /** An ICC_* register through the GICv3 CPU interface, or undefined (no GICv3, or not an ICC register). */
  private readIcc(code: number): bigint | undefined {
    if (this.icc === null) return undefined;
    const name = ICC_BY_CODE.get(code);
    return name === undefined ? undefined : this.icc.read(this.index, name);
  }

  private writeIcc(code: number, v: bigint): boolean {
    if (this.icc === null) return false;
    const name = ICC_BY_CODE.get(code);
    if (name === undefined) return false;
    this.icc.write(this.index, name, v);
    this.interruptCheck();
    return true;
  }

  /** Writes `code` without EL0 checks; false when it is not writable. */
  protected writeSys(code: number, lo: number, hi: number): boolean {
    const mem = this.memory;
    switch (code) {
      case SYS.SCTLR_EL1:
        this.vmRegWrite('SCTLR_EL1', mem.sctlr, lo >>> 0);
        mem.setSctlr(lo);
        return true;
      case SYS.TTBR0_EL1: {
        const [olo, ohi] = mem.ttbr0;
        this.vmRegWrite('TTBR0_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTtbr0(lo, hi);
        return true;
      }
      case SYS.TTBR1_EL1: {
        const [olo, ohi] = mem.ttbr1;
        this.vmRegWrite('TTBR1_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTtbr1(lo, hi);
        return true;
      }
      case SYS.TCR_EL1: {
        const [olo, ohi] = mem.tcr;
        this.vmRegWrite('TCR_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTcr(lo, hi);
        return true;
      }
      case SYS.MAIR_EL1: {
        const [olo, ohi] = mem.mair;
        this.vmRegWrite('MAIR_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setMair(lo, hi);
        return true;
      }
      case SYS.NZCV:
        this.n = (lo >>> 31) & 1;
        this.z = (lo >>> 30) & 1;
        this.c = (lo >>> 29) & 1;
        this.v = (lo >>> 28) & 1;
        return true;
      case SYS.DAIF:
        this.daif = (lo >>> 6) & 0xf;
        this.interruptCheck();
        return true;
      case SYS.SPSel:
        this.setSpsel(lo & 1);
        return true;
      case SYS.SP_EL0:
        if (this.spsel === 0) return false;
        this.spEl0Lo = lo | 0;
        this.spEl0Hi = hi | 0;
        return true;
      case SYS.VBAR_EL1:
        this.sysLo.set(code, lo & ~0x7ff);
        this.sysHi.set(code, hi | 0);
        return true;
      case SYS.OSLAR_EL1:
        this.osLock = lo & 1;
        return true;
      default: {
        const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
        if (this.writeTimer(code, v) || this.writeIcc(code, v)) return true;
        if (STORED.has(code)) {
          this.sysLo.set(code, lo | 0);
          this.sysHi.set(code, hi | 0);
          return true;
        }
        const mask = MASKED.get(code);
        if (mask !== undefined) {
          this.sysLo.set(code, lo & mask);
          this.sysHi.set(code, 0);
          return true;
        }
        if (this.pmu.has(code)) return this.pmu.write(code, lo, hi);
        return RAZ_WI.has(code);
      }
    }
  }

  /** HCR_EL2.TVM: the hypervisor sees the write first, then the core performs it. */
  protected vmRegWrite(reg: VmRegister, oldValue: number, newValue: number): void {
    if (this.hyp.trapsVmRegs(this.index)) this.hyp.vmRegWrite(this.index, reg, oldValue, newValue);
  }

  /**
   * MSR (immediate) to a PSTATE field: SYSREG_OK, or at EL0 SYSREG_UNDEFINED (SPSel) or
   * SYSREG_TRAP (DAIFSet/DAIFClr without SCTLR_EL1.UMA).
   */
  protected msrImm(field: number, imm: number): number {
    if (field > 2) return SYSREG_UNDEFINED; // PAN, UAO, SSBS, DIT, TCO, ALLINT: not in ARMv8.0
    if (this.el === 0) {
      if (field === 0) return SYSREG_UNDEFINED;
      if ((this.memory.sctlr & SCTLR_UMA) === 0) return SYSREG_TRAP;
    }
    switch (field) {
      case 0 /* SPSel */:
        this.setSpsel(imm & 1);
        break;
      case 1 /* DAIFSet */:
        this.daif |= imm;
        break;
      default /* DAIFClr */:
        this.daif &= ~imm & 0xf;
        this.interruptCheck();
        break;
    }
    return SYSREG_OK;
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

  /** Resets the registers this layer holds (with the core's reset). */
  protected resetSystemRegisters(): void {
    this.daif = 0xf;
    this.spsel = 1;
    this.spEl0Lo = this.spEl0Hi = this.spEl1Lo = this.spEl1Hi = 0;
    this.osLock = 0;
    this.sysLo.clear();
    this.sysHi.clear();
    this.pmu.reset();
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
