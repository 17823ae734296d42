import { InputError } from '../../core';
import { validateGeometry } from '../cache/geometry';
import type { CacheLevelSpec, CacheTopology } from '../hierarchy/topology';

/** `SIZE,ASSOC,LINE` as cachegrind's --I1/--D1/--LL take it. */
export function parseCachegrindGeometry(flag: string, value: string): CacheLevelSpec {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
  if (m === null) throw new InputError(`${flag}=${value}: expected SIZE,ASSOC,LINE in bytes, e.g. ${flag}=32768,8,64`);
  const spec = { size: Number(m[1]), ways: Number(m[2]), lineSize: Number(m[3]), hitLatency: 1 };
  validateGeometry(`${flag}=${value}`, spec);
  return spec;
}

/** Cachegrind's defaults when a flag is left out (a typical modern x86 machine). */
export const CACHEGRIND_DEFAULTS = { I1: '32768,8,64', D1: '32768,8,64', LL: '8388608,16,64' };

/**
 * A topology shaped like cachegrind's model: separate I1 and D1, one unified last-level cache
 * looked up on L1 misses, LRU everywhere, write-allocate; one core. No IDC/DIC/FWB games:
 * replayed traces carry no cache maintenance.
 */
export function cachegrindTopology(i1: CacheLevelSpec, d1: CacheLevelSpec, ll: CacheLevelSpec): CacheTopology {
  return {
    name: 'cachegrind',
    description: `cachegrind-like: I1 ${i1.size},${i1.ways},${i1.lineSize} D1 ${d1.size},${d1.ways},${d1.lineSize} LL ${ll.size},${ll.ways},${ll.lineSize}`,
    l1i: { ...i1, hitLatency: 1 },
    l1d: { ...d1, hitLatency: 1 },
    shared: [{ ...ll, name: 'll', coresPerInstance: 'all', hitLatency: 10 }],
    pou: 'll',
    poc: 'memory',
    replacement: 'lru',
    cost: { memory: 100, snoop: 10, dcOpPerLine: 1, icIallu: 1, icIvauPerLine: 1, isb: 1, stage2Fault: 0, stage2MapPerPage: 0, tlbi: 0 },
    idc: false,
    dic: false,
    fwb: false,
    icachePolicy: 'PIPT',
    ncFetchHitsIcache: false,
  };
}
