import type { MemoryAccess } from '../../../core';
import { CORTEX_A72 } from '../../../devices/hierarchy';
import { testMachine } from './machine';

describe('access API', () => {
  it('reads and writes 1, 2, 4 and 8 bytes little-endian; 8-byte reads put the high half in `hi`', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, 0x100, 8, 0x44332211, true, 0x88776655);
    expect(ms.read('vcpu', 0, 0x100, 1, true)).toBe(0x11);
    expect(ms.read('vcpu', 0, 0x102, 2, true)).toBe(0x4433);
    expect(ms.read('vcpu', 0, 0x104, 4, true)).toBe(0x88776655);
    expect(ms.read('vcpu', 1, 0x100, 8, true)).toBe(0x44332211);
    expect(ms.hi).toBe(0x88776655);
    ms.write('vcpu', 0, 0x100, 4, 0xffffffff, true);
    expect(ms.read('vcpu', 0, 0x100, 4, true)).toBe(0xffffffff);
    expect(ms.read('vcpu', 0, 0x100, 8, false)).toBe(0); // memory untouched
    expect(() => ms.read('vcpu', 0, 0x100, 3, true)).toThrow(/size must be 1, 2, 4 or 8 bytes, got 3/);
    expect(() => ms.read('vcpu', 2, 0x100, 4, true)).toThrow(/no core 2: this machine has 2 cores/);
  });

  it('splits unaligned accesses that straddle two lines', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    ms.write('vcpu', 0, 0x11e, 4, 0xa1b2c3d4, true); // lines 0x100 and 0x120
    expect(ms.read('vcpu', 1, 0x11e, 4, true)).toBe(0xa1b2c3d4);
    expect(ms.read('vcpu', 1, 0x120, 2, true)).toBe(0xa1b2);
    ms.write('vcpu', 1, 0x13d, 8, 0x01020304, true, 0x05060708);
    expect(ms.read('vcpu', 0, 0x13d, 8, true)).toBe(0x01020304);
    expect(ms.hi).toBe(0x05060708);
    ms.dcacheCleanInvalPoc(0x100, 0x80);
    expect(mem.read(0x11e, 4)).toBe(0xa1b2c3d4);
  });

  it('moves bulk bytes line by line, cacheable or not', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    const img = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff);
    ms.writeBytes('host', 0, 0x205, img, true);
    const back = new Uint8Array(200);
    ms.readBytes('vcpu', 1, 0x205, back, true);
    expect(back).toEqual(img);
    const nc = new Uint8Array(200);
    ms.readBytes('vcpu', 1, 0x205, nc, false);
    expect(nc.some((b) => b !== 0)).toBe(false); // the image is still dirty in the caches
    ms.writeBytes('device', -1, 0x1000, img, true);
    const m = new Uint8Array(200);
    mem.readInto(0x1000, m, 0, 200);
    expect(m).toEqual(img);
  });

  it('reports out-of-range accesses with the PA', () => {
    const { ms } = testMachine({ topology: 'tiny', memory: 0x10000 });
    expect(() => ms.read('vcpu', 0, 0x10000, 4, true)).toThrow(/physical address 0x10000 \(access of 32 bytes\) is outside physical memory \[0x0, 0x10000\)/);
    expect(() => ms.write('vcpu', 0, 0x20000, 4, 1, false)).toThrow(/physical address 0x20000/);
  });

  it('charges each access the latency of the level that served it, per core', () => {
    const { ms, clock, stats } = testMachine({ topology: 'tiny' });
    let t = clock.now;
    ms.read('vcpu', 0, 0x100, 4, true);
    expect([ms.lastLevel, clock.now - t]).toEqual(['memory', 50]);
    t = clock.now;
    ms.read('vcpu', 0, 0x104, 4, true);
    expect([ms.lastLevel, clock.now - t]).toEqual(['l1d', 2]);
    t = clock.now;
    ms.read('vcpu', 1, 0x108, 4, true);
    expect([ms.lastLevel, clock.now - t]).toEqual(['l1d', 10]); // snooped from cpu0
    t = clock.now;
    ms.fetch(1, 0x100, true);
    expect([ms.lastLevel, clock.now - t]).toEqual(['l2', 8]);
    t = clock.now;
    ms.read('vcpu', 1, 0x100, 4, false);
    expect([ms.lastLevel, clock.now - t]).toEqual(['memory', 50]);
    expect(stats.value('system.cpu0.mem_cycles')).toBe(52);
    expect(stats.value('system.cpu1.mem_cycles')).toBe(68);
  });

  it('keeps gem5-style stats per cache', () => {
    const { ms, stats } = testMachine({ topology: 'tiny' });
    ms.read('vcpu', 0, 0x100, 4, true);
    ms.read('vcpu', 0, 0x100, 4, true);
    ms.fetch(0, 0x100, true);
    expect(stats.snapshot('system.cpu0.l1d')).toMatchObject({
      'system.cpu0.l1d.hits': 1,
      'system.cpu0.l1d.misses': 1,
      'system.cpu0.l1d.evictions': 0,
      'system.cpu0.l1d.writebacks': 0,
      'system.cpu0.l1d.miss_rate': 0.5,
    });
    expect(stats.value('system.cpu0.l1i.misses')).toBe(1);
    expect(stats.value('system.l2.misses')).toBe(1);
    expect(stats.value('system.l2.hits')).toBe(1);
    const n1 = testMachine({ topology: 'neoverse-n1' }).stats.names();
    expect(n1).toEqual(expect.arrayContaining(['system.cpu1.l2.hits', 'system.slc.misses', 'system.cpu1.l1i.evictions']));
  });
});

