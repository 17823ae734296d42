import { ContainerModule } from 'inversify';
import { assemble } from '../../../isa/a64';
import { Clock, EventBus, Instrumentation, StatsRegistry, buildMachine, type Machine } from '../../../core';
import { cacheModule } from '../../../devices/cache';
import { A64Core, GuestCoreFactory, GuestHypervisor, PSCI, cpuModule, type CoreExit } from '../../../devices/cpu';
import { MemorySystem, hierarchyModule } from '../../../devices/hierarchy';
import { MmioBus, PhysicalMemory, memoryModule } from '../../../devices/memory';
import { Stage2Mmu, stage2Module } from '../../../devices/stage2';
import { Uart, uartModule } from '../../../devices/uart';
import { type TopologyArgs } from '../../../devices/hierarchy/topology-plugin';
import { topologiesModule } from '../../../plugins/topologies';
import { TestHypervisor, type TestHypervisorOptions } from './test-hypervisor';

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 0x0400_0000; // 64 MiB
/** Where raw images go, as QEMU's -kernel puts a raw arm64 image. */
export const IMAGE_BASE = 0x4008_0000;
export const UART_BASE = 0x0900_0000;

export interface CpuMachineOptions {
  topology?: 'cortex-a72' | 'neoverse-n1' | 'tiny';
  args?: TopologyArgs;
  cpus?: number;
  hyp?: Partial<TestHypervisorOptions>;
}

/** A machine with memory, caches, stage 2, the PL011, the A64 cores and the test hypervisor. */
export function cpuMachine(o: CpuMachineOptions = {}) {
  const config: Record<string, unknown> = { seed: 1, machine: { cpus: o.cpus ?? 1, memory: { size: RAM_BASE + RAM_SIZE } } };
  if (o.topology !== undefined) config.topology = { name: o.topology, args: o.args ?? {} };
  const hypModule = new ContainerModule(({ bind }) => {
    bind(GuestHypervisor)
      .toDynamicValue((ctx) => new TestHypervisor(ctx.get<Stage2Mmu>(Stage2Mmu), ctx.get<MemorySystem>(MemorySystem), { ramBase: RAM_BASE, ramSize: RAM_SIZE, ...o.hyp }))
      .inSingletonScope();
  });
  const machine: Machine = buildMachine(config, {
    modules: [memoryModule, cacheModule, hierarchyModule, topologiesModule, stage2Module, uartModule, cpuModule, hypModule],
  });
  const factory = machine.get<GuestCoreFactory>(GuestCoreFactory);
  const cores = Array.from({ length: o.cpus ?? 1 }, (_, i) => factory.create(i) as A64Core);
  return {
    machine,
    cores,
    core: cores[0],
    hyp: machine.get<GuestHypervisor>(GuestHypervisor) as TestHypervisor,
    ms: machine.get<MemorySystem>(MemorySystem),
    mem: machine.get<PhysicalMemory>(PhysicalMemory),
    mmio: machine.get<MmioBus>(MmioBus),
    stage2: machine.get<Stage2Mmu>(Stage2Mmu),
    uart: machine.get<Uart>(Uart),
    clock: machine.get<Clock>(Clock),
    stats: machine.get<StatsRegistry>(StatsRegistry),
    inst: machine.get<Instrumentation>(Instrumentation),
    bus: machine.get<EventBus>(EventBus),
  };
}
export type CpuMachine = ReturnType<typeof cpuMachine>;

/** The VMM writes an image through its cacheable mapping, as a VMM does. */
export function loadImage(m: CpuMachine, pa: number, bytes: Uint8Array): void {
  m.ms.writeBytes('host', 0, pa, bytes, true);
}

/** Little-endian bytes of instruction words. */
export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}

export interface GuestRun {
  exit: CoreExit;
  /** Every exit seen, MMIO ones included. */
  exits: CoreExit[];
  output: string;
}

/**
 * Runs core `vcpu` as KVM and a VMM loop would: MMIO exits are performed on the MMIO bus (the
 * PL011) and completed, a PSCI SYSTEM_OFF or SYSTEM_RESET is the system event KVM reports, until
 * any other exit or `maxInsns` instructions.
 */
export function runGuest(m: CpuMachine, vcpu = 0, maxInsns = 5_000_000): GuestRun {
  const core = m.cores[vcpu];
  const exits: CoreExit[] = [];
  const start = core.retired;
  for (;;) {
    const left = maxInsns - (core.retired - start);
    const exit = core.run(Math.max(0, left));
    exits.push(exit);
    if (exit.reason === 'mmio') {
      if (exit.write) m.mmio.write(exit.addr, exit.size, exit.size === 8 ? exit.valueHi * 2 ** 32 + exit.valueLo : exit.valueLo);
      else {
        const v = m.mmio.read(exit.addr, exit.size);
        core.completeMmioRead(v % 2 ** 32, Math.floor(v / 2 ** 32));
      }
      continue;
    }
    if (exit.reason === 'hypercall' && (exit.x0 === PSCI.SYSTEM_OFF || exit.x0 === PSCI.SYSTEM_RESET)) {
      const event: CoreExit = { reason: 'system_event', pc: exit.pc, event: exit.x0 === PSCI.SYSTEM_OFF ? 'shutdown' : 'reset' };
      return { exit: event, exits: [...exits.slice(0, -1), event], output: m.uart.output };
    }
    return { exit, exits, output: m.uart.output };
  }
}

export interface SnippetOptions extends CpuMachineOptions {
  /** X registers before the run (BigInt, 64-bit two's complement). */
  x?: Record<number, bigint>;
  maxInsns?: number;
}

/** 64-bit value of X register n. */
export function x(core: A64Core, n: number): bigint {
  const r = core.getX(n);
  return (BigInt(r.hi) << 32n) | BigInt(r.lo);
}

/**
 * Assembles `source` at IMAGE_BASE (append `wfi` to stop), loads it, sets registers, runs to
 * the first exit that is not MMIO (performed on the bus), and returns the machine and exit.
 */
export function snippet(source: string, o: SnippetOptions = {}) {
  const m = cpuMachine(o);
  const image = assemble(source, { base: IMAGE_BASE });
  loadImage(m, IMAGE_BASE, image.bytes);
  m.core.reset(IMAGE_BASE);
  for (const [n, v] of Object.entries(o.x ?? {})) {
    const u = BigInt.asUintN(64, v);
    m.core.setX(Number(n), Number(u & 0xffffffffn), Number(u >> 32n));
  }
  const run = runGuest(m, 0, o.maxInsns ?? 1_000_000);
  return { ...m, ...run, image, sym: (name: string) => Number(image.symbols.get(name)!) };
}
