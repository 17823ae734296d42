/**
 * MemorySystem — how cores, the VMM and devices reach physical memory through the caches.
 *
 * Agents and cores. Every access names its agent ('vcpu' | 'host' | 'device') and a core index.
 * Guest VCPU n runs on core n; the VMM ("host") also reads and writes through core n's L1 D.
 * Devices use no cache: a 'device' access goes straight to memory (or MMIO) whatever its
 * `cacheable` flag says, and its core index is ignored.
 *
 * Data accesses (hot path, allocation-free):
 *   read(agent, cpu, pa, size, cacheable): number      size 1, 2, 4 → the unsigned value;
 *                                                      size 8 → the low 32 bits, the high 32 in `hi`
 *   write(agent, cpu, pa, size, value, cacheable, hi?)  size 8 writes `value` low, `hi` high
 *   fetch(cpu, pa, cacheable): number                  a 32-bit instruction word (pa 4-aligned)
 * Unaligned accesses that straddle two lines are split; values are little-endian.
 * After each access `lastLevel` names the level that served it ('l1d', 'l1i', 'l2', 'slc',
 * 'memory', 'mmio'; for a split access, the outermost of the two).
 *
 * Bulk (VMM images, DMA): readBytes / writeBytes(agent, cpu, pa, bytes, cacheable), split per line.
 *
 * Semantics.
 *  - Cacheable data accesses are coherent across every D-cache: a read finds the newest copy
 *    wherever it is (snooping other cores' L1 Ds and other instances of shared levels), a write
 *    invalidates every copy off the writer's path. D-caches are write-back, write-allocate.
 *  - Non-cacheable data accesses read and write memory (or MMIO) and see no cache, so they can
 *    read stale memory while a dirty line sits in a cache.
 *  - fetch looks up the core's L1 I. A miss refills from the PoU level and below; without IDC
 *    the refill does not see data dirty in an L1 D, with IDC it does. Without DIC an I-line stays
 *    stale when the D-side changes, until an IC operation removes it; with DIC every write
 *    invalidates I-lines. A non-cacheable fetch reads memory, unless the topology says
 *    `ncFetchHitsIcache` and the line is in the I-cache. Refills allocate in the L1 I only.
 *  - Costs: each access charges the Clock the hit latency of the level that served it (or the
 *    snoop / memory latency) and adds it to `system.cpuN.mem_cycles`.
 *  - When `Instrumentation.memHooks !== null`, each access (each piece of a split one, each line
 *    of a bulk one) fires a MemoryAccess with agent, cpu, kind, PA, bytes, cacheable and level.
 *
 * Cache maintenance (each emits one `cmo` event and charges its cost to the Clock):
 *   dc(op, cpu, pa)            DC CIVAC / CVAC / CVAU / IVAC on the line holding pa, over the
 *                              shareability domain (every core). IVAC discards dirty data.
 *   dcRange(op, cpu, pa, size) the same op on every line of a range
 *   dcZva(cpu, pa, cacheable)  DC ZVA: zeroes the line-sized block holding pa (a store)
 *   ic(op, cpu, pa?)           IC IALLU (this core), IC IALLUIS (every core), IC IVAU (by address, every core)
 *   dcSetWay(op, cpu, level, set, way)   DC CISW / CSW / ISW on one line of this core's cache at
 *                              `level` (1 = its L1 D, 2 = its L2 instance, ...)
 *   dcSetWayAll(op, cpu, level)          the same over every set and way, as firmware loops do
 *   dcacheCleanInvalPoc(pa, size, cpu?)  Linux dcache_clean_inval_poc: DC CIVAC over the range
 *   icacheInvalPou(pa, size, cpu?)       icache_inval_pou: IC IVAU over the range (DIC: an ISB only)
 *   icacheInvalAllPou(cpu?)              icache_inval_all_pou: IC IALLUIS (DIC: returns at once)
 * Exclusive monitors (LDXR/STXR), the part that needs the memory system; the reservation granule
 * is a line (CTR_EL0.ERG):
 *   markExclusive(cpu, pa)     core cpu's monitor now watches the line holding pa
 *   exclusiveHeld(cpu, pa)     the mark on pa's line still stands
 *   clearExclusive(cpu)        drops it
 * A mark is lost when the line leaves the core's L1 D (an eviction, which the architecture allows
 * to clear it; any other core's store, which invalidates the copy; cache maintenance), and when
 * anyone else writes the line past the caches (a non-cacheable store by another core, a host or
 * device write). The core's own stores keep it, as do stores through mismatched attributes that
 * never reach the core's L1 D (a cacheable store by another core to a line this core marked with
 * a non-cacheable LDXR: mismatched attributes lose coherence anyway).
 *
 * Range operations touch only resident lines: when a range holds more lines than the caches,
 * the caches' valid lines are scanned instead of walking the range. They are charged for every
 * line of the range (lines × per-line cost); the event's `lines` counts the lines that were
 * actually resident.
 */
