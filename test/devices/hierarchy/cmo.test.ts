import { testMachine } from './machine';

const X = 0x3000;

describe('by-address D-cache operations', () => {
  it('DC CIVAC writes the newest data to memory and removes every copy', () => {
    const { ms, mem, cmos, clock } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, X, 4, 0xabc, true);
    ms.read('vcpu', 1, X, 4, true);
    const t0 = clock.now;
    const r = ms.dc('DC CIVAC', 1, X + 8);
    expect(mem.read(X, 4)).toBe(0xabc);
    expect(ms.residentCopies(X)).toEqual([]);
    expect(r).toEqual({ op: 'DC CIVAC', lines: 1, cycles: 3 });
    expect(clock.now - t0).toBe(3);
    expect(cmos).toHaveLength(1);
    expect(cmos[0]).toMatchObject({ type: 'cmo', op: 'DC CIVAC', cpu: 1, addr: X, size: 32, lines: 1, cycles: 3, time: t0 });
  });

  it('DC CVAC cleans to memory and keeps clean copies', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, X, 4, 0xabc, true);
    ms.dc('DC CVAC', 0, X);
    expect(mem.read(X, 4)).toBe(0xabc);
    const copies = ms.residentCopies(X);
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.every((c) => !c.dirty && c.data[0] === 0xbc)).toBe(true);
  });

  it('DC CVAU cleans to the PoU (the L2), not to memory', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, X, 4, 0xabc, true);
    ms.dc('DC CVAU', 0, X);
    expect(mem.read(X, 4)).toBe(0);
    expect(ms.residentCopies(X).map((c) => [c.cache, c.state, c.data[0]])).toEqual([
      ['system.cpu0.l1d', 'exclusive', 0xbc],
      ['system.l2', 'owned', 0xbc],
    ]);
  });

  it('DC IVAC discards dirty data, as on hardware', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    mem.write(X, 4, 0x1111);
    ms.write('vcpu', 0, X, 4, 0x2222, true);
    expect(ms.dc('DC IVAC', 0, X).lines).toBe(1);
    expect(ms.residentCopies(X)).toEqual([]);
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(0x1111);
  });

  it('DC ZVA zeroes the whole block coherently, as a store', () => {
    const { ms, cmos } = testMachine({ topology: 'tiny' });
    ms.writeBytes('vcpu', 1, X, new Uint8Array(32).fill(0xff), true);
    ms.dcZva(0, X + 13, true);
    const out = new Uint8Array(32);
    ms.readBytes('vcpu', 1, X, out, true);
    expect(out.every((b) => b === 0)).toBe(true);
    expect(cmos.at(-1)).toMatchObject({ op: 'DC ZVA', cpu: 0, addr: X, size: 32, lines: 1 });
    expect(cmos.at(-1)!.cycles).toBeGreaterThan(0);
  });

  it('range operations walk small ranges and apply to every resident line', () => {
    const { ms, mem, cmos } = testMachine({ topology: 'tiny' });
    for (let i = 0; i < 4; i++) ms.write('vcpu', i % 2, X + i * 32, 4, 0x100 + i, true);
    const r = ms.dcRange('DC CVAC', 0, X, 4 * 32 + 64);
    expect(r.lines).toBe(4);
    expect(r.cycles).toBe(6 * 3);
    for (let i = 0; i < 4; i++) expect(mem.read(X + i * 32, 4)).toBe(0x100 + i);
    expect(cmos.at(-1)).toMatchObject({ op: 'DC CVAC', addr: X, size: 192, lines: 4, cycles: 18 });
  });
});

describe('a range CMO over a huge range', () => {
  it('touches only the resident lines and charges the whole range', () => {
    const { ms, mem, clock, cmos } = testMachine({ topology: 'tiny', cpus: 2, memory: 1 << 20 });
    const addrs = [0x40, 0x1000, 0x8020, 0xf0000];
    addrs.forEach((a, i) => ms.write('vcpu', i % 2, a, 4, 0xbeef0000 + i, true));
    const resident = addrs.filter((a) => ms.residentCopies(a).some((c) => c.level !== 'l1i')).length;
    const t0 = clock.now;
    const size = 64 * 1024 ** 3;
    const r = ms.dcacheCleanInvalPoc(0, size, 0);
    const lines = size / 32;
    expect(r).toEqual({ op: 'dcache_clean_inval_poc', lines: resident, cycles: lines * 3 });
    expect(clock.now - t0).toBe(lines * 3);
    expect(cmos.at(-1)).toMatchObject({ op: 'dcache_clean_inval_poc', cpu: 0, addr: 0, size, lines: resident });
    addrs.forEach((a, i) => expect(mem.read(a, 4)).toBe(0xbeef0000 + i));
    for (const a of addrs) expect(ms.residentCopies(a).filter((c) => c.level !== 'l1i')).toEqual([]);
  });

  it('counts the same lines whether it walks the range or scans the caches', () => {
    const a = testMachine({ topology: 'tiny' });
    const b = testMachine({ topology: 'tiny' });
    for (const m of [a, b]) for (let i = 0; i < 20; i++) m.ms.write('vcpu', i % 2, 0x4000 + i * 96, 4, i, true);
    const walked = a.ms.dcRange('DC CIVAC', 0, 0x4000, 20 * 96); // fewer lines than cache slots
    const scanned = b.ms.dcRange('DC CIVAC', 0, 0, 1 << 20); // more: scans
    expect(walked.lines).toBe(scanned.lines);
    expect(walked.lines).toBeGreaterThan(0);
  });

  it('icacheInvalPou over a huge range removes only the resident I-lines', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    ms.fetch(0, 0x100, true);
    ms.fetch(1, 0x100, true);
    ms.fetch(1, 0x900, true);
    const r = ms.icacheInvalPou(0, 16 * 1024 ** 3, 1);
    expect(r.lines).toBe(2);
    expect(r.cycles).toBe((16 * 1024 ** 3 / 32) * 2 + 5);
    expect(ms.residentCopies(0x100)).toEqual([]);
  });
});

