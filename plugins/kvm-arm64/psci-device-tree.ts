/**
 * The `psci` node: KVM implements PSCI 1.1 in the kernel (kvm_psci_call) and a VMM describes it
 * with the conduit it uses, HVC, and the function IDs of PSCI 0.1's table (QEMU's values).
 */
import { DT_ORDER, EMPTY, cells, strings, type DeviceTreeContribution } from '../../devices/platform';

export const psciDeviceTree: DeviceTreeContribution = {
  order: DT_ORDER.psci,
  contributeDeviceTree(t) {
    t.node('psci')
      .set('migrate', cells(0xc400_0005))
      .set('cpu_on', cells(0xc400_0003))
      .set('cpu_off', cells(0x8400_0002))
      .set('cpu_suspend', cells(0xc400_0001))
      .set('method', strings('hvc'))
      .set('compatible', strings('arm,psci-1.0', 'arm,psci-0.2', 'arm,psci'));
  },
};
