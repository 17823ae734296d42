/**
 * Data processing beyond the original subset (DATA_PROCESSING_OPS, numbered from 80).
 */
import { KvmsimError } from '../../../core';
import type { Uop } from './decoded-ops';
import { IntegerExecution } from './integer';

export abstract class DataProcessing extends IntegerExecution {
  /** Executes `u`; data processing never faults, so it always retires at PC + 4. */
  protected execDataProcessing(u: Uop): void {
    throw new KvmsimError(`no execution for op ${u.insn.op}`);
  }
}
