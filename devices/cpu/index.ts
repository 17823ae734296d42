import { ContainerModule } from 'inversify';
import { Clock, EventBus, InputError, Instrumentation, StatsRegistry, TokenShape } from '../../core';
import { MemorySystem } from '../hierarchy/memory-system';
import { CacheTopology } from '../hierarchy/topology';
import { Stage2Mmu } from '../stage2/stage2-mmu';
import { A64Core, type A64CoreDeps } from './core';
import { GuestCoreFactory, GuestHypervisor } from './guest-interface';

export * from './guest-interface';
export { AccessStatus, EXEC, READ, WRITE, type AccessIndex } from './guest-access';
export * from './guest-fault';
export * from './guest-memory';
export * from './core';
export * from './id-registers';
export * from './generic-timer';

/** Makes A64 interpreter cores; the machine's services are looked up when the first core is made. */
export class A64CoreFactory implements GuestCoreFactory {
  constructor(private readonly services: () => Omit<A64CoreDeps, 'index'>) {}

  create(index: number): A64Core {
    const deps = this.services();
    if (!Number.isInteger(index) || index < 0 || index >= deps.memory.cpus) {
      throw new InputError(`guest core ${index}: the machine has cores 0..${deps.memory.cpus - 1}`);
    }
    return new A64Core({ ...deps, index });
  }
}

/**
 * Binds `GuestCoreFactory` to the A64 interpreter. The `GuestHypervisor` (the KVM-arm64 plugin,
 * or a test's) is looked up when a core is created, so it may be bound after this module.
 */
export const cpuModule = new ContainerModule(({ bind }) => {
  bind(TokenShape).toConstantValue({ token: GuestCoreFactory, name: 'GuestCoreFactory', methods: ['create'] } satisfies TokenShape);
  bind<GuestCoreFactory>(GuestCoreFactory)
    .toDynamicValue(
      (ctx) =>
        new A64CoreFactory(() => {
          const hypervisor = ctx.get<GuestHypervisor>(GuestHypervisor, { optional: true });
          if (hypervisor === undefined) throw new InputError('no GuestHypervisor is bound: a guest core needs the kvm-arm64 plugin (or another hypervisor) to run');
          return {
            memory: ctx.get<MemorySystem>(MemorySystem),
            stage2: ctx.get<Stage2Mmu>(Stage2Mmu),
            hypervisor,
            bus: ctx.get<EventBus>(EventBus),
            clock: ctx.get<Clock>(Clock),
            stats: ctx.get<StatsRegistry>(StatsRegistry),
            instrumentation: ctx.get<Instrumentation>(Instrumentation),
            topology: ctx.get<CacheTopology>(CacheTopology),
          };
        }),
    )
    .inSingletonScope();
});

export * from './fault-report';

