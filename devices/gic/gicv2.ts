/**
 * A GICv2 (IHI 0048B) without the Security Extensions, as QEMU's virt board has it: the
 * distributor (GICD, 4 KiB used of its 64 KiB window) and the CPU interface (GICC), both memory
 * mapped, each access made by a known CPU (banked registers). `irqLines` gives devices their
 * interrupt lines, numbered as the device tree numbers them.
 */
import type { InterruptController } from '../platform/irq';
import { GicState, SPURIOUS, gicLines, VIRT_GIC_IRQS, type CpuSignals } from './gic-state';

/** QEMU's GICv2 peripheral and component IDs, at GICD 0xfd0-0xffc. */
const ID = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
/** GICD_IIDR and GICC_IIDR: implementer Arm (0x43b), architecture version 2. */
const GICD_IIDR = 0x0200_043b;
const GICC_IIDR = 0x0202_043b;

const CTLR_EOIMODE = 1 << 9;
const CTLR_FIQEN = 1 << 3;

export class GicV2 {
  readonly state: GicState;
  private readonly ctlr: Uint32Array;

  constructor(
    readonly ncpus: number,
    signals: readonly CpuSignals[],
    nIrqs = VIRT_GIC_IRQS,
  ) {
    this.state = new GicState(ncpus, signals, nIrqs);
    this.ctlr = new Uint32Array(ncpus);
  }

  private update(): void {
    this.state.update('mask');
  }

  /** Bit `b` of a bit-per-interrupt register word at `offset` from `base`: the interrupt IDs it covers. */
  private ids(offset: number, base: number, perId: number): number {
    return ((offset - base) * 8) / perId;
  }

  // ------------------------------------------------------------------------- distributor

  readDist(cpu: number, offset: number, size: number): number {
    const g = this.state;
    if (size === 1) return this.readDistByte(cpu, offset);
    if (size !== 4) return this.readDistByte(cpu, offset) | (size === 2 ? this.readDistByte(cpu, offset + 1) << 8 : 0);
    if (offset >= 0x400 && offset < 0xc00) {
      let v = 0;
      for (let i = 0; i < 4; i++) v |= this.readDistByte(cpu, offset + i) << (8 * i);
      return v >>> 0;
    }
    switch (offset) {
      case 0x000:
        return (g.distEnable[0] ? 1 : 0) | (g.distEnable[1] ? 2 : 0);
      case 0x004:
        return ((g.nIrqs / 32 - 1) | ((this.ncpus - 1) << 5)) >>> 0;
      case 0x008:
        return GICD_IIDR;
    }
    if (offset >= 0xfd0 && offset < 0x1000) return ID[(offset - 0xfd0) >> 2];
    const bitReg = (base: number, get: (id: number) => boolean): number => {
      const first = this.ids(offset, base, 1);
      let v = 0;
      for (let b = 0; b < 32; b++) if (first + b < g.nIrqs && get(first + b)) v |= 1 << b;
      return v >>> 0;
    };
    if (offset >= 0x080 && offset < 0x100) return bitReg(0x080, (id) => g.group[g.slot(cpu, id)] === 1);
    if (offset >= 0x100 && offset < 0x200) return bitReg(offset < 0x180 ? 0x100 : 0x180, (id) => g.enabled[g.slot(cpu, id)] === 1);
    if (offset >= 0x200 && offset < 0x300) return bitReg(offset < 0x280 ? 0x200 : 0x280, (id) => g.isPending(cpu, id));
    if (offset >= 0x300 && offset < 0x400) return bitReg(offset < 0x380 ? 0x300 : 0x380, (id) => g.active[g.slot(cpu, id)] === 1);
    if (offset >= 0xc00 && offset < 0xd00) {
      const first = this.ids(offset, 0xc00, 2);
      let v = 0;
      for (let i = 0; i < 16; i++) if (first + i < g.nIrqs && g.edge[g.slot(cpu, first + i)] === 1) v |= 2 << (2 * i);
      return v >>> 0;
    }
    if (offset >= 0xf10 && offset < 0xf30) {
      let v = 0;
      for (let i = 0; i < 4; i++) v |= this.readDistByte(cpu, offset + i) << (8 * i);
      return v >>> 0;
    }
    return 0; // reserved: RAZ
  }

