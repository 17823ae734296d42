/**
 * The decoded-op cache's entries: a decoded instruction flattened into one fixed shape (Uop) with
 * the small integer codes the interpreter's dispatch switch runs on, and the cache's geometry.
 */
import { hex, KvmsimError } from '../../../core';
import { decodeBitMasks } from '../../../isa/a64/bits';
import type { Insn, Op, ShiftType } from '../../../isa/a64/insn';

// Operation numbers for the dispatch switch (a jump table over small integers): the original
// subset 0-73, dense, then one range per encoding group for the ops added since, each run by its
// group's method (a64-core.ts dispatches on the range), so groups grow without renumbering.
const CORE_OPS = [
  'MOVZ', 'MOVN', 'MOVK', 'ADD_IMM', 'ADDS_IMM', 'SUB_IMM', 'SUBS_IMM', 'ADD_REG', 'ADDS_REG', 'SUB_REG', 'SUBS_REG',
  'AND_IMM', 'ORR_IMM', 'EOR_IMM', 'ANDS_IMM', 'AND_REG', 'BIC_REG', 'ORR_REG', 'ORN_REG', 'EOR_REG', 'EON_REG', 'ANDS_REG', 'BICS_REG',
  'SBFM', 'UBFM', 'EXTR', 'MADD', 'MSUB', 'UDIV', 'SDIV', 'LSLV', 'LSRV', 'ASRV', 'RORV', 'CSEL', 'CSINC', 'CSINV', 'CSNEG',
  'LDR', 'STR', 'LDP', 'STP', 'ADR', 'ADRP', 'B', 'BL', 'B_COND', 'CBZ', 'CBNZ', 'TBZ', 'TBNZ', 'BR', 'BLR', 'RET',
  'SVC', 'HVC', 'SMC', 'BRK', 'ERET', 'NOP', 'YIELD', 'WFE', 'WFI', 'SEV', 'SEVL', 'DSB', 'DMB', 'ISB', 'DC', 'IC',
  'MRS', 'MSR', 'MSR_IMM', 'UNDEFINED',
] as const satisfies readonly Op[];

/** Data processing (immediate and register) added since: numbered from 80, run by execDataProcessing. */
export const DATA_PROCESSING_BASE = 80;
// The order is the `case` numbering of DataProcessing.execDataProcessing (data-processing.ts).
const DATA_PROCESSING_OPS = [
  'ADD_EXT', 'ADDS_EXT', 'SUB_EXT', 'SUBS_EXT', 'ADC', 'ADCS', 'SBC', 'SBCS',
  'CCMN_REG', 'CCMP_REG', 'CCMN_IMM', 'CCMP_IMM', 'BFM',
  'RBIT', 'REV16', 'REV32', 'REV', 'CLZ', 'CLS',
  'SMADDL', 'SMSUBL', 'UMADDL', 'UMSUBL', 'SMULH', 'UMULH',
  'CRC32B', 'CRC32H', 'CRC32W', 'CRC32X', 'CRC32CB', 'CRC32CH', 'CRC32CW', 'CRC32CX',
] as const satisfies readonly Op[];

/** Loads and stores added since: numbered from 140, run by execLoadStore. */
export const LDST_BASE = 140;
// LDPSW, LDNP and STNP are not here: toUop gives them LDP's and STP's numbers (hot, and the same execution).
const LDST_OPS = ['PRFM', 'LDTR', 'STTR', 'LDXR', 'LDAXR', 'STXR', 'STLXR', 'LDXP', 'LDAXP', 'STXP', 'STLXP', 'LDAR', 'STLR', 'CLREX'] as const satisfies readonly Op[];

/** Branches and system added since: numbered from 200, run by execSystem. */
export const SYSTEM_BASE = 200;
const SYSTEM_OPS = [
  // System/EL helper: generic SYS/SYSL (UNDEFINED on this core) and HLT.
  'SYS', 'SYSL', 'HLT',
  // Stage-1 translation (TLB maintenance, address translation): system-instructions.ts.
  'TLBI', 'AT',
] as const satisfies readonly Op[];

