import { InputError, type Counter, type Rng, type StatsRegistry } from '../../core';
import { validateGeometry, type CacheGeometry } from './geometry';
import type { ReplacementPolicy, ReplacementPolicyFactory } from './replacement';

/**
 * Line states, MOESI-like. Shared outer levels use only SHARED (clean) and OWNED (dirty);
 * I-caches use only SHARED. EXCLUSIVE and MODIFIED in an L1 D-cache promise that no D-cache
 * off this core's path (and, with DIC, no I-cache) holds the line, so a store needs no snoop.
 */
export enum LineState {
  INVALID = 0,
  /** Clean; other caches may hold it. */
  SHARED = 1,
  /** Clean; the only copy off this core's path. */
  EXCLUSIVE = 2,
  /** Dirty; other caches may hold clean copies of the same data. */
  OWNED = 3,
  /** Dirty; the only copy off this core's path. */
  MODIFIED = 4,
}

export const STATE_NAMES = ['invalid', 'shared', 'exclusive', 'owned', 'modified'] as const;

export const isDirty = (s: number) => s >= LineState.OWNED;

export interface CacheOptions extends CacheGeometry {
  /** Short level name reported as the level that served an access: `l1d`, `l1i`, `l2`, `slc`. */
  level: string;
  /** 1 for L1, 2 for the first shared level, ... */
  depth: number;
  /** Stats prefix, e.g. `system.cpu0.l1d` or `system.l2`. */
  statName: string;
  replacement: string;
  hitLatency: number;
}

/**
 * One set-associative cache holding line data. Tags, states and data live in typed arrays:
 * slot `s = set * ways + way` has its line number (PA / lineSize, -1 when invalid) in
 * `lineOf[s]`, its state in `state[s]` and its bytes at `data[s * lineSize ..]`.
 */
export class Cache {
  readonly level: string;
  readonly depth: number;
  readonly name: string;
  readonly size: number;
  readonly ways: number;
  readonly lineSize: number;
  readonly sets: number;
  readonly slots: number;
  readonly setMask: number;
  readonly hitLatency: number;
  readonly lineOf: Float64Array;
  readonly state: Uint8Array;
  readonly data: Uint8Array;
  readonly view: DataView;
  /** `data` as 32-bit words, for line copies (slots are word-aligned). */
  readonly words: Int32Array;
  readonly repl: ReplacementPolicy;
  /**
   * Per slot, where the line was last seen in `parent` (a hint, checked before use): saves a
   * full set search when a dirty line is written back.
   */
  readonly parentSlot: Int32Array;
  /** Where this cache writes back to; null means physical memory. Set by the hierarchy. */
  parent: Cache | null = null;
  /**
   * The line an exclusive monitor watches through this cache (an L1 D), or -1: losing that line
   * (eviction, another core's store, invalidation) sets it back to -1, clearing the monitor.
   */
  watchLine = -1;
  readonly hits: Counter;
  readonly misses: Counter;
  readonly evictions: Counter;
  readonly writebacks: Counter;

