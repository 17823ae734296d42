import { InputError } from '../../core';

/** The host's and the guest's page size (4 KiB granule). */
export const PAGE_SIZE = 4096;

/** A mapping in the VMM's address space (a VMA of current->mm). */
export interface Vma {
  /** [start, end) host virtual addresses, page aligned. */
  start: number;
  end: number;
  /** Physical address backing `start`; the VMA is physically contiguous. */
  pa: number;
  /** VM_PFNMAP: a raw PFN mapping (device memory); stage2_unmap_memslot skips these. */
  pfnmap: boolean;
  name: string;
}

/**
 * The VMM process's address space (`current->mm`): the VMAs that back memslots. KVM walks
 * them VMA by VMA when it unmaps a memslot (skipping VM_PFNMAP ones and holes), and the VMM
 * writes guest memory through them.
 */
export class HostMm {
  private readonly vmas: Vma[] = [];
  /** Where the next anonymous mapping goes (like mmap's top-down allocator, but upward). */
  private nextHva = 0x7f00_0000_0000;
  /** Next free host physical address for anonymous memory. */
  private nextPa: number;

  /**
   * `hugePage` is the size of the pages behind anonymous memory: 4 KiB for small pages, 2 MiB for
   * transparent huge pages (the VMM aligns guest RAM to them, as QEMU does), 1 GiB for hugetlbfs
   * (whose mappings the kernel aligns, and rounds up, to the huge page). Fresh mappings start on
   * such a boundary in the host's virtual and physical address spaces, so that stage 2 can map
   * blocks wherever the guest's layout allows.
   */
  constructor(
    private readonly physBase: number,
    private readonly physSize: number,
    private readonly hugePage: { size: number; roundUp: boolean } = { size: PAGE_SIZE, roundUp: false },
  ) {
    this.nextPa = physBase;
  }

  /** Maps `size` bytes of fresh host memory (or, for `pfnmap`, the PA range given). */
  mmap(size: number, opts: { name: string; pfnmap?: boolean; pa?: number; hva?: number }): Vma {
    if (size <= 0 || size % PAGE_SIZE !== 0) throw new InputError(`mmap '${opts.name}': size 0x${size.toString(16)} is not a positive multiple of 4 KiB`);
    const huge = this.hugePage.size;
    const alignUp = (x: number) => Math.ceil(x / huge) * huge;
    let pa = opts.pa;
    if (pa === undefined) {
      pa = alignUp(this.nextPa);
      const taken = this.hugePage.roundUp ? alignUp(size) : size;
      if (pa + taken > this.physBase + this.physSize) {
        throw new InputError(
          `mmap '${opts.name}': out of host memory (asked 0x${taken.toString(16)} bytes${taken !== size ? ` in ${huge / 2 ** 20} MiB huge pages` : ''}, ${Math.max(0, this.physBase + this.physSize - pa)} left); raise machine.memory.size`,
        );
      }
      this.nextPa = pa + taken;
      size = taken;
    }
    const start = opts.hva ?? (opts.pfnmap ? this.nextHva : alignUp(this.nextHva));
    if (start % PAGE_SIZE !== 0) throw new InputError(`mmap '${opts.name}': address 0x${start.toString(16)} is not page aligned`);
    if (this.vmas.some((v) => start < v.end && start + size > v.start)) throw new InputError(`mmap '${opts.name}': [0x${start.toString(16)}, +0x${size.toString(16)}) overlaps an existing mapping`);
    const vma: Vma = { start, end: start + size, pa, pfnmap: opts.pfnmap ?? false, name: opts.name };
    this.vmas.push(vma);
    this.vmas.sort((a, b) => a.start - b.start);
    if (opts.hva === undefined) this.nextHva = Math.max(this.nextHva, start + size + 16 * PAGE_SIZE); // guard gap
    return vma;
  }

  /** Removes mappings in [start, start + size); returns the removed pieces. */
  munmap(start: number, size: number): Vma[] {
    const end = start + size;
    const removed: Vma[] = [];
    const keep: Vma[] = [];
    for (const v of this.vmas) {
      if (v.end <= start || v.start >= end) {
        keep.push(v);
        continue;
      }
      const cutStart = Math.max(v.start, start);
      const cutEnd = Math.min(v.end, end);
      removed.push({ ...v, start: cutStart, end: cutEnd, pa: v.pa + (cutStart - v.start) });
      if (v.start < cutStart) keep.push({ ...v, end: cutStart });
      if (cutEnd < v.end) keep.push({ ...v, start: cutEnd, pa: v.pa + (cutEnd - v.start) });
    }
    this.vmas.length = 0;
    this.vmas.push(...keep.sort((a, b) => a.start - b.start));
    return removed;
  }

  /** find_vma_intersection: the first VMA overlapping [start, end). */
  findVmaIntersection(start: number, end: number): Vma | undefined {
    return this.vmas.find((v) => v.start < end && v.end > start);
  }

  /** The PA behind `hva`, or undefined when nothing is mapped there. */
  hvaToPa(hva: number): number | undefined {
    const v = this.vmas.find((x) => hva >= x.start && hva < x.end);
    return v === undefined ? undefined : v.pa + (hva - v.start);
  }

  /** The VMA containing `hva`. */
  vmaAt(hva: number): Vma | undefined {
    return this.vmas.find((x) => hva >= x.start && hva < x.end);
  }

  get mappings(): readonly Vma[] {
    return this.vmas;
  }
}