/** SIMD and floating point: numbered from 260, run by execSimdFp. */
export const SIMD_FP_BASE = 260;
const SIMD_FP_OPS = [
  'LDR_V', 'STR_V', 'LDP_V', 'STP_V', 'LDNP_V', 'STNP_V', 'LD1', 'ST1',
  'V_3SAME', 'S_3SAME', 'V_2MISC', 'S_2MISC', 'V_ACROSS', 'S_PAIR', 'V_PERM', 'V_EXT', 'V_TBL',
  'V_SHIFT', 'S_SHIFT', 'V_COPY', 'S_COPY', 'V_MODIMM',
  'FP_INT', 'FP_IMM', 'FP_1', 'FP_2', 'FP_3', 'FP_CMP', 'FP_CCMP', 'FP_CSEL',
  'V_3DIFF', 'LD2', 'ST2', 'LD3', 'ST3', 'LD4', 'ST4', 'LDNS', 'STNS', 'LDNR', 'FP_FIXED', 'V_ELEM', 'S_ELEM', 'S_3DIFF',
] as const satisfies readonly Op[];

/**
 * Encodings of later architecture versions (isa/a64/beyond-v80.ts): numbered from 1000, never
 * executed: the core raises an undefined-instruction exception naming the instruction and its
 * feature, as a Cortex-A72 (ARMv8.0) does.
 */
export const BEYOND_V80_BASE = 1000;
const BEYOND_V80_OPS = [
  'LSE_ATOMIC', 'CAS', 'CASP', 'LDAPR', 'LDAPUR', 'STLUR', 'SB', 'WFET', 'WFIT', 'LD64B', 'ST64B', 'ST64BV', 'ST64BV0', 'DSB_NXS',
  'BRA', 'BLRA', 'RETA', 'ERETA', 'LDRA', 'STG', 'STZG', 'ST2G', 'STZ2G', 'LDG', 'STGM', 'STZGM', 'LDGM', 'BC_COND', 'SYS_V8X', 'TSTART', 'TTEST', 'TCOMMIT', 'TCANCEL', 'CPY', 'CPYF', 'SET', 'SETG',
] as const satisfies readonly Op[];

function numberOps(): Record<Op, number> {
  const out: Partial<Record<Op, number>> = {};
  const place = (base: number, limit: number, ops: readonly Op[]): void => {
    if (base + ops.length > limit) throw new KvmsimError(`op numbers ${base}-${base + ops.length - 1} overrun the next group at ${limit}`);
    ops.forEach((o, i) => (out[o] = base + i));
  };
  place(0, DATA_PROCESSING_BASE, CORE_OPS);
  place(DATA_PROCESSING_BASE, LDST_BASE, DATA_PROCESSING_OPS);
  place(LDST_BASE, SYSTEM_BASE, LDST_OPS);
  place(SYSTEM_BASE, SIMD_FP_BASE, SYSTEM_OPS);
  place(SIMD_FP_BASE, 1000, SIMD_FP_OPS);
  place(BEYOND_V80_BASE, 1100, BEYOND_V80_OPS);
  return out as Record<Op, number>;
}
export const OPC: Record<Op, number> = numberOps();
export const SHIFT_CODE: Record<ShiftType, number> = { lsl: 0, lsr: 1, asr: 2, ror: 3 };

/**
 * The decode cache: 2^DECODE_BITS sets of two ways, indexed by a hash of the word. Two ways, so
 * two hot words whose hashes collide (sieve's print_dec loop has such a pair) do not evict each
 * other on every pass.
 */
export const DECODE_BITS = 12;
export const DECODE_SIZE = 2 << DECODE_BITS;

export const MODE: Record<string, number> = { offset: 0, unscaled: 0, pre: 1, post: 2, reg: 3, literal: 4 };
export const EXTEND: Record<string, number> = { uxtw: 0, lsl: 1, sxtw: 2, sxtx: 3 };
/** PSTATE fields of MSR (immediate); those from 3 on are later versions' (UNDEFINED here). */
export const PSTATE_FIELD: Record<string, number> = { SPSel: 0, DAIFSet: 1, DAIFClr: 2, UAO: 3, PAN: 4, ALLINT: 5, SSBS: 6, DIT: 7, TCO: 8 };
/** Extended-register extends, as the `option` field: UXTB 0 ... UXTX 3, SXTB 4 ... SXTX 7. */
export const REG_EXTEND_CODE: Record<string, number> = { uxtb: 0, uxth: 1, uxtw: 2, uxtx: 3, sxtb: 4, sxth: 5, sxtw: 6, sxtx: 7 };

/**
 * A decoded instruction flattened into one fixed shape, so the interpreter's field loads are
 * monomorphic whatever the instruction class. Built once per distinct word (decode-cache miss).
 */
