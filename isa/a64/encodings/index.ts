/**
 * The encoding table: one entry per instruction class, each with its mask/match, and the three
 * functions that the decoder, the disassembler and the assembler share — decode (word → fields),
 * format (fields → GNU objdump text) and encode (fields → word, validating every field).
 *
 * The rows live with their group of the Arm ARM's top-level encoding index: data processing
 * (immediate), data processing (register), loads and stores, branches and system (the subset
 * has no SIMD and FP). This file assembles them into one table.
 */
import type { InsnFields, SimdFp } from '../insn';
import { withInner, type Encoding } from './encoding';
import { addSubImm, bitfield, extract, logicImm, moveWide, pcRel } from './data-processing-immediate';
import { addSubReg, condSelect, dataProc2, logicReg, mulAdd } from './data-processing-register';
import { addSubCarry, addSubExt, condCompareImm, condCompareReg, crc32, dataProc1, mulAddLong, mulHigh } from './data-processing-register';
import { atomicMemOp, compareSwap, compareSwapPair } from './atomics';
import { rcpcUnscaled } from './rcpc';
import { barrierNxs, condBranchConsistent, speculationBarrier, tmeCancel, tmeCommit, tmeStartTest, waitWithTimeout, withSysV8x } from './system-v8x';
import { eretPac, pacBranch, pacLoad } from './pointer-auth';
import { memoryTag } from './mte';
import { memoryCopySet } from './mops';
import { ldrLiteral, ldstImmRow, ldstReg, ldstUimm, ldstUnprivileged, pairNonTemporal, pairRow } from './loads-stores';
import { clearExclusive, loadStoreExclusiveRows } from './loads-stores-exclusive';
import { barrierRow, branchImm, branchReg, cacheOpRows, compareBranch, condBranch, eret, exceptionRow, hint, msrImm, sysRegRow, testBranch } from './branches-system';
import { atRow, tlbiRow } from './tlbi-at';
import { op0MoveRows, sysRows, sysl } from './system-generic';
import { SIMD_FP_LDST_ROWS } from './simd-fp-ldst';
import { SIMD_ROWS } from './simd-fp-advsimd';
import { FP_ROWS } from './simd-fp-scalar';

export { EncodingError, isMoveWideImm, regName, type Encoding } from './encoding';
export { ldstMnemonic } from './loads-stores';

/** The whole table, in no particular order: rows never overlap (a test checks it). */
export const ENCODINGS: readonly Encoding[] = [
  moveWide,
  addSubImm,
  addSubReg,
  logicImm,
  logicReg,
  bitfield,
  extract,
  mulAdd,
  dataProc2,
  condSelect,
  // data processing beyond the first subset
  addSubExt,
  addSubCarry,
  condCompareReg,
  condCompareImm,
  dataProc1,
  mulAddLong,
  mulHigh,
  crc32,
  ldstUimm,
  ldstImmRow('load/store register (unscaled immediate)', 0x38000000, 'unscaled'),
  ldstImmRow('load/store register (immediate post-indexed)', 0x38000400, 'post'),
  ldstImmRow('load/store register (immediate pre-indexed)', 0x38000c00, 'pre'),
  ldstReg,
  ldrLiteral,
  pairRow('load/store register pair (offset)', 0x29000000, 'offset'),
  pairRow('load/store register pair (pre-indexed)', 0x29800000, 'pre'),
  pairRow('load/store register pair (post-indexed)', 0x28800000, 'post'),
  // loads and stores added (issue 9)
  pairNonTemporal,
  ldstUnprivileged,
  ...loadStoreExclusiveRows,
  clearExclusive,
  pcRel,
  branchImm,
  condBranch,
  compareBranch,
  testBranch,
  branchReg,
  eret,
  exceptionRow('SVC', 0xd4000001),
  exceptionRow('HVC', 0xd4000002),
  exceptionRow('SMC', 0xd4000003),
  exceptionRow('BRK', 0xd4200000),
  hint,
  barrierRow('DSB', 0xd503309f),
  barrierRow('DMB', 0xd50330bf),
  barrierRow('ISB', 0xd50330df),
  msrImm,
  ...cacheOpRows.map((r, i) => withSysV8x(r, i === 0)),
  tlbiRow,
  atRow,
  sysRegRow('MRS', 0xd5300000),
  sysRegRow('MSR', 0xd5100000),
  // Beyond ARMv8.0: decoded and printed, UNDEFINED on a Cortex-A72 (features: BEYOND_V80_FEATURES).
  atomicMemOp,
  compareSwap,
  compareSwapPair,
  rcpcUnscaled,
  speculationBarrier,
  barrierNxs,
  condBranchConsistent,
  pacBranch,
  eretPac,
  pacLoad,
  memoryTag,
  tmeCommit,
  tmeCancel,
  memoryCopySet,
  // HLT, and SYS/SYSL outside DC/IC/AT/TLBI.
  exceptionRow('HLT', 0xd4400000),
  ...sysRows,
  sysl,
  // ARMv8.x instructions inside the op0 = 0 system-register space: WFET/WFIT, TSTART/TTEST.
  withInner(op0MoveRows[0], [tmeStartTest]),
  withInner(op0MoveRows[1], [waitWithTimeout]),
  ...op0MoveRows.slice(2),
  // SIMD and floating point.
  ...SIMD_FP_LDST_ROWS,
  ...SIMD_ROWS,
  ...FP_ROWS,
] as unknown as readonly Encoding[];

/** The key an instruction's fields are encoded under (see `Encoding.keys`). */
export function encodingKey(i: InsnFields): string {
  if (i.op === 'PRFM' || i.op === 'LDPSW') return `${i.op}/${i.mode}`; // loads and stores added (issue 9)
  if (SIMD_FP_MODAL.has(i.op)) return `${i.op}/${(i as SimdFp).mode}`;
  return i.op === 'LDR' || i.op === 'STR' || i.op === 'LDP' || i.op === 'STP' ? `${i.op}/${i.mode}` : i.op;
}


/** SIMD&FP loads and stores: keyed by op and addressing mode, as LDR/STR are. */
const SIMD_FP_MODAL: ReadonlySet<string> = new Set(['LDR_V', 'STR_V', 'LDP_V', 'STP_V', 'LDNP_V', 'STNP_V', 'LD1', 'ST1', 'LD2', 'ST2', 'LD3', 'ST3', 'LD4', 'ST4', 'LDNS', 'STNS', 'LDNR']);