  private readDistByte(cpu: number, offset: number): number {
    const g = this.state;
    if (offset >= 0x400 && offset < 0x800) {
      const id = offset - 0x400;
      return id < g.nIrqs ? g.priority[g.slot(cpu, id)] : 0;
    }
    if (offset >= 0x800 && offset < 0xc00) {
      const id = offset - 0x800;
      if (id >= g.nIrqs) return 0;
      return id < 32 ? 1 << cpu : g.target[g.slot(cpu, id)] & 0xff;
    }
    if (offset >= 0xf10 && offset < 0xf30) {
      const id = (offset - 0xf10) & 15;
      return g.sgiSources[cpu * 16 + id];
    }
    const word = this.readDist(cpu, offset & ~3, 4);
    return (word >>> (8 * (offset & 3))) & 0xff;
  }

  writeDist(cpu: number, offset: number, size: number, value: number): void {
    const g = this.state;
    if (size !== 4 || (offset >= 0x400 && offset < 0xc00) || (offset >= 0xf10 && offset < 0xf30)) {
      for (let i = 0; i < size; i++) this.writeDistByte(cpu, offset + i, (value >>> (8 * i)) & 0xff);
      this.update();
      return;
    }
    const bits = (base: number, act: (id: number) => void): void => {
      const first = this.ids(offset, base, 1);
      for (let b = 0; b < 32; b++) if ((value >>> b) & 1 && first + b < g.nIrqs) act(first + b);
    };
    if (offset === 0x000) {
      g.distEnable = [(value & 1) !== 0, (value & 2) !== 0];
    } else if (offset >= 0x080 && offset < 0x100) {
      const first = this.ids(offset, 0x080, 1);
      for (let b = 0; b < 32; b++) if (first + b < g.nIrqs) g.group[g.slot(cpu, first + b)] = (value >>> b) & 1;
    } else if (offset >= 0x100 && offset < 0x180) bits(0x100, (id) => (g.enabled[g.slot(cpu, id)] = 1));
    else if (offset >= 0x180 && offset < 0x200) bits(0x180, (id) => (g.enabled[g.slot(cpu, id)] = 0));
    else if (offset >= 0x200 && offset < 0x280) bits(0x200, (id) => id >= 16 && (g.latched[g.slot(cpu, id)] = 1));
    else if (offset >= 0x280 && offset < 0x300) bits(0x280, (id) => id >= 16 && (g.latched[g.slot(cpu, id)] = 0));
    else if (offset >= 0x300 && offset < 0x380) bits(0x300, (id) => (g.active[g.slot(cpu, id)] = 1));
    else if (offset >= 0x380 && offset < 0x400) bits(0x380, (id) => (g.active[g.slot(cpu, id)] = 0));
    else if (offset >= 0xc00 && offset < 0xd00) {
      const first = this.ids(offset, 0xc00, 2);
      // SGIs are always edge-triggered; the rest take bit 1 of their field.
      for (let i = 0; i < 16; i++) if (first + i >= 16 && first + i < g.nIrqs) g.edge[g.slot(cpu, first + i)] = (value >>> (2 * i + 1)) & 1;
    } else if (offset === 0xf00) this.sgir(cpu, value);
    this.update();
  }

