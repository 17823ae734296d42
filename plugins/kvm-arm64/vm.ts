import { KvmVgicV2, KvmVgicV3, type KvmVgic } from './vgic';
import type { Clock, EventBus, StatsRegistry, Counter } from '../../core';
import type { MemorySystem } from '../../devices/hierarchy/memory-system';
import type { CacheTopology } from '../../devices/hierarchy/topology';
import type { Stage2Mmu } from '../../devices/stage2/stage2-mmu';
import type { AbortResolution, Stage2Abort, VmRegister } from '../../devices/cpu/guest-interface';
import { SCTLR_C, SCTLR_M } from '../../devices/cpu/guest-interface';
import { fail } from './errno';
import { HostMm, PAGE_SIZE, type Vma } from './host-mm';
import {
  KVM_MEM_READONLY,
  KVM_MEM_SLOTS_NUM,
  KVM_MEMSLOT_LOCK_READ,
  KVM_MEMSLOT_LOCK_WRITE,
  Memslots,
  memslotGpa,
  memslotIsLocked,
  memslotSize,
  type Memslot,
  type UserspaceMemoryRegion,
} from './memslots';
import { KVM_LOCKED_MEMSLOT_FLUSH_DCACHE, KVM_LOCKED_MEMSLOT_INVAL_ICACHE, type KvmPolicy } from './policy';
import type { KvmVcpu } from './vcpu';

/** KVM_CAP_ARM_LOCK_USER_MEMORY_REGION (v4 numbering) and its flags. */
export const KVM_CAP_ARM_LOCK_USER_MEMORY_REGION = 206;
export const KVM_ARM_LOCK_USER_MEMORY_REGION_FLAGS_LOCK = 1 << 0;
export const KVM_ARM_LOCK_USER_MEMORY_REGION_FLAGS_UNLOCK = 1 << 1;
export const KVM_ARM_LOCK_MEM_READ = 1 << 0;
export const KVM_ARM_LOCK_MEM_WRITE = 1 << 1;
export const KVM_ARM_UNLOCK_MEM_ALL = 1 << 0;

const SZ_2M = 2 * 1024 * 1024;
const SZ_1G = 1024 * 1024 * 1024;

export interface KvmOptions {
  /**
   * What backs guest RAM, which decides the block sizes the fault path may map: THP gives
   * PMD-sized (2 MiB) blocks; hugetlbfs 1 GiB pages give PUD (1 GiB) or PMD blocks.
   */
  backing: 'thp' | 'hugetlb' | 'pages';
  /** The host kernel runs at EL2 (VHE); matters only for a VPIPT I-cache. */
  vhe: boolean;
  /** RLIMIT_MEMLOCK in bytes, or null for CAP_IPC_LOCK (no limit). */
  memlockLimit: number | null;
}

export interface KvmDeps {
  bus: EventBus;
  stats: StatsRegistry;
  clock: Clock;
  stage2: Stage2Mmu;
  mem: MemorySystem;
  topology: CacheTopology;
  policy: KvmPolicy;
  hostMm: HostMm;
  options: KvmOptions;
  log(message: string): void;
}

/**
 * Coalesces physically contiguous leaves into ranges for one CMO each: walking a table does
 * nothing in between, so this is the same work on the same lines as a CMO per leaf.
 */
class PhysicalRuns {
  private pa = -1;
  private size = 0;
  constructor(private readonly op: (pa: number, size: number) => void) {}
  add(pa: number, size: number): void {
    if (this.pa >= 0 && this.pa + this.size === pa) {
      this.size += size;
      return;
    }
    this.flush();
    this.pa = pa;
    this.size = size;
  }
  flush(): void {
    if (this.pa >= 0) this.op(this.pa, this.size);
    this.pa = -1;
    this.size = 0;
  }
}

