/**
 * The A64 core, in layers that each build on the one before: the state every part shares, integer
 * execution, system registers, exceptions, and the core loop (fetch, the decoded-op cache,
 * dispatch, loads and stores, cache maintenance) in a64-core.ts.
 */
export { A64Core } from './a64-core';
export { EC } from './exceptions';
export type { A64CoreDeps } from './state';