  private writeDistByte(cpu: number, offset: number, v: number): void {
    const g = this.state;
    if (offset >= 0x400 && offset < 0x800) {
      const id = offset - 0x400;
      if (id < g.nIrqs) g.priority[g.slot(cpu, id)] = v & g.priorityMask;
    } else if (offset >= 0x800 && offset < 0xc00) {
      const id = offset - 0x800;
      if (id >= 32 && id < g.nIrqs) g.target[g.slot(cpu, id)] = v & ((1 << this.ncpus) - 1);
    } else if (offset >= 0xf10 && offset < 0xf30) {
      const id = (offset - 0xf10) & 15;
      if (offset < 0xf20) g.sgiSources[cpu * 16 + id] &= ~v;
      else g.sgiSources[cpu * 16 + id] |= v & ((1 << this.ncpus) - 1);
    } else {
      // A byte or halfword write to a word register: a word write of the byte in its lane
      // (right for the set/clear registers, whose zero bits do nothing).
      this.writeDist(cpu, offset & ~3, 4, v << (8 * (offset & 3)));
    }
  }

  /** GICD_SGIR: SGI `id` to the listed CPUs, every other CPU, or the writer. */
  private sgir(cpu: number, value: number): void {
    const g = this.state;
    const id = value & 15;
    const filter = (value >>> 24) & 3;
    let targets = filter === 0 ? (value >>> 16) & 0xff : filter === 1 ? ((1 << this.ncpus) - 1) & ~(1 << cpu) : filter === 2 ? 1 << cpu : 0;
    targets &= (1 << this.ncpus) - 1;
    for (let t = 0; t < this.ncpus; t++) if ((targets >>> t) & 1) g.sgiSources[t * 16 + id] |= 1 << cpu;
  }

  // ------------------------------------------------------------------------- CPU interface

  readCpu(cpu: number, offset: number): number {
    const g = this.state;
    switch (offset) {
      case 0x00:
        return this.ctlr[cpu];
      case 0x04:
        return g.pmr[cpu];
      case 0x08:
        return g.bpr[cpu];
      case 0x0c: {
        const v = g.acknowledge(cpu, 'mask', true);
        return v;
      }
      case 0x14: {
        const rp = g.runningPriority(cpu);
        return rp > 0xff ? 0xff : rp;
      }
      case 0x18: {
        const id = g.highestPending(cpu, 'mask', false);
        if (id === SPURIOUS || id >= 16) return id;
        const srcs = g.sgiSources[cpu * 16 + id];
        return id | ((31 - Math.clz32(srcs & -srcs)) << 10);
      }
      case 0x1c:
        return Math.min(7, g.bpr[cpu] + 1);
      case 0xfc:
        return GICC_IIDR;
      default:
        return 0;
    }
  }

  writeCpu(cpu: number, offset: number, value: number): void {
    const g = this.state;
    switch (offset) {
      case 0x00:
        this.ctlr[cpu] = value & 0x21f;
        g.cpuEnable[cpu] = [(value & 1) !== 0, (value & 2) !== 0];
        g.fiqEn[cpu] = (value & CTLR_FIQEN) !== 0;
        break;
      case 0x04:
        g.pmr[cpu] = value & g.priorityMask;
        break;
      case 0x08:
        g.bpr[cpu] = value & 7;
        break;
      case 0x10:
        g.endOfInterrupt(cpu, value & 0x3ff, (this.ctlr[cpu] & CTLR_EOIMODE) === 0, 'mask');
        return;
      case 0x1000:
        g.deactivate(cpu, value & 0x3ff, 'mask');
        return;
      default:
        return;
    }
    this.update();
  }

  /** Drives the line of interrupt `id` (as CPU `cpu` sees it, for a PPI). */
  setLine(cpu: number, id: number, level: boolean): void {
    this.state.setLine(cpu, id, level, 'mask');
  }

  /** The lines devices drive, by the device tree's numbering. */
  irqLines(): InterruptController {
    return gicLines(this.state.nIrqs, (cpu, id, level) => this.setLine(cpu, id, level));
  }

  reset(): void {
    this.state.reset();
    this.ctlr.fill(0);
    this.update();
  }
}
