/**
 * The performance monitors (PMUv3) as QEMU's cortex-a72 has them: PMCR_EL0 = 0x41023000 (six
 * event counters), PMCEID0_EL0 = 0x20001 (the events SW_INCR and CPU_CYCLES), PMCEID1_EL0 = 0.
 * The cycle counter and the event counters counting CPU_CYCLES count modelled cycles (the clock);
 * SW_INCR counts writes to PMSWINC_EL0; no other event counts. Overflow flags are set by
 * software only (PMOVSSET) and the PMCCFILTR / PMEVTYPER EL filters are stored, not applied.
 */
import type { Clock } from '../../../core';
import { SysRegs } from '../../../isa/a64/names';

const SYS = SysRegs;
const TWO32 = 2 ** 32;
const TWO64 = 2 ** 64;

/** Event counters (PMCR_EL0.N). */
export const PMU_COUNTERS = 6;
const PMCR_RESET = 0x41023000 | (PMU_COUNTERS << 11);
/** PMCR_EL0 bits that hold what is written: E, D, X, DP, LC (P and C are actions, read as 0). */
const PMCR_STORED = 0x79;
const PMCR_E = 1;
const PMCR_P = 1 << 1;
const PMCR_C = 1 << 2;
const PMCR_D = 1 << 3;
/** Counter-enable, overflow and interrupt-enable bits: the event counters and C (bit 31). */
const COUNTER_MASK = (0x80000000 | ((1 << PMU_COUNTERS) - 1)) >>> 0;
const EVENT_SW_INCR = 0x00;
const EVENT_CPU_CYCLES = 0x11;
/** PMEVTYPER<n>_EL0: P, U, NSK, NSU, NSH, M, MT and evtCount[15:0]. */
const EVTYPER_MASK = 0xfe00ffff;
/** PMCCFILTR_EL0: P, U, NSK, NSU, NSH, M. */
const CCFILTR_MASK = 0xfc000000;
/** PMUSERENR_EL0: EN, SW, CR, ER. */
const USERENR_EN = 1;
const USERENR_SW = 2;
const USERENR_CR = 4;
const USERENR_ER = 8;

/** op0=3, op1=3, CRn=14, CRm=8-11: PMEVCNTR<n>; CRm=12-15: PMEVTYPER<n> (n = CRm[1:0]:op2). */
const evcntrIndex = (code: number): number => ((code & ~0x1f) === SYS.PMEVCNTR0_EL0 ? code & 0x1f : -1);
const evtyperIndex = (code: number): number => ((code & ~0x1f) === SYS.PMEVTYPER0_EL0 && code !== SYS.PMCCFILTR_EL0 ? code & 0x1f : -1);