/** KVM's counters, `kvm.*`. */
class KvmStats {
  readonly faults: Counter;
  readonly faultsPerm: Counter;
  readonly mmioExits: Counter;
  readonly unmappedPages: Counter;
  readonly mappedPages: Counter;
  readonly dcLines: Counter;
  readonly dcLinesResident: Counter;
  readonly icInvalAll: Counter;
  readonly icInvalRangeLines: Counter;
  readonly icInvalRangeOps: Counter;
  readonly pendingPerformed: Counter;
  readonly stage2UnmapVm: Counter;
  readonly stage2FlushVm: Counter;
  readonly cycles: Counter;
  readonly lockedPages: Counter;
  constructor(s: StatsRegistry) {
    this.faults = s.counter('kvm.stage2.faults', 'stage-2 faults handled (kvm_handle_guest_abort)');
    this.faultsPerm = s.counter('kvm.stage2.perm_faults', 'stage-2 permission faults (relax_perms path)');
    this.mmioExits = s.counter('kvm.exits.mmio', 'guest accesses outside memslots sent to the VMM');
    this.unmappedPages = s.counter('kvm.stage2.unmapped_pages', 'pages unmapped from stage 2 by KVM');
    this.mappedPages = s.counter('kvm.stage2.mapped_pages', 'pages mapped at stage 2 by KVM (faults and locking)');
    this.dcLines = s.counter('kvm.cmo.dc_lines', 'D-cache lines KVM cleaned+invalidated to PoC (DC CIVAC issued)');
    this.dcLinesResident = s.counter('kvm.cmo.dc_lines_resident', 'of those, lines that were resident in a cache');
    this.icInvalAll = s.counter('kvm.cmo.ic_inval_all', 'whole I-cache invalidations (icache_inval_all_pou)');
    this.icInvalRangeLines = s.counter('kvm.cmo.ic_inval_lines', 'I-cache lines invalidated by range (icache_inval_pou)');
    this.icInvalRangeOps = s.counter('kvm.cmo.ic_inval_range', 'icache_inval_pou calls (I-cache invalidations by range)');
    this.pendingPerformed = s.counter('kvm.pending_ops.performed', 'kvm_mmu_perform_pending_ops calls that found work');
    this.stage2UnmapVm = s.counter('kvm.stage2.unmap_vm', 'stage2_unmap_vm calls');
    this.stage2FlushVm = s.counter('kvm.stage2.flush_vm', 'stage2_flush_vm calls');
    this.cycles = s.counter('kvm.cycles', 'modelled cycles spent in KVM itself (faults, walks, TLBIs)');
    this.lockedPages = s.counter('kvm.memslots.locked_pages', 'pages pinned by memslot locking');
  }
}

/**
 * One VM as KVM/arm64 holds it: memslots (with the locking series' state), the stage-2 MMU,
 * `mmu_pending_ops`, the VCPUs, and the kernel paths around cache maintenance — the stage-2
 * fault handler, stage2_unmap_vm, stage2_flush_vm, the cache-toggle and set/way traps, and
 * lock/unlock — following docs/reference/kvm-arm64-cmo.md function by function.
 */
export class KvmVm {
  readonly memslots = new Memslots();
  readonly vcpus: KvmVcpu[] = [];
  /** kvm->arch.mmu_pending_ops. */
  mmuPendingOps = 0;
  /** Bytes pinned by locking (mm->locked_vm). */
  lockedVm = 0;
  readonly stats: KvmStats;
  /** The in-kernel interrupt controller, once the VMM created one. */
  vgic: KvmVgic | null = null;
  /** Why the fault path made KVM_RUN fail (an errno for the VMM), taken by the VCPU's run. */
  runError: { errno: 'EFAULT'; why: string } | null = null;
  /** Locked slots whose every page is still mapped as locking mapped it (no unmap since). */
  private readonly intactLocks = new Set<number>();

  constructor(readonly d: KvmDeps) {
    this.stats = new KvmStats(d.stats);
  }

  /** KVM_CREATE_DEVICE(KVM_DEV_TYPE_ARM_VGIC_V2 or _V3) for every VCPU created so far, at the virt board's addresses; one per VM. */
  createVgic(version: 2 | 3): KvmVgic {
    if (this.vgic !== null) fail('KVM_CREATE_DEVICE', 'EEXIST', 'the VM already has a vgic');
    if (this.vcpus.length === 0) fail('KVM_CREATE_DEVICE', 'EINVAL', 'create the VCPUs before the vgic');
    const cores = this.vcpus.map((v) => v.core);
    this.vgic = version === 2 ? new KvmVgicV2(cores) : new KvmVgicV3(cores);
    return this.vgic;
  }

  get fwb(): boolean {
    return this.d.topology.fwb;
  }

  private charge(cycles: number): void {
    this.d.clock.advance(cycles);
    this.stats.cycles.value += cycles;
  }

  // ---------------------------------------------------------------------------------------
  // Cache maintenance hooks of kvm_s2_mm_ops (§3.4 step 8, §3.5)

  /** __clean_dcache_guest_page: clean+invalidate to PoC, unless FWB makes it unnecessary. */
  cleanDcacheGuestPage(pa: number, size: number): void {
    if (this.fwb) return;
    this.dcacheCleanInvalPoc(pa, size);
  }

