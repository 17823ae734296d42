import * as fs from 'fs';
import { Worker } from 'worker_threads';
import type { Disposable } from '../common/disposable';
import { InputError, cut } from '../common/errors';
import { MARKER_GEN, MARKER_LIMIT, MARKER_SITE, callbackMarker, currentCallback, realExit } from '../plugin/callback-marker';

/**
 * The plugin watchdog: a worker thread that samples the callback marker (see callback-marker.ts)
 * and stops a run whose plugin callback has been inside the same call for longer than the limit
 * (`for (;;) {}` in an onCmo). The main thread is stuck, so the worker pauses it through the
 * inspector and evaluates the registered emergency stop in the paused frame: it says which
 * plugin and callback, prints the summary and writes the outputs (as Ctrl-C does), and exits 1.
 * Started only by the real process (bin/kvmsim.js), never by in-process `main()` calls.
 */

/** How long one plugin callback may run when neither --plugin-timeout nor the env var says. */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;
/** Environment variable with the limit in ms (the command line's --plugin-timeout wins). */
export const PLUGIN_TIMEOUT_ENV = 'KVMSIM_PLUGIN_TIMEOUT';
/** Exit status of a run the watchdog stopped. */
export const EXIT_WATCHDOG = 1;

const EMERGENCY_KEY = '__kvmsimWatchdogFired';

/** What the run command does when the watchdog stops it: print, write, and say the exit code. */
export type EmergencyStop = (message: string) => number | void;

interface Registered {
  stop: EmergencyStop;
  before?: () => void;
}
const stops: Registered[] = [];

/**
 * Registers what to do if the watchdog stops the run (the innermost registration wins):
 * `before` runs before the error line goes to stderr (end a console line, clear a status line),
 * `stop` after it.
 */
export function setEmergencyStop(stop: EmergencyStop, before?: () => void): Disposable {
  const r: Registered = { stop, before };
  stops.push(r);
  return {
    dispose() {
      const i = stops.lastIndexOf(r);
      if (i >= 0) stops.splice(i, 1);
    },
  };
}

/** `--plugin-timeout MS` (or the env var's value): a positive integer of milliseconds. */
export function parsePluginTimeout(v: string, what = '--plugin-timeout'): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0 || n > 0x7fffffff) throw new InputError(`${what} '${cut(v)}': expected a positive number of milliseconds`);
  return n;
}

/** Sets the limit the watchdog applies from now on (the command line's --plugin-timeout). */
export function setPluginTimeout(ms: number): void {
  callbackMarker[MARKER_LIMIT] = ms;
}

/** `10 s`, `500 ms`, `1.5 s`. */
export function formatLimit(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${+(ms / 1000).toFixed(3)} s`;
}

let defaultLimit = DEFAULT_PLUGIN_TIMEOUT_MS;

/**
 * Called (through the inspector) in the frame of the stuck callback. Returns false when no
 * plugin callback is running any more (the main thread got out just in time): the worker then
 * resumes it. Otherwise it never returns.
 */
function fired(): boolean {
  const site = currentCallback();
  if (site === undefined) return false;
  const limit = callbackMarker[MARKER_LIMIT] || defaultLimit;
  const message = `plugin '${site.plugin}': callback ${site.callback} ran for more than ${formatLimit(limit)}; stopped`;
  let code = EXIT_WATCHDOG;
  const stop = stops[stops.length - 1];
  try {
    stop?.before?.();
  } catch {
    // the error line matters more
  }
  try {
    fs.writeSync(2, `kvmsim: error: ${message}\n`);
  } catch {
    // stderr closed: the exit code still says it
  }
  if (stop !== undefined) {
    try {
      code = stop.stop(message) ?? code;
    } catch (e) {
      try {
        fs.writeSync(2, `kvmsim: error: while stopping the run: ${e instanceof Error ? e.message : String(e)}\n`);
      } catch {
        // nothing more to say it with
      }
    }
  }
  // Node would say "Waiting for the debugger to disconnect..." on stderr: nothing more goes there.
  try {
    fs.closeSync(2);
  } catch {
    // already closed
  }
  return realExit(code);
}

const WORKER = `
const { workerData } = require('worker_threads');
const inspector = require('inspector');
const { marker, defaultLimit, sampleMs, key, GEN, SITE, LIMIT } = workerData;
const session = new inspector.Session();
session.connectToMainThread();
let seenGen = 0;
let since = 0;
let pausing = false;
session.on('Debugger.paused', (m) => {
  const frame = m.params.callFrames[0];
  if (frame === undefined) { session.post('Debugger.resume'); pausing = false; return; }
  session.post('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: 'globalThis.' + key + '()' }, () => {
    // Only reached when the callback had already returned: go on watching.
    session.post('Debugger.resume', () => { session.post('Debugger.disable'); pausing = false; since = Date.now(); });
  });
});
// The debugger is enabled only when a callback overstays (an enabled debugger slows the run a
// little), just before the pause; the inspector serves both in order when it interrupts the
// busy main thread.
{
  setInterval(() => {
    if (pausing) return;
    const site = Atomics.load(marker, SITE);
    const gen = Atomics.load(marker, GEN);
    const now = Date.now();
    if (site === 0 || gen !== seenGen) { seenGen = gen; since = now; return; }
    const limit = Atomics.load(marker, LIMIT) || defaultLimit;
    if (now - since > limit) { pausing = true; session.post('Debugger.enable'); session.post('Debugger.pause'); }
  }, sampleMs);
}
`;

export interface WatchdogOptions {
  /** Default limit in ms (else the env var, else DEFAULT_PLUGIN_TIMEOUT_MS); --plugin-timeout overrides it. */
  limitMs?: number;
  /** How often the worker samples the marker (default 100 ms, less for short limits). */
  sampleMs?: number;
  /** The environment to read the limit from (default process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * Starts the watchdog thread for this process. It does not keep the process alive; dispose it
 * when the command is done. An unusable env var value is bad input (exit 2).
 */
export function startWatchdog(opts: WatchdogOptions = {}): Disposable {
  const env = opts.env ?? process.env;
  const fromEnv = env[PLUGIN_TIMEOUT_ENV];
  defaultLimit = opts.limitMs ?? (fromEnv !== undefined && fromEnv !== '' ? parsePluginTimeout(fromEnv, PLUGIN_TIMEOUT_ENV) : DEFAULT_PLUGIN_TIMEOUT_MS);
  const sampleMs = opts.sampleMs ?? Math.max(10, Math.min(100, Math.floor(defaultLimit / 5)));
  (globalThis as Record<string, unknown>)[EMERGENCY_KEY] = fired;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { marker: callbackMarker, defaultLimit, sampleMs, key: EMERGENCY_KEY, GEN: MARKER_GEN, SITE: MARKER_SITE, LIMIT: MARKER_LIMIT },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  worker.on('error', () => undefined); // a watchdog that cannot run leaves the run alone
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      void worker.terminate();
      delete (globalThis as Record<string, unknown>)[EMERGENCY_KEY];
    },
  };
}
