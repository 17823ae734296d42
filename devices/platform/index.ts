import { ContainerModule } from 'inversify';
import { CliCommand } from '../../core';
import { dtbCommand } from './cli';
import { DeviceTreeContribution } from './device-tree';
import { VIRT_BOARD_NODES } from './virt-board';

export * from './cli';
export * from './device-tree';
export * from './fdt';
export * from './irq';
export * from './virt-board';

/** The virt board: its own device-tree nodes and `kvmsim dtb`. */
export const platformModule = new ContainerModule(({ bind }) => {
  for (const n of VIRT_BOARD_NODES) bind(DeviceTreeContribution).toConstantValue(n);
  bind(CliCommand).toConstantValue(dtbCommand);
});
