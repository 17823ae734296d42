import {
  InputError,
  KvmsimError,
  hex,
  type AccessAgent,
  type AccessKind,
  type Clock,
  type CmoOp,
  type Counter,
  type EventBus,
  type Instrumentation,
  type MemoryAccess,
  type Rng,
  type StatsRegistry,
} from '../../core';
import { Cache, LineState, STATE_NAMES, isDirty } from '../cache/cache';
import type { ReplacementPolicyFactory } from '../cache/replacement';
import { MmioError, type MmioBus } from '../memory/mmio';
import type { PhysicalMemory } from '../memory/physical-memory';
import type { CmoResult, DcByAddressOp, DcSetWayOp, IcOp, LineCopy, MemorySystem, ServedBy } from './memory-system';
import { validateTopology, type CacheTopology } from './topology';

const INVALID = LineState.INVALID;
const SHARED = LineState.SHARED;
const EXCLUSIVE = LineState.EXCLUSIVE;
const OWNED = LineState.OWNED;
const MODIFIED = LineState.MODIFIED;

export interface HierarchyDeps {
  topology: CacheTopology;
  cpus: number;
  memory: PhysicalMemory;
  mmio: MmioBus;
  clock: Clock;
  bus: EventBus;
  stats: StatsRegistry;
  instrumentation: Instrumentation;
  rng: Rng;
  replacement: ReplacementPolicyFactory;
}

/**
 * The cache hierarchy: per-core L1 I and D, the topology's shared levels, memory behind them.
 * See memory-system.ts for the API and the semantics.
 *
 * Coherence invariant (D-side: L1 Ds and shared levels; I-caches are outside it). The newest
 * copy of a line is held by the innermost valid copies; a copy can be stale only in a cache on
 * the path from a newest copy out to memory (an "ancestor"), never beside it. So every valid L1 D
 * copy is newest, and the first copy found searching L1 Ds, then each shared level, then memory,
 * is the newest. A store invalidates every copy off the storing core's path; a dirty line is
 * written back to its parent on eviction; while no copy is dirty, memory holds the newest data.
 */
export class CacheHierarchy implements MemorySystem {
  hi = 0;
  lastLevel: ServedBy = 'memory';
  readonly topology: CacheTopology;
  readonly cpus: number;
  readonly lineSize: number;
  readonly fwb: boolean;
  readonly idc: boolean;
  readonly dic: boolean;
  readonly l1d: Cache[] = [];
  readonly l1i: Cache[] = [];
  /** Instances of each shared level, inner level first. */
  readonly shared: Cache[][] = [];

