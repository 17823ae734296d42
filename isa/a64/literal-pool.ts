/**
 * Literal pools, as GNU as keeps them for `ldr Xt, =value` / `ldr Wt, =value` / `ldrsw Xt, =value`:
 * one pool per entry size (4 for W and LDRSW, 8 for X); an entry is reused when the same constant,
 * or the same expression text, is already in that pool. A pool is written out (dumped) at
 * `.ltorg` / `.pool` and at the end of the section: the 4-byte pool first, aligned to 4, then the
 * 8-byte pool aligned to 8 (the padding is zero bytes), then emptied. GNU as always loads from
 * the pool, even for a value one MOVZ could make.
 */
import type { Expr } from './expr';

export interface PoolEntry {
  readonly size: number;
  /** The value's expression, evaluated where the LDR is (`index`, `dot`). */
  readonly expr: Expr;
  readonly index: number;
  readonly dot: bigint;
  /** The statement (location id) of the first LDR that asked for it, for errors. */
  readonly line: number;
  /** Offset from the image base, once its pool is laid out. */
  offset: number;
}

/** A dumped pool: zero padding, then the entries in order. */
export interface DumpedPool {
  readonly pad: number;
  readonly entries: readonly PoolEntry[];
}

const SIZES = [4, 8, 16];

export class LiteralPools {
  private readonly pools = new Map<number, { entries: PoolEntry[]; keys: Map<string, PoolEntry> }>();

  /** The entry for `key` (a constant's value, or an expression's text) in the pool of `size`, added if new. */
  add(size: number, key: string, expr: Expr, index: number, dot: bigint, line: number): PoolEntry {
    let pool = this.pools.get(size);
    if (pool === undefined) this.pools.set(size, (pool = { entries: [], keys: new Map() }));
    const found = pool.keys.get(key);
    if (found !== undefined) return found;
    const e: PoolEntry = { size, expr, index, dot, line, offset: -1 };
    pool.entries.push(e);
    pool.keys.set(key, e);
    return e;
  }

  get empty(): boolean {
    return this.pools.size === 0;
  }

  /** Lays out every pool at `offset` (from the base at address `base`), empties them; returns them and their size. */
  dump(base: bigint, offset: number): { pools: DumpedPool[]; size: number } {
    const pools: DumpedPool[] = [];
    let at = offset;
    for (const size of SIZES) {
      const pool = this.pools.get(size);
      if (pool === undefined) continue;
      const pad = Number((BigInt(size) - ((base + BigInt(at)) % BigInt(size))) % BigInt(size));
      at += pad;
      for (const e of pool.entries) {
        e.offset = at;
        at += size;
      }
      pools.push({ pad, entries: pool.entries });
    }
    this.pools.clear();
    return { pools, size: at - offset };
  }
}
