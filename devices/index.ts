import type { ContainerModule } from 'inversify';

/** The devices' DI modules. */
export const deviceModules: readonly ContainerModule[] = [];
