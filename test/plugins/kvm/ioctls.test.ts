import * as fs from 'fs';
import * as path from 'path';
import { KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY, Kvm, createMachine } from 'kvmsim';
import { MiB, RAM, errnoOf, kvmRig } from './harness';

describe('KVM_SET_USER_MEMORY_REGION', () => {
  const region = (over: Partial<{ slot: number; flags: number; guestPhysAddr: number; memorySize: number; userspaceAddr: number }> = {}) => ({
    slot: 0,
    flags: 0,
    guestPhysAddr: RAM,
    memorySize: 2 * MiB,
    userspaceAddr: 0x7f00_0000_0000,
    ...over,
  });

  it('creates, moves, changes flags and deletes, with the kernel errors', () => {
    const { vm, vmm } = kvmRig();
    vmm.hostMm.mmap(4 * MiB, { name: 'ram', hva: 0x7f00_0000_0000 });
    const set = (over = {}) => errnoOf(() => vm.setUserMemoryRegion(region(over)));
    expect(set({ flags: 1 << 2 })).toBe('EINVAL'); // unknown flag
    expect(set({ memorySize: 4097 })).toBe('EINVAL');
    expect(set({ guestPhysAddr: RAM + 1 })).toBe('EINVAL');
    expect(set({ userspaceAddr: 0x7f00_0000_0001 })).toBe('EINVAL');
    expect(set({ slot: 32767 })).toBe('EINVAL'); // KVM_MEM_SLOTS_NUM
    expect(set({ memorySize: 0 })).toBe('EINVAL'); // deleting a slot that does not exist
    expect(set({ guestPhysAddr: 2 ** 40 - 4096 })).toBe('EFAULT'); // beyond the 40-bit IPA space
    expect(set()).toBe('ok');
    expect(set()).toBe('ok'); // nothing changed
    expect(set({ slot: 1, guestPhysAddr: RAM + MiB, userspaceAddr: 0x7f00_0020_0000 })).toBe('EEXIST');
    expect(set({ memorySize: 4 * MiB })).toBe('EINVAL'); // size of an existing slot
    expect(set({ userspaceAddr: 0x7f00_0020_0000 })).toBe('EINVAL');
    expect(set({ flags: KVM_MEM_READONLY })).toBe('EINVAL'); // READONLY cannot toggle
    expect(set({ flags: KVM_MEM_LOG_DIRTY_PAGES })).toBe('ok'); // flags only
    expect(set({ guestPhysAddr: RAM + 64 * MiB, flags: KVM_MEM_LOG_DIRTY_PAGES })).toBe('ok'); // move
    expect(vm.memslots.get(0)!.baseGfn * 4096).toBe(RAM + 64 * MiB);
    expect(set({ memorySize: 0 })).toBe('ok');
    expect(vm.memslots.all()).toEqual([]);
  });

  it('emits memslot.set events naming the change', () => {
    const { m, vmm } = kvmRig();
    const ops: string[] = [];
    m.bus.subscribe('memslot.set', (e) => ops.push(`${e.op}@0x${e.guestPhysAddr.toString(16)}`));
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    vmm.setMemslot({ slot: 0, gpa: RAM + 4 * MiB, size: 2 * MiB });
    vmm.setMemslot({ slot: 0, gpa: RAM + 4 * MiB, size: 0 });
    expect(ops).toEqual(['create@0x40000000', 'move@0x40400000', 'delete@0x40400000']);
  });
});