  /** dcache_clean_inval_poc over a range, counted for the cost model. */
  dcacheCleanInvalPoc(pa: number, size: number): void {
    const r = this.d.mem.dcacheCleanInvalPoc(pa, size, null);
    this.stats.dcLines.value += Math.ceil(size / this.d.mem.lineSize);
    this.stats.dcLinesResident.value += r.lines;
  }

  /** VPIPT I-cache with a non-VHE host: EL2 invalidates it at TLB invalidation, not at faults. */
  private get vpiptNvhe(): boolean {
    return this.d.topology.icachePolicy === 'VPIPT' && !this.d.options.vhe;
  }

  /**
   * `count` TLB invalidations by IPA (__kvm_tlb_flush_vmid_ipa): their cost, and on a VPIPT
   * I-cache under a non-VHE host the whole-I-cache invalidation EL2 does with each.
   */
  tlbiIpa(count: number): void {
    if (count <= 0) return;
    this.charge(count * this.d.topology.cost.tlbi);
    if (!this.vpiptNvhe) return;
    this.d.mem.icacheInvalAllPou(null); // once does it; the others cost the same again
    if (this.d.topology.dic) return;
    this.d.clock.advance((count - 1) * this.d.topology.cost.icIallu);
    this.stats.icInvalAll.value += count;
  }

  /**
   * __invalidate_icache_guest_page: whole I-cache when aliasing (VIPT); by range for PIPT, and
   * for VPIPT under VHE; nothing for VPIPT without VHE (EL2 did it at the TLBI).
   */
  invalidateIcacheGuestPage(pa: number, size: number): void {
    if (this.d.topology.icachePolicy === 'VIPT') {
      this.icacheInvalAllPou();
      return;
    }
    if (this.vpiptNvhe) return;
    this.d.mem.icacheInvalPou(pa, size, null);
    if (this.d.topology.dic) return; // just an ISB
    this.stats.icInvalRangeOps.value++;
    this.stats.icInvalRangeLines.value += Math.ceil(size / this.d.mem.lineSize);
  }

  /** icache_inval_all_pou: IC IALLUIS (nothing with DIC). */
  icacheInvalAllPou(): void {
    this.d.mem.icacheInvalAllPou(null);
    if (!this.d.topology.dic) this.stats.icInvalAll.value++;
  }

  // ---------------------------------------------------------------------------------------
  // KVM_SET_USER_MEMORY_REGION

  setUserMemoryRegion(mem: UserspaceMemoryRegion): void {
    const plan = this.memslots.plan(mem, this.d.stage2.ipaBits);
    if (plan.change === null) return;
    const old = plan.old;
    // kvm_arch_prepare_memory_region (08/39): locked slots cannot change, except to turn on
    // dirty logging when locked without WRITE.
    if (old !== undefined && memslotIsLocked(old)) {
      const enablingLog = plan.change === 'flags' && plan.next!.dirtyLog && !old.dirtyLog && (old.lockFlags & KVM_MEMSLOT_LOCK_WRITE) === 0;
      if (!enablingLog) fail('KVM_SET_USER_MEMORY_REGION', 'EBUSY', `slot ${old.id} is locked; unlock it before a ${plan.change}`);
    }
    if (plan.next !== undefined && (plan.change === 'create' || plan.change === 'move' || plan.change === 'flags')) {
      // IO regions (VM_PFNMAP) cannot log dirty pages.
      if (plan.next.dirtyLog) {
        for (const v of this.vmasOf(plan.next)) {
          if (v.pfnmap) fail('KVM_SET_USER_MEMORY_REGION', 'EINVAL', `slot ${plan.next.id}: dirty logging on a VM_PFNMAP mapping ('${v.name}')`);
        }
      }
    }
    // kvm_arch_flush_shadow_memslot: a deleted or moved slot leaves stage 2.
    if ((plan.change === 'delete' || plan.change === 'move') && old !== undefined) this.unmapStage2Range(memslotGpa(old), memslotSize(old));
    // Dirty logging on: write-protect the slot (kvm_mmu_wp_memory_region).
    if (plan.change === 'flags' && plan.next!.dirtyLog && old !== undefined && !old.dirtyLog) this.writeProtectSlot(plan.next!);
    this.memslots.commit(plan);
    const s = plan.next ?? old!;
    this.d.bus.emit({
      type: 'memslot.set',
      slot: s.id,
      op: plan.change,
      guestPhysAddr: memslotGpa(s),
      size: plan.change === 'delete' ? 0 : memslotSize(s),
      userspaceAddr: s.userspaceAddr,
      flags: s.flags,
    });
  }

