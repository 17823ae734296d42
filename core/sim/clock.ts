/**
 * The modelled-cycle clock. Everything that costs time (a cache miss, a CMO, a stage-2 fault)
 * advances it; events are stamped with it. One clock per machine.
 */
export interface Clock {
  /** Modelled cycles since the machine was built. */
  readonly now: number;
  /** Charges `cycles` (>= 0) to the machine. */
  advance(cycles: number): void;
}
export const Clock = Symbol.for('kvmsim.Clock');

export class SimClock implements Clock {
  now = 0;
  advance(cycles: number): void {
    this.now += cycles;
  }
}
