import { ContainerModule } from 'inversify';
import { PluginModule } from '../../core';
import cortexA72Topology from './cortex-a72';
import neoverseN1Topology from './neoverse-n1';
import tinyTopology from './tiny';

export { cortexA72Topology, neoverseN1Topology, tinyTopology };

/** Contributes the built-in topology plugins to the catalogue. */
export const topologiesModule = new ContainerModule(({ bind }) => {
  bind(PluginModule).toConstantValue(cortexA72Topology);
  bind(PluginModule).toConstantValue(neoverseN1Topology);
  bind(PluginModule).toConstantValue(tinyTopology);
});
