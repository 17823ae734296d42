/**
 * The decoded form of an A64 instruction: a small record per instruction class, tagged by `op`,
 * with every field already extracted (registers resolved to SP or ZR, immediates sign-extended
 * and scaled to bytes, bitmask immediates expanded), so the interpreter never looks at bits.
 *
 * Register numbers: 0-30 are X0-X30 / W0-W30, `ZR` (31) is XZR/WZR and `SP` (32) is SP/WSP. The
 * decoder applies the architecture's rule for each field (in `ADD (immediate)` Rn=31 is SP, in
 * `ADD (shifted register)` it is ZR), so a register file of 33 entries where 31 reads as zero
 * and ignores writes can be indexed directly. `sf` is true for 64-bit (X) operations.
 *
 * Branch and PC-relative immediates are byte offsets from the instruction's own address, so a
 * decoded word does not depend on where it sits and decodes can be cached by word.
 */

/** Zero register (XZR/WZR) as a decoded register number. */
export const ZR = 31;
/** Stack pointer (SP/WSP) as a decoded register number. */
export const SP = 32;

export type ShiftType = 'lsl' | 'lsr' | 'asr' | 'ror';
/** Index register extension of `LDR/STR (register)`: `lsl` is UXTX. */
export type Extend = 'uxtw' | 'lsl' | 'sxtw' | 'sxtx';

/**
 * Addressing of single-register loads/stores. `offset` (LDR, scaled unsigned immediate) and
 * `unscaled` (LDUR, signed 9-bit) both mean base + imm; they differ only in encoding.
 */
export type AddrMode = 'offset' | 'unscaled' | 'pre' | 'post' | 'reg' | 'literal';
export type PairAddrMode = 'offset' | 'pre' | 'post';

/** DC operations by virtual address and by set/way (ARMv8.0). */
export type DcOp = 'IVAC' | 'ISW' | 'CSW' | 'CISW' | 'ZVA' | 'CVAC' | 'CVAU' | 'CIVAC';
export type IcOp = 'IALLUIS' | 'IALLU' | 'IVAU';
/** SPSel, DAIFSet, DAIFClr; the rest are later versions' (UNDEFINED on the ARMv8.0 core, named as objdump does). */
export type PstateField = 'SPSel' | 'DAIFSet' | 'DAIFClr' | 'UAO' | 'PAN' | 'ALLINT' | 'SSBS' | 'DIT' | 'TCO';

/** Moves: `MOVZ Rd, #imm, LSL #shift` etc. `imm` is imm16, `shift` is hw*16. */
export interface MoveWide {
  readonly op: 'MOVZ' | 'MOVN' | 'MOVK';
  readonly sf: boolean;
  readonly rd: number;
  readonly imm: number;
  readonly shift: number;
}

/** `ADD (immediate)` family: `imm` is the value added (imm12 already shifted), `shift` 0 or 12. */
export interface AddSubImm {
  readonly op: 'ADD_IMM' | 'ADDS_IMM' | 'SUB_IMM' | 'SUBS_IMM';
  readonly sf: boolean;
  /** SP allowed for ADD/SUB, ZR for ADDS/SUBS. */
  readonly rd: number;
  /** SP allowed. */
  readonly rn: number;
  readonly imm: number;
  readonly shift: 0 | 12;
}

/** `ADD (shifted register)` family: Rd, Rn, Rm are ZR-style; `shiftType` is never `ror`. */
export interface AddSubReg {
  readonly op: 'ADD_REG' | 'ADDS_REG' | 'SUB_REG' | 'SUBS_REG';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly shiftType: ShiftType;
  readonly shift: number;
}

/** Logical (immediate): the bitmask immediate expanded to two unsigned 32-bit halves. */
export interface LogicImm {
  readonly op: 'AND_IMM' | 'ORR_IMM' | 'EOR_IMM' | 'ANDS_IMM';
  readonly sf: boolean;
  /** SP allowed except for ANDS (ZR). */
  readonly rd: number;
  readonly rn: number;
  readonly immLo: number;
  /** 0 when `sf` is false. */
  readonly immHi: number;
}