describe('data-plane hook', () => {
  it('is not fired when no plugin registered one', () => {
    const { ms, inst } = testMachine({ topology: 'tiny' });
    const spy = jest.spyOn(inst, 'fireMemoryAccess');
    ms.write('vcpu', 0, 0x100, 4, 1, true);
    ms.read('vcpu', 0, 0x100, 4, true);
    ms.fetch(0, 0x100, true);
    ms.writeBytes('host', 0, 0x200, new Uint8Array(70), true);
    expect(spy).not.toHaveBeenCalled();
  });

  it('gets agent, cpu, kind, PA, bytes, cacheability and the level that served each access', () => {
    const { ms, inst } = testMachine({ topology: 'tiny' });
    const seen: string[] = [];
    const d = inst.onMemoryAccess((a: MemoryAccess) =>
      seen.push(`${a.agent}/${a.cpu} ${a.kind} ${a.addr.toString(16)} ${Buffer.from(a.data).toString('hex')} ${a.cacheable ? 'c' : 'nc'} ${a.level}`),
    );
    ms.write('host', 1, 0x100, 4, 0xd503201f, true);
    ms.read('vcpu', 0, 0x100, 2, true);
    ms.fetch(0, 0x100, true);
    ms.read('vcpu', 0, 0x100, 4, false);
    ms.write('device', 5, 0x140, 1, 0xee, true);
    ms.read('vcpu', 0, 0x11f, 2, true); // split: one callback per line
    d.dispose();
    ms.read('vcpu', 0, 0x100, 4, true);
    expect(seen).toEqual([
      'host/1 write 100 1f2003d5 c memory',
      'vcpu/0 read 100 1f20 c l1d',
      'vcpu/0 exec 100 00000000 c l2',
      'vcpu/0 read 100 00000000 nc memory',
      'device/-1 write 140 ee nc memory',
      'vcpu/0 read 11f 00 c l1d',
      'vcpu/0 read 120 00 c memory',
    ]);
  });
});

describe('topology', () => {
  it('defaults to cortex-a72 without a topology plugin', () => {
    const { ms } = testMachine({ cpus: 1 });
    expect(ms.topology).toBe(CORTEX_A72);
    expect([ms.idc, ms.dic, ms.fwb, ms.lineSize]).toEqual([false, false, false, 64]);
  });

  it('exposes FWB for stage 2, from the topology or its args', () => {
    expect(testMachine({ topology: 'neoverse-n1' }).ms.fwb).toBe(true);
    expect(testMachine({ topology: 'tiny' }).ms.fwb).toBe(false);
    expect(testMachine({ topology: 'neoverse-n1', args: { fwb: false } }).ms.fwb).toBe(false);
  });
});
