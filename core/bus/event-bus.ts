import { Observable, Observer, Subject, Subscriber, Subscription } from 'rxjs';
import { Disposable } from '../common/disposable';
import { PluginFailure, describeError } from '../common/errors';
import type { Clock } from '../sim/clock';
import type { EventInit, EventType, SimEvent } from './events';

export type EventHandler<K extends EventType> = (event: SimEvent<K>) => void;

/**
 * The control-plane event bus: one rxjs Subject per event type, dispatched synchronously in
 * subscription order. Subscribers that throw are isolated: the error becomes a `plugin.error`
 * event naming the owner and the event, and the run goes on, or (strict) the emit that
 * triggered it throws a PluginFailure once every subscriber has seen the event.
 */
export interface EventBus {
  /**
   * A typed stream of one event type, for composing with rxjs operators. `around` wraps each
   * direct subscriber (inside the error guard): the plugin host brackets them for the watchdog.
   */
  on<K extends EventType>(type: K, owner?: string, around?: (fn: (e: SimEvent<K>) => void) => (e: SimEvent<K>) => void): Observable<SimEvent<K>>;
  /** Calls `handler` for each event of `type`; errors are reported as `owner`'s. */
  subscribe<K extends EventType>(type: K, handler: EventHandler<K>, owner?: string): Disposable;
  /** Stamps `init` with the time and a sequence number and dispatches it. */
  emit<K extends EventType>(init: EventInit<K>): SimEvent<K>;
  /** True when someone listens to `type`: producers may skip building costly payloads. */
  hasSubscribers(type: EventType): boolean;
  /** Live subscriptions, for one type or in all. */
  subscriberCount(type?: EventType): number;
  /**
   * Reports an error raised by `owner`'s code outside a bus subscription (a data-plane hook,
   * an at-exit callback) as a `plugin.error`; under strict, throws a PluginFailure.
   */
  reportError(owner: string, event: string, err: unknown): void;
  /** Under strict, a subscriber error stops the run. */
  strict: boolean;
  /** Events emitted so far. */
  readonly emitted: number;
}
export const EventBus = Symbol.for('kvmsim.EventBus');

type AnySubject = Subject<SimEvent>;

export class SimEventBus implements EventBus {
  strict = false;
  private seq = 0;
  private readonly subjects = new Map<EventType, AnySubject>();
  private failure: PluginFailure | null = null;
  private reporting = false;

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  get emitted(): number {
    return this.seq;
  }

  private subject(type: EventType): AnySubject {
    let s = this.subjects.get(type);
    if (s === undefined) {
      s = new Subject<SimEvent>();
      this.subjects.set(type, s);
    }
    return s;
  }

  on<K extends EventType>(type: K, owner = `bus.on('${type}') subscriber`, around?: (fn: (e: SimEvent<K>) => void) => (e: SimEvent<K>) => void): Observable<SimEvent<K>> {
    const subject = this.subject(type) as unknown as Subject<SimEvent<K>>;
    return new GuardedObservable(subject, (fn) => this.guard(type, owner, around ? around(fn) : fn));
  }

  subscribe<K extends EventType>(type: K, handler: EventHandler<K>, owner = 'anonymous'): Disposable {
    const sub = (this.subject(type) as unknown as Subject<SimEvent<K>>).subscribe(this.guard(type, owner, handler));
    return Disposable.create(() => sub.unsubscribe());
  }

  emit<K extends EventType>(init: EventInit<K>): SimEvent<K> {
    const e = init as unknown as SimEvent<K> & { time: number; seq: number };
    e.time = this.clock.now;
    e.seq = this.seq++;
    const s = this.subjects.get(init.type);
    if (s !== undefined && s.observed) {
      s.next(e as unknown as SimEvent);
      if (this.failure !== null) {
        const f = this.failure;
        this.failure = null;
        throw f;
      }
    }
    return e;
  }

  hasSubscribers(type: EventType): boolean {
    const s = this.subjects.get(type);
    return s !== undefined && s.observed;
  }

  subscriberCount(type?: EventType): number {
    if (type !== undefined) return this.subjects.get(type)?.observers.length ?? 0;
    let n = 0;
    for (const s of this.subjects.values()) n += s.observers.length;
    return n;
  }

  private guard<T>(type: EventType, owner: string, fn: (v: T) => void): (v: T) => void {
    return (v: T) => {
      try {
        fn(v);
      } catch (err) {
        this.report(owner, type, err);
      }
    };
  }

  reportError(owner: string, event: string, err: unknown): void {
    this.report(owner, event, err);
    if (this.failure !== null) {
      const f = this.failure;
      this.failure = null;
      throw f;
    }
  }

  private report(owner: string, type: string, err: unknown): void {
    if (this.strict && this.failure === null) this.failure = new PluginFailure(owner, type, err);
    // A failing plugin.error subscriber must not report itself forever.
    if (type === 'plugin.error' || this.reporting) return;
    this.reporting = true;
    try {
      const s = this.subjects.get('plugin.error');
      const e = { type: 'plugin.error', plugin: owner, event: type, message: describeError(err), time: this.clock.now, seq: this.seq++ };
      if (s !== undefined && s.observed) s.next(e as SimEvent);
    } finally {
      this.reporting = false;
    }
  }
}

/**
 * An Observable whose direct subscribers are guarded: a throwing `next` is reported on the bus
 * synchronously instead of being rethrown asynchronously by rxjs. Operator chains (`pipe`)
 * report errors of operator functions as rxjs error notifications, as usual.
 */
class GuardedObservable<T> extends Observable<T> {
  constructor(
    src: Observable<T>,
    private readonly wrap: (fn: (v: T) => void) => (v: T) => void,
  ) {
    super((subscriber) => src.subscribe(subscriber));
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    if (typeof observerOrNext === 'function') return super.subscribe(this.wrap(observerOrNext));
    if (observerOrNext != null && !(observerOrNext instanceof Subscriber) && typeof observerOrNext.next === 'function') {
      const o = observerOrNext;
      return super.subscribe({ next: this.wrap((v) => o.next!(v)), error: o.error?.bind(o), complete: o.complete?.bind(o) });
    }
    return super.subscribe(observerOrNext ?? undefined);
  }
}
