/**
 * Trace recorder writing Chrome Trace Event JSON (opens in Perfetto and chrome://tracing).
 * One process for the machine; one thread ("track") per VCPU or device, named by metadata
 * events. Timestamps are modelled cycles shown as nanoseconds (a 1 GHz clock), so Perfetto's
 * ruler reads in cycles.
 */
export type TraceArgs = Record<string, string | number | boolean | null>;

export interface TraceEvent {
  name: string;
  cat: string;
  ph: 'i' | 'X' | 'M' | 'C';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  s?: 't';
  args?: TraceArgs;
}

export interface TraceRecorder {
  /** False until something enables tracing; producers may skip building args when false. */
  readonly enabled: boolean;
  enable(): void;
  /** A point in time on `track` (e.g. `vcpu0`, `kvm`, `system.l2`). */
  instant(track: string, name: string, cycles: number, args?: TraceArgs, cat?: string): void;
  /** A slice [start, end) on `track`. */
  slice(track: string, name: string, start: number, end: number, args?: TraceArgs, cat?: string): void;
  /** A counter sample (drawn as a graph). */
  counter(track: string, name: string, cycles: number, values: Record<string, number>): void;
  readonly events: readonly TraceEvent[];
  toJSON(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns'; otherData: Record<string, string> };
}
export const TraceRecorder = Symbol.for('kvmsim.TraceRecorder');

const PID = 1;
/** µs per cycle at the nominal 1 GHz. */
const US_PER_CYCLE = 0.001;

export class ChromeTraceRecorder implements TraceRecorder {
  enabled = false;
  private readonly tracks = new Map<string, number>();
  private readonly meta: TraceEvent[] = [];
  readonly events: TraceEvent[] = [];

  constructor(private readonly title = 'kvmsim') {}

  enable(): void {
    this.enabled = true;
  }

  private tid(track: string): number {
    let tid = this.tracks.get(track);
    if (tid === undefined) {
      tid = this.tracks.size + 1;
      this.tracks.set(track, tid);
      this.meta.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: PID, tid, args: { name: track } });
      this.meta.push({ name: 'thread_sort_index', cat: '__metadata', ph: 'M', ts: 0, pid: PID, tid, args: { sort_index: tid } });
    }
    return tid;
  }

  instant(track: string, name: string, cycles: number, args?: TraceArgs, cat = 'kvmsim'): void {
    if (!this.enabled) return;
    const e: TraceEvent = { name, cat, ph: 'i', s: 't', ts: ts(cycles), pid: PID, tid: this.tid(track) };
    if (args !== undefined) e.args = args;
    this.events.push(e);
  }

  slice(track: string, name: string, start: number, end: number, args?: TraceArgs, cat = 'kvmsim'): void {
    if (!this.enabled) return;
    const e: TraceEvent = { name, cat, ph: 'X', ts: ts(start), dur: ts(Math.max(0, end - start)), pid: PID, tid: this.tid(track) };
    if (args !== undefined) e.args = args;
    this.events.push(e);
  }

  counter(track: string, name: string, cycles: number, values: Record<string, number>): void {
    if (!this.enabled) return;
    this.events.push({ name, cat: 'kvmsim', ph: 'C', ts: ts(cycles), pid: PID, tid: this.tid(track), args: values });
  }

  toJSON() {
    const process: TraceEvent = { name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: this.title } };
    return {
      traceEvents: [process, ...this.meta, ...this.events],
      displayTimeUnit: 'ns' as const,
      otherData: { generator: 'kvmsim', timeUnit: '1 ns = 1 modelled cycle' },
    };
  }
}

function ts(cycles: number): number {
  // Round to avoid 0.30000000000000004-style noise; the trace must be byte-identical run to run.
  return Math.round(cycles * US_PER_CYCLE * 1e6) / 1e6;
}
