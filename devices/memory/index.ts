import { ContainerModule } from 'inversify';
import { MachineConfig, StatsRegistry, TokenShape } from '../../core';
import { MmioBus, SimMmioBus } from './mmio';
import { PhysicalMemory, SparseMemory } from './physical-memory';

// PAGE_SIZE stays in './physical-memory' (stage 2 exports its own from the devices index).
export { PhysicalAddressError, PhysicalMemory, SparseMemory } from './physical-memory';
export * from './mmio';

/** Physical memory sized by `config.machine.memory.size`, and the MMIO bus. */
export const memoryModule = new ContainerModule(({ bind }) => {
  bind(PhysicalMemory)
    .toDynamicValue((ctx) => {
      const config = ctx.get<MachineConfig>(MachineConfig);
      const mem = new SparseMemory(config.machine.memory.size);
      ctx.get<StatsRegistry>(StatsRegistry).formula('system.mem.pages', 'physical pages allocated (4 KiB, on first write)', () => mem.residentPages);
      return mem;
    })
    .inSingletonScope();
  bind(MmioBus).toConstantValue(new SimMmioBus());
  bind(TokenShape).toConstantValue({ token: MmioBus, name: 'MmioBus', methods: ['register', 'find', 'overlapping', 'read', 'write'], fields: ['regions'] } satisfies TokenShape);
});
