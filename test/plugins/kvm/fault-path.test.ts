/**
 * The stage-2 fault path and the paths around it, case by case against reference §3.3–§3.7 and
 * §4.4–§4.7: backing and block sizes, read-only and device memory, stage-1 walks and cache
 * maintenance, dirty logging, unmap-time CMOs, the TVM trap on every VM register, PSCI CPU_ON.
 */
import { PSCI, SCTLR_C, SCTLR_EL1_RESET, SCTLR_I, SCTLR_M, type Stage2Abort } from '../../../devices/cpu/guest-interface';
import { MiB, RAM, errnoOf, kvmRig, type KvmRig } from './harness';

const GiB = 1024 * MiB;

function abort(over: Partial<Stage2Abort>): Stage2Abort {
  return { ipa: RAM, va: RAM, kind: 'translation', access: 'read', level: 3, size: 4, valueLo: 0, valueHi: 0, s1ptw: false, cm: false, pc: 0, ...over };
}

function fault(r: KvmRig, over: Partial<Stage2Abort>) {
  return r.vm.handleGuestAbort(r.vmm.vcpu(0), abort(over));
}

describe('mapping sizes follow what backs guest RAM', () => {
  it.each([
    ['thp', 2 * MiB],
    ['hugetlb', GiB],
    ['pages', 4096],
  ] as const)('%s backing maps %i-byte leaves', (backing, size) => {
    const r = kvmRig({ kvmArgs: { backing }, scenario: [] });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * GiB });
    expect(fault(r, { ipa: RAM + 0x1234_5000 })).toEqual({ action: 'retry' });
    expect(r.vm.d.stage2.lookup(RAM + 0x1234_5000)!.size).toBe(size);
  });

  it.each([
    ['thp', 2 * MiB],
    ['hugetlb', GiB],
  ] as const)('%s: every memslot is huge-page aligned in the host, so the second one gets %i-byte blocks too', (backing, size) => {
    const r = kvmRig({ kvmArgs: { backing }, scenario: [] });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 64 * MiB + 4096 });
    r.vmm.setMemslot({ slot: 1, gpa: 2 * GiB, size: GiB });
    r.vmm.setMemslot({ slot: 2, gpa: 3 * GiB, size: GiB });
    for (const gpa of [2 * GiB, 3 * GiB]) {
      expect(fault(r, { ipa: gpa + 0x20_0000 })).toEqual({ action: 'retry' });
      expect(r.vm.d.stage2.lookup(gpa + 0x20_0000)!.size).toBe(size);
      expect(r.vm.d.stage2.lookup(gpa + 0x20_0000)!.pa % size).toBe(0);
    }
  });

  it('never maps blocks in a locked slot or a slot logging dirty pages', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 4 * MiB, logDirty: true });
    fault(r, { ipa: RAM + 0x2000 });
    expect(r.vm.d.stage2.lookup(RAM + 0x2000)!.size).toBe(4096);
  });
});

describe('read-only and device memory', () => {
  it('a write to a READONLY slot is MMIO; a read maps the page without W', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB, readonly: true });
    expect(fault(r, { access: 'write' })).toEqual({ action: 'mmio' });
    expect(fault(r, { access: 'read' })).toEqual({ action: 'retry' });
    expect(r.vm.d.stage2.lookup(RAM)!.perms.w).toBe(false);
  });

  it('a VM_PFNMAP slot maps Device, refuses exec, cannot be locked, and survives stage2_unmap_vm', () => {
    const r = kvmRig({ policy: 'seed' });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    r.vmm.setMemslot({ slot: 1, gpa: 0x1000_0000, size: 64 * 1024, device: true });
    expect(fault(r, { ipa: 0x1000_0000, access: 'write' })).toEqual({ action: 'retry' });
    expect(r.vm.d.stage2.lookup(0x1000_0000)).toMatchObject({ attr: 'device', size: 4096 });
    expect(fault(r, { ipa: 0x1000_1000, access: 'exec' })).toEqual({ action: 'inject' });
    expect(errnoOf(() => r.vm.lockMemslot(1, 1))).toBe('ENOMEM');
    fault(r, { ipa: RAM });
    r.vm.stage2UnmapVm();
    expect(r.vm.d.stage2.lookup(RAM)).toBeNull();
    expect(r.vm.d.stage2.lookup(0x1000_0000)).not.toBeNull(); // stage2_unmap_memslot skips VM_PFNMAP
  });
});

