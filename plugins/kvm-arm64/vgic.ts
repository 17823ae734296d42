/**
 * The in-kernel GIC of a VM (arch/arm64/kvm/vgic): created by the VMM (KVM_CREATE_DEVICE of
 * KVM_DEV_TYPE_ARM_VGIC_V2, its frames placed with KVM_VGIC_V2_ADDR_TYPE_DIST/CPU), its MMIO
 * emulated inside KVM_RUN (kvm_io_bus: the access never reaches the VMM), its lines driven by
 * the VMM's devices through KVM_IRQ_LINE. Each VCPU's IRQ and FIQ outputs are what the vgic
 * would inject. Its identification registers read as QEMU's emulated GICv2 has them (GICD_IIDR
 * 0x0200043b, not KVM's 0x4b00043b): QEMU is the reference every guest console is compared with.
 */
import { hex } from '../../core';
import { GICR_STRIDE, GicV2, GicV3, IRQ, UnwiredIrqLine, VIRT, type CpuSignals, type InterruptController } from '../../devices';
import type { CoreExit, GuestCore } from '../../devices/cpu/guest-interface';
import { fail } from './errno';
import type { IccRegister } from '../../devices/gic/gicv3';

export interface VgicV2Addresses {
  dist: number;
  cpu: number;
}

/** The frames' sizes: the distributor's 4 KiB of registers, and the CPU interface's 8 KiB (GICC_DIR at 0x1000). */
const DIST_SIZE = 0x1000;
const CPU_SIZE = 0x2000;

/** What KVM_RUN asks of the VM's vgic, whichever version. */
export interface KvmVgic {
  readonly version: 2 | 3;
  readonly ncpus: number;
  /** Each VCPU's IRQ and FIQ outputs. */
  readonly signals: readonly CpuSignals[];
  /** KVM_IRQ_LINE and the in-kernel timer's PPIs, numbered as the device tree numbers them. */
  readonly lines: InterruptController;
  /** Emulates an MMIO exit that hits a vgic frame (completing a read on the core), or returns false. */
  handleMmio(vcpu: number, core: GuestCore, e: Extract<CoreExit, { reason: 'mmio' }>): boolean;
}

/** Each VCPU's IRQ and FIQ: its core's inputs, where the core takes interrupts. */
const signalsFor = (cores: readonly GuestCore[]): CpuSignals[] => cores.map((c) => ({ irq: c.irqInput ?? new UnwiredIrqLine(), fiq: c.fiqInput ?? new UnwiredIrqLine() }));

/**
 * kvm_timer_vcpu_init: each VCPU's EL1 virtual and physical timers drive its PPIs 11 and 14 (the
 * device tree's numbers: INTIDs 27 and 30), as KVM's arch timer does through the vgic.
 */
function connectTimers(cores: readonly GuestCore[], lines: InterruptController): void {
  cores.forEach((c, i) => {
    c.timer?.connect('virt', lines.ppi(i, IRQ.timer[2]));
    c.timer?.connect('phys', lines.ppi(i, IRQ.timer[1]));
  });
}

export class KvmVgicV2 implements KvmVgic {
  readonly version = 2;
  readonly gic: GicV2;
  readonly signals: CpuSignals[];

  readonly ncpus: number;

  constructor(
    cores: readonly GuestCore[],
    readonly addr: VgicV2Addresses = { dist: VIRT.gicDist.base, cpu: VIRT.gicCpu.base },
  ) {
    this.ncpus = cores.length;
    if (this.ncpus < 1 || this.ncpus > 8) fail('KVM_CREATE_DEVICE', 'EINVAL', `a GICv2 serves 1 to 8 VCPUs, not ${this.ncpus}`);
    this.signals = signalsFor(cores);
    this.gic = new GicV2(this.ncpus, this.signals);
    connectTimers(cores, this.lines);
  }

  /** KVM_IRQ_LINE and the in-kernel timer's PPIs, numbered as the device tree numbers them. */
  get lines(): InterruptController {
    return this.gic.irqLines();
  }

