/**
 * A policy of your own, loaded by path:
 *
 *     npx kvmsim run examples/machines/reboot-locked.yaml --policy ./examples/custom-policy.ts
 *     npx kvmsim compare examples/machines/reboot-locked.yaml   # built-ins only
 *
 * "exec-revoke": like the seed patch, locked memslots keep their stage-2 mappings across a VCPU
 * reset and FLUSH_DCACHE is deferred to the next KVM_RUN; but instead of invalidating the whole
 * I-cache of every CPU (IC IALLUIS, which also hits the host and other VMs), the reset takes the
 * execute permission away from the locked pages. The guest's first fetch from each page then
 * takes a stage-2 permission fault, and KVM's fault path invalidates the I-cache for that page
 * only, as it does the first time after locking. More faults, less collateral damage: run
 * `kvmsim run ... --stats out.txt` under both and compare `kvm.cmo.*` and `kvm.stage2.faults`.
 */
import {
  ContainerModule,
  KVM_LOCKED_MEMSLOT_FLUSH_DCACHE,
  KvmPolicy,
  SeedPolicy,
  definePlugin,
  memslotGpa,
  memslotSize,
  type KvmVcpu,
  type KvmVm,
  type Memslot,
} from 'kvmsim';

export class ExecRevokePolicy extends SeedPolicy {
  override readonly name = 'exec-revoke';
  override readonly description = 'seed, but a reset revokes X on locked pages instead of invalidating the whole I-cache';

  override onVcpuReinit(vm: KvmVm, _vcpu: KvmVcpu): void {
    if (vm.fwb) {
      vm.icacheInvalAllPou();
      return;
    }
    vm.stage2UnmapVm((slot) => {
      vm.setPendingOp(KVM_LOCKED_MEMSLOT_FLUSH_DCACHE);
      revokeExec(vm, slot);
    });
  }
}

/** Drops X from every executable leaf of `slot` (a permission change: the pages stay mapped). */
function revokeExec(vm: KvmVm, slot: Memslot): void {
  const stage2 = vm.d.stage2;
  const leaves: { ipa: number; pa: number; size: number; w: boolean }[] = [];
  stage2.forEachLeaf(memslotGpa(slot), memslotSize(slot), (ipa, pa, size, perms, attr) => {
    if (perms.x && attr === 'normal') leaves.push({ ipa, pa, size, w: perms.w });
  });
  for (const l of leaves) stage2.map(l.ipa, l.pa, l.size, { r: true, w: l.w, x: false }, 'normal', { blocks: false });
}

export default definePlugin({
  name: 'exec-revoke',
  apiVersion: 1,
  kind: 'policy',
  description: new ExecRevokePolicy().description,
  requires: ['kvm-arm64'],
  containerModule: () =>
    new ContainerModule(({ rebindSync }) => {
      rebindSync(KvmPolicy).toConstantValue(new ExecRevokePolicy());
    }),
});
