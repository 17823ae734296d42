import fc from 'fast-check';
import type { AccessAgent } from '../../../core';
import { testMachine } from './machine';

/**
 * Random sequences of accesses (several cores, cacheable and not, host and vcpu agents) and
 * CMOs on the tiny topology (32-byte lines, 8-line L1s, 32-line L2), checked against a flat
 * shadow of what was written.
 */
const SPACE = 2048;
const CPUS = 3;
const LINE = 32;

type Cmd =
  | { t: 'write'; agent: AccessAgent; cpu: number; addr: number; size: number; value: number; hi: number }
  | { t: 'read'; agent: AccessAgent; cpu: number; addr: number; size: number }
  | { t: 'ncRead'; cpu: number; addr: number; size: number }
  | { t: 'ncWrite'; cpu: number; addr: number; size: number; value: number }
  | { t: 'bulk'; cpu: number; addr: number; bytes: number[] }
  | { t: 'dc'; op: 'DC CIVAC' | 'DC CVAC' | 'DC CVAU'; cpu: number; addr: number }
  | { t: 'zva'; cpu: number; addr: number }
  | { t: 'ic'; op: 'IC IALLU' | 'IC IALLUIS' | 'IC IVAU'; cpu: number; addr: number }
  | { t: 'setway'; op: 'DC CSW' | 'DC CISW'; cpu: number; level: number; set: number; way: number }
  | { t: 'setwayAll'; op: 'DC CSW' | 'DC CISW'; cpu: number; level: number }
  | { t: 'fetch'; cpu: number; addr: number }
  | { t: 'flushCheck'; cpu: number; addr: number; len: number }
  | { t: 'codeCheck'; cpu: number; by: number; addr: number; all: boolean };

const cpu = fc.integer({ min: 0, max: CPUS - 1 });
const agent = fc.constantFrom<AccessAgent>('vcpu', 'host');
const size = fc.constantFrom(1, 2, 4, 8);
const addrFor = (n: number) => fc.integer({ min: 0, max: SPACE - n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const sized = <T>(f: (s: number) => fc.Arbitrary<T>) => size.chain(f);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 10, arbitrary: sized((s) => fc.record({ t: fc.constant('write' as const), agent, cpu, addr: addrFor(s), size: fc.constant(s), value: u32, hi: u32 })) },
  { weight: 8, arbitrary: sized((s) => fc.record({ t: fc.constant('read' as const), agent, cpu, addr: addrFor(s), size: fc.constant(s) })) },
  { weight: 2, arbitrary: sized((s) => fc.record({ t: fc.constant('ncRead' as const), cpu, addr: addrFor(s), size: fc.constant(s) })) },
  { weight: 2, arbitrary: fc.constantFrom(1, 2, 4).chain((s) => fc.record({ t: fc.constant('ncWrite' as const), cpu, addr: addrFor(s), size: fc.constant(s), value: u32 })) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('bulk' as const), cpu, addr: addrFor(100), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 100 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('dc' as const), op: fc.constantFrom('DC CIVAC' as const, 'DC CVAC' as const, 'DC CVAU' as const), cpu, addr: addrFor(1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('zva' as const), cpu, addr: addrFor(1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('ic' as const), op: fc.constantFrom('IC IALLU' as const, 'IC IALLUIS' as const, 'IC IVAU' as const), cpu, addr: addrFor(1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('setway' as const),
      op: fc.constantFrom('DC CSW' as const, 'DC CISW' as const),
      cpu,
      level: fc.constantFrom(1, 2),
      set: fc.integer({ min: 0, max: 7 }),
      way: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('setwayAll' as const), op: fc.constantFrom('DC CSW' as const, 'DC CISW' as const), cpu, level: fc.constantFrom(1, 2) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fetch' as const), cpu, addr: addrFor(4).map((a) => a & ~3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flushCheck' as const), cpu, addr: addrFor(1), len: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('codeCheck' as const), cpu, by: cpu, addr: addrFor(4).map((a) => a & ~3), all: fc.boolean() }) },
);

// Every host the architecture allows: DIC only with IDC.
const flags = fc
  .record({
    idc: fc.boolean(),
    dic: fc.boolean(),
    replacement: fc.constantFrom('lru' as const, 'plru' as const, 'fifo' as const, 'random' as const),
  })
  .map((f) => ({ ...f, dic: f.idc && f.dic }));