/** Logical (shifted register). BIC/ORN/EON/BICS invert the shifted Rm. */
export interface LogicReg {
  readonly op: 'AND_REG' | 'BIC_REG' | 'ORR_REG' | 'ORN_REG' | 'EOR_REG' | 'EON_REG' | 'ANDS_REG' | 'BICS_REG';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly shiftType: ShiftType;
  readonly shift: number;
}

/**
 * SBFM/UBFM (LSL/LSR/ASR immediate, SXTW, UBFX... are aliases) and BFM (BFI, BFXIL, BFC). `decodeBitMasks(sf, imms, immr,
 * false)` gives the wmask/tmask of the pseudo-code.
 */
export interface Bitfield {
  readonly op: 'SBFM' | 'UBFM' | 'BFM';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly immr: number;
  readonly imms: number;
}

/** EXTR (ROR immediate is its alias when Rn == Rm): Rd = (Rn:Rm) >> lsb. */
export interface Extr {
  readonly op: 'EXTR';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly lsb: number;
}

/** MADD/MSUB (MUL/MNEG when Ra is ZR): Rd = Ra ± Rn * Rm. */
export interface MulAdd {
  readonly op: 'MADD' | 'MSUB';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly ra: number;
}

/** Data-processing (2 source): divisions and variable shifts (printed LSL/LSR/ASR/ROR). */
export interface DataProc2 {
  readonly op: 'UDIV' | 'SDIV' | 'LSLV' | 'LSRV' | 'ASRV' | 'RORV';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
}

/** Conditional select: Rd = cond ? Rn : op(Rm); `cond` is 0-15 (EQ=0 ... NV=15). */
export interface CondSelect {
  readonly op: 'CSEL' | 'CSINC' | 'CSINV' | 'CSNEG';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly cond: number;
}

/**
 * Single-register integer load/store. Access of `1 << size` bytes; `signed` loads sign-extend to
 * the width of Rt (`sf`). Addressing by `mode`:
 *   offset / unscaled: [Rn + imm];  pre: Rn += imm, then [Rn];  post: [Rn], then Rn += imm;
 *   reg: [Rn + extend(Rm) << (scaled ? size : 0)];  literal: [PC + imm] (Rn is ZR, unused).
 * Rn is SP-style, Rt and Rm ZR-style. Outside `reg`, rm is ZR, extend 'lsl', scaled false.
 */
export interface LoadStore {
  readonly op: 'LDR' | 'STR';
  readonly size: 0 | 1 | 2 | 3;
  readonly signed: boolean;
  readonly sf: boolean;
  readonly rt: number;
  readonly rn: number;
  readonly mode: AddrMode;
  /** Byte offset (already scaled), or 0 for `reg`. */
  readonly imm: number;
  /** Index register for `reg`, else ZR. */
  readonly rm: number;
  /** For `reg`. */
  readonly extend: Extend;
  /** For `reg`: the index is shifted left by `size` (the S bit). */
  readonly scaled: boolean;
}

/** LDP/STP of two 32- or 64-bit registers; `imm` is the byte offset. */
export interface LoadStorePair {
  readonly op: 'LDP' | 'STP';
  readonly size: 2 | 3;
  readonly sf: boolean;
  readonly rt: number;
  readonly rt2: number;
  readonly rn: number;
  readonly mode: PairAddrMode;
  readonly imm: number;
}

// ---------------------------------------------------------------- loads and stores added (issue 9)

/**
 * PRFM / PRFUM: a prefetch hint (no architectural effect). `prfop` is the Rt field (0-31: type,
 * target level, policy). Addressing as LoadStore's, always of 8 bytes (the `reg` scale is 3).
 */
export interface Prefetch {
  readonly op: 'PRFM';
  readonly prfop: number;
  readonly rn: number;
  readonly mode: 'offset' | 'unscaled' | 'reg' | 'literal';
  readonly imm: number;
  readonly rm: number;
  readonly extend: Extend;
  readonly scaled: boolean;
}

