import type { Container, ServiceIdentifier } from 'inversify';
import { Disposable, DisposableCollection } from '../common/disposable';
import { InputError } from '../common/errors';
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

  constructor(private readonly s: PluginHostServices) {}

  /** The API handed to plugin `name`'s install(). */
  apiFor(name: string): PluginApi {
    const s = this.s;
    const host = this;
    const on = <K extends EventType>(type: K, cb: (e: SimEvent<K>) => void): Disposable => this.track(s.bus.subscribe(type, cb, name));
    const guard = <T>(cb: (v: T) => void, what: EventType | string) => (v: T) => {
      try {
        cb(v);
      } catch (err) {
        host.reportDataPlaneError(name, what, err);
      }
    };
    const rng = s.rng.fork(`plugin:${name}`);
    const api: PluginApi = {
      name,
      onVcpuInit: (cb) => on('vcpu.init', cb),
      onVcpuReset: (cb) => on('vcpu.reset', cb),
      onVcpuRun: (cb) => on('vcpu.run', cb),
      onVcpuExit: (cb) => on('vcpu.exit', cb),
      onStage2Fault: (cb) => on('stage2.fault', cb),
      onStage2Map: (cb) => on('stage2.map', cb),
      onStage2Unmap: (cb) => on('stage2.unmap', cb),
      onCmo: (cb) => on('cmo', cb),
      onMemslotChange: (cb) => {
        const c = new DisposableCollection();
        c.push(on('memslot.set', cb));
        c.push(on('memslot.lock', cb));
        c.push(on('memslot.unlock', cb));
        return c;
      },
      onUserspaceWrite: (cb) => on('userspace.write', cb),
      onStale: (cb) => on('stale', cb),
      on,
      events: (type) => s.bus.on(type, name),
      emit: <K extends EventType>(init: EventInit<K>) => s.bus.emit(init),
      onMemoryAccess: (cb: MemoryAccessCallback, filter?: MemoryAccessFilter) =>
        this.track(s.instrumentation.onMemoryAccess(guard(cb, 'memory access'), filter)),
      onInstruction: (cb: InstructionCallback) => this.track(s.instrumentation.onInstruction(guard(cb, 'instruction'))),
      onAtExit: (cb) => {
        const entry = { plugin: name, cb };
        this.atExit.push(entry);
        return this.track(Disposable.create(() => remove(this.atExit, entry)));
      },
      addSummary: (title, lines) => {
        const entry = { plugin: name, title, lines };
        this.summaries.push(entry);
        return this.track(Disposable.create(() => remove(this.summaries, entry)));
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

  /** Disposes `d` with the machine (a plugin's install() handle). */
  adopt(d: Disposable): void {
    this.all.push(d);
  }

  private track(d: Disposable): Disposable {
    return this.all.push(d);
  }

  /** Errors in data-plane callbacks are reported like control-plane ones. */
  private reportDataPlaneError(plugin: string, what: string, err: unknown): void {
    this.s.bus.reportError(plugin, what, err);
  }

  runAtExit(info: ExitInfo): void {
    for (const e of [...this.atExit]) {
      try {
        e.cb(info);
      } catch (err) {
        this.reportDataPlaneError(e.plugin, 'at-exit', err);
      }
    }
  }

  summary(): SummarySection[] {
    return this.summaries.map((e) => ({ title: e.title, lines: e.lines() }));
  }

  dispose(): void {
    this.all.dispose();
  }
}

function remove<T>(arr: T[], item: T): void {
  const i = arr.indexOf(item);
  if (i >= 0) arr.splice(i, 1);
}
