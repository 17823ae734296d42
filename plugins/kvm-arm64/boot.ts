import * as fs from 'fs';
import type { Command } from 'commander';
import { ContainerModule } from 'inversify';
import { CliCommand, InputError, buildMachine, formatSize, parseSize, type CliContext } from '../../core';
import { Uart } from '../../devices/uart/pl011';
import { loadGuestImage } from './elf';
import { Kvm } from './kvm';
import { describeExit } from './vcpu';

/** The `virt` machine's RAM, as QEMU's `-M virt` places it. */
export const VIRT_RAM_BASE = 0x4000_0000;

export interface BootOptions {
  topology?: string;
  policy?: string;
  maxInsns?: string;
  ram?: string;
  plugin?: string[];
  json?: boolean;
}

export interface BootResult {
  image: 'elf' | 'raw';
  entry: number;
  exit: string;
  detail: string;
  pc: number;
  uart: string;
  instructions: number;
  cycles: number;
  ok: boolean;
}

/**
 * Boots an image on a virt-like machine, as `qemu-system-aarch64 -M virt -cpu cortex-a72
 * -nographic -kernel IMAGE` would: RAM at 0x40000000, a PL011 at 0x09000000, PSCI through
 * HVC, MMU off at entry. The VMM loads the ELF segments (or the raw image at 0x40080000),
 * resets VCPU 0 at the entry point and runs it until it powers off or stops.
 */
export function bootImage(file: string, opts: BootOptions, ctx: Pick<CliContext, 'modules' | 'defaults'>, onOutput?: (s: string) => void): BootResult {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new InputError(`cannot read image '${file}': no such file`);
  }
  const ramSize = opts.ram !== undefined ? parseSize(opts.ram) : 128 * 1024 * 1024;
  if (ramSize === undefined || ramSize <= 0 || ramSize % 4096 !== 0) throw new InputError(`--ram '${opts.ram}': expected a size in whole pages, such as 128MiB`);
  const maxInsns = opts.maxInsns !== undefined ? Number(opts.maxInsns) : 100_000_000;
  if (!Number.isSafeInteger(maxInsns) || maxInsns <= 0) throw new InputError(`--max-insns '${opts.maxInsns}': expected a positive integer`);
  const image = loadGuestImage(bytes, file, VIRT_RAM_BASE);
  for (const s of image.segments) {
    if (s.addr < VIRT_RAM_BASE || s.addr + s.memsz > VIRT_RAM_BASE + ramSize) {
      throw new InputError(`${file}: segment at 0x${s.addr.toString(16)} (+0x${s.memsz.toString(16)}) is outside RAM [0x${VIRT_RAM_BASE.toString(16)}, +0x${ramSize.toString(16)}); link it for the virt machine or raise --ram`);
    }
  }
  const machine = buildMachine(
    { name: `boot ${file}`, machine: { cpus: 1, memory: { size: Math.max(8 * 1024 ** 3, 4 * ramSize) } } },
    { modules: [...ctx.modules], defaults: ctx.defaults, topology: opts.topology, policy: opts.policy, plugins: opts.plugin ?? [] },
  );
  try {
    const { vmm } = machine.get<Kvm>(Kvm);
    const uart = machine.get<Uart>(Uart);
    const out = onOutput ? uart.onOutput(onOutput) : undefined;
    const ipaBits = vmm.vm.d.stage2.ipaBits;
    if (VIRT_RAM_BASE + ramSize > 2 ** ipaBits) {
      throw new InputError(`--ram ${opts.ram}: RAM at 0x${VIRT_RAM_BASE.toString(16)} would end beyond the guest's ${ipaBits}-bit IPA space; at most ${formatSize(2 ** ipaBits - VIRT_RAM_BASE)}`);
    }
    vmm.setMemslot({ slot: 0, gpa: VIRT_RAM_BASE, size: ramSize });
    for (const s of image.segments) {
      const full = new Uint8Array(s.memsz);
      full.set(s.data);
      vmm.write(s.addr, full, file);
    }
    vmm.vcpuInit(0, image.entry, 0, {});
    const run = vmm.run(0, maxInsns);
    out?.dispose();
    const e = run.last;
    machine.end(`boot: ${e.reason}`);
    return {
      image: image.kind,
      entry: image.entry,
      exit: e.reason === 'system_event' ? `system_event ${e.event}` : e.reason,
      detail: describeExit(e),
      pc: e.pc,
      uart: uart.output,
      instructions: run.retired,
      cycles: machine.clock.now,
      ok: e.reason === 'system_event',
    };
  } finally {
    machine.dispose();
  }
}

class BootCommand implements CliCommand {
  readonly order = 12;
  register(program: Command, ctx: CliContext): void {
    program
      .command('boot')
      .description('boot an AArch64 image (ELF, or raw at 0x40080000) on the virt-like machine and print its console')
      .argument('<image>', 'an ELF executable linked for RAM at 0x40000000, or a raw binary')
      .option('--topology <name>', 'cache topology (default cortex-a72)')
      .option('--policy <name>', 'KVM cache-maintenance policy (default seed)')
      .option('--max-insns <n>', 'instruction budget (default 100000000)')
      .option('--ram <size>', 'guest RAM size (default 128MiB)')
      .option('-p, --plugin <spec>', 'add a plugin: NAME or PATH, then ,key=value args (repeatable)', (v: string, p: string[]) => [...p, v], [])
      .option('--json', 'print the result as one JSON object (console output included)')
      .addHelpText(
        'after',
        '\nEnds at PSCI SYSTEM_OFF (exit 0), or says why it stopped (undefined instruction, budget, fault: exit 1).\n' +
          'Example:\n  kvmsim asm examples/guest/hello.S -o hello.bin && kvmsim boot hello.bin\n',
      )
      .action((file: string, opts: BootOptions) => {
        const r = bootImage(file, opts, ctx, opts.json ? undefined : (s) => ctx.io.out(s));
        if (opts.json) ctx.io.out(JSON.stringify(r, null, 2) + '\n');
        else {
          if (r.uart.length > 0 && !r.uart.endsWith('\n')) ctx.io.out('\n');
          ctx.io.err(`kvmsim: ${r.exit}: ${r.detail} at PC 0x${r.pc.toString(16)}; ${r.instructions} instructions, ${r.cycles} cycles\n`);
        }
        if (!r.ok) ctx.setExitCode(1);
      });
  }
}

export const bootCliModule = new ContainerModule(({ bind }) => {
  bind(CliCommand).toConstantValue(new BootCommand());
});
