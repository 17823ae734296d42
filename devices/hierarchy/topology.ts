import { InputError } from '../../core';
import { validateGeometry, type CacheGeometry } from '../cache/geometry';

/** One cache level's shape and speed. `replacement` defaults to the topology's. */
export interface CacheLevelSpec extends CacheGeometry {
  replacement?: string;
  /** Load-to-use cycles when this level serves an access. */
  hitLatency: number;
}

/** A unified level beyond the L1s (an L2, a system-level cache). */
export interface SharedLevelSpec extends CacheLevelSpec {
  /** Level name, used for stats and as the level that served an access: `l2`, `slc`. */
  name: string;
  /**
   * How many cores share one instance: 1 = private per core, n = one per cluster of n cores,
   * 'all' = one for the whole system.
   */
  coresPerInstance: number | 'all';
}

/** Modelled cycles of everything that costs time, besides cache hits. */
export interface CostModel {
  /** An access served by physical memory (a miss in every level). */
  memory: number;
  /** A line supplied by another core's L1 D-cache. */
  snoop: number;
  /** One DC by-address or set/way operation, per line. */
  dcOpPerLine: number;
  /** IC IALLU / IC IALLUIS (with its DSB). */
  icIallu: number;
  /** One IC IVAU, per line. */
  icIvauPerLine: number;
  /** An ISB (the whole of icache_inval_pou when DIC is set). */
  isb: number;
  /** Taking and handling a stage-2 fault (used by the stage-2 MMU / KVM plugin). */
  stage2Fault: number;
  /** Installing one stage-2 page mapping. */
  stage2MapPerPage: number;
  /** One TLB invalidation (TLBI + DSB). */
  tlbi: number;
}

/** L1 instruction-cache indexing, as CTR_EL0.L1Ip reports it. */
/**
 * L1 I-cache indexing, as CTR_EL0.L1Ip reports it. VPIPT lines are also tagged with the VMID;
 * with one VM that changes no hit, only how KVM maintains it.
 */
export type IcachePolicy = 'PIPT' | 'VIPT' | 'VPIPT';

/**
 * A cache topology: what a topology plugin rebinds. Per-core L1 I and D caches, the shared
 * levels from inner to outer, the Point of Unification, costs, and the CTR_EL0-style flags.
 * The Point of Coherency is physical memory in every topology (`poc: 'memory'`): a
 * system-level cache here sits before PoC, so non-cacheable accesses never see it.
 */
export interface CacheTopology {
  readonly name: string;
  readonly description: string;
  readonly l1i: CacheLevelSpec;
  readonly l1d: CacheLevelSpec;
  readonly shared: readonly SharedLevelSpec[];
  /** The level that is the PoU: a shared level's name, or 'memory' when no level is unified. */
  readonly pou: string;
  readonly poc: 'memory';
  /** Default replacement policy of every level. */
  readonly replacement: string;
  readonly cost: CostModel;
  /** CTR_EL0.IDC: an I-cache refill sees data still dirty in L1 D-caches. */
  readonly idc: boolean;
  /** CTR_EL0.DIC: I-caches are kept coherent with every write; no IC invalidation needed. */
  readonly dic: boolean;
  /** Stage 2 can force Normal write-back (FWB): guest accesses to RAM are always cacheable. */
  readonly fwb: boolean;
  readonly icachePolicy: IcachePolicy;
  /** Implementation defined: a non-cacheable instruction fetch may still hit the I-cache. */
  readonly ncFetchHitsIcache: boolean;
}
export const CacheTopology = Symbol.for('kvmsim.CacheTopology');

/** What a user may override through a topology plugin's args. */
export interface TopologyOverrides {
  idc?: boolean;
  dic?: boolean;
  fwb?: boolean;
  replacement?: string;
  icachePolicy?: IcachePolicy;
  ncFetchHitsIcache?: boolean;
  /** Memory latency in cycles. */
  memoryLatency?: number;
}

