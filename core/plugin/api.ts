import type { Observable } from 'rxjs';
import type { ServiceIdentifier } from 'inversify';
import type { Disposable } from '../common/disposable';
import type { EventInit, EventType, SimEvent } from '../bus/events';
import type { Clock } from '../sim/clock';
import type { Rng } from '../sim/rng';
import type { StatsRegistry } from '../sim/stats';
import type { TraceRecorder } from '../sim/trace';
import type { InstructionCallback, MemoryAccessCallback, MemoryAccessFilter } from './instrumentation';

type Cb<K extends EventType> = (event: SimEvent<K>) => void;

/** What a run's end looks like to at-exit callbacks. */
export interface ExitInfo {
  cycles: number;
  reason: string;
}

/**
 * The handle a plugin gets in `install`. Every registration returns a Disposable; everything
 * still registered is disposed with the machine. Callbacks that throw are reported as
 * `plugin.error` events naming this plugin.
 */
export interface PluginApi {
  /** This plugin's name. */
  readonly name: string;

  onVcpuInit(cb: Cb<'vcpu.init'>): Disposable;
  onVcpuReset(cb: Cb<'vcpu.reset'>): Disposable;
  onVcpuRun(cb: Cb<'vcpu.run'>): Disposable;
  onVcpuExit(cb: Cb<'vcpu.exit'>): Disposable;
  onStage2Fault(cb: Cb<'stage2.fault'>): Disposable;
  onStage2Map(cb: Cb<'stage2.map'>): Disposable;
  onStage2Unmap(cb: Cb<'stage2.unmap'>): Disposable;
  onCmo(cb: Cb<'cmo'>): Disposable;
  /** Memslot set (create/move/delete/flags), lock and unlock. */
  onMemslotChange(cb: Cb<'memslot.set' | 'memslot.lock' | 'memslot.unlock'>): Disposable;
  onUserspaceWrite(cb: Cb<'userspace.write'>): Disposable;
  onStale(cb: Cb<'stale'>): Disposable;
  /** Any event type, including ones other plugins declare. */
  on<K extends EventType>(type: K, cb: Cb<K>): Disposable;
  /** An rxjs stream of one event type, for plugins that compose with operators. */
  events<K extends EventType>(type: K): Observable<SimEvent<K>>;
  /** Publishes an event (built-in producers such as the KVM plugin use this too). */
  emit<K extends EventType>(init: EventInit<K>): SimEvent<K>;

  /** Data plane: every memory access matching `filter`. Free when nothing is registered. */
  onMemoryAccess(cb: MemoryAccessCallback, filter?: MemoryAccessFilter): Disposable;
  /** Data plane: every executed instruction. */
  onInstruction(cb: InstructionCallback): Disposable;
  /** Called once when the run ends, before the final stats are written. */
  onAtExit(cb: (info: ExitInfo) => void): Disposable;
  /** Adds lines under `title` to the run summary the CLI prints. */
  addSummary(title: string, lines: () => string[]): Disposable;

  /** A device or service bound in the machine's container (throws a clear error if unbound). */
  get<T>(token: ServiceIdentifier<T>): T;
  /** Like get, but undefined when nothing is bound. */
  tryGet<T>(token: ServiceIdentifier<T>): T | undefined;
  readonly stats: StatsRegistry;
  readonly trace: TraceRecorder;
  readonly clock: Readonly<Pick<Clock, 'now'>>;
  /** A random stream of this plugin's own, derived from the machine seed and its name. */
  readonly rng: Rng;
  /** A line on the run log (printed by the CLI with --verbose, kept in the run result). */
  log(message: string): void;
}
