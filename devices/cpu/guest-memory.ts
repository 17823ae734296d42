/**
 * The guest memory path of one VCPU: VA → stage 1 (the guest's own tables, SCTLR_EL1 / TTBR0_EL1
 * / TTBR1_EL1 / TCR_EL1 / MAIR_EL1, stage1-walker.ts) → IPA → stage 2 (Stage2Mmu) → PA →
 * MemorySystem, with the memory attributes the architecture gives the combination. Shared by the
 * A64 core and by any other guest driver (a scripted guest in tests).
 *
 * Attributes.
 *  - SCTLR_EL1.M=0: VA = IPA; data accesses are Device-nGnRnE (non-cacheable, alignment checked);
 *    fetches are Normal Non-cacheable when SCTLR_EL1.I=0, cacheable (write-through) when I=1.
 *  - M=1: the 4 KiB-granule walk from TTBR0_EL1 or TTBR1_EL1 (stage1-walker.ts); AttrIndx selects a
 *    MAIR_EL1 byte: Device, or Normal (cacheable when the inner attribute is write-back or
 *    write-through). SCTLR_EL1.C=0 makes Normal data (and table walks) non-cacheable, I=0 makes
 *    fetches non-cacheable. The walk's descriptor reads are IPAs that go through stage 2.
 *  - Stage 2: a Device leaf makes the access Device; otherwise, without FWB, the weaker attribute
 *    wins (cacheable only if stage 1 said so); with FWB, guest RAM is cacheable whatever stage 1
 *    says.
 *
 * Outcomes. Every operation returns an AccessStatus: OK (value in `lo`/`hi`), FAULT (a guest
 * exception is due: `fault` says which, as ESR_EL1/FAR_EL1 will), MMIO (stage 2 sent the access
 * to the VMM: `mmio`), SKIP (the hypervisor skipped the instruction) or EXIT (stop the VCPU:
 * `exitDetail`). A stage-2 fault calls `GuestHypervisor.stage2Abort` and acts on its resolution.
 *
 * TLBs. Stage-1 leaves live in the architectural TLB (tlb.ts), tagged with ASID and VMID, which
 * only TLB invalidation empties: TLBI instructions (`tlbi`; HCR_EL2.FB, which KVM sets, makes
 * every EL1 TLBI broadcast to the VM's VCPUs over the bus, as a `tlbi` event), and stage-2
 * unmaps and permission relaxes, after which KVM's __kvm_tlb_flush_vmid_ipa issues TLBI
 * IPAS2E1IS and VMALLE1IS for the VM. A page-table change without TLBI is therefore not seen
 * while the entry stays in the TLB, as on hardware. In front of it, the micro TLB: successful
 * translations (stage 1 + stage 2, as PA page and flags) per 4 KiB page and access kind in small
 * direct-mapped tables, one set for EL1 and one for EL0 permissions (`unprivileged` picks one).
 * The micro TLB holds only what the current context may use, so it is emptied on every change
 * of context (SCTLR/TTBR0/TTBR1/TCR/MAIR writes), TLBI, stage-2 change and reset; emptying it is
 * invisible, the main TLB still holds every entry. Failed translations are never kept, so a
 * descriptor going from invalid to valid is seen at once, as the architecture requires.
 */
import { hex, type AccessKind, type Counter, type Disposable, type EventBus, type StatsRegistry } from '../../core';
import type { DcByAddressOp, MemorySystem } from '../hierarchy/memory-system';
import type { Stage2Mmu } from '../stage2/stage2-mmu';
import { AccessStatus, EXEC, KIND_NAMES, READ, WRITE, type AccessIndex } from './guest-access';
import { FSC, type GuestFault } from './guest-fault';
import { SCTLR_C, SCTLR_I, SCTLR_M, SCTLR_EL1_RESET, type GuestHypervisor, type Stage2Abort } from './guest-interface';
import { INFO_NG, S1_DEVICE, S1_NORMAL_CACHEABLE, S1_NORMAL_NC, Stage1Walker, infoSh, vaHex } from './stage1-walker';
import { GLOBAL, Stage1Tlb } from './tlb';

const OK = AccessStatus.OK;
const FAULT = AccessStatus.FAULT;
const MMIO = AccessStatus.MMIO;
const SKIP = AccessStatus.SKIP;
const EXIT = AccessStatus.EXIT;

/** An access stage 2 sent to the VMM. */
export interface MmioAccess {
  /** The IPA. */
  addr: number;
  size: number;
  write: boolean;
  valueLo: number;
  valueHi: number;
}

export interface GuestMemoryDeps {
  vcpu: number;
  memory: MemorySystem;
  stage2: Stage2Mmu;
  hypervisor: GuestHypervisor;
  /** For the stage-2 map / unmap events that make cached translations stale, and broadcast TLBIs. */
  bus: EventBus;
  stats?: StatsRegistry;
  /** The VM's VMID, which tags its TLB entries (default 1). */
  vmid?: number;
}

