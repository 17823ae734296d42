/**
 * The architecture feature of each decoded-but-not-implemented op (insn.ts, "beyond ARMv8.0"),
 * for the undefined-instruction report: a guest that runs LDADD on the Cortex-A72 model is told
 * it ran FEAT_LSE's LDADD, not an anonymous `.inst`.
 */
import { SYS_V8X_OPS } from './encodings/system-v8x';
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
  LD64B: 'FEAT_LS64 (ARMv8.7)',
  ST64B: 'FEAT_LS64 (ARMv8.7)',
  ST64BV: 'FEAT_LS64_V (ARMv8.7)',
  ST64BV0: 'FEAT_LS64_ACCDATA (ARMv8.7)',
  DSB_NXS: 'FEAT_XS (ARMv8.7)',
  BRA: 'FEAT_PAuth (ARMv8.3)',
  BLRA: 'FEAT_PAuth (ARMv8.3)',
  RETA: 'FEAT_PAuth (ARMv8.3)',
  ERETA: 'FEAT_PAuth (ARMv8.3)',
  LDRA: 'FEAT_PAuth (ARMv8.3)',
  STG: 'FEAT_MTE (ARMv8.5)',
  STZG: 'FEAT_MTE (ARMv8.5)',
  ST2G: 'FEAT_MTE (ARMv8.5)',
  STZ2G: 'FEAT_MTE (ARMv8.5)',
  LDG: 'FEAT_MTE (ARMv8.5)',
  STGM: 'FEAT_MTE2 (ARMv8.5)',
  STZGM: 'FEAT_MTE2 (ARMv8.5)',
  LDGM: 'FEAT_MTE2 (ARMv8.5)',
  BC_COND: 'FEAT_HBC (ARMv8.8)',
  SYS_V8X: '(per operation: SYS_V8X_OPS)',
  TSTART: 'FEAT_TME (ARMv9.0)',
  TTEST: 'FEAT_TME (ARMv9.0)',
  TCOMMIT: 'FEAT_TME (ARMv9.0)',
  TCANCEL: 'FEAT_TME (ARMv9.0)',
  CPY: 'FEAT_MOPS (ARMv8.8)',
  CPYF: 'FEAT_MOPS (ARMv8.8)',
  SET: 'FEAT_MOPS (ARMv8.8)',
  SETG: 'FEAT_MOPS (ARMv8.8) with FEAT_MTE',
};

export function isBeyondV80(insn: Insn): insn is Insn & BeyondV80 {
  return Object.prototype.hasOwnProperty.call(BEYOND_V80_FEATURES, insn.op);
}

/** Why executing `insn` is UNDEFINED: `ldadd w1, w2, [x3]: FEAT_LSE (ARMv8.1), which ...`. */
export function notOnA72(insn: Insn & BeyondV80, text: string): string {
  const feature = insn.op === 'SYS_V8X' ? SYS_V8X_OPS.find((o) => o[1] === insn.operation)![2] : BEYOND_V80_FEATURES[insn.op];
  return `${text.replace(/\s+/g, ' ')}: ${feature}, which the Cortex-A72 (ARMv8.0) does not implement`;
}
