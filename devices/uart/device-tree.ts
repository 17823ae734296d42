/**
 * The PL011's device-tree node, as QEMU's virt board describes its console UART.
 */
import { DT_ORDER, IRQ, LEVEL_HIGH, VIRT } from '../platform/virt-board';
import type { DeviceTreeContribution } from '../platform/device-tree';
import { cells, cells64, strings } from '../platform/fdt';

export const pl011DeviceTree: DeviceTreeContribution = {
  order: DT_ORDER.uart,
  contributeDeviceTree(t) {
    const clk = t.phandle('apb-pclk');
    t.node(`pl011@${VIRT.uart.base.toString(16)}`)
      .set('clock-names', strings('uartclk', 'apb_pclk'))
      .set('clocks', cells(clk, clk))
      .set('interrupts', cells(0, IRQ.uart, LEVEL_HIGH))
      .set('reg', cells64(VIRT.uart.base, VIRT.uart.size))
      .set('compatible', strings('arm,pl011', 'arm,primecell'));
  },
};