function run(f: { idc: boolean; dic: boolean; replacement: 'lru' | 'plru' | 'fifo' | 'random' }, cmds: Cmd[], seed: number) {
  const { ms, mem } = testMachine({ topology: 'tiny', cpus: CPUS, memory: SPACE, seed, args: f });
  const shadow = new Uint8Array(SPACE);
  const le = (addr: number, n: number) => {
    let v = 0;
    for (let i = Math.min(n, 4) - 1; i >= 0; i--) v = v * 256 + shadow[addr + i];
    return v;
  };
  const put = (addr: number, n: number, lo: number, hi: number) => {
    for (let i = 0; i < n; i++) shadow[addr + i] = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
  };
  /** (2) Memory plus dirty lines hold exactly what was written. */
  const checkNoLoss = (step: number) => {
    for (let line = 0; line < SPACE / LINE; line++) {
      const copies = ms.residentCopies(line * LINE).filter((c) => c.level !== 'l1i');
      const dirty = copies.filter((c) => c.dirty).sort((a, b) => a.depth - b.depth);
      if (dirty.length > 1 && dirty[0].depth === dirty[1].depth) throw new Error(`step ${step}: two dirty copies of line ${line} at depth ${dirty[0].depth}`);
      const got = new Uint8Array(LINE);
      if (dirty.length > 0) got.set(dirty[0].data);
      else mem.readInto(line * LINE, got, 0, LINE);
      const want = shadow.subarray(line * LINE, line * LINE + LINE);
      if (Buffer.compare(Buffer.from(got), Buffer.from(want)) !== 0) {
        throw new Error(`step ${step}: line ${line}: dirty copies + memory hold ${Buffer.from(got).toString('hex')}, written ${Buffer.from(want).toString('hex')}`);
      }
    }
  };
  cmds.forEach((c, step) => {
    switch (c.t) {
      case 'write':
        ms.write(c.agent, c.cpu, c.addr, c.size, c.value, true, c.hi);
        put(c.addr, c.size, c.value, c.hi);
        break;
      case 'read': {
        // (1) cacheable reads return the last value written
        const v = ms.read(c.agent, c.cpu, c.addr, c.size, true);
        expect(v).toBe(le(c.addr, c.size));
        if (c.size === 8) expect(ms.hi).toBe(le(c.addr + 4, 4));
        break;
      }
      case 'ncRead':
        ms.read('vcpu', c.cpu, c.addr, c.size, false);
        break;
      case 'ncWrite':
        // A correct program removes cached copies before writing with caches off.
        ms.dcacheCleanInvalPoc(c.addr, c.size, c.cpu);
        ms.write('vcpu', c.cpu, c.addr, c.size, c.value, false);
        put(c.addr, c.size, c.value, 0);
        break;
      case 'bulk':
        ms.writeBytes('host', c.cpu, c.addr, Uint8Array.from(c.bytes), true);
        shadow.set(c.bytes, c.addr);
        break;
      case 'dc':
        ms.dc(c.op, c.cpu, c.addr);
        break;
      case 'zva': {
        ms.dcZva(c.cpu, c.addr, true);
        const base = c.addr - (c.addr % LINE);
        shadow.fill(0, base, base + LINE);
        break;
      }
      case 'ic':
        ms.ic(c.op, c.cpu, c.addr);
        break;
      case 'setway':
        ms.dcSetWay(c.op, c.cpu, c.level, c.set % ms.cacheShape(c.cpu, c.level).sets, c.way % ms.cacheShape(c.cpu, c.level).ways);
        break;
      case 'setwayAll':
        ms.dcSetWayAll(c.op, c.cpu, c.level);
        break;
      case 'fetch':
        ms.fetch(c.cpu, c.addr, true);
        break;
      case 'flushCheck': {
        // (3) after dcache_clean_inval_poc, a non-cacheable read returns the newest data
        const len = Math.min(c.len, SPACE - c.addr);
        ms.dcacheCleanInvalPoc(c.addr, len, c.cpu);
        const out = new Uint8Array(len);
        ms.readBytes('vcpu', c.cpu, c.addr, out, false);
        expect(Buffer.from(out).toString('hex')).toBe(Buffer.from(shadow.subarray(c.addr, c.addr + len)).toString('hex'));
        break;
      }
      case 'codeCheck':
        // (4) after DC CVAU + IC IVAU (or IC IALLU on the fetching core), a fetch is newest
        ms.dc('DC CVAU', c.by, c.addr);
        if (c.all) ms.ic('IC IALLU', c.cpu);
        else ms.ic('IC IVAU', c.by, c.addr);
        expect(ms.fetch(c.cpu, c.addr, true) >>> 0).toBe(le(c.addr, 4) >>> 0);
        break;
    }
    checkNoLoss(step);
  });
}

describe('properties over random access and CMO sequences (tiny topology)', () => {
  it('cacheable reads return the last value written; no dirty data is lost; flushes and I-side maintenance make data visible', () => {
    fc.assert(
      fc.property(flags, fc.array(cmdArb, { minLength: 1, maxLength: 120 }), fc.integer({ min: 0, max: 1000 }), (f, cmds, seed) => run(f, cmds, seed)),
      { numRuns: 150 },
    );
  });

  it('holds on long sequences too', () => {
    fc.assert(
      fc.property(flags, fc.array(cmdArb, { minLength: 300, maxLength: 600 }), fc.integer({ min: 0, max: 1000 }), (f, cmds, seed) => run(f, cmds, seed)),
      { numRuns: 15 },
    );
  });
});
