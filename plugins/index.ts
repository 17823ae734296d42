import type { ContainerModule } from 'inversify';
import { traceModule } from './trace';

export * from './trace';

/** The built-in plugins' DI modules, in the order their contributions are listed. */
export const pluginModules: readonly ContainerModule[] = [traceModule];