export class Uop {
  opc = 0;
  word = 0;
  sf = false;
  rd = 0;
  rn = 0;
  rm = 0;
  /** Ra of MADD/MSUB, Rt2 of LDP/STP. */
  ra = 0;
  /** Immediate, low half of a logical immediate, branch offset, bit of TBZ, lsb of EXTR, sysreg, DC/IC op. */
  imm = 0;
  /** High half of a logical immediate; MOVZ/MOVK shift; CCMP/CCMN's NZCV. */
  immHi = 0;
  /** Shift type (0 LSL, 1 LSR, 2 ASR, 3 ROR) and amount of a shifted register. */
  shiftType = 0;
  shift = 0;
  cond = 0;
  /** Loads/stores: log2 of the access size, addressing mode, index extension; ADD_EXT...: the extend (REG_EXTEND_CODE). */
  size = 0;
  mode = 0;
  ext = 0;
  signed = false;
  scaled = false;
  /** SBFM/UBFM: immr, imms and the wmask/tmask halves; MOVZ/MOVN: wLo/wHi = imm << shift. */
  immr = 0;
  imms = 0;
  wLo = 0;
  wHi = 0;
  tLo = 0;
  tHi = 0;
  constructor(readonly insn: Insn) {}
}

export const DC_CODE: Record<string, number> = { IVAC: 0, ISW: 1, CSW: 2, CISW: 3, ZVA: 4, CVAC: 5, CVAU: 6, CIVAC: 7 };
export const DC_NAMES = ['IVAC', 'ISW', 'CSW', 'CISW', 'ZVA', 'CVAC', 'CVAU', 'CIVAC'] as const;
export const IC_CODE: Record<string, number> = { IALLUIS: 0, IALLU: 1, IVAU: 2 };
/** The TLBI and AT operations a Cortex-A72 executes at EL1 (Uop.imm indexes these; -1: UNDEFINED). */
export const TLBI_EXEC = ['VMALLE1', 'VAE1', 'ASIDE1', 'VAAE1', 'VALE1', 'VAALE1', 'VMALLE1IS', 'VAE1IS', 'ASIDE1IS', 'VAAE1IS', 'VALE1IS', 'VAALE1IS'] as const;
export const AT_EXEC = ['S1E1R', 'S1E1W', 'S1E0R', 'S1E0W'] as const;

