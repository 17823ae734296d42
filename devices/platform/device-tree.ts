/**
 * The machine's device tree, built from contributions: each device that a guest must find adds
 * its own node (the PL011 its `pl011@9000000`, the KVM plugin its `psci`, a plugin's device its
 * node and interrupt), as Theia collects contributions — no central list of devices.
 */
import type { Container } from 'inversify';
import { FdtNode, cells, encodeFdt } from './fdt';
import type { VirtPlatform } from './virt-board';

/** Adds nodes to the tree of a machine. `order` sorts contributions (lower first). */
export interface DeviceTreeContribution {
  readonly order: number;
  contributeDeviceTree(tree: DeviceTreeBuilder): void;
}
export const DeviceTreeContribution = Symbol.for('kvmsim.DeviceTreeContribution');

/** QEMU's virt board numbers phandles from 0x8000; so do we, so the two trees read alike. */
const FIRST_PHANDLE = 0x8000;

/** What a contribution writes into: the root, the platform it describes, phandles. */
export class DeviceTreeBuilder {
  readonly root = new FdtNode('/');
  private readonly phandles = new Map<string, number>();

  constructor(readonly platform: VirtPlatform) {}

  /** The phandle of `key` (`gic`, `cpu0`, `apb-pclk`...), allocated on first use. */
  phandle(key: string): number {
    let p = this.phandles.get(key);
    if (p === undefined) {
      p = FIRST_PHANDLE + this.phandles.size;
      this.phandles.set(key, p);
    }
    return p;
  }

  /** A node below the root (`pl011@9000000`), created when absent, with its phandle when `key` is given. */
  node(path: string, key?: string): FdtNode {
    let n = this.root;
    for (const part of path.split('/').filter((p) => p !== '')) n = n.child(part);
    if (key !== undefined) n.set('phandle', cells(this.phandle(key)));
    return n;
  }
}

/** Builds the tree of `platform` from every contribution, lowest `order` first. */
export function buildDeviceTree(platform: VirtPlatform, contributions: readonly DeviceTreeContribution[]): DeviceTreeBuilder {
  const tree = new DeviceTreeBuilder(platform);
  for (const c of [...contributions].sort((a, b) => a.order - b.order)) c.contributeDeviceTree(tree);
  return tree;
}

/** Every contribution bound in `container`. */
export function deviceTreeContributions(container: Container): DeviceTreeContribution[] {
  return container.isBound(DeviceTreeContribution) ? container.getAll<DeviceTreeContribution>(DeviceTreeContribution) : [];
}

/**
 * The size of the blob a VMM gives the guest: QEMU passes its 1 MiB working copy (free space
 * included), and Linux reserves the blob's whole size, so the guest's memory figures match.
 */
export const GUEST_DTB_SIZE = 0x10_0000;

/** The blob of `platform`'s tree as a guest gets it: the boot CPU's ID in its header, padded to GUEST_DTB_SIZE. */
export function deviceTreeBlob(platform: VirtPlatform, contributions: readonly DeviceTreeContribution[]): Uint8Array {
  return encodeFdt(buildDeviceTree(platform, contributions).root, { bootCpuId: 0, totalSize: GUEST_DTB_SIZE });
}
