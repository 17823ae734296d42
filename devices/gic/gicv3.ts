/**
 * A GICv3 (IHI 0069) with a single Security state (GICD_CTLR.DS = 1) and affinity routing, as
 * QEMU 7.2's virt board has it with gic-version=3: the distributor (GICD) for SPIs, one
 * redistributor per CPU (its RD_base frame, and its SGI_base frame for SGIs and PPIs), and the
 * CPU interface as ICC_* system registers. Identification and capability values are QEMU's
 * (read back from QEMU by a probing guest: test/plugins/kvm/vgic-v3.test.ts), since QEMU is the
 * reference guests' consoles are compared with.
 */
import type { InterruptController } from '../platform/irq';
import { GicState, SPURIOUS, gicLines, type CpuSignals } from './gic-state';

/** QEMU's GICv3 on virt: ITLinesNumber 7 (IDs 0-255), 16 ID bits, LPIs, A3V, No1N. */
export const GICV3_IRQS = 256;
const GICD_TYPER = 0x037a_0000 | (GICV3_IRQS / 32 - 1);
const IIDR = 0x43b;
/** PIDR4, then PIDR0-3 at 0xffd0 / 0xffe0..., then the component IDs. */
const PIDR: Record<number, number> = { 0xffd0: 0x44, 0xffe0: 0x92, 0xffe4: 0xb4, 0xffe8: 0x3b, 0xffec: 0x00, 0xfff0: 0x0d, 0xfff4: 0xf0, 0xfff8: 0x05, 0xfffc: 0xb1 };
const CTLR_ARE = 1 << 4;
const CTLR_DS = 1 << 6;
/** Each redistributor: RD_base and SGI_base, 64 KiB each. */
export const GICR_STRIDE = 0x2_0000;
const SGI_BASE = 0x1_0000;
/** QEMU's Cortex-A72 CPU interface implements 5 priority bits. */
const PRIORITY_BITS = 5;
const ICC_CTLR_EOIMODE = 1 << 1;
/** ICC_CTLR_EL1's read-only fields: A3V, IDbits 0 (16 bits), PRIbits - 1. */
const ICC_CTLR_RO = (1 << 15) | ((PRIORITY_BITS - 1) << 8);

export type IccRegister =
  | 'ICC_PMR_EL1' | 'ICC_IAR0_EL1' | 'ICC_IAR1_EL1' | 'ICC_EOIR0_EL1' | 'ICC_EOIR1_EL1' | 'ICC_HPPIR0_EL1' | 'ICC_HPPIR1_EL1'
  | 'ICC_BPR0_EL1' | 'ICC_BPR1_EL1' | 'ICC_DIR_EL1' | 'ICC_RPR_EL1' | 'ICC_SGI0R_EL1' | 'ICC_SGI1R_EL1' | 'ICC_ASGI1R_EL1'
  | 'ICC_CTLR_EL1' | 'ICC_SRE_EL1' | 'ICC_IGRPEN0_EL1' | 'ICC_IGRPEN1_EL1'
  | 'ICC_AP0R0_EL1' | 'ICC_AP0R1_EL1' | 'ICC_AP0R2_EL1' | 'ICC_AP0R3_EL1' | 'ICC_AP1R0_EL1' | 'ICC_AP1R1_EL1' | 'ICC_AP1R2_EL1' | 'ICC_AP1R3_EL1';

