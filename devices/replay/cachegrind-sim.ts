import { InputError } from '../../core';
import { emptyTotals, type CachegrindTotals } from './replay';
import type { TraceRef } from './trace-format';

/**
 * Cachegrind's own cache model, kept apart from kvmsim's coherent hierarchy (devices/hierarchy)
 * so that a replay with cachegrind's `--I1/--D1/--LL` flags reproduces cachegrind's totals
 * exactly. What it does, as the Valgrind manual (Cachegrind, "Cache Simulation Specifics") and
 * cachegrind's simulator define it:
 *
 *  - three caches: I1, D1 and one unified LL, each set-associative with LRU replacement and
 *    sets picked by plain bit selection of the line number;
 *  - every way of every set starts holding "line 0" (cachegrind zero-fills its tag arrays and
 *    uses the whole line number as the tag), so a first touch of line 0 in set 0 hits;
 *  - write-allocate, and nothing is ever written back: a store behaves as a load for the
 *    caches, and dirty evictions make no LL traffic;
 *  - LL is looked up only when L1 misses, with the access's own address and size cut at LL's
 *    own line size (so with 32-byte D1 lines and 64-byte LL lines one LL line serves two D1
 *    misses); an instruction fetch can hit an LL line that a data access brought in;
 *  - an access that straddles two lines of a cache is one reference, which misses that cache if
 *    either line misses (both lines are looked up, and both become most recently used);
 *  - a modify (`M`, read-modify-write of one location) counts as one data read;
 *  - data sizes are clamped to the smallest of the three line sizes (see {@link CachegrindSim}).
 */

/** One cache as cachegrind's `--I1/--D1/--LL=SIZE,ASSOC,LINE` gives it, in bytes. */
export interface CachegrindCache {
  size: number;
  assoc: number;
  lineSize: number;
}

/** Cachegrind's smallest line size: anything smaller lets one instruction straddle three lines. */
export const CACHEGRIND_MIN_LINE_SIZE = 16;

/** Cachegrind's defaults when a flag is left out (a typical modern x86 machine). */
export const CACHEGRIND_DEFAULTS = { I1: '32768,8,64', D1: '32768,8,64', LL: '8388608,16,64' };

const isPow2 = (n: number) => n >= 1 && Number.isSafeInteger(n) && 2 ** Math.round(Math.log2(n)) === n;
const INT_MAX = 2 ** 31 - 1;

/**
 * Parses `SIZE,ASSOC,LINE` and checks it with cachegrind's rules, in cachegrind's order: the
 * number of sets (SIZE / (LINE × ASSOC)) must be a whole power of two, LINE a power of two of at
 * least 16, SIZE larger than LINE, and ASSOC at most SIZE / LINE. Sizes need not be powers of
 * two (12 MiB 24-way is fine). Errors are InputErrors naming the flag.
 */
export function parseCachegrindCache(flag: string, value: string): CachegrindCache {
  const m = /^(\d+),(\d+),(\d+)$/.exec(value.trim());
  if (m === null) throw new InputError(`${flag}=${value}: expected SIZE,ASSOC,LINE as three whole numbers of bytes, e.g. ${flag}=32768,8,64`);
  const [size, assoc, lineSize] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const bad = (why: string) => new InputError(`${flag}=${value}: ${why}`);
  // Cachegrind keeps each parameter in a C int and refuses what does not fit.
  if (size > INT_MAX || assoc > INT_MAX || lineSize > INT_MAX) throw bad(`a cache parameter is too large (each must fit in 32 bits, at most ${INT_MAX})`);
  if (assoc === 0) throw bad('associativity must be at least 1');
  if (lineSize === 0) throw bad('line size must be a power of two of at least 16 bytes, got 0');
  const sets = size / (lineSize * assoc);
  if (!Number.isInteger(sets) || !isPow2(sets)) {
    throw bad(`the number of sets, size / (line size × associativity) = ${size} / (${lineSize} × ${assoc}), must be a whole power of two (got ${+sets.toFixed(3)})`);
  }
  if (!isPow2(lineSize)) throw bad(`line size must be a power of two, got ${lineSize}`);
  if (lineSize < CACHEGRIND_MIN_LINE_SIZE) throw bad(`line size must be at least ${CACHEGRIND_MIN_LINE_SIZE} bytes, got ${lineSize}`);
  if (size <= lineSize) throw bad(`cache size (${size}) must be larger than the line size (${lineSize})`);
  if (assoc > size / lineSize) throw bad(`associativity (${assoc}) must be at most size / line size (${size / lineSize})`);
  return { size, assoc, lineSize };
}

