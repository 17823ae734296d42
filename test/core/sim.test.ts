import fc from 'fast-check';
import { ChromeTraceRecorder, DisposableCollection, Disposable, SeededRng, SimStats } from '../../core';

describe('seeded RNG', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const draw = (seed: number) => {
      const r = new SeededRng(seed);
      return Array.from({ length: 16 }, () => r.nextU32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('forks independent streams by label, unaffected by draws on the parent', () => {
    const a = new SeededRng(5);
    const b = new SeededRng(5);
    for (let i = 0; i < 100; i++) b.nextU32();
    expect(a.fork('l2.replacement').nextU32()).toBe(b.fork('l2.replacement').nextU32());
    expect(a.fork('x').nextU32()).not.toBe(a.fork('y').nextU32());
  });

  it('keeps nextInt within range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 1 << 30 }), (seed, n) => {
        const r = new SeededRng(seed);
        for (let i = 0; i < 20; i++) {
          const v = r.nextInt(n);
          if (!(Number.isInteger(v) && v >= 0 && v < n)) return false;
        }
        return true;
      }),
    );
    expect(() => new SeededRng(1).nextInt(0)).toThrow('n must be positive');
  });
});

describe('stats registry', () => {
  it('names stats hierarchically and writes them sorted, as aligned text and JSON', () => {
    const s = new SimStats();
    s.counter('system.l2.misses', 'L2 misses').inc(3);
    const hits = s.counter('system.cpu0.l1d.hits', 'L1 D hits');
    hits.value += 10;
    s.formula('system.cpu0.l1d.hit_ratio', 'hits / accesses', () => hits.value / 16);
    expect(s.counter('system.l2.misses', 'again')).toBe(s.get('system.l2.misses'));
    expect(s.names()).toEqual(['system.cpu0.l1d.hit_ratio', 'system.cpu0.l1d.hits', 'system.l2.misses']);
    expect(s.snapshot('system.cpu0')).toEqual({ 'system.cpu0.l1d.hit_ratio': 0.625, 'system.cpu0.l1d.hits': 10 });
    const text = s.toText();
    expect(text).toMatch(/^system\.cpu0\.l1d\.hit_ratio +0\.625000 +# hits \/ accesses$/m);
    expect(text).toMatch(/^system\.l2\.misses +3 +# L2 misses$/m);
    const cols = text.split('\n').filter((l) => l.startsWith('system.')).map((l) => l.indexOf('#'));
    expect(new Set(cols).size).toBe(1);
    expect(s.toJSON()).toEqual({ 'system.cpu0.l1d.hit_ratio': 0.625, 'system.cpu0.l1d.hits': 10, 'system.l2.misses': 3 });
  });

  it('rejects bad names and kind clashes', () => {
    const s = new SimStats();
    expect(() => s.counter('system..l2', 'x')).toThrow("invalid stat name 'system..l2'");
    s.counter('a.b', 'x');
    expect(() => s.formula('a.b', 'y', () => 1)).toThrow("stat 'a.b' already exists and is not a formula");
  });
});

describe('trace recorder', () => {
  it('records nothing until enabled, then Chrome Trace Events with named tracks', () => {
    const t = new ChromeTraceRecorder('m');
    t.instant('vcpu0', 'x', 10);
    expect(t.events).toHaveLength(0);
    t.enable();
    t.instant('vcpu0', 'vcpu.run', 1000, { vcpu: 0 });
    t.slice('vcpu0', 'KVM_RUN', 1000, 4500);
    t.instant('stage2', 'stage2.map', 1200);
    t.counter('kvm', 'pending_ops', 1300, { bits: 3 });
    const j = t.toJSON();
    expect(j.displayTimeUnit).toBe('ns');
    const names = j.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args!.name);
    expect(names).toEqual(['vcpu0', 'stage2', 'kvm']);
    expect(j.traceEvents.find((e) => e.ph === 'X')).toMatchObject({ ts: 1, dur: 3.5, tid: 1 });
    expect(j.traceEvents.find((e) => e.name === 'stage2.map')).toMatchObject({ ph: 'i', s: 't', tid: 2, ts: 1.2 });
  });
});

describe('disposables', () => {
  it('dispose in reverse order, once, and collect late additions', () => {
    const order: string[] = [];
    const c = new DisposableCollection();
    c.push(Disposable.create(() => order.push('a')));
    const b = c.push(Disposable.create(() => order.push('b')));
    c.push(Disposable.create(() => order.push('c')));
    b.dispose();
    c.dispose();
    c.dispose();
    c.push(Disposable.create(() => order.push('late')));
    expect(order).toEqual(['b', 'c', 'a', 'late']);
  });
});
