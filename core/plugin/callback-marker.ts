import type { Disposable } from '../common/disposable';

/**
 * Which plugin callback is running right now, in shared memory so that a watchdog thread can
 * see a callback that never returns (the CLI's `--plugin-timeout`). Every plugin callback the
 * machine calls (bus subscriptions made through the plugin API, data-plane hooks, install,
 * dispose, container-module factories, at-exit callbacks) is bracketed by `enter` / `leave`:
 * two plain typed-array stores each way, no clock read. The generation changes on every entry,
 * so the watchdog only has to see the same generation inside for too long.
 *
 *     marker[GEN]   generation of the callback running (restored to the outer one on leave)
 *     marker[SITE]  its site (index into the site table), 0 when no plugin code runs
 *     marker[LIMIT] the watchdog's limit in ms (0: its default)
 */
export const MARKER_GEN = 0;
export const MARKER_SITE = 1;
export const MARKER_LIMIT = 2;
export const callbackMarker = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));

/** A plugin and the callback of it: `onCmo`, `install`, `dispose`, `on('vcpu.run')`. */
export interface CallbackSite {
  readonly plugin: string;
  readonly callback: string;
}

const sites: CallbackSite[] = [{ plugin: '', callback: '' }];
const siteIds = new Map<string, number>();
let generation = 0;

/** The site number of `plugin`'s `callback` (interned: the same pair gets the same number). */
export function callbackSite(plugin: string, callback: string): number {
  const key = `${plugin}\u0000${callback}`;
  let id = siteIds.get(key);
  if (id === undefined) {
    id = sites.length;
    sites.push({ plugin, callback });
    siteIds.set(key, id);
  }
  return id;
}

/** The plugin callback running now (the innermost one), or undefined when none is. */
export function currentCallback(): CallbackSite | undefined {
  const id = callbackMarker[MARKER_SITE];
  return id === 0 ? undefined : sites[id];
}

/**
 * Runs `fn` as `site`'s callback. Hot paths inline the same four stores (see PluginHost's
 * data-plane guard) instead of allocating a closure.
 */
export function inCallback<R>(site: number, fn: () => R): R {
  const m = callbackMarker;
  const outerGen = m[MARKER_GEN];
  const outerSite = m[MARKER_SITE];
  m[MARKER_GEN] = nextGeneration();
  m[MARKER_SITE] = site;
  try {
    return fn();
  } finally {
    m[MARKER_GEN] = outerGen;
    m[MARKER_SITE] = outerSite;
  }
}

/** A new generation number for an entry. */
export function nextGeneration(): number {
  generation = (generation + 1) | 0;
  return generation;
}

/** Thrown instead of exiting when plugin code calls process.exit while the machine runs it. */
export class PluginExitAttempt extends Error {
  constructor(
    readonly plugin: string,
    readonly callback: string,
    readonly code: unknown,
  ) {
    super(`called process.exit(${code === undefined ? '' : String(code)}) in its ${callback} callback; a plugin must not end the process`);
    this.name = 'PluginExitAttempt';
  }
}

type Exit = (code?: number | string | null) => never;
const originalExit: Exit = process.exit;
/** process.exit as it was when the first guard was taken. */
let outerExit: Exit = originalExit;
let guards = 0;

function guardedExit(code?: number | string | null): never {
  const site = currentCallback();
  if (site !== undefined) throw new PluginExitAttempt(site.plugin, site.callback, code);
  return outerExit.call(process, code);
}

/** process.exit as it was before any guard: for kvmsim's own emergency exits. */
export function realExit(code: number): never {
  return originalExit.call(process, code);
}

/**
 * While held, process.exit called from plugin code (inside a bracketed callback) throws a
 * PluginExitAttempt naming the plugin, which the machine reports like any plugin error;
 * process.exit called elsewhere (a second Ctrl-C) exits as usual. Held by each machine from
 * its build to its disposal; the last release puts process.exit back (unless someone replaced
 * it meanwhile, as a test spy does).
 */
export function guardProcessExit(): Disposable {
  if (guards++ === 0) {
    outerExit = process.exit;
    process.exit = guardedExit;
  }
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      if (--guards === 0 && process.exit === guardedExit) process.exit = outerExit;
    },
  };
}
