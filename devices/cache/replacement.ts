import { InputError, type Rng } from '../../core';

/**
 * Chooses which way of a full set to evict. The cache fills invalid ways first and only asks
 * for a victim when every way of the set is valid. Slots are `set * ways + way`.
 */
export interface ReplacementPolicy {
  readonly name: string;
  /** A hit on `slot`. */
  touch(slot: number): void;
  /** A line was installed in `slot`. */
  fill(slot: number): void;
  /** The way of `set` to evict. */
  victim(set: number): number;
}

/** Least recently used: a use stamp per slot, the oldest goes. */
export class LruPolicy implements ReplacementPolicy {
  readonly name = 'lru';
  private readonly stamp: Float64Array;
  private tick = 0;
  constructor(
    sets: number,
    private readonly ways: number,
  ) {
    this.stamp = new Float64Array(sets * ways);
  }
  touch(slot: number): void {
    this.stamp[slot] = ++this.tick;
  }
  fill(slot: number): void {
    this.stamp[slot] = ++this.tick;
  }
  victim(set: number): number {
    const base = set * this.ways;
    const st = this.stamp;
    let best = 0;
    let min = st[base];
    for (let w = 1; w < this.ways; w++) {
      if (st[base + w] < min) {
        min = st[base + w];
        best = w;
      }
    }
    return best;
  }
}

/**
 * Tree pseudo-LRU: ways-1 bits per set form a binary tree; each bit points to the half used
 * less recently. Needs a power-of-two number of ways.
 */
export class TreePlruPolicy implements ReplacementPolicy {
  readonly name = 'plru';
  private readonly bits: Uint8Array;
  private readonly levels: number;
  constructor(
    sets: number,
    private readonly ways: number,
  ) {
    if ((ways & (ways - 1)) !== 0) throw new InputError(`tree-PLRU replacement needs a power-of-two number of ways, got ${ways}`);
    this.bits = new Uint8Array(sets * Math.max(1, ways - 1));
    this.levels = Math.log2(ways);
  }
  touch(slot: number): void {
    const ways = this.ways;
    if (ways === 1) return;
    const set = (slot / ways) | 0;
    const way = slot - set * ways;
    const base = set * (ways - 1);
    let node = 0;
    for (let l = this.levels - 1; l >= 0; l--) {
      const right = (way >> l) & 1;
      // Point away from the half just used.
      this.bits[base + node] = right ^ 1;
      node = 2 * node + 1 + right;
    }
  }
  fill(slot: number): void {
    this.touch(slot);
  }
  victim(set: number): number {
    const ways = this.ways;
    if (ways === 1) return 0;
    const base = set * (ways - 1);
    let node = 0;
    let way = 0;
    for (let l = 0; l < this.levels; l++) {
      const right = this.bits[base + node];
      way = (way << 1) | right;
      node = 2 * node + 1 + right;
    }
    return way;
  }
}

/** First in, first out: the line installed longest ago goes; hits change nothing. */
export class FifoPolicy implements ReplacementPolicy {
  readonly name = 'fifo';
  private readonly stamp: Float64Array;
  private tick = 0;
  constructor(
    sets: number,
    private readonly ways: number,
  ) {
    this.stamp = new Float64Array(sets * ways);
  }
  touch(_slot: number): void {}
  fill(slot: number): void {
    this.stamp[slot] = ++this.tick;
  }
  victim(set: number): number {
    const base = set * this.ways;
    let best = 0;
    for (let w = 1; w < this.ways; w++) if (this.stamp[base + w] < this.stamp[base + best]) best = w;
    return best;
  }
}

/** A uniformly random way, from a seeded stream: same seed, same victims. */
export class RandomPolicy implements ReplacementPolicy {
  readonly name = 'random';
  constructor(
    private readonly ways: number,
    private readonly rng: Rng,
  ) {}
  touch(_slot: number): void {}
  fill(_slot: number): void {}
  victim(_set: number): number {
    return this.rng.nextInt(this.ways);
  }
}

/** Makes replacement policies by name. Rebind the token to add policies of your own. */
export interface ReplacementPolicyFactory {
  /** Names `create` accepts. */
  names(): string[];
  /** `rng` is a stream of this cache's own (only random policies draw from it). */
  create(name: string, sets: number, ways: number, rng: Rng): ReplacementPolicy;
}
export const ReplacementPolicyFactory = Symbol.for('kvmsim.ReplacementPolicyFactory');

export const REPLACEMENT_NAMES = ['lru', 'plru', 'fifo', 'random'] as const;
export type ReplacementName = (typeof REPLACEMENT_NAMES)[number];

export class BuiltinReplacementFactory implements ReplacementPolicyFactory {
  names(): string[] {
    return [...REPLACEMENT_NAMES];
  }
  create(name: string, sets: number, ways: number, rng: Rng): ReplacementPolicy {
    switch (name) {
      case 'lru':
        return new LruPolicy(sets, ways);
      case 'plru':
        return new TreePlruPolicy(sets, ways);
      case 'fifo':
        return new FifoPolicy(sets, ways);
      case 'random':
        return new RandomPolicy(ways, rng);
      default:
        throw new InputError(`unknown replacement policy '${name}'; expected one of: ${this.names().join(', ')}`);
    }
  }
}
