/**
 * The virt machine's device tree against two references nobody here wrote: `dtc` (our blob
 * decompiles to exactly the source text we print, with no warning) and QEMU 7.2's own tree for
 * the same options (`-M virt,dumpdtb=FILE`): every node kvmsim emits is in QEMU's tree with the
 * same properties, and QEMU's other nodes are the devices kvmsim does not model.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Container } from 'inversify';
import { FdtNode, kvmModule, uartModule, buildDeviceTree, cells, decodeFdt, defaultModules, deviceTreeContributions, encodeFdt, formatDts, main, platformFromOptions, strings, type DeviceTreeContribution, type PlatformOptions } from '../../../index';

const has = (cmd: string, arg = '--version'): boolean => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const hasDtc = has('dtc');
const hasQemu = has('qemu-system-aarch64');

function contributions(): DeviceTreeContribution[] {
  const c = new Container({ defaultScope: 'Singleton' });
  for (const m of defaultModules()) c.load(m);
  return deviceTreeContributions(c);
}

function tree(o: PlatformOptions): FdtNode {
  return buildDeviceTree(platformFromOptions(o), contributions()).root;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-dt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CASES: PlatformOptions[] = [
  {},
  { smp: '2', ram: '256MiB' },
  { smp: '4', gicVersion: '3', ram: '1GiB' },
  { cpu: 'neoverse-n1', append: 'console=ttyAMA0 earlycon' },
];

/** Every node's path, with its properties. */
function flatten(n: FdtNode, prefix = ''): Map<string, ReadonlyMap<string, Uint8Array>> {
  const out = new Map<string, ReadonlyMap<string, Uint8Array>>();
  const p = prefix === '' ? '/' : prefix;
  out.set(p, n.properties);
  for (const k of n.children) for (const [kp, v] of flatten(k, `${prefix}/${k.name}`)) out.set(kp, v);
  return out;
}

const hexOf = (v: Uint8Array): string => Buffer.from(v).toString('hex');

/** QEMU's virt nodes that describe devices kvmsim does not model. */
const NOT_MODELLED = /^\/(platform-bus@|fw-cfg@|virtio_mmio@|gpio-keys|pl061@|pcie@|pl031@|pmu$|flash@|intc@8000000\/(v2m|its)@)/;
/** QEMU's random seeds for the kernel's entropy pool and KASLR: kvmsim's tree is deterministic. */
const QEMU_ONLY_PROPS = new Set(['/chosen rng-seed', '/chosen kaslr-seed']);

