import {
  Clock,
  EventBus,
  Instrumentation,
  StatsRegistry,
  buildMachine,
  type Machine,
  type SimEvent,
} from '../../../core';
import { cacheModule } from '../../../devices/cache';
import { MemorySystem, hierarchyModule } from '../../../devices/hierarchy';
import { MmioBus, PhysicalMemory, memoryModule } from '../../../devices/memory';
import { type TopologyArgs } from '../../../devices/hierarchy/topology-plugin';
import { topologiesModule } from '../../../plugins/topologies';

export interface TestMachineOptions {
  /** Topology plugin name; omit for the devices' default binding (cortex-a72, no plugin). */
  topology?: 'cortex-a72' | 'neoverse-n1' | 'tiny';
  args?: TopologyArgs;
  cpus?: number;
  memory?: number;
  seed?: number;
}

/** A machine with only memory, caches, hierarchy and the topology plugins loaded. */
export function testMachine(o: TestMachineOptions = {}) {
  const config: Record<string, unknown> = {
    seed: o.seed ?? 1,
    machine: { cpus: o.cpus ?? 2, memory: { size: o.memory ?? 1 << 20 } },
  };
  if (o.topology !== undefined) config.topology = { name: o.topology, args: o.args ?? {} };
  const machine: Machine = buildMachine(config, { modules: [memoryModule, cacheModule, hierarchyModule, topologiesModule] });
  const ms = machine.get<MemorySystem>(MemorySystem);
  const cmos: SimEvent<'cmo'>[] = [];
  machine.get<EventBus>(EventBus).subscribe('cmo', (e) => cmos.push(e));
  return {
    machine,
    ms,
    mem: machine.get<PhysicalMemory>(PhysicalMemory),
    mmio: machine.get<MmioBus>(MmioBus),
    clock: machine.get<Clock>(Clock),
    stats: machine.get<StatsRegistry>(StatsRegistry),
    inst: machine.get<Instrumentation>(Instrumentation),
    cmos,
  };
}

export const hexBytes = (b: Uint8Array) => Buffer.from(b).toString('hex');
