import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { Container, type ContainerModule } from 'inversify';
import { KvmsimError, describeError } from '../common/errors';
import { objectConfigDocument, parseWith } from '../config/document';
import { MachineConfigSchema, type MachineConfig } from '../config/schema';
import { coreModule } from '../di/core-module';
import type { MachineOptions } from '../machine/machine';

/** Writes a line of output; tests capture these. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars, colours). */
  isTty: boolean;
}

/** What every command gets: the modules a machine is built from, and the output. */
export interface CliContext {
  readonly io: CliIo;
  readonly modules: readonly ContainerModule[];
  readonly defaults: MachineOptions['defaults'];
  /** A container with every module loaded and no machine: for listing contributions. */
  catalogue(): Container;
  /** Sets the process exit code (the highest one asked for wins). */
  setExitCode(code: number): void;
}

/**
 * A `kvmsim` sub-command, contributed through DI by the feature that owns it (the core's run /
 * validate / schema / plugins, the devices' replay, the CPU's asm / boot, the KVM plugin's
 * compare). `order` sorts them in `--help`.
 */
export interface CliCommand {
  readonly order: number;
  register(program: Command, ctx: CliContext): void;
}
export const CliCommand = Symbol.for('kvmsim.CliCommand');

export function defaultConfig(): MachineConfig {
  return { ...parseWith(objectConfigDocument({}), MachineConfigSchema), source: '<defaults>', baseDir: process.cwd() };
}

function packageVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(path.join(__dirname, '..', '..', 'package.json')) as { version: string }).version;
  } catch {
    // Compiled to dist/core/cli: the package root is one more level up.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(path.join(__dirname, '..', '..', '..', 'package.json')) as { version: string }).version;
  }
}

/** Builds the commander program from every contributed command. */
export function buildProgram(ctx: CliContext, commands: readonly CliCommand[]): Command {
  const program = new Command('kvmsim')
    .description(
      'kvmsim — an event-driven simulator of KVM arm64 cache maintenance. Cores run AArch64 code ' +
        'through caches that hold real data; a KVM-arm64 plugin decides when stage 2 is unmapped and ' +
        'which CMOs run when a VCPU is reset; a coherence checker reports every stale access.',
    )
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .version(packageVersion(), '-V, --version', 'print the kvmsim version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const c of [...commands].sort((a, b) => a.order - b.order)) c.register(program, ctx);
  program.addHelpText(
    'after',
    '\nExamples:\n' +
      '  kvmsim run examples/machines/reboot-locked.yaml    run a machine config and print a summary\n' +
      '  kvmsim run examples/machines/reboot-locked.yaml --stats out/stats.txt --trace out/trace.json\n' +
      '  kvmsim compare examples/machines/reboot-locked.yaml    the same scenario under every policy\n' +
      '  kvmsim boot examples/guest/hello.elf               boot a guest image, as qemu-system-aarch64 -kernel\n' +
      '  kvmsim validate examples/machines/reboot-locked.yaml    check a config without running it\n' +
      '  kvmsim plugins                                     list built-in plugins and their args\n' +
      '  kvmsim schema > kvmsim.schema.json                 JSON Schema for editors\n' +
      '\nRun `kvmsim COMMAND --help` for a command\'s options and examples.\n' +
      '\nExit codes: 0 success, 1 an expectation of the scenario failed (or a plugin failed under\n' +
      '--strict), 2 bad input (config, plugin, args, image).\n',
  );
  return program;
}

/** Runs the CLI; resolves to the exit code. Never throws for user errors. */
export async function runCli(argv: readonly string[], modules: readonly ContainerModule[], defaults: MachineOptions['defaults'], io: CliIo): Promise<number> {
  let exitCode = 0;
  let catalogue: Container | undefined;
  const ctx: CliContext = {
    io,
    modules,
    defaults,
    catalogue() {
      if (catalogue === undefined) {
        catalogue = new Container({ defaultScope: 'Singleton' });
        catalogue.loadSync(coreModule(defaultConfig()), ...modules);
      }
      return catalogue;
    },
    setExitCode(code) {
      exitCode = Math.max(exitCode, code);
    },
  };
  const commands = ctx.catalogue().getAll<CliCommand>(CliCommand, { optional: true }) ?? [];
  const program = buildProgram(ctx, commands);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors are bad input.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof KvmsimError) {
      io.err(`kvmsim: error: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`kvmsim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : `thrown ${describeError(e)}`}\n`);
    return 70;
  }
  return exitCode;
}
