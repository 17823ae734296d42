import type { ContainerModule } from 'inversify';
import { stage2Module } from './stage2';

/** The devices' DI modules. */
export const deviceModules: readonly ContainerModule[] = [stage2Module];

export * from './stage2';