  /** The VMAs behind a slot's HVA range (holes skipped). */
  vmasOf(s: Memslot): Vma[] {
    const out: Vma[] = [];
    let hva = s.userspaceAddr;
    const end = s.userspaceAddr + memslotSize(s);
    while (hva < end) {
      const v = this.d.hostMm.findVmaIntersection(hva, end);
      if (v === undefined) break;
      out.push(v);
      hva = Math.min(end, v.end);
    }
    return out;
  }

  /** kvm_mmu_wp_memory_region: clear W on every leaf of the slot, blocks kept as blocks. */
  private writeProtectSlot(s: Memslot): void {
    const leaves: { ipa: number; pa: number; size: number; x: boolean; attr: 'normal' | 'device' }[] = [];
    const walk = this.d.stage2.forEachLeaf(memslotGpa(s), memslotSize(s), (ipa, pa, size, perms, attr) => {
      if (perms.w) leaves.push({ ipa, pa, size, x: perms.x, attr });
    });
    let tlbis = 0;
    for (const l of leaves) tlbis += this.d.stage2.map(l.ipa, l.pa, l.size, { r: true, w: false, x: l.x }, l.attr, { blocks: l.size > PAGE_SIZE }).tlbis;
    this.charge(walk.entries);
    this.tlbiIpa(tlbis);
  }

  // ---------------------------------------------------------------------------------------
  // Stage-2 unmap and flush (§3.3, §3.6)

  /** unmap_stage2_range: clear leaves, TLBI each, and clean+invalidate cacheable ones (no FWB). */
  unmapStage2Range(ipa: number, size: number): number {
    // KVM is the only one unmapping stage 2: a locked slot touched here is no longer whole.
    for (const id of [...this.intactLocks]) {
      const s = this.memslots.get(id);
      if (s && ipa < memslotGpa(s) + memslotSize(s) && ipa + size > memslotGpa(s)) this.intactLocks.delete(id);
    }
    // stage2_unmap_walker cleans each cacheable leaf as it goes. Nothing runs between two
    // leaves, so cleaning physically contiguous leaves as one range is the same work on the
    // same lines (and charged the same), without rescanning the caches per 2 MiB block.
    const clean = new PhysicalRuns((pa, n) => this.cleanDcacheGuestPage(pa, n));
    const r = this.d.stage2.unmap(ipa, size, (_ipa, pa, leafSize, _perms, attr) => {
      if (attr === 'normal') clean.add(pa, leafSize);
    });
    clean.flush();
    this.stats.unmappedPages.value += r.pages;
    this.charge(r.entries);
    this.tlbiIpa(r.tlbis);
    return r.pages;
  }

  /**
   * The MMU notifier (kvm_mmu_notifier_invalidate_range_start → kvm_unmap_gfn_range): the VMM
   * is unmapping [hva, hva + size) of its address space; every memslot page backed by it leaves
   * stage 2, with the usual unmap-time CMOs. Pinned (locked) pages are no exception (§8).
   */
  mmuNotifierInvalidate(hva: number, size: number): void {
    this.d.bus.emit({ type: 'mmu.notifier', hva, size, phase: 'start' });
    try {
      for (const s of this.memslots.all()) {
        const start = Math.max(hva, s.userspaceAddr);
        const end = Math.min(hva + size, s.userspaceAddr + memslotSize(s));
        if (start >= end) continue;
        if (memslotIsLocked(s)) this.d.log(`MMU notifier unmaps [0x${start.toString(16)}, 0x${end.toString(16)}) of locked memslot ${s.id}: its next faults are unexpected`);
        this.unmapStage2Range(memslotGpa(s) + (start - s.userspaceAddr), end - start);
      }
    } finally {
      this.d.bus.emit({ type: 'mmu.notifier', hva, size, phase: 'end' });
    }
  }

  /** stage2_unmap_memslot: walk the slot's HVA range VMA by VMA, skipping VM_PFNMAP ones. */
  stage2UnmapMemslot(s: Memslot): void {
    for (const v of this.vmasOf(s)) {
      this.charge(1); // find_vma_intersection
      if (v.pfnmap) continue;
      const hvaStart = Math.max(v.start, s.userspaceAddr);
      const hvaEnd = Math.min(v.end, s.userspaceAddr + memslotSize(s));
      this.unmapStage2Range(memslotGpa(s) + (hvaStart - s.userspaceAddr), hvaEnd - hvaStart);
    }
  }

