/**
 * Runs one fuzz input through the CLI entry (`main`, as bin/kvmsim.js does) in a folder of its
 * own, and says what was wrong with how kvmsim took it: an exit code outside {0, 1, 2}, an exit 2
 * without a located message or with a stack trace, a temporary file left behind, memory over
 * the bound, time over the bound, or an attempt to end the process from inside.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../index';
import type { FuzzInput } from './inputs';

/** Bounds every input must stay within. */
export const BOUNDS = { ms: 20_000, rssBytes: 2 * 1024 ** 3 };

export interface Outcome {
  input: FuzzInput;
  code: number;
  err: string;
  ms: number;
  rss: number;
  problems: string[];
}

class ExitCalled extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`process.exit(${String(code)}) was called while kvmsim ran`);
  }
}

/** Files in `dir` (recursively) that a writer left behind. */
function leftovers(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.tmp$/.test(f));
}

export async function runFuzzInput(input: FuzzInput, parent = os.tmpdir()): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(parent, 'kvmsim-fuzz-'));
  for (const [name, content] of Object.entries(input.files)) fs.writeFileSync(path.join(dir, name), content);
  const argv = input.argv.map((a) => a.replace(/@\//g, dir + '/'));
  let err = '';
  const io = { out: () => undefined, err: (s: string) => void (err += s), isTty: false };
  // kvmsim must keep plugins from ending the process; one that gets through ends up here.
  const exit = process.exit;
  let exitCalled: ExitCalled | undefined;
  process.exit = ((c?: number | string | null) => {
    exitCalled = new ExitCalled(c);
    throw exitCalled;
  }) as typeof process.exit;
  const t = Date.now();
  let code: number;
  const problems: string[] = [];
  try {
    code = await main(argv, io);
  } catch (e) {
    code = -1;
    problems.push(e instanceof ExitCalled ? e.message : `main threw: ${e instanceof Error ? e.stack : String(e)}`);
  } finally {
    process.exit = exit;
  }
  const ms = Date.now() - t;
  if (exitCalled !== undefined && !problems.includes(exitCalled.message)) problems.push(exitCalled.message);
  const rss = process.memoryUsage().rss;
  if (code !== -1 && ![0, 1, 2].includes(code)) problems.push(`exit ${code}`);
  if (code === 2 && !/^(kvmsim: )?error: \S/m.test(err)) problems.push('exit 2 without an error message');
  if (/\n\s+at .*:\d+:\d+\)?\n/.test(err)) problems.push('stack trace on stderr');
  if (/internal error/.test(err)) problems.push('internal error');
  if (err.length > 20_000) problems.push(`${err.length} characters on stderr`);
  const left = leftovers(dir);
  if (left.length > 0) problems.push(`left behind: ${left.join(', ')}`);
  if (ms > BOUNDS.ms) problems.push(`took ${ms} ms`);
  if (rss > BOUNDS.rssBytes) problems.push(`RSS ${Math.round(rss / 2 ** 20)} MiB`);
  fs.rmSync(dir, { recursive: true, force: true });
  return { input, code, err, ms, rss, problems };
}
