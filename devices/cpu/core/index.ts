/**
 * The A64 core, in layers that each build on the one before: the state every part shares
 * (state.ts), integer execution (integer.ts), data processing beyond the original subset
 * (data-processing.ts), system registers, exceptions, loads and stores, system instructions,
 * SIMD and FP, and the core loop (fetch, the decoded-op cache, dispatch) in a64-core.ts.
 */
export { A64Core } from './a64-core';
export { EC } from './exceptions';
export type { A64CoreDeps } from './state';
