/**
 * Runs documented commands as a user would type them, from a scratch folder that looks like a
 * checkout (the repository's folders linked in), so what they write stays out of the tree.
 * `npx kvmsim ...` runs in this process through `main`, the same entry `bin/kvmsim.js` calls;
 * other programs run through bash.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from 'kvmsim';
import { captureIo } from '../helpers';

export const ROOT = path.join(__dirname, '..', '..');

/** A scratch folder with the checkout's files linked in (examples, test, package.json, ...). */
export function scratchCheckout(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-docs-'));
  for (const name of fs.readdirSync(ROOT)) {
    if (name === '.git' || name === 'out') continue;
    fs.symlinkSync(path.join(ROOT, name), path.join(d, name));
  }
  return d;
}

export interface CommandResult {
  command: string;
  code: number;
  out: string;
  err: string;
}

/** Splits a command line into words, honouring quotes; stops at an unquoted `#`. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '#' && !inWord) {
      break;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote !== null) throw new Error(`unterminated quote in: ${line}`);
  if (inWord) words.push(cur);
  return words;
}

/** `npm start`'s command, from package.json, as kvmsim arguments. */
function npmStartArgs(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const words = shellWords(start);
  if (words[0] !== 'node' || words[1] !== 'bin/kvmsim.js') throw new Error(`npm start is '${start}', not a kvmsim command`);
  return words.slice(2);
}

/** Runs kvmsim with `args` in `cwd`; `> FILE` in the words redirects its output there. */
async function kvmsim(args: string[], cwd: string, command: string): Promise<CommandResult> {
  const redirect = args.indexOf('>');
  const file = redirect >= 0 ? args[redirect + 1] : undefined;
  const argv = redirect >= 0 ? args.slice(0, redirect) : args;
  const io = captureIo();
  const prev = process.cwd();
  process.chdir(cwd);
  let code: number;
  try {
    code = await main(argv, io);
    if (file !== undefined) fs.writeFileSync(path.resolve(cwd, file), io.stdout);
  } finally {
    process.chdir(prev);
  }
  return { command, code, out: file !== undefined ? '' : io.stdout, err: io.stderr };
}

/**
 * Runs one documented command line (`a && b` runs b after a succeeds). `npm ci` and `npm test`
 * are what CI itself runs, so they are checked to be there rather than run again from inside
 * the test run.
 */
export async function runCommandLine(line: string, cwd: string): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  for (const part of line.split('&&').map((p) => p.trim())) {
    const words = shellWords(part);
    if (words.length === 0) continue;
    const cmd = words.join(' ');
    let r: CommandResult;
    if (words[0] === 'npx' && words[1] === 'kvmsim') r = await kvmsim(words.slice(2), cwd, cmd);
    else if (words[0] === 'kvmsim') r = await kvmsim(words.slice(1), cwd, cmd);
    else if (cmd === 'npm start') r = await kvmsim(npmStartArgs(), cwd, cmd);
    else if (cmd === 'npm ci' || cmd === 'npm test') {
      const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
      const ok = new RegExp(`^[^#\\n]*${cmd}\\b`, 'm').test(ci);
      r = { command: cmd, code: ok ? 0 : 1, out: '', err: ok ? '' : `.ci/run does not run '${cmd}'` };
    } else {
      const s = spawnSync('bash', ['-c', part], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
      r = { command: part, code: s.status ?? 1, out: s.stdout, err: s.stderr + (s.error ? String(s.error) : '') };
    }
    results.push(r);
    if (r.code !== 0) break;
  }
  return results;
}

/**
 * True when `block`'s lines appear in `output` in order; a line `...` in the block stands for
 * any number of lines, and the lines between two of them must be consecutive in the output.
 */
export function showsOutput(block: string, output: string): boolean {
  const out = output.split('\n').map((l) => l.trimEnd());
  const chunks: string[][] = [[]];
  for (const l of block.split('\n').map((x) => x.trimEnd())) {
    if (l.trim() === '...') chunks.push([]);
    else chunks[chunks.length - 1].push(l);
  }
  let at = 0;
  for (const chunk of chunks.filter((c) => c.length > 0)) {
    let found = -1;
    for (let i = at; i + chunk.length <= out.length; i++) {
      if (chunk.every((l, j) => out[i + j] === l)) {
        found = i;
        break;
      }
    }
    if (found < 0) return false;
    at = found + chunk.length;
  }
  return true;
}
