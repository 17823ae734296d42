import { ContainerModule } from 'inversify';
import { definePlugin, PluginModule, TokenShape } from '../../../core';
import { KvmPolicy } from '../policy';
import { DcacheOnlyPolicy, EagerAtResetPolicy, SeedPolicy, SeedV5Policy, UpstreamPolicy } from './policies';

export * from './policies';

/** A policy plugin: rebinds KvmPolicy to `policy`; needs the kvm-arm64 plugin. */
export function definePolicy(make: () => KvmPolicy): PluginModule<Record<string, never>> {
  const sample = make();
  return definePlugin({
    name: sample.name,
    apiVersion: 1,
    kind: 'policy',
    description: sample.description,
    requires: ['kvm-arm64'],
    containerModule: () =>
      new ContainerModule(({ rebindSync }) => {
        rebindSync(KvmPolicy).toConstantValue(make());
      }),
  }) as PluginModule<Record<string, never>>;
}

export const policyPlugins = [
  definePolicy(() => new UpstreamPolicy()),
  definePolicy(() => new SeedPolicy()),
  definePolicy(() => new SeedV5Policy()),
  definePolicy(() => new DcacheOnlyPolicy()),
  definePolicy(() => new EagerAtResetPolicy()),
];

export const policiesModule = new ContainerModule(({ bind }) => {
  for (const p of policyPlugins) bind(PluginModule).toConstantValue(p);
  // What a policy plugin must rebind KvmPolicy to.
  bind(TokenShape).toConstantValue({
    token: KvmPolicy,
    name: 'KvmPolicy',
    methods: ['onVcpuReinit', 'onVcpuRun', 'onLock', 'onUnlock'],
    fields: ['name', 'supportsLocking', 'lockAfterRun', 'unlockUnlockedIsError'],
  } satisfies TokenShape);
});
