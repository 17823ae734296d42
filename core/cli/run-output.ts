import * as path from 'path';
import { cut, describeError } from '../common/errors';
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
  // A run that stopped early still writes whole files, which say so: `sim.complete` is 0, the
  // text stats start with a line saying why, the trace's otherData has it.
  const early = machine.incomplete;
  if (files.stats) {
    const text = files.stats.endsWith('.json')
      ? JSON.stringify(machine.stats.toJSON(), null, 2) + '\n'
      : (early !== undefined ? `# kvmsim: this run stopped early: ${cut(early.split('\n')[0])}; the stats are what it did until then\n` : '') + machine.stats.toText();
    writeFileAtomic(files.stats, text, '--stats');
  }
  if (files.trace) {
    const trace = machine.trace.toJSON();
    const json = { ...trace, otherData: { ...trace.otherData, run: early === undefined ? 'complete' : `stopped early: ${cut(early.split('\n')[0])}` } };
    writeFileAtomic(files.trace, JSON.stringify(json) + '\n', '--trace');
  }
}

/** Says in the outputs that the watchdog stopped the run before its end (`sim.complete` 0, and why). */
export function markStopped(machine: Machine, message: string): void {
  machine.markIncomplete(message);
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
    else machine.markIncomplete(describeError(failure));
    writeRunOutputs(machine, files);
  } finally {
    machine.dispose();
    reportDisposeErrors(machine, hooks.warn);
  }
  if (failure !== undefined) throw failure;
}
