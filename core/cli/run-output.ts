import * as path from 'path';
import type { Machine } from '../machine/machine';
import { OutputFiles, writeFileAtomic } from './output-file';
import { setEmergencyStop } from './watchdog';

/** What `run`, `boot` and friends write after a run: `--stats FILE` and `--trace FILE`. */
export interface RunOutputFiles {
  stats?: string;
  trace?: string;
}

/** Where a machine's stats and trace go: the command line's files, else the config's (relative to it). */
export function machineOutputs(machine: Machine, opts: RunOutputFiles): RunOutputFiles {
  const fromConfig = (f: string | undefined) => (f === undefined ? undefined : path.resolve(machine.config.baseDir, f));
  return { stats: opts.stats ?? fromConfig(machine.config.machine.stats), trace: opts.trace ?? fromConfig(machine.config.machine.trace) };
}

/**
 * Checks the output files before a run does any work: each can be written (its folder is made),
 * none is a directory or a device, and the two are not the same file.
 */
export function checkRunOutputs(files: RunOutputFiles): void {
  const outputs = new OutputFiles();
  outputs.declare('--stats', files.stats);
  outputs.declare('--trace', files.trace);
}

/**
 * Writes the machine's stats (JSON if the name ends in .json, else aligned text) and its Chrome
 * trace to the files asked for. Call it in a `finally`: whatever ran is worth keeping.
 */
export function writeRunOutputs(machine: Machine, files: RunOutputFiles): void {
  if (files.stats) writeFileAtomic(files.stats, files.stats.endsWith('.json') ? JSON.stringify(machine.stats.toJSON(), null, 2) + '\n' : machine.stats.toText(), '--stats');
  if (files.trace) writeFileAtomic(files.trace, JSON.stringify(machine.trace.toJSON()) + '\n', '--trace');
}

/** Says in the stats and the trace that the run was stopped before its end. */
export function markStopped(machine: Machine, message: string): void {
  machine.stats.counter('watchdog.stopped', 'the run was stopped: a plugin callback ran past --plugin-timeout').inc();
  machine.trace.instant('kvmsim', 'stopped', machine.clock.now, { reason: message });
}

/** How a run command hears what happens around its run. */
export interface RunHooks {
  /** A line for stderr that does not change the result (a plugin failing to dispose). */
  warn?(line: string): void;
  /**
   * The watchdog stopped the run (a plugin callback ran past --plugin-timeout; `message` says
   * which): print the summary now, synchronously. The outputs are written after it.
   */
  stopped?(message: string): void;
}

/** Says what failed while the machine's plugins were disposed (the result stands). */
export function reportDisposeErrors(machine: Machine, warn: ((line: string) => void) | undefined): void {
  for (const e of machine.disposeErrors) warn?.(`kvmsim: warning: ${e}\n`);
}

/**
 * Runs `work` on a built machine with its outputs checked first, then prints (`print`, only when
 * the work finished) and writes the stats and trace — also when the work stopped with an error,
 * which is raised after them. Disposes the machine (what fails to dispose goes to `hooks.warn`).
 */
export async function runWithOutputs<R>(machine: Machine, files: RunOutputFiles, work: () => R | Promise<R>, print: (r: R) => void, hooks: RunHooks = {}): Promise<void> {
  let failure: unknown;
  try {
    checkRunOutputs(files);
    let result: R | undefined;
    const emergency = setEmergencyStop((message) => {
      markStopped(machine, message);
      hooks.stopped?.(message);
      writeRunOutputs(machine, files);
      return 1;
    });
    try {
      result = await work();
    } catch (e) {
      failure = e;
    } finally {
      emergency.dispose();
    }
    if (failure === undefined) print(result as R);
    writeRunOutputs(machine, files);
  } finally {
    machine.dispose();
    reportDisposeErrors(machine, hooks.warn);
  }
  if (failure !== undefined) throw failure;
}
