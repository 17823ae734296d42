/**
 * PSCI 1.1 as KVM implements it in the kernel (arch/arm64/kvm/psci.c: kvm_psci_call,
 * kvm_psci_0_2_call, kvm_psci_1_x_call): the calls a guest makes through HVC #0 with the
 * function ID in x0, answered in x0 without leaving KVM_RUN, except SYSTEM_OFF, SYSTEM_RESET and
 * SYSTEM_RESET2, which exit to the VMM (KVM_EXIT_SYSTEM_EVENT) after every VCPU is stopped.
 */
import { mpidrEl1 } from '../../devices/cpu/id-registers';
import type { CoreExit } from '../../devices/cpu/guest-interface';
import type { KvmVcpu } from './vcpu';

export const PSCI_FN = {
  VERSION: 0x8400_0000,
  CPU_SUSPEND: 0x8400_0001,
  CPU_OFF: 0x8400_0002,
  CPU_ON: 0x8400_0003,
  AFFINITY_INFO: 0x8400_0004,
  MIGRATE: 0x8400_0005,
  MIGRATE_INFO_TYPE: 0x8400_0006,
  MIGRATE_INFO_UP_CPU: 0x8400_0007,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
  FEATURES: 0x8400_000a,
  SYSTEM_SUSPEND: 0x8400_000e,
  SYSTEM_RESET2: 0x8400_0012,
} as const;
/** The SMC64/HVC64 form of a function: bit 30 set. */
const FN64 = 0x4000_0000;
/** SMCCC_VERSION, which PSCI_FEATURES reports as present (KVM answers it: hypercalls.ts). */
export const SMCCC_VERSION_FN = 0x8000_0000;

export const PSCI_RET = { SUCCESS: 0, NOT_SUPPORTED: -1, INVALID_PARAMETERS: -2, DENIED: -3, ALREADY_ON: -4, ON_PENDING: -5 } as const;
/** KVM_ARM_PSCI_1_1. */
const PSCI_VERSION_1_1 = 0x0001_0001;
/** MIGRATE_INFO_TYPE: no Trusted OS that needs migrating. */
const PSCI_TOS_NOT_PRESENT_MP = 2;
/** MPIDR_HWID_BITMASK: the affinity fields Aff3 and Aff2-0. */
const MPIDR_AFF_MASK = 0xff_00ff_ffffn;

/** True for a function ID in PSCI's ranges (0x84000000-1f, 0xc4000000-1f). */
export function isPsciFunction(fn: number): boolean {
  return (fn & ~FN64 & 0xffff_ffe0) >>> 0 === 0x8400_0000;
}

/** What a PSCI call did: answered (x0 already written), or an exit to the VMM. */
export type PsciOutcome = { kind: 'answered' } | { kind: 'exit'; exit: CoreExit };