  /**
   * stage2_unmap_vm. `onLocked` decides what happens to locked slots: undefined unmaps them
   * like any other (upstream, which knows no locking); the seed patch sets pending ops instead.
   */
  stage2UnmapVm(onLocked?: (s: Memslot) => void): void {
    this.stats.stage2UnmapVm.value++;
    for (const s of this.memslots.all()) {
      if (onLocked !== undefined && memslotIsLocked(s)) {
        onLocked(s);
        continue;
      }
      this.stage2UnmapMemslot(s);
    }
  }

  /** stage2_flush_memslot (kvm_pgtable_stage2_flush): DC CIVAC every mapped cacheable leaf; nothing under FWB. */
  stage2FlushMemslot(s: Memslot): void {
    if (this.fwb) return;
    const gpa = memslotGpa(s);
    const size = memslotSize(s);
    if (memslotIsLocked(s) && this.intactLocks.has(s.id)) {
      // Locking mapped every page of the slot to its pinned host page and nothing unmapped any
      // since, so the leaves are exactly the slot's VMAs: flush those ranges (the range CMO
      // touches only resident lines) and charge the walk of every page-sized leaf.
      for (const v of this.vmasOf(s)) {
        const hvaStart = Math.max(v.start, s.userspaceAddr);
        const hvaEnd = Math.min(v.end, s.userspaceAddr + size);
        this.dcacheCleanInvalPoc(v.pa + (hvaStart - v.start), hvaEnd - hvaStart);
      }
      this.charge(s.npages);
      return;
    }
    const flush = new PhysicalRuns((pa, n) => this.dcacheCleanInvalPoc(pa, n));
    const r = this.d.stage2.forEachLeaf(gpa, size, (_ipa, pa, leafSize, _perms, attr) => {
      if (attr === 'normal') flush.add(pa, leafSize);
    });
    flush.flush();
    this.charge(r.entries);
  }

  /** stage2_flush_vm: every memslot (guest caches toggled, set/way op). */
  stage2FlushVm(): void {
    this.stats.stage2FlushVm.value++;
    for (const s of this.memslots.all()) this.stage2FlushMemslot(s);
  }

  // ---------------------------------------------------------------------------------------
  // Pending ops (§4.5)

  setPendingOp(bit: number): void {
    this.mmuPendingOps |= 1 << bit;
  }

  get hasPendingOps(): boolean {
    return this.mmuPendingOps !== 0;
  }

  /** kvm_mmu_perform_pending_ops: flush every locked slot, invalidate the I-cache once, clear. */
  performPendingOps(): void {
    if (this.mmuPendingOps === 0) return;
    this.stats.pendingPerformed.value++;
    if ((this.mmuPendingOps & (1 << KVM_LOCKED_MEMSLOT_FLUSH_DCACHE)) !== 0) {
      for (const s of this.memslots.all()) if (memslotIsLocked(s)) this.stage2FlushMemslot(s);
    }
    if ((this.mmuPendingOps & (1 << KVM_LOCKED_MEMSLOT_INVAL_ICACHE)) !== 0) this.icacheInvalAllPou();
    this.d.log(`kvm_mmu_perform_pending_ops: performed 0x${this.mmuPendingOps.toString(16)}`);
    this.mmuPendingOps = 0;
  }

  // ---------------------------------------------------------------------------------------
  // Memslot locking (§4.4, §4.6)

  lockedSlots(): Memslot[] {
    return this.memslots.all().filter(memslotIsLocked);
  }

