/**
 * A core's exclusive monitor, for LDXR/STXR and their acquire/release and pair forms.
 *
 * The local part is here: the address (VA and PA) and size the last load-exclusive marked. The
 * rest, which needs the caches (another core's store to the granule, the line leaving this core's
 * L1 D), is the MemorySystem's mark on the line (see memory-system.ts).
 *
 * A store-exclusive passes only at the exact address and size its load-exclusive marked: the
 * architecture leaves a different address or size inside the granule CONSTRAINED UNPREDICTABLE,
 * and failing is one allowed outcome (the one QEMU gives too, which compares the address). Every
 * store-exclusive clears the monitor, pass or fail; so do CLREX, ERET and reset. This core's own
 * ordinary stores to the marked address do not (IMPLEMENTATION DEFINED; a Cortex-A72 keeps it).
 *
 * Exclusives to memory that is not cacheable (Device, Normal Non-cacheable: every data access with
 * the MMU off) work as on cacheable memory, as they do on QEMU, which has no memory types: the
 * mark is lost when anyone else writes the line. Exclusives to MMIO are not emulated: the
 * architecture gives the hypervisor no syndrome for them (ESR_EL2.ISV=0), so KVM cannot either,
 * and the VCPU stops with an internal error naming the access (QEMU's TCG would perform the MMIO
 * read, and a compare-and-write for the store, which no KVM guest can rely on).
 */
import type { MemorySystem } from '../../hierarchy/memory-system';

export class ExclusiveMonitor {
  private armed = false;
  private va = 0;
  private pa = 0;
  private size = 0;

  constructor(
    private readonly ms: MemorySystem,
    private readonly cpu: number,
  ) {}

  /** Whether a mark stands locally (the global part may have been lost since). */
  get open(): boolean {
    return this.armed;
  }

  /** A load-exclusive of `size` bytes at `va` (PA `pa`) marks it. */
  mark(va: number, pa: number, size: number): void {
    this.armed = true;
    this.va = va;
    this.pa = pa;
    this.size = size;
    this.ms.markExclusive(this.cpu, pa);
  }

  /** A store-exclusive's check before translation: the marked VA and size. */
  matchesVa(va: number, size: number): boolean {
    return this.armed && this.va === va && this.size === size;
  }

  /**
   * A store-exclusive's check once its PA is known: the local mark and the line's. Clears the
   * monitor either way, as every store-exclusive does.
   */
  pass(pa: number): boolean {
    const ok = this.armed && this.pa === pa && this.ms.exclusiveHeld(this.cpu, pa);
    this.clear();
    return ok;
  }

  /** CLREX, ERET, a failed store-exclusive's VA check, reset. */
  clear(): void {
    this.armed = false;
    this.ms.clearExclusive(this.cpu);
  }
}
