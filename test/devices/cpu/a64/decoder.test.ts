import fc from 'fast-check';
import { SIMD_FP_ROWS } from './simd-fp-cases';
import { ENCODINGS, SP, SysRegs, ZR, decode, disassemble, encode, encodingOf, type InsnFields, type LoadStore } from '../../../../isa/a64';

/** A load/store that is not register-offset: no index register. */
const ls = (f: Omit<LoadStore, 'rm' | 'extend' | 'scaled'>): LoadStore => ({ ...f, rm: ZR, extend: 'lsl', scaled: false });

/**
 * Words from GNU as 2.40 (aarch64-linux-gnu-as), one or more per table row, with the fields the
 * interpreter needs. PC-relative offsets are from each instruction to a label 0xa8 bytes into
 * the file where they were assembled.
 */
const CASES: [string, number, InsnFields][] = [
  ['movz x1, #0x1234, lsl #16', 0xd2a24681, { op: 'MOVZ', sf: true, rd: 1, imm: 0x1234, shift: 16 }],
  ['movn w10, #5', 0x128000aa, { op: 'MOVN', sf: false, rd: 10, imm: 5, shift: 0 }],
  ['movk x15, #0xdead, lsl #48', 0xf2fbd5af, { op: 'MOVK', sf: true, rd: 15, imm: 0xdead, shift: 48 }],
  ['add x0, x1, #0x10', 0x91004020, { op: 'ADD_IMM', sf: true, rd: 0, rn: 1, imm: 16, shift: 0 }],
  ['add x4, x5, #1, lsl #12', 0x914004a4, { op: 'ADD_IMM', sf: true, rd: 4, rn: 5, imm: 4096, shift: 12 }],
  ['add sp, sp, #16', 0x910043ff, { op: 'ADD_IMM', sf: true, rd: SP, rn: SP, imm: 16, shift: 0 }],
  ['subs x19, x20, #1', 0xf1000693, { op: 'SUBS_IMM', sf: true, rd: 19, rn: 20, imm: 1, shift: 0 }],
  ['add x3, x4, x5, lsl #3', 0x8b050c83, { op: 'ADD_REG', sf: true, rd: 3, rn: 4, rm: 5, shiftType: 'lsl', shift: 3 }],
  ['subs w27, w28, w29', 0x6b1d039b, { op: 'SUBS_REG', sf: false, rd: 27, rn: 28, rm: 29, shiftType: 'lsl', shift: 0 }],
  ['sub x18, xzr, x20, asr #2', 0xcb940bf2, { op: 'SUB_REG', sf: true, rd: 18, rn: ZR, rm: 20, shiftType: 'asr', shift: 2 }],
  ['and x0, x1, #0xff', 0x92401c20, { op: 'AND_IMM', sf: true, rd: 0, rn: 1, immLo: 0xff, immHi: 0 }],
  ['and sp, x4, #0xfffffffffffffff0', 0x927cec9f, { op: 'AND_IMM', sf: true, rd: SP, rn: 4, immLo: 0xfffffff0, immHi: 0xffffffff }],
  ['ands w15, w16, #0xff00', 0x72181e0f, { op: 'ANDS_IMM', sf: false, rd: 15, rn: 16, immLo: 0xff00, immHi: 0 }],
  ['orr x6, x7, x8, ror #63', 0xaac8fce6, { op: 'ORR_REG', sf: true, rd: 6, rn: 7, rm: 8, shiftType: 'ror', shift: 63 }],
  ['bics w15, w16, w17, lsl #31', 0x6a317e0f, { op: 'BICS_REG', sf: false, rd: 15, rn: 16, rm: 17, shiftType: 'lsl', shift: 31 }],
  ['ubfm x0, x1, #61, #60 (lsl #3)', 0xd37df020, { op: 'UBFM', sf: true, rd: 0, rn: 1, immr: 61, imms: 60 }],
  ['sbfm w16, w17, #1, #31 (asr #1)', 0x13017e30, { op: 'SBFM', sf: false, rd: 16, rn: 17, immr: 1, imms: 31 }],
  ['extr x12, x13, x14, #3', 0x93ce0dac, { op: 'EXTR', sf: true, rd: 12, rn: 13, rm: 14, lsb: 3 }],
  ['madd x0, x1, x2, x3', 0x9b020c20, { op: 'MADD', sf: true, rd: 0, rn: 1, rm: 2, ra: 3 }],
  ['msub w12, w13, w14, w15', 0x1b0ebdac, { op: 'MSUB', sf: false, rd: 12, rn: 13, rm: 14, ra: 15 }],
  ['udiv x25, x26, x27', 0x9adb0b59, { op: 'UDIV', sf: true, rd: 25, rn: 26, rm: 27 }],
  ['sdiv w3, w4, w5', 0x1ac50c83, { op: 'SDIV', sf: false, rd: 3, rn: 4, rm: 5 }],
  ['lslv x6, x7, x8', 0x9ac820e6, { op: 'LSLV', sf: true, rd: 6, rn: 7, rm: 8 }],
  ['rorv x15, x16, x17', 0x9ad12e0f, { op: 'RORV', sf: true, rd: 15, rn: 16, rm: 17 }],
  ['csel x0, x1, x2, eq', 0x9a820020, { op: 'CSEL', sf: true, rd: 0, rn: 1, rm: 2, cond: 0 }],
  ['csinc w3, w4, w5, gt', 0x1a85c483, { op: 'CSINC', sf: false, rd: 3, rn: 4, rm: 5, cond: 12 }],
  ['csinv x6, x7, x8, ne', 0xda8810e6, { op: 'CSINV', sf: true, rd: 6, rn: 7, rm: 8, cond: 1 }],
  ['csneg w9, w10, w11, cs', 0x5a8b2549, { op: 'CSNEG', sf: false, rd: 9, rn: 10, rm: 11, cond: 2 }],
  ['ldr x4, [sp, #32760]', 0xf97fffe4, ls({ op: 'LDR', size: 3, signed: false, sf: true, rt: 4, rn: SP, mode: 'offset', imm: 32760 })],
  ['ldrsh x21, [x22, #6]', 0x79800ed5, ls({ op: 'LDR', size: 1, signed: true, sf: true, rt: 21, rn: 22, mode: 'offset', imm: 6 })],
  ['strb wzr, [x3, #4095]', 0x393ffc7f, ls({ op: 'STR', size: 0, signed: false, sf: false, rt: ZR, rn: 3, mode: 'offset', imm: 4095 })],
  ['ldur x0, [x1, #-8]', 0xf85f8020, ls({ op: 'LDR', size: 3, signed: false, sf: true, rt: 0, rn: 1, mode: 'unscaled', imm: -8 })],
  ['ldursw x26, [x27, #-4]', 0xb89fc37a, ls({ op: 'LDR', size: 2, signed: true, sf: true, rt: 26, rn: 27, mode: 'unscaled', imm: -4 })],
  ['ldr x2, [x3, #-256]!', 0xf8500c62, ls({ op: 'LDR', size: 3, signed: false, sf: true, rt: 2, rn: 3, mode: 'pre', imm: -256 })],
  ['str x25, [sp], #16', 0xf80107f9, ls({ op: 'STR', size: 3, signed: false, sf: true, rt: 25, rn: SP, mode: 'post', imm: 16 })],
  ['ldr x5, l', 0x58ffffc5, ls({ op: 'LDR', size: 3, signed: false, sf: true, rt: 5, rn: ZR, mode: 'literal', imm: -8 })],
  ['ldrsw x7, l', 0x98ffffa7, ls({ op: 'LDR', size: 2, signed: true, sf: true, rt: 7, rn: ZR, mode: 'literal', imm: -12 })],
  ['ldr w9, [x10, w11, uxtw #2]', 0xb86b5949, { op: 'LDR', size: 2, signed: false, sf: false, rt: 9, rn: 10, mode: 'reg', imm: 0, rm: 11, extend: 'uxtw', scaled: true }],
  ['ldrb w26, [x27, x28, lsl #0]', 0x387c7b7a, { op: 'LDR', size: 0, signed: false, sf: false, rt: 26, rn: 27, mode: 'reg', imm: 0, rm: 28, extend: 'lsl', scaled: true }],
  ['str w22, [x23, w24, uxtw]', 0xb8384af6, { op: 'STR', size: 2, signed: false, sf: false, rt: 22, rn: 23, mode: 'reg', imm: 0, rm: 24, extend: 'uxtw', scaled: false }],
  ['ldrsw x16, [x17, x18, lsl #2]', 0xb8b27a30, { op: 'LDR', size: 2, signed: true, sf: true, rt: 16, rn: 17, mode: 'reg', imm: 0, rm: 18, extend: 'lsl', scaled: true }],
  ['ldp x4, x5, [x6, #-512]', 0xa96014c4, { op: 'LDP', size: 3, sf: true, rt: 4, rt2: 5, rn: 6, mode: 'offset', imm: -512 }],
  ['stp x29, x30, [sp, #-16]!', 0xa9bf7bfd, { op: 'STP', size: 3, sf: true, rt: 29, rt2: 30, rn: SP, mode: 'pre', imm: -16 }],
  ['ldp w28, w29, [x0], #252', 0x28dff41c, { op: 'LDP', size: 2, sf: false, rt: 28, rt2: 29, rn: 0, mode: 'post', imm: 252 }],
  // loads and stores added (issue 9)
  ['prfm pstl3strm, [x1, #8]', 0xf9800435, { op: 'PRFM', prfop: 21, rn: 1, mode: 'offset', imm: 8, rm: ZR, extend: 'lsl', scaled: false }],
  ['prfm pldl1strm, [x3, w4, sxtw #3]', 0xf8a4d861, { op: 'PRFM', prfop: 1, rn: 3, mode: 'reg', imm: 0, rm: 4, extend: 'sxtw', scaled: true }],
  ['prfum pldl2keep, [x5, #-1]', 0xf89ff0a2, { op: 'PRFM', prfop: 2, rn: 5, mode: 'unscaled', imm: -1, rm: ZR, extend: 'lsl', scaled: false }],
  ['ldpsw x0, x1, [x2, #-8]!', 0x69ff0440, { op: 'LDPSW', rt: 0, rt2: 1, rn: 2, mode: 'pre', imm: -8 }],
  ['stnp w0, w1, [x2, #-4]', 0x283f8440, { op: 'STNP', size: 2, sf: false, rt: 0, rt2: 1, rn: 2, imm: -4 }],
  ['ldtrsh x0, [x1, #2]', 0x78802820, { op: 'LDTR', size: 1, signed: true, sf: true, rt: 0, rn: 1, imm: 2 }],
  ['stlxr w2, x0, [x1]', 0xc802fc20, { op: 'STLXR', size: 3, rs: 2, rt: 0, rt2: ZR, rn: 1 }],
  ['ldxrb w0, [sp]', 0x085f7fe0, { op: 'LDXR', size: 0, rs: ZR, rt: 0, rt2: ZR, rn: SP }],
  ['stxp w3, x0, x1, [x2]', 0xc8230440, { op: 'STXP', size: 3, rs: 3, rt: 0, rt2: 1, rn: 2 }],
  ['ldar w0, [x1]', 0x88dffc20, { op: 'LDAR', size: 2, rs: ZR, rt: 0, rt2: ZR, rn: 1 }],
  ['clrex', 0xd5033f5f, { op: 'CLREX', imm: 15 }],
  ['adr x0, l', 0x10000000, { op: 'ADR', rd: 0, imm: 0 }],
  ['adrp x3, l', 0x90000003, { op: 'ADRP', rd: 3, imm: 0 }],
  ['b l', 0x17fffffc, { op: 'B', imm: -16 }],
  ['bl l', 0x97fffffb, { op: 'BL', imm: -20 }],
  ['br x1', 0xd61f0020, { op: 'BR', rn: 1 }],
  ['blr x16', 0xd63f0200, { op: 'BLR', rn: 16 }],
  ['ret', 0xd65f03c0, { op: 'RET', rn: 30 }],
  ['b.lo l', 0x54fffee3, { op: 'B_COND', cond: 3, imm: -36 }],
  ['cbnz w3, l', 0x35fffec3, { op: 'CBNZ', sf: false, rt: 3, imm: -40 }],
  ['tbnz x4, #63, l', 0xb7fffea4, { op: 'TBNZ', rt: 4, bit: 63, imm: -44 }],
  ['dc civac, x0', 0xd50b7e20, { op: 'DC', cacheOp: 'CIVAC', rt: 0 }],
  ['dc cisw, x5', 0xd5087e45, { op: 'DC', cacheOp: 'CISW', rt: 5 }],
  ['ic iallu', 0xd508751f, { op: 'IC', cacheOp: 'IALLU', rt: ZR }],
  ['ic ivau, x8', 0xd50b7528, { op: 'IC', cacheOp: 'IVAU', rt: 8 }],
  ['dc cvac, x1', 0xd50b7a21, { op: 'DC', cacheOp: 'CVAC', rt: 1 }],
  ['tlbi vmalle1is', 0xd508831f, { op: 'TLBI', sysOp: 'VMALLE1IS', rt: ZR }],
  ['tlbi vae1, x3', 0xd5088723, { op: 'TLBI', sysOp: 'VAE1', rt: 3 }],
  ['at s1e0w, x9', 0xd5087869, { op: 'AT', sysOp: 'S1E0W', rt: 9 }],
  ['dsb ish', 0xd5033b9f, { op: 'DSB', option: 11 }],
  ['dmb ishld', 0xd50339bf, { op: 'DMB', option: 9 }],
  ['isb', 0xd5033fdf, { op: 'ISB', option: 15 }],
  ['wfi', 0xd503207f, { op: 'WFI', imm: 3 }],
  ['hint #34 (bti c: a NOP on ARMv8.0)', 0xd503245f, { op: 'NOP', imm: 34 }],
  ['svc #0', 0xd4000001, { op: 'SVC', imm: 0 }],
  ['hvc #0x1234', 0xd4024682, { op: 'HVC', imm: 0x1234 }],
  ['smc #1', 0xd4000023, { op: 'SMC', imm: 1 }],
  ['brk #0x3e8', 0xd4207d00, { op: 'BRK', imm: 1000 }],
  ['eret', 0xd69f03e0, { op: 'ERET' }],
  ['mrs x0, sctlr_el1', 0xd5381000, { op: 'MRS', sysreg: SysRegs.SCTLR_EL1, rt: 0 }],
  ['msr ttbr0_el1, x1', 0xd5182001, { op: 'MSR', sysreg: SysRegs.TTBR0_EL1, rt: 1 }],
  ['mrs x12, currentel', 0xd538424c, { op: 'MRS', sysreg: SysRegs.CurrentEL, rt: 12 }],
  ['msr daifset, #0xf', 0xd5034fdf, { op: 'MSR_IMM', field: 'DAIFSet', imm: 15 }],
  ['msr spsel, #1', 0xd50041bf, { op: 'MSR_IMM', field: 'SPSel', imm: 1 }],
  // Data processing beyond the first subset.
  ['add x0, sp, w1, uxtw #2', 0x8b214be0, { op: 'ADD_EXT', sf: true, rd: 0, rn: SP, rm: 1, extend: 'uxtw', shift: 2 }],
  ['cmp sp, x1', 0xeb2163ff, { op: 'SUBS_EXT', sf: true, rd: ZR, rn: SP, rm: 1, extend: 'uxtx', shift: 0 }],
  ['sub sp, x1, x3, lsl #1', 0xcb23643f, { op: 'SUB_EXT', sf: true, rd: SP, rn: 1, rm: 3, extend: 'uxtx', shift: 1 }],
  ['adcs w0, w1, w2', 0x3a020020, { op: 'ADCS', sf: false, rd: 0, rn: 1, rm: 2 }],
  ['ngc x0, x1', 0xda0103e0, { op: 'SBC', sf: true, rd: 0, rn: ZR, rm: 1 }],
  ['ccmp x0, x1, #0x4, eq', 0xfa410004, { op: 'CCMP_REG', sf: true, rn: 0, rm: 1, nzcv: 4, cond: 0 }],
  ['ccmn w0, #0x1f, #0xf, cs', 0x3a5f280f, { op: 'CCMN_IMM', sf: false, rn: 0, imm: 31, nzcv: 15, cond: 2 }],
  ['bfi x0, x1, #4, #8', 0xb37c1c20, { op: 'BFM', sf: true, rd: 0, rn: 1, immr: 60, imms: 7 }],
  ['rev w0, w1', 0x5ac00820, { op: 'REV', sf: false, rd: 0, rn: 1 }],
  ['rev32 x0, x1', 0xdac00820, { op: 'REV32', sf: true, rd: 0, rn: 1 }],
  ['clz x0, x1', 0xdac01020, { op: 'CLZ', sf: true, rd: 0, rn: 1 }],
  ['smaddl x0, w1, w2, x3', 0x9b220c20, { op: 'SMADDL', rd: 0, rn: 1, rm: 2, ra: 3 }],
  ['umulh x0, x1, x2', 0x9bc27c20, { op: 'UMULH', rd: 0, rn: 1, rm: 2 }],
  ['crc32cx w0, w1, x2', 0x9ac25c20, { op: 'CRC32CX', rd: 0, rn: 1, rm: 2 }],
  // Beyond ARMv8.0 (decoded, UNDEFINED on a Cortex-A72).
  ['ldaddalb w3, w4, [sp]', 0x38e303e4, { op: 'LSE_ATOMIC', atomic: 'ADD', size: 0, acquire: true, release: true, rs: 3, rt: 4, rn: SP }],
  ['stclrlh w5, [x6]', 0x786510df, { op: 'LSE_ATOMIC', atomic: 'CLR', size: 1, acquire: false, release: true, rs: 5, rt: ZR, rn: 6 }],
  ['swpal x12, xzr, [x13]', 0xf8ec81bf, { op: 'LSE_ATOMIC', atomic: 'SWP', size: 3, acquire: true, release: true, rs: 12, rt: ZR, rn: 13 }],
  ['ldapr x0, [x1]', 0xf8bfc020, { op: 'LDAPR', size: 3, rt: 0, rn: 1 }],
  ['casal x0, x1, [x2]', 0xc8e0fc41, { op: 'CAS', size: 3, acquire: true, release: true, rs: 0, rt: 1, rn: 2 }],
  ['caspl x0, x1, x30, xzr, [x3]', 0x4820fc7e, { op: 'CASP', sf: true, acquire: false, release: true, rs: 0, rt: 30, rn: 3 }],
  ['ldapursw x12, [x13, #-4]', 0x999fc1ac, { op: 'LDAPUR', size: 2, signed: true, sf: true, rt: 12, rn: 13, imm: -4 }],
  ['stlurb w2, [sp, #255]', 0x190ff3e2, { op: 'STLUR', size: 0, signed: false, sf: false, rt: 2, rn: SP, imm: 255 }],
  ['sb', 0xd50330ff, { op: 'SB' }],
  ['wfet x3', 0xd5031003, { op: 'WFET', rt: 3 }],
  ['st64bv x3, x4, [x5]', 0xf823b0a4, { op: 'ST64BV', rs: 3, rt: 4, rn: 5 }],
  ['ld64b x0, [x1]', 0xf83fd020, { op: 'LD64B', rs: ZR, rt: 0, rn: 1 }],
  ['dsb ishnxs', 0xd5033a3f, { op: 'DSB_NXS', option: 2 }],
  ['bc.eq l', 0x54fffe70, { op: 'BC_COND', cond: 0, imm: -52 }],
  ['blraa x4, sp', 0xd73f089f, { op: 'BLRA', key: 'A', zero: false, rn: 4, rm: SP }],
  ['brabz x3', 0xd61f0c7f, { op: 'BRA', key: 'B', zero: true, rn: 3, rm: ZR }],
  ['retab', 0xd65f0fff, { op: 'RETA', key: 'B', zero: true, rn: ZR, rm: ZR }],
  ['eretaa', 0xd69f0bff, { op: 'ERETA', key: 'A', zero: true, rn: ZR, rm: ZR }],
  ['ldraa x3, [x4, #4088]!', 0xf83ffc83, { op: 'LDRA', key: 'A', rt: 3, rn: 4, imm: 4088, writeback: true }],
  ['stg sp, [sp], #0', 0xd92007ff, { op: 'STG', mode: 'post', rt: SP, rn: SP, imm: 0 }],
  ['stzg x2, [x3, #-4096]!', 0xd9700c62, { op: 'STZG', mode: 'pre', rt: 2, rn: 3, imm: -4096 }],
  ['ldg x10, [x11, #-16]', 0xd97ff16a, { op: 'LDG', mode: 'offset', rt: 10, rn: 11, imm: -16 }],
  ['dc cvap, x2', 0xd50b7c22, { op: 'SYS_V8X', operation: 'dc cvap', rt: 2 }],
  ['dc cvadp, x2', 0xd50b7d22, { op: 'SYS_V8X', operation: 'dc cvadp', rt: 2 }],
  ['cpypwtrn [x3]!, [x4]!, x5!', 0x1d0494a3, { op: 'CPY', stage: 'P', options: 9, rd: 3, rs: 4, rn: 5 }],
  ['setgetn [x6]!, x7!, xzr', 0x1ddfb4e6, { op: 'SETG', stage: 'E', options: 3, rd: 6, rs: ZR, rn: 7 }],
  ['tstart x5', 0xd5233065, { op: 'TSTART', rt: 5, imm: 0 }],
  ['tcommit', 0xd503307f, { op: 'TCOMMIT', rt: ZR, imm: 0 }],
  ['tcancel #4660', 0xd4624680, { op: 'TCANCEL', rt: ZR, imm: 0x1234 }],
  ['cfp rctx, x5', 0xd50b7385, { op: 'SYS_V8X', operation: 'cfp rctx', rt: 5 }],
  ['ldgm x15, [x16]', 0xd9e0020f, { op: 'LDGM', mode: 'offset', rt: 15, rn: 16, imm: 0 }],
  // System/EL helper: HLT, generic SYS/SYSL (one case per row), CRn = 7 beyond DC/IC.
  ['hlt #0x10', 0xd4400200, { op: 'HLT', imm: 16 }],
  ['sys #0, C0, C0, #0, x0', 0xd5080000, { op: 'SYS', op1: 0, crn: 0, crm: 0, op2: 0, rt: 0 }],
  ['sys #3, C4, C2, #7', 0xd50b42ff, { op: 'SYS', op1: 3, crn: 4, crm: 2, op2: 7, rt: ZR }],
  ['sys #1, C6, C1, #2, x3', 0xd5096143, { op: 'SYS', op1: 1, crn: 6, crm: 1, op2: 2, rt: 3 }],
  ['sys #2, C9, C3, #4, x5', 0xd50a9385, { op: 'SYS', op1: 2, crn: 9, crm: 3, op2: 4, rt: 5 }],
  ['sys #4, C11, C9, #1', 0xd50cb93f, { op: 'SYS', op1: 4, crn: 11, crm: 9, op2: 1, rt: ZR }],
  ['sys #7, C15, C15, #7, x30', 0xd50ffffe, { op: 'SYS', op1: 7, crn: 15, crm: 15, op2: 7, rt: 30 }],
  ['sysl x3, #0, C0, C0, #0', 0xd5280003, { op: 'SYSL', op1: 0, crn: 0, crm: 0, op2: 0, rt: 3 }],
  ['sys #0, C7, C0, #0 (CRn 7, not DC/IC)', 0xd508701f, { op: 'SYS', op1: 0, crn: 7, crm: 0, op2: 0, rt: ZR }],
  ['dc csw, x6', 0xd5087a46, { op: 'DC', cacheOp: 'CSW', rt: 6 }],
  ['mrs x1, s0_1_c1_c12_7 (op0 = 0: UNDEFINED, printed generically)', 0xd5211ce1, { op: 'MRS', sysreg: 0x8e7, rt: 1 }],
  ['msr s0_0_c0_c0_0, x0 (op0 = 0: UNDEFINED, printed generically)', 0xd5000000, { op: 'MSR', sysreg: 0x0, rt: 0 }],
  ['msr s0_0_c5_c0_0, x0 (op0 = 0: UNDEFINED, printed generically)', 0xd5005000, { op: 'MSR', sysreg: 0x280, rt: 0 }],
  ['msr s0_2_c7_c3_1, x4 (op0 = 0: UNDEFINED, printed generically)', 0xd5027324, { op: 'MSR', sysreg: 0x1399, rt: 4 }],
  ['msr s0_7_c15_c15_7, x30 (op0 = 0: UNDEFINED, printed generically)', 0xd507fffe, { op: 'MSR', sysreg: 0x3fff, rt: 30 }],
  ['msr s0_0_c2_c2_6, x0 (op0 = 0: UNDEFINED, printed generically)', 0xd50022c0, { op: 'MSR', sysreg: 0x116, rt: 0 }],
  ['msr s0_0_c2_c2_6, x1 (op0 = 0: UNDEFINED, printed generically)', 0xd50022c1, { op: 'MSR', sysreg: 0x116, rt: 1 }],
  ['msr s0_0_c2_c2_6, x3 (op0 = 0: UNDEFINED, printed generically)', 0xd50022c3, { op: 'MSR', sysreg: 0x116, rt: 3 }],
  ['msr s0_0_c2_c2_6, x7 (op0 = 0: UNDEFINED, printed generically)', 0xd50022c7, { op: 'MSR', sysreg: 0x116, rt: 7 }],
  ['msr s0_0_c2_c2_6, x15 (op0 = 0: UNDEFINED, printed generically)', 0xd50022cf, { op: 'MSR', sysreg: 0x116, rt: 15 }],
  ['msr s0_0_c4_c2_6, x0 (op0 = 0: UNDEFINED, printed generically)', 0xd50042c0, { op: 'MSR', sysreg: 0x216, rt: 0 }],
  ['msr s0_0_c4_c2_6, x1 (op0 = 0: UNDEFINED, printed generically)', 0xd50042c1, { op: 'MSR', sysreg: 0x216, rt: 1 }],
  ['msr s0_0_c4_c2_6, x3 (op0 = 0: UNDEFINED, printed generically)', 0xd50042c3, { op: 'MSR', sysreg: 0x216, rt: 3 }],
  ['msr s0_0_c4_c2_6, x7 (op0 = 0: UNDEFINED, printed generically)', 0xd50042c7, { op: 'MSR', sysreg: 0x216, rt: 7 }],
  ['msr s0_0_c4_c2_6, x15 (op0 = 0: UNDEFINED, printed generically)', 0xd50042cf, { op: 'MSR', sysreg: 0x216, rt: 15 }],
  ['msr pan, #1 (ARMv8.1: UNDEFINED here)', 0xd500419f, { op: 'MSR_IMM', field: 'PAN', imm: 1 }],
];

