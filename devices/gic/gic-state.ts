/**
 * The state every Arm Generic Interrupt Controller keeps, and how it picks an interrupt: what
 * the GICv2 and GICv3 architecture specifications (IHI 0048, IHI 0069) share. Interrupt IDs:
 * 0-15 SGIs and 16-31 PPIs, banked per CPU; 32 and up SPIs, shared. Each interrupt is enabled
 * or not, pending (an edge latched, software's set-pending, or a level-sensitive line held
 * high), active, of a priority (lower is more urgent) and a group; each CPU interface has a
 * priority mask, a binary point, and the priorities of the interrupts it has acknowledged and
 * not yet dropped (the running priority is the most urgent of them). A CPU is signalled when an
 * enabled interrupt for it is pending and not active, its group is enabled at both the
 * distributor and the CPU interface, its priority is below the mask and its group priority
 * preempts the running one.
 *
 * The frame layouts (GICv2's distributor and CPU interface, GICv3's distributor,
 * redistributors and system registers) are the callers of this class.
 */
import type { InterruptController, IrqLine } from '../platform/irq';

export const SPURIOUS = 1023;
/** QEMU's virt board: 256 SPIs, so interrupt IDs 0-287. */
export const VIRT_GIC_IRQS = 288;
const PRIVATE = 32;
/** Running priority with nothing active (above every real priority). */
export const IDLE_PRIORITY = 0x100;

/** What a CPU interface signals its core with: IRQ and FIQ. */
export interface CpuSignals {
  readonly irq: IrqLine;
  readonly fiq: IrqLine;
}

export class GicState {
  readonly nIrqs: number;
  // Per interrupt slot (private interrupts banked: slot = cpu * 32 + id; shared: ncpus * 32 + id - 32).
  readonly enabled: Uint8Array;
  /** Latched pending (edge, or set by software). */
  readonly latched: Uint8Array;
  /** The input line's level (level-sensitive and edge interrupts both have a line). */
  readonly line: Uint8Array;
  readonly active: Uint8Array;
  readonly priority: Uint8Array;
  readonly group: Uint8Array;
  /** 1: edge-triggered, 0: level-sensitive. */
  readonly edge: Uint8Array;
  /** GICv2 SPI targets (a CPU mask), or GICv3 routing (the target CPU, or -1: any). */
  readonly target: Int16Array;
  /** GICv2 SGIs: which source CPUs have each SGI pending at each target, a bit per source. */
  readonly sgiSources: Uint8Array;

  /** Distributor group enables (GICD_CTLR EnableGrp0/1). */
  distEnable = [false, false];
  // CPU interface state.
  readonly cpuEnable: boolean[][];
  readonly fiqEn: boolean[];
  readonly pmr: Uint16Array;
  readonly bpr: Uint8Array;
  /** Acknowledged and not dropped: their group priorities and IDs, most recent last. */
  readonly activeStack: { prio: number; id: number }[][];
  /** Bits of priority the GIC implements (the low bits read as zero). */
  readonly priorityBits: number;

  constructor(
    readonly ncpus: number,
    private readonly signals: readonly CpuSignals[],
    nIrqs = VIRT_GIC_IRQS,
    priorityBits = 8,
  ) {
    this.nIrqs = nIrqs;
    this.priorityBits = priorityBits;
    const slots = ncpus * PRIVATE + nIrqs - PRIVATE;
    this.enabled = new Uint8Array(slots);
    this.latched = new Uint8Array(slots);
    this.line = new Uint8Array(slots);
    this.active = new Uint8Array(slots);
    this.priority = new Uint8Array(slots);
    this.group = new Uint8Array(slots);
    this.edge = new Uint8Array(slots);
    this.target = new Int16Array(slots);
    this.sgiSources = new Uint8Array(ncpus * 16);
    for (let c = 0; c < ncpus; c++) for (let id = 0; id < 16; id++) this.edge[this.slot(c, id)] = 1; // SGIs are edge-triggered
    this.cpuEnable = Array.from({ length: ncpus }, () => [false, false]);
    this.fiqEn = new Array<boolean>(ncpus).fill(false);
    this.pmr = new Uint16Array(ncpus);
    this.bpr = new Uint8Array(ncpus);
    this.activeStack = Array.from({ length: ncpus }, () => []);
  }

  /** The slot of interrupt `id` as CPU `cpu` sees it. */
  slot(cpu: number, id: number): number {
    return id < PRIVATE ? cpu * PRIVATE + id : this.ncpus * PRIVATE + id - PRIVATE;
  }

  get priorityMask(): number {
    return (0xff << (8 - this.priorityBits)) & 0xff;
  }

  isPending(cpu: number, id: number): boolean {
    const s = this.slot(cpu, id);
    if (id < 16 && this.sgiSources.length > 0 && this.sgiSources[cpu * 16 + id] !== 0) return true;
    return this.latched[s] === 1 || (this.edge[s] === 0 && this.line[s] === 1);
  }

  /** Whether shared interrupt `id` may be taken by `cpu` (its target mask or route). */
  targets(cpu: number, id: number, routing: 'mask' | 'affinity'): boolean {
    if (id < PRIVATE) return true;
    const t = this.target[this.slot(cpu, id)];
    return routing === 'mask' ? (t & (1 << cpu)) !== 0 : t === cpu || (t === -1 && cpu === 0);
  }

  /** Group priority of `prio` under CPU `cpu`'s binary point (the bits that decide preemption). */
  groupPriority(cpu: number, prio: number, bprOffset = 0): number {
    const b = Math.max(0, this.bpr[cpu] - bprOffset);
    return prio & ((0xff << (b + 1)) & 0xff);
  }