export function withOverrides(t: CacheTopology, o: TopologyOverrides): CacheTopology {
  const flags: Partial<Pick<CacheTopology, 'idc' | 'dic' | 'fwb' | 'replacement' | 'icachePolicy' | 'ncFetchHitsIcache'>> = {};
  for (const k of ['idc', 'dic', 'fwb', 'replacement', 'icachePolicy', 'ncFetchHitsIcache'] as const) {
    if (o[k] !== undefined) (flags as Record<string, unknown>)[k] = o[k];
  }
  return {
    ...t,
    ...flags,
    cost: o.memoryLatency !== undefined ? { ...t.cost, memory: o.memoryLatency } : t.cost,
  };
}

/** Checks every level's geometry, the line sizes, the sharing and the PoU; throws InputError. */
export function validateTopology(t: CacheTopology): void {
  const where = (lvl: string) => `topology '${t.name}' ${lvl}`;
  validateGeometry(where('l1i'), t.l1i);
  validateGeometry(where('l1d'), t.l1d);
  const line = t.l1d.lineSize;
  const names = new Set<string>(['l1i', 'l1d', 'memory']);
  for (const s of t.shared) {
    validateGeometry(where(s.name), s);
    if (!/^[a-z][a-z0-9_]*$/.test(s.name)) throw new InputError(`${where(s.name)}: level name must be a lower-case identifier`);
    if (names.has(s.name)) throw new InputError(`${where(s.name)}: level name '${s.name}' is used twice or reserved`);
    names.add(s.name);
    if (s.coresPerInstance !== 'all' && (!Number.isSafeInteger(s.coresPerInstance) || s.coresPerInstance < 1)) {
      throw new InputError(`${where(s.name)}: coresPerInstance must be a positive integer or 'all', got ${s.coresPerInstance}`);
    }
  }
  for (const [n, l] of [['l1i', t.l1i] as const, ...t.shared.map((s) => [s.name, s] as const)]) {
    if (l.lineSize !== line) throw new InputError(`${where(n)}: line size ${l.lineSize} differs from l1d's ${line}; every level must use one line size`);
  }
  // An outer level must group whole instances of the level inside it.
  let inner = 1;
  for (const s of t.shared) {
    if (s.coresPerInstance === 'all') inner = Infinity;
    else if (inner === Infinity || s.coresPerInstance % inner !== 0) {
      throw new InputError(`${where(s.name)}: shared by ${s.coresPerInstance} cores, which does not group whole instances of the level inside it`);
    } else inner = s.coresPerInstance;
  }
  if (t.pou !== 'memory' && !t.shared.some((s) => s.name === t.pou)) {
    throw new InputError(`topology '${t.name}': pou '${t.pou}' is not one of its levels (${[...t.shared.map((s) => s.name), 'memory'].join(', ')})`);
  }
  for (const [k, v] of Object.entries(t.cost)) {
    if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new InputError(`topology '${t.name}': cost.${k} must be a non-negative number, got ${v}`);
  }
  validateCacheFlags(t);
}

/**
 * The flag combinations the architecture (and every Arm part) rules out. Without these checks a
 * guest on an impossible host fetches zeros where it wrote code, and blames nobody.
 */
export function validateCacheFlags(t: Pick<CacheTopology, 'name' | 'idc' | 'dic' | 'fwb'>): void {
  if (t.fwb && !t.idc) {
    throw new InputError(
      `topology '${t.name}': fwb without idc is not a machine the architecture allows: with FEAT_S2FWB, CLIDR_EL1.LoUU and LoUIS read as 0, ` +
        'so no data cache needs cleaning to the PoU for instruction fetches to see data (CTR_EL0.IDC behaviour); set idc: true as well',
    );
  }
  if (t.dic && !t.idc) {
    throw new InputError(
      `topology '${t.name}': dic without idc is a host no Arm part is: an I-cache kept coherent with the data side (CTR_EL0.DIC) on parts that ` +
        'implement it also needs no D-cache clean to the PoU (CTR_EL0.IDC); set idc: true as well',
    );
  }
}

