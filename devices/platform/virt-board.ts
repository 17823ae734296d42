/**
 * QEMU's `virt` board as kvmsim builds it: the memory map and interrupt numbers of QEMU 7.2's
 * hw/arm/virt.c, and the device-tree nodes of the board itself (root, memory, CPUs, generic
 * timer, GIC, chosen). Devices add their own nodes (device-tree.ts); the nodes print in the
 * order QEMU's tree prints them, so `dtc` output of the two trees diffs cleanly.
 */
import { InputError } from '../../core';
import type { DeviceTreeBuilder, DeviceTreeContribution } from './device-tree';
import { EMPTY, cells, cells64, strings } from './fdt';

export type GicVersion = 2 | 3;
export type CpuModel = 'cortex-a72' | 'neoverse-n1';
export const CPU_MODELS: readonly CpuModel[] = ['cortex-a72', 'neoverse-n1'];

/** What the board is built with: QEMU's -smp, -m, -machine gic-version, -cpu, -append, -initrd. */
export interface VirtPlatform {
  readonly cpus: number;
  readonly ramSize: number;
  readonly gicVersion: GicVersion;
  readonly cpu: CpuModel;
  /** The kernel command line (`/chosen/bootargs`), when one is given. */
  readonly bootargs?: string;
  /** Where an initrd was loaded: `/chosen/linux,initrd-start` and `-end`. */
  readonly initrd?: { readonly start: number; readonly end: number };
}

/** The memory map (hw/arm/virt.c's base_memmap). */
export const VIRT = {
  flash: { base: 0x0000_0000, size: 0x0800_0000 },
  gicDist: { base: 0x0800_0000, size: 0x1_0000 },
  gicCpu: { base: 0x0801_0000, size: 0x1_0000 },
  gicRedist: { base: 0x080a_0000, size: 0xf6_0000 },
  uart: { base: 0x0900_0000, size: 0x1000 },
  ram: { base: 0x4000_0000 },
} as const;

/** Interrupts as the tree's three cells name them: type (0 SPI, 1 PPI), number, flags. */
export const IRQ = {
  /** The PL011's SPI (GIC interrupt 33). */
  uart: 1,
  /** Generic timer PPIs: secure physical 13, non-secure physical 14, virtual 11, hypervisor 10. */
  timer: [13, 14, 11, 10],
} as const;

/** GICv3 redistributor frames (two 64 KiB pages each) in QEMU's first region. */
const MAX_GICV3_CPUS = VIRT.gicRedist.size / 0x2_0000;
/** GICv2 targets at most eight CPUs. */
const MAX_GICV2_CPUS = 8;

export const LEVEL_HIGH = 4;

/** Checks what a user may ask for, naming the option. */
export function checkVirtPlatform(p: VirtPlatform): VirtPlatform {
  if (!Number.isInteger(p.cpus) || p.cpus < 1) throw new InputError(`--smp ${p.cpus}: expected a number of CPUs, 1 or more`);
  const max = p.gicVersion === 2 ? MAX_GICV2_CPUS : MAX_GICV3_CPUS;
  if (p.cpus > max) throw new InputError(`--smp ${p.cpus}: a GICv${p.gicVersion} virt machine has at most ${max} CPUs${p.gicVersion === 2 ? ' (use --gic-version 3 for more)' : ''}`);
  if (p.gicVersion !== 2 && p.gicVersion !== 3) throw new InputError(`--gic-version ${String(p.gicVersion)}: expected 2 or 3`);
  if (!CPU_MODELS.includes(p.cpu)) throw new InputError(`--cpu ${String(p.cpu)}: expected one of ${CPU_MODELS.join(', ')}`);
  if (!Number.isSafeInteger(p.ramSize) || p.ramSize <= 0 || p.ramSize % 0x1000 !== 0) throw new InputError(`-m ${p.ramSize}: expected a RAM size in whole pages`);
  return p;
}

/** A PPI's flags: level-high, and on GICv2 the mask of CPUs it is wired to (bits 15:8). */
export function ppiFlags(p: VirtPlatform): number {
  return p.gicVersion === 2 ? (((1 << p.cpus) - 1) << 8) | LEVEL_HIGH : LEVEL_HIGH;
}

const order = (n: number, contribute: (t: DeviceTreeBuilder) => void): DeviceTreeContribution => ({ order: n, contributeDeviceTree: contribute });

