/**
 * Every example `kvmsim --help` and `kvmsim COMMAND --help` prints runs as printed, from a
 * fresh checkout-like folder, and exits 0.
 */
import { main } from 'kvmsim';
import { captureIo } from '../helpers';
import { runCommandLine, scratchCheckout } from './commands';

jest.setTimeout(300_000);

async function help(...argv: string[]): Promise<string> {
  const io = captureIo();
  expect(await main([...argv, '--help'], io)).toBe(0);
  return io.stdout;
}

/** The lines of an `Examples:` section: the command, without the explanation after two spaces. */
export function helpExamples(text: string): string[] {
  const out: string[] = [];
  let inExamples = false;
  for (const line of text.split('\n')) {
    if (/^Examples?:\s*$/.test(line)) inExamples = true;
    else if (inExamples && !line.startsWith('  ')) inExamples = false;
    else if (inExamples && line.trim().startsWith('kvmsim ')) out.push(line.trim().split(/\s{2,}/)[0]);
  }
  return out;
}

const cwd = scratchCheckout();

describe('--help examples run as printed', () => {
  it('every command has examples, and each runs with exit 0', async () => {
    const top = await help();
    const commands = [...top.matchAll(/^ {2}([a-z]+)(?: \[options\])?(?: [<[].*)?\s{2,}/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['run', 'compare', 'validate', 'schema', 'plugins', 'boot', 'replay', 'asm', 'disasm']));
    const examples = helpExamples(top);
    for (const c of commands) {
      const own = helpExamples(await help(c));
      expect([c, own.length > 0]).toEqual([c, true]);
      examples.push(...own);
    }
    for (const e of new Set(examples)) {
      for (const r of await runCommandLine(e, cwd)) expect({ example: e, code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ example: e, code: 0, err: '' });
    }
  });
});