/** One of cachegrind's caches: tags are whole line numbers, MRU first within a set. */
class Cache {
  private readonly assoc: number;
  private readonly sets: number;
  private readonly invLine: number;
  /** `sets × assoc` line numbers; set s occupies [s × assoc, (s + 1) × assoc), most recent first. */
  private readonly tags: Float64Array;

  constructor(g: CachegrindCache) {
    this.assoc = g.assoc;
    this.sets = g.size / (g.lineSize * g.assoc);
    this.invLine = 1 / g.lineSize; // exact: the line size is a power of two
    this.tags = new Float64Array(this.sets * this.assoc); // all "line 0", as cachegrind starts
  }

  /** Looks up one line; true on a miss. Either way the line becomes the set's most recent. */
  private lineMisses(line: number): boolean {
    const t = this.tags;
    const base = (line % this.sets) * this.assoc;
    if (t[base] === line) return false;
    const end = base + this.assoc;
    let i = base + 1;
    while (i < end && t[i] !== line) i++;
    const miss = i === end;
    // Shift the more recent ways down one (dropping the LRU one on a miss), put the line first.
    for (let j = miss ? end - 1 : i; j > base; j--) t[j] = t[j - 1];
    t[base] = line;
    return miss;
  }

  /** Looks up an access of `size` bytes at `addr`: one reference, missing if either line misses. */
  refMisses(addr: number, size: number): boolean {
    const first = Math.floor(addr * this.invLine);
    const last = Math.floor((addr + size - 1) * this.invLine);
    if (first === last) return this.lineMisses(first);
    if (last === first + 1) {
      // Both lines are looked up: each lookup updates LRU state.
      const a = this.lineMisses(first);
      const b = this.lineMisses(last);
      return a || b;
    }
    throw new InputError(`an access of ${size} bytes at 0x${addr.toString(16)} straddles more than two ${1 / this.invLine}-byte lines, which cachegrind's model cannot simulate`);
  }
}

/**
 * Cachegrind's simulation of I1, D1 and a unified LL, fed trace references in program order.
 *
 * Data sizes: cachegrind never hands its simulator an access larger than the smallest line
 * size of the three caches (min_line_size), so that no access touches more than two lines.
 * Memory-touching helper calls (x86 FXSAVE/XSAVE, 512 bytes and the like; lackey's trace shows
 * their full size) are cut to min_line_size, still starting at their address; ordinary loads and
 * stores are never larger, because cachegrind refuses to run at all when min_line_size is below
 * the guest's largest register (32 bytes with AVX). So any data reference that is larger than
 * min_line_size in a trace is one that cachegrind cut, and clamping every data size here is
 * exactly what cachegrind did. Instruction sizes are left whole, as cachegrind does.
 */
export class CachegrindSim {
  readonly totals: CachegrindTotals = emptyTotals();
  readonly minLineSize: number;
  private readonly i1: Cache;
  private readonly d1: Cache;
  private readonly ll: Cache;

  constructor(
    readonly I1: CachegrindCache,
    readonly D1: CachegrindCache,
    readonly LL: CachegrindCache,
  ) {
    this.i1 = new Cache(I1);
    this.d1 = new Cache(D1);
    this.ll = new Cache(LL);
    this.minLineSize = Math.min(I1.lineSize, D1.lineSize, LL.lineSize);
  }

  replay(refs: readonly TraceRef[]): void {
    const t = this.totals;
    const { i1, d1, ll, minLineSize } = this;
    for (let k = 0; k < refs.length; k++) {
      const r = refs[k];
      if (r.kind === 'I') {
        t.Ir++;
        if (i1.refMisses(r.addr, r.size)) {
          t.I1mr++;
          if (ll.refMisses(r.addr, r.size)) t.ILmr++;
        }
        continue;
      }
      const size = r.size > minLineSize ? minLineSize : r.size;
      if (r.kind === 'S') {
        t.Dw++;
        if (d1.refMisses(r.addr, size)) {
          t.D1mw++;
          if (ll.refMisses(r.addr, size)) t.DLmw++;
        }
      } else {
        // 'L', and 'M' (a modify), which cachegrind counts as a read.
        t.Dr++;
        if (d1.refMisses(r.addr, size)) {
          t.D1mr++;
          if (ll.refMisses(r.addr, size)) t.DLmr++;
        }
      }
    }
  }
}
