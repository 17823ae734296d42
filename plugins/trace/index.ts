import { ContainerModule } from 'inversify';
import { PluginModule } from '../../core';
import tracePlugin from './trace-plugin';

export { tracePlugin };
export { trackOf } from './trace-plugin';

export const traceModule = new ContainerModule(({ bind }) => {
  bind(PluginModule).toConstantValue(tracePlugin);
});
