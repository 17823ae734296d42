/**
 * `npm run bench`: runs every bench/*.bench.ts (compiled to dist-bench/bench, outside the package) and prints one JSON
 * object keyed by bench name. Each bench runs in a fresh Node process, so one bench's JIT
 * state (a hook it registered, a shape it made polymorphic) cannot skew another's figures;
 * the comparisons the issues ask for (bus vs Subject, hierarchy vs bare loop, guest vs bare
 * loop, 64 GiB vs 64 MiB) are made inside one bench, in one process.
 *
 *     npm run bench                 all benches
 *     npm run bench -- bus kvm      only those
 */
import 'reflect-metadata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

function runOne(name: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, `${name}.bench.js`)) as { run(): Record<string, unknown> };
  return mod.run();
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    process.stdout.write(JSON.stringify(runOne(args[1])));
    return;
  }
  const names = fs
    .readdirSync(__dirname)
    .filter((f) => /\.bench\.js$/.test(f))
    .map((f) => f.replace(/\.bench\.js$/, ''))
    .sort();
  const unknown = args.filter((a) => !names.includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no bench named ${unknown.join(', ')}; benches: ${names.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const out: Record<string, unknown> = { node: process.version, platform: `${process.platform}-${process.arch}` };
  for (const name of names) {
    if (args.length > 0 && !args.includes(name)) continue;
    process.stderr.write(`bench ${name}...\n`);
    const json = execFileSync(process.execPath, [__filename, '--one', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    out[name] = JSON.parse(json);
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main();
