import { fail } from './errno';
import { PAGE_SIZE } from './host-mm';

/** KVM_SET_USER_MEMORY_REGION flags. */
export const KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
export const KVM_MEM_READONLY = 1 << 1;
/** KVM_MEM_SLOTS_NUM (SHRT_MAX since v5.12, when arm64 stopped limiting memslots to 512). */
export const KVM_MEM_SLOTS_NUM = 32767;

/** memslot->arch.flags of the locking series. */
export const KVM_MEMSLOT_LOCK_READ = 1 << 0;
export const KVM_MEMSLOT_LOCK_WRITE = 1 << 1;

/** struct kvm_userspace_memory_region. */
export interface UserspaceMemoryRegion {
  slot: number;
  flags: number;
  guestPhysAddr: number;
  memorySize: number;
  userspaceAddr: number;
}

/** struct kvm_memory_slot (the parts that matter here). */
export interface Memslot {
  id: number;
  baseGfn: number;
  npages: number;
  flags: number;
  userspaceAddr: number;
  /** memslot->arch.flags: KVM_MEMSLOT_LOCK_READ / _WRITE. */
  lockFlags: number;
  /** Pages pinned by the lock (memslot->arch.pages), by page index. */
  pinnedPages: number;
  /** Dirty bitmap present (dirty logging on). */
  dirtyLog: boolean;
}

export const memslotIsLocked = (s: Memslot): boolean => s.lockFlags !== 0;
export const memslotGpa = (s: Memslot): number => s.baseGfn * PAGE_SIZE;
export const memslotSize = (s: Memslot): number => s.npages * PAGE_SIZE;

export type MemslotChange = 'create' | 'delete' | 'move' | 'flags';

/** What __kvm_set_memory_region decided, before the arch hook and commit. */
export interface MemslotPlan {
  change: MemslotChange | null;
  old?: Memslot;
  /** The slot as it will be after commit (undefined for delete). */
  next?: Memslot;
}

const ioctl = 'KVM_SET_USER_MEMORY_REGION';

/** The VM's memslots, with the generic checks of __kvm_set_memory_region (v5.15). */
export class Memslots {
  private readonly slots = new Map<number, Memslot>();

  get(id: number): Memslot | undefined {
    return this.slots.get(id);
  }

  /** All slots, by id. */
  all(): Memslot[] {
    return [...this.slots.values()].sort((a, b) => a.id - b.id);
  }

  /** The slot whose guest-physical range holds `gfn`. */
  findByGfn(gfn: number): Memslot | undefined {
    for (const s of this.slots.values()) if (gfn >= s.baseGfn && gfn < s.baseGfn + s.npages) return s;
    return undefined;
  }

  /**
   * Validates a region like the kernel and says what would change. Throws KvmIoctlError
   * (EINVAL / EEXIST) where the kernel fails; null change means "nothing to do".
   */
  plan(mem: UserspaceMemoryRegion, ipaBits: number): MemslotPlan {
    const valid = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;
    if (!Number.isInteger(mem.flags) || (mem.flags & ~valid) !== 0) fail(ioctl, 'EINVAL', `flags 0x${mem.flags.toString(16)} has bits other than KVM_MEM_LOG_DIRTY_PAGES|KVM_MEM_READONLY`);
    if (mem.memorySize % PAGE_SIZE !== 0) fail(ioctl, 'EINVAL', `memory_size 0x${mem.memorySize.toString(16)} is not a multiple of PAGE_SIZE`);
    if (mem.guestPhysAddr % PAGE_SIZE !== 0) fail(ioctl, 'EINVAL', `guest_phys_addr 0x${mem.guestPhysAddr.toString(16)} is not page aligned`);
    if (mem.userspaceAddr % PAGE_SIZE !== 0) fail(ioctl, 'EINVAL', `userspace_addr 0x${mem.userspaceAddr.toString(16)} is not page aligned`);
    if (!Number.isInteger(mem.slot) || mem.slot < 0 || mem.slot >= KVM_MEM_SLOTS_NUM) fail(ioctl, 'EINVAL', `slot ${mem.slot} is not below KVM_MEM_SLOTS_NUM (${KVM_MEM_SLOTS_NUM})`);
    const old = this.slots.get(mem.slot);
    if (mem.memorySize === 0) {
      if (old === undefined) fail(ioctl, 'EINVAL', `deleting slot ${mem.slot}, which does not exist`);
      return { change: 'delete', old };
    }
    const baseGfn = Math.floor(mem.guestPhysAddr / PAGE_SIZE);
    const npages = mem.memorySize / PAGE_SIZE;
    let change: MemslotChange;
    if (old === undefined) change = 'create';
    else {
      if (mem.userspaceAddr !== old.userspaceAddr) fail(ioctl, 'EINVAL', `slot ${mem.slot} exists with userspace_addr 0x${old.userspaceAddr.toString(16)}; it cannot change`);
      if (npages !== old.npages) fail(ioctl, 'EINVAL', `slot ${mem.slot} exists with ${old.npages} pages; its size cannot change`);
      if (((mem.flags ^ old.flags) & KVM_MEM_READONLY) !== 0) fail(ioctl, 'EINVAL', `slot ${mem.slot}: KVM_MEM_READONLY cannot be toggled`);
      if (baseGfn !== old.baseGfn) change = 'move';
      else if (mem.flags !== old.flags) change = 'flags';
      else return { change: null, old };
    }
    if (change === 'create' || change === 'move') {
      for (const s of this.slots.values()) {
        if (s.id === mem.slot) continue;
        if (baseGfn < s.baseGfn + s.npages && baseGfn + npages > s.baseGfn) {
          fail(ioctl, 'EEXIST', `[0x${mem.guestPhysAddr.toString(16)}, +0x${mem.memorySize.toString(16)}) overlaps slot ${s.id} at 0x${memslotGpa(s).toString(16)}`);
        }
      }
    }
    // kvm_arch_prepare_memory_region: the slot must fit the VM's IPA space.
    if ((baseGfn + npages) * PAGE_SIZE > 2 ** ipaBits) {
      fail(ioctl, 'EFAULT', `[0x${mem.guestPhysAddr.toString(16)}, +0x${mem.memorySize.toString(16)}) goes beyond the ${ipaBits}-bit IPA space`);
    }
    const next: Memslot = {
      id: mem.slot,
      baseGfn,
      npages,
      flags: mem.flags,
      userspaceAddr: mem.userspaceAddr,
      lockFlags: old?.lockFlags ?? 0,
      pinnedPages: old?.pinnedPages ?? 0,
      dirtyLog: (mem.flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0,
    };
    return { change, old, next };
  }

  commit(plan: MemslotPlan): void {
    if (plan.change === 'delete') this.slots.delete(plan.old!.id);
    else if (plan.next) this.slots.set(plan.next.id, plan.next);
  }
}