  constructor(opts: CacheOptions, factory: ReplacementPolicyFactory, rng: Rng, stats: StatsRegistry) {
    this.sets = validateGeometry(opts.statName, opts);
    this.level = opts.level;
    this.depth = opts.depth;
    this.name = opts.statName;
    this.size = opts.size;
    this.ways = opts.ways;
    this.lineSize = opts.lineSize;
    this.slots = this.sets * this.ways;
    this.setMask = this.sets - 1;
    this.hitLatency = opts.hitLatency;
    this.lineOf = new Float64Array(this.slots).fill(-1);
    this.state = new Uint8Array(this.slots);
    this.data = new Uint8Array(this.size);
    this.view = new DataView(this.data.buffer);
    this.words = new Int32Array(this.data.buffer);
    this.parentSlot = new Int32Array(this.slots);
    try {
      this.repl = factory.create(opts.replacement, this.sets, this.ways, rng.fork(opts.statName));
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${opts.statName}: ${e.message}`);
      throw e;
    }
    const n = opts.statName;
    this.hits = stats.counter(`${n}.hits`, 'accesses that found the line');
    this.misses = stats.counter(`${n}.misses`, 'accesses that did not find the line');
    this.evictions = stats.counter(`${n}.evictions`, 'valid lines replaced to make room');
    this.writebacks = stats.counter(`${n}.writebacks`, 'dirty lines written back to the next level');
    const hits = this.hits;
    const misses = this.misses;
    stats.formula(`${n}.miss_rate`, 'misses / accesses', () => (hits.value + misses.value === 0 ? 0 : misses.value / (hits.value + misses.value)));
  }

  /** The slot holding line number `line`, or -1. */
  lookup(line: number): number {
    const ways = this.ways;
    const base = (line & this.setMask) * ways;
    const la = this.lineOf;
    for (let w = 0; w < ways; w++) if (la[base + w] === line) return base + w;
    return -1;
  }

  /**
   * A slot for `line` in its set: an invalid way if there is one, else the policy's victim.
   * The caller evicts what is there (see `CacheHierarchy.evict`) before reusing it.
   */
  chooseSlot(line: number): number {
    const ways = this.ways;
    const set = line & this.setMask;
    const base = set * ways;
    const st = this.state;
    for (let w = 0; w < ways; w++) if (st[base + w] === LineState.INVALID) return base + w;
    return base + this.repl.victim(set);
  }

  /** Marks `slot` as holding `line` in `state` (the data must be copied in by the caller). */
  install(slot: number, line: number, state: LineState): void {
    this.lineOf[slot] = line;
    this.state[slot] = state;
    this.repl.fill(slot);
  }

  invalidateSlot(slot: number): void {
    if (this.lineOf[slot] === this.watchLine) this.watchLine = -1;
    this.lineOf[slot] = -1;
    this.state[slot] = LineState.INVALID;
  }

  /** Drops every line (dirty data included); returns how many were valid. */
  invalidateAll(): number {
    let n = 0;
    for (let s = 0; s < this.slots; s++) if (this.state[s] !== LineState.INVALID) n++;
    this.lineOf.fill(-1);
    this.state.fill(LineState.INVALID);
    this.watchLine = -1;
    return n;
  }

  /**
   * Copies line bytes between slots of (possibly different) caches of the same line size.
   * Unrolled: a plain loop of 16 word copies costs about twice as much in V8.
   */
  static copyLine(from: Cache, fromSlot: number, to: Cache, toSlot: number): void {
    const n = from.lineSize >> 2;
    const s = from.words;
    const d = to.words;
    const a = fromSlot * n;
    const b = toSlot * n;
    if (n === 16) {
      d[b] = s[a];
      d[b + 1] = s[a + 1];
      d[b + 2] = s[a + 2];
      d[b + 3] = s[a + 3];
      d[b + 4] = s[a + 4];
      d[b + 5] = s[a + 5];
      d[b + 6] = s[a + 6];
      d[b + 7] = s[a + 7];
      d[b + 8] = s[a + 8];
      d[b + 9] = s[a + 9];
      d[b + 10] = s[a + 10];
      d[b + 11] = s[a + 11];
      d[b + 12] = s[a + 12];
      d[b + 13] = s[a + 13];
      d[b + 14] = s[a + 14];
      d[b + 15] = s[a + 15];
      return;
    }
    // Line sizes are powers of two of at least 16 bytes: whole groups of four words.
    for (let i = 0; i < n; i += 4) {
      d[b + i] = s[a + i];
      d[b + i + 1] = s[a + i + 1];
      d[b + i + 2] = s[a + i + 2];
      d[b + i + 3] = s[a + i + 3];
    }
  }

  /** Valid lines resident now. */
  validLines(): number {
    let n = 0;
    for (let s = 0; s < this.slots; s++) if (this.state[s] !== LineState.INVALID) n++;
    return n;
  }
}