/** Arm Cortex-A72: no IDC/DIC, PIPT 48 KiB 3-way L1 I, 32 KiB 2-way L1 D, 1 MiB 16-way L2 per cluster. */
export const CORTEX_A72: CacheTopology = {
  name: 'cortex-a72',
  description: 'Cortex-A72: PIPT 48 KiB 3-way L1 I, 32 KiB 2-way L1 D, 1 MiB 16-way L2 per 4-core cluster; no IDC, no DIC, no FWB',
  l1i: { size: 48 * 1024, ways: 3, lineSize: 64, hitLatency: 1 },
  l1d: { size: 32 * 1024, ways: 2, lineSize: 64, hitLatency: 4 },
  shared: [{ name: 'l2', size: 1024 * 1024, ways: 16, lineSize: 64, hitLatency: 21, coresPerInstance: 4 }],
  pou: 'l2',
  poc: 'memory',
  replacement: 'lru',
  cost: { memory: 180, snoop: 30, dcOpPerLine: 12, icIallu: 300, icIvauPerLine: 8, isb: 20, stage2Fault: 2000, stage2MapPerPage: 300, tlbi: 250 },
  idc: false,
  dic: false,
  fwb: false,
  icachePolicy: 'PIPT',
  ncFetchHitsIcache: false,
};

/** Arm Neoverse N1: IDC and DIC, FWB, 64 KiB 4-way L1s, private 1 MiB L2, 2 MiB system-level cache. */
export const NEOVERSE_N1: CacheTopology = {
  name: 'neoverse-n1',
  description: 'Neoverse N1: 64 KiB 4-way L1 I and D, private 1 MiB 8-way L2 per core, 2 MiB 16-way system-level cache; IDC, DIC, FWB',
  l1i: { size: 64 * 1024, ways: 4, lineSize: 64, hitLatency: 1 },
  l1d: { size: 64 * 1024, ways: 4, lineSize: 64, hitLatency: 4 },
  shared: [
    { name: 'l2', size: 1024 * 1024, ways: 8, lineSize: 64, hitLatency: 11, coresPerInstance: 1 },
    { name: 'slc', size: 2 * 1024 * 1024, ways: 16, lineSize: 64, hitLatency: 35, coresPerInstance: 'all' },
  ],
  pou: 'l2',
  poc: 'memory',
  replacement: 'lru',
  cost: { memory: 150, snoop: 25, dcOpPerLine: 8, icIallu: 250, icIvauPerLine: 6, isb: 15, stage2Fault: 1500, stage2MapPerPage: 250, tlbi: 200 },
  idc: true,
  dic: true,
  fwb: true,
  icachePolicy: 'PIPT',
  ncFetchHitsIcache: false,
};

/** Very small caches (256 B 2-way L1s, 1 KiB 4-way L2, 32-byte lines) so tests force evictions. */
export const TINY: CacheTopology = {
  name: 'tiny',
  description: 'tiny caches for tests: 256 B 2-way L1 I and D, 1 KiB 4-way shared L2, 32-byte lines; no IDC, no DIC',
  l1i: { size: 256, ways: 2, lineSize: 32, hitLatency: 1 },
  l1d: { size: 256, ways: 2, lineSize: 32, hitLatency: 2 },
  shared: [{ name: 'l2', size: 1024, ways: 4, lineSize: 32, hitLatency: 8, coresPerInstance: 'all' }],
  pou: 'l2',
  poc: 'memory',
  replacement: 'lru',
  cost: { memory: 50, snoop: 10, dcOpPerLine: 3, icIallu: 40, icIvauPerLine: 2, isb: 5, stage2Fault: 400, stage2MapPerPage: 60, tlbi: 30 },
  idc: false,
  dic: false,
  fwb: false,
  icachePolicy: 'PIPT',
  ncFetchHitsIcache: false,
};
