import type { Container, ServiceIdentifier } from 'inversify';
import { Disposable, DisposableCollection } from '../common/disposable';
import { InputError, describeError } from '../common/errors';
import { MARKER_GEN, MARKER_SITE, callbackMarker, callbackSite, inCallback, nextGeneration } from '../plugin/callback-marker';
import type { EventBus } from '../bus/event-bus';
import type { EventInit, EventType, SimEvent } from '../bus/events';
import type { ExitInfo, PluginApi } from '../plugin/api';
import type { Instrumentation, InstructionCallback, MemoryAccessCallback, MemoryAccessFilter } from '../plugin/instrumentation';
import type { Clock } from '../sim/clock';
import type { Rng } from '../sim/rng';
import type { StatsRegistry } from '../sim/stats';
import type { TraceRecorder } from '../sim/trace';

/** Services a PluginApi is built from; one host per machine. */
export interface PluginHostServices {
  container: Container;
  bus: EventBus;
  instrumentation: Instrumentation;
  stats: StatsRegistry;
  trace: TraceRecorder;
  clock: Clock;
  rng: Rng;
  log(source: string, message: string): void;
}

export interface SummarySection {
  title: string;
  lines: string[];
}

interface AtExit {
  plugin: string;
  cb: (info: ExitInfo) => void;
}

interface SummaryEntry {
  plugin: string;
  title: string;
  lines: () => string[];
}

/** Builds one PluginApi per plugin and keeps what each registered, so disposal undoes it all. */
export class PluginHost implements Disposable {
  private readonly atExit: AtExit[] = [];
  private readonly summaries: SummaryEntry[] = [];
  private readonly all = new DisposableCollection();
  private readonly disposeFailures: string[] = [];

  constructor(private readonly s: PluginHostServices) {}

  /** The API handed to plugin `name`'s install(). */
  apiFor(name: string): PluginApi {
    const s = this.s;
    const host = this;
    // A bus subscriber, bracketed for the watchdog; a Promise it returns is refused (the bus
    // reports what it throws as this plugin's error).
    const on = <K extends EventType>(type: K, cb: (e: SimEvent<K>) => void, what = `on('${type}')`): Disposable => {
      const site = callbackSite(name, what);
      return this.track(
        name,
        s.bus.subscribe(
          type,
          (e) => {
            const r = inCallback(site, () => cb(e) as unknown);
            if (isThenable(r)) throw refuseThenable(r);
          },
          name,
        ),
      );
    };
    // A data-plane hook: the same bracket, inlined (four typed-array stores per call).
    const guard = <T>(cb: (v: T) => void, what: string, callback: string) => {
      const site = callbackSite(name, callback);
      const m = callbackMarker;
      return (v: T) => {
        const outerGen = m[MARKER_GEN];
        const outerSite = m[MARKER_SITE];
        m[MARKER_GEN] = nextGeneration();
        m[MARKER_SITE] = site;
        try {
          const r = cb(v) as unknown;
          if (r !== undefined && isThenable(r)) throw refuseThenable(r);
        } catch (err) {
          host.reportDataPlaneError(name, what, err);
        } finally {
          m[MARKER_GEN] = outerGen;
          m[MARKER_SITE] = outerSite;
        }
      };
    };
    const rng = s.rng.fork(`plugin:${name}`);
    const api: PluginApi = {
      name,
      onVcpuInit: (cb) => on('vcpu.init', cb, 'onVcpuInit'),
      onVcpuReset: (cb) => on('vcpu.reset', cb, 'onVcpuReset'),
      onVcpuRun: (cb) => on('vcpu.run', cb, 'onVcpuRun'),
      onVcpuExit: (cb) => on('vcpu.exit', cb, 'onVcpuExit'),
      onStage2Fault: (cb) => on('stage2.fault', cb, 'onStage2Fault'),
      onStage2Map: (cb) => on('stage2.map', cb, 'onStage2Map'),
      onStage2Unmap: (cb) => on('stage2.unmap', cb, 'onStage2Unmap'),
      onCmo: (cb) => on('cmo', cb, 'onCmo'),
      onMemslotChange: (cb) => {
        const c = new DisposableCollection();
        c.push(on('memslot.set', cb, 'onMemslotChange'));
        c.push(on('memslot.lock', cb, 'onMemslotChange'));
        c.push(on('memslot.unlock', cb, 'onMemslotChange'));
        return c;
      },
      onUserspaceWrite: (cb) => on('userspace.write', cb, 'onUserspaceWrite'),
      onStale: (cb) => on('stale', cb, 'onStale'),
      on: (type, cb) => on(type, cb),
      events: <K extends EventType>(type: K) => {
        const site = callbackSite(name, `events('${type}')`);
        return s.bus.on<K>(type, name, (fn) => (e) => {
          const r = inCallback(site, () => fn(e) as unknown);
          if (isThenable(r)) throw refuseThenable(r);
        });
      },
      emit: <K extends EventType>(init: EventInit<K>) => s.bus.emit(init),
      onMemoryAccess: (cb: MemoryAccessCallback, filter?: MemoryAccessFilter) =>
        this.track(name, s.instrumentation.onMemoryAccess(guard(cb, 'memory access', 'onMemoryAccess'), filter)),
      onInstruction: (cb: InstructionCallback) => this.track(name, s.instrumentation.onInstruction(guard(cb, 'instruction', 'onInstruction'))),
      onAtExit: (cb) => {
        const entry = { plugin: name, cb };
        this.atExit.push(entry);
        return this.track(name, Disposable.create(() => remove(this.atExit, entry)));
      },
      addSummary: (title, lines) => {
        const entry = { plugin: name, title, lines };
        this.summaries.push(entry);
        return this.track(name, Disposable.create(() => remove(this.summaries, entry)));
      },
      get: <T>(token: ServiceIdentifier<T>): T => {
        const v = s.container.get<T>(token, { optional: true });
        if (v === undefined) throw new InputError(`plugin '${name}': nothing is bound to ${String(token)} in this machine`);
        return v;
      },
      tryGet: <T>(token: ServiceIdentifier<T>): T | undefined => s.container.get<T>(token, { optional: true }),
      stats: s.stats,
      trace: s.trace,
      clock: s.clock,
      rng,
      log: (message) => s.log(name, message),
    };
    return Object.freeze(api);
  }