/** Flattens a decoded instruction. */
export function toUop(insn: Insn): Uop {
  const u = new Uop(insn);
  u.opc = OPC[insn.op];
  u.word = insn.word | 0;
  const f = insn as unknown as Record<string, unknown>;
  const num = (k: string): number => (typeof f[k] === 'number' ? (f[k] as number) : 0);
  u.sf = f.sf === true;
  u.rd = num('rd');
  u.rn = num('rn');
  u.rm = num('rm');
  u.imm = num('imm');
  u.cond = num('cond');
  switch (insn.op) {
    case 'MOVZ':
    case 'MOVN':
    case 'MOVK':
      u.immHi = insn.shift;
      // imm << shift as halves, for MOVZ / MOVN (shift 0, 16, 32 or 48).
      u.wLo = insn.shift < 32 ? insn.imm << insn.shift : 0;
      u.wHi = insn.shift < 32 ? 0 : insn.imm << (insn.shift - 32);
      break;
    case 'AND_IMM':
    case 'ORR_IMM':
    case 'EOR_IMM':
    case 'ANDS_IMM':
      u.imm = insn.immLo | 0;
      u.immHi = insn.immHi | 0;
      break;
    case 'ADD_REG':
    case 'ADDS_REG':
    case 'SUB_REG':
    case 'SUBS_REG':
    case 'AND_REG':
    case 'BIC_REG':
    case 'ORR_REG':
    case 'ORN_REG':
    case 'EOR_REG':
    case 'EON_REG':
    case 'ANDS_REG':
    case 'BICS_REG':
      u.shiftType = SHIFT_CODE[insn.shiftType];
      u.shift = insn.shift;
      break;
    case 'SBFM':
    case 'UBFM':
    case 'BFM': {
      u.immr = insn.immr;
      u.imms = insn.imms;
      const m = decodeBitMasks(insn.sf ? 1 : 0, insn.imms, insn.immr, false, insn.sf ? 64 : 32);
      if (m === undefined) throw new KvmsimError(`bitfield masks of word ${hex(insn.word)} are reserved`);
      u.wLo = Number(m.wmask & 0xffffffffn) | 0;
      u.wHi = Number(m.wmask >> 32n) | 0;
      u.tLo = Number(m.tmask & 0xffffffffn) | 0;
      u.tHi = Number(m.tmask >> 32n) | 0;
      break;
    }
    case 'EXTR':
      u.imm = insn.lsb;
      break;
    case 'MADD':
    case 'MSUB':
      u.ra = insn.ra;
      break;
    case 'LDR':
    case 'STR':
      u.rd = insn.rt;
      u.size = insn.size;
      u.signed = insn.signed;
      u.mode = MODE[insn.mode];
      u.ext = EXTEND[insn.extend];
      u.scaled = insn.scaled;
      break;
    case 'LDP':
    case 'STP':
      u.rd = insn.rt;
      u.ra = insn.rt2;
      u.size = insn.size;
      u.mode = MODE[insn.mode];
      break;
    case 'CBZ':
    case 'CBNZ':
      u.rd = insn.rt;
      break;
    case 'TBZ':
    case 'TBNZ':
      u.rd = insn.rt;
      u.shift = insn.bit;
      break;
    case 'DSB':
    case 'DMB':
    case 'ISB':
      u.imm = insn.option;
      break;
    case 'DC':
      u.rd = insn.rt;
      u.imm = DC_CODE[insn.cacheOp];
      break;
    case 'IC':
      u.rd = insn.rt;
      u.imm = IC_CODE[insn.cacheOp];
      break;
    case 'MRS':
    case 'MSR':
      u.rd = insn.rt;
      u.imm = insn.sysreg;
      break;
    case 'MSR_IMM':
      u.shift = PSTATE_FIELD[insn.field];
      break;
    // Data processing beyond the first subset.
    case 'ADD_EXT':
    case 'ADDS_EXT':
    case 'SUB_EXT':
    case 'SUBS_EXT':
      u.ext = REG_EXTEND_CODE[insn.extend];
      u.shift = insn.shift;
      break;
    case 'CCMN_REG':
    case 'CCMP_REG':
    case 'CCMN_IMM':
    case 'CCMP_IMM':
      u.immHi = insn.nzcv;
      break;
    case 'SMADDL':
    case 'SMSUBL':
    case 'UMADDL':
    case 'UMSUBL':
      u.ra = insn.ra;
      break;
    // ---- loads and stores added (issue 9)
    case 'PRFM':
      u.rd = insn.prfop;
      u.size = 3;
      break;
    // SIMD&FP: execSimdFp reads the decoded record (u.insn); the addressing of single-register
    // loads and stores goes through effectiveAddress, which reads these.
    case 'LDR_V':
    case 'STR_V':
      u.rd = insn.rd;
      u.size = insn.size;
      u.mode = MODE[insn.mode];
      u.ext = EXTEND[insn.extend];
      u.scaled = insn.scaled;
      break;
    case 'LDPSW':
      // LDP with both words sign-extended.
      u.opc = OPC.LDP;
      u.rd = insn.rt;
      u.ra = insn.rt2;
      u.size = 2;
      u.sf = true;
      u.signed = true;
      u.mode = MODE[insn.mode];
      break;
    case 'LDNP':
    case 'STNP':
      // The non-temporal hint changes nothing here: LDP/STP (offset).
      u.opc = insn.op === 'LDNP' ? OPC.LDP : OPC.STP;
      u.rd = insn.rt;
      u.ra = insn.rt2;
      u.size = insn.size;
      u.mode = MODE.offset;
      break;
    case 'LDTR':
    case 'STTR':
      u.rd = insn.rt;
      u.size = insn.size;
      u.signed = insn.signed;
      u.mode = MODE.offset;
      u.ext = EXTEND.lsl;
      break;
    case 'LDXR':
    case 'LDAXR':
    case 'STXR':
    case 'STLXR':
    case 'LDXP':
    case 'LDAXP':
    case 'STXP':
    case 'STLXP':
    case 'LDAR':
    case 'STLR':
      u.rd = insn.rt;
      u.ra = insn.rt2;
      u.rm = insn.rs;
      u.size = insn.size;
      u.sf = insn.size === 3;
      break;
    case 'TLBI':
      u.rd = insn.rt;
      u.imm = TLBI_EXEC.indexOf(insn.sysOp as (typeof TLBI_EXEC)[number]);
      break;
    case 'AT':
      u.rd = insn.rt;
      u.imm = AT_EXEC.indexOf(insn.sysOp as (typeof AT_EXEC)[number]);
      break;
    default:
      break;
  }
  return u;
}
