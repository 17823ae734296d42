/**
 * Scenarios S1–S11 of docs/reference/kvm-arm64-cmo.md §6, run under every policy, checking the
 * verdict the spec gives: correct, stale data, stale instructions, or a broken lock contract.
 * The guest is scripted: it boots with MMU and caches off, sets SCTLR_EL1.I early (as Linux
 * does), executes from its image and reads its data, and on the first boot turns the MMU and
 * caches on and overwrites part of its image (relocation) before asking for a reset.
 */
import { PSCI, SCTLR_C, SCTLR_EL1_RESET, SCTLR_I, SCTLR_M } from '../../../devices/cpu/guest-interface';
import { MiB, RAM, kvmRig, type KvmRig, type RigOptions } from './harness';
import type { GuestOp } from './scripted-core';

const IMG = RAM;
const DATA = RAM + 0x1_0000;
const FW = RAM + 64 * MiB; // a second, never locked slot (firmware)

type Verdict = 'ok' | 'staleD' | 'staleI' | 'staleD+I' | 'violation';
const POLICIES = ['upstream', 'seed', 'seed-v5', 'dcache-only', 'eager-at-reset'] as const;
type Policy = (typeof POLICIES)[number];

function image(version: number): Uint8Array {
  const b = new Uint8Array(0x1_0040);
  const dv = new DataView(b.buffer);
  for (const off of [0x0, 0x40, 0x80]) dv.setUint32(off, 0x1400_0000 + version * 0x100 + off, true); // "B" words
  dv.setUint32(0x1_0000, 0xda7a_0000 + version, true);
  return b;
}

/** First boot: MMU off, I-cache on early, run from the image, then caches on, relocate, reset. */
const firstBoot: GuestOp[] = [
  { op: 'exec', addr: IMG },
  { op: 'sctlr', value: SCTLR_EL1_RESET | SCTLR_I },
  { op: 'exec', addr: IMG + 0x40 },
  { op: 'exec', addr: IMG + 0x80 },
  { op: 'read', addr: DATA },
  { op: 'sctlr', value: SCTLR_EL1_RESET | SCTLR_I | SCTLR_M | SCTLR_C },
  { op: 'read', addr: DATA },
  { op: 'write', addr: IMG + 0x40, value: 0xdead_beef },
  { op: 'psci', fn: PSCI.SYSTEM_RESET },
];

/** Second boot: the same early path, on the image the VMM copied again. */
const secondBoot = (extra: GuestOp[] = []): GuestOp[] => [
  ...extra,
  { op: 'exec', addr: IMG },
  { op: 'sctlr', value: SCTLR_EL1_RESET | SCTLR_I },
  { op: 'exec', addr: IMG + 0x40 },
  { op: 'exec', addr: IMG + 0x80 },
  { op: 'read', addr: DATA },
  { op: 'psci', fn: PSCI.SYSTEM_OFF },
];

function verdict(r: KvmRig): Verdict {
  if (r.checker.contractViolations > 0) return 'violation';
  const hyp = r.checker.observations.filter((o) => o.blame === 'hypervisor');
  const d = hyp.some((o) => o.access === 'read');
  const i = hyp.some((o) => o.access === 'exec');
  return d && i ? 'staleD+I' : d ? 'staleD' : i ? 'staleI' : 'ok';
}

interface Script {
  rig?: RigOptions;
  /** What happens between the first boot's exit and the second boot's KVM_RUN. */
  reboot?: 'write-then-init' | 'init-then-write';
  /** Lock/unlock before the first run. */
  lockThenUnlock?: boolean;
  /** The second boot first executes from an unlocked firmware slot. */
  firmwareFirst?: boolean;
  vcpus?: number;
}