/** The TLB invalidations at EL1 (ARMv8.0), without their IS suffix. */
export type TlbiOp = 'VMALLE1' | 'VAE1' | 'ASIDE1' | 'VAAE1' | 'VALE1' | 'VAALE1';

const PAGE = 4096;
const TLB_ENTRIES = 256;
const TLB_MASK = TLB_ENTRIES - 1;
/** Cached-entry flags. */
const F_CACHEABLE = 1;
/** Accesses must be naturally aligned (Device memory, or SCTLR_EL1.A). */
const F_ALIGN = 2;
const TWO32 = 2 ** 32;
/** PARange sizes (ID_AA64MMFR0_EL1). */
const PA_RANGES = [32, 36, 40, 42, 44, 48];
/** An empty fetch memo: `va - NO_MEMO` is never in [0, PAGE). */
const NO_MEMO = Number.POSITIVE_INFINITY;
/** A retry that faults the same way this many times in a row is a livelock. */
const MAX_SAME_FAULT = 16;

const SCTLR_A = 1 << 1;

export class GuestMemory extends Stage1Walker implements Disposable {
  readonly vcpu: number;
  /** Value of the last read or fetch (low 32 bits; the high 32 of an 8-byte read in `hi`). */
  lo = 0;
  hi = 0;
  /** After a successful `translate`: the IPA, the PA and the final attributes. */
  ipa = 0;
  pa = 0;
  cacheable = false;
  /** The final memory type is Device (or SCTLR_EL1.A asks for aligned accesses). */
  alignChecked = false;
  /** After FAULT. */
  fault: GuestFault | null = null;
  /** After MMIO. */
  readonly mmio: MmioAccess = { addr: 0, size: 0, write: false, valueLo: 0, valueHi: 0 };
  /** After EXIT. */
  override exitDetail = '';
  /** The PC of the instruction making the accesses (for Stage2Abort.pc); the core keeps it current. */
  override pc = 0;
  /** The VM's VMID. */
  readonly vmid: number;
  /** After a successful `at`: PAR_EL1 as halves. */
  parLo = 0;
  parHi = 0;

  protected override readonly ms: MemorySystem;
  private readonly s2: Stage2Mmu;
  protected override readonly hyp: GuestHypervisor;
  protected override readonly cpu: number;
  private readonly lineSize: number;
  /** The architectural TLB (stage-1 leaves, by ASID and VMID). */
  readonly tlb = new Stage1Tlb();
  protected override readonly paBits: number;
  private readonly paLimit: number;
  // Micro TLB: per privilege (EL1, EL0) and access kind, VA page number → PA page and flags (NaN: empty).
  private readonly microTag: Float64Array[][] = [0, 1].map(() => [0, 1, 2].map(() => new Float64Array(TLB_ENTRIES).fill(NaN)));
  private readonly microPage: Float64Array[][] = [0, 1].map(() => [0, 1, 2].map(() => new Float64Array(TLB_ENTRIES)));
  private readonly microFlags: Uint8Array[][] = [0, 1].map(() => [0, 1, 2].map(() => new Uint8Array(TLB_ENTRIES)));
  // The current privilege's tables, and each kind's arrays as fields: one load fewer than tag[kind][i] on the per-access path.
  private tag = this.microTag[0];
  private pageOf = this.microPage[0];
  private flags = this.microFlags[0];
  private rTag = this.tag[READ];
  private rPage = this.pageOf[READ];
  private rFlags = this.flags[READ];
  private wTag = this.tag[WRITE];
  private wPage = this.pageOf[WRITE];
  private wFlags = this.flags[WRITE];
  private xTag = this.tag[EXEC];
  private xPage = this.pageOf[EXEC];
  private xFlags = this.flags[EXEC];
  private unprivilegedV = false;
  /**
   * The fetch memo: a copy of the fetch table's entry for the page of the last fetch (VA page
   * base, PA page base, cacheable). Code runs on in one page, and `va - xMemoVa < PAGE` is
   * cheaper than the table's index and tag check. It is exactly the table entry: cleared
   * whenever the fetch table is flushed or written, so it hits only where the table would.
   */
  private xMemoVa = NO_MEMO;
  private xMemoPa = 0;
  private xMemoCacheable = false;
  private readonly subscriptions: Disposable[];
  // Livelock guard: the last stage-2 fault and how often it repeated.
  private lastFaultIpa = -1;
  private lastFaultKind = '';
  private lastFaultAccess = '';
  private lastFaultS1ptw = false;
  private sameFaults = 0;
  private readonly tlbMisses: Counter | null;
  private readonly tlbWalkMisses: Counter | null;
  private readonly tlbInvalidations: Counter | null;
  private readonly bus: EventBus;
  protected override readonly walks: Counter | null;
  private readonly s2aborts: Counter | null;