describe('memslot locking (KVM_CAP_ARM_LOCK_USER_MEMORY_REGION)', () => {
  it('maps the whole slot at page granularity, R/W without X, and sets FLUSH_DCACHE', () => {
    const { vm, vmm } = kvmRig();
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 4 * MiB });
    vmm.lock(0, true);
    expect(vm.d.stage2.mappedPages).toBe(1024);
    expect(vm.d.stage2.mappedBlocks).toBe(0);
    const leaf = vm.d.stage2.lookup(RAM + 0x3000)!;
    expect(leaf.size).toBe(4096);
    expect(leaf.perms).toEqual({ r: true, w: true, x: false });
    expect(vm.mmuPendingOps).toBe(1);
    expect(vm.memslots.get(0)!.lockFlags).toBe(3);
  });

  it('fails as §4.4, §4.6, §4.7 and S11 say', () => {
    const { vm, vmm } = kvmRig({ kvmArgs: { memlock: '9MiB' } });
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 4 * MiB });
    vmm.setMemslot({ slot: 1, gpa: RAM + 64 * MiB, size: 2 * MiB, readonly: true });
    vmm.setMemslot({ slot: 2, gpa: RAM + 128 * MiB, size: 2 * MiB, logDirty: true });
    vmm.setMemslot({ slot: 3, gpa: RAM + 256 * MiB, size: 4 * MiB });
    const lock = (slot: number, flags: number, during = false) => errnoOf(() => vm.lockMemslot(slot, flags, { vcpuInIoctl: during }));
    expect(lock(0, 2)).toBe('EINVAL'); // READ is mandatory
    expect(lock(0, 1 | 4)).toBe('EINVAL'); // unknown flag
    expect(lock(32767, 1)).toBe('EINVAL');
    expect(lock(9, 1)).toBe('EINVAL'); // no such slot
    expect(lock(1, 3)).toBe('EPERM'); // WRITE on READONLY
    expect(lock(2, 3)).toBe('EPERM'); // WRITE on dirty logging
    expect(lock(2, 1)).toBe('ok'); // READ on dirty logging is fine
    expect(lock(0, 3, true)).toBe('EBUSY'); // a VCPU inside KVM_RUN
    expect(lock(0, 3)).toBe('ok');
    expect(lock(0, 3)).toBe('EBUSY'); // double lock
    expect(lock(3, 3)).toBe('ENOMEM'); // 2 + 4 + 4 MiB > RLIMIT_MEMLOCK of 9 MiB
    // Locked slots cannot be deleted, moved or have flags changed...
    expect(errnoOf(() => vmm.setMemslot({ slot: 0, gpa: RAM, size: 0 }))).toBe('EBUSY');
    expect(errnoOf(() => vmm.setMemslot({ slot: 0, gpa: RAM + 32 * MiB, size: 4 * MiB }))).toBe('EBUSY');
    expect(errnoOf(() => vmm.setMemslot({ slot: 0, gpa: RAM, size: 4 * MiB, logDirty: true }))).toBe('EBUSY'); // locked WRITE
    // ...except turning on dirty logging of a slot locked without WRITE.
    vmm.setMemslot({ slot: 1, gpa: RAM + 64 * MiB, size: 2 * MiB, readonly: true });
    expect(lock(1, 1)).toBe('ok');
    expect(errnoOf(() => vmm.setMemslot({ slot: 1, gpa: RAM + 64 * MiB, size: 2 * MiB, readonly: true, logDirty: true }))).toBe('ok');
    // Unlock, then the slot can go.
    expect(errnoOf(() => vm.unlockMemslot(0, false))).toBe('ok');
    expect(errnoOf(() => vmm.setMemslot({ slot: 0, gpa: RAM, size: 0 }))).toBe('ok');
    expect(errnoOf(() => vm.unlockMemslot(0, false))).toBe('EINVAL'); // gone
    expect(errnoOf(() => vm.unlockMemslot(0, true))).toBe('ok'); // UNLOCK_MEM_ALL
    expect(vm.lockedSlots()).toEqual([]);
  });

  it('v4 refuses locking after a VCPU ran; v5 allows it', () => {
    for (const [policy, want] of [['seed', 'EBUSY'], ['seed-v5', 'ok']] as const) {
      const { vm, vmm, programs } = kvmRig({ policy });
      programs.set(RAM, [{ op: 'exec', addr: RAM }]);
      vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
      vmm.vcpuInit(0, RAM, 0, {});
      vmm.run(0, 100);
      expect(errnoOf(() => vm.lockMemslot(0, 3))).toBe(want);
    }
  });

  it('upstream has no locking capability: the ioctl fails with EINVAL', () => {
    const { vm, vmm } = kvmRig({ policy: 'upstream' });
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    expect(errnoOf(() => vm.lockMemslot(0, 3))).toBe('EINVAL');
  });

  it('v5 rejects unlocking a slot that is not locked; v4 does not check', () => {
    for (const [policy, want] of [['seed', 'ok'], ['seed-v5', 'EINVAL']] as const) {
      const { vm, vmm } = kvmRig({ policy });
      vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
      expect(errnoOf(() => vm.unlockMemslot(0, false))).toBe(want);
    }
  });
});