function run(policy: Policy, s: Script): KvmRig {
  const r = kvmRig({ ...s.rig, policy, kvmArgs: { host_cpu: 1, ...s.rig?.kvmArgs } });
  const { vmm, programs } = r;
  vmm.setMemslot({ slot: 0, gpa: RAM, size: 8 * MiB });
  if (s.firmwareFirst) {
    vmm.setMemslot({ slot: 1, gpa: FW, size: 2 * MiB });
    vmm.write(FW, Uint8Array.of(0x1f, 0x20, 0x03, 0xd5), 'firmware');
  }
  // Common prefix: lock slot 0 READ|WRITE (where the policy can), write the image, init, run.
  const canLock = vmm.vm.d.policy.supportsLocking;
  if (canLock) vmm.lock(0, true);
  if (s.lockThenUnlock && canLock) vmm.unlock(0, false);
  vmm.write(IMG, image(1), 'image v1');
  const n = s.vcpus ?? 1;
  programs.set(IMG, firstBoot);
  for (let v = 0; v < n; v++) vmm.vcpuInit(v, IMG, 0, {});
  for (let v = 0; v < n; v++) vmm.run(v, 1000);
  if (s.reboot === undefined) return r;
  programs.set(IMG, secondBoot(s.firmwareFirst ? [{ op: 'exec', addr: FW }] : []));
  if (s.reboot === 'write-then-init') vmm.write(IMG, image(2), 'image v2');
  for (let v = 0; v < n; v++) vmm.vcpuInit(v, IMG, 0, {});
  if (s.reboot === 'init-then-write') vmm.write(IMG, image(2), 'image v2');
  vmm.run(0, 1000);
  return r;
}

const ALL_OK: Record<Policy, Verdict> = { upstream: 'ok', seed: 'ok', 'seed-v5': 'ok', 'dcache-only': 'ok', 'eager-at-reset': 'ok' };

const TABLE: [string, Script, Record<Policy, Verdict>][] = [
  ['S1 first boot (cortex-a72)', {}, ALL_OK],
  ['S2 VMM rewrites the image before re-init', { reboot: 'write-then-init' }, { ...ALL_OK, 'dcache-only': 'staleI' }],
  ['S3 VMM rewrites the image after re-init, before KVM_RUN', { reboot: 'init-then-write' }, { ...ALL_OK, 'dcache-only': 'staleI', 'eager-at-reset': 'staleD+I' }],
  ['S4 FWB host, rewrite before re-init', { rig: { topologyArgs: { fwb: true, idc: true } }, reboot: 'write-then-init' }, ALL_OK],
  ['S4 FWB host, rewrite after re-init', { rig: { topologyArgs: { fwb: true, idc: true } }, reboot: 'init-then-write' }, ALL_OK],
  ['S5 DIC host, rewrite before re-init', { rig: { topologyArgs: { dic: true, idc: true } }, reboot: 'write-then-init' }, ALL_OK],
  ['S5 DIC host, rewrite after re-init', { rig: { topologyArgs: { dic: true, idc: true } }, reboot: 'init-then-write' }, { ...ALL_OK, 'eager-at-reset': 'staleD+I' }],
  ['S6 VIPT I-cache: any exec mapping invalidates it all', { rig: { topologyArgs: { icachePolicy: 'VIPT' } }, reboot: 'write-then-init', firmwareFirst: true }, ALL_OK],
  ['S6 PIPT, same guest: the window stays open', { reboot: 'write-then-init', firmwareFirst: true }, { ...ALL_OK, 'dcache-only': 'staleI' }],
  ['S7 two VCPUs reset', { vcpus: 2, reboot: 'write-then-init' }, { ...ALL_OK, 'dcache-only': 'staleI' }],
  // Stale D, and (the same old DRAM, fetched non-cacheably with SCTLR_EL1.I=0) stale code.
  // The spec's S8 assumes page mappings. With THP backing, the guest's first exec fault on the
  // unlocked (still mapped, non-executable) slot maps a 2 MiB block in its place, and the map
  // path's dcache_clean_inval_poc over the block happens to clean the VMM's data: see below.
  ['S8 lock then unlock before the first run (no THP)', { lockThenUnlock: true, rig: { kvmArgs: { backing: 'pages' } } }, { upstream: 'ok', seed: 'staleD+I', 'seed-v5': 'ok', 'dcache-only': 'staleD+I', 'eager-at-reset': 'staleD+I' }],
  ['S8 with THP: the first exec fault maps a block and cleans it', { lockThenUnlock: true }, ALL_OK],
];

