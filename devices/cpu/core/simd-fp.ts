/**
 * SIMD and floating point: the group's execution (SIMD_FP_OPS, numbered from 260).
 */
import type { Uop } from './decoded-ops';
import { SystemInstructions } from './system-instructions';

export abstract class SimdFp extends SystemInstructions {
  /** Returns true when the instruction completed and retires at PC + 4. */
  protected execSimdFp(u: Uop, pc: number): boolean {
    this.undefinedInsn(pc, u.word, `no execution for op ${u.insn.op}`);
    return false;
  }
}
