/**
 * Seeded pseudo-random numbers (xoshiro128**, seeded through splitmix32). Same seed, same
 * stream. `fork(label)` derives an independent stream from the seed and a label, so one
 * consumer's draws never shift another's (a replacement policy drawing more numbers does not
 * change what a workload generator sees).
 */
export interface Rng {
  readonly seed: number;
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform float in [0, 1). */
  nextFloat(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
  fork(label: string): Rng;
}
export const Rng = Symbol.for('kvmsim.Rng');

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over the label's UTF-16 code units. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class SeededRng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    const sm = splitmix32(seed >>> 0);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    return result;
  }

  nextFloat(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  nextInt(n: number): number {
    if (!(n > 0)) throw new RangeError(`nextInt: n must be positive, got ${n}`);
    return Math.floor(this.nextFloat() * n);
  }

  fork(label: string): Rng {
    return new SeededRng((Math.imul(this.seed >>> 0, 0x9e3779b1) ^ hashLabel(label)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
