import type { z } from 'zod';
import type { Interrupt } from '../sim/interrupt';
import type { Machine } from './machine';

/** Where a step sits, for messages: `reboot.yaml: scenario[4] (run)`. */
export interface StepLocation {
  index: number;
  kind: string;
  /** Human-readable location, including file and line when known. */
  where: string;
  /**
   * Where something inside the step's args sits: `file:line:col: scenario[3].write.asm`. With
   * `line`, the position of that line (1-based) of a multi-line string written as a YAML
   * literal block (`asm: |`), when it can be told.
   */
  at?(rel: readonly PropertyKey[], line?: number): string;
}

export interface StepContext {
  readonly machine: Machine;
  readonly location: StepLocation;
  /** Folder that relative paths in the step (images, plugins) resolve against. */
  readonly baseDir: string;
  /** Records a failed expectation; the run goes on and ends with exit code 1. */
  fail(message: string): void;
  log(message: string): void;
  /** A stop asked for (Ctrl-C): a long step ends early at its next slice. */
  readonly interrupt?: Interrupt;
}

/** What `ScenarioStep.check` gets: where the step is, and where its paths resolve. */
export type StepCheckContext = Pick<StepContext, 'location' | 'baseDir'>;

/**
 * A kind of scenario step (`write`, `vcpu_init`, `run`, ...), contributed through DI by the
 * plugin or device that understands it. The core validates each step's args with `schema`
 * (errors point at the file, line and path) and dispatches to `run`.
 */
export interface ScenarioStep<A = unknown> {
  readonly kind: string;
  readonly description: string;
  readonly schema: z.ZodType<A>;
  run(args: A, ctx: StepContext): void;
  /**
   * `run` for a step that can take long (a guest running): yields the instructions retired so
   * far in the step every slice of work, so that the driver can show progress and take Ctrl-C
   * (`ctx.interrupt`). Steps without it are run whole.
   */
  runSliced?(args: A, ctx: StepContext): Generator<number, void, void>;
  /**
   * Loads and checks what `run` will load (files, assembly, images) without touching the
   * machine: a machine is built only when every step's inputs are good, so `validate` and the
   * start of a run report them before any work. Throws an InputError.
   */
  check?(args: A, ctx: StepCheckContext): void;
}
export const ScenarioStep = Symbol.for('kvmsim.ScenarioStep');

/**
 * One kind of check inside an `expect` step (`stat`, `events`, `uart`, `exit`, ...). Returns
 * null when the check holds, or a sentence saying what was found instead.
 */
export interface Expectation<A = unknown> {
  readonly key: string;
  readonly description: string;
  readonly schema: z.ZodType<A>;
  check(args: A, ctx: StepContext): string | null;
}
export const Expectation = Symbol.for('kvmsim.Expectation');