  /** KVM_ENABLE_CAP(KVM_CAP_ARM_LOCK_USER_MEMORY_REGION) with the LOCK flag. */
  lockMemslot(slotId: number, lockFlags: number, opts: { vcpuInIoctl?: boolean } = {}): void {
    const ioctl = 'KVM_ENABLE_CAP(LOCK_USER_MEMORY_REGION, LOCK)';
    if (!this.d.policy.supportsLocking) fail(ioctl, 'EINVAL', `policy '${this.d.policy.name}' has no KVM_CAP_ARM_LOCK_USER_MEMORY_REGION`);
    if (slotId < 0 || slotId >= KVM_MEM_SLOTS_NUM) fail(ioctl, 'EINVAL', `slot ${slotId} is not below KVM_MEM_SLOTS_NUM (${KVM_MEM_SLOTS_NUM})`);
    if ((lockFlags & ~(KVM_ARM_LOCK_MEM_READ | KVM_ARM_LOCK_MEM_WRITE)) !== 0) fail(ioctl, 'EINVAL', `unknown lock flags 0x${lockFlags.toString(16)}`);
    if ((lockFlags & KVM_ARM_LOCK_MEM_READ) === 0) fail(ioctl, 'EINVAL', 'KVM_ARM_LOCK_MEM_READ is mandatory');
    // kvm_lock_all_vcpus: a VCPU inside an ioctl (KVM_RUN) holds its mutex.
    if (opts.vcpuInIoctl) fail(ioctl, 'EBUSY', 'a VCPU is inside KVM_RUN (kvm_lock_all_vcpus trylock failed)');
    if (!this.d.policy.lockAfterRun) {
      const ran = this.vcpus.find((v) => v.hasRunOnce);
      if (ran) fail(ioctl, 'EBUSY', `VCPU ${ran.index} has already run`);
    }
    const s = this.memslots.get(slotId);
    if (s === undefined) fail(ioctl, 'EINVAL', `slot ${slotId} does not exist`);
    const write = (lockFlags & KVM_ARM_LOCK_MEM_WRITE) !== 0;
    if (write && (s.flags & KVM_MEM_READONLY) !== 0) fail(ioctl, 'EPERM', `slot ${slotId} is KVM_MEM_READONLY; it cannot be locked for write`);
    if (write && s.dirtyLog) fail(ioctl, 'EPERM', `slot ${slotId} logs dirty pages; it cannot be locked for write`);
    if (memslotIsLocked(s)) fail(ioctl, 'EBUSY', `slot ${slotId} is already locked`);
    const bytes = memslotSize(s);
    const limit = this.d.options.memlockLimit;
    if (limit !== null && this.lockedVm + bytes > limit) {
      fail(ioctl, 'ENOMEM', `locking ${bytes} bytes would exceed RLIMIT_MEMLOCK (${limit}; ${this.lockedVm} already locked)`);
    }
    // Pin every page and map it at page granularity, R or R/W, never X, with no D-CMO (04/39).
    const runs: { ipa: number; pa: number; size: number }[] = [];
    let hva = s.userspaceAddr;
    const end = s.userspaceAddr + bytes;
    while (hva < end) {
      // pin_user_pages: nothing is mapped yet, so a failure leaves nothing to undo.
      const v = this.d.hostMm.vmaAt(hva);
      if (v === undefined) fail(ioctl, 'ENOMEM', `pin_user_pages failed: nothing is mapped at HVA 0x${hva.toString(16)} of slot ${slotId}`);
      if (v.pfnmap) fail(ioctl, 'ENOMEM', `pin_user_pages failed: HVA 0x${hva.toString(16)} of slot ${slotId} is a VM_PFNMAP mapping ('${v.name}'), which cannot be pinned`);
      const n = Math.min(end, v.end) - hva;
      runs.push({ ipa: memslotGpa(s) + (hva - s.userspaceAddr), pa: v.pa + (hva - v.start), size: n });
      hva += n;
    }
    let pages = 0;
    for (const r of runs) {
      const rep = this.d.stage2.map(r.ipa, r.pa, r.size, { r: true, w: write, x: false }, 'normal', { blocks: false });
      pages += rep.pages;
      this.tlbiIpa(rep.tlbis);
    }
    this.charge(s.npages * this.d.topology.cost.stage2MapPerPage);
    this.stats.mappedPages.value += pages;
    this.lockedVm += bytes;
    s.lockFlags = KVM_MEMSLOT_LOCK_READ | (write ? KVM_MEMSLOT_LOCK_WRITE : 0);
    s.pinnedPages = s.npages;
    this.stats.lockedPages.value += s.npages;
    this.intactLocks.add(s.id);
    this.d.bus.emit({ type: 'memslot.lock', slot: s.id, write });
    this.d.policy.onLock(this, s);
  }

