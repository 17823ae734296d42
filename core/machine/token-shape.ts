import type { Container, ServiceIdentifier } from 'inversify';
import { EventBus } from '../bus/event-bus';
import { InputError, KvmsimError, describeError, shown } from '../common/errors';
import { Instrumentation } from '../plugin/instrumentation';
import { Clock } from '../sim/clock';
import { Rng } from '../sim/rng';
import { StatsRegistry } from '../sim/stats';
import { TraceRecorder } from '../sim/trace';

/**
 * The shape a service bound to a DI token must have: the methods (and fields) the core and the
 * devices call on it. When a plugin's container module binds or rebinds a token that has a
 * shape, the machine resolves it once it is built and refuses a value without them, naming the
 * plugin and the token, instead of crashing later inside a device. Modules that own a token a
 * plugin may rebind (a topology, a policy) contribute its shape, multi-bound to TokenShape.
 */
export interface TokenShape {
  readonly token: symbol;
  /** The interface's name, for messages: `CacheTopology`. */
  readonly name: string;
  readonly methods?: readonly string[];
  /** Properties that must be present (not undefined). */
  readonly fields?: readonly string[];
}
export const TokenShape = Symbol.for('kvmsim.TokenShape');

/** The core's own services, which a plugin may rebind only to something just as capable. */
export const CORE_TOKEN_SHAPES: readonly TokenShape[] = [
  { token: EventBus, name: 'EventBus', methods: ['on', 'subscribe', 'emit', 'hasSubscribers', 'subscriberCount', 'reportError'] },
  { token: Clock, name: 'Clock', methods: ['advance'], fields: ['now'] },
  { token: Rng, name: 'Rng', methods: ['fork', 'nextInt'] },
  { token: StatsRegistry, name: 'StatsRegistry', methods: ['counter', 'formula', 'get', 'value', 'names', 'snapshot', 'toText', 'toJSON'] },
  { token: TraceRecorder, name: 'TraceRecorder', methods: ['enable', 'toJSON'] },
  { token: Instrumentation, name: 'Instrumentation', methods: ['onMemoryAccess', 'onInstruction', 'fireMemoryAccess', 'fireInstruction'] },
];

/** What `value` lacks of `shape`: a sentence, or undefined when it has everything. */
export function shapeProblem(value: unknown, shape: TokenShape): string | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return `it is not an object`;
  const missing: string[] = [];
  for (const m of shape.methods ?? []) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[m];
    } catch {
      v = undefined;
    }
    if (typeof v !== 'function') missing.push(`${m}()`);
  }
  for (const f of shape.fields ?? []) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[f];
    } catch {
      v = undefined;
    }
    if (v === undefined) missing.push(f);
  }
  if (missing.length === 0) return undefined;
  return `it has no ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? `, … (${missing.length} missing)` : ''}`;
}

/** A token a plugin's container module bound or rebound. */
export interface RebindRecord {
  id: ServiceIdentifier;
  plugin: { name: string; from: string };
}

function tokenName(id: ServiceIdentifier): string {
  if (typeof id === 'symbol') return id.description?.replace(/^kvmsim\./, '') ?? String(id);
  if (typeof id === 'function') return id.name || '(anonymous class)';
  return String(id);
}

/**
 * Resolves every token with a shape that a plugin bound or rebound (the last plugin to touch a
 * token answers for it) and checks what it resolves to. Throws an InputError naming the plugin
 * and the token; `place` puts the plugin's place in the config in front.
 */
export function checkBoundShapes(container: Container, rebinds: readonly RebindRecord[], place: (e: InputError, plugin: RebindRecord['plugin']) => unknown): void {
  if (rebinds.length === 0) return;
  const shapes = new Map<ServiceIdentifier, TokenShape>();
  for (const s of [...CORE_TOKEN_SHAPES, ...(container.getAll<TokenShape>(TokenShape, { optional: true }) ?? [])]) shapes.set(s.token, s);
  const last = new Map<ServiceIdentifier, RebindRecord['plugin']>();
  for (const r of rebinds) if (shapes.has(r.id)) last.set(r.id, r.plugin);
  for (const [id, plugin] of last) {
    const shape = shapes.get(id)!;
    let value: unknown;
    try {
      value = container.get(id);
    } catch (e) {
      if (e instanceof KvmsimError) throw e;
      throw place(new InputError(`plugin '${plugin.name}' binds ${tokenName(id)}, which then fails to resolve: ${describeError(e)}`), plugin);
    }
    const problem = shapeProblem(value, shape);
    if (problem !== undefined) {
      const what = typeof value === 'function' ? 'a function' : shown(value);
      throw place(new InputError(`plugin '${plugin.name}' binds ${tokenName(id)} to ${what}, which is not a ${shape.name}: ${problem}`), plugin);
    }
  }
}
