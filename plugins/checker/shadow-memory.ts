/**
 * What a coherent, sequentially consistent machine would hold: every write by anyone (a VCPU,
 * the VMM, a device) lands here immediately, whatever the caches do. Per byte it also keeps who
 * wrote it and in which run epoch, so a stale read can be blamed.
 */
const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;

interface ShadowPage {
  data: Uint8Array;
  /** Writer id per byte (0 = never written: the machine's initial zeroes). */
  writer: Uint16Array;
  /** Run epoch of the last write per byte. */
  epoch: Uint32Array;
  /** Last cacheable writer and its epoch: whose data a dirty line can be holding. */
  cwriter: Uint16Array;
  cepoch: Uint32Array;
  /** Memory was overwritten here by a stale dirty line the hypervisor should have cleaned. */
  corrupt: Uint8Array;
}

export class ShadowMemory {
  private readonly pages = new Map<number, ShadowPage>();

  private page(pn: number): ShadowPage {
    let p = this.pages.get(pn);
    if (p === undefined) {
      p = {
        data: new Uint8Array(PAGE_SIZE),
        writer: new Uint16Array(PAGE_SIZE),
        epoch: new Uint32Array(PAGE_SIZE),
        cwriter: new Uint16Array(PAGE_SIZE),
        cepoch: new Uint32Array(PAGE_SIZE),
        corrupt: new Uint8Array(PAGE_SIZE),
      };
      this.pages.set(pn, p);
    }
    return p;
  }

  write(pa: number, bytes: Uint8Array, writer: number, epoch: number, cacheable: boolean): void {
    let i = 0;
    while (i < bytes.length) {
      const a = pa + i;
      const p = this.page(Math.floor(a / PAGE_SIZE));
      const off = a % PAGE_SIZE;
      const n = Math.min(bytes.length - i, PAGE_SIZE - off);
      p.data.set(bytes.subarray(i, i + n), off);
      p.writer.fill(writer, off, off + n);
      p.epoch.fill(epoch, off, off + n);
      p.corrupt.fill(0, off, off + n);
      if (cacheable) {
        p.cwriter.fill(writer, off, off + n);
        p.cepoch.fill(epoch, off, off + n);
      }
      i += n;
    }
  }

  /**
   * A dirty line was written back to memory. Where it carries something other than the newest
   * data and `blame(cacheableWriter, epoch)` says the stale copy was the hypervisor's to clean,
   * memory is marked corrupt until the next write there. Returns the bytes marked.
   */
  writeback(pa: number, bytes: Uint8Array, blame: (writer: number, epoch: number) => boolean): number {
    let marked = 0;
    for (let i = 0; i < bytes.length; i++) {
      const a = pa + i;
      const p = this.pages.get(Math.floor(a / PAGE_SIZE));
      const off = a % PAGE_SIZE;
      const newest = p === undefined ? 0 : p.data[off];
      if (bytes[i] === newest || p === undefined) continue;
      if (blame(p.cwriter[off], p.cepoch[off])) {
        p.corrupt[off] = 1;
        marked++;
      }
    }
    return marked;
  }

  /** Whether any byte of [pa, pa + size) is marked corrupt. */
  isCorrupt(pa: number, size: number): boolean {
    for (let i = 0; i < size; i++) {
      const a = pa + i;
      const p = this.pages.get(Math.floor(a / PAGE_SIZE));
      if (p !== undefined && p.corrupt[a % PAGE_SIZE] !== 0) return true;
    }
    return false;
  }

  /** Index of the first byte of `bytes` that differs from the shadow at `pa`, or -1. */
  firstMismatch(pa: number, bytes: Uint8Array): number {
    for (let i = 0; i < bytes.length; i++) {
      const a = pa + i;
      const p = this.pages.get(Math.floor(a / PAGE_SIZE));
      const expected = p === undefined ? 0 : p.data[a % PAGE_SIZE];
      if (bytes[i] !== expected) return i;
    }
    return -1;
  }

  /** The shadow's bytes at [pa, pa + size). */
  read(pa: number, size: number): Uint8Array {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const a = pa + i;
      const p = this.pages.get(Math.floor(a / PAGE_SIZE));
      out[i] = p === undefined ? 0 : p.data[a % PAGE_SIZE];
    }
    return out;
  }

  /** Who last wrote the byte at `pa`, and in which epoch. */
  lastWrite(pa: number): { writer: number; epoch: number } {
    const p = this.pages.get(Math.floor(pa / PAGE_SIZE));
    if (p === undefined) return { writer: 0, epoch: 0 };
    return { writer: p.writer[pa % PAGE_SIZE], epoch: p.epoch[pa % PAGE_SIZE] };
  }
}
