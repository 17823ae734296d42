import { KvmsimError, hex } from '../../core';

/** An access outside physical memory: names the PA, the size and the memory's bounds. */
export class PhysicalAddressError extends KvmsimError {
  constructor(
    readonly pa: number,
    readonly bytes: number,
    readonly memorySize: number,
  ) {
    super(`physical address ${hex(pa)} (access of ${bytes} byte${bytes === 1 ? '' : 's'}) is outside physical memory [0x0, ${hex(memorySize)})`);
  }
}

/** Pages are allocated 4 KiB at a time. */
export const PAGE_SIZE = 4096;

/**
 * Physical memory, the Point of Coherency: PA range [0, size), sparse 4 KiB pages allocated on
 * the first write of a non-zero byte (untouched pages read as zero without being allocated, so
 * writing zeros to them, as a zero fill or a bss does, allocates nothing). Every access is
 * checked against the range; none is ever silently dropped or zero-filled outside it.
 */
export interface PhysicalMemory {
  readonly size: number;
  /** Pages allocated so far. */
  readonly residentPages: number;
  /** Little-endian unsigned read of 1, 2 or 4 bytes (may cross a page). */
  read(pa: number, size: number): number;
  /** Little-endian write of the low `size` (1, 2 or 4) bytes of `value`. */
  write(pa: number, size: number, value: number): void;
  /** Copies `len` bytes at `pa` into `dst[dstOff..]`. */
  readInto(pa: number, dst: Uint8Array, dstOff: number, len: number): void;
  /** Copies `src[srcOff..srcOff+len)` to `pa`. */
  writeFrom(pa: number, src: Uint8Array, srcOff: number, len: number): void;
  /** Throws PhysicalAddressError unless [pa, pa+len) lies inside memory. */
  check(pa: number, len: number): void;
}
export const PhysicalMemory = Symbol.for('kvmsim.PhysicalMemory');

function allZero(b: Uint8Array, from: number, n: number): boolean {
  for (let i = from, end = from + n; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

export class SparseMemory implements PhysicalMemory {
  private readonly pages = new Map<number, Uint8Array>();
  // One-entry page cache: a line fill touches one page, often the same one as the last.
  private lastPn = -1;
  private lastPage: Uint8Array | null = null;

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size <= 0) throw new KvmsimError(`physical memory size must be a positive integer, got ${size}`);
  }

  get residentPages(): number {
    return this.pages.size;
  }

  check(pa: number, len: number): void {
    if (!(pa >= 0) || pa + len > this.size || !Number.isInteger(pa)) throw new PhysicalAddressError(pa, len, this.size);
  }

  /** The page holding `pn`, or null when untouched (and `alloc` is false). */
  private page(pn: number, alloc: boolean): Uint8Array | null {
    if (pn === this.lastPn) return this.lastPage;
    let p = this.pages.get(pn);
    if (p === undefined) {
      if (!alloc) return null;
      p = new Uint8Array(PAGE_SIZE);
      this.pages.set(pn, p);
    }
    this.lastPn = pn;
    this.lastPage = p;
    return p;
  }

  read(pa: number, size: number): number {
    this.check(pa, size);
    const off = pa % PAGE_SIZE;
    if (off + size <= PAGE_SIZE) {
      const p = this.page((pa - off) / PAGE_SIZE, false);
      if (p === null) return 0;
      switch (size) {
        case 1:
          return p[off];
        case 2:
          return p[off] | (p[off + 1] << 8);
        case 4:
          // Integer ops (not `v * 256 + byte`, which works in doubles); `>>> 0` keeps it unsigned.
          return (p[off] | (p[off + 1] << 8) | (p[off + 2] << 16) | (p[off + 3] << 24)) >>> 0;
        default: {
          let v = 0;
          for (let i = size - 1; i >= 0; i--) v = v * 256 + p[off + i];
          return v;
        }
      }
    }
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.read(pa + i, 1);
    return v;
  }

  write(pa: number, size: number, value: number): void {
    this.check(pa, size);
    let v = value;
    for (let i = 0; i < size; i++) {
      const a = pa + i;
      const off = a % PAGE_SIZE;
      const b = v & 0xff;
      const p = this.page((a - off) / PAGE_SIZE, b !== 0);
      if (p !== null) p[off] = b;
      v = Math.floor(v / 256);
    }
  }

  readInto(pa: number, dst: Uint8Array, dstOff: number, len: number): void {
    this.check(pa, len);
    let a = pa;
    let o = dstOff;
    let left = len;
    while (left > 0) {
      const off = a % PAGE_SIZE;
      const n = Math.min(left, PAGE_SIZE - off);
      const p = this.page((a - off) / PAGE_SIZE, false);
      if (p === null) dst.fill(0, o, o + n);
      else if (n <= 64) for (let i = 0; i < n; i++) dst[o + i] = p[off + i];
      else dst.set(p.subarray(off, off + n), o);
      a += n;
      o += n;
      left -= n;
    }
  }

  writeFrom(pa: number, src: Uint8Array, srcOff: number, len: number): void {
    this.check(pa, len);
    let a = pa;
    let o = srcOff;
    let left = len;
    while (left > 0) {
      const off = a % PAGE_SIZE;
      const n = Math.min(left, PAGE_SIZE - off);
      const p = this.page((a - off) / PAGE_SIZE, !allZero(src, o, n));
      if (p === null) {
        // Zeros over an untouched page: it reads as zero already.
      } else if (n <= 64) for (let i = 0; i < n; i++) p[off + i] = src[o + i];
      else p.set(src.subarray(o, o + n), off);
      a += n;
      o += n;
      left -= n;
    }
  }
}
