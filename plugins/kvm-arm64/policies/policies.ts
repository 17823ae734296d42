import type { Memslot } from '../memslots';
import { memslotIsLocked } from '../memslots';
import { KVM_LOCKED_MEMSLOT_FLUSH_DCACHE, KVM_LOCKED_MEMSLOT_INVAL_ICACHE, type KvmPolicy } from '../policy';
import type { KvmVcpu } from '../vcpu';
import type { KvmVm } from '../vm';

/**
 * P0, Linux v5.15 (reference §3.2, §5): re-init of a VCPU that ran unmaps all of stage 2
 * (FWB hosts: invalidate the whole I-cache instead); faults map pages back with their CMOs.
 * Upstream has no memslot locking: the capability does not exist.
 */
export class UpstreamPolicy implements KvmPolicy {
  readonly name: string = 'upstream';
  readonly description: string = 'Linux v5.15: re-init unmaps all of stage 2 (FWB: invalidate the I-cache); faults do the CMOs';
  readonly supportsLocking: boolean = false;
  readonly lockAfterRun: boolean = false;
  readonly unlockUnlockedIsError: boolean = false;

  onVcpuReinit(vm: KvmVm, _vcpu: KvmVcpu): void {
    if (vm.fwb) vm.icacheInvalAllPou();
    else vm.stage2UnmapVm();
  }

  onVcpuRun(vm: KvmVm, _vcpu: KvmVcpu): void {
    // Upstream has no deferred ops; the check is kept so a policy deriving from this one works.
    if (vm.hasPendingOps) vm.performPendingOps();
  }

  onLock(_vm: KvmVm, _slot: Memslot): void {}
  onUnlock(_vm: KvmVm, _slot: Memslot): void {}
}

/**
 * P1, the seed patch (v4 05/39): locked memslots keep their stage-2 mappings; re-init sets
 * FLUSH_DCACHE and INVAL_ICACHE instead of unmapping them; the next KVM_RUN of any VCPU
 * performs them. Locking sets FLUSH_DCACHE (04/39). Unlock (v4) leaves stage 2 and the bits.
 */
export class SeedPolicy extends UpstreamPolicy {
  override readonly name: string = 'seed';
  override readonly description: string = 'the seed patch: locked slots stay mapped; re-init defers FLUSH_DCACHE + INVAL_ICACHE to the next KVM_RUN';
  override readonly supportsLocking: boolean = true;

  /** Bits stage2_unmap_vm sets for each locked slot it skips. */
  protected reinitBits(): number[] {
    return [KVM_LOCKED_MEMSLOT_FLUSH_DCACHE, KVM_LOCKED_MEMSLOT_INVAL_ICACHE];
  }

  override onVcpuReinit(vm: KvmVm, _vcpu: KvmVcpu): void {
    if (vm.fwb) {
      vm.icacheInvalAllPou(); // FWB hosts never call stage2_unmap_vm
      return;
    }
    vm.stage2UnmapVm(() => {
      for (const b of this.reinitBits()) vm.setPendingOp(b);
    });
  }

  override onLock(vm: KvmVm, _slot: Memslot): void {
    vm.setPendingOp(KVM_LOCKED_MEMSLOT_FLUSH_DCACHE);
  }
}

/**
 * The seed plus v5's fix (07/38): unlocking a memslot while ops are pending unmaps it from stage
 * 2 (the fault path will do its CMOs), and clears the bits when no locked slot remains. v5 also
 * lets a VMM lock after VCPUs ran and rejects unlocking a slot that is not locked.
 */
export class SeedV5Policy extends SeedPolicy {
  override readonly name: string = 'seed-v5';
  override readonly description: string = "the seed plus v5's fix: unlocking with ops pending unmaps the slot";
  override readonly lockAfterRun: boolean = true;
  override readonly unlockUnlockedIsError: boolean = true;

  override onUnlock(vm: KvmVm, slot: Memslot): void {
    if (!vm.hasPendingOps) return;
    vm.unmapStage2Range(slot.baseGfn * 4096, slot.npages * 4096);
    if (!vm.memslots.all().some(memslotIsLocked)) vm.mmuPendingOps = 0;
  }
}

/** P2 (hypothetical): locked slots skipped at re-init, only FLUSH_DCACHE deferred, no I-cache op. */
export class DcacheOnlyPolicy extends SeedPolicy {
  override readonly name: string = 'dcache-only';
  override readonly description: string = 'locked slots skipped at re-init; only FLUSH_DCACHE deferred (no I-cache invalidation)';
  protected override reinitBits(): number[] {
    return [KVM_LOCKED_MEMSLOT_FLUSH_DCACHE];
  }
}

/** P3 (hypothetical): the seed's CMOs done at re-init itself instead of at the next KVM_RUN. */
export class EagerAtResetPolicy extends SeedPolicy {
  override readonly name: string = 'eager-at-reset';
  override readonly description: string = "the seed's CMOs done at re-init instead of at the next KVM_RUN";

  override onVcpuReinit(vm: KvmVm, _vcpu: KvmVcpu): void {
    if (vm.fwb) {
      vm.icacheInvalAllPou();
      return;
    }
    let locked = false;
    vm.stage2UnmapVm((s) => {
      vm.stage2FlushMemslot(s);
      locked = true;
    });
    if (locked) vm.icacheInvalAllPou();
  }
}
