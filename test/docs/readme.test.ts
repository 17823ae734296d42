/**
 * Every code block of the README runs here, as written. A block says how by its language:
 * `sh` lines are commands (each must exit 0), `ts` is a program or, with a `<!-- file: NAME -->`
 * comment before it, a file that the commands after it use, `yaml` is a config that must run
 * with its expectations holding. A block with no language is a command's output, and the comment
 * before it says which (`<!-- output of: COMMAND -->`), or a listing of the tree
 * (`<!-- layout -->`). `<!-- tested by: FILE -->` leaves a block to the test FILE, which runs
 * it where it belongs. A block this test does not know how to run fails it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { createMachine, parseConfigText } from 'kvmsim';
import { ROOT, runCommandLine, scratchCheckout, showsOutput } from './commands';

interface Block {
  line: number;
  lang: string;
  text: string;
  /** The `<!-- ... -->` comment just before the block, if any. */
  directive?: string;
}

export function readmeBlocks(file = path.join(ROOT, 'README.md')): Block[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    let j = start - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    const directive = j >= 0 ? /^<!--\s*(.*?)\s*-->$/.exec(lines[j].trim())?.[1] : undefined;
    blocks.push({ line: start + 1, lang: open[1], text: body.join('\n'), directive });
  }
  return blocks;
}

/**
 * A block run by another test, in a setting this one cannot give (a project of its own made from
 * an `npm pack` tarball): that test must exist and read the README.
 */
function testedElsewhere(b: Block): boolean {
  const file = /^tested by: (\S+)$/.exec(b.directive ?? '')?.[1];
  return file !== undefined && fs.existsSync(path.join(ROOT, file)) && fs.readFileSync(path.join(ROOT, file), 'utf8').includes("'README.md'");
}

/** Runs a TypeScript program block with `require('kvmsim')` resolving to this checkout. */
function runTs(source: string, cwd: string): string[] {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const printed: string[] = [];
  const fakeConsole = { log: (...a: unknown[]) => printed.push(a.map(String).join(' ')) };
  const prev = process.cwd();
  process.chdir(cwd);
  try {
    const module = { exports: {} };
    new Function('require', 'module', 'exports', 'console', js)(require, module, module.exports, fakeConsole);
  } finally {
    process.chdir(prev);
  }
  return printed;
}

jest.setTimeout(300_000);

const blocks = readmeBlocks();
const cwd = scratchCheckout();

describe('README code blocks run as written', () => {
  it('has blocks, and every one is of a kind this test runs', () => {
    expect(blocks.length).toBeGreaterThan(5);
    for (const b of blocks) {
      const known = ['sh', 'ts', 'yaml'].includes(b.lang) || (b.lang === '' && b.directive !== undefined && /^(output of: .+|layout)$/.test(b.directive)) || testedElsewhere(b);
      expect([`README.md:${b.line}`, known]).toEqual([`README.md:${b.line}`, true]);
    }
  });

  // In order: a `file:` block is written before the commands after it use it.
  it.each(blocks.map((b) => [`README.md:${b.line} (${b.lang || b.directive})`, b] as const))('%s', async (_name, b) => {
    if (testedElsewhere(b)) return;
    if (b.lang === 'sh') {
      for (const line of b.text.split('\n')) {
        if (line.trim() === '' || line.trim().startsWith('#')) continue;
        for (const r of await runCommandLine(line, cwd)) expect({ command: r.command, code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ command: r.command, code: 0, err: '' });
      }
    } else if (b.lang === 'ts' && b.directive?.startsWith('file: ')) {
      fs.writeFileSync(path.join(cwd, b.directive.slice('file: '.length)), b.text + '\n');
    } else if (b.lang === 'ts') {
      const printed = runTs(b.text, cwd);
      expect(printed.length).toBeGreaterThan(0);
      expect(printed.join('\n')).not.toMatch(/undefined|NaN|false/);
    } else if (b.lang === 'yaml') {
      const doc = parseConfigText(b.text, `README.md:${b.line}`, path.join(ROOT, 'examples', 'machines'));
      const m = createMachine(doc);
      const r = m.run();
      m.dispose();
      expect(r.failures).toEqual([]);
      expect(r.steps).toBeGreaterThan(0);
    } else if (b.directive === 'layout') {
      for (const l of b.text.split('\n').filter((x) => x.trim() !== '')) {
        const dir = l.trim().split(/\s+/)[0];
        expect([dir, fs.existsSync(path.join(ROOT, dir))]).toEqual([dir, true]);
      }
    } else {
      const command = b.directive!.slice('output of: '.length);
      const results = await runCommandLine(command, cwd);
      const last = results[results.length - 1];
      expect(last.code).toBe(0);
      if (!showsOutput(b.text, last.out)) expect(last.out).toBe(b.text); // shows the difference
    }
  });
});