/** The ICC registers by their op0:op1:CRn:CRm:op2 encoding (as MRS/MSR name them). */
export const ICC_ENCODINGS: Readonly<Record<IccRegister, readonly [number, number, number, number, number]>> = {
  ICC_PMR_EL1: [3, 0, 4, 6, 0],
  ICC_IAR0_EL1: [3, 0, 12, 8, 0],
  ICC_EOIR0_EL1: [3, 0, 12, 8, 1],
  ICC_HPPIR0_EL1: [3, 0, 12, 8, 2],
  ICC_BPR0_EL1: [3, 0, 12, 8, 3],
  ICC_AP0R0_EL1: [3, 0, 12, 8, 4],
  ICC_AP0R1_EL1: [3, 0, 12, 8, 5],
  ICC_AP0R2_EL1: [3, 0, 12, 8, 6],
  ICC_AP0R3_EL1: [3, 0, 12, 8, 7],
  ICC_AP1R0_EL1: [3, 0, 12, 9, 0],
  ICC_AP1R1_EL1: [3, 0, 12, 9, 1],
  ICC_AP1R2_EL1: [3, 0, 12, 9, 2],
  ICC_AP1R3_EL1: [3, 0, 12, 9, 3],
  ICC_DIR_EL1: [3, 0, 12, 11, 1],
  ICC_RPR_EL1: [3, 0, 12, 11, 3],
  ICC_SGI1R_EL1: [3, 0, 12, 11, 5],
  ICC_ASGI1R_EL1: [3, 0, 12, 11, 6],
  ICC_SGI0R_EL1: [3, 0, 12, 11, 7],
  ICC_IAR1_EL1: [3, 0, 12, 12, 0],
  ICC_EOIR1_EL1: [3, 0, 12, 12, 1],
  ICC_HPPIR1_EL1: [3, 0, 12, 12, 2],
  ICC_BPR1_EL1: [3, 0, 12, 12, 3],
  ICC_CTLR_EL1: [3, 0, 12, 12, 4],
  ICC_SRE_EL1: [3, 0, 12, 12, 5],
  ICC_IGRPEN0_EL1: [3, 0, 12, 12, 6],
  ICC_IGRPEN1_EL1: [3, 0, 12, 12, 7],
};

/** The first interrupt ID a distributor register at `off` (0x080-0xcff) covers. */
function firstIdAt(off: number): number {
  if (off >= 0x400 && off < 0x800) return off - 0x400; // IPRIORITYR: a byte each
  if (off >= 0xc00) return ((off - 0xc00) >> 2) * 16; // ICFGR: two bits each
  return ((off & 0x7f) >> 2) * 32; // a bit each
}

export class GicV3 {
  readonly state: GicState;
  private readonly iccCtlr: Uint32Array;
  private readonly bpr1: Uint8Array;
  private readonly waker: Uint8Array;
  private readonly propbaser: bigint[];
  private readonly pendbaser: bigint[];

  constructor(
    readonly ncpus: number,
    signals: readonly CpuSignals[],
  ) {
    this.state = new GicState(ncpus, signals, GICV3_IRQS, PRIORITY_BITS);
    this.iccCtlr = new Uint32Array(ncpus);
    this.bpr1 = new Uint8Array(ncpus);
    this.waker = new Uint8Array(ncpus);
    this.propbaser = new Array<bigint>(ncpus).fill(0n);
    this.pendbaser = new Array<bigint>(ncpus).fill(0n);
    this.reset();
  }

  private update(): void {
    this.state.update('affinity');
  }

  // ------------------------------------------------------------------------- shared helpers

  /** A bit-per-interrupt register of interrupts first..first+31 as `cpu` sees them. */
  private readBits(cpu: number, first: number, get: (slot: number, id: number) => boolean): number {
    const g = this.state;
    let v = 0;
    for (let b = 0; b < 32; b++) if (first + b < g.nIrqs && get(g.slot(cpu, first + b), first + b)) v |= 1 << b;
    return v >>> 0;
  }

  private writeBits(cpu: number, first: number, value: number, act: (slot: number, id: number, bit: number) => void): void {
    const g = this.state;
    for (let b = 0; b < 32; b++) if (first + b < g.nIrqs) act(g.slot(cpu, first + b), first + b, (value >>> b) & 1);
  }

