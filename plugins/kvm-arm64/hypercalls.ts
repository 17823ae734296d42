/**
 * KVM's HVC handler (arch/arm64/kvm/hypercalls.c, kvm_smccc_call_handler): the SMC Calling
 * Convention services KVM answers itself — PSCI (psci.ts), SMCCC_VERSION and ARCH_FEATURES, the
 * KVM vendor hypervisor service's UID and features — and SMCCC_RET_NOT_SUPPORTED for any other
 * function ID. One range goes to the VMM instead (KVM_EXIT_HYPERCALL, as KVM's SMCCC filter
 * forwards what userspace asks it to): the OEM service calls, owner 3 (0x83000000-0x8300ffff and
 * 0xc3000000-0xc300ffff), which kvmsim's VMM claims for scenarios' own hooks.
 */
import type { CoreExit } from '../../devices/cpu/guest-interface';
import { isPsciFunction, kvmPsciCall, SMCCC_VERSION_FN, type PsciOutcome } from './psci';
import type { KvmVcpu } from './vcpu';

const SMCCC_ARCH_FEATURES_FN = 0x8000_0001;
const SMCCC_VERSION_1_1 = 0x0001_0001;
const SMCCC_RET_NOT_SUPPORTED = -1;
const VENDOR_HYP_CALL_UID_FN = 0x8600_ff01;
const VENDOR_HYP_KVM_FEATURES_FN = 0x8600_0000;
/** ARM_SMCCC_VENDOR_HYP_UID_KVM: the UUID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, as four words. */
const KVM_UID = [0xb66f_b428, 0xe911_c52e, 0x564b_caa9, 0x743a_004d];
/** The KVM vendor services: FEATURES (bit 0) and PTP (bit 1). */
const KVM_FEATURES = 0b11;

/** True for an ID of the range kvmsim's VMM claims (OEM service calls, SMC32/SMC64). */
export function isVmmHypercall(fn: number): boolean {
  return ((fn >>> 24) & 0xbf) === 0x83;
}

/** What KVM does with an HVC exit of `vcpu`: answered in the guest's registers, or an exit to the VMM. */
export function kvmHvcCallHandler(vcpu: KvmVcpu, e: Extract<CoreExit, { reason: 'hypercall' }>): PsciOutcome {
  const fn = e.x0 % 0x1_0000_0000;
  if (isPsciFunction(fn)) return kvmPsciCall(vcpu, fn, e.pc);
  if (isVmmHypercall(fn)) return { kind: 'exit', exit: e };
  const core = vcpu.core;
  const set = (values: readonly number[]): PsciOutcome => {
    values.forEach((v, i) => core.setX(i, v >>> 0, v < 0 ? 0xffff_ffff : 0));
    return { kind: 'answered' };
  };
  switch (fn) {
    case SMCCC_VERSION_FN:
      return set([SMCCC_VERSION_1_1]);
    case SMCCC_ARCH_FEATURES_FN:
      // The Spectre workarounds' discovery: no firmware mitigation is modelled.
      return set([SMCCC_RET_NOT_SUPPORTED]);
    case VENDOR_HYP_CALL_UID_FN:
      return set(KVM_UID);
    case VENDOR_HYP_KVM_FEATURES_FN:
      return set([KVM_FEATURES, 0, 0, 0]);
    default:
      return set([SMCCC_RET_NOT_SUPPORTED]);
  }
}
