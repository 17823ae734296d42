/**
 * System-space instructions of later architecture versions that Linux 6.1 carries behind CPU
 * feature checks: SB (FEAT_SB, ARMv8.5) and WFET/WFIT (FEAT_WFxT, ARMv8.7). A Cortex-A72 has
 * neither: decoded and printed, UNDEFINED when executed.
 */
import { bits } from '../bits';
import type { SpeculationBarrier, WaitWithTimeout } from '../insn';
import { encZR, fmt, regName, type Encoding } from './encoding';

/** The barrier space's CRm = 0, op2 = 7. */
export const speculationBarrier: Encoding<SpeculationBarrier> = {
  name: 'SB (FEAT_SB)',
  mask: 0xffffffff,
  match: 0xd50330ff,
  keys: ['SB'],
  decode: (w) => ({ op: 'SB', word: w }),
  format: () => 'sb',
  encode: () => 0xd50330ff,
};

/** System instructions with register argument: CRm = 0, op2 0 (WFET) or 1 (WFIT). */
export const waitWithTimeout: Encoding<WaitWithTimeout> = {
  name: 'WFET/WFIT (FEAT_WFxT)',
  mask: 0xffffffc0,
  match: 0xd5031000,
  keys: ['WFET', 'WFIT'],
  decode: (w) => ({ op: bits(w, 5, 5) ? 'WFIT' : 'WFET', word: w, rt: bits(w, 4, 0) }),
  format: (i) => fmt(i.op.toLowerCase(), regName(i.rt, true)),
  encode: (i) => (0xd5031000 | (i.op === 'WFIT' ? 1 << 5 : 0) | encZR(i.rt, true, 'Rt')) >>> 0,
};
