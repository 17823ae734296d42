import type { ContainerModule } from 'inversify';
import { stage2Module } from './stage2';
import { memoryModule } from './memory';
import { cacheModule } from './cache';
import { hierarchyModule } from './hierarchy';
import { uartModule } from './uart';
import { replayCliModule } from './replay';
import { platformModule } from './platform';

import { cpuModule } from './cpu';

/** The devices' DI modules. */
export const deviceModules: readonly ContainerModule[] = [stage2Module, memoryModule, cacheModule, hierarchyModule, uartModule, replayCliModule, cpuModule, platformModule];

export * from './stage2';
export * from './memory';
export * from './cache';
export * from './hierarchy';
export * from './uart';
export * from './replay';
export * from './cpu';
export * from './platform';
export * from './gic';
