import * as fs from 'fs';
import type { Command } from 'commander';
import { ContainerModule } from 'inversify';
import {
  CliCommand,
  EXIT_INTERRUPTED,
  InputError,
  Interrupt,
  StatusLine,
  buildMachine,
  describeError,
  drainSlices,
  driveSlices,
  formatProgress,
  formatSize,
  formatSummary,
  handleSigint,
  parseSize,
  checkRunOutputs,
  writeRunOutputs,
  DEFAULT_PLUGIN_TIMEOUT_MS,
  PLUGIN_TIMEOUT_ENV,
  markStopped,
  parsePluginTimeout,
  reportDisposeErrors,
  setEmergencyStop,
  setPluginTimeout,
  type CliContext,
  Disposable,
  type Machine,
} from '../../core';
import { formatGuestException, type GuestException } from '../../devices/cpu';
import { CPU_MODELS, IRQ, VIRT, checkVirtPlatform, decodeFdt, deviceTreeBlob, deviceTreeContributions, type CpuModel, type VirtPlatform } from '../../devices/platform';
import { Pl011, Uart } from '../../devices/uart/pl011';
import { typeInput, unescapeInput } from '../../devices/uart/console-input';
import { placeFirmware, placeKernel, type KernelPlacement } from './kernel-loader';
import { Kvm } from './kvm';
import { describeExit } from './vcpu';
import type { Vmm } from './vmm';

/** The `virt` machine's RAM, as QEMU's `-M virt` places it. */
export const VIRT_RAM_BASE = 0x4000_0000;

export interface BootOptions {
  topology?: string;
  policy?: string;
  /** Instruction budget; none (run until the guest stops, or Ctrl-C) when left out. */
  maxInsns?: string;
  ram?: string;
  /** VCPUs (QEMU's -smp); the secondaries start powered off, for PSCI CPU_ON. */
  smp?: string;
  /** The interrupt controller, 2 or 3 (QEMU's -machine gic-version). */
  gicVersion?: string;
  /** Instructions each VCPU runs in its turn when there are several. */
  quantum?: string;
  /** The kernel command line, in the device tree's /chosen/bootargs (QEMU's -append). */
  append?: string;
  /** A device tree blob to pass instead of the generated one (QEMU's -dtb). */
  dtb?: string;
  /** The kernel to boot, when not given as the image argument (QEMU's -kernel). */
  kernel?: string;
  /** Boot this firmware from the flash at 0 instead of a kernel (QEMU's -bios). */
  bios?: string;
  /** Bytes typed into the console: a file's contents, or text with \n-style escapes. */
  input?: string;
  /** Type the input a line at a time, each when the console prints this prompt. */
  prompt?: string;
  plugin?: string[];
  json?: boolean;
  stats?: string;
  trace?: string;
  summary?: boolean;
  /** Stop when one plugin callback runs longer than this many ms (the watchdog; CLI only). */
  pluginTimeout?: string;
}

export interface BootResult {
  /** An arm64 Image (with its header), another raw binary, or an ELF. */
  image: KernelPlacement['kind'];
  /** The kernel's entry point (a Linux-style image starts through the boot stub at the start of RAM). */
  entry: number;
  /** Where the device tree was put, if anywhere. */
  dtb: number | undefined;
  exit: string;
  detail: string;
  pc: number;
  uart: string;
  instructions: number;
  cycles: number;
  ok: boolean;
  /** Stopped by Ctrl-C (the interrupt) before the guest stopped. */
  interrupted: boolean;
  /** The first exception the guest did not ask for (an undefined instruction, an abort...), if any. */
  firstFault: GuestException | null;
}

/** The first of the virt board's two flash banks, where -bios firmware goes. */
export const FLASH_BANK_SIZE = 0x400_0000;

/** Instructions a VCPU runs in its turn on a machine with several (`--quantum`). */
export const DEFAULT_QUANTUM = 10_000;

/** Instructions per slice of an interruptible boot: between slices the event loop runs (Ctrl-C, progress). */
export const BOOT_SLICE = 200_000;

