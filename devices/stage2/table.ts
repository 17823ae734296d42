import { DESC_TABLE, DESC_VALID } from './descriptor';

/**
 * One translation table: its descriptors, the next-level tables its table descriptors point
 * to, and a bitmap of valid entries so walks visit only what is mapped (an empty 512-entry
 * table costs 16 word tests, not 512 loads). `live` is the number of valid entries: KVM's page
 * refcount, used to free a table once it becomes empty.
 */
export class Table {
  readonly desc: Float64Array;
  /** Child tables by index; null at level 3, which holds only pages. */
  readonly next: (Table | null)[] | null;
  private readonly valid: Uint32Array;
  live = 0;

  constructor(
    readonly level: number,
    readonly entries: number,
  ) {
    this.desc = new Float64Array(entries);
    this.valid = new Uint32Array(Math.max(1, entries >>> 5));
    this.next = level < 3 ? new Array<Table | null>(entries).fill(null) : null;
  }

  /** Writes a valid descriptor at `i`. */
  set(i: number, d: number): void {
    if (this.desc[i] === 0) {
      this.live++;
      this.valid[i >>> 5] |= 1 << (i & 31);
    }
    this.desc[i] = d;
  }

  /** Points entry `i` at `child`. */
  setTable(i: number, child: Table): void {
    this.set(i, DESC_VALID | DESC_TABLE);
    this.next![i] = child;
  }

  /** Invalidates entry `i` (and drops its child table, if any). */
  clear(i: number): void {
    if (this.desc[i] === 0) return;
    this.live--;
    this.valid[i >>> 5] &= ~(1 << (i & 31));
    this.desc[i] = 0;
    if (this.next !== null) this.next[i] = null;
  }

  /** The first valid index in [from, to], or -1. */
  nextValid(from: number, to: number): number {
    let w = from >>> 5;
    const lastWord = to >>> 5;
    let bits = this.valid[w] & (-1 << (from & 31));
    for (;;) {
      if (bits !== 0) {
        const i = (w << 5) | (31 - Math.clz32(bits & -bits));
        return i <= to ? i : -1;
      }
      if (++w > lastWord) return -1;
      bits = this.valid[w];
    }
  }
}
