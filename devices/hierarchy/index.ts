import { ContainerModule } from 'inversify';
import { Clock, EventBus, Instrumentation, MachineConfig, Rng, StatsRegistry, TokenShape } from '../../core';
import { ReplacementPolicyFactory } from '../cache/replacement';
import { MmioBus } from '../memory/mmio';
import { PhysicalMemory } from '../memory/physical-memory';
import { CacheHierarchy } from './cache-hierarchy';
import { MemorySystem } from './memory-system';
import { CORTEX_A72, CacheTopology } from './topology';

export * from './topology';
export * from './memory-system';
export * from './cache-hierarchy';
export * from './topology-plugin';

/**
 * The memory system: the cache hierarchy the bound CacheTopology describes, for
 * `config.machine.cpus` cores. Binds cortex-a72 as the topology; a topology plugin rebinds it.
 */
export const hierarchyModule = new ContainerModule(({ bind }) => {
  bind(CacheTopology).toConstantValue(CORTEX_A72);
  // What a topology plugin (or any plugin) must bind these tokens to.
  bind(TokenShape).toConstantValue({
    token: CacheTopology,
    name: 'CacheTopology',
    fields: ['name', 'l1i', 'l1d', 'shared', 'pou', 'poc', 'replacement', 'cost', 'idc', 'dic', 'fwb', 'icachePolicy'],
  } satisfies TokenShape);
  bind(TokenShape).toConstantValue({
    token: MemorySystem,
    name: 'MemorySystem',
    methods: ['read', 'write', 'fetch', 'readBytes', 'writeBytes', 'dc', 'dcRange', 'dcZva', 'ic', 'dcSetWay', 'dcSetWayAll', 'peekBytes', 'residentCopies', 'cacheShape'],
  } satisfies TokenShape);
  bind(MemorySystem)
    .toDynamicValue(
      (ctx) =>
        new CacheHierarchy({
          topology: ctx.get<CacheTopology>(CacheTopology),
          cpus: ctx.get<MachineConfig>(MachineConfig).machine.cpus,
          memory: ctx.get<PhysicalMemory>(PhysicalMemory),
          mmio: ctx.get<MmioBus>(MmioBus),
          clock: ctx.get<Clock>(Clock),
          bus: ctx.get<EventBus>(EventBus),
          stats: ctx.get<StatsRegistry>(StatsRegistry),
          instrumentation: ctx.get<Instrumentation>(Instrumentation),
          rng: ctx.get<Rng>(Rng),
          replacement: ctx.get<ReplacementPolicyFactory>(ReplacementPolicyFactory),
        }),
    )
    .inSingletonScope();
});
