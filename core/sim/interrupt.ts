import type { Disposable } from '../common/disposable';

/**
 * A request to stop a long run (Ctrl-C), polled by the run loop between slices of work — never
 * per instruction. The VMM checks it between KVM_RUN slices of a few hundred thousand
 * instructions, so a stop lands at the next instruction boundary of the current slice.
 */
export class Interrupt {
  private flag = false;
  private why = '';

  get requested(): boolean {
    return this.flag;
  }

  /** Why the stop was asked for ('SIGINT', ...); empty while none was. */
  get reason(): string {
    return this.why;
  }

  request(reason = 'interrupted'): void {
    if (this.flag) return;
    this.flag = true;
    this.why = reason;
  }

  clear(): void {
    this.flag = false;
    this.why = '';
  }
}

export interface SigintOptions {
  /** Called on the first Ctrl-C (the run stops at its next slice). */
  onFirst?: () => void;
  /** Called on the second Ctrl-C before the process exits with status 130. */
  onSecond?: () => void;
}

/**
 * Ctrl-C for the lifetime of a run: the first SIGINT requests `interrupt` (the run stops cleanly
 * and prints its summary), the second exits at once with status 130. Disposing restores the
 * default behaviour.
 */
export function handleSigint(interrupt: Interrupt, opts: SigintOptions = {}): Disposable {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      interrupt.request('SIGINT');
      opts.onFirst?.();
      return;
    }
    opts.onSecond?.();
    process.exit(130);
  };
  process.on('SIGINT', handler);
  return {
    dispose: () => {
      process.off('SIGINT', handler);
    },
  };
}

/** The exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * Drives a sliced run (a generator that yields between slices) to its end, giving the event loop
 * a turn between slices so that signals (Ctrl-C) and timers get through. `onSlice` sees what
 * each slice yielded (progress).
 */
export async function driveSlices<Y, R>(run: Generator<Y, R, void>, onSlice?: (y: Y) => void): Promise<R> {
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    onSlice?.(r.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Runs a sliced run synchronously, slices back to back. */
export function drainSlices<R>(run: Generator<unknown, R, void>): R {
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}
