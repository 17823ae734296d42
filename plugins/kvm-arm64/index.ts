import { ContainerModule } from 'inversify';
import { PluginModule } from '../../core';
import { DeviceTreeContribution } from '../../devices/platform';
import { bootCliModule } from './boot';
import { compareCliModule } from './compare';
import { kvmPlugin } from './kvm';
import { psciDeviceTree } from './psci-device-tree';
export { policiesModule } from './policies';

export * from './boot';
export * from './compare';
export * from './elf';
export * from './kernel-loader';
export * from './errno';
export { HostMm, type Vma } from './host-mm';
export * from './kvm';
export * from './memslots';
export * from './policies';
export * from './policy';
export * from './psci-device-tree';
export * from './steps';
export * from './vcpu';
export * from './vm';
export * from './vmm';

/** The kvm-arm64 plugin and the built-in policies, in the plugin catalogue. */
export const kvmModule = new ContainerModule(({ bind }) => {
  bind(PluginModule).toConstantValue(kvmPlugin);
  bind(DeviceTreeContribution).toConstantValue(psciDeviceTree);
});

export { bootCliModule, compareCliModule };
