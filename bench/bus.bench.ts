/**
 * Control-plane dispatch cost: events/s through the kvmsim bus with 3 subscribers, through a
 * bare rxjs Subject with 3 subscribers, and through plain callbacks, measured in one run.
 * Target: the bus reaches at least 0.8x the bare Subject.
 */
import { Subject } from 'rxjs';
import { SimClock, SimEventBus } from '../core';
import { bestOf, round } from './timing';

const N = 2_000_000;

export function run(): Record<string, unknown> {
  let sink = 0;
  const bus = new SimEventBus(new SimClock());
  for (let i = 0; i < 3; i++) bus.subscribe('cmo', (e) => (sink += e.lines), `sub${i}`);
  const subject = new Subject<{ type: 'cmo'; lines: number; time: number; seq: number }>();
  for (let i = 0; i < 3; i++) subject.subscribe((e) => (sink += e.lines));
  const callbacks: ((e: { lines: number }) => void)[] = [];
  for (let i = 0; i < 3; i++) callbacks.push((e) => (sink += e.lines));

  // Each producer builds a fresh event object per emit, as real producers do.
  const viaBus = () => {
    for (let i = 0; i < N; i++) bus.emit({ type: 'cmo', op: 'DC CIVAC', cpu: 0, addr: i, size: 64, lines: 1, cycles: 1 });
  };
  let seq = 0;
  const viaSubject = () => {
    for (let i = 0; i < N; i++) subject.next({ type: 'cmo', lines: 1, time: 0, seq: seq++ });
  };
  const viaCallbacks = () => {
    for (let i = 0; i < N; i++) {
      const e = { type: 'cmo', lines: 1, time: 0, seq: seq++ };
      for (let j = 0; j < callbacks.length; j++) callbacks[j](e);
    }
  };
  // Warm up all three, then interleave the measurements.
  viaBus();
  viaSubject();
  viaCallbacks();
  let tBus = Infinity;
  let tSubject = Infinity;
  let tCallbacks = Infinity;
  for (let r = 0; r < 5; r++) {
    tBus = Math.min(tBus, bestOf(1, viaBus));
    tSubject = Math.min(tSubject, bestOf(1, viaSubject));
    tCallbacks = Math.min(tCallbacks, bestOf(1, viaCallbacks));
  }
  if (sink === 0) throw new Error('bench subscribers saw no events');
  return {
    subscribers: 3,
    events: N,
    busEventsPerSec: Math.round(N / tBus),
    subjectEventsPerSec: Math.round(N / tSubject),
    callbacksEventsPerSec: Math.round(N / tCallbacks),
    busVsSubject: round(tSubject / tBus),
    target: 'busVsSubject >= 0.8',
  };
}
