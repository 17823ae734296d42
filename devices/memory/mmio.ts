import { Disposable, InputError, KvmsimError, hex } from '../../core';

/**
 * A device's window in the physical address space. Callbacks get the offset from `base`;
 * `size` is 1, 2, 4 or 8 bytes, values little-endian (8-byte values as a number up to 2^53).
 */
export interface MmioRegion {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

/** An access to a PA no device claims, or one straddling a region's end. */
export class MmioError extends KvmsimError {}

/**
 * The MMIO bus: devices register regions and get a Disposable that removes them. Regions may
 * sit inside RAM's range (they take precedence there, as a hole) or above it; they never
 * overlap each other. Device memory is never cached: the memory system routes non-cacheable
 * accesses here and refuses cacheable ones.
 */
export interface MmioBus {
  /** Registered regions, sorted by base. */
  readonly regions: readonly MmioRegion[];
  register(region: MmioRegion): Disposable;
  /** The region containing `pa`, if any. */
  find(pa: number): MmioRegion | undefined;
  /** The first region overlapping [pa, pa+len), if any. */
  overlapping(pa: number, len: number): MmioRegion | undefined;
  /** Routes a read to the region containing [pa, pa+size). */
  read(pa: number, size: number): number;
  write(pa: number, size: number, value: number): void;
}
export const MmioBus = Symbol.for('kvmsim.MmioBus');

export class SimMmioBus implements MmioBus {
  regions: MmioRegion[] = [];

  register(region: MmioRegion): Disposable {
    const { name, base, size } = region;
    if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(size) || size <= 0) {
      throw new InputError(`MMIO region '${name}': base ${base} and size ${size} must be non-negative integers, size > 0`);
    }
    const clash = this.overlapping(base, size);
    if (clash !== undefined) {
      throw new InputError(
        `MMIO region '${name}' [${hex(base)}, ${hex(base + size)}) overlaps region '${clash.name}' [${hex(clash.base)}, ${hex(clash.base + clash.size)})`,
      );
    }
    this.regions = [...this.regions, region].sort((a, b) => a.base - b.base);
    return Disposable.create(() => {
      this.regions = this.regions.filter((r) => r !== region);
    });
  }

  find(pa: number): MmioRegion | undefined {
    const rs = this.regions;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if (pa < r.base) return undefined;
      if (pa < r.base + r.size) return r;
    }
    return undefined;
  }

  overlapping(pa: number, len: number): MmioRegion | undefined {
    for (const r of this.regions) if (pa < r.base + r.size && pa + len > r.base) return r;
    return undefined;
  }

  private regionFor(pa: number, size: number, what: string): MmioRegion {
    const r = this.find(pa);
    if (r === undefined) throw new MmioError(`MMIO ${what} of ${size} bytes at ${hex(pa)}: no device there`);
    if (pa + size > r.base + r.size) {
      throw new MmioError(`MMIO ${what} of ${size} bytes at ${hex(pa)} runs past the end of region '${r.name}' (${hex(r.base + r.size)})`);
    }
    return r;
  }

  read(pa: number, size: number): number {
    const r = this.regionFor(pa, size, 'read');
    return r.read(pa - r.base, size);
  }

  write(pa: number, size: number, value: number): void {
    const r = this.regionFor(pa, size, 'write');
    r.write(pa - r.base, size, value);
  }
}