describe('stage-1 walks and cache maintenance by VA (kvm_is_write_fault)', () => {
  it('a walk is a write fault, never an exec one: no X, no I-cache invalidation', () => {
    const r = kvmRig({ topology: 'cortex-a72', topologyArgs: { icachePolicy: 'VIPT' } });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    expect(fault(r, { access: 'exec', s1ptw: true })).toEqual({ action: 'retry' });
    expect(r.vm.d.stage2.lookup(RAM)!.perms).toEqual({ r: true, w: true, x: false });
    expect(r.m.stats.value('kvm.cmo.ic_inval_all')).toBe(0);
  });

  it('a walk into a READONLY slot or outside memory injects a data abort', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB, readonly: true });
    expect(fault(r, { s1ptw: true })).toEqual({ action: 'inject' });
    expect(fault(r, { ipa: 0x8000_0000, s1ptw: true })).toEqual({ action: 'inject' });
  });

  it('a CMO is a read: mapped in a READONLY slot, skipped outside any slot', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB, readonly: true });
    expect(fault(r, { access: 'write', cm: true })).toEqual({ action: 'retry' });
    expect(fault(r, { ipa: 0x8000_0000, access: 'write', cm: true })).toEqual({ action: 'skip' });
  });

  it('a fault on a slot whose host memory is not mapped makes KVM_RUN fail with EFAULT', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB, userspaceAddr: 0x7e00_0000_0000 });
    r.programs.set(RAM, [{ op: 'read', addr: RAM }]);
    r.vmm.vcpuInit(0, RAM, 0, {});
    expect(errnoOf(() => r.vmm.run(0, 10))).toBe('EFAULT');
  });
});

describe('unmap-time CMOs, dirty logging, TVM, set/way with FWB', () => {
  it('stage2_unmap_vm cleans every mapped cacheable leaf at unmap time (no FWB), and nothing with FWB', () => {
    for (const [fwb, expected] of [
      [false, (2 * MiB) / 64],
      [true, 0],
    ] as const) {
      const r = kvmRig({ policy: 'upstream', topologyArgs: { fwb, idc: fwb } });
      r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
      fault(r, { ipa: RAM });
      const before = r.m.stats.value('kvm.cmo.dc_lines')!;
      r.vm.stage2UnmapVm();
      expect([fwb, r.m.stats.value('kvm.cmo.dc_lines')! - before]).toEqual([fwb, expected]);
    }
  });

  it('turning dirty logging on write-protects blocks as blocks; a write then maps a page and cleans it', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 4 * MiB });
    fault(r, { ipa: RAM, access: 'write' });
    expect(r.vm.d.stage2.lookup(RAM)).toMatchObject({ size: 2 * MiB, perms: { w: true } });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 4 * MiB, logDirty: true });
    expect(r.vm.d.stage2.lookup(RAM)).toMatchObject({ size: 2 * MiB, perms: { w: false } });
    const before = r.m.stats.value('kvm.cmo.dc_lines')!;
    expect(fault(r, { ipa: RAM + 0x3000, access: 'write', kind: 'permission', level: 2 })).toEqual({ action: 'retry' });
    expect(r.vm.d.stage2.lookup(RAM + 0x3000)).toMatchObject({ size: 4096, perms: { w: true } });
    expect(r.m.stats.value('kvm.cmo.dc_lines')! - before).toBe(4096 / 64);
  });

  it('any trapped VM-register write with the caches on stops the trapping (kvm_toggle_cache)', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    r.vmm.vcpuInit(0, RAM, 0, {});
    const v = r.vm.vcpus[0];
    (v.core as unknown as { sctlr: number }).sctlr = SCTLR_EL1_RESET | SCTLR_M | SCTLR_C | SCTLR_I;
    expect(v.hcrTvm).toBe(true);
    r.vm.vmRegWrite(v, 'TTBR0_EL1', 0, 0x4000_0000);
    expect(v.hcrTvm).toBe(false);
    expect(r.vm.stats.stage2FlushVm.value).toBe(0); // nothing was toggled
  });

  it('set/way ops are ignored with FWB', () => {
    const r = kvmRig({ topology: 'neoverse-n1' });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    r.programs.set(RAM, [{ op: 'setway' }, { op: 'psci', fn: PSCI.SYSTEM_OFF }]);
    r.vmm.vcpuInit(0, RAM, 0, {});
    r.vmm.run(0, 10);
    expect(r.vm.stats.stage2FlushVm.value).toBe(0);
    expect(r.vm.vcpus[0].hcrTvm).toBe(false);
  });
});