export class Pmu {
  /** The value read, as halves (after read() returned true). */
  lo = 0;
  hi = 0;
  private pmcr = PMCR_RESET;
  private cntens = 0;
  private ovs = 0;
  private intens = 0;
  private selr = 0;
  private userenr = 0;
  private ccfiltr = 0;
  private readonly evtyper = new Array<number>(PMU_COUNTERS).fill(0);
  /** Counts as of `since` (the clock), the cycle counter at index PMU_COUNTERS. */
  private readonly base = new Array<number>(PMU_COUNTERS + 1).fill(0);
  private since = 0;

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.pmcr = PMCR_RESET;
    this.cntens = this.ovs = this.intens = this.selr = this.userenr = this.ccfiltr = 0;
    this.evtyper.fill(0);
    this.base.fill(0);
    this.since = this.clock.now;
  }

  /** True for the PMU registers this core has (PMEVCNTR/PMEVTYPER up to PMCR_EL0.N). */
  has(code: number): boolean {
    const n = evcntrIndex(code);
    if (n >= 0) return n < PMU_COUNTERS;
    const t = evtyperIndex(code);
    if (t >= 0) return t < PMU_COUNTERS;
    switch (code) {
      case SYS.PMCR_EL0: case SYS.PMCNTENSET_EL0: case SYS.PMCNTENCLR_EL0: case SYS.PMOVSCLR_EL0: case SYS.PMSWINC_EL0:
      case SYS.PMSELR_EL0: case SYS.PMCEID0_EL0: case SYS.PMCEID1_EL0: case SYS.PMCCNTR_EL0: case SYS.PMXEVTYPER_EL0:
      case SYS.PMXEVCNTR_EL0: case SYS.PMUSERENR_EL0: case SYS.PMINTENSET_EL1: case SYS.PMINTENCLR_EL1: case SYS.PMOVSSET_EL0:
      case SYS.PMCCFILTR_EL0:
        return true;
      default:
        return false;
    }
  }

  /**
   * EL0 access to a PMU register (`has` is true): 1 allowed, 2 trapped to EL1, 0 UNDEFINED
   * (PMUSERENR_EL0 writes, PMINTEN*_EL1).
   * PMUSERENR_EL0.EN allows all; SW, CR and ER allow PMSWINC, PMCCNTR reads, and event counter
   * reads (with PMSELR) one by one.
   */
  el0Access(code: number, write: boolean): number {
    if (code === SYS.PMUSERENR_EL0) return write ? 0 : 1;
    if (code === SYS.PMINTENSET_EL1 || code === SYS.PMINTENCLR_EL1) return 0;
    const u = this.userenr;
    if ((u & USERENR_EN) !== 0) return 1;
    if (code === SYS.PMSWINC_EL0 && write && (u & USERENR_SW) !== 0) return 1;
    if (code === SYS.PMCCNTR_EL0 && !write && (u & USERENR_CR) !== 0) return 1;
    if ((u & USERENR_ER) !== 0 && (code === SYS.PMSELR_EL0 || (!write && (code === SYS.PMXEVCNTR_EL0 || evcntrIndex(code) >= 0)))) return 1;
    return 2;
  }

  /** Reads `code` into lo/hi; false when it cannot be read (PMSWINC_EL0 is write-only). */
  read(code: number): boolean {
    let v: number;
    const n = evcntrIndex(code);
    const t = evtyperIndex(code);
    if (n >= 0) v = this.count(n);
    else if (t >= 0) v = this.evtyper[t];
    else {
      switch (code) {
        case SYS.PMCR_EL0: v = this.pmcr; break;
        case SYS.PMCNTENSET_EL0: case SYS.PMCNTENCLR_EL0: v = this.cntens; break;
        case SYS.PMOVSSET_EL0: case SYS.PMOVSCLR_EL0: v = this.ovs; break;
        case SYS.PMINTENSET_EL1: case SYS.PMINTENCLR_EL1: v = this.intens; break;
        case SYS.PMSELR_EL0: v = this.selr; break;
        case SYS.PMCEID0_EL0: v = (1 << EVENT_SW_INCR) | (1 << EVENT_CPU_CYCLES); break;
        case SYS.PMCEID1_EL0: v = 0; break;
        case SYS.PMCCNTR_EL0: v = this.count(PMU_COUNTERS); break;
        case SYS.PMXEVTYPER_EL0: v = this.selr === 31 ? this.ccfiltr : this.selr < PMU_COUNTERS ? this.evtyper[this.selr] : 0; break;
        case SYS.PMXEVCNTR_EL0: v = this.selr < PMU_COUNTERS ? this.count(this.selr) : 0; break;
        case SYS.PMUSERENR_EL0: v = this.userenr; break;
        case SYS.PMCCFILTR_EL0: v = this.ccfiltr; break;
        default: return false;
      }
    }
    this.lo = v % TWO32 | 0;
    this.hi = Math.floor(v / TWO32) | 0;
    return true;
  }

  /** Writes `code`; false when it cannot be written (PMCEID0/1 are read-only). */
  write(code: number, lo: number, hi: number): boolean {
    const v = lo >>> 0;
    const n = evcntrIndex(code);
    const t = evtyperIndex(code);
    if (n >= 0) return this.setCount(n, v), true;
    if (t >= 0) return this.settle(), (this.evtyper[t] = (v & EVTYPER_MASK) >>> 0), true;
    switch (code) {
      case SYS.PMCR_EL0:
        this.settle();
        if ((v & PMCR_P) !== 0) for (let i = 0; i < PMU_COUNTERS; i++) this.base[i] = 0;
        if ((v & PMCR_C) !== 0) this.base[PMU_COUNTERS] = 0;
        this.pmcr = ((this.pmcr & ~PMCR_STORED) | (v & PMCR_STORED)) >>> 0;
        return true;
      case SYS.PMCNTENSET_EL0: this.settle(); this.cntens = (this.cntens | (v & COUNTER_MASK)) >>> 0; return true;
      case SYS.PMCNTENCLR_EL0: this.settle(); this.cntens = (this.cntens & ~v) >>> 0; return true;
      case SYS.PMOVSSET_EL0: this.ovs = (this.ovs | (v & COUNTER_MASK)) >>> 0; return true;
      case SYS.PMOVSCLR_EL0: this.ovs = (this.ovs & ~v) >>> 0; return true;
      case SYS.PMINTENSET_EL1: this.intens = (this.intens | (v & COUNTER_MASK)) >>> 0; return true;
      case SYS.PMINTENCLR_EL1: this.intens = (this.intens & ~v) >>> 0; return true;
      case SYS.PMSELR_EL0: this.selr = v & 0x1f; return true;
      case SYS.PMSWINC_EL0:
        this.settle();
        for (let i = 0; i < PMU_COUNTERS; i++) if ((v & (1 << i)) !== 0 && this.counting(i) && this.evtyper[i] === EVENT_SW_INCR) this.base[i] = (this.base[i] + 1) % TWO32;
        return true;
      case SYS.PMCCNTR_EL0: this.setCount(PMU_COUNTERS, (hi >>> 0) * TWO32 + v); return true;
      case SYS.PMXEVTYPER_EL0:
        this.settle();
        if (this.selr === 31) this.ccfiltr = (v & CCFILTR_MASK) >>> 0;
        else if (this.selr < PMU_COUNTERS) this.evtyper[this.selr] = (v & EVTYPER_MASK) >>> 0;
        return true;
      case SYS.PMXEVCNTR_EL0: if (this.selr < PMU_COUNTERS) this.setCount(this.selr, v); return true;
      case SYS.PMUSERENR_EL0: this.userenr = v & 0xf; return true;
      case SYS.PMCCFILTR_EL0: this.settle(); this.ccfiltr = (v & CCFILTR_MASK) >>> 0; return true;
      default: return false;
    }
  }

  /** Counter i (PMU_COUNTERS: the cycle counter) counts cycles now. */
  private countsCycles(i: number): boolean {
    if (!this.counting(i)) return false;
    return i === PMU_COUNTERS || (this.evtyper[i] & 0xffff) === EVENT_CPU_CYCLES;
  }

  private counting(i: number): boolean {
    const bit = i === PMU_COUNTERS ? 31 : i;
    return (this.pmcr & PMCR_E) !== 0 && ((this.cntens >>> bit) & 1) === 1;
  }

  /** The current value of counter i: its base plus the cycles since, when it counts them. */
  private count(i: number): number {
    const b = this.base[i];
    if (!this.countsCycles(i)) return b;
    let cycles = this.clock.now - this.since;
    if (i === PMU_COUNTERS && (this.pmcr & PMCR_D) !== 0) cycles = Math.floor(cycles / 64);
    return (b + cycles) % (i === PMU_COUNTERS ? TWO64 : TWO32);
  }

  /** Folds the counting so far into the bases (before a change of what counts). */
  private settle(): void {
    for (let i = 0; i <= PMU_COUNTERS; i++) this.base[i] = this.count(i);
    this.since = this.clock.now;
  }

  private setCount(i: number, v: number): void {
    this.settle();
    this.base[i] = v;
  }
}