import type { AccessAgent, CmoOp } from '../../core';
import type { CacheTopology } from './topology';

/** Levels that serve accesses, as `lastLevel` and MemoryAccess.level report them. */
export type ServedBy = 'l1d' | 'l1i' | 'memory' | 'mmio' | string;

export type DcByAddressOp = 'DC CIVAC' | 'DC CVAC' | 'DC CVAU' | 'DC IVAC';
export type DcSetWayOp = 'DC CISW' | 'DC CSW' | 'DC ISW';
export type IcOp = 'IC IALLU' | 'IC IALLUIS' | 'IC IVAU';

/** One resident copy of a line, for checkers and tests. */
export interface LineCopy {
  /** Stats name of the cache: `system.cpu0.l1d`, `system.l2`. */
  cache: string;
  /** `l1d`, `l1i`, `l2`, `slc`. */
  level: string;
  /** 1 for L1s, 2 for the first shared level, ... */
  depth: number;
  state: 'shared' | 'exclusive' | 'owned' | 'modified';
  dirty: boolean;
  /** A copy of the line's bytes. */
  data: Uint8Array;
}

/** What a CMO call did (also emitted as a `cmo` event). */
export interface CmoResult {
  op: CmoOp;
  /** Lines that were resident and acted on. */
  lines: number;
  cycles: number;
}

export interface MemorySystem {
  readonly topology: CacheTopology;
  readonly cpus: number;
  readonly lineSize: number;
  /** Stage 2 can force cacheable (FWB); consumers decide accesses' cacheability with it. */
  readonly fwb: boolean;
  readonly idc: boolean;
  readonly dic: boolean;
  /** High 32 bits of the last 8-byte read. */
  readonly hi: number;
  /** The level that served the last access. */
  readonly lastLevel: ServedBy;

  read(agent: AccessAgent, cpu: number, pa: number, size: number, cacheable: boolean): number;
  write(agent: AccessAgent, cpu: number, pa: number, size: number, value: number, cacheable: boolean, hi?: number): void;
  fetch(cpu: number, pa: number, cacheable: boolean): number;
  readBytes(agent: AccessAgent, cpu: number, pa: number, out: Uint8Array, cacheable: boolean): void;
  writeBytes(agent: AccessAgent, cpu: number, pa: number, data: Uint8Array, cacheable: boolean): void;

  dc(op: DcByAddressOp, cpu: number | null, pa: number): CmoResult;
  dcRange(op: DcByAddressOp, cpu: number | null, pa: number, size: number): CmoResult;
  dcZva(cpu: number, pa: number, cacheable: boolean): CmoResult;
  ic(op: IcOp, cpu: number | null, pa?: number): CmoResult;
  dcSetWay(op: DcSetWayOp, cpu: number, level: number, set: number, way: number): CmoResult;
  dcSetWayAll(op: DcSetWayOp, cpu: number, level: number): CmoResult;
  dcacheCleanInvalPoc(pa: number, size: number, cpu?: number | null): CmoResult;
  icacheInvalPou(pa: number, size: number, cpu?: number | null): CmoResult;
  icacheInvalAllPou(cpu?: number | null): CmoResult;

  markExclusive(cpu: number, pa: number): void;
  exclusiveHeld(cpu: number, pa: number): boolean;
  clearExclusive(cpu: number): void;

  /** The newest data at [pa, pa+out.length) as a coherent cacheable read would see it, without side effects. */
  peekBytes(pa: number, out: Uint8Array): void;
  /** Every resident copy of the line holding `pa` (D-side and I-side). */
  residentCopies(pa: number): LineCopy[];
  /** Sets and ways of this core's cache at `level` (1 = L1 D), for set/way loops. */
  cacheShape(cpu: number, level: number): { sets: number; ways: number; name: string };
}
export const MemorySystem = Symbol.for('kvmsim.MemorySystem');