describe('scenarios of §6 under every policy (verdicts as the spec gives them)', () => {
  for (const [name, script, expected] of TABLE) {
    it(name, () => {
      const got: Record<string, Verdict> = {};
      for (const p of POLICIES) {
        const r = run(p, script);
        got[p] = verdict(r);
        r.m.dispose();
      }
      expect(got).toEqual(expected);
    });
  }

  it('S7: upstream walks stage 2 once per VCPU that ran; the seed performs the pending ops once', () => {
    const up = run('upstream', { vcpus: 2, reboot: 'write-then-init' });
    expect(up.vm.stats.stage2UnmapVm.value).toBe(2);
    const seed = run('seed', { vcpus: 2, reboot: 'write-then-init' });
    // Once for the lock's FLUSH_DCACHE at the first run, once after the resets.
    expect(seed.vm.stats.pendingPerformed.value).toBe(2);
    expect(seed.vm.stats.icInvalAll.value).toBe(1);
  });

  it('S9: a guest that wrote with its MMU off sees its own writes after turning caches on', () => {
    for (const p of POLICIES) {
      const r = kvmRig({ policy: p, kvmArgs: { host_cpu: 1 } });
      r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 8 * MiB });
      if (r.vm.d.policy.supportsLocking) r.vmm.lock(0, true);
      r.vmm.write(IMG, image(1), 'image v1');
      r.programs.set(IMG, [
        { op: 'read', addr: DATA },
        { op: 'write', addr: DATA, value: 0x1234_5678 }, // MMU off: non-cacheable
        { op: 'sctlr', value: SCTLR_EL1_RESET | SCTLR_I | SCTLR_M | SCTLR_C }, // toggle: stage2_flush_vm
        { op: 'read', addr: DATA },
        { op: 'psci', fn: PSCI.SYSTEM_OFF },
      ]);
      r.vmm.vcpuInit(0, IMG, 0, {});
      r.vmm.run(0, 100);
      expect([p, verdict(r), r.checker.staleGuest]).toEqual([p, 'ok', 0]);
      expect(r.vm.stats.stage2FlushVm.value).toBe(1);
      expect(r.cores.cores[0].seen.map((o) => o.value >>> 0)).toEqual([0xda7a_0001, 0x1234_5678]);
      expect(r.vm.vcpus[0].hcrTvm).toBe(false); // caches on: trapping stops
    }
  });

  it("S3 under eager-at-reset: the VMM's stale line, flushed when the guest turns caches on, overwrites what the guest wrote — the hypervisor's fault", () => {
    const blames: Record<string, string[]> = {};
    for (const p of ['seed', 'eager-at-reset'] as const) {
      const r = kvmRig({ policy: p, kvmArgs: { host_cpu: 1 } });
      r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 8 * MiB });
      r.vmm.lock(0, true);
      r.programs.set(IMG, [{ op: 'read', addr: DATA }, { op: 'psci', fn: PSCI.SYSTEM_RESET }]);
      r.vmm.vcpuInit(0, IMG, 0, {});
      r.vmm.run(0, 100);
      r.programs.set(IMG, [
        { op: 'write', addr: DATA, value: 0x5555_5555 }, // MMU off: to memory, past the VMM's dirty line
        { op: 'sctlr', value: SCTLR_EL1_RESET | SCTLR_I | SCTLR_M | SCTLR_C }, // stage2_flush_vm writes that line back
        { op: 'read', addr: DATA },
        { op: 'psci', fn: PSCI.SYSTEM_OFF },
      ]);
      r.vmm.vcpuInit(0, IMG, 0, {});
      r.vmm.write(DATA, Uint8Array.of(2, 0, 0, 0), 'after init'); // S3: the VMM writes after re-init
      r.vmm.run(0, 100);
      blames[p] = r.checker.observations.map((o) => `${o.got}:${o.blame}`);
    }
    expect(blames.seed).toEqual([]);
    expect(blames['eager-at-reset']).toEqual(['0x00000002:hypervisor']);
  });

  it('S10: the first trapped set/way op flushes the VM and arms TVM; later ones do nothing more', () => {
    const r = kvmRig({ policy: 'seed' });
    r.vmm.setMemslot({ slot: 0, gpa: RAM, size: 8 * MiB });
    r.programs.set(IMG, [{ op: 'setway' }, { op: 'setway' }, { op: 'psci', fn: PSCI.SYSTEM_OFF }]);
    r.vmm.vcpuInit(0, IMG, 0, {});
    r.vm.vcpus[0].hcrTvm = false; // as after the guest turned its caches on
    r.vmm.run(0, 100);
    expect(r.vm.stats.stage2FlushVm.value).toBe(1);
    expect(r.vm.vcpus[0].hcrTvm).toBe(true);
  });

  it('no policy ever unmaps a locked page (the lock contract)', () => {
    for (const p of POLICIES) {
      const r = run(p, { vcpus: 2, reboot: 'write-then-init' });
      expect([p, r.checker.contractViolations]).toEqual([p, 0]);
    }
  });
});