describe('PSCI CPU_ON (kvm_psci_vcpu_on)', () => {
  it('powers on a VCPU initialised powered off; a second CPU_ON gets ALREADY_ON', () => {
    const r = kvmRig();
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    r.programs.set(RAM, [
      { op: 'psci', fn: PSCI.CPU_ON_64, args: [1, RAM + 0x1000, 0x1234] },
      { op: 'psci', fn: PSCI.CPU_ON_64, args: [1, RAM + 0x1000, 0] },
      { op: 'psci', fn: 0x8300_0001 }, // the VMM's own range (hypercalls.ts): a hypercall exit
      { op: 'read', addr: RAM },
    ]);
    r.programs.set(RAM + 0x1000, [{ op: 'read', addr: RAM }, { op: 'psci', fn: PSCI.SYSTEM_OFF }]);
    r.vmm.vcpuInit(0, RAM, 0, {});
    r.vmm.vcpuInit(1, RAM, 0, { powerOff: true });
    expect(r.vmm.run(1, 10).last).toMatchObject({ reason: 'wfi', stopped: 'power_off' });
    const first = r.vmm.run(0, 10);
    expect(first.last).toMatchObject({ reason: 'hypercall' });
    expect(r.cores.cores[0].getX(0)).toEqual({ lo: 0xffff_fffc, hi: 0xffff_ffff }); // ALREADY_ON (-4) from the second call
    expect(r.vm.vcpus[1].poweredOff).toBe(false);
    expect(r.cores.cores[1].getX(0)).toEqual({ lo: 0x1234, hi: 0 }); // the context id
    expect(r.vmm.run(1, 10).last).toMatchObject({ reason: 'system_event', event: 'shutdown' });
    // SYSTEM_OFF stopped every VCPU (kvm_prepare_system_event), the caller's sibling too.
    expect(r.vm.vcpus[0].poweredOff).toBe(true);
    expect(r.vmm.run(0, 10)).toMatchObject({ retired: 0, last: { reason: 'wfi', stopped: 'shutdown' } });
  });
});