describe('decode: words from GNU as', () => {
  it.each(CASES)('%s = %p', (_text, word, fields) => {
    expect(decode(word)).toEqual({ ...fields, word });
  });

  it.each(CASES)('encodes the fields of %s back to its word', (_text, word, fields) => {
    expect(encode(fields)).toBe(word);
  });

  it('covers every row of the encoding table', () => {
    const rows = new Set(CASES.map(([, w]) => encodingOf(w)));
    // The SIMD&FP rows have their own cases (simd-fp.test.ts).
    expect(ENCODINGS.filter((e) => !rows.has(e) && !SIMD_FP_ROWS.has(e)).map((e) => e.name)).toEqual([]);
  });
});

describe('decode: registers 31, immediates, system operands', () => {
  it('resolves register 31 to SP or ZR by operand', () => {
    expect(decode(0x910003e1)).toMatchObject({ op: 'ADD_IMM', rd: 1, rn: SP }); // mov x1, sp
    expect(decode(0x8b1f03e0)).toMatchObject({ op: 'ADD_REG', rn: ZR, rm: ZR }); // add x0, xzr, xzr
    expect(decode(0xb100041f)).toMatchObject({ op: 'ADDS_IMM', rd: ZR }); // cmn x0, #1
    expect(decode(0xb27c03ff)).toMatchObject({ op: 'ORR_IMM', rd: SP, rn: ZR }); // mov sp, #0x10
    expect(decode(0xf81f0fff)).toMatchObject({ op: 'STR', rt: ZR, rn: SP, mode: 'pre', imm: -16 }); // str xzr, [sp, #-16]!
  });

  it('sign-extends branch offsets and keeps forward ones positive', () => {
    expect(decode(0x14000001)).toMatchObject({ op: 'B', imm: 4 });
    expect(decode(0x17ffffff)).toMatchObject({ op: 'B', imm: -4 });
    expect(decode(0x16000000)).toMatchObject({ op: 'B', imm: -(1 << 27) });
    expect(decode(0x547fffe0)).toMatchObject({ op: 'B_COND', imm: (1 << 20) - 4, cond: 0 });
    expect(decode(0x36fffffe)).toMatchObject({ op: 'TBZ', imm: -4, bit: 31 }); // tbz w30, #31, .-4
  });

  it('expands logical immediates into 32-bit halves', () => {
    expect(decode(0xb200f3e0)).toMatchObject({ op: 'ORR_IMM', immLo: 0x55555555, immHi: 0x55555555 });
    expect(decode(0xd2410020)).toMatchObject({ op: 'EOR_IMM', immLo: 0, immHi: 0x80000000 });
    expect(decode(0x3201f3e0)).toMatchObject({ op: 'ORR_IMM', sf: false, immLo: 0xaaaaaaaa, immHi: 0 });
  });

  it('scales ADRP offsets to bytes', () => {
    expect(decode(0xb0000000)).toMatchObject({ op: 'ADRP', imm: 4096 });
    expect(decode(0xf0ffffe0)).toMatchObject({ op: 'ADRP', imm: -4096 });
    expect(decode(0x90ffffe0)).toMatchObject({ op: 'ADRP', imm: -4 * 4096 });
  });
});