/** LDPSW: two 32-bit loads, each sign-extended into an X register. */
export interface LoadPairSigned {
  readonly op: 'LDPSW';
  readonly rt: number;
  readonly rt2: number;
  readonly rn: number;
  readonly mode: PairAddrMode;
  readonly imm: number;
}

/** LDNP/STNP: LDP/STP (offset) with a non-temporal hint, nothing else. */
export interface LoadStorePairNonTemporal {
  readonly op: 'LDNP' | 'STNP';
  readonly size: 2 | 3;
  readonly sf: boolean;
  readonly rt: number;
  readonly rt2: number;
  readonly rn: number;
  readonly imm: number;
}

/** LDTR/STTR and their B/H/SB/SH/SW forms: [Rn + imm] (signed 9-bit), permission-checked as EL0 at EL1. */
export interface LoadStoreUnprivileged {
  readonly op: 'LDTR' | 'STTR';
  readonly size: 0 | 1 | 2 | 3;
  readonly signed: boolean;
  readonly sf: boolean;
  readonly rt: number;
  readonly rn: number;
  readonly imm: number;
}

/**
 * Exclusives and acquire/release, at [Rn] (SP-style). `size` is log2 of one register's access
 * (pairs: 2 or 3, the pair is twice that). Rs is the status register of the store exclusives (ZR
 * elsewhere), Rt2 the second register of the pairs (ZR elsewhere).
 */
export interface LoadStoreExclusive {
  readonly op: 'LDXR' | 'LDAXR' | 'STXR' | 'STLXR' | 'LDXP' | 'LDAXP' | 'STXP' | 'STLXP' | 'LDAR' | 'STLR';
  readonly size: 0 | 1 | 2 | 3;
  readonly rs: number;
  readonly rt: number;
  readonly rt2: number;
  readonly rn: number;
}

/** CLREX #imm (CRm, 15 when written without one): clears the local exclusive monitor. */
export interface ClearExclusive {
  readonly op: 'CLREX';
  readonly imm: number;
}

/** ADR: Rd = PC + imm. ADRP: Rd = (PC & ~0xfff) + imm (imm is a multiple of 4096). */
export interface PcRel {
  readonly op: 'ADR' | 'ADRP';
  readonly rd: number;
  readonly imm: number;
}

/** B/BL: target = PC + imm. */
export interface BranchImm {
  readonly op: 'B' | 'BL';
  readonly imm: number;
}

export interface CondBranch {
  readonly op: 'B_COND';
  readonly cond: number;
  readonly imm: number;
}

export interface CompareBranch {
  readonly op: 'CBZ' | 'CBNZ';
  readonly sf: boolean;
  readonly rt: number;
  readonly imm: number;
}

/** TBZ/TBNZ on bit `bit` (0-63) of Rt. */
export interface TestBranch {
  readonly op: 'TBZ' | 'TBNZ';
  readonly rt: number;
  readonly bit: number;
  readonly imm: number;
}

export interface BranchReg {
  readonly op: 'BR' | 'BLR' | 'RET';
  readonly rn: number;
}

/** SVC/HVC/SMC/BRK/HLT with their 16-bit immediate. */
export interface ExceptionGen {
  readonly op: 'SVC' | 'HVC' | 'SMC' | 'BRK' | 'HLT';
  readonly imm: number;
}

export interface Eret {
  readonly op: 'ERET';
}

/**
 * The hint space. Unallocated hints execute as NOP (architecturally), so every hint that is not
 * YIELD/WFE/WFI/SEV/SEVL decodes as NOP; `imm` (CRm:op2) keeps which one it was.
 */
export interface Hint {
  readonly op: 'NOP' | 'YIELD' | 'WFE' | 'WFI' | 'SEV' | 'SEVL';
  readonly imm: number;
}

/** DSB/DMB with their CRm option (SY=15, ISH=11, ...); ISB's CRm (15 = SY). */
export interface Barrier {
  readonly op: 'DSB' | 'DMB' | 'ISB';
  readonly option: number;
}

/** DC/IC by VA or set/way; Rt is the address or set/way (ZR for IC IALLU/IALLUIS). */
export interface DataCacheOp {
  readonly op: 'DC';
  readonly cacheOp: DcOp;
  readonly rt: number;
}
export interface InsnCacheOp {
  readonly op: 'IC';
  readonly cacheOp: IcOp;
  readonly rt: number;
}

