/**
 * `kvmsim dtb`: writes the device tree of the virt machine that `kvmsim boot` builds with the
 * same options, as a blob (`qemu-system-aarch64 -dtb FILE` takes it) or as source text.
 */
import type { Command } from 'commander';
import { CliCommand, InputError, parseSize, writeFileAtomic, type CliContext } from '../../core';
import { buildDeviceTree, deviceTreeContributions } from './device-tree';
import { encodeFdt, formatDts } from './fdt';
import { checkVirtPlatform, type CpuModel, type VirtPlatform } from './virt-board';

export interface PlatformOptions {
  smp?: string;
  ram?: string;
  gicVersion?: string;
  cpu?: string;
  append?: string;
}

/** Defaults as QEMU 7.2's `-M virt`: one CPU, 128 MiB, GICv2, here a Cortex-A72. */
export function platformFromOptions(o: PlatformOptions): VirtPlatform {
  const cpus = o.smp === undefined ? 1 : Number(o.smp);
  if (o.smp !== undefined && !/^[0-9]+$/.test(o.smp)) throw new InputError(`--smp '${o.smp}': expected a number of CPUs`);
  const ramSize = o.ram === undefined ? 128 * 1024 * 1024 : parseSize(o.ram);
  if (ramSize === undefined) throw new InputError(`-m '${o.ram}': expected a size such as 256MiB`);
  const gic = o.gicVersion === undefined ? 2 : Number(o.gicVersion);
  if (gic !== 2 && gic !== 3) throw new InputError(`--gic-version '${o.gicVersion}': expected 2 or 3`);
  return checkVirtPlatform({ cpus, ramSize, gicVersion: gic, cpu: (o.cpu ?? 'cortex-a72') as CpuModel, bootargs: o.append });
}

interface DtbOptions extends PlatformOptions {
  output: string;
}

class DtbCommand implements CliCommand {
  readonly order = 14;
  register(program: Command, ctx: CliContext): void {
    program
      .command('dtb')
      .description("write the device tree of the virt machine `kvmsim boot` builds (a blob, or source text for a .dts file)")
      .requiredOption('-o, --output <file>', 'where to write it: source text when FILE ends in .dts, else the blob')
      .option('--smp <n>', 'number of CPUs (default 1)')
      .option('-m, --ram <size>', 'RAM size (default 128MiB)')
      .option('--gic-version <2|3>', 'interrupt controller (default 2, as QEMU 7.2)')
      .option('--cpu <model>', 'cortex-a72 or neoverse-n1 (default cortex-a72)')
      .option('--append <args>', 'kernel command line (/chosen/bootargs)')
      .addHelpText(
        'after',
        '\nThe tree lists what kvmsim models, at the addresses of QEMU\'s virt board: memory, CPUs,\n' +
          'PSCI, the generic timer, the GIC, the PL011 and every node a plugin adds. Give it to QEMU\n' +
          'to compare the two machines on the same description.\n' +
          'Examples:\n' +
          '  kvmsim dtb -o virt.dtb --smp 2 -m 256MiB\n' +
          '  kvmsim dtb -o virt.dts --gic-version 3 --append console=ttyAMA0\n',
      )
      .action((opts: DtbOptions) => {
        const platform = platformFromOptions(opts);
        const tree = buildDeviceTree(platform, deviceTreeContributions(ctx.catalogue()));
        const out = opts.output.endsWith('.dts') ? formatDts(tree.root) : encodeFdt(tree.root, { bootCpuId: 0 });
        writeFileAtomic(opts.output, out, 'device tree');
      });
  }
}

export const dtbCommand: CliCommand = new DtbCommand();