  /** The registers the distributor's SPI words and a redistributor's SGI frame share, at `off`. */
  private readIrqRegs(cpu: number, off: number): number | undefined {
    const g = this.state;
    const word = (base: number): number => ((off - base) >> 2) * 32;
    if (off >= 0x080 && off < 0x100) return this.readBits(cpu, word(0x080), (s) => g.group[s] === 1);
    if (off >= 0x100 && off < 0x200) return this.readBits(cpu, word(off < 0x180 ? 0x100 : 0x180), (s) => g.enabled[s] === 1);
    if (off >= 0x200 && off < 0x300) return this.readBits(cpu, word(off < 0x280 ? 0x200 : 0x280), (_s, id) => g.isPending(cpu, id));
    if (off >= 0x300 && off < 0x400) return this.readBits(cpu, word(off < 0x380 ? 0x300 : 0x380), (s) => g.active[s] === 1);
    if (off >= 0x400 && off < 0x800) {
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const id = off - 0x400 + i;
        if (id < g.nIrqs) v |= g.priority[g.slot(cpu, id)] << (8 * i);
      }
      return v >>> 0;
    }
    if (off >= 0xc00 && off < 0xd00) {
      const base = ((off - 0xc00) >> 2) * 16;
      let v = 0;
      for (let i = 0; i < 16; i++) if (base + i < g.nIrqs && g.edge[g.slot(cpu, base + i)] === 1) v |= 2 << (2 * i);
      return v >>> 0;
    }
    return undefined;
  }

  private writeIrqRegs(cpu: number, off: number, value: number, size: number): boolean {
    const g = this.state;
    const word = (base: number): number => ((off - base) >> 2) * 32;
    if (off >= 0x080 && off < 0x100) this.writeBits(cpu, word(0x080), value, (s, _id, b) => (g.group[s] = b));
    else if (off >= 0x100 && off < 0x180) this.writeBits(cpu, word(0x100), value, (s, _id, b) => b === 1 && (g.enabled[s] = 1));
    else if (off >= 0x180 && off < 0x200) this.writeBits(cpu, word(0x180), value, (s, _id, b) => b === 1 && (g.enabled[s] = 0));
    else if (off >= 0x200 && off < 0x280) this.writeBits(cpu, word(0x200), value, (s, _id, b) => b === 1 && (g.latched[s] = 1));
    else if (off >= 0x280 && off < 0x300) this.writeBits(cpu, word(0x280), value, (s, _id, b) => b === 1 && (g.latched[s] = 0));
    else if (off >= 0x300 && off < 0x380) this.writeBits(cpu, word(0x300), value, (s, _id, b) => b === 1 && (g.active[s] = 1));
    else if (off >= 0x380 && off < 0x400) this.writeBits(cpu, word(0x380), value, (s, _id, b) => b === 1 && (g.active[s] = 0));
    else if (off >= 0x400 && off < 0x800) {
      for (let i = 0; i < size; i++) {
        const id = off - 0x400 + i;
        if (id < g.nIrqs) g.priority[g.slot(cpu, id)] = (value >>> (8 * i)) & g.priorityMask;
      }
    } else if (off >= 0xc00 && off < 0xd00) {
      const base = ((off - 0xc00) >> 2) * 16;
      for (let i = 0; i < 16; i++) if (base + i >= 16 && base + i < g.nIrqs) g.edge[g.slot(cpu, base + i)] = (value >>> (2 * i + 1)) & 1;
    } else return false;
    return true;
  }

  // ------------------------------------------------------------------------- distributor

  readDist(cpu: number, off: number, size: number): number {
    const g = this.state;
    if (off >= 0x6000 && off < 0x8000) {
      // GICD_IROUTER<n>: 64 bits per SPI (Aff0 in the low byte; Interrupt_Routing_Mode 1 = any).
      const id = (off - 0x6000) >> 3;
      if (id < 32 || id >= g.nIrqs) return 0;
      const t = g.target[g.slot(0, id)];
      if ((off & 7) !== 0) return 0;
      return t === -1 ? 0x8000_0000 : t;
    }
    if (off in PIDR) return PIDR[off];
    switch (off) {
      case 0x0000:
        return (g.distEnable[0] ? 1 : 0) | (g.distEnable[1] ? 2 : 0) | CTLR_ARE | CTLR_DS;
      case 0x0004:
        return GICD_TYPER >>> 0;
      case 0x0008:
        return IIDR;
    }
    // With affinity routing the distributor's words for interrupts 0-31 are RAZ/WI: they live in the redistributors.
    if (off >= 0x080 && off < 0xd00 && firstIdAt(off) >= 32) return this.readIrqRegs(cpu, off) ?? 0;
    void size;
    return 0;
  }

  writeDist(cpu: number, off: number, size: number, value: number): void {
    const g = this.state;
    if (off >= 0x6000 && off < 0x8000) {
      const id = (off - 0x6000) >> 3;
      if (id >= 32 && id < g.nIrqs && (off & 7) === 0) g.target[g.slot(0, id)] = (value & 0x8000_0000) !== 0 ? -1 : value & 0xff;
      this.update();
      return;
    }
    if (off === 0x0000) {
      g.distEnable = [(value & 1) !== 0, (value & 2) !== 0];
      this.update();
      return;
    }
    if (off >= 0x080 && off < 0xd00 && firstIdAt(off) >= 32 && this.writeIrqRegs(cpu, off, value, size)) this.update();
  }

  // ------------------------------------------------------------------------- redistributors

  /** The redistributor frame `offset` falls in (from the start of the redistributor region), or undefined. */
  redistOf(offset: number): { cpu: number; off: number } | undefined {
    const cpu = Math.floor(offset / GICR_STRIDE);
    if (cpu >= this.ncpus) return undefined;
    return { cpu, off: offset % GICR_STRIDE };
  }

  /** A read of redistributor `rd`'s frames (accesses may come from any CPU: the frame says whose). */
  readRedist(rd: number, off: number, size: number): number {
    if (off >= SGI_BASE) {
      const o = off - SGI_BASE;
      if (o === 0xd00) return 0; // GICR_IGRPMODR0: RAZ/WI with a single Security state
      return this.readIrqRegs(rd, o) ?? 0;
    }
    if (off in PIDR) return PIDR[off];
    switch (off) {
      case 0x0000:
        return 0x2; // GICR_CTLR.CES: GICR_CTLR.EnableLPIs can be cleared (as QEMU)
      case 0x0004:
        return IIDR;
      case 0x0008:
        // GICR_TYPER (low): PLPIS, Last for the final frame, the processor number, CommonLPIAff.
        return (0x0100_0001 | (rd === this.ncpus - 1 ? 1 << 4 : 0) | (rd << 8)) >>> 0;
      case 0x000c:
        return rd; // GICR_TYPER (high): Aff0 = the CPU's index, as its MPIDR_EL1
      case 0x0014:
        return this.waker[rd] !== 0 ? 0x6 : 0; // ProcessorSleep, and ChildrenAsleep with it
      case 0x0070:
      case 0x0074:
        return Number((this.propbaser[rd] >> BigInt(8 * (off - 0x70))) & 0xffff_ffffn);
      case 0x0078:
      case 0x007c:
        return Number((this.pendbaser[rd] >> BigInt(8 * (off - 0x78))) & 0xffff_ffffn);
      default:
        return 0;
    }
    void size;
  }

  writeRedist(rd: number, off: number, size: number, value: number): void {
    if (off >= SGI_BASE) {
      if (this.writeIrqRegs(rd, off - SGI_BASE, value, size)) this.update();
      return;
    }
    const setHalf = (old: bigint, at: number): bigint => {
      const sh = BigInt(8 * at);
      return (old & ~(0xffff_ffffn << sh)) | (BigInt(value >>> 0) << sh);
    };
    switch (off) {
      case 0x0014:
        this.waker[rd] = (value & 2) !== 0 ? 1 : 0;
        return;
      case 0x0070:
      case 0x0074:
        this.propbaser[rd] = setHalf(this.propbaser[rd], off - 0x70);
        return;
      case 0x0078:
      case 0x007c:
        this.pendbaser[rd] = setHalf(this.pendbaser[rd], off - 0x78);
        return;
      default:
        return;
    }
  }

  // ------------------------------------------------------------------------- CPU interface

  readIcc(cpu: number, reg: IccRegister): bigint {
    const g = this.state;
    switch (reg) {
      case 'ICC_PMR_EL1':
        return BigInt(g.pmr[cpu]);
      case 'ICC_IAR0_EL1':
      case 'ICC_IAR1_EL1':
        return BigInt(this.acknowledge(cpu, reg === 'ICC_IAR0_EL1' ? 0 : 1));
      case 'ICC_HPPIR0_EL1':
      case 'ICC_HPPIR1_EL1': {
        const id = g.highestPending(cpu, 'affinity', false);
        return BigInt(id !== SPURIOUS && g.group[g.slot(cpu, id)] === (reg === 'ICC_HPPIR0_EL1' ? 0 : 1) ? id : SPURIOUS);
      }
      case 'ICC_BPR0_EL1':
        return BigInt(g.bpr[cpu]);
      case 'ICC_BPR1_EL1':
        return BigInt(this.bpr1[cpu]);
      case 'ICC_RPR_EL1': {
        const rp = g.runningPriority(cpu);
        return BigInt(rp > 0xff ? 0xff : rp);
      }
      case 'ICC_CTLR_EL1':
        return BigInt(this.iccCtlr[cpu] | ICC_CTLR_RO);
      case 'ICC_SRE_EL1':
        return 7n; // SRE, DFB, DIB: the system-register interface only, as QEMU's
      case 'ICC_IGRPEN0_EL1':
        return g.cpuEnable[cpu][0] ? 1n : 0n;
      case 'ICC_IGRPEN1_EL1':
        return g.cpuEnable[cpu][1] ? 1n : 0n;
      default:
        return 0n; // the active-priority registers, and the write-only ones
    }
  }

  writeIcc(cpu: number, reg: IccRegister, value: bigint): void {
    const g = this.state;
    const v = Number(value & 0xffff_ffffn);
    switch (reg) {
      case 'ICC_PMR_EL1':
        g.pmr[cpu] = v & 0xff & g.priorityMask;
        break;
      case 'ICC_EOIR0_EL1':
      case 'ICC_EOIR1_EL1': {
        const id = v & 0xffffff;
        g.endOfInterrupt(cpu, id, (this.iccCtlr[cpu] & ICC_CTLR_EOIMODE) === 0, 'affinity');
        return;
      }
      case 'ICC_DIR_EL1':
        g.deactivate(cpu, v & 0xffffff, 'affinity');
        return;
      case 'ICC_BPR0_EL1':
        g.bpr[cpu] = Math.max(7 - PRIORITY_BITS, v & 7);
        break;
      case 'ICC_BPR1_EL1':
        this.bpr1[cpu] = Math.max(8 - PRIORITY_BITS, v & 7);
        break;
      case 'ICC_CTLR_EL1':
        this.iccCtlr[cpu] = v & ICC_CTLR_EOIMODE;
        break;
      case 'ICC_IGRPEN0_EL1':
        g.cpuEnable[cpu][0] = (v & 1) !== 0;
        break;
      case 'ICC_IGRPEN1_EL1':
        g.cpuEnable[cpu][1] = (v & 1) !== 0;
        break;
      case 'ICC_SGI0R_EL1':
      case 'ICC_SGI1R_EL1':
      case 'ICC_ASGI1R_EL1':
        this.generateSgi(cpu, value);
        return;
      default:
        return;
    }
    this.update();
  }

  /** ICC_IAR<n>: the highest pending interrupt of group `group`, acknowledged. */
  private acknowledge(cpu: number, group: number): number {
    const g = this.state;
    const id = g.highestPending(cpu, 'affinity', true);
    if (id === SPURIOUS || g.group[g.slot(cpu, id)] !== group) return SPURIOUS;
    // Group 1 preemption uses BPR1 (one more than BPR0's minimum): the state keeps BPR0.
    const saved = g.bpr[cpu];
    if (group === 1) g.bpr[cpu] = this.bpr1[cpu] - 1;
    const v = g.acknowledge(cpu, 'affinity', false);
    g.bpr[cpu] = saved;
    return v;
  }

  /** ICC_SGI1R_EL1: SGI INTID [27:24] to the CPUs in TargetList [15:0] of Aff1 [23:16], or to all others (IRM, bit 40). */
  private generateSgi(cpu: number, value: bigint): void {
    const g = this.state;
    const id = Number((value >> 24n) & 0xfn);
    const irm = ((value >> 40n) & 1n) === 1n;
    const aff1 = Number((value >> 16n) & 0xffn);
    const list = Number(value & 0xffffn);
    for (let t = 0; t < this.ncpus; t++) {
      const hit = irm ? t !== cpu : aff1 === 0 && (list >>> t) & 1;
      if (hit) g.latched[g.slot(t, id)] = 1;
    }
    this.update();
  }

  /** Drives the line of interrupt `id` (as CPU `cpu` sees it, for a PPI). */
  setLine(cpu: number, id: number, level: boolean): void {
    this.state.setLine(cpu, id, level, 'affinity');
  }

  irqLines(): InterruptController {
    return gicLines(this.state.nIrqs, (cpu, id, level) => this.setLine(cpu, id, level));
  }

  reset(): void {
    const g = this.state;
    g.reset();
    // SGIs and PPIs reset to group 0 and edge/level as v2; QEMU's redistributors reset asleep.
    this.iccCtlr.fill(0);
    this.bpr1.fill(8 - PRIORITY_BITS);
    for (let c = 0; c < this.ncpus; c++) g.bpr[c] = 7 - PRIORITY_BITS;
    this.waker.fill(1);
    this.propbaser.fill(0n);
    this.pendbaser.fill(0n);
    this.update();
  }
}
