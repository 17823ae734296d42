/**
 * `npm run fuzz -- --seed S --count N [--timeout-ms T] [--json]`: a fuzz campaign longer than
 * CI's slice. Inputs run in a worker thread, one at a time; a watchdog ends the worker when one
 * input runs past the time bound (a hang), records it, and starts a fresh worker for the rest.
 * Prints counts by exit code, the problems found, the largest RSS and the slowest input.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { fuzzInputs, type FuzzInput } from './inputs';
import { BOUNDS } from './check';

interface Args {
  seed: number;
  count: number;
  timeoutMs: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 1, count: 200, timeoutMs: 60_000, json: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--seed') a.seed = Number(v);
    else if (argv[i] === '--count') a.count = Number(v);
    else if (argv[i] === '--timeout-ms') a.timeoutMs = Number(v);
    else if (argv[i] === '--json') {
      a.json = true;
      continue;
    } else throw new Error(`fuzz: unknown option '${argv[i]}' (--seed S --count N --timeout-ms T --json)`);
    if (!Number.isSafeInteger(Number(v)) || Number(v) < 0) throw new Error(`fuzz: ${argv[i]} takes a whole number, got '${v}'`);
    i++;
  }
  return a;
}

interface Done {
  index: number;
  code: number;
  ms: number;
  rss: number;
  problems: string[];
  err: string;
}

function startWorker(): Worker {
  return new Worker(path.join(__dirname, 'worker.ts'), { execArgv: ['--require', 'ts-node/register/transpile-only', '--require', 'reflect-metadata'] });
}

async function campaign(args: Args): Promise<void> {
  const inputs = fuzzInputs(args.seed, args.count);
  const results: (Done & { input: FuzzInput })[] = [];
  const hangs: { index: number; input: FuzzInput }[] = [];
  let next = 0;
  while (next < inputs.length) {
    const worker = startWorker();
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (next >= inputs.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const index = next++;
        timer = setTimeout(() => {
          hangs.push({ index, input: inputs[index] });
          void worker.terminate().then(() => resolve());
        }, args.timeoutMs);
        worker.postMessage({ index, input: inputs[index] });
      };
      worker.on('message', (d: Done) => {
        clearTimeout(timer);
        results.push({ ...d, input: inputs[d.index] });
        if (!args.json && results.length % 100 === 0) process.stderr.write(`${results.length + hangs.length}/${inputs.length}\n`);
        send();
      });
      worker.on('error', (e) => {
        clearTimeout(timer);
        results.push({ index: next - 1, code: -1, ms: 0, rss: 0, problems: [`worker died: ${e.stack ?? e.message}`], err: '', input: inputs[next - 1] });
        resolve();
      });
      send();
    });
  }
  const byCode: Record<string, number> = {};
  for (const r of results) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
  const bad = results.filter((r) => r.problems.length > 0);
  const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a), results[0]);
  const summary = {
    seed: args.seed,
    inputs: inputs.length,
    byKind: Object.fromEntries(['config', 'scenario', 'image', 'trace', 'plugin'].map((k) => [k, inputs.filter((i) => i.kind === k).length])),
    exitCodes: byCode,
    crashes: bad.length,
    hangs: hangs.length,
    maxRssMiB: Math.round(Math.max(0, ...results.map((r) => r.rss)) / 2 ** 20),
    slowest: slowest ? { ms: slowest.ms, kind: slowest.input.kind, label: slowest.input.label } : null,
    bounds: { ...BOUNDS, hangMs: args.timeoutMs },
    problems: bad.slice(0, 50).map((r) => ({ index: r.index, kind: r.input.kind, label: r.input.label, argv: r.input.argv.join(' '), problems: r.problems, stderr: r.err.slice(0, 400) })),
    hung: hangs.map((h) => ({ index: h.index, kind: h.input.kind, label: h.input.label })),
  };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  process.exitCode = bad.length > 0 || hangs.length > 0 ? 1 : 0;
}

try {
  void campaign(parseArgs(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