/**
 * A prepared boot on a virt-like machine, as `qemu-system-aarch64 -M virt -cpu cortex-a72
 * -nographic -kernel IMAGE` would: RAM at 0x40000000, a PL011 at 0x09000000, PSCI through
 * HVC, MMU off at entry. The VMM writes the images where QEMU does (kernel-loader.ts) — the
 * kernel, QEMU's boot stub, the device tree — and resets VCPU 0 where QEMU starts it; `run`
 * runs it until it powers off or stops.
 */
export class BootSession implements Disposable {
  readonly machine: Machine;
  readonly image: KernelPlacement;
  /** The device tree the guest is given. */
  readonly dtb: Uint8Array;
  /** The budget: Infinity when none was given (QEMU has none). */
  readonly maxInsns: number;
  readonly cpus: number;
  readonly quantum: number;
  readonly gicVersion: 2 | 3;
  private readonly vmm: Vmm;
  private readonly uart: Uart;
  private readonly subs: Disposable[] = [];
  private bootsV = 0;

  /** The kernel or firmware booted. */
  readonly file: string;

  constructor(
    image: string | undefined,
    opts: BootOptions,
    ctx: Pick<CliContext, 'modules' | 'defaults'>,
    onOutput?: (s: string) => void,
  ) {
    const file = bootFile(image, opts);
    this.file = file;
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      throw new InputError(`cannot read image '${file}': no such file`);
    }
    const ramSize = opts.ram !== undefined ? parseSize(opts.ram) : 128 * 1024 * 1024;
    if (ramSize === undefined || ramSize <= 0 || ramSize % 4096 !== 0) throw new InputError(`--ram '${opts.ram}': expected a size in whole pages, such as 128MiB`);
    this.cpus = opts.smp !== undefined ? Number(opts.smp) : 1;
    this.gicVersion = opts.gicVersion === undefined ? 2 : opts.gicVersion === '2' ? 2 : opts.gicVersion === '3' ? 3 : badGic(opts.gicVersion);
    const maxCpus = this.gicVersion === 2 ? 8 : 123;
    if (opts.smp !== undefined && (!/^[0-9]+$/.test(opts.smp) || this.cpus < 1 || this.cpus > maxCpus)) {
      throw new InputError(`--smp '${opts.smp}': expected 1 to ${maxCpus} CPUs on a GICv${this.gicVersion} machine${this.gicVersion === 2 ? ' (--gic-version 3 takes more)' : ''}`);
    }
    this.quantum = opts.quantum !== undefined ? Number(opts.quantum) : DEFAULT_QUANTUM;
    if (opts.quantum !== undefined && (!/^[0-9]+$/.test(opts.quantum) || this.quantum < 1)) throw new InputError(`--quantum '${opts.quantum}': expected a positive number of instructions`);
    this.maxInsns = opts.maxInsns !== undefined ? Number(opts.maxInsns) : Infinity;
    if (opts.maxInsns !== undefined && (!Number.isSafeInteger(this.maxInsns) || this.maxInsns <= 0)) throw new InputError(`--max-insns '${opts.maxInsns}': expected a positive integer`);
    this.machine = buildMachine(
      { name: `boot ${file}`, machine: { cpus: this.cpus, memory: { size: Math.max(8 * 1024 ** 3, 4 * ramSize) } } },
      { modules: [...ctx.modules], defaults: ctx.defaults, topology: opts.topology, policy: opts.policy, plugins: opts.plugin ?? [], trace: opts.trace !== undefined },
    );
    try {
      this.vmm = this.machine.get<Kvm>(Kvm).vmm;
      this.uart = this.machine.get<Uart>(Uart);
      if (onOutput) this.subs.push(this.uart.onOutput(onOutput));
      this.subs.push(this.machine.bus.subscribe('vcpu.init', () => this.bootsV++, 'boot'));
      const ipaBits = this.vmm.vm.d.stage2.ipaBits;
      if (VIRT_RAM_BASE + ramSize > 2 ** ipaBits) {
        throw new InputError(`--ram ${opts.ram}: RAM at 0x${VIRT_RAM_BASE.toString(16)} would end beyond the guest's ${ipaBits}-bit IPA space; at most ${formatSize(2 ** ipaBits - VIRT_RAM_BASE)}`);
      }
      this.vmm.setMemslot({ slot: 0, gpa: VIRT_RAM_BASE, size: ramSize });
      // As QEMU with KVM: the GIC in the kernel, the PL011 in the VMM driving its SPI (KVM_IRQ_LINE).
      for (let i = 0; i < this.cpus; i++) this.vmm.vcpu(i); // KVM_CREATE_VCPU, all before the vgic
      const vgic = this.vmm.vm.createVgic(this.gicVersion);
      if (this.uart instanceof Pl011) this.subs.push(this.uart.connectIrq(vgic.lines.spi(IRQ.uart)));
      const platform = bootPlatform(ramSize, this.cpus, this.gicVersion, opts);
      this.dtb = opts.dtb !== undefined ? readDtb(opts.dtb) : deviceTreeBlob(platform, deviceTreeContributions(this.machine.container));
      let image: KernelPlacement;
      if (opts.bios !== undefined) {
        // A VMM maps firmware flash as a read-only memslot (KVM_MEM_READONLY): guest writes exit to it.
        this.vmm.setMemslot({ slot: 1, gpa: VIRT.flash.base, size: FLASH_BANK_SIZE, readonly: true });
        image = placeFirmware(bytes, file, VIRT.flash.base, FLASH_BANK_SIZE, VIRT_RAM_BASE, ramSize, this.dtb.length);
      } else image = placeKernel(bytes, file, VIRT_RAM_BASE, ramSize, this.dtb.length);
      this.image = image;
      for (const s of image.segments) {
        if (image.kind !== 'firmware' && (s.addr < VIRT_RAM_BASE || s.addr + s.memsz > VIRT_RAM_BASE + ramSize)) {
          throw new InputError(`${file}: segment at 0x${s.addr.toString(16)} (+0x${s.memsz.toString(16)}) is outside RAM [0x${VIRT_RAM_BASE.toString(16)}, +0x${ramSize.toString(16)}); link it for the virt machine or raise --ram`);
        }
        const full = new Uint8Array(s.memsz);
        full.set(s.data);
        this.vmm.write(s.addr, full, file);
      }
      if (image.dtbAddr !== undefined) this.vmm.write(image.dtbAddr, this.dtb, 'device tree');
      if (opts.input !== undefined) this.subs.push(typeInput(this.uart, readInput(opts.input), opts.prompt === undefined ? undefined : unescapeInput(opts.prompt)));
      else if (opts.prompt !== undefined) throw new InputError('--prompt needs --input: it says when to type each line of it');
      this.vmm.vcpuInit(0, image.pc, image.x0, {});
      // As QEMU with KVM and PSCI: the secondaries wait, powered off, for a CPU_ON.
      for (let i = 1; i < this.cpus; i++) this.vmm.vcpuInit(i, 0, 0, { powerOff: true });
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** What the guest reads from its console, as if typed now (the interactive console). */
  type(bytes: Uint8Array): void {
    this.uart.type(bytes);
  }

  /** Times VCPU 0 was initialised (reset): 1 for a guest that does not reboot. */
  get boots(): number {
    return this.bootsV;
  }

  /**
   * Runs VCPU 0 to its exit, yielding the instructions retired so far every `slice`
   * instructions; with `interrupt` requested it stops at the next slice. Ends the machine's run.
   */
  *run(slice = Infinity, interrupt?: Interrupt): Generator<number, BootResult, void> {
    const run = this.cpus === 1 ? yield* this.vmm.runSliced(0, this.maxInsns, slice, interrupt) : yield* this.vmm.runAllSliced(this.maxInsns, slice, this.quantum, interrupt);
    const e = run.last;
    this.machine.end(`boot: ${e.reason}`);
    return {
      image: this.image.kind,
      entry: this.image.kernelEntry,
      dtb: this.image.dtbAddr,
      exit: e.reason === 'system_event' ? `system_event ${e.event}` : e.reason,
      detail: describeExit(e),
      pc: e.pc,
      uart: this.uart.output,
      instructions: run.retired,
      cycles: this.machine.clock.now,
      ok: e.reason === 'system_event',
      interrupted: e.reason === 'interrupted',
      firstFault: this.vmm.vcpu(run.vcpu).core.firstFault ?? this.vmm.vm.vcpus.map((v) => v.core.firstFault).find((f) => f !== null) ?? null,
    };
  }

  dispose(): void {
    for (const d of this.subs.splice(0)) d.dispose();
    this.machine.dispose();
  }
}

function badGic(v: string): never {
  throw new InputError(`--gic-version '${v}': expected 2 or 3`);
}

/** What to boot: the image argument, --kernel, or --bios (one of them). */
function bootFile(image: string | undefined, opts: BootOptions): string {
  if (image !== undefined && opts.kernel !== undefined) throw new InputError(`give the kernel once: as the image argument ('${image}') or --kernel ('${opts.kernel}')`);
  const kernel = image ?? opts.kernel;
  if (opts.bios !== undefined && kernel !== undefined) {
    throw new InputError(`--bios '${opts.bios}' with a kernel ('${kernel}'): firmware that loads a kernel gets it from QEMU's fw_cfg, which kvmsim does not model; boot one or the other`);
  }
  const file = opts.bios ?? kernel;
  if (file === undefined) throw new InputError('nothing to boot: give an image (or --kernel IMAGE), or --bios FIRMWARE');
  return file;
}

/** The machine `boot` builds, as its device tree describes it. */
function bootPlatform(ramSize: number, cpus: number, gicVersion: 2 | 3, opts: BootOptions): VirtPlatform {
  const cpu: CpuModel = CPU_MODELS.includes(opts.topology as CpuModel) ? (opts.topology as CpuModel) : 'cortex-a72';
  return checkVirtPlatform({ cpus, ramSize, gicVersion, cpu, bootargs: opts.append });
}

/** --input: the contents of the file it names, else its text with escapes. */
function readInput(spec: string): string {
  try {
    if (fs.statSync(spec).isFile()) return fs.readFileSync(spec, 'latin1');
  } catch {
    // not a file: text
  }
  return unescapeInput(spec);
}

/**
 * The interactive console, as QEMU's -nographic: typed bytes go to the guest (Ctrl-C too),
 * Ctrl-A X quits, Ctrl-A Ctrl-A types one Ctrl-A. Only when stdin and stdout are terminals.
 */
function interactiveConsole(session: BootSession, interrupt: Interrupt): Disposable {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Disposable.NONE;
  stdin.setRawMode(true);
  stdin.resume();
  let escape = false;
  const onData = (d: Buffer): void => {
    const out: number[] = [];
    for (const b of d) {
      if (escape) {
        escape = false;
        if (b === 0x78 /* x */ || b === 0x58) return interrupt.request('Ctrl-A X');
        if (b === 0x01) out.push(0x01);
        continue;
      }
      if (b === 0x01) escape = true;
      else out.push(b);
    }
    if (out.length > 0) session.type(Uint8Array.from(out));
  };
  stdin.on('data', onData);
  return Disposable.create(() => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  });
}