/** Orders of the board's nodes; a device's node takes a number between (the PL011 is 30, PSCI 10). */
export const DT_ORDER = { root: 0, psci: 10, memory: 20, uart: 30, gic: 50, flash: 55, cpus: 60, timer: 70, clock: 80, chosen: 90 } as const;

/** The root's properties, and phandles numbered in the order QEMU allocates them. */
const root = order(DT_ORDER.root, (t) => {
  const p = t.platform;
  t.phandle('apb-pclk');
  for (let i = p.cpus - 1; i >= 0; i--) t.phandle(`cpu${i}`);
  t.root
    .set('interrupt-parent', cells(t.phandle('gic')))
    .set('model', strings('linux,dummy-virt'))
    .set('#size-cells', cells(2))
    .set('#address-cells', cells(2))
    .set('compatible', strings('linux,dummy-virt'));
});

const memory = order(DT_ORDER.memory, (t) => {
  t.node(`memory@${VIRT.ram.base.toString(16)}`)
    .set('reg', cells64(VIRT.ram.base, t.platform.ramSize))
    .set('device_type', strings('memory'));
});

const gic = order(DT_ORDER.gic, (t) => {
  const v3 = t.platform.gicVersion === 3;
  const n = t.node(`intc@${VIRT.gicDist.base.toString(16)}`, 'gic');
  if (v3) {
    n.set('reg', cells64(VIRT.gicDist.base, VIRT.gicDist.size, VIRT.gicRedist.base, VIRT.gicRedist.size)).set('#redistributor-regions', cells(1)).set('compatible', strings('arm,gic-v3'));
  } else {
    n.set('reg', cells64(VIRT.gicDist.base, VIRT.gicDist.size, VIRT.gicCpu.base, VIRT.gicCpu.size)).set('compatible', strings('arm,cortex-a15-gic'));
  }
  n.set('ranges', EMPTY).set('#size-cells', cells(2)).set('#address-cells', cells(2)).set('interrupt-controller', EMPTY).set('#interrupt-cells', cells(3));
});

const cpus = order(DT_ORDER.cpus, (t) => {
  const p = t.platform;
  const n = t.node('cpus').set('#size-cells', cells(0)).set('#address-cells', cells(1));
  const cluster = n.child('cpu-map').child('socket0').child('cluster0');
  for (let i = 0; i < p.cpus; i++) cluster.child(`core${i}`).set('cpu', cells(t.phandle(`cpu${i}`)));
  for (let i = 0; i < p.cpus; i++) {
    const c = t.node(`cpus/cpu@${i.toString(16)}`, `cpu${i}`).set('reg', cells(i));
    // As QEMU: secondaries need a way to start; one CPU needs none.
    if (p.cpus > 1) c.set('enable-method', strings('psci'));
    c.set('compatible', strings(`arm,${p.cpu}`)).set('device_type', strings('cpu'));
  }
});

const timer = order(DT_ORDER.timer, (t) => {
  const f = ppiFlags(t.platform);
  t.node('timer')
    .set('interrupts', cells(...IRQ.timer.flatMap((ppi) => [1, ppi, f])))
    .set('always-on', EMPTY)
    .set('compatible', strings('arm,armv8-timer', 'arm,armv7-timer'));
});

const chosen = order(DT_ORDER.chosen, (t) => {
  const p = t.platform;
  const n = t.node('chosen');
  if (p.bootargs !== undefined) n.set('bootargs', strings(p.bootargs));
  n.set('stdout-path', strings(`/pl011@${VIRT.uart.base.toString(16)}`));
  if (p.initrd !== undefined) n.set('linux,initrd-start', cells64(p.initrd.start)).set('linux,initrd-end', cells64(p.initrd.end));
});

/** The APB clock the board's PrimeCell devices (the PL011) name. */
const clock = order(DT_ORDER.clock, (t) => {
  t.node('apb-pclk', 'apb-pclk')
    .set('clock-output-names', strings('clk24mhz'))
    .set('clock-frequency', cells(24_000_000))
    .set('#clock-cells', cells(0))
    .set('compatible', strings('fixed-clock'));
});

/** The board's own nodes. */
export const VIRT_BOARD_NODES: readonly DeviceTreeContribution[] = [root, memory, gic, cpus, timer, clock, chosen];