  /** KVM_ENABLE_CAP(KVM_CAP_ARM_LOCK_USER_MEMORY_REGION) with the UNLOCK flag. */
  unlockMemslot(slotId: number, all: boolean): void {
    const ioctl = 'KVM_ENABLE_CAP(LOCK_USER_MEMORY_REGION, UNLOCK)';
    if (!this.d.policy.supportsLocking) fail(ioctl, 'EINVAL', `policy '${this.d.policy.name}' has no KVM_CAP_ARM_LOCK_USER_MEMORY_REGION`);
    if (all) {
      for (const s of this.lockedSlots()) this.unlockOne(s);
      return;
    }
    if (slotId < 0 || slotId >= KVM_MEM_SLOTS_NUM) fail(ioctl, 'EINVAL', `slot ${slotId} is not below KVM_MEM_SLOTS_NUM (${KVM_MEM_SLOTS_NUM})`);
    const s = this.memslots.get(slotId);
    if (s === undefined) fail(ioctl, 'EINVAL', `slot ${slotId} does not exist`);
    if (!memslotIsLocked(s)) {
      if (this.d.policy.unlockUnlockedIsError) fail(ioctl, 'EINVAL', `slot ${slotId} is not locked`);
      return;
    }
    this.unlockOne(s);
  }

  private unlockOne(s: Memslot): void {
    this.charge(s.pinnedPages); // unpin_user_pages: O(npages)
    this.lockedVm -= memslotSize(s);
    s.lockFlags = 0;
    s.pinnedPages = 0;
    this.intactLocks.delete(s.id);
    this.d.bus.emit({ type: 'memslot.unlock', slot: s.id });
    this.d.policy.onUnlock(this, s);
  }

  // ---------------------------------------------------------------------------------------
  // The stage-2 fault path (kvm_handle_guest_abort → user_mem_abort, §3.4)

  handleGuestAbort(vcpu: KvmVcpu, a: Stage2Abort): AbortResolution {
    this.stats.faults.value++;
    this.charge(this.d.topology.cost.stage2Fault);
    const gfn = Math.floor(a.ipa / PAGE_SIZE);
    const slot = this.memslots.findByGfn(gfn);
    // kvm_is_write_fault: a stage-1 table walk writes (it may set access/dirty bits), an
    // instruction abort never does, a cache maintenance op is treated as a read (v5.12+).
    const exec = a.access === 'exec' && !a.s1ptw;
    const write = a.s1ptw || (!a.cm && a.access === 'write');
    if (slot === undefined || (write && (slot.flags & KVM_MEM_READONLY) !== 0)) {
      // The guest put its instructions or its page tables where no memory is, or a CMO by VA
      // hit no memslot (it cannot be cached there: skip it); anything else is MMIO.
      if (exec) return { action: 'inject' }; // prefetch abort
      if (a.s1ptw) return { action: 'inject' }; // data abort on the walk
      if (a.cm && slot === undefined) return { action: 'skip' };
      this.stats.mmioExits.value++;
      return { action: 'mmio' };
    }
    if (memslotIsLocked(slot)) {
      // 10/39: exec faults are expected on locked slots (no X at lock time); so are write
      // faults on a slot locked read-only. Access-flag, read and other faults get a warning.
      const expected = a.kind !== 'access' && (exec || (write && (slot.lockFlags & KVM_MEMSLOT_LOCK_WRITE) === 0));
      if (!expected) this.d.log(`Unexpected L2 ${a.kind} ${write ? 'write' : exec ? 'exec' : 'read'} fault on locked memslot ${slot.id} at IPA 0x${a.ipa.toString(16)}`);
    }
    if (a.kind === 'access') {
      this.d.stage2.mkyoung(a.ipa);
      return { action: 'retry' };
    }
    if (a.kind === 'permission' && !write && !exec) return { action: 'exit', detail: `Unexpected L2 read permission error at IPA 0x${a.ipa.toString(16)}` };

    const hva = slot.userspaceAddr + (a.ipa - memslotGpa(slot));
    const vma = this.d.hostMm.vmaAt(hva);
    if (vma === undefined) {
      // __gfn_to_pfn_memslot finds no page: KVM_RUN fails with -EFAULT.
      this.runError = { errno: 'EFAULT', why: `no VMA backs HVA 0x${hva.toString(16)} (IPA 0x${a.ipa.toString(16)}, slot ${slot.id})` };
      return { action: 'exit', detail: this.runError.why };
    }
    const device = vma.pfnmap;
    if (exec && device) return { action: 'inject' }; // -ENOEXEC: prefetch abort

    // Mapping size: pages for locked slots, dirty logging and device memory; otherwise the
    // largest block the backing allows (THP: PMD; hugetlbfs 1 GiB pages: PUD or PMD) where IPA
    // and HVA are equally aligned and the block lies inside the slot and the VMA.
    let size = PAGE_SIZE;
    const blocks = this.d.options.backing === 'hugetlb' ? [SZ_1G, SZ_2M] : this.d.options.backing === 'thp' ? [SZ_2M] : [];
    if (!device && !memslotIsLocked(slot) && !slot.dirtyLog) {
      for (const b of blocks) {
        const ipaBase = a.ipa - (a.ipa % b);
        const hvaBase = hva - (hva % b);
        if (a.ipa % b !== hva % b) continue;
        if (ipaBase < memslotGpa(slot) || ipaBase + b > memslotGpa(slot) + memslotSize(slot)) continue;
        if (hvaBase < vma.start || hvaBase + b > vma.end) continue;
        if ((vma.pa + (hvaBase - vma.start)) % b !== 0) continue;
        size = b;
        break;
      }
    }
    const ipaBase = a.ipa - (a.ipa % size);
    const pa = vma.pa + (hva - (a.ipa - ipaBase) - vma.start);
    const writable = (slot.flags & KVM_MEM_READONLY) === 0 && !(slot.dirtyLog && !write);
    const dic = this.d.topology.dic;
    const perms = { r: true, w: writable, x: exec || (!device && dic) };
    const attr = device ? 'device' : 'normal';

    if (a.kind === 'permission') {
      this.stats.faultsPerm.value++;
      const leaf = this.d.stage2.lookup(a.ipa);
      if (leaf !== null && leaf.size === size) {
        // kvm_pgtable_stage2_relax_perms: adds what the fault computed; no D-side CMO, the
        // I-side is invalidated when X is added.
        const add = { r: true, w: perms.w || leaf.perms.w, x: perms.x || leaf.perms.x };
        if (!leaf.perms.x && add.x && !device) this.invalidateIcacheGuestPage(leaf.pa, leaf.size);
        this.d.stage2.relaxPerms(a.ipa, add);
        this.tlbiIpa(1);
        return { action: 'retry' };
      }
    }
    const existing = this.d.stage2.lookup(a.ipa);
    if (existing !== null && existing.size === size && existing.pa === pa && existing.attr === attr) {
      // An identical PTE, or one differing only in permissions: the map walker returns
      // -EAGAIN without touching it; the VCPU faults again and takes the relax path.
      return { action: 'retry' };
    }
    // stage2_map_walker_try_leaf: before installing, clean the D-side for a cacheable entry
    // (not with FWB) and invalidate the I-side for an executable one.
    if (!device) this.cleanDcacheGuestPage(pa, size);
    if (perms.x && !device) this.invalidateIcacheGuestPage(pa, size);
    const rep = this.d.stage2.map(ipaBase, pa, size, perms, attr, { blocks: size > PAGE_SIZE });
    this.stats.mappedPages.value += rep.pages;
    this.charge(this.d.topology.cost.stage2MapPerPage);
    this.tlbiIpa(rep.tlbis);
    return { action: 'retry' };
  }

