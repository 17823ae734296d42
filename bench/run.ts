/**
 * `npm run bench`: runs every bench/*.bench.ts (compiled to dist/bench) in one process, one
 * after the other, and prints one JSON object keyed by bench name. Each bench's `run()`
 * returns its figures, including the ratios the issues set targets for.
 */
import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';

function main(): void {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => /\.bench\.js$/.test(f))
    .sort();
  const out: Record<string, unknown> = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  for (const f of files) {
    const name = f.replace(/\.bench\.js$/, '');
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`bench ${name}...\n`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(__dirname, f)) as { run(): Record<string, unknown> };
    out[name] = mod.run();
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main();