describe('decode: words outside the subset are UNDEFINED, never a NOP', () => {
  const undefinedWords: [string, number][] = [
    ['all zeros (UDF #0)', 0x00000000],
    ['all ones', 0xffffffff],
    ['MOV wide with opc=01', 0x32800000],
    ['MOVZ W with hw=2', 0x52c00000],
    ['ADD immediate with shift=10 (ADDG space)', 0x91800000],
    ['ADD shifted register with shift=11', 0x8bc00000],
    ['32-bit ADD with shift amount 32', 0x0b008000],
    ['32-bit logical immediate with N=1', 0x12400000],
    ['logical immediate of all ones', 0x9240fc00],
    ['BFM with opc=11', 0x73102333],
    ['ADD extended register with shift 5', 0x8b215420],
    ['CCMP with o3 set', 0xfa410014],
    ['W REV with opcode 3', 0x5ac00c20],
    ['CTZ (FEAT_CSSC, not on a Cortex-A72)', 0x5ac01820],
    ['CRC32X with sf=0', 0x1ac24c20],
    ['SMULH with o0 set', 0x9b42fc20],
    ['SBFM with N != sf', 0x93000000],
    ['PRFM pre-indexed (size 3, opc 10)', 0xf8800c00],
    ['LDR of size 3 with opc=11', 0xf9c00000],
    ['LDR register offset with option 000', 0xf8600800],
    ['LDTRSW of size 3', 0xf8800820],
    ['LDPSW with Rt == Rt2', 0x69400000],
    ['LDLARB (ARMv8.1 LOR)', 0x08df7c20],
    ['LDAR with Rs != 31', 0xc8c2fc20],
    ['LDXP of bytes (CASP space)', 0x487f0440],
    ['LDNP with opc=01', 0x68400440],
    ['SHA1H (the Cryptographic Extension: not modelled)', 0x5e280820],
    ['FP16 FADD (not in ARMv8.0)', 0x1ee22820],
    ['LDPSW', 0x69400000],
    ['unallocated BR opc=11', 0xd67f0000],
    ['IC IALLU with Rt != 31', 0xd5087500],
    ['SYS with CRn=8 and no TLBI name', 0xd5088000],
    ['SYS with CRn=7 CRm=8 and no AT name', 0xd5087880],
    ['MSR SPSel with CRm > 1', 0xd50042bf],
    ['AESE (the Cryptographic Extension: not modelled)', 0x4e284820],
  ];
  it.each(undefinedWords)('%s', (_what, word) => {
    const w = word >>> 0;
    expect(decode(w)).toEqual({ op: 'UNDEFINED', word: w });
  });

  it('prints UNDEFINED words as objdump does', () => {
    expect(disassemble(0x00001234)).toBe('udf\t#4660');
    expect(disassemble(0xffffffff)).toBe('.inst\t0xffffffff ; undefined');
  });

  it('never throws, and always carries the word', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (w) => {
        const d = decode(w);
        expect(d.word).toBe(w);
        expect(typeof disassemble(w, 0x1000)).toBe('string');
      }),
      { numRuns: 20000 },
    );
  });
});

describe('the encoding table', () => {
  it('has rows that never overlap', () => {
    const overlaps: string[] = [];
    ENCODINGS.forEach((a, i) =>
      ENCODINGS.slice(i + 1).forEach((b) => {
        if (((a.match ^ b.match) & a.mask & b.mask) >>> 0 === 0) overlaps.push(`${a.name} / ${b.name}`);
      }),
    );
    expect(overlaps).toEqual([]);
  });

  it('has rows whose match lies inside the mask', () => {
    for (const e of ENCODINGS) expect({ name: e.name, stray: (e.match & ~e.mask) >>> 0 }).toEqual({ name: e.name, stray: 0 });
  });

  it('finds the same row through its index as by scanning every row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (w) => {
        const scan = ENCODINGS.find((e) => ((w & e.mask) >>> 0) === e.match);
        expect(encodingOf(w)).toBe(scan);
      }),
      { numRuns: 20000 },
    );
  });
});