  // ---------------------------------------------------------------------------------------
  // Guest cache toggling and set/way (§3.6)

  /** kvm_toggle_cache via access_vm_reg, while HCR_EL2.TVM is set. */
  vmRegWrite(vcpu: KvmVcpu, reg: VmRegister, oldValue: number, newValue: number): void {
    // access_vm_reg → kvm_toggle_cache for every trapped VM register; only SCTLR_EL1 changes
    // whether the caches are on, but any write with them on stops the trapping.
    const sctlrBefore = reg === 'SCTLR_EL1' ? oldValue : vcpu.core.sctlr;
    const sctlrAfter = reg === 'SCTLR_EL1' ? newValue : vcpu.core.sctlr;
    const wasEnabled = (sctlrBefore & (SCTLR_M | SCTLR_C)) === (SCTLR_M | SCTLR_C);
    const nowEnabled = (sctlrAfter & (SCTLR_M | SCTLR_C)) === (SCTLR_M | SCTLR_C);
    if (wasEnabled !== nowEnabled) {
      this.d.log(`kvm_toggle_cache: vcpu${vcpu.index} turned caches ${nowEnabled ? 'on' : 'off'}: stage2_flush_vm`);
      this.stage2FlushVm();
    }
    if (nowEnabled) vcpu.hcrTvm = false;
  }

  /** kvm_set_way_flush: the first trapped set/way op flushes the VM and arms TVM. */
  setWayOp(vcpu: KvmVcpu): boolean {
    if (this.fwb) return true; // ignored with FWB
    if (!vcpu.hcrTvm) {
      this.d.log(`kvm_set_way_flush: vcpu${vcpu.index} set/way op: stage2_flush_vm, TVM on`);
      this.stage2FlushVm();
      vcpu.hcrTvm = true;
    }
    return true;
  }
}