describe('VCPU ioctls and state machines (§8)', () => {
  it('KVM_RUN before KVM_ARM_VCPU_INIT fails with ENOEXEC', () => {
    const { vmm } = kvmRig();
    vmm.vcpu(0);
    expect(errnoOf(() => vmm.run(0, 10))).toBe('ENOEXEC');
  });

  it('CREATED → INITIALISED → RAN; re-init of a VCPU that ran triggers the reset actions, once per VCPU', () => {
    const { m, vm, vmm, programs } = kvmRig({ policy: 'upstream' });
    programs.set(RAM, [{ op: 'read', addr: RAM }, { op: 'exec', addr: RAM + 4096 }]);
    const resets: number[] = [];
    m.bus.subscribe('vcpu.reset', (e) => resets.push(e.vcpu));
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    vmm.vcpuInit(0, RAM, 0, {});
    vmm.vcpuInit(1, RAM, 0, {});
    expect(vm.vcpus.map((v) => [v.initialised, v.hasRunOnce])).toEqual([
      [true, false],
      [true, false],
    ]);
    vmm.run(0, 100);
    expect(vm.vcpus[0].hasRunOnce).toBe(true);
    expect(vm.d.stage2.mappedPages).toBeGreaterThan(0);
    // VCPU 1 never ran: its re-init does nothing to stage 2.
    vmm.vcpuInit(1, RAM, 0, {});
    expect(resets).toEqual([]);
    expect(vm.stats.stage2UnmapVm.value).toBe(0);
    // VCPU 0 ran: re-init unmaps all of stage 2 (no FWB).
    vmm.vcpuInit(0, RAM, 0, {});
    expect(resets).toEqual([0]);
    expect(vm.stats.stage2UnmapVm.value).toBe(1);
    expect(vm.d.stage2.mappedPages).toBe(0);
    // has_run_once stays set: the next re-init acts again.
    vmm.vcpuInit(0, RAM, 0, {});
    expect(vm.stats.stage2UnmapVm.value).toBe(2);
  });

  it('sets HCR_EL2.TVM at reset without FWB and not with it', () => {
    const a = kvmRig();
    a.vmm.vcpuInit(0, RAM, 0, {});
    expect(a.vm.vcpus[0].hcrTvm).toBe(true);
    const b = kvmRig({ topology: 'neoverse-n1' });
    b.vmm.vcpuInit(0, RAM, 0, {});
    expect(b.vm.vcpus[0].hcrTvm).toBe(false);
  });

  it('pending ops: EMPTY → PENDING on lock and on reset with a locked slot → EMPTY at any KVM_RUN', () => {
    const { vm, vmm, programs } = kvmRig({ policy: 'seed' });
    programs.set(RAM, [{ op: 'read', addr: RAM }]);
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    expect(vm.mmuPendingOps).toBe(0);
    vmm.lock(0, true);
    expect(vm.mmuPendingOps).toBe(0b01); // FLUSH_DCACHE
    vmm.vcpuInit(0, RAM, 0, {});
    vmm.vcpuInit(1, RAM, 0, {});
    vmm.run(1, 100);
    expect(vm.mmuPendingOps).toBe(0);
    expect(vm.stats.pendingPerformed.value).toBe(1);
    vmm.vcpuInit(1, RAM, 0, {}); // VCPU 1 ran: reset → the seed's bits
    expect(vm.mmuPendingOps).toBe(0b11);
    expect(vm.d.stage2.mappedPages).toBe(512); // the locked slot stayed mapped
    vmm.run(0, 100); // any VCPU's KVM_RUN performs them
    expect(vm.mmuPendingOps).toBe(0);
    expect(vm.stats.pendingPerformed.value).toBe(2);
    expect(vm.stats.icInvalAll.value).toBe(1);
  });

  it('v5: unlocking with ops pending unmaps the slot and clears the bits when none stays locked', () => {
    const { vm, vmm } = kvmRig({ policy: 'seed-v5' });
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 2 * MiB });
    vmm.lock(0, true);
    expect(vm.mmuPendingOps).toBe(1);
    vmm.unlock(0, false);
    expect(vm.mmuPendingOps).toBe(0);
    expect(vm.d.stage2.mappedPages).toBe(0);
  });
});

