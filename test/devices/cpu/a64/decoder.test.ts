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
    ['BFM (bfi/bfxil: not in the subset)', 0x33102333],
    ['SBFM with N != sf', 0x93000000],
    ['PRFM (immediate)', 0xf9800000],
    ['LDR of size 3 with opc=11', 0xf9c00000],
    ['LDR register offset with option 000', 0xf8600800],
    ['LDTR (unprivileged)', 0xf8400800],
    ['SHA1H (the Cryptographic Extension: not modelled)', 0x5e280820],
    ['FP16 FADD (not in ARMv8.0)', 0x1ee22820],
    ['LDPSW', 0x69400000],
    ['LDNP', 0xa8400000],
    ['unallocated BR opc=11', 0xd67f0000],
    ['CRC32B', 0x1ac64383],
    ['IC IALLU with Rt != 31', 0xd5087500],
    ['SYS: a TLBI', 0xd508871f],
    ['MSR SPSel with CRm > 1', 0xd50042bf],
    ['CLREX', 0xd503305f],
    ['HLT', 0xd4400000],
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
