import type { KvmVcpu } from './vcpu';
import type { KvmVm } from './vm';
import type { Memslot } from './memslots';

/** kvm->arch.mmu_pending_ops bits (locking series 04/39 and the seed patch 05/39). */
export const KVM_LOCKED_MEMSLOT_FLUSH_DCACHE = 0;
export const KVM_LOCKED_MEMSLOT_INVAL_ICACHE = 1;

/**
 * A hypervisor cache-maintenance policy: what KVM does at VCPU re-init (after the VCPU ran),
 * at KVM_RUN, and when memslots are locked or unlocked. The fault path is KVM's own
 * (user_mem_abort) in every policy. Bound to the KvmPolicy token; a policy plugin rebinds it.
 */
export interface KvmPolicy {
  readonly name: string;
  /** One line for summaries. */
  readonly description: string;
  /** KVM_CAP_ARM_LOCK_USER_MEMORY_REGION exists (upstream Linux has no such capability). */
  readonly supportsLocking: boolean;
  /** Locking is allowed after a VCPU ran (v5; v4 refuses with -EBUSY). */
  readonly lockAfterRun: boolean;
  /** Unlocking a slot that is not locked is an error (v5 documents it; v4 does not check). */
  readonly unlockUnlockedIsError: boolean;
  /** KVM_ARM_VCPU_INIT of a VCPU that has already run (kvm_arch_vcpu_ioctl_vcpu_init). */
  onVcpuReinit(vm: KvmVm, vcpu: KvmVcpu): void;
  /** KVM_RUN, after the "initialised" check and before first-run init. */
  onVcpuRun(vm: KvmVm, vcpu: KvmVcpu): void;
  /** A memslot was just locked (pinned and mapped). */
  onLock(vm: KvmVm, slot: Memslot): void;
  /** A memslot was just unlocked (unpinned). */
  onUnlock(vm: KvmVm, slot: Memslot): void;
}
export const KvmPolicy = Symbol.for('kvmsim.KvmPolicy');