describe('the write step', () => {
  it('loads an ELF at its segments and refuses a gpa with it', () => {
    const elf = path.join(__dirname, '..', '..', '..', 'examples', 'guest', 'hello.elf');
    const { m, vmm } = kvmRig({ scenario: [{ set_memslot: { slot: 0, gpa: RAM, size: 64 * MiB } }, { write: { elf } }] });
    m.run();
    const first = vmm.read(0x4008_0000, 4);
    expect(Array.from(first)).toEqual(Array.from(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'guest', 'hello.bin')).subarray(0, 4)));
    expect(() => kvmRig({ scenario: [{ write: { gpa: RAM, elf } }] })).toThrow("give 'gpa' for everything but 'elf'");
  });
});

describe('KVM_RUN after PSCI SYSTEM_OFF', () => {
  /** A guest that powers off, then would spin for ever if it were entered again. */
  const scenario = (again: Record<string, unknown>[]) => ({
    name: 'off-then-run',
    plugins: ['kvm-arm64'],
    scenario: [
      { set_memslot: { slot: 0, gpa: 0x4000_0000, size: '2MiB' } },
      { write: { gpa: 0x4008_0000, asm: 'movz w0, #0x0008\nmovk w0, #0x8400, lsl #16\nhvc #0\n1: b 1b' } },
      { vcpu_init: { vcpu: 0, entry: 0x4008_0000 } },
      { run: { vcpu: 0 } },
      { expect: { exit: { reason: 'system_event', event: 'shutdown' } } },
      ...again,
    ],
  });

  it('a second run without vcpu_init returns at once: the VCPU is stopped, it does not burn the budget', () => {
    // Before, the VCPU went on after its HVC and spun in `b 1b` for all 50 M instructions.
    const m = createMachine(scenario([{ run: { vcpu: 0, max_insns: 50_000_000 } }, { expect: { exit: 'wfi' } }]));
    const t0 = Date.now();
    const r = m.run();
    const ms = Date.now() - t0;
    const vmm = m.get<Kvm>(Kvm).vmm;
    const run = vmm.lastRun(0)!;
    const log = [...m.log];
    m.dispose();
    expect(r.failures).toEqual([]);
    expect(run.retired).toBe(0);
    expect(run.last).toMatchObject({ reason: 'wfi', stopped: 'shutdown' });
    expect(ms).toBeLessThan(5000);
    expect(log.join('\n')).toContain('exit wfi (VCPU stopped (by PSCI SYSTEM_OFF): KVM_RUN does not enter the guest until KVM_ARM_VCPU_INIT or a PSCI CPU_ON)');
  });

  it('an expect that wants another exit says which one it got', () => {
    const m = createMachine(scenario([{ run: { vcpu: 0, max_insns: 1000 } }, { expect: { exit: 'insn_budget' } }]));
    const r = m.run();
    m.dispose();
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toContain('vcpu0 exited with wfi (VCPU stopped (by PSCI SYSTEM_OFF)');
  });

  it('vcpu_init makes it runnable again: the guest runs from its entry point', () => {
    const m = createMachine(
      scenario([
        { vcpu_init: { vcpu: 0, entry: 0x4008_0000 } },
        { run: { vcpu: 0, max_insns: 1000 } },
        { expect: { exit: { reason: 'system_event', event: 'shutdown' } } },
      ]),
    );
    const r = m.run();
    m.dispose();
    expect(r.failures).toEqual([]);
  });
});
