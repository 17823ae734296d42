/**
 * CI's slice of the fuzz campaign: a fixed seed, every input run through the CLI entry. Every
 * input must end in exit 0, 1 or 2, an exit 2 with a message and no stack trace, no file left
 * behind, within the time and memory bounds (test/fuzz/check.ts). `npm run fuzz -- --seed S
 * --count N` runs a longer campaign with a watchdog for hangs.
 */
import { runFuzzInput, type Outcome } from './check';
import { fuzzInputs } from './inputs';

const SEED = 20261202;
const COUNT = Number(process.env.KVMSIM_FUZZ_COUNT ?? 2000);

jest.setTimeout(20 * 60_000);

describe(`fuzz slice: seed ${SEED}, ${COUNT} inputs`, () => {
  it('no crash, no stack trace, no leftover file, bounded time and memory', async () => {
    const inputs = fuzzInputs(SEED, COUNT);
    const bad: Outcome[] = [];
    const codes: Record<number, number> = {};
    for (const input of inputs) {
      const o = await runFuzzInput(input);
      codes[o.code] = (codes[o.code] ?? 0) + 1;
      if (o.problems.length > 0) bad.push(o);
    }
    const report = bad.slice(0, 10).map((o) => `${o.input.kind} (${o.input.label}): ${o.problems.join('; ')}\n    ${o.input.argv.join(' ')}\n    ${o.err.split('\n').slice(0, 3).join('\n    ')}`);
    expect(report).toEqual([]);
    // The slice exercises every outcome a user can get.
    for (const c of [0, 1, 2]) expect([c, (codes[c] ?? 0) > 0]).toEqual([c, true]);
  });
});
