/**
 * Branch and system instructions of later architecture versions, some of which Linux 6.1 carries
 * behind CPU feature checks: SB (FEAT_SB, ARMv8.5), WFET/WFIT (FEAT_WFxT, ARMv8.7), DSB nXS
 * (FEAT_XS, ARMv8.7), BC.cond (FEAT_HBC, ARMv8.8), TSTART/TTEST/TCOMMIT/TCANCEL (FEAT_TME), and SYS operations: DC CVAP/CVADP (FEAT_DPB, DPB2), MTE's DC
 * operations, CFP/DVP/CPP RCTX (FEAT_SPECRES). A Cortex-A72 has none of them: decoded and
 * printed, UNDEFINED when executed.
 */
import { bits, signExtend } from '../bits';
import type { BarrierNxs, CondBranchConsistent, InsnFields, SpeculationBarrier, SysOpBeyondV80, TransactionalMemory, WaitWithTimeout } from '../insn';
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

/** FEAT_TME (ARMv9.0-A's transactional memory): TSTART/TTEST in the system-register-move space with op0 = 0. */
export const tmeStartTest: Encoding<TransactionalMemory> = {
  name: 'TSTART/TTEST (FEAT_TME)',
  mask: 0xfffffee0,
  match: 0xd5233060,
  keys: ['TSTART', 'TTEST'],
  decode: (w) => ({ op: bits(w, 8, 8) ? 'TTEST' : 'TSTART', word: w, rt: bits(w, 4, 0), imm: 0 }),
  format: (i) => fmt(i.op.toLowerCase(), regName(i.rt, true)),
  encode: (i) => (0xd5233060 | (i.op === 'TTEST' ? 1 << 8 : 0) | encZR(i.rt, true, 'Rt')) >>> 0,
};

/** TCOMMIT: the barrier space's CRm = 0, op2 = 3. */
export const tmeCommit: Encoding<TransactionalMemory> = {
  name: 'TCOMMIT (FEAT_TME)',
  mask: 0xffffffff,
  match: 0xd503307f,
  keys: ['TCOMMIT'],
  decode: (w) => ({ op: 'TCOMMIT', word: w, rt: 31, imm: 0 }),
  format: () => 'tcommit',
  encode: () => 0xd503307f,
};

/** TCANCEL #imm16: exception generation with opc = 011 (objdump prints the reason in decimal). */
export const tmeCancel: Encoding<TransactionalMemory> = {
  name: 'TCANCEL (FEAT_TME)',
  mask: 0xffe0001f,
  match: 0xd4600000,
  keys: ['TCANCEL'],
  decode: (w) => ({ op: 'TCANCEL', word: w, rt: 31, imm: bits(w, 20, 5) }),
  format: (i) => fmt('tcancel', `#${i.imm}`),
  encode: (i) => (0xd4600000 | (checkUnsigned(i.imm, 16, 'TCANCEL reason') << 5)) >>> 0,
};

/** [word with Rt = 0, objdump's name, feature]: SYS (CRn = 7) operations beyond ARMv8.0. */
export const SYS_V8X_OPS: readonly [number, string, string][] = [
  [0xd50b7c20, 'dc cvap', 'FEAT_DPB (ARMv8.2)'],
  [0xd50b7d20, 'dc cvadp', 'FEAT_DPB2 (ARMv8.5)'],
  [0xd50b7460, 'dc gva', 'FEAT_MTE (ARMv8.5)'],
  [0xd50b7480, 'dc gzva', 'FEAT_MTE (ARMv8.5)'],
  ...([
    [0xd5087660, 'igvac'], [0xd5087680, 'igsw'], [0xd50876a0, 'igdvac'], [0xd50876c0, 'igdsw'],
    [0xd5087a80, 'cgsw'], [0xd5087ac0, 'cgdsw'], [0xd5087e80, 'cigsw'], [0xd5087ec0, 'cigdsw'],
    [0xd50b7a60, 'cgvac'], [0xd50b7aa0, 'cgdvac'], [0xd50b7c60, 'cgvap'], [0xd50b7ca0, 'cgdvap'],
    [0xd50b7d60, 'cgvadp'], [0xd50b7da0, 'cgdvadp'], [0xd50b7e60, 'cigvac'], [0xd50b7ea0, 'cigdvac'],
  ] as const).map(([w, n]) => [w, `dc ${n}`, 'FEAT_MTE2 (ARMv8.5)'] as [number, string, string]),
  [0xd50e7e20, 'dc cipapa', 'FEAT_RME (ARMv9.2)'],
  [0xd50e7ea0, 'dc cigdpapa', 'FEAT_RME (ARMv9.2) with FEAT_MTE2'],
  [0xd50b7380, 'cfp rctx', 'FEAT_SPECRES (ARMv8.5)'],
  [0xd50b73a0, 'dvp rctx', 'FEAT_SPECRES (ARMv8.5)'],
  [0xd50b73e0, 'cpp rctx', 'FEAT_SPECRES (ARMv8.5)'],
];

/**
 * The SYS row (DC/IC, and whatever else it decodes) with the SYS_V8X_OPS added: they lie inside
 * its mask, so they cannot be a row of their own.
 */
export function withSysV8x<F extends InsnFields>(sys: Encoding<F>, ownsKey = true): Encoding<F | SysOpBeyondV80> {
  return {
    name: `${sys.name}; DC CVAP/CVADP, MTE's DC operations, CFP/DVP/CPP RCTX (beyond ARMv8.0)`,
    mask: sys.mask,
    match: sys.match,
    // When several SYS rows are wrapped, one of them encodes SYS_V8X (its encode needs no row).
    keys: ownsKey ? [...sys.keys, 'SYS_V8X'] : sys.keys,
    decode(w) {
      const p = SYS_V8X_OPS.find(([m]) => (w & ~31) >>> 0 === m);
      return p === undefined ? sys.decode(w) : { op: 'SYS_V8X', word: w, operation: p[1], rt: w & 31 };
    },
    format: (i, pc) => (i.op === 'SYS_V8X' ? `${i.operation.replace(' ', '\t')}, ${regName(i.rt, true)}` : sys.format(i as F, pc)),
    encode(i) {
      if (i.op !== 'SYS_V8X') return sys.encode(i as F);
      const p = SYS_V8X_OPS.find(([, n]) => n === i.operation);
      if (p === undefined) throw new EncodingError(`'${i.operation}' is not a SYS operation kvmsim knows`);
      return (p[0] | encZR(i.rt, true, 'Rt')) >>> 0;
    },
  };
}