describe('I-cache operations', () => {
  function withIlines() {
    const t = testMachine({ topology: 'tiny', cpus: 2 });
    for (const cpu of [0, 1]) {
      t.ms.fetch(cpu, 0x100, true);
      t.ms.fetch(cpu, 0x200, true);
    }
    const ilines = (pa: number) => t.ms.residentCopies(pa).filter((c) => c.level === 'l1i').map((c) => c.cache);
    return { ...t, ilines };
  }

  it('IC IALLU invalidates the local core’s I-cache only', () => {
    const { ms, ilines } = withIlines();
    expect(ms.ic('IC IALLU', 0)).toEqual({ op: 'IC IALLU', lines: 2, cycles: 40 });
    expect(ilines(0x100)).toEqual(['system.cpu1.l1i']);
  });

  it('IC IALLUIS invalidates every core’s I-cache', () => {
    const { ms, ilines } = withIlines();
    expect(ms.ic('IC IALLUIS', 0).lines).toBe(4);
    expect(ilines(0x100)).toEqual([]);
    expect(ilines(0x200)).toEqual([]);
  });

  it('IC IVAU invalidates one line in every core’s I-cache', () => {
    const { ms, ilines } = withIlines();
    expect(ms.ic('IC IVAU', 0, 0x104)).toMatchObject({ lines: 1, cycles: 2 });
    expect(ilines(0x100)).toEqual([]);
    expect(ilines(0x200)).toEqual(['system.cpu0.l1i', 'system.cpu1.l1i']);
  });

  it('icacheInvalAllPou is IC IALLUIS; with DIC it returns at once', () => {
    const a = withIlines();
    expect(a.ms.icacheInvalAllPou(0)).toEqual({ op: 'icache_inval_all_pou', lines: 4, cycles: 40 });
    const b = testMachine({ topology: 'tiny', args: { idc: true, dic: true } });
    b.ms.fetch(0, 0x100, true);
    expect(b.ms.icacheInvalAllPou(0)).toEqual({ op: 'icache_inval_all_pou', lines: 0, cycles: 0 });
    expect(b.cmos.at(-1)).toMatchObject({ op: 'icache_inval_all_pou', lines: 0, cycles: 0 });
  });

  it('icacheInvalPou is IC IVAU per line plus an ISB; with DIC only the ISB', () => {
    const a = withIlines();
    expect(a.ms.icacheInvalPou(0x100, 0x101, 0)).toEqual({ op: 'icache_inval_pou', lines: 2, cycles: 9 * 2 + 5 });
    const b = testMachine({ topology: 'tiny', args: { idc: true, dic: true } });
    b.ms.fetch(0, 0x100, true);
    expect(b.ms.icacheInvalPou(0x100, 0x100, 0)).toEqual({ op: 'icache_inval_pou', lines: 0, cycles: 5 });
  });
});

describe('set/way operations are local to one core', () => {
  it('DC CSW writes a dirty L1 D line to the next level and keeps it clean', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, X, 4, 0x42, true);
    const set = (X / 32) % 4;
    let lines = 0;
    for (let w = 0; w < 2; w++) lines += ms.dcSetWay('DC CSW', 0, 1, set, w).lines;
    expect(lines).toBe(1);
    expect(ms.residentCopies(X).map((c) => [c.cache, c.state])).toEqual([
      ['system.cpu0.l1d', 'exclusive'],
      ['system.l2', 'owned'],
    ]);
    expect(mem.read(X, 4)).toBe(0);
  });

  it('DC ISW on one core drops its dirty line (data lost) and leaves other cores alone', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, X, 4, 0x42, true);
    ms.write('vcpu', 1, X + 0x400, 4, 0x43, true); // same L1 D set on cpu1
    ms.dcSetWayAll('DC ISW', 0, 1);
    expect(ms.read('vcpu', 0, X, 4, true)).toBe(0);
    expect(ms.residentCopies(X + 0x400).map((c) => [c.cache, c.state])).toContainEqual(['system.cpu1.l1d', 'modified']);
  });

  it('DC CISW over every level, as firmware loops do, flushes everything to memory', () => {
    const { ms, mem, cmos } = testMachine({ topology: 'tiny', cpus: 1 });
    for (let i = 0; i < 40; i++) ms.write('vcpu', 0, i * 32, 4, 1000 + i, true);
    const r1 = ms.dcSetWayAll('DC CISW', 0, 1);
    const r2 = ms.dcSetWayAll('DC CISW', 0, 2);
    expect(r1.lines).toBe(8);
    expect(r1.cycles).toBe(8 * 3);
    expect(r2.lines).toBe(32);
    expect(cmos.map((e) => e.op)).toEqual(['DC CISW', 'DC CISW']);
    for (let i = 0; i < 40; i++) expect(mem.read(i * 32, 4)).toBe(1000 + i);
    for (let i = 0; i < 40; i++) expect(ms.residentCopies(i * 32)).toEqual([]);
  });

  it('rejects a set, way or level the core does not have', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    expect(() => ms.dcSetWay('DC CSW', 0, 1, 4, 0)).toThrow(/set 4 is outside system\.cpu0\.l1d \(0\.\.3\)/);
    expect(() => ms.dcSetWay('DC CSW', 0, 1, 0, 2)).toThrow(/way 2 is outside/);
    expect(() => ms.dcSetWayAll('DC CSW', 0, 3)).toThrow(/cpu0 has cache levels 1\.\.2 \(l1d, l2\)/);
  });
});