/** TLBI <op>{, Xt}: `sysOp` is the operation's name (encodings/tlbi-at.ts TLBI_OPS, upper case). */
export interface TlbiInsn {
  readonly op: 'TLBI';
  readonly sysOp: string;
  readonly rt: number;
}
/** AT <op>, Xt (encodings/tlbi-at.ts AT_OPS). */
export interface AtInsn {
  readonly op: 'AT';
  readonly sysOp: string;
  readonly rt: number;
}

/** MRS Rt, <reg> / MSR <reg>, Rt. `sysreg` packs op0:op1:CRn:CRm:op2 as Linux's sys_reg(). */
export interface SysRegMove {
  readonly op: 'MRS' | 'MSR';
  readonly sysreg: number;
  readonly rt: number;
}

/** MSR <pstatefield>, #imm (imm is CRm, 0-15). */
export interface PstateMove {
  readonly op: 'MSR_IMM';
  readonly field: PstateField;
  readonly imm: number;
}

// ---------------------------------------------------------------- data processing beyond the first subset

/** The extend of an extended-register operand, in the order of the `option` field (0-7). */
export type RegExtend = 'uxtb' | 'uxth' | 'uxtw' | 'uxtx' | 'sxtb' | 'sxth' | 'sxtw' | 'sxtx';

/**
 * `ADD (extended register)` family: Rd = Rn ± (extend(Rm) << shift), shift 0-4. Rd is SP-style
 * for ADD/SUB and ZR-style for ADDS/SUBS, Rn is SP-style, Rm ZR-style (an X register only for
 * UXTX/SXTX of a 64-bit operation).
 */
export interface AddSubExt {
  readonly op: 'ADD_EXT' | 'ADDS_EXT' | 'SUB_EXT' | 'SUBS_EXT';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly extend: RegExtend;
  readonly shift: number;
}

/** ADC/ADCS/SBC/SBCS (NGC/NGCS when Rn is ZR): Rd = Rn + Rm + C, or Rn + ~Rm + C. */
export interface AddSubCarry {
  readonly op: 'ADC' | 'ADCS' | 'SBC' | 'SBCS';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
}

/** CCMP/CCMN (register): flags of Rn - Rm (or Rn + Rm) if `cond` holds, else `nzcv` (0-15). */
export interface CondCompareReg {
  readonly op: 'CCMN_REG' | 'CCMP_REG';
  readonly sf: boolean;
  readonly rn: number;
  readonly rm: number;
  readonly nzcv: number;
  readonly cond: number;
}

/** CCMP/CCMN (immediate): as the register form with a 5-bit unsigned immediate. */
export interface CondCompareImm {
  readonly op: 'CCMN_IMM' | 'CCMP_IMM';
  readonly sf: boolean;
  readonly rn: number;
  readonly imm: number;
  readonly nzcv: number;
  readonly cond: number;
}

/**
 * Data-processing (1 source). `REV` reverses every byte of the operation's width (REV64 is its
 * X alias), REV32 the bytes of each word (X only), REV16 those of each halfword.
 */
export interface DataProc1 {
  readonly op: 'RBIT' | 'REV16' | 'REV32' | 'REV' | 'CLZ' | 'CLS';
  readonly sf: boolean;
  readonly rd: number;
  readonly rn: number;
}

/** SMADDL/SMSUBL/UMADDL/UMSUBL (SMULL... when Ra is ZR): Xd = Xa ± Wn * Wm, 64-bit product. */
export interface MulAddLong {
  readonly op: 'SMADDL' | 'SMSUBL' | 'UMADDL' | 'UMSUBL';
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly ra: number;
}

/** SMULH/UMULH: Xd = bits 127:64 of Xn * Xm. */
export interface MulHigh {
  readonly op: 'SMULH' | 'UMULH';
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
}