  constructor(d: GuestMemoryDeps) {
    super();
    this.vcpu = d.vcpu;
    this.cpu = d.vcpu;
    this.ms = d.memory;
    this.s2 = d.stage2;
    this.hyp = d.hypervisor;
    this.lineSize = d.memory.lineSize;
    this.vmid = d.vmid ?? 1;
    this.bus = d.bus;
    let pa = 0;
    for (const r of PA_RANGES) if (d.stage2.ipaBits >= r) pa = r;
    this.paBits = pa;
    this.paLimit = 2 ** pa;
    const owner = `cpu${d.vcpu}.guest-memory`;
    this.subscriptions = [
      // A new stage-2 mapping: only the micro TLB holds stage-2 results.
      d.bus.subscribe('stage2.map', (e) => (e.relax ? this.kvmFlushVmid() : this.flushTranslations()), owner),
      d.bus.subscribe('stage2.unmap', () => this.kvmFlushVmid(), owner),
      d.bus.subscribe('tlbi', (e) => {
        if (e.vmid === this.vmid) this.invalidate(e.va, e.asid, e.globalToo);
      }, owner),
    ];
    const p = `system.cpu${d.vcpu}`;
    this.tlbMisses = d.stats?.counter(`${p}.tlb.misses`, 'guest accesses whose translation was not in the micro TLB (main TLB lookup or stage-1 walk, then stage 2)') ?? null;
    this.tlbWalkMisses = d.stats?.counter(`${p}.tlb.main_misses`, 'MMU-on translations not in the main (architectural) TLB: stage-1 walks') ?? null;
    this.tlbInvalidations = d.stats?.counter(`${p}.tlb.invalidations`, 'TLB invalidations applied to this VCPU (its own and broadcast TLBIs, and KVM\'s after stage-2 changes)') ?? null;
    this.walks = d.stats?.counter(`${p}.stage1.walks`, 'stage-1 table walks (MMU on)') ?? null;
    this.s2aborts = d.stats?.counter(`${p}.stage2_aborts`, 'stage-2 faults reported to the hypervisor') ?? null;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  // ---------------------------------------------------------------- translation regime

  get sctlr(): number {
    return this.sctlrV;
  }
  /** TTBR0_EL1, TTBR1_EL1, TCR_EL1, MAIR_EL1 as [lo, hi] halves. */
  get ttbr0(): [number, number] {
    return [this.ttbr0Lo, this.ttbr0Hi];
  }
  get ttbr1(): [number, number] {
    return [this.ttbr1Lo, this.ttbr1Hi];
  }
  get tcr(): [number, number] {
    return [this.tcrLo, this.tcrHi];
  }
  get mair(): [number, number] {
    return [this.mairLo, this.mairHi];
  }

  setSctlr(v: number): void {
    this.sctlrV = v >>> 0;
    this.flushTranslations();
  }
  setTtbr0(lo: number, hi: number): void {
    this.ttbr0Lo = lo >>> 0;
    this.ttbr0Hi = hi >>> 0;
    this.flushTranslations();
  }
  setTtbr1(lo: number, hi: number): void {
    this.ttbr1Lo = lo >>> 0;
    this.ttbr1Hi = hi >>> 0;
    this.flushTranslations();
  }
  setTcr(lo: number, hi: number): void {
    this.tcrLo = lo >>> 0;
    this.tcrHi = hi >>> 0;
    this.flushTranslations();
  }
  setMair(lo: number, hi: number): void {
    this.mairLo = lo >>> 0;
    this.mairHi = hi >>> 0;
    this.flushTranslations();
  }

  /**
   * Accesses are permission-checked as EL0's: the core sets it when the exception level changes,
   * and LDTR/STTR around their access at EL1. Selects the micro-TLB set of that privilege.
   */
  get unprivileged(): boolean {
    return this.unprivilegedV;
  }
  set unprivileged(v: boolean) {
    if (v === this.unprivilegedV) return;
    this.unprivilegedV = v;
    const s = v ? 1 : 0;
    this.tag = this.microTag[s];
    this.pageOf = this.microPage[s];
    this.flags = this.microFlags[s];
    this.rTag = this.tag[READ];
    this.rPage = this.pageOf[READ];
    this.rFlags = this.flags[READ];
    this.wTag = this.tag[WRITE];
    this.wPage = this.pageOf[WRITE];
    this.wFlags = this.flags[WRITE];
    this.xTag = this.tag[EXEC];
    this.xPage = this.pageOf[EXEC];
    this.xFlags = this.flags[EXEC];
    this.xMemoVa = NO_MEMO;
  }

  /** The current ASID: TTBR1_EL1's when TCR_EL1.A1=1, else TTBR0_EL1's; 8 bits unless TCR_EL1.AS=1. */
  get asid(): number {
    const a = ((this.tcrLo & (1 << 22)) !== 0 ? this.ttbr1Hi : this.ttbr0Hi) >>> 16;
    return (this.tcrHi & (1 << 4)) !== 0 ? a : a & 0xff;
  }

  /**
   * The VA number (the signed 64-bit value, stage1-walker.ts) of the 64-bit address lo/hi:
   * with TCR_EL1.TBI0/TBI1 for its half (bit 55), the top byte is ignored (replaced by copies
   * of bit 55). Addresses not canonical without TBI stay out of both ranges.
   */
  vaOf(lo: number, hi: number): number {
    const top = hi >> 23;
    if (top !== 0 && top !== -1 && (this.tcrHi & ((hi & (1 << 23)) !== 0 ? 1 << 6 : 1 << 5)) !== 0) hi = (hi << 8) >> 8;
    return (hi | 0) * TWO32 + (lo >>> 0);
  }

  /** Registers out of reset (MMU and caches off), every TLB emptied. */
  reset(): void {
    this.sctlrV = SCTLR_EL1_RESET;
    this.ttbr0Lo = this.ttbr0Hi = this.ttbr1Lo = this.ttbr1Hi = this.tcrLo = this.tcrHi = this.mairLo = this.mairHi = 0;
    this.lastFaultIpa = -1;
    this.sameFaults = 0;
    this.unprivileged = false;
    this.tlb.clear();
    this.flushTranslations();
  }

  /** Empties the micro TLB (both privileges); the main TLB keeps its entries. */
  flushTranslations(): void {
    for (let s = 0; s < 2; s++) for (let k = 0; k < 3; k++) this.microTag[s][k].fill(NaN);
    this.xMemoVa = NO_MEMO;
  }

  // ---------------------------------------------------------------- TLB maintenance

  /**
   * TLBI `op` at EL1 with Xt = lo/hi. Every EL1 TLBI is broadcast to the VM's VCPUs (inner
   * shareable): with the IS suffix by definition, without it because KVM sets HCR_EL2.FB.
   * VA forms take VA[55:12] from Xt[43:0]; ASID forms the ASID from Xt[63:48].
   */
  tlbi(op: TlbiOp, lo: number, hi: number): void {
    const asid = (this.tcrHi & (1 << 4)) !== 0 ? hi >>> 16 : (hi >>> 16) & 0xff;
    // Xt[43:0] sign-extended: the page number of a VA of either range.
    const va = (((hi << 20) >> 20) * TWO32 + (lo >>> 0)) * PAGE;
    let e: { va: number | null; asid: number | null; globalToo: boolean };
    switch (op) {
      case 'VMALLE1':
        e = { va: null, asid: null, globalToo: true };
        break;
      case 'ASIDE1':
        e = { va: null, asid, globalToo: false };
        break;
      case 'VAE1':
      case 'VALE1':
        e = { va, asid, globalToo: true };
        break;
      default /* VAAE1, VAALE1 */:
        e = { va, asid: null, globalToo: true };
    }
    this.bus.emit({ type: 'tlbi', vcpu: this.vcpu, op: `TLBI ${op}IS`, vmid: this.vmid, ...e });
  }

  /** Applies one invalidation to this VCPU's TLBs (see Stage1Tlb.invalidate). */
  private invalidate(va: number | null, asid: number | null, globalToo: boolean): void {
    this.tlb.invalidate(this.vmid, va, asid, globalToo);
    this.flushTranslations();
    if (this.tlbInvalidations !== null) this.tlbInvalidations.value++;
  }

  /** After a stage-2 unmap or relax: KVM's TLBI IPAS2E1IS + VMALLE1IS for this VM. */
  private kvmFlushVmid(): void {
    this.invalidate(null, null, true);
  }

  // ---------------------------------------------------------------- accesses (hot path)

  // The results of MemorySystem reads are taken `>>> 0` (they are unsigned 32-bit already): the
  // hierarchy's fast and slow returns merge into one value, and without a known integer type V8
  // boxes a word >= 2^31 into a heap number at that merge, an allocation per access.

  /** Loads `size` (1, 2, 4, 8) bytes at `va`: value in `lo` (and `hi` for 8). */
  read(va: number, size: number): AccessStatus {
    const off = va & 0xfff;
    const vpn = (va - off) / PAGE;
    const i = vpn & TLB_MASK;
    if (this.rTag[i] === vpn && off + size <= PAGE) {
      const f = this.rFlags[i];
      if ((f & F_ALIGN) === 0 || (va & (size - 1)) === 0) {
        this.lo = this.ms.read('vcpu', this.cpu, this.rPage[i] + off, size, (f & F_CACHEABLE) !== 0) >>> 0;
        if (size === 8) this.hi = this.ms.hi;
        return OK;
      }
    }
    return this.readSlow(va, size);
  }

  /** Stores the low `size` bytes of `lo` (and `hi` for 8) at `va`. */
  write(va: number, size: number, lo: number, hi: number): AccessStatus {
    const off = va & 0xfff;
    const vpn = (va - off) / PAGE;
    const i = vpn & TLB_MASK;
    if (this.wTag[i] === vpn && off + size <= PAGE) {
      const f = this.wFlags[i];
      if ((f & F_ALIGN) === 0 || (va & (size - 1)) === 0) {
        this.ms.write('vcpu', this.cpu, this.wPage[i] + off, size, lo, (f & F_CACHEABLE) !== 0, hi);
        return OK;
      }
    }
    return this.writeSlow(va, size, lo, hi);
  }

  /** Fetches the instruction word at `va` (4-aligned) into `lo`. */
  fetch(va: number): AccessStatus {
    const d = va - this.xMemoVa;
    if (d >= 0 && d < PAGE) {
      this.lo = this.ms.fetch(this.cpu, this.xMemoPa + d, this.xMemoCacheable) >>> 0;
      return OK;
    }
    return this.fetchSlow(va);
  }

  /**
   * The PA the last fetch in `va`'s page went to, or undefined when the fetch memo is for
   * another page: for fault reports, which compare the word fetched with what memory holds.
   */
  fetchedPa(va: number): number | undefined {
    const d = va - this.xMemoVa;
    return d >= 0 && d < PAGE ? this.xMemoPa + d : undefined;
  }

  /** A fetch outside the memo's page: the fetch table, else a translation; then the memo is set. */
  private fetchSlow(va: number): AccessStatus {
    const off = va & 0xfff;
    const vpn = (va - off) / PAGE;
    const i = vpn & TLB_MASK;
    if (this.xTag[i] !== vpn) {
      // A successful translation fills entry i of the fetch table.
      const st = this.translate(va, EXEC, EXEC, false, 4, 0, 0);
      if (st !== OK) return st;
    }
    this.xMemoVa = va - off;
    this.xMemoPa = this.xPage[i];
    this.xMemoCacheable = (this.xFlags[i] & F_CACHEABLE) !== 0;
    this.lo = this.ms.fetch(this.cpu, this.xMemoPa + off, this.xMemoCacheable) >>> 0;
    return OK;
  }

  private readSlow(va: number, size: number): AccessStatus {
    const off = va & 0xfff;
    if (off + size > PAGE) return this.splitAccess(va, size, false, 0, 0);
    const st = this.translate(va, READ, READ, false, size, 0, 0);
    if (st !== OK) return st;
    this.lo = this.ms.read('vcpu', this.cpu, this.pa, size, this.cacheable) >>> 0;
    if (size === 8) this.hi = this.ms.hi;
    return OK;
  }

  private writeSlow(va: number, size: number, lo: number, hi: number): AccessStatus {
    const off = va & 0xfff;
    if (off + size > PAGE) return this.splitAccess(va, size, true, lo, hi);
    const st = this.translate(va, WRITE, WRITE, false, size, lo, hi);
    if (st !== OK) return st;
    this.ms.write('vcpu', this.cpu, this.pa, size, lo, this.cacheable, hi);
    return OK;
  }

  /** An unaligned access that crosses a page: byte by byte, each byte translated (rare). */
  private splitAccess(va: number, size: number, write: boolean, lo: number, hi: number): AccessStatus {
    let rlo = 0;
    let rhi = 0;
    // Translate every byte first so a fault in the second page leaves memory untouched.
    const pas: number[] = [];
    const cacheable: boolean[] = [];
    for (let b = 0; b < size; b++) {
      const st = this.translate(va + b, write ? WRITE : READ, write ? WRITE : READ, false, size, lo, hi, va);
      if (st !== OK) return st;
      pas.push(this.pa);
      cacheable.push(this.cacheable);
    }
    for (let b = 0; b < size; b++) {
      if (write) {
        const byte = b < 4 ? (lo >>> (8 * b)) & 0xff : (hi >>> (8 * (b - 4))) & 0xff;
        this.ms.write('vcpu', this.cpu, pas[b], 1, byte, cacheable[b]);
      } else {
        const byte = this.ms.read('vcpu', this.cpu, pas[b], 1, cacheable[b]);
        if (b < 4) rlo |= byte << (8 * b);
        else rhi |= byte << (8 * (b - 4));
      }
    }
    this.lo = rlo >>> 0;
    this.hi = rhi >>> 0;
    return OK;
  }

  // ---------------------------------------------------------------- cache maintenance by VA

  /**
   * DC CIVAC / CVAC / CVAU / IVAC on the line holding `va`. Under a hypervisor (HCR_EL2.VM=1) a
   * DC IVAC at EL1 is performed as DC CIVAC, so a guest cannot discard data the host wrote; it
   * still needs write permission at stage 1.
   */
  dcByVa(op: DcByAddressOp, va: number): AccessStatus {
    const s1 = op === 'DC IVAC' ? WRITE : READ;
    const st = this.translate(va, s1, READ, true, 1, 0, 0);
    if (st !== OK) return st;
    this.ms.dc(op === 'DC IVAC' ? 'DC CIVAC' : op, this.cpu, this.pa);
    return OK;
  }

  /** DC ZVA: zeroes the line-sized block holding `va` (DCZID_EL0.BS = the line); a store. */
  dcZva(va: number): AccessStatus {
    const block = va - (va % this.lineSize);
    const st = this.translate(block, WRITE, WRITE, false, this.lineSize, 0, 0, va);
    if (st !== OK) return st;
    if (this.alignChecked) {
      // DC ZVA to any Device memory is an alignment fault.
      return this.raise(false, FSC.ALIGNMENT, true, false, false, va, `alignment fault: DC ZVA to Device memory at VA ${vaHex(va)}`);
    }
    this.ms.dcZva(this.cpu, this.pa, this.cacheable);
    return OK;
  }

  /** IC IVAU on the line holding `va` (by PA, every core). */
  icIvau(va: number): AccessStatus {
    const st = this.translate(va, READ, READ, true, 1, 0, 0);
    if (st !== OK) return st;
    this.ms.ic('IC IVAU', this.cpu, this.pa);
    return OK;
  }

  // ---------------------------------------------------------------- translation

  /**
   * Translates `va` for an access of kind `s1Kind` at stage 1 and `s2Kind` at stage 2 (they differ
   * only for DC IVAC), leaving `ipa`, `pa`, `cacheable` and `alignChecked` on success. `size` and
   * the value are what a stage-2 abort reports; `reportVa` is the FAR when it differs from `va`.
   */
  translate(va: number, s1Kind: AccessIndex, s2Kind: AccessIndex, cm: boolean, size: number, valueLo: number, valueHi: number, reportVa = va): AccessStatus {
    const off = va & 0xfff;
    const vpn = (va - off) / PAGE;
    const i = vpn & TLB_MASK;
    if (s1Kind === s2Kind && this.tag[s1Kind][i] === vpn) {
      const f = this.flags[s1Kind][i];
      this.pa = this.pageOf[s1Kind][i] + off;
      this.cacheable = (f & F_CACHEABLE) !== 0;
      this.alignChecked = (f & F_ALIGN) !== 0;
      if (this.alignChecked && s1Kind !== EXEC && !cm && (va & (size - 1)) !== 0) return this.alignmentFault(reportVa, s1Kind, size);
      return OK;
    }
    if (this.tlbMisses !== null) this.tlbMisses.value++;
    const sctlr = this.sctlrV;
    const exec = s1Kind === EXEC;
    // Stage 1.
    let s1Type: number;
    if ((sctlr & SCTLR_M) === 0) {
      // VA bits above the implemented PA size (PARange) must be zero.
      if (!(va >= 0 && va < this.paLimit)) return this.raise(exec, FSC.addressSize(0), s1Kind === WRITE || cm, cm, false, reportVa, `address size fault, level 0: VA ${vaHex(va)} is beyond the ${this.paBits}-bit PA space (MMU off)`);
      this.walkIpa = va;
      s1Type = exec ? ((sctlr & SCTLR_I) !== 0 ? S1_NORMAL_CACHEABLE : S1_NORMAL_NC) : S1_DEVICE;
    } else {
      const st = this.stage1(va, s1Kind, cm, reportVa);
      if (st !== OK) return st;
      s1Type = this.s1TypeOf(this.walkInfo);
      if (exec) {
        // Fetches from Device are Normal Non-cacheable; SCTLR_EL1.I=0 makes every fetch non-cacheable.
        if (s1Type === S1_DEVICE || (sctlr & SCTLR_I) === 0) s1Type = S1_NORMAL_NC;
      } else if (s1Type === S1_NORMAL_CACHEABLE && (sctlr & SCTLR_C) === 0) s1Type = S1_NORMAL_NC;
    }
    const ipa = this.walkIpa;
    // Stage 2.
    const st2 = this.stage2(ipa, s2Kind, false, cm, s1Kind, reportVa, size, valueLo, valueHi, 0);
    if (st2 !== OK) return st2;
    const s2Device = this.s2Device;
    const fwb = this.hyp.fwb;
    let cacheable: boolean;
    if (s2Device) cacheable = false;
    else if (fwb) cacheable = true;
    else cacheable = s1Type === S1_NORMAL_CACHEABLE;
    // Device memory (the combined type: FWB makes guest RAM Normal) needs aligned data accesses.
    const device = s2Device || (s1Type === S1_DEVICE && !fwb);
    const alignChecked = !exec && (device || (sctlr & SCTLR_A) !== 0);
    if (alignChecked && !cm && (va & (size - 1)) !== 0) return this.alignmentFault(reportVa, s1Kind, size);
    this.ipa = ipa;
    this.pa = this.s2Pa;
    this.cacheable = cacheable;
    this.alignChecked = alignChecked;
    if (s1Kind === s2Kind) {
      if (s1Kind === EXEC) this.xMemoVa = NO_MEMO; // the memo copies an entry of this table
      this.tag[s1Kind][i] = vpn;
      this.pageOf[s1Kind][i] = this.s2Pa - off;
      this.flags[s1Kind][i] = (cacheable ? F_CACHEABLE : 0) | (this.alignChecked ? F_ALIGN : 0);
    }
    return OK;
  }

  /**
   * Stage 1 with the MMU on: the VA-range check, the main TLB (else a walk, whose leaf it
   * keeps), and the permission check for the current privilege. Leaves `walkIpa`, `walkInfo`.
   */
  private stage1(va: number, kind: AccessIndex, cm: boolean, reportVa: number): AccessStatus {
    let st = this.checkRange(va, kind, cm, reportVa);
    if (st !== OK) return st;
    const asid = this.asid;
    const tlb = this.tlb;
    if (tlb.lookup(va, asid, this.vmid)) {
      this.walkInfo = tlb.hitInfo;
      this.walkIpa = tlb.hitOaBase + (va - tlb.hitVaBase);
    } else {
      if (this.tlbWalkMisses !== null) this.tlbWalkMisses.value++;
      st = this.walk(va, kind, cm, reportVa);
      if (st !== OK) return st;
      // The leaf is cached even when the access fails its permission check (the architecture allows it).
      tlb.insert(this.walkVaBase, this.walkSizeLog, this.walkOaBase, this.walkInfo, (this.walkInfo & INFO_NG) !== 0 ? asid : GLOBAL, this.vmid);
    }
    return this.checkPermission(this.walkInfo, kind, cm, this.unprivilegedV, reportVa);
  }

  // ---------------------------------------------------------------- address translation instructions

  /**
   * AT S1E1R / S1E1W / S1E0R / S1E0W: the stage-1 translation of `va` for a read or write
   * (`kind`) at EL1 or EL0 (`el0`), into PAR_EL1 (`parLo`/`parHi`): on success the output
   * address, SH (0b10 for Device and Normal Non-cacheable, as PAREncodeShareability), NS and the
   * MAIR_EL1 attribute; on a stage-1 fault F=1 with FST, S=0, PTW=0. A fresh walk, as QEMU does
   * (the TLB is neither used nor filled). OK when PAR_EL1 was written; a stage-2 fault on the
   * walk goes to the hypervisor, and what it answers (an external abort: FAULT) is returned.
   */
  at(kind: AccessIndex, el0: boolean, va: number): AccessStatus {
    let st: AccessStatus;
    let attr = 0;
    let sh = 0;
    if ((this.sctlrV & SCTLR_M) === 0) {
      if (va >= 0 && va < this.paLimit) {
        this.walkIpa = va;
        st = OK;
        sh = 2; // Device-nGnRnE
      } else st = this.raise(false, FSC.addressSize(0), kind === WRITE, false, false, va, `address size fault, level 0: VA ${vaHex(va)} is beyond the ${this.paBits}-bit PA space (MMU off)`);
    } else {
      st = this.checkRange(va, kind, false, va);
      if (st === OK) st = this.walk(va, kind, false, va);
      if (st === OK) st = this.checkPermission(this.walkInfo, kind, false, el0, va);
      if (st === OK) {
        attr = this.mairAttr((this.walkInfo >>> 5) & 7);
        sh = (attr & 0xf0) === 0 || attr === 0x44 || attr === 0x40 || attr === 0x04 ? 2 : infoSh(this.walkInfo);
      }
    }
    if (st === OK) {
      const ipa = this.walkIpa - (this.walkIpa % PAGE);
      this.parLo = ((ipa % TWO32) | (1 << 11) | (1 << 9) | (sh << 7)) >>> 0;
      this.parHi = ((Math.floor(ipa / TWO32) & 0xffff) | (attr << 24)) >>> 0;
      return OK;
    }
    if (st !== FAULT || this.fault!.s1ptw) return st;
    this.parLo = ((1 << 11) | ((this.fault!.fsc & 0x3f) << 1) | 1) >>> 0;
    this.parHi = 0;
    return OK;
  }

  protected override s2Pa = 0;
  protected override s2Device = false;

  /**
   * Stage 2 for `ipa`, asking the hypervisor on a fault and retrying while it says so. Leaves
   * `s2Pa` and `s2Device`. `origKind` is the access that caused it (the walk's access for S1PTW).
   */
  protected override stage2(ipa: number, kind: AccessIndex, s1ptw: boolean, cm: boolean, origKind: AccessIndex, va: number, size: number, valueLo: number, valueHi: number, s1Level: number): AccessStatus {
    for (;;) {
      const w = this.s2.translate(ipa, KIND_NAMES[kind], this.vcpu);
      if (w.fault === null) {
        this.s2Pa = w.pa;
        this.s2Device = w.attr === 'device';
        this.sameFaults = 0;
        this.lastFaultIpa = -1;
        return OK;
      }
      const faultKind = w.fault;
      const level = w.level;
      // CMOs report WnR=1 (as ESR_EL2 does); S1PTW faults keep the kind of the access that walked.
      const access: AccessKind = cm ? 'write' : KIND_NAMES[s1ptw ? origKind : kind];
      // The same fault again: same IPA, fault kind, access and walk flag (compared field by
      // field, no key string: MMIO accesses come through here every time).
      if (ipa === this.lastFaultIpa && faultKind === this.lastFaultKind && access === this.lastFaultAccess && s1ptw === this.lastFaultS1ptw) {
        if (++this.sameFaults >= MAX_SAME_FAULT) {
          this.sameFaults = 0;
          this.lastFaultIpa = -1;
          this.exitDetail = `livelock: stage-2 ${faultKind} fault on ${s1ptw ? 'a stage-1 table walk' : `a ${access}`} at IPA ${hex(ipa)} (VA ${vaHex(va)}, PC=${hex(this.pc)}) repeated ${MAX_SAME_FAULT} times after the hypervisor asked to retry`;
          return EXIT;
        }
      } else {
        this.lastFaultIpa = ipa;
        this.lastFaultKind = faultKind;
        this.lastFaultAccess = access;
        this.lastFaultS1ptw = s1ptw;
        this.sameFaults = 1;
      }
      if (this.s2aborts !== null) this.s2aborts.value++;
      const abort: Stage2Abort = {
        ipa,
        va,
        kind: faultKind,
        access,
        level,
        size,
        valueLo: valueLo >>> 0,
        valueHi: valueHi >>> 0,
        s1ptw,
        cm,
        pc: this.pc,
      };
      const r = this.hyp.stage2Abort(this.vcpu, abort);
      // Only retries can livelock: any other answer ends this access.
      if (r.action !== 'retry') {
        this.sameFaults = 0;
        this.lastFaultIpa = -1;
      }
      switch (r.action) {
        case 'retry':
          continue;
        case 'mmio':
          if (s1ptw) {
            // A table walk into MMIO cannot be emulated; KVM injects a data abort.
            return this.raise(origKind === EXEC, FSC.externalOnWalk(s1Level), origKind === WRITE, cm, true, va, `synchronous external abort on the level-${s1Level} stage-1 table walk at IPA ${hex(ipa)} (no memory there)`);
          }
          this.mmio.addr = ipa;
          this.mmio.size = size;
          this.mmio.write = kind === WRITE;
          this.mmio.valueLo = valueLo >>> 0;
          this.mmio.valueHi = valueHi >>> 0;
          return MMIO;
        case 'skip':
          return SKIP;
        case 'inject':
          return this.raise(
            origKind === EXEC && !cm,
            s1ptw ? FSC.externalOnWalk(s1Level) : FSC.EXTERNAL,
            origKind === WRITE || cm,
            cm,
            s1ptw,
            va,
            `synchronous external abort injected by the hypervisor: stage-2 ${faultKind} fault at IPA ${hex(ipa)}${s1ptw ? ' (stage-1 table walk)' : ''}`,
          );
        case 'exit':
          this.exitDetail = r.detail;
          return EXIT;
      }
    }
  }

  private alignmentFault(va: number, kind: AccessIndex, size: number): AccessStatus {
    return this.raise(false, FSC.ALIGNMENT, kind === WRITE, false, false, va, `alignment fault: ${size}-byte ${KIND_NAMES[kind]} at VA ${vaHex(va)} to Device memory (or with SCTLR_EL1.A set) is not aligned`);
  }

  protected override raise(instruction: boolean, fsc: number, wnr: boolean, cm: boolean, s1ptw: boolean, va: number, description: string): AccessStatus {
    this.fault = { instruction, fsc, wnr: instruction ? false : wnr, cm, s1ptw, va, description };
    return FAULT;
  }
}