describe('the MMU notifier (munmap of guest memory)', () => {
  it('unmaps the range from stage 2 with its CMOs, even in a locked slot, without breaking the lock contract', () => {
    const r = kvmRig({ policy: 'seed' });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    r.vmm.lock(0, true);
    const before = r.vm.d.stage2.mappedPages;
    const dc = r.m.stats.value('kvm.cmo.dc_lines')!;
    r.vmm.munmap(RAM + 0x10_0000, 0x2000);
    expect(r.vm.d.stage2.mappedPages).toBe(before - 2);
    expect(r.m.stats.value('kvm.cmo.dc_lines')! - dc).toBe(0x2000 / 64);
    expect(r.checker.contractViolations).toBe(0);
    expect(r.m.log.some((l) => l.includes('MMU notifier unmaps') && l.includes('locked memslot 0'))).toBe(true);
    // The guest touching the page again finds nothing behind it: KVM_RUN fails with EFAULT.
    r.programs.set(RAM, [{ op: 'read', addr: RAM + 0x10_0000 }]);
    r.vmm.vcpuInit(0, RAM, 0, {});
    expect(errnoOf(() => r.vmm.run(0, 10))).toBe('EFAULT');
  });

  it('an unmap the hypervisor makes by itself of a locked page still breaks the contract', () => {
    const r = kvmRig({ policy: 'seed' });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    r.vmm.lock(0, true);
    r.vm.unmapStage2Range(RAM, 0x1000);
    expect(r.checker.contractViolations).toBe(1);
  });
});

describe('VPIPT I-cache (reference §3.5)', () => {
  it('without VHE, exec faults do nothing to the I-cache and every TLBI by IPA invalidates all of it', () => {
    const r = kvmRig({ topologyArgs: { icachePolicy: 'VPIPT' }, kvmArgs: { vhe: false } });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    fault(r, { access: 'exec' });
    expect(r.m.stats.value('kvm.cmo.ic_inval_all')).toBe(0);
    expect(r.m.stats.value('kvm.cmo.ic_inval_range')).toBe(0);
    r.vm.stage2UnmapVm(); // TLBIs for the block (and the table freed): EL2 invalidates the I-cache with each
    expect(r.m.stats.value('kvm.cmo.ic_inval_all')).toBe(r.m.stats.value('system.stage2.tlbis'));
    expect(r.m.stats.value('kvm.cmo.ic_inval_all')).toBeGreaterThan(0);
  });

  it('with VHE, exec faults invalidate by range, as on PIPT', () => {
    const r = kvmRig({ topologyArgs: { icachePolicy: 'VPIPT' }, kvmArgs: { vhe: true } });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    fault(r, { access: 'exec' });
    expect(r.m.stats.value('kvm.cmo.ic_inval_range')).toBe(1);
    r.vm.stage2UnmapVm();
    expect(r.m.stats.value('kvm.cmo.ic_inval_all')).toBe(0);
  });

  it('closes the dcache-only stale-instruction window of S2 when the reset unmaps anything (nVHE)', () => {
    const verdicts: Record<string, number> = {};
    for (const vhe of [true, false]) {
      const r = kvmRig({ policy: 'dcache-only', topologyArgs: { icachePolicy: 'VPIPT' }, kvmArgs: { vhe, host_cpu: 1 } });
      r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
      r.vmm.setMemslot({ slot: 1, gpa: RAM + 64 * MiB, size: 2 * MiB }); // an unlocked slot the guest touches
      r.vmm.lock(0, true);
      r.vmm.write(RAM, Uint8Array.of(1, 0, 0, 0x14), 'v1');
      r.programs.set(RAM, [
        { op: 'sctlr', value: SCTLR_EL1_RESET | SCTLR_I },
        { op: 'exec', addr: RAM },
        { op: 'read', addr: RAM + 64 * MiB },
        { op: 'psci', fn: PSCI.SYSTEM_RESET },
      ]);
      r.vmm.vcpuInit(0, RAM, 0, {});
      r.vmm.run(0, 100);
      r.vmm.write(RAM, Uint8Array.of(2, 0, 0, 0x14), 'v2');
      r.vmm.vcpuInit(0, RAM, 0, {}); // unmaps slot 1: TLBIs
      r.vmm.run(0, 100);
      verdicts[vhe ? 'vhe' : 'nvhe'] = r.checker.staleHypervisor;
    }
    expect(verdicts.vhe).toBeGreaterThan(0);
    expect(verdicts.nvhe).toBe(0);
  });
});