/** CRC32{B,H,W,X} and CRC32C{B,H,W,X}: Wd = CRC of Wn updated with the low bytes of Rm (Xm for X). */
export interface Crc32 {
  readonly op: 'CRC32B' | 'CRC32H' | 'CRC32W' | 'CRC32X' | 'CRC32CB' | 'CRC32CH' | 'CRC32CW' | 'CRC32CX';
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
}

/**
 * SYS / SYSL (op0 = 1) outside the operations the core knows by name (DC, IC, AT, TLBI):
 * `sys #op1, Cn, Cm, #op2{, Xt}` and `sysl Xt, #op1, Cn, Cm, #op2`. `name` is objdump's name
 * for an operation of a later architecture version (`dc cvap`, `cfp rctx`), which it prints
 * instead of the generic form.
 */
export interface SysInsn {
  readonly op: 'SYS' | 'SYSL';
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  readonly rt: number;
  readonly name?: string;
}

/** Any word outside the supported subset (or reserved/unallocated): executing it is UNDEFINED. */
export interface Undefined {
  readonly op: 'UNDEFINED';
}

// ---------------------------------------------------------------- beyond ARMv8.0
// Encodings of later architecture versions that compilers and kernels emit (behind feature
// checks): decoded and printed as objdump does, but UNDEFINED on a Cortex-A72 (ARMv8.0), which
// does not implement them. Rows: encodings/atomics.ts, rcpc.ts, system-v8x.ts, pointer-auth.ts,
// mte.ts, mops.ts.

export type AtomicOpName = 'ADD' | 'CLR' | 'EOR' | 'SET' | 'SMAX' | 'SMIN' | 'UMAX' | 'UMIN' | 'SWP';

/** FEAT_LSE: LD<op>{A}{L}{B,H} Rs, Rt, [Xn|SP] and SWP (ST<op> is LD<op> with Rt = ZR, A = 0). */
export interface AtomicMemOp {
  readonly op: 'LSE_ATOMIC';
  readonly atomic: AtomicOpName;
  readonly size: 0 | 1 | 2 | 3;
  readonly acquire: boolean;
  readonly release: boolean;
  readonly rs: number;
  readonly rt: number;
  readonly rn: number;
}

/** FEAT_LSE: CAS{A}{L}{B,H} Rs, Rt, [Xn|SP]. */
export interface CompareSwap {
  readonly op: 'CAS';
  readonly size: 0 | 1 | 2 | 3;
  readonly acquire: boolean;
  readonly release: boolean;
  readonly rs: number;
  readonly rt: number;
  readonly rn: number;
}

/** FEAT_LSE: CASP{A}{L} Rs, Rs+1, Rt, Rt+1, [Xn|SP] (Rs and Rt even). */
export interface CompareSwapPair {
  readonly op: 'CASP';
  readonly sf: boolean;
  readonly acquire: boolean;
  readonly release: boolean;
  readonly rs: number;
  readonly rt: number;
  readonly rn: number;
}

/** FEAT_LRCPC: LDAPR{B,H} Rt, [Xn|SP]. */
export interface LoadAcquirePc {
  readonly op: 'LDAPR';
  readonly size: 0 | 1 | 2 | 3;
  readonly rt: number;
  readonly rn: number;
}

/** FEAT_LRCPC2: LDAPUR{B,H,SB,SH,SW} / STLUR{B,H} Rt, [Xn|SP{, #simm9}]. */
export interface RcpcUnscaled {
  readonly op: 'LDAPUR' | 'STLUR';
  readonly size: 0 | 1 | 2 | 3;
  readonly signed: boolean;
  readonly sf: boolean;
  readonly rt: number;
  readonly rn: number;
  readonly imm: number;
}

/** FEAT_SB: the speculation barrier. */
export interface SpeculationBarrier {
  readonly op: 'SB';
}

/** FEAT_WFxT: WFET/WFIT Xt (wait with a timeout in Xt). */
export interface WaitWithTimeout {
  readonly op: 'WFET' | 'WFIT';
  readonly rt: number;
}

/** FEAT_LS64: LD64B/ST64B Xt, [Xn|SP]; ST64BV/ST64BV0 Xs, Xt, [Xn|SP] (Rs = ZR for the first two). */
export interface SingleCopy64 {
  readonly op: 'LD64B' | 'ST64B' | 'ST64BV' | 'ST64BV0';
  readonly rs: number;
  readonly rt: number;
  readonly rn: number;
}

