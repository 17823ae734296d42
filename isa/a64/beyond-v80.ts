/**
 * The architecture feature of each decoded-but-not-implemented op (insn.ts, "beyond ARMv8.0"),
 * for the undefined-instruction report: a guest that runs LDADD on the Cortex-A72 model is told
 * it ran FEAT_LSE's LDADD, not an anonymous `.inst`.
 */
import type { BeyondV80, Insn } from './insn';

export type BeyondV80Op = BeyondV80['op'];

export const BEYOND_V80_FEATURES: Readonly<Record<BeyondV80Op, string>> = {
  LSE_ATOMIC: 'FEAT_LSE (ARMv8.1)',
  CAS: 'FEAT_LSE (ARMv8.1)',
  CASP: 'FEAT_LSE (ARMv8.1)',
  LDAPR: 'FEAT_LRCPC (ARMv8.3)',
  LDAPUR: 'FEAT_LRCPC2 (ARMv8.4)',
  STLUR: 'FEAT_LRCPC2 (ARMv8.4)',
  SB: 'FEAT_SB (ARMv8.5)',
  WFET: 'FEAT_WFxT (ARMv8.7)',
  WFIT: 'FEAT_WFxT (ARMv8.7)',
};

export function isBeyondV80(insn: Insn): insn is Insn & BeyondV80 {
  return Object.prototype.hasOwnProperty.call(BEYOND_V80_FEATURES, insn.op);
}

/** Why executing `insn` is UNDEFINED: `ldadd w1, w2, [x3]: FEAT_LSE (ARMv8.1), which ...`. */
export function notOnA72(insn: Insn & BeyondV80, text: string): string {
  return `${text.replace(/\s+/g, ' ')}: ${BEYOND_V80_FEATURES[insn.op]}, which the Cortex-A72 (ARMv8.0) does not implement`;
}
