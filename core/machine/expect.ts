import { z } from 'zod';
import type { Expectation, ScenarioStep, StepContext } from './scenario';

const StatBound = z.strictObject({
  name: z.string().min(1).describe('a dotted stat name, e.g. kvm.stage2.faults'),
  equals: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
type StatBound = z.infer<typeof StatBound>;

/** `expect: { stat: { name: system.cpu0.l1d.misses, max: 10 } }` (or a list of bounds). */
export class StatExpectation implements Expectation<StatBound | StatBound[]> {
  readonly key = 'stat';
  readonly description = 'a stat is equal to, at least, or at most a value';
  readonly schema = z.union([StatBound, z.array(StatBound)]);

  check(arg: StatBound | StatBound[], ctx: StepContext): string | null {
    const problems: string[] = [];
    for (const b of Array.isArray(arg) ? arg : [arg]) {
      const v = ctx.machine.stats.value(b.name);
      if (v === undefined) {
        problems.push(`no stat named '${b.name}'`);
        continue;
      }
      if (b.equals !== undefined && v !== b.equals) problems.push(`${b.name} = ${v}, expected ${b.equals}`);
      if (b.min !== undefined && v < b.min) problems.push(`${b.name} = ${v}, expected at least ${b.min}`);
      if (b.max !== undefined && v > b.max) problems.push(`${b.name} = ${v}, expected at most ${b.max}`);
    }
    return problems.length > 0 ? problems.join('; ') : null;
  }
}

/**
 * The `expect` step: each key is a contributed Expectation, checked in the order written.
 * A failed check is recorded (the run goes on) and makes the CLI exit with code 1.
 */
export class ExpectStep implements ScenarioStep<Record<string, unknown>> {
  readonly kind = 'expect';
  readonly description: string;
  readonly schema: z.ZodType<Record<string, unknown>>;
  private readonly byKey: Map<string, Expectation>;

  constructor(expectations: Expectation[]) {
    this.byKey = new Map(expectations.map((e) => [e.key, e]));
    const shape: Record<string, z.ZodType> = {};
    for (const e of expectations) shape[e.key] = e.schema.optional().describe(e.description);
    this.schema = z
      .strictObject(shape)
      .refine((v) => Object.keys(v).length > 0, { message: `expected at least one check: ${[...this.byKey.keys()].join(', ')}` }) as unknown as z.ZodType<
      Record<string, unknown>
    >;
    this.description = `checks: ${[...this.byKey.keys()].join(', ')}`;
  }

  run(args: Record<string, unknown>, ctx: StepContext): void {
    for (const [key, value] of Object.entries(args)) {
      if (value === undefined) continue;
      const e = this.byKey.get(key)!;
      const problem = e.check(value, ctx);
      if (problem !== null) ctx.fail(`expect ${key}: ${problem}`);
      else ctx.log(`expect ${key}: ok`);
    }
  }
}