describe('the virt device tree', () => {
  it('round-trips through its own decoder', () => {
    const root = tree({ smp: '2' });
    expect(formatDts(decodeFdt(encodeFdt(root)))).toBe(formatDts(root));
  });

  it('refuses what is not a blob, naming why', () => {
    expect(() => decodeFdt(new Uint8Array(64))).toThrow(/not a device tree blob: no FDT magic/);
    const blob = encodeFdt(tree({}));
    expect(() => decodeFdt(blob.subarray(0, blob.length - 200))).toThrow(/not a device tree blob/);
  });

  it('refuses a machine QEMU would refuse, naming the option', () => {
    expect(() => platformFromOptions({ smp: '9' })).toThrow(/--smp 9: a GICv2 virt machine has at most 8 CPUs \(use --gic-version 3 for more\)/);
    expect(() => platformFromOptions({ smp: 'two' })).toThrow(/--smp 'two'/);
    expect(() => platformFromOptions({ gicVersion: '4' })).toThrow(/--gic-version '4': expected 2 or 3/);
    expect(() => platformFromOptions({ cpu: 'cortex-a53' })).toThrow(/--cpu cortex-a53: expected one of cortex-a72, neoverse-n1/);
    expect(() => platformFromOptions({ ram: 'lots' })).toThrow(/-m 'lots'/);
  });

  it('takes nodes from any contribution, in order, with phandles on request', () => {
    const extra: DeviceTreeContribution = {
      order: 35,
      contributeDeviceTree(t) {
        t.node('dma@a100000', 'dma').set('interrupts', cells(0, 40, 4)).set('compatible', strings('kvmsim,dma-engine'));
      },
    };
    const root = buildDeviceTree(platformFromOptions({}), [...contributions(), extra]).root;
    const names = root.children.map((k) => k.name);
    expect(names.indexOf('dma@a100000')).toBe(names.indexOf('pl011@9000000') + 1);
    expect(hexOf(root.find('dma@a100000')!.properties.get('phandle')!)).toBe('00008003'); // after the clock, the CPU and the GIC
  });

  (hasDtc ? it : it.skip)('decompiles with dtc to exactly the source kvmsim prints, with no warning', () => {
    for (const c of CASES) {
      const root = tree(c);
      const file = path.join(tmp, 'case.dtb');
      fs.writeFileSync(file, encodeFdt(root, { bootCpuId: 0 }));
      const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' });
      expect({ case: c, status: r.status, warnings: r.stderr }).toEqual({ case: c, status: 0, warnings: '' });
      expect(r.stdout).toBe(formatDts(root));
    }
  });

  (hasQemu ? it : it.skip)("equals QEMU 7.2's own tree on every node kvmsim models", () => {
    for (const c of CASES) {
      const p = platformFromOptions(c);
      const file = path.join(tmp, 'qemu.dtb');
      const args = ['-M', `virt,gic-version=${p.gicVersion},dumpdtb=${file}`, '-cpu', p.cpu, '-smp', String(p.cpus), '-m', `${p.ramSize / 2 ** 20}M`, '-nographic', '-nodefaults'];
      // QEMU writes /chosen/bootargs only when it loads a kernel: any file will do for -kernel.
      if (p.bootargs !== undefined) args.push('-kernel', file.replace(/qemu\.dtb$/, 'case.dtb'), '-append', p.bootargs);
      fs.writeFileSync(file.replace(/qemu\.dtb$/, 'case.dtb'), encodeFdt(tree(c)));
      const q = spawnSync('qemu-system-aarch64', args, { encoding: 'utf8' });
      expect({ case: c, status: q.status }).toEqual({ case: c, status: 0 });
      const qemu = flatten(decodeFdt(fs.readFileSync(file)));
      const ours = flatten(tree(c));
      const differences: string[] = [];
      for (const [node, props] of ours) {
        const theirs = qemu.get(node);
        if (theirs === undefined) {
          differences.push(`${node}: not in QEMU's tree`);
          continue;
        }
        for (const [name, v] of props) if (hexOf(theirs.get(name) ?? new Uint8Array([0xff])) !== hexOf(v)) differences.push(`${node} ${name}: qemu ${hexOf(theirs.get(name) ?? new Uint8Array())}, kvmsim ${hexOf(v)}`);
        for (const name of theirs.keys()) if (!props.has(name) && !QEMU_ONLY_PROPS.has(`${node} ${name}`)) differences.push(`${node} ${name}: only in QEMU's tree`);
      }
      for (const node of qemu.keys()) if (!ours.has(node) && !NOT_MODELLED.test(node)) differences.push(`${node}: only in QEMU's tree`);
      expect({ case: c, differences }).toEqual({ case: c, differences: [] });
    }
  });

  it('kvmsim dtb writes the blob, or source for a .dts name; bad options exit 2 and write nothing', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), isTty: false };
    const dtb = path.join(tmp, 'out', 'virt.dtb');
    expect(await main(['dtb', '-o', dtb, '--smp', '2'], io)).toBe(0);
    expect(formatDts(decodeFdt(fs.readFileSync(dtb)))).toBe(formatDts(tree({ smp: '2' })));
    const dts = path.join(tmp, 'virt.dts');
    expect(await main(['dtb', '-o', dts, '--gic-version', '3'], io)).toBe(0);
    expect(fs.readFileSync(dts, 'utf8')).toBe(formatDts(tree({ gicVersion: '3' })));
    const bad = path.join(tmp, 'bad.dtb');
    out.length = 0;
    expect(await main(['dtb', '-o', bad, '--smp', '0'], io)).toBe(2);
    expect(out.join('')).toMatch(/--smp 0: expected a number of CPUs, 1 or more/);
    expect(fs.existsSync(bad)).toBe(false);
  });

  it('is a contribution of the PL011 and of the KVM plugin, not a central list', () => {
    const root = tree({});
    expect(root.find('psci')?.properties.get('method')).toEqual(strings('hvc'));
    expect(root.find('pl011@9000000')).toBeDefined();
    // Without the UART's module its node is gone, and without the KVM plugin's, PSCI's.
    const c = new Container({ defaultScope: 'Singleton' });
    for (const m of defaultModules()) if (m !== uartModule && m !== kvmModule) c.load(m);
    const bare = buildDeviceTree(platformFromOptions({}), deviceTreeContributions(c)).root;
    expect(bare.find('pl011@9000000')).toBeUndefined();
    expect(bare.find('psci')).toBeUndefined();
    expect(bare.find('cpus/cpu@0')).toBeDefined();
  });
});
