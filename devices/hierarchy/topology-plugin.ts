import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { definePlugin, type PluginModule } from '../../core';
import { REPLACEMENT_NAMES } from '../cache';
import { CacheTopology, validateTopology, withOverrides, type TopologyOverrides } from './topology';

/** Args every topology plugin takes: flags and policies a user may override. */
export const topologyArgs = z.object({
  idc: z.boolean().optional().describe('CTR_EL0.IDC: I-cache refills see data dirty in L1 D-caches'),
  dic: z.boolean().optional().describe('CTR_EL0.DIC: I-caches kept coherent with writes (no IC invalidation needed)'),
  fwb: z.boolean().optional().describe('stage 2 can force write-back cacheable (FWB)'),
  replacement: z.enum(REPLACEMENT_NAMES).optional().describe('replacement policy of every level'),
  icachePolicy: z.enum(['PIPT', 'VIPT', 'VPIPT']).optional().describe('L1 I-cache indexing (CTR_EL0.L1Ip)'),
  ncFetchHitsIcache: z.boolean().optional().describe('a non-cacheable instruction fetch may hit a (stale) I-cache line'),
  memoryLatency: z.int().min(0).optional().describe('cycles of an access served by memory'),
});
export type TopologyArgs = z.infer<typeof topologyArgs>;

/**
 * A topology plugin: its container module rebinds CacheTopology to `base` with the user's
 * overrides applied, validated before any device is built.
 */
export function defineTopology(base: CacheTopology): PluginModule<TopologyArgs> {
  return definePlugin({
    name: base.name,
    apiVersion: 1,
    kind: 'topology',
    description: base.description,
    args: topologyArgs,
    containerModule(args: TopologyArgs) {
      const topology = withOverrides(base, args as TopologyOverrides);
      validateTopology(topology);
      return new ContainerModule(({ rebindSync }) => {
        rebindSync(CacheTopology).toConstantValue(topology);
      });
    },
  });
}