  private readonly lineMask: number;
  private readonly invLine: number;
  private readonly memory: PhysicalMemory;
  private readonly mmio: MmioBus;
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly inst: Instrumentation;
  private readonly ncFetchHitsIcache: boolean;
  private readonly memLatency: number;
  private readonly snoopLatency: number;
  /** Depth of memory (one past the outermost cache) and of the PoU. */
  private readonly memDepth: number;
  private readonly pouDepth: number;
  /** Per core: its D path (L1 D, then its instance of each shared level). */
  private readonly pathOf: Cache[][] = [];
  /** Per core: where a data miss looks — other L1 Ds, then each level (own instance first). */
  private readonly searchD: Cache[][] = [];
  /** Per core, parallel to searchD: true for caches off the core's path. */
  private readonly offPath: boolean[][] = [];
  /** Per core: what an I-refill sees with IDC (every D-cache) and without (PoU level and out). */
  private readonly searchIdc: Cache[][] = [];
  private readonly searchPou: Cache[][] = [];
  /** Every D-side cache, by depth. */
  private readonly allD: Cache[] = [];
  private readonly allCaches: Cache[] = [];
  private readonly dSlots: number;
  private readonly iSlots: number;
  /** Per core, cycles charged other than L1 hits (those are hits × hit latency). */
  private readonly cycles: Counter[] = [];
  private readonly memReads: Counter;
  private readonly memWrites: Counter;
  private readonly ncReads: Counter;
  private readonly ncWrites: Counter;
  private readonly cmoOps: Counter;
  private readonly cmoDcLines: Counter;
  private readonly cmoIcLines: Counter;
  private readonly cmoCycles: Counter;
  /** Copies found by a by-address CMO. */
  private readonly foundCache: Cache[];
  private readonly foundSlot: Int32Array;
  /** Depth of the outermost level that served the accesses of a split or bulk operation. */
  private servedDepth = 0;
  private servedLevel: ServedBy = 'memory';
  // Reused hook payload (callbacks must copy what they keep); a nested access gets its own.
  private readonly hookBuf = new Uint8Array(8);
  private readonly hookViews: Uint8Array[] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => this.hookBuf.subarray(0, n));
  private readonly hookAccess: MemoryAccess = { agent: 'vcpu', cpu: 0, kind: 'read', addr: 0, data: this.hookBuf, cacheable: true, level: 'l1d' };
  private firing = false;
  /** Some core has marked a line for its exclusive monitor (so non-cacheable writes check the marks). */
  private exclusiveMarks = false;
  private readonly tmp = new Uint8Array(8);
  /** Per core, the L1 I slot of its last cacheable fetch (a hint, checked against the tag). */
  private readonly lastISlot: Int32Array;

  constructor(d: HierarchyDeps) {
    const t = d.topology;
    validateTopology(t);
    if (!Number.isSafeInteger(d.cpus) || d.cpus < 1) throw new InputError(`machine.cpus must be a positive integer, got ${d.cpus}`);
    this.topology = t;
    this.cpus = d.cpus;
    this.memory = d.memory;
    this.mmio = d.mmio;
    this.clock = d.clock;
    this.bus = d.bus;
    this.inst = d.instrumentation;
    this.fwb = t.fwb;
    this.idc = t.idc;
    this.dic = t.dic;
    this.ncFetchHitsIcache = t.ncFetchHitsIcache;
    this.memLatency = t.cost.memory;
    this.snoopLatency = t.cost.snoop;
    const L = t.l1d.lineSize;
    this.lineSize = L;
    this.lineMask = L - 1;
    this.invLine = 1 / L;
    this.memDepth = t.shared.length + 2;
    this.pouDepth = t.pou === 'memory' ? this.memDepth : t.shared.findIndex((s) => s.name === t.pou) + 2;
    const rng = d.rng.fork('caches');
    const stats = d.stats;
    const mk = (spec: CacheTopology['l1d'], level: string, depth: number, statName: string) =>
      new Cache({ ...spec, level, depth, statName, replacement: spec.replacement ?? t.replacement }, d.replacement, rng, stats);

    for (let c = 0; c < this.cpus; c++) {
      this.l1d.push(mk(t.l1d, 'l1d', 1, `system.cpu${c}.l1d`));
      this.l1i.push(mk(t.l1i, 'l1i', 1, `system.cpu${c}.l1i`));
      this.cycles.push(stats.counter(`system.cpu${c}.mem_cycles_other`, 'cycles charged for this core’s L1 misses, non-cacheable accesses and cache maintenance'));
      // L1 hits are not added up one by one: their cost is hits × hit latency.
      const d = this.l1d[c];
      const i = this.l1i[c];
      const other = this.cycles[c];
      stats.formula(`system.cpu${c}.mem_cycles`, 'cycles charged for this core’s memory accesses and cache maintenance', () =>
        d.hits.value * d.hitLatency + i.hits.value * i.hitLatency + other.value,
      );
    }
    const per: number[] = [];
    t.shared.forEach((spec, k) => {
      const n = spec.coresPerInstance === 'all' ? this.cpus : spec.coresPerInstance;
      per.push(n);
      const count = Math.ceil(this.cpus / n);
      const level: Cache[] = [];
      for (let i = 0; i < count; i++) {
        const statName = count === 1 ? `system.${spec.name}` : n === 1 ? `system.cpu${i}.${spec.name}` : `system.cluster${i}.${spec.name}`;
        level.push(mk(spec, spec.name, k + 2, statName));
      }
      this.shared.push(level);
    });
    // Parents: each cache writes back to the instance of the next level that covers its cores.
    t.shared.forEach((_, k) => {
      this.shared[k].forEach((cache, i) => {
        cache.parent = k + 1 < t.shared.length ? this.shared[k + 1][Math.floor((i * per[k]) / per[k + 1])] : null;
      });
    });
    for (let c = 0; c < this.cpus; c++) {
      const path = [this.l1d[c], ...this.shared.map((lvl, k) => lvl[Math.floor(c / per[k])])];
      this.pathOf.push(path);
      this.l1d[c].parent = path[1] ?? null;
      this.l1i[c].parent = path[1] ?? null;
      const search: Cache[] = [];
      const off: boolean[] = [];
      for (const o of this.l1d) if (o !== this.l1d[c]) (search.push(o), off.push(true));
      const idc: Cache[] = [this.l1d[c], ...this.l1d.filter((o) => o !== this.l1d[c])];
      const pou: Cache[] = [];
      this.shared.forEach((lvl, k) => {
        const own = path[k + 1];
        const ordered = [own, ...lvl.filter((x) => x !== own)];
        for (const x of ordered) {
          search.push(x);
          off.push(x !== own);
          idc.push(x);
          if (x.depth >= this.pouDepth) pou.push(x);
        }
      });
      this.searchD.push(search);
      this.offPath.push(off);
      this.searchIdc.push(idc);
      this.searchPou.push(pou);
    }
    this.allD.push(...this.l1d, ...this.shared.flat());
    this.allCaches.push(...this.l1d, ...this.l1i, ...this.shared.flat());
    this.dSlots = this.allD.reduce((n, c) => n + c.slots, 0);
    this.iSlots = this.l1i.reduce((n, c) => n + c.slots, 0);
    this.lastISlot = new Int32Array(this.cpus);
    this.foundCache = new Array<Cache>(this.allD.length);
    this.foundSlot = new Int32Array(this.allD.length);
    this.memReads = stats.counter('system.mem.reads', 'lines and non-cacheable accesses read from physical memory');
    this.memWrites = stats.counter('system.mem.writes', 'lines and non-cacheable accesses written to physical memory');
    this.ncReads = stats.counter('system.mem.nc_reads', 'non-cacheable (and device) reads');
    this.ncWrites = stats.counter('system.mem.nc_writes', 'non-cacheable (and device) writes');
    this.cmoOps = stats.counter('system.cmo.ops', 'cache-maintenance operations and kernel helpers performed');
    this.cmoDcLines = stats.counter('system.cmo.dc_lines', 'resident lines acted on by D-cache maintenance');
    this.cmoIcLines = stats.counter('system.cmo.ic_lines', 'resident lines removed by I-cache maintenance');
    this.cmoCycles = stats.counter('system.cmo.cycles', 'cycles charged for cache maintenance');
  }

  // ---------------------------------------------------------------- data accesses (hot path)

  // The hot path is kept small so V8 inlines it into the interpreter's loop: anything unusual
  // (non-cacheable, straddling, odd sizes, bad cores, hooks) goes to a slower function. Values
  // leave as `>>> 0` where a call's result joins the fast path's: V8 then knows the joined value
  // is an unsigned 32-bit integer and does not box words >= 2^31 into heap numbers.
  read(agent: AccessAgent, cpu: number, pa: number, size: number, cacheable: boolean): number {
    const l1 = this.l1d[cpu];
    const off = pa & this.lineMask;
    if (!cacheable || agent === 'device' || l1 === undefined || off + size > this.lineSize || (size !== 1 && size !== 2 && size !== 4 && size !== 8)) {
      return this.readOther(agent, cpu, pa, size, cacheable) >>> 0;
    }
    const line = (pa - off) * this.invLine;
    let slot = l1.lookup(line);
    if (slot >= 0) this.hitD(l1, slot);
    else slot = this.fill(cpu, line, false);
    const p = slot * this.lineSize + off;
    const view = l1.view;
    const v = size === 1 ? l1.data[p] : size === 2 ? view.getUint16(p, true) : view.getUint32(p, true);
    if (size === 8) this.hi = view.getUint32(p + 4, true);
    if (this.inst.memHooks !== null) this.fireValue(agent, cpu, 'read', pa, size, v, this.hi, true);
    return v;
  }

  write(agent: AccessAgent, cpu: number, pa: number, size: number, value: number, cacheable: boolean, hi = 0): void {
    const l1 = this.l1d[cpu];
    const off = pa & this.lineMask;
    if (!cacheable || agent === 'device' || l1 === undefined || off + size > this.lineSize || (size !== 1 && size !== 2 && size !== 4 && size !== 8)) {
      return this.writeOther(agent, cpu, pa, size, value, cacheable, hi);
    }
    const line = (pa - off) * this.invLine;
    let slot = l1.lookup(line);
    if (slot >= 0) {
      if (l1.state[slot] !== MODIFIED) this.makeWritable(cpu, l1, slot, line);
      this.hitD(l1, slot);
    } else slot = this.fill(cpu, line, true);
    const p = slot * this.lineSize + off;
    const view = l1.view;
    if (size === 1) l1.data[p] = value;
    else if (size === 2) view.setUint16(p, value, true);
    else {
      view.setUint32(p, value, true);
      if (size === 8) view.setUint32(p + 4, hi, true);
    }
    if (this.inst.memHooks !== null) this.fireValue(agent, cpu, 'write', pa, size, value, hi, true);
  }

  private hitD(l1: Cache, slot: number): void {
    l1.hits.value++;
    l1.repl.touch(slot);
    this.lastLevel = 'l1d';
    this.clock.advance(l1.hitLatency);
  }

  /** A store hit a line not yet MODIFIED: EXCLUSIVE needs no snoop, the others do. */
  private makeWritable(cpu: number, l1: Cache, slot: number, line: number): void {
    if (l1.state[slot] === EXCLUSIVE) l1.state[slot] = MODIFIED;
    else this.upgrade(cpu, l1, slot, line);
  }

  /**
   * Reads the fast path leaves: non-cacheable (or device) ones, bad cores and sizes, and
   * cacheable ones that straddle two lines.
   */
  private readOther(agent: AccessAgent, cpu: number, pa: number, size: number, cacheable: boolean): number {
    if (!cacheable || agent === 'device') return this.ncRead(agent, cpu, pa, size);
    if (this.l1d[cpu] === undefined) throw this.badCpu(cpu);
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw this.badSize(size);
    return this.splitRead(agent, cpu, pa, size);
  }

  /** Writes the fast path leaves, as readOther. */
  private writeOther(agent: AccessAgent, cpu: number, pa: number, size: number, value: number, cacheable: boolean, hi: number): void {
    if (!cacheable || agent === 'device') return this.ncWrite(agent, cpu, pa, size, value, hi);
    if (this.l1d[cpu] === undefined) throw this.badCpu(cpu);
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw this.badSize(size);
    return this.splitWrite(agent, cpu, pa, size, value, hi);
  }

  fetch(cpu: number, pa: number, cacheable: boolean): number {
    if ((pa & 3) !== 0) throw new KvmsimError(`instruction fetch at ${hex(pa)} on cpu${cpu} is not 4-byte aligned`);
    const l1 = this.l1i[cpu];
    if (l1 === undefined) throw this.badCpu(cpu);
    const off = pa & this.lineMask;
    const line = (pa - off) * this.invLine;
    let slot = -1;
    if (cacheable || this.ncFetchHitsIcache) {
      // Sequential code fetches from the line it fetched last: one tag compare at the slot this
      // core's I-cache last served finds it (a line sits in at most one slot, so this is the
      // slot lookup would return); otherwise the set is searched.
      const last = this.lastISlot[cpu];
      slot = l1.lineOf[last] === line ? last : l1.lookup(line);
      if (slot >= 0) {
        l1.hits.value++;
        l1.repl.touch(slot);
        this.lastLevel = 'l1i';
        this.clock.advance(l1.hitLatency);
      } else if (cacheable) {
        slot = this.ifill(cpu, line);
      }
      if (slot >= 0) this.lastISlot[cpu] = slot;
    }
    let v: number;
    if (slot >= 0) v = l1.view.getUint32(slot * this.lineSize + off, true);
    else {
      v = this.memory.read(pa, 4) >>> 0; // `>>> 0`: see read
      this.memReads.value++;
      this.lastLevel = 'memory';
      this.clock.advance(this.memLatency);
      this.cycles[cpu].value += this.memLatency;
    }
    if (this.inst.memHooks !== null) this.fireValue('vcpu', cpu, 'exec', pa, 4, v, 0, cacheable);
    return v;
  }

  // ---------------------------------------------------------------- misses and coherence

  /**
   * Brings `line` into core `cpu`'s L1 D (for a store: as the only copy off its path) and
   * returns its slot. Charges the latency of the level that supplied it.
   */
  private fill(cpu: number, line: number, write: boolean): number {
    const own = this.l1d[cpu];
    own.misses.value++;
    // Make room first. The victim's write-back goes outwards and may push an outer copy of
    // `line` further out, but never loses it: the search below then finds it there. The free
    // slot then receives the line's bytes directly (no staging copy).
    const slot = this.makeRoom(own, line);
    const list = this.searchD[cpu];
    const off = this.offPath[cpu];
    let src: Cache | null = null;
    let shared = false;
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (src !== null && !off[i]) continue;
      const s = c.lookup(line);
      if (s < 0) continue;
      if (src === null) {
        src = c;
        Cache.copyLine(c, s, own, slot);
        c.repl.touch(s);
        own.parentSlot[slot] = s; // right when c is own's parent, checked before use otherwise
      }
      if (off[i]) {
        // Off-path copies: a store supersedes them (it holds the whole newest line); a load
        // shares them, taking away their exclusivity.
        if (write) c.invalidateSlot(s);
        else {
          shared = true;
          const st = c.state[s];
          if (st === EXCLUSIVE) c.state[s] = SHARED;
          else if (st === MODIFIED) c.state[s] = OWNED;
        }
      }
    }
    if (this.dic) {
      for (let i = 0; i < this.l1i.length; i++) {
        const ic = this.l1i[i];
        const s = ic.lookup(line);
        if (s < 0) continue;
        if (write) ic.invalidateSlot(s);
        else shared = true;
      }
    }
    let latency: number;
    let srcDepth: number;
    if (src === null) {
      this.memoryToSlot(line, own, slot);
      latency = this.memLatency;
      srcDepth = this.memDepth;
      this.lastLevel = 'memory';
    } else {
      // A line snooped from another L1 D is not a hit of that cache (nor charged to its core).
      if (src.depth > 1) src.hits.value++;
      srcDepth = src.depth;
      latency = src.depth === 1 ? this.snoopLatency : src.hitLatency;
      this.lastLevel = src.level;
    }
    // Allocate clean copies on this core's path inside the level that supplied the line
    // (their evictions only go outwards, so the L1 slot keeps the bytes meanwhile).
    const path = this.pathOf[cpu];
    let outer = -1;
    for (let k = path.length - 1; k >= 1; k--) {
      const c = path[k];
      if (c.depth >= srcDepth) continue;
      c.misses.value++;
      const s = this.allocate(c, line, SHARED);
      Cache.copyLine(own, slot, c, s);
      if (outer >= 0) c.parentSlot[s] = outer;
      outer = s;
    }
    if (outer >= 0) own.parentSlot[slot] = outer;
    own.install(slot, line, write ? MODIFIED : shared ? SHARED : EXCLUSIVE);
    this.clock.advance(latency);
    this.cycles[cpu].value += latency;
    return slot;
  }

  /** Frees a slot for `line` in `c` (evicting, and writing back, what was there) without installing. */
  private makeRoom(c: Cache, line: number): number {
    const slot = c.chooseSlot(line);
    const st = c.state[slot];
    if (st !== INVALID) {
      c.evictions.value++;
      if (isDirty(st)) this.writeBack(c, slot);
      c.invalidateSlot(slot);
    }
    return slot;
  }

  /** A store hit a line others may share: invalidate every copy off this core's path. */
  private upgrade(cpu: number, own: Cache, slot: number, line: number): void {
    const list = this.searchD[cpu];
    const off = this.offPath[cpu];
    for (let i = 0; i < list.length; i++) {
      if (!off[i]) continue;
      const c = list[i];
      const s = c.lookup(line);
      if (s >= 0) c.invalidateSlot(s);
    }
    if (this.dic) this.invalidateIcacheLine(line);
    own.state[slot] = MODIFIED;
  }

  /** I-cache refill: from the PoU level outwards, or (IDC) from wherever the newest data is. */
  private ifill(cpu: number, line: number): number {
    const own = this.l1i[cpu];
    own.misses.value++;
    if (this.dic) {
      // With DIC a store must find I-copies; sharing the line stops stores skipping the snoop.
      for (let i = 0; i < this.l1d.length; i++) {
        const c = this.l1d[i];
        const s = c.lookup(line);
        if (s < 0) continue;
        const st = c.state[s];
        if (st === EXCLUSIVE) c.state[s] = SHARED;
        else if (st === MODIFIED) c.state[s] = OWNED;
      }
    }
    const slot = this.makeRoom(own, line);
    const list = this.idc ? this.searchIdc[cpu] : this.searchPou[cpu];
    let src: Cache | null = null;
    for (let i = 0; i < list.length; i++) {
      const s = list[i].lookup(line);
      if (s >= 0) {
        src = list[i];
        Cache.copyLine(src, s, own, slot);
        src.repl.touch(s);
        break;
      }
    }
    let latency: number;
    let srcDepth: number;
    if (src === null) {
      this.memoryToSlot(line, own, slot);
      latency = this.memLatency;
      srcDepth = this.memDepth;
      this.lastLevel = 'memory';
    } else {
      latency = src.depth === 1 ? (src === this.l1d[cpu] ? src.hitLatency : this.snoopLatency) : src.hitLatency;
      srcDepth = src.depth;
      if (src.depth > 1) src.hits.value++;
      this.lastLevel = src.level;
    }
    // Shared levels on this core's path that the refill looked in and missed.
    const path = this.pathOf[cpu];
    const searchedFrom = this.idc ? 2 : this.pouDepth;
    for (let k = 1; k < path.length; k++) {
      const d = path[k].depth;
      if (d >= searchedFrom && d < srcDepth) path[k].misses.value++;
    }
    own.install(slot, line, SHARED);
    this.clock.advance(latency);
    this.cycles[cpu].value += latency;
    return slot;
  }

  /** A slot for `line` in `c`, its previous occupant evicted (written back if dirty). */
  private allocate(c: Cache, line: number, state: LineState): number {
    const slot = this.makeRoom(c, line);
    c.install(slot, line, state);
    return slot;
  }

  /** Writes a dirty line to the next level out (allocating there) or to memory. */
  private writeBack(c: Cache, slot: number): void {
    c.writebacks.value++;
    const line = c.lineOf[slot];
    const p = c.parent;
    if (p === null) {
      this.toMemory(c, slot, line);
      return;
    }
    let ps = c.parentSlot[slot];
    if (p.lineOf[ps] !== line) ps = p.lookup(line);
    if (ps < 0) ps = this.allocate(p, line, OWNED);
    else p.state[ps] = OWNED;
    Cache.copyLine(c, slot, p, ps);
  }

  private memoryToSlot(line: number, c: Cache, slot: number): void {
    const pa = line * this.lineSize;
    if (this.mmio.regions.length !== 0) {
      const r = this.mmio.overlapping(pa, this.lineSize);
      if (r !== undefined) throw new MmioError(`cacheable access to ${hex(pa)} hits MMIO region '${r.name}': device memory is never cached`);
    }
    this.memory.readInto(pa, c.data, slot * this.lineSize, this.lineSize);
    this.memReads.value++;
  }

  private invalidateIcacheLine(line: number): number {
    let n = 0;
    for (let i = 0; i < this.l1i.length; i++) {
      const ic = this.l1i[i];
      const s = ic.lookup(line);
      if (s >= 0) {
        ic.invalidateSlot(s);
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- non-cacheable, split, bulk

  private ncRead(agent: AccessAgent, cpu: number, pa: number, size: number): number {
    if (agent !== 'device' && this.l1d[cpu] === undefined) throw this.badCpu(cpu);
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw this.badSize(size);
    let v: number;
    const r = this.mmio.regions.length !== 0 ? this.mmio.overlapping(pa, size) : undefined;
    if (r !== undefined) {
      const x = this.mmio.read(pa, size);
      v = size === 8 ? x % 0x1_0000_0000 : x;
      if (size === 8) this.hi = Math.floor(x / 0x1_0000_0000) >>> 0;
      this.lastLevel = 'mmio';
    } else {
      if (size === 8) {
        v = this.memory.read(pa, 4);
        this.hi = this.memory.read(pa + 4, 4);
      } else v = this.memory.read(pa, size);
      this.memReads.value++;
      this.lastLevel = 'memory';
    }
    this.ncReads.value++;
    this.chargeAgent(agent, cpu, this.memLatency);
    if (this.inst.memHooks !== null) this.fireValue(agent, cpu, 'read', pa, size, v, this.hi, false);
    return v;
  }

  // ---------------------------------------------------------------- exclusive monitors

  markExclusive(cpu: number, pa: number): void {
    const l1 = this.l1d[cpu];
    if (l1 === undefined) throw this.badCpu(cpu);
    l1.watchLine = Math.floor(pa * this.invLine);
    this.exclusiveMarks = true;
  }

  exclusiveHeld(cpu: number, pa: number): boolean {
    const l1 = this.l1d[cpu];
    if (l1 === undefined) throw this.badCpu(cpu);
    return l1.watchLine >= 0 && l1.watchLine === Math.floor(pa * this.invLine);
  }

  clearExclusive(cpu: number): void {
    const l1 = this.l1d[cpu];
    if (l1 === undefined) throw this.badCpu(cpu);
    l1.watchLine = -1;
  }

  /** A write past the caches to [pa, pa+len) clears the marks of every core but the writing one. */
  private ncWriteClearsMarks(agent: AccessAgent, cpu: number, pa: number, len: number): void {
    const first = Math.floor(pa * this.invLine);
    const last = Math.floor((pa + len - 1) * this.invLine);
    for (let c = 0; c < this.l1d.length; c++) {
      const l1 = this.l1d[c];
      if (l1.watchLine >= first && l1.watchLine <= last && !(agent === 'vcpu' && c === cpu)) l1.watchLine = -1;
    }
  }

  private ncWrite(agent: AccessAgent, cpu: number, pa: number, size: number, value: number, hi: number): void {
    if (agent !== 'device' && this.l1d[cpu] === undefined) throw this.badCpu(cpu);
    if (this.exclusiveMarks) this.ncWriteClearsMarks(agent, cpu, pa, size);
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) throw this.badSize(size);
    const r = this.mmio.regions.length !== 0 ? this.mmio.overlapping(pa, size) : undefined;
    if (r !== undefined) {
      this.mmio.write(pa, size, size === 8 ? (hi >>> 0) * 0x1_0000_0000 + (value >>> 0) : value);
      this.lastLevel = 'mmio';
    } else {
      if (size === 8) {
        this.memory.write(pa, 4, value >>> 0);
        this.memory.write(pa + 4, 4, hi >>> 0);
      } else this.memory.write(pa, size, value);
      this.memWrites.value++;
      this.lastLevel = 'memory';
      if (this.dic) this.dicWriteRange(pa, size);
    }
    this.ncWrites.value++;
    this.chargeAgent(agent, cpu, this.memLatency);
    if (this.inst.memHooks !== null) this.fireValue(agent, cpu, 'write', pa, size, value, hi, false);
  }

  /** With DIC, a write that bypassed the caches still removes stale I-lines. */
  private dicWriteRange(pa: number, len: number): void {
    const first = Math.floor(pa * this.invLine);
    const last = Math.floor((pa + len - 1) * this.invLine);
    for (let l = first; l <= last; l++) this.invalidateIcacheLine(l);
  }

  private splitRead(agent: AccessAgent, cpu: number, pa: number, size: number): number {
    if (size !== 2 && size !== 4 && size !== 8) throw this.badSize(size);
    const b = this.tmp;
    this.bulk(agent, cpu, pa, b, 0, size, true, false);
    if (size === 8) {
      this.hi = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
      return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    }
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + b[i];
    return v;
  }

  private splitWrite(agent: AccessAgent, cpu: number, pa: number, size: number, value: number, hi: number): void {
    if (size !== 2 && size !== 4 && size !== 8) throw this.badSize(size);
    const b = this.tmp;
    for (let i = 0; i < 4; i++) b[i] = (value >>> (8 * i)) & 0xff;
    for (let i = 0; i < 4; i++) b[4 + i] = (hi >>> (8 * i)) & 0xff;
    this.bulk(agent, cpu, pa, b, 0, size, true, true);
  }

  readBytes(agent: AccessAgent, cpu: number, pa: number, out: Uint8Array, cacheable: boolean): void {
    this.bulk(agent, cpu, pa, out, 0, out.length, cacheable && agent !== 'device', false);
  }

  writeBytes(agent: AccessAgent, cpu: number, pa: number, data: Uint8Array, cacheable: boolean): void {
    this.bulk(agent, cpu, pa, data, 0, data.length, cacheable && agent !== 'device', true);
  }

  /**
   * Moves `len` bytes between `buf[bOff..]` and [pa, pa+len), line by line. `lastLevel` ends as
   * the outermost level that served any piece.
   */
  private bulk(agent: AccessAgent, cpu: number, pa: number, buf: Uint8Array, bOff: number, len: number, cacheable: boolean, write: boolean): void {
    if (agent !== 'device' && this.l1d[cpu] === undefined) throw this.badCpu(cpu);
    if (len === 0) return;
    this.servedDepth = 0;
    this.servedLevel = 'l1d';
    const L = this.lineSize;
    let a = pa;
    let o = bOff;
    let left = len;
    while (left > 0) {
      const off = a & this.lineMask;
      const n = Math.min(left, L - off);
      if (cacheable) this.bulkCachedPiece(agent, cpu, a, buf, o, n, write);
      else this.bulkNcPiece(agent, cpu, a, buf, o, n, write);
      a += n;
      o += n;
      left -= n;
    }
    this.lastLevel = this.servedLevel;
  }

  private noteServed(depth: number): void {
    if (depth >= this.servedDepth) {
      this.servedDepth = depth;
      this.servedLevel = this.lastLevel;
    }
  }

  private bulkCachedPiece(agent: AccessAgent, cpu: number, pa: number, buf: Uint8Array, o: number, n: number, write: boolean): void {
    const l1 = this.l1d[cpu];
    const off = pa & this.lineMask;
    const line = (pa - off) * this.invLine;
    let slot = l1.lookup(line);
    if (slot >= 0) {
      if (write && l1.state[slot] !== MODIFIED) this.makeWritable(cpu, l1, slot, line);
      this.hitD(l1, slot);
    } else slot = this.fill(cpu, line, write);
    this.noteServed(this.depthOf(this.lastLevel));
    const p = slot * this.lineSize + off;
    const d = l1.data;
    if (write) for (let i = 0; i < n; i++) d[p + i] = buf[o + i];
    else for (let i = 0; i < n; i++) buf[o + i] = d[p + i];
    if (this.inst.memHooks !== null) this.fireBytes(agent, cpu, write ? 'write' : 'read', pa, buf.subarray(o, o + n), true);
  }

  private bulkNcPiece(agent: AccessAgent, cpu: number, pa: number, buf: Uint8Array, o: number, n: number, write: boolean): void {
    const r = this.mmio.regions.length !== 0 ? this.mmio.overlapping(pa, n) : undefined;
    if (r !== undefined) {
      for (let i = 0; i < n; i++) {
        if (write) this.mmio.write(pa + i, 1, buf[o + i]);
        else buf[o + i] = this.mmio.read(pa + i, 1);
      }
      this.lastLevel = 'mmio';
    } else {
      if (write) {
        if (this.exclusiveMarks) this.ncWriteClearsMarks(agent, cpu, pa, n);
        this.memory.writeFrom(pa, buf, o, n);
        this.memWrites.value++;
        if (this.dic) this.dicWriteRange(pa, n);
      } else {
        this.memory.readInto(pa, buf, o, n);
        this.memReads.value++;
      }
      this.lastLevel = 'memory';
    }
    if (write) this.ncWrites.value++;
    else this.ncReads.value++;
    this.noteServed(this.memDepth + (r !== undefined ? 1 : 0));
    this.chargeAgent(agent, cpu, this.memLatency);
    if (this.inst.memHooks !== null) this.fireBytes(agent, cpu, write ? 'write' : 'read', pa, buf.subarray(o, o + n), false);
  }

  private depthOf(level: ServedBy): number {
    if (level === 'l1d' || level === 'l1i') return 1;
    if (level === 'memory') return this.memDepth;
    if (level === 'mmio') return this.memDepth + 1;
    const k = this.topology.shared.findIndex((s) => s.name === level);
    return k + 2;
  }

  // ---------------------------------------------------------------- cache maintenance

  dc(op: DcByAddressOp, cpu: number | null, pa: number): CmoResult {
    this.checkCpu(cpu);
    const line = Math.floor(pa * this.invLine);
    const touched = this.dcLine(op, line) ? 1 : 0;
    this.cmoDcLines.value += touched;
    return this.emitCmo(op, cpu, line * this.lineSize, this.lineSize, touched, this.topology.cost.dcOpPerLine);
  }

  dcRange(op: DcByAddressOp, cpu: number | null, pa: number, size: number): CmoResult {
    return this.dcRangeAs(op, op, cpu, pa, size);
  }

  dcacheCleanInvalPoc(pa: number, size: number, cpu: number | null = null): CmoResult {
    return this.dcRangeAs('dcache_clean_inval_poc', 'DC CIVAC', cpu, pa, size);
  }

  private dcRangeAs(name: CmoOp, op: DcByAddressOp, cpu: number | null, pa: number, size: number): CmoResult {
    this.checkCpu(cpu);
    const n = this.rangeLines(pa, size);
    const touched = n === 0 ? 0 : this.forResidentLines(pa, size, this.allD, this.dSlots, (line) => this.dcLine(op, line));
    this.cmoDcLines.value += touched;
    return this.emitCmo(name, cpu, pa, size, touched, n * this.topology.cost.dcOpPerLine);
  }

  dcZva(cpu: number, pa: number, cacheable: boolean): CmoResult {
    this.checkCpu(cpu);
    const L = this.lineSize;
    const base = Math.floor(pa * this.invLine) * L;
    const before = this.clock.now;
    const zeros = new Uint8Array(L);
    // A store of a whole zero block, so it is coherent (or not) as any store would be.
    this.bulk('vcpu', cpu, base, zeros, 0, L, cacheable, true);
    const cycles = this.clock.now - before;
    return this.emitCmo('DC ZVA', cpu, base, L, 1, cycles, false);
  }

  ic(op: IcOp, cpu: number | null, pa?: number): CmoResult {
    this.checkCpu(cpu);
    const cost = this.topology.cost;
    switch (op) {
      case 'IC IALLU': {
        if (cpu === null) throw new InputError('IC IALLU invalidates one core’s I-cache: give the core');
        const n = this.l1i[cpu].invalidateAll();
        this.cmoIcLines.value += n;
        return this.emitCmo(op, cpu, 0, 0, n, cost.icIallu);
      }
      case 'IC IALLUIS': {
        let n = 0;
        for (const ic of this.l1i) n += ic.invalidateAll();
        this.cmoIcLines.value += n;
        return this.emitCmo(op, cpu, 0, 0, n, cost.icIallu);
      }
      case 'IC IVAU': {
        if (pa === undefined) throw new InputError('IC IVAU needs an address');
        const line = Math.floor(pa * this.invLine);
        const n = this.invalidateIcacheLine(line) > 0 ? 1 : 0;
        this.cmoIcLines.value += n;
        return this.emitCmo(op, cpu, line * this.lineSize, this.lineSize, n, cost.icIvauPerLine);
      }
      default:
        throw new InputError(`unknown I-cache operation '${op as string}'`);
    }
  }

  icacheInvalPou(pa: number, size: number, cpu: number | null = null): CmoResult {
    this.checkCpu(cpu);
    const cost = this.topology.cost;
    // With DIC the kernel's icache_inval_pou is only an ISB.
    if (this.dic) return this.emitCmo('icache_inval_pou', cpu, pa, size, 0, cost.isb);
    const n = this.rangeLines(pa, size);
    const touched = n === 0 ? 0 : this.forResidentLines(pa, size, this.l1i, this.iSlots, (line) => this.invalidateIcacheLine(line) > 0);
    this.cmoIcLines.value += touched;
    return this.emitCmo('icache_inval_pou', cpu, pa, size, touched, n * cost.icIvauPerLine + cost.isb);
  }

  icacheInvalAllPou(cpu: number | null = null): CmoResult {
    this.checkCpu(cpu);
    // With DIC the kernel's icache_inval_all_pou returns at once.
    if (this.dic) return this.emitCmo('icache_inval_all_pou', cpu, 0, 0, 0, 0);
    let n = 0;
    for (const ic of this.l1i) n += ic.invalidateAll();
    this.cmoIcLines.value += n;
    return this.emitCmo('icache_inval_all_pou', cpu, 0, 0, n, this.topology.cost.icIallu);
  }

  dcSetWay(op: DcSetWayOp, cpu: number, level: number, set: number, way: number): CmoResult {
    const c = this.setWayCache(cpu, level);
    if (!Number.isInteger(set) || set < 0 || set >= c.sets) throw new InputError(`${op}: set ${set} is outside ${c.name} (0..${c.sets - 1})`);
    if (!Number.isInteger(way) || way < 0 || way >= c.ways) throw new InputError(`${op}: way ${way} is outside ${c.name} (0..${c.ways - 1})`);
    const n = this.setWaySlot(op, c, set * c.ways + way) ? 1 : 0;
    this.cmoDcLines.value += n;
    return this.emitCmo(op, cpu, 0, this.lineSize, n, this.topology.cost.dcOpPerLine);
  }

  dcSetWayAll(op: DcSetWayOp, cpu: number, level: number): CmoResult {
    const c = this.setWayCache(cpu, level);
    let n = 0;
    for (let s = 0; s < c.slots; s++) if (this.setWaySlot(op, c, s)) n++;
    this.cmoDcLines.value += n;
    return this.emitCmo(op, cpu, 0, c.size, n, c.slots * this.topology.cost.dcOpPerLine);
  }

  cacheShape(cpu: number, level: number): { sets: number; ways: number; name: string } {
    const c = this.setWayCache(cpu, level);
    return { sets: c.sets, ways: c.ways, name: c.name };
  }

  private setWayCache(cpu: number, level: number): Cache {
    if (this.l1d[cpu] === undefined) throw this.badCpu(cpu);
    const path = this.pathOf[cpu];
    if (!Number.isInteger(level) || level < 1 || level > path.length) {
      throw new InputError(`set/way level ${level}: cpu${cpu} has cache levels 1..${path.length} (${path.map((c) => c.level).join(', ')})`);
    }
    return path[level - 1];
  }

  /** Set/way clean writes a dirty line to the next level; invalidate drops it (dirty or not). */
  private setWaySlot(op: DcSetWayOp, c: Cache, slot: number): boolean {
    const st = c.state[slot];
    if (st === INVALID) return false;
    if (op !== 'DC ISW' && isDirty(st)) {
      this.writeBack(c, slot);
      c.state[slot] = st === MODIFIED ? EXCLUSIVE : SHARED;
    }
    if (op !== 'DC CSW') c.invalidateSlot(slot);
    return true;
  }

  /**
   * One by-address D-cache operation on `line` over every core's caches. Returns whether any
   * cache held the line.
   */
  private dcLine(op: DcByAddressOp, line: number): boolean {
    let found = 0;
    let dirtyInner = false;
    let dirty = false;
    for (let i = 0; i < this.allD.length; i++) {
      const c = this.allD[i];
      const s = c.lookup(line);
      if (s < 0) continue;
      this.foundCache[found] = c;
      this.foundSlot[found] = s;
      found++;
      if (isDirty(c.state[s])) {
        dirty = true;
        if (c.depth < this.pouDepth) dirtyInner = true;
      }
    }
    if (found === 0) return false;
    // allD is ordered by depth, so the first copy found is the newest.
    const src = this.foundCache[0];
    const srcSlot = this.foundSlot[0];
    switch (op) {
      case 'DC IVAC':
        for (let i = 0; i < found; i++) this.foundCache[i].invalidateSlot(this.foundSlot[i]);
        break;
      case 'DC CIVAC':
        if (dirty) this.toMemory(src, srcSlot, line);
        for (let i = 0; i < found; i++) this.foundCache[i].invalidateSlot(this.foundSlot[i]);
        break;
      case 'DC CVAC':
        if (dirty) {
          this.toMemory(src, srcSlot, line);
          this.cleanCopies(found, src, srcSlot, this.memDepth);
        }
        break;
      case 'DC CVAU': {
        if (this.pouDepth === this.memDepth) {
          if (dirty) {
            this.toMemory(src, srcSlot, line);
            this.cleanCopies(found, src, srcSlot, this.memDepth);
          }
          break;
        }
        if (!dirtyInner) break;
        // Push the newest data into the PoU instance on the newest copy's path. (Making room
        // there only writes outwards: the newest copy, inside the PoU, stays put.)
        let target: Cache = src;
        while (target.depth < this.pouDepth) target = target.parent!;
        let ts = target.lookup(line);
        if (ts < 0) ts = this.allocate(target, line, OWNED);
        else target.state[ts] = OWNED;
        Cache.copyLine(src, srcSlot, target, ts);
        this.cleanCopies(found, src, srcSlot, this.pouDepth);
        break;
      }
      default:
        throw new InputError(`unknown D-cache operation '${op as string}'`);
    }
    return true;
  }

  /** Found copies inside `depth`: given the newest data and marked clean. */
  private cleanCopies(found: number, src: Cache, srcSlot: number, depth: number): void {
    for (let i = 0; i < found; i++) {
      const c = this.foundCache[i];
      if (c.depth >= depth) continue;
      const s = this.foundSlot[i];
      if (c !== src || s !== srcSlot) Cache.copyLine(src, srcSlot, c, s);
      const st = c.state[s];
      if (st === MODIFIED) c.state[s] = EXCLUSIVE;
      else if (st === OWNED) c.state[s] = SHARED;
    }
  }

  /** A dirty line reaches memory (eviction or clean); hooks that asked for write-backs see it. */
  private toMemory(c: Cache, slot: number, line: number): void {
    this.memory.writeFrom(line * this.lineSize, c.data, slot * this.lineSize, this.lineSize);
    this.memWrites.value++;
    if (this.inst.memHooks !== null) this.fireWriteback(line * this.lineSize, c.data.subarray(slot * this.lineSize, (slot + 1) * this.lineSize));
  }

  private fireWriteback(pa: number, data: Uint8Array): void {
    const level = this.lastLevel;
    this.lastLevel = 'memory';
    try {
      this.fireBytes('cache', -1, 'write', pa, data, true);
    } finally {
      this.lastLevel = level;
    }
  }

  private rangeLines(pa: number, size: number): number {
    if (!(size > 0)) return 0;
    const first = Math.floor(pa * this.invLine);
    const last = Math.floor((pa + size - 1) * this.invLine);
    return last - first + 1;
  }

  /**
   * Calls `fn` on each line of [pa, pa+size) that may be resident in `caches`, in address
   * order, and counts the calls that return true. A range with more lines than the caches
   * have slots is not walked: the caches' valid lines inside it are collected instead.
   */
  private forResidentLines(pa: number, size: number, caches: readonly Cache[], slots: number, fn: (line: number) => boolean): number {
    const first = Math.floor(pa * this.invLine);
    const last = Math.floor((pa + size - 1) * this.invLine);
    let touched = 0;
    if (last - first + 1 <= slots) {
      for (let l = first; l <= last; l++) if (fn(l)) touched++;
      return touched;
    }
    const buf = new Float64Array(slots);
    let k = 0;
    for (const c of caches) {
      const la = c.lineOf;
      for (let s = 0; s < c.slots; s++) {
        const l = la[s];
        if (l >= first && l <= last) buf[k++] = l;
      }
    }
    const lines = buf.subarray(0, k).sort();
    for (let i = 0; i < k; i++) {
      if (i > 0 && lines[i] === lines[i - 1]) continue;
      if (fn(lines[i])) touched++;
    }
    return touched;
  }

  private emitCmo(op: CmoOp, cpu: number | null, addr: number, size: number, lines: number, cycles: number, charge = true): CmoResult {
    // Stamped with the time the operation started, then charged.
    this.bus.emit({ type: 'cmo', op, cpu, addr, size, lines, cycles });
    if (charge) this.clock.advance(cycles);
    if (cpu !== null) this.cycles[cpu].value += cycles;
    this.cmoOps.value++;
    this.cmoCycles.value += cycles;
    return { op, lines, cycles };
  }

  // ---------------------------------------------------------------- inspection

  peekBytes(pa: number, out: Uint8Array): void {
    const L = this.lineSize;
    let a = pa;
    let o = 0;
    while (o < out.length) {
      const off = a & this.lineMask;
      const n = Math.min(out.length - o, L - off);
      const line = (a - off) * this.invLine;
      let done = false;
      for (const c of this.allD) {
        const s = c.lookup(line);
        if (s < 0) continue;
        const p = s * L + off;
        for (let i = 0; i < n; i++) out[o + i] = c.data[p + i];
        done = true;
        break;
      }
      if (!done) this.memory.readInto(a, out, o, n);
      a += n;
      o += n;
    }
  }

  residentCopies(pa: number): LineCopy[] {
    const line = Math.floor(pa * this.invLine);
    const L = this.lineSize;
    const out: LineCopy[] = [];
    for (const c of this.allCaches) {
      const s = c.lookup(line);
      if (s < 0) continue;
      const st = c.state[s];
      out.push({
        cache: c.name,
        level: c.level,
        depth: c.depth,
        state: STATE_NAMES[st] as LineCopy['state'],
        dirty: isDirty(st),
        data: c.data.slice(s * L, s * L + L),
      });
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private chargeAgent(agent: AccessAgent, cpu: number, cycles: number): void {
    this.clock.advance(cycles);
    if (agent !== 'device') this.cycles[cpu].value += cycles;
  }

  private fireValue(agent: AccessAgent, cpu: number, kind: AccessKind, pa: number, size: number, lo: number, hi: number, cacheable: boolean): void {
    const nested = this.firing;
    const data = nested ? new Uint8Array(size) : this.hookViews[size];
    for (let i = 0; i < size && i < 4; i++) data[i] = (lo >>> (8 * i)) & 0xff;
    for (let i = 4; i < size; i++) data[i] = (hi >>> (8 * (i - 4))) & 0xff;
    this.fireBytes(agent, cpu, kind, pa, data, cacheable);
  }

  private fireBytes(agent: AccessAgent, cpu: number, kind: AccessKind, pa: number, data: Uint8Array, cacheable: boolean): void {
    const nested = this.firing;
    const a: MemoryAccess = nested ? { agent, cpu, kind, addr: pa, data, cacheable, level: this.lastLevel } : this.hookAccess;
    a.agent = agent;
    a.cpu = agent === 'device' || agent === 'cache' ? -1 : cpu;
    a.kind = kind;
    a.addr = pa;
    a.data = data;
    a.cacheable = cacheable;
    a.level = this.lastLevel;
    this.firing = true;
    try {
      this.inst.fireMemoryAccess(a);
    } finally {
      this.firing = nested;
    }
  }

  private checkCpu(cpu: number | null): void {
    if (cpu !== null && this.l1d[cpu] === undefined) throw this.badCpu(cpu);
  }

  private badCpu(cpu: number): KvmsimError {
    return new InputError(`no core ${cpu}: this machine has ${this.cpus} core${this.cpus === 1 ? '' : 's'} (0..${this.cpus - 1})`);
  }

  private badSize(size: number): KvmsimError {
    return new KvmsimError(`memory access size must be 1, 2, 4 or 8 bytes, got ${size}`);
  }
}
