/**
 * Branch and system instructions of later architecture versions, some of which Linux 6.1 carries
 * behind CPU feature checks: SB (FEAT_SB, ARMv8.5), WFET/WFIT (FEAT_WFxT, ARMv8.7), DSB nXS
 * (FEAT_XS, ARMv8.7), BC.cond (FEAT_HBC, ARMv8.8), DC CVAP/CVADP (FEAT_DPB, FEAT_DPB2). A Cortex-A72 has none of them: decoded and
 * printed, UNDEFINED when executed.
 */
import { bits, signExtend } from '../bits';
import type { BarrierNxs, CondBranchConsistent, DataCachePersist, InsnFields, SpeculationBarrier, WaitWithTimeout } from '../insn';
import { CONDITIONS } from '../names';
import { EncodingError, checkCond, checkOffset, checkUnsigned, encZR, fmt, regName, target, type Encoding } from './encoding';

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

const NXS_OPTIONS = ['osh', 'nsh', 'ish', 'sy'];

/** The barrier space's op2 = 1 with CRm = xx10: DSB with the nXS qualifier. */
export const barrierNxs: Encoding<BarrierNxs> = {
  name: 'DSB nXS (FEAT_XS)',
  mask: 0xfffff3ff,
  match: 0xd503323f,
  keys: ['DSB_NXS'],
  decode: (w) => ({ op: 'DSB_NXS', word: w, option: bits(w, 11, 10) }),
  format: (i) => fmt('dsb', `${NXS_OPTIONS[i.option]}nxs`),
  encode: (i) => (0xd503323f | (checkUnsigned(i.option, 2, 'DSB nXS option') << 10)) >>> 0,
};

/** Conditional branch (immediate) with bit 4 set. */
export const condBranchConsistent: Encoding<CondBranchConsistent> = {
  name: 'BC.cond (FEAT_HBC)',
  mask: 0xff000010,
  match: 0x54000010,
  keys: ['BC_COND'],
  decode: (w) => ({ op: 'BC_COND', word: w, cond: bits(w, 3, 0), imm: signExtend(bits(w, 23, 5), 19) * 4 }),
  format(i, pc) {
    const names = CONDITIONS[i.cond];
    return fmt(`bc.${names[0]}`, target(pc, i.imm), names.length > 1 ? names.slice(1).map((n) => `bc.${n}`).join(', ') : undefined);
  },
  encode: (i) => (0x54000010 | (checkOffset(i.imm, 19, 4, 'BC.cond offset') << 5) | checkCond(i.cond)) >>> 0,
};

/** DC CVAP (op1 3, CRm 12, op2 1) and CVADP (CRm 13) in the SYS space, by whole word minus Rt. */
const PERSIST: readonly [number, DataCachePersist['cacheOp']][] = [
  [0xd50b7c20, 'CVAP'],
  [0xd50b7d20, 'CVADP'],
];

/**
 * The SYS row (DC/IC, and whatever else it decodes) with DC CVAP/CVADP (FEAT_DPB, FEAT_DPB2)
 * added: they lie inside its mask, so they cannot be a row of their own.
 */
export function withDcPersist<F extends InsnFields>(sys: Encoding<F>): Encoding<F | DataCachePersist> {
  return {
    name: `${sys.name}, DC CVAP/CVADP (FEAT_DPB, FEAT_DPB2)`,
    mask: sys.mask,
    match: sys.match,
    keys: [...sys.keys, 'DC_PERSIST'],
    decode(w) {
      const p = PERSIST.find(([m]) => (w & ~31) >>> 0 === m);
      return p === undefined ? sys.decode(w) : { op: 'DC_PERSIST', word: w, cacheOp: p[1], rt: w & 31 };
    },
    format: (i, pc) => (i.op === 'DC_PERSIST' ? fmt('dc', `${i.cacheOp.toLowerCase()}, ${regName(i.rt, true)}`) : sys.format(i as F, pc)),
    encode(i) {
      if (i.op !== 'DC_PERSIST') return sys.encode(i as F);
      const p = PERSIST.find(([, n]) => n === i.cacheOp);
      if (p === undefined) throw new EncodingError(`${String(i.cacheOp)} is not CVAP or CVADP`);
      return (p[0] | encZR(i.rt, true, 'Rt')) >>> 0;
    },
  };
}