/** A device tree blob given with --dtb, refused when it is not one. */
function readDtb(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new InputError(`--dtb '${file}': cannot read it`);
  }
  try {
    decodeFdt(bytes);
  } catch (e) {
    throw new InputError(`--dtb '${file}': ${(e as Error).message}`);
  }
  return bytes;
}

/** Boots `file` and runs it to its exit in one go (no Ctrl-C, no progress): for scripts and tests. */
export function bootImage(file: string | undefined, opts: BootOptions, ctx: Pick<CliContext, 'modules' | 'defaults'>, onOutput?: (s: string) => void): BootResult {
  const session = new BootSession(file, opts, ctx, onOutput);
  try {
    return drainSlices(session.run());
  } finally {
    session.dispose();
  }
}

class BootCommand implements CliCommand {
  readonly order = 12;
  register(program: Command, ctx: CliContext): void {
    program
      .command('boot')
      .description('boot an AArch64 image (an arm64 Image such as Linux, a raw binary, or an ELF) on the virt machine and print its console')
      .argument('[image]', 'an arm64 Image, a raw binary (loaded at 0x40080000), or an ELF linked for RAM at 0x40000000')
      .option('--kernel <image>', 'the image, as QEMU names it (instead of the argument)')
      .option('--bios <firmware>', "boot firmware from the flash at address 0 instead (U-Boot's qemu_arm64 build), the device tree at the start of RAM")
      .option('--topology <name>', 'cache topology (default cortex-a72)')
      .option('--policy <name>', 'KVM cache-maintenance policy (default seed)')
      .option('--max-insns <n>', 'stop after N instructions (default: no limit, as QEMU; Ctrl-C stops)')
      .option('-m, --ram <size>', 'guest RAM size (default 128MiB)')
      .option('--smp <n>', 'VCPUs (default 1; at most 8 with GICv2, 123 with GICv3); the secondaries start powered off, for PSCI CPU_ON')
      .option('--gic-version <2|3>', 'interrupt controller (default 2, as QEMU 7.2 virt)')
      .option('--quantum <n>', `with --smp: instructions each VCPU runs in its turn (default ${DEFAULT_QUANTUM})`)
      .option('--append <args>', 'kernel command line, in the device tree (/chosen/bootargs)')
      .option('--dtb <file>', 'pass this device tree blob instead of the generated one (see kvmsim dtb)')
      .option('--input <text|file>', 'type this into the console: a file, or text where \\n, \\r, \\t, \\xNN are those bytes')
      .option('--prompt <text>', 'with --input: type a line each time the console prints this prompt (e.g. "=> ")')
      .option('-p, --plugin <spec>', 'add a plugin: NAME or PATH, then ,key=value args (repeatable)', (v: string, p: string[]) => [...p, v], [])
      .option('--stats <file>', 'write stats to FILE (JSON if it ends in .json, else aligned text)')
      .option('--trace <file>', 'write a Chrome trace (open it in Perfetto) to FILE')
      .option('--summary', "print the whole run summary (KVM's section and the plugins') to stderr; --plugin prints its plugins' sections")
      .option('--json', 'print the result as one JSON object (console output and summary included)')
      .option('--plugin-timeout <ms>', `stop when one plugin callback runs longer than MS (default ${DEFAULT_PLUGIN_TIMEOUT_MS}, or $${PLUGIN_TIMEOUT_ENV})`)
      .addHelpText(
        'after',
        '\nEnds at PSCI SYSTEM_OFF (exit 0), or says why it stopped (undefined instruction, fault, --max-insns: exit 1).\n' +
          'Ctrl-C stops at the next instruction boundary and prints the summary (exit 130); a second Ctrl-C exits at once.\n' +
          'On a terminal, runs longer than a second show instructions, MIPS and boots on stderr.\n' +
          'With stdin a terminal and no --input, the console is interactive, as QEMU -nographic: keys go\n' +
          'to the guest (Ctrl-C too) and Ctrl-A X quits (exit 130).\n' +
          'Examples:\n' +
          '  kvmsim asm examples/guest/hello.S -o hello.bin && kvmsim boot hello.bin\n' +
          '  kvmsim boot examples/guest/sieve.elf --plugin checker --stats stats.txt --trace trace.json\n',
      )
      .action(async (file: string | undefined, opts: BootOptions) => {
        checkRunOutputs(opts);
        if (opts.pluginTimeout !== undefined) setPluginTimeout(parsePluginTimeout(opts.pluginTimeout));
        // The status line goes to stderr: only when both it and stdout (io.isTty) are a terminal.
        const status = new StatusLine((s) => ctx.io.err(s), ctx.io.isTty && Boolean(process.stderr.isTTY) && !opts.json);
        let atLineStart = true;
        const session = new BootSession(
          file,
          opts,
          ctx,
          opts.json
            ? undefined
            : (s) => {
                status.clear();
                ctx.io.out(s);
                if (s.length > 0) atLineStart = s.endsWith('\n');
              },
        );
        const interrupt = new Interrupt();
        const sigint = handleSigint(interrupt, { onFirst: () => status.clear() });
        const tty = ctx.io.isTty && opts.input === undefined && !opts.json ? interactiveConsole(session, interrupt) : Disposable.NONE;
        // A plugin callback stuck past --plugin-timeout: the summary and outputs, as for Ctrl-C.
        const emergency = setEmergencyStop(
          (message) => {
            markStopped(session.machine, message);
            const sections = session.machine.summary().slice(1);
            if (opts.json) ctx.io.out(JSON.stringify({ ok: false, stopped: message, cycles: session.machine.clock.now, summary: sections }, null, 2) + '\n');
            else if (sections.length > 0) ctx.io.err(formatSummary(sections));
            writeRunOutputs(session.machine, opts);
            return 1;
          },
          () => {
            status.clear();
            if (!atLineStart) ctx.io.out('\n');
          },
        );
        try {
          let r: BootResult;
          try {
            r = await driveSlices(session.run(BOOT_SLICE, interrupt), (n) => {
              if (!atLineStart) return;
              status.update(() => formatProgress(n, session.boots, status.elapsedMs));
            });
          } catch (e) {
            session.machine.markIncomplete(describeError(e));
            throw e;
          } finally {
            status.clear();
            sigint.dispose();
            tty.dispose();
            emergency.dispose();
            if (interrupt.requested) session.machine.markIncomplete(`interrupted (${interrupt.reason})`);
            // Whatever ran is worth keeping, even when the run failed.
            writeRunOutputs(session.machine, opts);
          }
          const sections = session.machine.summary().slice(1); // the plugins' sections; the machine's own is about configs
          if (opts.json) ctx.io.out(JSON.stringify({ ...r, summary: sections }, null, 2) + '\n');
          else {
            if (r.uart.length > 0 && !r.uart.endsWith('\n')) ctx.io.out('\n');
            ctx.io.err(`kvmsim: ${r.exit}: ${r.detail} at PC 0x${r.pc.toString(16)}; ${r.instructions} instructions, ${r.cycles} cycles\n`);
            // A guest that powered off handled what it took (an OS's page faults, a test's deliberate
            // aborts): its first exception is told only with --summary.
            if (r.firstFault !== null && (!r.ok || opts.summary)) {
              const title = r.ok || r.interrupted ? 'the guest took an unexpected exception (and went on); the first' : 'the first unexpected exception';
              ctx.io.err(`kvmsim: ${title}:\n${formatGuestException(r.firstFault).map((l) => `  ${l}\n`).join('')}`);
            }
            // --plugin: the sections of the plugins added (kvm's own repeats the console); --summary, Ctrl-C: all of them.
            const shown = opts.summary || r.interrupted ? sections : (opts.plugin ?? []).length > 0 ? sections.filter((x) => x.title !== 'kvm') : [];
            if (shown.length > 0) ctx.io.err(formatSummary(shown));
            if (!opts.trace && (opts.plugin ?? []).some((p) => /^trace(,|$)/.test(p))) ctx.io.err('kvmsim: note: the trace plugin recorded a trace; give --trace FILE to write it\n');
          }
          if (r.interrupted) ctx.setExitCode(EXIT_INTERRUPTED);
          else if (!r.ok) ctx.setExitCode(1);
        } finally {
          session.dispose();
          reportDisposeErrors(session.machine, (line) => ctx.io.err(line));
        }
      });
  }
}

export const bootCliModule = new ContainerModule(({ bind }) => {
  bind(CliCommand).toConstantValue(new BootCommand());
});