/** kvm_psci_call for PSCI 1.1: the call in the VCPU's x0-x3. */
export function kvmPsciCall(vcpu: KvmVcpu, fn: number, pc: number): PsciOutcome {
  const core = vcpu.core;
  const is64 = (fn & FN64) !== 0;
  const arg = (n: number): bigint => {
    const r = core.getX(n);
    return is64 ? (BigInt(r.hi) << 32n) | BigInt(r.lo) : BigInt(r.lo);
  };
  const answer = (v: number): PsciOutcome => {
    core.setX(0, v >>> 0, v < 0 ? 0xffff_ffff : 0);
    return { kind: 'answered' };
  };
  const base = (fn & ~FN64) >>> 0;
  switch (base) {
    case PSCI_FN.VERSION:
      return answer(PSCI_VERSION_1_1);
    case PSCI_FN.CPU_SUSPEND:
      // kvm_psci_vcpu_suspend: a WFI that returns at once when nothing is pending.
      return answer(PSCI_RET.SUCCESS);
    case PSCI_FN.CPU_OFF:
      vcpu.poweredOff = true;
      vcpu.stoppedBy = 'power_off';
      return answer(PSCI_RET.SUCCESS); // never seen: the VCPU does not run again until CPU_ON
    case PSCI_FN.CPU_ON:
      return answer(cpuOn(vcpu, arg(1), arg(2), arg(3)));
    case PSCI_FN.AFFINITY_INFO:
      return answer(affinityInfo(vcpu, arg(1), arg(2)));
    case PSCI_FN.MIGRATE_INFO_TYPE:
      return answer(PSCI_TOS_NOT_PRESENT_MP);
    case PSCI_FN.SYSTEM_OFF:
      return { kind: 'exit', exit: { reason: 'system_event', pc, event: 'shutdown' } };
    case PSCI_FN.SYSTEM_RESET:
      return { kind: 'exit', exit: { reason: 'system_event', pc, event: 'reset' } };
    case PSCI_FN.SYSTEM_RESET2: {
      // A warm reset (type 0) or a vendor reset (bit 31); architectural types above 0 are invalid.
      const type = Number(arg(1) & 0xffff_ffffn);
      if (type === 0 || type >= 0x8000_0000) return { kind: 'exit', exit: { reason: 'system_event', pc, event: 'reset' } };
      return answer(PSCI_RET.INVALID_PARAMETERS);
    }
    case PSCI_FN.FEATURES:
      return answer(psciFeatures(Number(arg(1) & 0xffff_ffffn)));
    default:
      // MIGRATE, MIGRATE_INFO_UP_CPU, SYSTEM_SUSPEND (userspace did not enable it, as QEMU does
      // not), and every unallocated ID.
      return answer(PSCI_RET.NOT_SUPPORTED);
  }
}

/** PSCI_FEATURES: 0 for the functions KVM implements, NOT_SUPPORTED for the rest. */
function psciFeatures(fn: number): number {
  const base = (fn & ~FN64) >>> 0;
  const both = [PSCI_FN.CPU_SUSPEND, PSCI_FN.CPU_ON, PSCI_FN.AFFINITY_INFO, PSCI_FN.SYSTEM_RESET2] as number[];
  const only32 = [PSCI_FN.VERSION, PSCI_FN.CPU_OFF, PSCI_FN.MIGRATE_INFO_TYPE, PSCI_FN.SYSTEM_OFF, PSCI_FN.SYSTEM_RESET, PSCI_FN.FEATURES, SMCCC_VERSION_FN] as number[];
  if (both.includes(base) || (fn >>> 0 === base && only32.includes(base))) return PSCI_RET.SUCCESS;
  return PSCI_RET.NOT_SUPPORTED;
}

/** kvm_psci_vcpu_on: the VCPU whose MPIDR is `target` starts at `entry` with `context` in x0. */
function cpuOn(caller: KvmVcpu, target: bigint, entry: bigint, context: bigint): number {
  const v = caller.vm.vcpus.find((t) => (BigInt(mpidrEl1(t.index)) & MPIDR_AFF_MASK) === (target & MPIDR_AFF_MASK));
  if (v === undefined || !v.initialised) return PSCI_RET.INVALID_PARAMETERS;
  if (!v.poweredOff) return PSCI_RET.ALREADY_ON;
  // kvm_reset_vcpu with the entry point and context ID the caller gave.
  v.core.reset(Number(entry), Number(context));
  v.poweredOff = false;
  v.stoppedBy = null;
  return PSCI_RET.SUCCESS;
}

/** AFFINITY_INFO: ON (0) if any VCPU of the affinity is running, OFF (1) if all are stopped. */
function affinityInfo(caller: KvmVcpu, target: bigint, lowestLevel: bigint): number {
  if (lowestLevel > 3n) return PSCI_RET.INVALID_PARAMETERS;
  // Aff0 (bits 7:0), Aff1 (15:8), Aff2 (23:16), Aff3 (39:32): the levels below `lowestLevel` are ignored.
  const shifts = [0n, 8n, 16n, 32n];
  let mask = MPIDR_AFF_MASK;
  for (let l = 0n; l < lowestLevel; l++) mask &= ~(0xffn << shifts[Number(l)]);
  let matching = 0;
  for (const v of caller.vm.vcpus) {
    if ((BigInt(mpidrEl1(v.index)) & mask) !== (target & mask)) continue;
    matching++;
    if (!v.poweredOff) return 0;
  }
  return matching === 0 ? PSCI_RET.INVALID_PARAMETERS : 1;
}
