import type { Machine } from '../machine/machine';
import { writeFileAtomic } from './cli';

/** What `run`, `boot` and friends write after a run: `--stats FILE` and `--trace FILE`. */
export interface RunOutputFiles {
  stats?: string;
  trace?: string;
}

/**
 * Writes the machine's stats (JSON if the name ends in .json, else aligned text) and its Chrome
 * trace to the files asked for. Call it in a `finally`: whatever ran is worth keeping.
 */
export function writeRunOutputs(machine: Machine, files: RunOutputFiles): void {
  if (files.stats) writeFileAtomic(files.stats, files.stats.endsWith('.json') ? JSON.stringify(machine.stats.toJSON(), null, 2) + '\n' : machine.stats.toText());
  if (files.trace) writeFileAtomic(files.trace, JSON.stringify(machine.trace.toJSON()) + '\n');
}
