import { map } from 'rxjs';
import { PluginFailure, SimClock, SimEventBus, type SimEvent } from '../../core';

function makeBus() {
  const clock = new SimClock();
  return { clock, bus: new SimEventBus(clock) };
}

const cmo = (addr: number) => ({ type: 'cmo' as const, op: 'DC CIVAC' as const, cpu: 0, addr, size: 64, lines: 1, cycles: 4 });

describe('event bus', () => {
  it('delivers events synchronously, in subscription order, stamped with time and sequence', () => {
    const { bus, clock } = makeBus();
    const seen: string[] = [];
    bus.subscribe('vcpu.run', (e) => seen.push(`a:${e.vcpu}@${e.time}#${e.seq}`), 'a');
    bus.subscribe('vcpu.run', (e) => seen.push(`b:${e.vcpu}@${e.time}#${e.seq}`), 'b');
    clock.advance(7);
    bus.emit({ type: 'vcpu.run', vcpu: 1 });
    seen.push('after emit');
    clock.advance(3);
    bus.emit({ type: 'vcpu.run', vcpu: 2 });
    expect(seen).toEqual(['a:1@7#0', 'b:1@7#0', 'after emit', 'a:2@10#1', 'b:2@10#1']);
  });

  it('keeps one stream per event type', () => {
    const { bus } = makeBus();
    const runs: number[] = [];
    const exits: string[] = [];
    bus.subscribe('vcpu.run', (e) => runs.push(e.vcpu));
    bus.subscribe('vcpu.exit', (e) => exits.push(e.reason));
    bus.emit({ type: 'vcpu.exit', vcpu: 0, reason: 'mmio', detail: 'uart', pc: 0x40000000 });
    bus.emit({ type: 'vcpu.run', vcpu: 3 });
    expect(runs).toEqual([3]);
    expect(exits).toEqual(['mmio']);
  });

  it('dispatches nested emits depth-first, deterministically', () => {
    const { bus } = makeBus();
    const order: string[] = [];
    bus.subscribe('vcpu.reset', (e) => {
      order.push(`reset${e.vcpu}`);
      bus.emit(cmo(0));
      order.push(`reset${e.vcpu} done`);
    });
    bus.subscribe('cmo', () => order.push('cmo'));
    bus.emit({ type: 'vcpu.reset', vcpu: 0 });
    expect(order).toEqual(['reset0', 'cmo', 'reset0 done']);
  });

  it('gives typed observables that compose with rxjs operators', () => {
    const { bus } = makeBus();
    const addrs: number[] = [];
    const sub = bus
      .on('cmo')
      .pipe(map((e: SimEvent<'cmo'>) => e.addr))
      .subscribe((a) => addrs.push(a));
    bus.emit(cmo(64));
    bus.emit(cmo(128));
    sub.unsubscribe();
    bus.emit(cmo(192));
    expect(addrs).toEqual([64, 128]);
  });

  it('isolates a throwing subscriber: reports plugin.error naming plugin and event, others still run', () => {
    const { bus } = makeBus();
    const errors: SimEvent<'plugin.error'>[] = [];
    const after: number[] = [];
    bus.subscribe('plugin.error', (e) => errors.push(e));
    bus.subscribe('cmo', () => {
      throw new Error('boom');
    }, 'faulty');
    bus.subscribe('cmo', (e) => after.push(e.addr), 'healthy');
    expect(() => bus.emit(cmo(64))).not.toThrow();
    expect(after).toEqual([64]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ plugin: 'faulty', event: 'cmo', message: 'boom' });
  });

  it('isolates errors thrown by direct subscribers of on()', () => {
    const { bus } = makeBus();
    const errors: string[] = [];
    bus.subscribe('plugin.error', (e) => errors.push(`${e.plugin}/${e.event}/${e.message}`));
    bus.on('vcpu.run', 'viewer').subscribe(() => {
      throw new Error('bad render');
    });
    bus.emit({ type: 'vcpu.run', vcpu: 0 });
    expect(errors).toEqual(['viewer/vcpu.run/bad render']);
  });

  it('under strict, lets every subscriber see the event, then throws a PluginFailure', () => {
    const { bus } = makeBus();
    bus.strict = true;
    const after: number[] = [];
    bus.subscribe('cmo', () => {
      throw new Error('boom');
    }, 'faulty');
    bus.subscribe('cmo', (e) => after.push(e.addr), 'healthy');
    let caught: unknown;
    try {
      bus.emit(cmo(64));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PluginFailure);
    expect((caught as PluginFailure).message).toBe("plugin 'faulty' failed while handling 'cmo': boom");
    expect(after).toEqual([64]);
    // The failure is consumed: the next emit without errors goes through.
    bus.strict = false;
    expect(() => bus.emit({ type: 'vcpu.run', vcpu: 0 })).not.toThrow();
  });

  it('does not loop when a plugin.error subscriber throws', () => {
    const { bus } = makeBus();
    let calls = 0;
    bus.subscribe('plugin.error', () => {
      calls++;
      throw new Error('again');
    });
    bus.subscribe('cmo', () => {
      throw new Error('first');
    });
    bus.emit(cmo(0));
    expect(calls).toBe(1);
  });

  it('disposing a subscription leaves no subscriber behind', () => {
    const { bus } = makeBus();
    expect(bus.subscriberCount()).toBe(0);
    const a = bus.subscribe('cmo', () => {});
    const b = bus.subscribe('vcpu.run', () => {});
    expect(bus.subscriberCount()).toBe(2);
    expect(bus.hasSubscribers('cmo')).toBe(true);
    a.dispose();
    a.dispose();
    b.dispose();
    expect(bus.subscriberCount()).toBe(0);
    expect(bus.hasSubscribers('cmo')).toBe(false);
  });

  it('reportError reports data-plane errors and throws under strict', () => {
    const { bus } = makeBus();
    const errors: string[] = [];
    bus.subscribe('plugin.error', (e) => errors.push(`${e.plugin}:${e.event}`));
    bus.reportError('hook', 'memory access', new Error('x'));
    expect(errors).toEqual(['hook:memory access']);
    bus.strict = true;
    expect(() => bus.reportError('hook', 'memory access', new Error('y'))).toThrow(PluginFailure);
  });
});
