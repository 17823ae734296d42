import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { Expectation, PluginModule, definePlugin } from '../../core';
import { CoherenceChecker, ShadowCoherenceChecker } from './checker';
import { NoStaleExpectation, NoViolationsExpectation, StaleExpectation } from './expectations';

export * from './checker';
export * from './expectations';
export { ShadowMemory } from './shadow-memory';

/**
 * The coherence checker as a plugin: `plugins: [checker]`. It offers the CoherenceChecker
 * service to other plugins (e.g. `compare`) and the `no_stale`, `stale` and `no_violations`
 * expectations to scenarios.
 */
export const checkerPlugin = definePlugin({
  name: 'checker',
  apiVersion: 1,
  description: 'coherence oracle: reports every stale guest read or instruction fetch, and broken lock contracts',
  args: z.object({
    max_events: z.int().min(0).default(1000).describe('stale events emitted at most (stats count all)'),
  }),
  containerModule: () =>
    new ContainerModule(({ bind }) => {
      bind(CoherenceChecker).toConstantValue(new ShadowCoherenceChecker());
      bind(Expectation).toDynamicValue((ctx) => new NoStaleExpectation(ctx.get<CoherenceChecker>(CoherenceChecker)));
      bind(Expectation).toDynamicValue((ctx) => new StaleExpectation(ctx.get<CoherenceChecker>(CoherenceChecker)));
      bind(Expectation).toDynamicValue((ctx) => new NoViolationsExpectation(ctx.get<CoherenceChecker>(CoherenceChecker)));
    }),
  install(api, args) {
    return api.get<CoherenceChecker>(CoherenceChecker).attach(api, { maxEvents: args.max_events });
  },
});

export const checkerModule = new ContainerModule(({ bind }) => {
  bind(PluginModule).toConstantValue(checkerPlugin);
});