  runningPriority(cpu: number): number {
    const st = this.activeStack[cpu];
    let p = IDLE_PRIORITY;
    for (const e of st) if (e.prio < p) p = e.prio;
    return p;
  }

  /**
   * The most urgent interrupt pending for `cpu` that is enabled, not active and in an enabled
   * group (ties: the lowest ID), or SPURIOUS; `masked` applies PMR and preemption too.
   */
  highestPending(cpu: number, routing: 'mask' | 'affinity', masked: boolean): number {
    let best = SPURIOUS;
    let bestPrio = IDLE_PRIORITY;
    for (let id = 0; id < this.nIrqs; id++) {
      const s = this.slot(cpu, id);
      if (this.enabled[s] === 0 || this.active[s] === 1) continue;
      if (!this.isPending(cpu, id)) continue;
      const g = this.group[s];
      if (!this.distEnable[g] || !this.cpuEnable[cpu][g]) continue;
      if (!this.targets(cpu, id, routing)) continue;
      const p = this.priority[s];
      if (p < bestPrio) {
        best = id;
        bestPrio = p;
      }
    }
    if (best === SPURIOUS || !masked) return best;
    if (bestPrio >= this.pmr[cpu]) return SPURIOUS;
    if (this.groupPriority(cpu, bestPrio) >= this.runningPriority(cpu)) return SPURIOUS;
    return best;
  }

  /** Recomputes every CPU's IRQ and FIQ outputs. */
  update(routing: 'mask' | 'affinity'): void {
    for (let c = 0; c < this.ncpus; c++) {
      const id = this.highestPending(c, routing, true);
      const fiq = id !== SPURIOUS && this.group[this.slot(c, id)] === 0 && this.fiqEn[c];
      const irq = id !== SPURIOUS && !fiq;
      const sig = this.signals[c];
      if (sig.irq.level !== irq) sig.irq.set(irq);
      if (sig.fiq.level !== fiq) sig.fiq.set(fiq);
    }
  }

  /**
   * Acknowledges the interrupt `highestPending` names for `cpu`: active, its pending edge (or
   * the source's SGI) consumed, its priority pushed. Returns the ID (with the SGI source in
   * bits 12:10 on GICv2), or SPURIOUS.
   */
  acknowledge(cpu: number, routing: 'mask' | 'affinity', sgiSourceInIar: boolean): number {
    const id = this.highestPending(cpu, routing, true);
    if (id === SPURIOUS) return SPURIOUS;
    const s = this.slot(cpu, id);
    let value = id;
    if (id < 16 && sgiSourceInIar) {
      const srcs = this.sgiSources[cpu * 16 + id];
      const src = 31 - Math.clz32(srcs & -srcs);
      this.sgiSources[cpu * 16 + id] &= ~(1 << src);
      value |= src << 10;
    } else this.latched[s] = 0;
    this.active[s] = 1;
    this.activeStack[cpu].push({ prio: this.groupPriority(cpu, this.priority[s]), id });
    this.update(routing);
    return value;
  }

  /** Priority drop of the most recent acknowledgement (EOI); with `deactivate`, `id` is deactivated too. */
  endOfInterrupt(cpu: number, id: number, deactivate: boolean, routing: 'mask' | 'affinity'): void {
    const st = this.activeStack[cpu];
    const i = st.map((e) => e.id).lastIndexOf(id);
    if (i >= 0) st.splice(i, 1);
    else if (st.length > 0) st.pop();
    if (deactivate) this.deactivate(cpu, id, routing);
    else this.update(routing);
  }

  deactivate(cpu: number, id: number, routing: 'mask' | 'affinity'): void {
    if (id >= this.nIrqs) return;
    this.active[this.slot(cpu, id)] = 0;
    this.update(routing);
  }

  /** Drives the input line of `id` as `cpu` sees it; a rising edge latches an edge-triggered interrupt. */
  setLine(cpu: number, id: number, level: boolean, routing: 'mask' | 'affinity'): void {
    const s = this.slot(cpu, id);
    const v = level ? 1 : 0;
    if (v === this.line[s]) return;
    this.line[s] = v;
    if (v === 1 && this.edge[s] === 1) this.latched[s] = 1;
    this.update(routing);
  }

  /** The reset state; the input lines keep their levels (the devices drive them). */
  reset(): void {
    for (const a of [this.enabled, this.latched, this.active, this.priority, this.group, this.edge, this.target, this.sgiSources, this.pmr, this.bpr]) a.fill(0);
    for (let c = 0; c < this.ncpus; c++) for (let id = 0; id < 16; id++) this.edge[this.slot(c, id)] = 1;
    this.distEnable = [false, false];
    for (let c = 0; c < this.ncpus; c++) {
      this.cpuEnable[c] = [false, false];
      this.fiqEn[c] = false;
      this.activeStack[c].length = 0;
    }
  }
}

/**
 * The lines devices drive, by the device tree's numbering, each calling `setLine(cpu, id, level)`
 * of its GIC: SPI n is interrupt 32 + n (seen by every CPU), PPI n of a CPU is 16 + n.
 */
export function gicLines(nIrqs: number, setLine: (cpu: number, id: number, level: boolean) => void): InterruptController {
  const line = (cpu: number, id: number): IrqLine => {
    const l = {
      level: false,
      set: (level: boolean) => {
        l.level = level;
        setLine(cpu, id, level);
      },
    };
    return l;
  };
  return {
    spi: (n) => {
      if (32 + n >= nIrqs) throw new RangeError(`SPI ${n} is beyond the GIC's ${nIrqs} interrupts (${nIrqs - 32} SPIs)`);
      return line(0, 32 + n);
    },
    ppi: (cpu, n) => line(cpu, 16 + n),
  };
}