/** FEAT_XS: DSB <option>nXS; `option` is CRm<3:2> (0 OSH, 1 NSH, 2 ISH, 3 SY). */
export interface BarrierNxs {
  readonly op: 'DSB_NXS';
  readonly option: number;
}

/**
 * FEAT_PAuth branches: BRAA/BRAB/BLRAA/BLRAB Xn, Xm|SP (`zero`: BRAAZ... with no modifier),
 * RETAA/RETAB, ERETAA/ERETAB. `key` is A or B.
 */
export interface PacBranch {
  readonly op: 'BRA' | 'BLRA' | 'RETA' | 'ERETA';
  readonly key: 'A' | 'B';
  readonly zero: boolean;
  readonly rn: number;
  readonly rm: number;
}

/** FEAT_PAuth: LDRAA/LDRAB Xt, [Xn|SP{, #simm10*8}]{!}. */
export interface PacLoad {
  readonly op: 'LDRA';
  readonly key: 'A' | 'B';
  readonly rt: number;
  readonly rn: number;
  readonly imm: number;
  readonly writeback: boolean;
}

/**
 * FEAT_MTE (load/store memory tags): STG/STZG/ST2G/STZ2G Xt|SP, with offset, pre- or post-index
 * (imm a multiple of 16); LDG Xt, [Xn|SP{, #imm}]; STGM/STZGM/LDGM Xt, [Xn|SP].
 */
export interface MemoryTag {
  readonly op: 'STG' | 'STZG' | 'ST2G' | 'STZ2G' | 'LDG' | 'STGM' | 'STZGM' | 'LDGM';
  readonly mode: 'offset' | 'pre' | 'post';
  readonly rt: number;
  readonly rn: number;
  readonly imm: number;
}

/** FEAT_HBC: BC.cond (a conditional branch hinting that it is not a loop). */
export interface CondBranchConsistent {
  readonly op: 'BC_COND';
  readonly cond: number;
  readonly imm: number;
}

/**
 * SYS operations of later versions, in objdump's words: `dc cvap` (FEAT_DPB), `dc gva` (FEAT_MTE),
 * `cfp rctx` (FEAT_SPECRES)... (encodings/system-v8x.ts lists them), with their Xt.
 */
export interface SysOpBeyondV80 {
  readonly op: 'SYS_V8X';
  readonly operation: string;
  readonly rt: number;
}

/** FEAT_TME: TSTART/TTEST Xt, TCOMMIT, TCANCEL #imm16. */
export interface TransactionalMemory {
  readonly op: 'TSTART' | 'TTEST' | 'TCOMMIT' | 'TCANCEL';
  readonly rt: number;
  readonly imm: number;
}

/**
 * FEAT_MOPS: CPY{F}{P,M,E}<options> [Xd]!, [Xs]!, Xn! and SET{G}{P,M,E}<options> [Xd]!, Xn!, Xs
 * (prologue, main, epilogue of a memcpy/memset). `options` is op2: for CPY the read/write
 * unprivileged and non-temporal hints (0-15), for SET 0-3 (T, N).
 */
export interface MemoryCopySet {
  readonly op: 'CPY' | 'CPYF' | 'SET' | 'SETG';
  readonly stage: 'P' | 'M' | 'E';
  readonly options: number;
  readonly rd: number;
  readonly rs: number;
  readonly rn: number;
}

export type BeyondV80 =
  | MemoryCopySet
  | TransactionalMemory
  | SysOpBeyondV80
  | AtomicMemOp
  | CompareSwap
  | CompareSwapPair
  | LoadAcquirePc
  | RcpcUnscaled
  | SpeculationBarrier
  | WaitWithTimeout
  | SingleCopy64
  | BarrierNxs
  | PacBranch
  | PacLoad
  | MemoryTag
  | CondBranchConsistent;

// ---------------------------------------------------------------- SIMD and floating point