  /** Disposes `d` with the machine (plugin `plugin`'s install() handle). */
  adopt(plugin: string, d: Disposable): void {
    this.track(plugin, d);
  }

  /**
   * Keeps `plugin`'s handle `d` for disposal with the machine, made safe: a dispose() that
   * throws (or calls process.exit) is recorded as that plugin's failure, and every other handle
   * is still disposed.
   */
  private track(plugin: string, d: Disposable): Disposable {
    const site = callbackSite(plugin, 'dispose');
    return this.all.push({
      dispose: () => {
        try {
          inCallback(site, () => d.dispose());
        } catch (err) {
          if (this.disposeFailures.length < 100) this.disposeFailures.push(`plugin '${plugin}' failed while disposing: ${describeError(err)}`);
        }
      },
    });
  }

  /** What failed while plugins' handles were disposed, one line per failure. */
  get disposeErrors(): readonly string[] {
    return this.disposeFailures;
  }

  /** Errors in data-plane callbacks are reported like control-plane ones. */
  private reportDataPlaneError(plugin: string, what: string, err: unknown): void {
    this.s.bus.reportError(plugin, what, err);
  }

  runAtExit(info: ExitInfo): void {
    for (const e of [...this.atExit]) {
      try {
        const r = inCallback(callbackSite(e.plugin, 'onAtExit'), () => e.cb(info) as unknown);
        if (isThenable(r)) throw refuseThenable(r);
      } catch (err) {
        this.reportDataPlaneError(e.plugin, 'at-exit', err);
      }
    }
  }

  /** Each plugin's summary section; one whose lines() throws says so in its section. */
  summary(): SummarySection[] {
    return this.summaries.map((e) => {
      try {
        const lines = inCallback(callbackSite(e.plugin, 'addSummary'), () => e.lines());
        if (!Array.isArray(lines)) return { title: e.title, lines: [`(plugin '${e.plugin}' gave ${typeof lines === 'object' ? 'a non-list' : typeof lines} for its summary lines)`] };
        return { title: e.title, lines: lines.map((l) => String(l)) };
      } catch (err) {
        return { title: e.title, lines: [`(plugin '${e.plugin}' failed to give its summary: ${describeError(err)})`] };
      }
    });
  }

  dispose(): void {
    this.all.dispose();
  }
}

/** True for a Promise or anything with a then() method. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}

/**
 * The error for a plugin callback that returned a Promise (an async callback): its work would
 * go on after the event, past the run's end. Its rejection is swallowed: this error says it.
 */
function refuseThenable(p: PromiseLike<unknown>): Error {
  try {
    p.then(undefined, () => undefined);
  } catch {
    // a then() that throws: nothing to swallow
  }
  return new Error('returned a Promise: plugin callbacks must be synchronous (an async callback would go on after the event, and after the run)');
}

function remove<T>(arr: T[], item: T): void {
  const i = arr.indexOf(item);
  if (i >= 0) arr.splice(i, 1);
}
