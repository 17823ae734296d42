import { testMachine } from './machine';

const X = 0x1000;

describe('cacheable data accesses are coherent across D-caches', () => {
  it('a read finds the newest copy in another core’s L1 D (snoop)', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, X, 4, 0xcafe, true);
    expect(ms.read('vcpu', 1, X, 4, true)).toBe(0xcafe);
    expect(ms.lastLevel).toBe('l1d');
    const copies = ms.residentCopies(X).filter((c) => c.level === 'l1d');
    expect(copies.map((c) => [c.cache, c.state])).toEqual([
      ['system.cpu0.l1d', 'owned'],
      ['system.cpu1.l1d', 'shared'],
    ]);
  });

  it('a write invalidates every other copy', () => {
    const { ms } = testMachine({ topology: 'tiny', cpus: 3 });
    ms.write('vcpu', 0, X, 4, 1, true);
    ms.read('vcpu', 1, X, 4, true);
    ms.read('vcpu', 2, X, 4, true);
    ms.write('vcpu', 1, X + 4, 4, 2, true);
    const l1 = ms.residentCopies(X).filter((c) => c.level === 'l1d');
    expect(l1.map((c) => [c.cache, c.state])).toEqual([['system.cpu1.l1d', 'modified']]);
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(1);
    expect(ms.read('vcpu', 2, X + 4, 4, true)).toBe(2);
  });

  it('the VMM (host agent) writes through a core’s L1 D and guests see it coherently', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    ms.writeBytes('host', 1, X, Uint8Array.from([1, 2, 3, 4]), true);
    expect(mem.read(X, 4)).toBe(0); // still dirty in cpu1's L1 D
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(0x04030201);
  });

  it('a line with no other copy is filled exclusive, and a store to it needs no snoop', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    ms.read('vcpu', 0, X, 4, true);
    expect(ms.residentCopies(X).find((c) => c.level === 'l1d')!.state).toBe('exclusive');
    ms.write('vcpu', 0, X, 4, 9, true);
    expect(ms.residentCopies(X).find((c) => c.level === 'l1d')!.state).toBe('modified');
  });

  it('dirty lines evicted to a private L2 are found by other cores (neoverse-n1)', () => {
    const { ms } = testMachine({ topology: 'neoverse-n1' });
    ms.write('vcpu', 0, X, 4, 0x77, true);
    // Push the line out of cpu0's L1 D into its private L2, as an eviction would.
    const shape = ms.cacheShape(0, 1);
    const set = (X / ms.lineSize) % shape.sets;
    for (let w = 0; w < shape.ways; w++) ms.dcSetWay('DC CISW', 0, 1, set, w);
    expect(ms.residentCopies(X).map((c) => [c.cache, c.state])).toEqual([
      ['system.cpu0.l2', 'owned'],
      ['system.slc', 'shared'], // filled from memory on the first store, now stale behind the L2
    ]);
    expect(ms.read('vcpu', 1, X, 4, true)).toBe(0x77);
    expect(ms.lastLevel).toBe('l2');
    ms.write('vcpu', 1, X, 4, 0x78, true);
    // cpu1's store removed the copy in cpu0's private L2 (off its path); the SLC is on its path.
    expect(ms.residentCopies(X).map((c) => c.cache)).toEqual(['system.cpu1.l1d', 'system.slc']);
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(0x78);
  });

  it('evictions write dirty lines back and nothing is lost (tiny)', () => {
    const { ms, stats } = testMachine({ topology: 'tiny' });
    // Three lines in one L1 D set (4 sets of 32 B): the third evicts the first.
    ms.write('vcpu', 0, 0x0, 4, 0xa, true);
    ms.write('vcpu', 0, 0x80, 4, 0xb, true);
    ms.write('vcpu', 0, 0x100, 4, 0xc, true);
    expect(stats.value('system.cpu0.l1d.evictions')).toBe(1);
    expect(stats.value('system.cpu0.l1d.writebacks')).toBe(1);
    expect(ms.residentCopies(0x0).map((c) => [c.cache, c.dirty])).toEqual([['system.l2', true]]);
    expect(ms.read('vcpu', 0, 0x0, 4, true)).toBe(0xa);
    expect(ms.lastLevel).toBe('l2');
  });
});

describe('non-cacheable data accesses see no cache', () => {
  it('read stale memory while a dirty line sits in a cache', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    ms.write('host', 0, X, 4, 0x1234, true);
    expect(ms.read('vcpu', 1, X, 4, false)).toBe(0);
    expect(ms.lastLevel).toBe('memory');
  });

  it('write memory directly, leaving cached copies as they were', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(0); // caches a clean copy
    ms.write('vcpu', 0, X, 4, 0x55, false);
    expect(mem.read(X, 4)).toBe(0x55);
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(0); // the stale clean line still hits
    ms.dc('DC IVAC', 0, X);
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(0x55);
  });

  it('device (DMA) accesses use no cache whatever they ask', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    ms.write('device', -1, X, 4, 0x99, true);
    expect(mem.read(X, 4)).toBe(0x99);
    expect(ms.residentCopies(X)).toEqual([]);
  });
});
