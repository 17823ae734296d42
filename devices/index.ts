import type { ContainerModule } from 'inversify';
import { stage2Module } from './stage2';
import { memoryModule } from './memory';
import { cacheModule } from './cache';
import { hierarchyModule } from './hierarchy';

/** The devices' DI modules. */
export const deviceModules: readonly ContainerModule[] = [stage2Module, memoryModule, cacheModule, hierarchyModule];

export * from './stage2';
export * from './memory';
export * from './cache';
export * from './hierarchy';