  /**
   * An MMIO exit of VCPU `vcpu`: emulated here when it hits a vgic frame (a read completes on
   * the core), else false and the exit goes on to the VMM.
   */
  handleMmio(vcpu: number, core: GuestCore, e: Extract<CoreExit, { reason: 'mmio' }>): boolean {
    const value = e.valueLo + (e.size === 8 ? e.valueHi * 0x1_0000_0000 : 0);
    let result = 0;
    if (e.addr >= this.addr.dist && e.addr < this.addr.dist + VIRT.gicDist.size) {
      const off = e.addr - this.addr.dist;
      if (off < DIST_SIZE) {
        if (e.write) this.gic.writeDist(vcpu, off, Math.min(e.size, 4), value);
        else result = this.gic.readDist(vcpu, off, Math.min(e.size, 4));
      }
    } else if (e.addr >= this.addr.cpu && e.addr < this.addr.cpu + VIRT.gicCpu.size) {
      const off = e.addr - this.addr.cpu;
      if (off < CPU_SIZE && e.size === 4) {
        if (e.write) this.gic.writeCpu(vcpu, off, value);
        else result = this.gic.readCpu(vcpu, off);
      }
    } else return false;
    if (!e.write) core.completeMmioRead(result >>> 0, 0);
    return true;
  }

  toString(): string {
    return `vgic-v2 (GICD ${hex(this.addr.dist)}, GICC ${hex(this.addr.cpu)}, ${this.ncpus} VCPUs)`;
  }
}

export interface VgicV3Addresses {
  dist: number;
  redist: number;
}

/**
 * KVM_DEV_TYPE_ARM_VGIC_V3: the distributor and one redistributor per VCPU in MMIO, and the
 * ICC_* system registers (the core hands them over; see handleSysReg).
 */
export class KvmVgicV3 implements KvmVgic {
  readonly version = 3;
  readonly gic: GicV3;
  readonly signals: CpuSignals[];

  readonly ncpus: number;

  constructor(
    cores: readonly GuestCore[],
    readonly addr: VgicV3Addresses = { dist: VIRT.gicDist.base, redist: VIRT.gicRedist.base },
  ) {
    this.ncpus = cores.length;
    if (this.ncpus < 1 || this.ncpus * GICR_STRIDE > VIRT.gicRedist.size) fail('KVM_CREATE_DEVICE', 'EINVAL', `the redistributor region holds ${VIRT.gicRedist.size / GICR_STRIDE} VCPUs, not ${this.ncpus}`);
    this.signals = signalsFor(cores);
    this.gic = new GicV3(this.ncpus, this.signals);
    connectTimers(cores, this.lines);
    // The ICC_* system registers: the core hands them to this CPU interface (ICH_HCR_EL2 traps none).
    const icc = { read: (cpu: number, reg: IccRegister) => this.gic.readIcc(cpu, reg), write: (cpu: number, reg: IccRegister, v: bigint) => this.gic.writeIcc(cpu, reg, v) };
    for (const c of cores) if ('icc' in c) c.icc = icc;
  }

  get lines(): InterruptController {
    return this.gic.irqLines();
  }

  handleMmio(vcpu: number, core: GuestCore, e: Extract<CoreExit, { reason: 'mmio' }>): boolean {
    const value = e.valueLo;
    const size = Math.min(e.size, 4);
    let result = 0;
    let resultHi = 0;
    if (e.addr >= this.addr.dist && e.addr < this.addr.dist + VIRT.gicDist.size) {
      const off = e.addr - this.addr.dist;
      if (e.write) this.gic.writeDist(vcpu, off, size, value);
      else {
        result = this.gic.readDist(vcpu, off, size);
        if (e.size === 8) resultHi = this.gic.readDist(vcpu, off + 4, 4);
      }
    } else if (e.addr >= this.addr.redist && e.addr < this.addr.redist + this.ncpus * GICR_STRIDE) {
      const r = this.gic.redistOf(e.addr - this.addr.redist)!;
      if (e.write) {
        this.gic.writeRedist(r.cpu, r.off, size, value);
        if (e.size === 8) this.gic.writeRedist(r.cpu, r.off + 4, 4, e.valueHi);
      } else {
        result = this.gic.readRedist(r.cpu, r.off, size);
        if (e.size === 8) resultHi = this.gic.readRedist(r.cpu, r.off + 4, 4);
      }
    } else return false;
    if (!e.write) core.completeMmioRead(result >>> 0, resultHi >>> 0);
    return true;
  }
}
