/**
 * A core's Arm generic timer (Arm ARM D11): the physical and the virtual EL1 timers, each a
 * 64-bit compare value against its count (CNTPCT, and CNTVCT = CNTPCT - CNTVOFF), a control
 * register (ENABLE, IMASK, ISTATUS) and an output line, high while it is enabled, unmasked and
 * the count has reached the compare value. The count is modelled time (so runs are
 * deterministic), as QEMU 7.2's virt board reports it: CNTFRQ_EL0 = 62.5 MHz.
 *
 * The core reads and writes the registers; KVM (arch_timer.c) wires the outputs to the vgic's
 * PPIs and asks `nextDeadline` when a VCPU waits, so time can jump to the next timer event.
 */
import type { IrqLine } from '../platform/irq';
import { UnwiredIrqLine } from '../platform/irq';

export const CTL_ENABLE = 1;
export const CTL_IMASK = 2;
export const CTL_ISTATUS = 4;
const M64 = (1n << 64n) - 1n;

export type TimerKind = 'phys' | 'virt';

class OneTimer {
  ctl = 0;
  cval = 0n;
  constructor(public line: IrqLine) {}
}

export class GenericTimer {
  /** CNTVOFF_EL2: what the hypervisor subtracts from the physical count for the virtual one. */
  cntvoff = 0n;
  private readonly timers: Record<TimerKind, OneTimer>;

  constructor(
    /** The physical count now (CNTPCT_EL0). */
    private readonly physicalCount: () => bigint,
    lines: { phys?: IrqLine; virt?: IrqLine } = {},
  ) {
    this.timers = { phys: new OneTimer(lines.phys ?? new UnwiredIrqLine()), virt: new OneTimer(lines.virt ?? new UnwiredIrqLine()) };
  }

  /** Wires a timer's output (KVM: the vgic's PPI 14 physical, 11 virtual), at its current level. */
  connect(kind: TimerKind, line: IrqLine): void {
    this.timers[kind].line = line;
    this.refresh();
  }

  count(kind: TimerKind): bigint {
    const p = this.physicalCount();
    return kind === 'phys' ? p : (p - this.cntvoff) & M64;
  }

  private met(kind: TimerKind): boolean {
    return this.count(kind) >= this.timers[kind].cval;
  }

  readCtl(kind: TimerKind): number {
    const t = this.timers[kind];
    return (t.ctl & (CTL_ENABLE | CTL_IMASK)) | ((t.ctl & CTL_ENABLE) !== 0 && this.met(kind) ? CTL_ISTATUS : 0);
  }

  writeCtl(kind: TimerKind, value: number): void {
    this.timers[kind].ctl = value & (CTL_ENABLE | CTL_IMASK);
    this.refresh();
  }

  readCval(kind: TimerKind): bigint {
    return this.timers[kind].cval;
  }

  writeCval(kind: TimerKind, value: bigint): void {
    this.timers[kind].cval = value & M64;
    this.refresh();
  }

  /** TVAL: the compare value less the count, as a signed 32-bit number (read as its low 32 bits). */
  readTval(kind: TimerKind): number {
    return Number((this.timers[kind].cval - this.count(kind)) & 0xffff_ffffn);
  }

  writeTval(kind: TimerKind, value: number): void {
    this.timers[kind].cval = (this.count(kind) + BigInt.asIntN(32, BigInt(value >>> 0))) & M64;
    this.refresh();
  }

  /** Whether the timer's output is high (enabled, unmasked, condition met). */
  asserted(kind: TimerKind): boolean {
    const t = this.timers[kind];
    return (t.ctl & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE && this.met(kind);
  }

  /** Sets the output lines to what the registers and the count say now. */
  refresh(): void {
    for (const kind of ['phys', 'virt'] as const) {
      const level = this.asserted(kind);
      const line = this.timers[kind].line;
      if (line.level !== level) line.set(level);
    }
  }

  /**
   * The physical count at which an output next rises (an enabled, unmasked timer whose
   * condition is not met yet), or undefined when none will.
   */
  nextDeadline(): bigint | undefined {
    let best: bigint | undefined;
    for (const kind of ['phys', 'virt'] as const) {
      const t = this.timers[kind];
      if ((t.ctl & (CTL_ENABLE | CTL_IMASK)) !== CTL_ENABLE || this.met(kind)) continue;
      const at = kind === 'phys' ? t.cval : t.cval + this.cntvoff;
      if (best === undefined || at < best) best = at;
    }
    return best;
  }

  reset(): void {
    for (const kind of ['phys', 'virt'] as const) {
      this.timers[kind].ctl = 0;
      this.timers[kind].cval = 0n;
    }
    this.refresh();
  }
}