/**
 * The SIMD and FP group (encodings/simd-fp*.ts): one record shape per Arm ARM encoding class,
 * tagged by `op`, its sub-opcode fields kept as the encoding has them (`u`, `size`, `opc`), so a
 * row decodes every mnemonic of its class and the interpreter switches on the fields.
 */
export type SimdFpOp =
  | 'LDR_V' | 'STR_V' | 'LDP_V' | 'STP_V' | 'LDNP_V' | 'STNP_V' | 'LD1' | 'ST1' | 'LD2' | 'ST2' | 'LD3' | 'ST3' | 'LD4' | 'ST4' | 'LDNS' | 'STNS' | 'LDNR'
  | 'V_3SAME' | 'S_3SAME' | 'V_3DIFF' | 'S_3DIFF' | 'V_2MISC' | 'S_2MISC' | 'V_ACROSS' | 'S_PAIR' | 'V_PERM' | 'V_EXT' | 'V_TBL'
  | 'V_ELEM' | 'S_ELEM' | 'V_SHIFT' | 'S_SHIFT' | 'V_COPY' | 'S_COPY' | 'V_MODIMM'
  | 'FP_INT' | 'FP_FIXED' | 'FP_IMM' | 'FP_1' | 'FP_2' | 'FP_3' | 'FP_CMP' | 'FP_CCMP' | 'FP_CSEL';

export interface SimdFp {
  readonly op: SimdFpOp;
  /** The Q bit: a 128-bit vector (false: 64 bits). */
  readonly q: boolean;
  /** The U bit (or op, o1: the class's one-bit selector). */
  readonly u: number;
  /**
   * Vector ops: the size field (elements of 8 << size bits). FP ops: the type field (0 S, 1 D,
   * 3 H). Loads/stores: log2 of the register's bytes (0 B ... 4 Q).
   */
  readonly size: number;
  /** The opcode field of the class (its width is the class's). */
  readonly opc: number;
  /** Vt (first) for loads/stores. */
  readonly rd: number;
  /** The base register for loads/stores (SP-style). */
  readonly rn: number;
  /** Rm; the index register of LDR (register) and of LD1/ST1 post-indexed by register. */
  readonly rm: number;
  /** Ra of FMADD...; Vt2 of pairs; the register count of LD1/ST1 and TBL. */
  readonly ra: number;
  /** Byte offset, element indices (imm5:imm4), shift (immh:immb), imm8, condition:nzcv... */
  readonly imm: number;
  /** General register width (sf) for FP_INT and the moves to/from general registers. */
  readonly sf: boolean;
  readonly mode: AddrMode;
  readonly extend: Extend;
  readonly scaled: boolean;
}

/** The fields of an instruction, without its encoding: what `encode` takes. */
export type InsnFields =
  | MoveWide
  | AddSubImm
  | AddSubReg
  | LogicImm
  | LogicReg
  | Bitfield
  | Extr
  | MulAdd
  | DataProc2
  | CondSelect
  | LoadStore
  | LoadStorePair
  | PcRel
  | BranchImm
  | CondBranch
  | CompareBranch
  | TestBranch
  | BranchReg
  | ExceptionGen
  | Eret
  | Hint
  | Barrier
  | DataCacheOp
  | InsnCacheOp
  | SysRegMove
  | PstateMove
  // data processing beyond the first subset
  | AddSubExt
  | AddSubCarry
  | CondCompareReg
  | CondCompareImm
  | DataProc1
  | MulAddLong
  | MulHigh
  | Crc32
  | BeyondV80

  // loads and stores added (issue 9)
  | Prefetch
  | LoadPairSigned
  | LoadStorePairNonTemporal
  | LoadStoreUnprivileged
  | LoadStoreExclusive
  | ClearExclusive


  // stage 1: TLB maintenance and address translation
  | TlbiInsn
  | AtInsn
  | SysInsn

  | SimdFp;

/** A decoded instruction: its fields plus the word it came from. */
export type Insn = (InsnFields | Undefined) & { readonly word: number };

export type Op = Insn['op'];

/** Narrows `Insn` by its `op`. */
export type InsnOf<O extends Op> = Extract<Insn, { op: O }>;
