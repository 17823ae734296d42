import { ContainerModule } from 'inversify';
import { TokenShape } from '../../core';
import { BuiltinReplacementFactory, ReplacementPolicyFactory } from './replacement';

export * from './geometry';
export * from './replacement';
export * from './cache';

/** Binds the replacement-policy factory (lru, plru, fifo, random); rebind it to add policies. */
export const cacheModule = new ContainerModule(({ bind }) => {
  bind(ReplacementPolicyFactory).toConstantValue(new BuiltinReplacementFactory());
  bind(TokenShape).toConstantValue({ token: ReplacementPolicyFactory, name: 'ReplacementPolicyFactory', methods: ['names', 'create'] } satisfies TokenShape);
});
