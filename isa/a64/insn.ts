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
export type PstateField = 'SPSel' | 'DAIFSet' | 'DAIFClr';

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
 * SBFM/UBFM (LSL/LSR/ASR immediate, SXTW, UBFX... are aliases). `decodeBitMasks(sf, imms, immr,
 * false)` gives the wmask/tmask of the pseudo-code.
 */
export interface Bitfield {
  readonly op: 'SBFM' | 'UBFM';
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

/** SVC/HVC/SMC/BRK with their 16-bit immediate. */
export interface ExceptionGen {
  readonly op: 'SVC' | 'HVC' | 'SMC' | 'BRK';
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

/** Any word outside the supported subset (or reserved/unallocated): executing it is UNDEFINED. */
export interface Undefined {
  readonly op: 'UNDEFINED';
}

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
  | SimdFp;

/** A decoded instruction: its fields plus the word it came from. */
export type Insn = (InsnFields | Undefined) & { readonly word: number };

export type Op = Insn['op'];

/** Narrows `Insn` by its `op`. */
export type InsnOf<O extends Op> = Extract<Insn, { op: O }>;
