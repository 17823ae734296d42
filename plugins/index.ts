import type { ContainerModule } from 'inversify';
import { checkerModule } from './checker';
import { bootCliModule, compareCliModule, kvmModule, policiesModule } from './kvm-arm64';
import { traceModule } from './trace';
import { topologiesModule } from './topologies';

export * from './checker';
export * from './kvm-arm64';
export * from './trace';
export * from './topologies';

/** The built-in plugins' DI modules, in the order their contributions are listed. */
export const pluginModules: readonly ContainerModule[] = [traceModule, checkerModule, topologiesModule, kvmModule, policiesModule, compareCliModule, bootCliModule];
