import { ContainerModule } from 'inversify';
import { EventBus, StatsRegistry } from '../../core';
import { DEFAULT_IPA_BITS, Stage2PageTable } from './page-table';
import { Stage2Config, Stage2Mmu } from './stage2-mmu';

/** Binds the VM's one stage 2; bind `Stage2Config` to choose the IPA size (default 40 bits). */
export const stage2Module = new ContainerModule(({ bind }) => {
  bind<Stage2Mmu>(Stage2Mmu)
    .toDynamicValue((ctx) => {
      const config = ctx.get<Stage2Config>(Stage2Config, { optional: true });
      return new Stage2PageTable(ctx.get<EventBus>(EventBus), ctx.get<StatsRegistry>(StatsRegistry), config?.ipaBits ?? DEFAULT_IPA_BITS);
    })
    .inSingletonScope();
});
