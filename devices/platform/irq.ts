/**
 * Interrupt wiring: a device drives a level-sensitive line; the interrupt controller (the GIC)
 * owns the lines and decides which CPU is interrupted. A machine without a controller gives
 * devices a line that only remembers its level, so a device never needs to ask.
 */

/** One level-sensitive interrupt line, as a device sees it. */
export interface IrqLine {
  readonly level: boolean;
  set(level: boolean): void;
}

/** The lines of the machine's interrupt controller, by the device tree's numbering. */
export interface InterruptController {
  /** Shared peripheral interrupt `n` (the tree's `<0 n flags>`: GIC INTID 32 + n). */
  spi(n: number): IrqLine;
  /** Private peripheral interrupt `n` of CPU `cpu` (the tree's `<1 n flags>`: INTID 16 + n). */
  ppi(cpu: number, n: number): IrqLine;
}
export const InterruptController = Symbol.for('kvmsim.InterruptController');

/** A line wired to nothing: it keeps its level (a device's status registers still show it). */
export class UnwiredIrqLine implements IrqLine {
  level = false;
  set(level: boolean): void {
    this.level = level;
  }
}
