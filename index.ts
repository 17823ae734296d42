/**
 * kvmsim — the library. `createMachine` builds a machine from a config (a file path or an
 * object) with every device and built-in plugin available; the CLI is a thin layer over it.
 *
 *     import { createMachine } from 'kvmsim';
 *     const machine = createMachine('examples/machines/reboot-locked.yaml');
 *     const result = machine.run();
 */
import 'reflect-metadata';
import type { ContainerModule } from 'inversify';
import { buildMachine, coreCliModule, runCli, type CliIo, type ConfigDocument, type Machine, type MachineOptions } from './core';
import { isaModules } from './isa';
import { deviceModules } from './devices';
import { pluginModules } from './plugins';

export * from './core';
export * from './isa';
export * from './devices';
export * from './plugins';

/** Topology and policy used when a config names none. */
export const DEFAULTS: NonNullable<MachineOptions['defaults']> = { topology: 'cortex-a72', policy: 'seed' };

/** Every built-in module: the core's CLI commands, the ISA's, the devices, the built-in plugins. */
export function defaultModules(): ContainerModule[] {
  return [coreCliModule, ...isaModules, ...deviceModules, ...pluginModules];
}

/**
 * Builds a machine from a config file path or a config object, with all devices and built-in
 * plugins available. `options.modules` adds your own DI modules after the built-in ones.
 */
export function createMachine(config: string | Record<string, unknown> | ConfigDocument, options: MachineOptions = {}): Machine {
  return buildMachine(config, { defaults: DEFAULTS, ...options, modules: [...defaultModules(), ...(options.modules ?? [])] });
}

/** The `kvmsim` command line. Resolves to the exit code. */
export function main(argv: readonly string[] = process.argv.slice(2), io?: CliIo): Promise<number> {
  const std: CliIo = io ?? {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    isTty: Boolean(process.stdout.isTTY),
  };
  return runCli(argv, defaultModules(), DEFAULTS, std);
}
