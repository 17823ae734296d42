import { ContainerModule } from 'inversify';
import { MachineContribution } from '../../core';
import { DeviceTreeContribution } from '../platform/device-tree';
import { pl011DeviceTree } from './device-tree';
import { MmioBus } from '../memory/mmio';
import { Pl011, Uart } from './pl011';

export * from './pl011';
export * from './device-tree';

/** The `virt` machine's console: a PL011 at 0x09000000, registered on the MMIO bus. */
export const uartModule = new ContainerModule(({ bind }) => {
  bind(Uart)
    .toDynamicValue((ctx) => new Pl011(ctx.get<MmioBus>(MmioBus)))
    .inSingletonScope();
  bind(MachineContribution).toService(Uart);
  bind(DeviceTreeContribution).toConstantValue(pl011DeviceTree);
});
