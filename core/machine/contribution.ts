import type { Machine } from './machine';

/**
 * Something that must exist as soon as the machine does: a device that registers its MMIO
 * window, a service that subscribes to the bus. All contributions are resolved (and
 * `onMachineBuilt` called) after every DI module is loaded and before plugins install.
 */
export interface MachineContribution {
  onMachineBuilt?(machine: Machine): void;
}
export const MachineContribution = Symbol.for('kvmsim.MachineContribution');
