import { InputError, SeededRng, SimStats } from '../../../core';
import { BuiltinReplacementFactory, Cache, FifoPolicy, LineState, LruPolicy, RandomPolicy, TreePlruPolicy } from '../../../devices/cache';

describe('replacement policies', () => {
  it('LRU evicts the least recently used way', () => {
    const p = new LruPolicy(1, 4);
    for (let w = 0; w < 4; w++) p.fill(w);
    p.touch(0);
    p.touch(2);
    expect(p.victim(0)).toBe(1);
    p.touch(1);
    expect(p.victim(0)).toBe(3);
  });

  it('tree-PLRU points away from recently used halves', () => {
    const p = new TreePlruPolicy(2, 4);
    for (let w = 0; w < 4; w++) p.fill(4 + w); // set 1
    // After touching 0,1,2,3 in order: root points left (3 was last), left node points to 0's sibling... victim is 0.
    expect(p.victim(1)).toBe(0);
    p.touch(4 + 0);
    expect(p.victim(1)).toBe(2);
    p.touch(4 + 2);
    expect(p.victim(1)).toBe(1);
    expect(p.victim(0)).toBe(0); // set 0 untouched
  });

  it('tree-PLRU refuses a number of ways that is not a power of two', () => {
    expect(() => new TreePlruPolicy(4, 3)).toThrow(InputError);
  });

  it('FIFO evicts the oldest installed line whatever was hit since', () => {
    const p = new FifoPolicy(1, 3);
    p.fill(0);
    p.fill(1);
    p.fill(2);
    p.touch(0);
    p.touch(0);
    expect(p.victim(0)).toBe(0);
    p.fill(0);
    expect(p.victim(0)).toBe(1);
  });

  it('random is seeded: same seed, same victims, every way reachable', () => {
    const a = new RandomPolicy(4, new SeededRng(7));
    const b = new RandomPolicy(4, new SeededRng(7));
    const va = Array.from({ length: 64 }, () => a.victim(0));
    const vb = Array.from({ length: 64 }, () => b.victim(0));
    expect(va).toEqual(vb);
    expect(new Set(va)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('the factory makes each policy by name and rejects unknown names', () => {
    const f = new BuiltinReplacementFactory();
    const rng = new SeededRng(1);
    expect(f.names()).toEqual(['lru', 'plru', 'fifo', 'random']);
    for (const n of f.names()) expect(f.create(n, 4, 4, rng).name).toBe(n);
    expect(() => f.create('mru', 4, 4, rng)).toThrow(/unknown replacement policy 'mru'; expected one of: lru, plru, fifo, random/);
  });
});

describe('Cache', () => {
  const make = (replacement = 'lru') =>
    new Cache(
      { size: 256, ways: 2, lineSize: 32, level: 'l1d', depth: 1, statName: 'system.cpu0.l1d', replacement, hitLatency: 1 },
      new BuiltinReplacementFactory(),
      new SeededRng(1),
      new SimStats(),
    );

  it('keeps line data per slot and finds lines by number', () => {
    const c = make();
    expect(c.sets).toBe(4);
    const slot = c.chooseSlot(9); // set 1
    expect(Math.floor(slot / c.ways)).toBe(1);
    c.install(slot, 9, LineState.EXCLUSIVE);
    c.data[slot * 32 + 5] = 0xab;
    expect(c.lookup(9)).toBe(slot);
    expect(c.lookup(13)).toBe(-1);
    expect(c.data[c.lookup(9) * 32 + 5]).toBe(0xab);
  });

  it('fills invalid ways first, then asks the policy for a victim', () => {
    const c = make();
    const a = c.chooseSlot(1);
    c.install(a, 1, LineState.SHARED);
    const b = c.chooseSlot(5);
    expect(b).not.toBe(a);
    c.install(b, 5, LineState.SHARED);
    c.repl.touch(a);
    expect(c.chooseSlot(9)).toBe(b);
    expect(c.invalidateAll()).toBe(2);
    expect(c.lookup(1)).toBe(-1);
  });

  it('registers gem5-style stats under its name', () => {
    const stats = new SimStats();
    new Cache(
      { size: 256, ways: 2, lineSize: 32, level: 'l2', depth: 2, statName: 'system.l2', replacement: 'fifo', hitLatency: 1 },
      new BuiltinReplacementFactory(),
      new SeededRng(1),
      stats,
    );
    expect(stats.names()).toEqual(['system.l2.evictions', 'system.l2.hits', 'system.l2.miss_rate', 'system.l2.misses', 'system.l2.writebacks']);
  });
});
