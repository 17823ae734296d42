import { InputError, KvmsimError } from '../../../../core';
import { AsmError, SP, ZR, assemble, checkAssembly, decode, disassemble, formatListing } from '../../../../isa/a64';

const words = (bytes: Uint8Array): number[] => Array.from({ length: bytes.length >> 2 }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(i * 4, true));
const one = (src: string, base = 0) => words(assemble(src, { base }).bytes)[0];
const text = (src: string, base = 0) => disassemble(one(src, base), base);

/** The message of the AsmError that `fn` throws. */
function errorOf(fn: () => unknown): AsmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw e;
  }
  throw new Error('expected an AsmError');
}

describe('a guest program', () => {
  const src = `
        .text
        .global _start
        .equ    UART, 0x09000000
_start: movz    x0, #(UART >> 16), lsl #16
        adr     x1, msg
        mov     x2, #msg_end - msg
1:      ldrb    w3, [x1], #1
        strb    w3, [x0]
        subs    x2, x2, #1
        b.ne    1b
        b       done
msg:    .asciz  "hi\\n"
msg_end:
        .align  3
table:  .quad   _start, table + 8
done:   wfi
        b       done
`;
  const base = 0x40080000;
  const r = assemble(src, { base });

  it('resolves labels, forward references and label arithmetic', () => {
    expect(r.symbols.get('_start')).toBe(0x40080000n);
    expect(r.symbols.get('msg')).toBe(0x40080020n);
    expect(r.symbols.get('msg_end')).toBe(0x40080024n);
    expect(r.symbols.get('table')).toBe(0x40080028n);
    expect(r.symbols.get('done')).toBe(0x40080038n);
    expect(r.symbols.get('UART')).toBe(0x09000000n);
    expect(r.globals).toEqual(['_start']);
    const w = words(r.bytes);
    expect(decode(w[0])).toMatchObject({ op: 'MOVZ', rd: 0, imm: 0x0900, shift: 16 });
    expect(decode(w[1])).toMatchObject({ op: 'ADR', rd: 1, imm: 0x1c });
    expect(decode(w[2])).toMatchObject({ op: 'MOVZ', rd: 2, imm: 4 });
    expect(decode(w[3])).toMatchObject({ op: 'LDR', size: 0, mode: 'post', imm: 1 });
    expect(decode(w[6])).toMatchObject({ op: 'B_COND', cond: 1, imm: -12 });
    expect(decode(w[7])).toMatchObject({ op: 'B', imm: 0x38 - 0x1c });
  });

  it('lays out data: strings, code alignment (NOPs, as GNU), 64-bit label values', () => {
    expect(Buffer.from(r.bytes.subarray(0x20, 0x24)).toString('latin1')).toBe('hi\n\0');
    expect(words(r.bytes.subarray(0x24, 0x28))).toEqual([0xd503201f]); // .align 3 in .text pads with NOP
    const dv = new DataView(r.bytes.buffer);
    expect(dv.getBigUint64(0x28, true)).toBe(0x40080000n);
    expect(dv.getBigUint64(0x30, true)).toBe(0x40080030n);
  });

  it('prints a listing with addresses, encodings and source lines', () => {
    const listing = formatListing(r);
    expect(listing).toContain('40080000  d2a12000         5  _start: movz    x0, #(UART >> 16), lsl #16');
    expect(listing).toContain('40080020  68 69 0a 00');
    expect(listing.split('\n')[0]).toMatch(/^40080000 {2}d2a12000/);
  });
});

describe('choices GNU as makes', () => {
  it.each([
    ['mov x0, #0x10000', 'mov\tx0, #0x10000\t// #65536', 'MOVZ'],
    ['mov x0, #-1', 'mov\tx0, #0xffffffffffffffff\t// #-1', 'MOVN'],
    ['mov w0, #0xffff0000', 'mov\tw0, #0xffff0000\t// #-65536', 'MOVZ'],
    ['mov x0, #0x5555555555555555', 'mov\tx0, #0x5555555555555555\t// #6148914691236517205', 'ORR_IMM'],
    ['mov sp, #0x10', 'mov\tsp, #0x10\t// #16', 'ORR_IMM'],
    ['mov sp, x1', 'mov\tsp, x1', 'ADD_IMM'],
    ['mov x1, x2', 'mov\tx1, x2', 'ORR_REG'],
    ['add x0, x1, #-4', 'sub\tx0, x1, #0x4', 'SUB_IMM'],
    ['add x0, x1, #0x5000', 'add\tx0, x1, #0x5, lsl #12', 'ADD_IMM'],
    ['cmp x0, #-1', 'cmn\tx0, #0x1', 'ADDS_IMM'],
    ['ldr x0, [x1, #-8]', 'ldur\tx0, [x1, #-8]', 'LDR'],
    ['ldr x0, [x1, #3]', 'ldur\tx0, [x1, #3]', 'LDR'],
    ['bic x0, x1, #0xff', 'and\tx0, x1, #0xffffffffffffff00', 'AND_IMM'],
    ['lsl w0, w1, #4', 'lsl\tw0, w1, #4', 'UBFM'],
    ['ror x0, x1, #3', 'ror\tx0, x1, #3', 'EXTR'],
    ['cset x0, eq', 'cset\tx0, eq\t// eq = none', 'CSINC'],
    ['beq .', 'b.eq\t0x0\t// b.none', 'B_COND'],
    ['ret', 'ret', 'RET'],
  ])('%s → %s', (src, expected, op) => {
    expect(text(src)).toBe(expected);
    expect(decode(one(src)).op).toBe(op);
  });

  it('accepts immediates without #, upper case, register aliases, and :lo12:', () => {
    expect(one('ADD X0, X1, 16')).toBe(one('add x0, x1, #16'));
    expect(one('stp fp, lr, [sp, #-16]!')).toBe(one('stp x29, x30, [sp, #-16]!'));
    const r = assemble('adrp x0, v\nadd x0, x0, :lo12:v\nldr x1, [x0, #:lo12:v]\n.org 0x1238\nv: .quad 1', { base: 0x40000000 });
    const w = words(r.bytes);
    expect(decode(w[0])).toMatchObject({ op: 'ADRP', imm: 0x1000 });
    expect(decode(w[1])).toMatchObject({ op: 'ADD_IMM', imm: 0x238 });
    expect(decode(w[2])).toMatchObject({ op: 'LDR', mode: 'offset', imm: 0x238 });
  });

  it('resolves register 31 by operand: SP where the encoding means SP, ZR elsewhere', () => {
    expect(decode(one('add sp, sp, #16'))).toMatchObject({ rd: SP, rn: SP });
    expect(decode(one('adds xzr, x1, #1'))).toMatchObject({ op: 'ADDS_IMM', rd: ZR });
    expect(decode(one('str wzr, [sp, #4]'))).toMatchObject({ rt: ZR, rn: SP });
  });
});

describe('directives and syntax', () => {
  it('pads code alignment with NOPs after zero bytes up to a word boundary', () => {
    expect(Buffer.from(assemble('nop\n.byte 1\n.align 4\n').bytes).toString('hex')).toBe('1f2003d5' + '01000000' + '1f2003d5'.repeat(2));
    expect(Buffer.from(assemble('.byte 1\n.balign 4, 0xee').bytes).toString('hex')).toBe('01eeeeee');
    expect(Buffer.from(assemble('.byte 1\n.p2align 4, 0, 2').bytes).toString('hex')).toBe('01');
  });

  it('aligns an instruction that follows data to a word boundary, as GNU as does', () => {
    expect(Buffer.from(assemble('.byte 7\nnop').bytes).toString('hex')).toBe('070000001f2003d5');
  });

  it('handles .org as a section offset or a label address, with a fill byte', () => {
    const r = assemble('start: nop\n.org 8\n.word 1\n.org start + 16, 0xff\n.word 2', { base: 0x1000 });
    expect(Buffer.from(r.bytes).toString('hex')).toBe('1f2003d5' + '00000000' + '01000000' + 'ffffffff' + '02000000');
  });

  it('evaluates expressions with GNU precedence and values', () => {
    const r = assemble(".word 1 + 2 * 3, 2 | 1 + 1, 8 >> 1 + 1, 3 < 4, 1 && 2, -5 / 2, 'A', 010, 0b101");
    expect(words(r.bytes)).toEqual([7, 4, 5, 0xffffffff, 1, 0xfffffffe, 65, 8, 5]);
  });

  it('takes comments, ; separators, local labels, = and .set constants', () => {
    const src = [
      '# a line comment',
      'N = 2 /* inline */ ; .set M, N * 2 // trailing',
      '/* a block',
      '   comment */ 1: mov x0, #M',
      'b 1b ; b 1f',
      '1: .word N',
    ].join('\n');
    const r = assemble(src);
    expect(words(r.bytes).map((w, i) => disassemble(w, i * 4))).toEqual(['mov\tx0, #0x4\t// #4', 'b\t0x0', 'b\t0xc', 'udf\t#2']);
    expect(r.symbols.get('M')).toBe(4n);
    expect(r.listing.map((l) => l.line)).toEqual([4, 5, 5, 6]);
  });

  it('writes strings with escapes', () => {
    expect(Buffer.from(assemble('.ascii "a\\tb\\x41\\101\\"", "c"\n.asciz ""').bytes).toString('latin1')).toBe('a\tbAA"c\0');
  });

  it('emits .inst words and accepts .type/.size', () => {
    expect(words(assemble('.type f, %function\nf: .inst 0xd503201f, 0\n.size f, . - f').bytes)).toEqual([0xd503201f, 0]);
  });
});

describe('errors name their line', () => {
  it('reports a MOVZ immediate that does not fit, with the line number', () => {
    const src = ['nop', ...Array.from({ length: 10 }, () => '// filler'), 'movz x0, #70000'].join('\n');
    const e = errorOf(() => assemble(src));
    expect(e.message).toBe('line 12: immediate 70000 does not fit MOVZ (16 bits, optionally shifted by 16/32/48)');
    expect(e.line).toBe(12);
    expect(e).toBeInstanceOf(InputError);
    expect(e).toBeInstanceOf(KvmsimError);
    expect(e.exitCode).toBe(2);
  });

  it('names the file when given one', () => {
    expect(errorOf(() => assemble('\n\nfoo x0', { file: 'guest.S' })).message).toBe("guest.S: line 3: unknown instruction 'foo'");
  });

  it.each([
    ['b nowhere', "line 1: undefined symbol 'nowhere'"],
    ['a: nop\na: nop', "line 2: symbol 'a' is already defined on line 1"],
    ['add x0, w1, #1', "line 1: operand 2 of add must be an X register, not 'w1'"],
    ['add x0, xzr, #1', 'line 1: operand 2 of add cannot be xzr (register 31 is the stack pointer here)'],
    ['orr x0, sp, x1', 'line 1: operand 2 of orr cannot be sp (register 31 is the zero register here)'],
    ['add x0, x1, w2', 'line 1: missing extend operator at operand 3 of add (uxtb, uxth, uxtw, uxtx, sxtb, sxth, sxtw, sxtx)'],
    ['add x0, sp, x1, lsl #5', 'line 1: extend shift amount 5 is out of range (0-4)'],
    ['and x0, x1, #0x12345', 'line 1: immediate 0x12345 is not a valid bitmask immediate for AND (a rotated run of ones repeated in 2, 4, 8, 16, 32 or 64-bit elements)'],
    ['mov x0, #0x12345', 'line 1: immediate 0x12345 cannot be made by a single MOV (MOVZ, MOVN or ORR with a bitmask immediate)'],
    ['add x0, x1, #0x1001', 'line 1: immediate 4097 does not fit ADD (12 bits, optionally shifted by 12)'],
    ['ldr x0, [x1, #32768]', 'line 1: offset 32768 does not fit LDR (a multiple of 8 from 0 to 32760, or -256 to 255)'],
    ['ldp x0, x1, [x2, #4]', 'line 1: LDP offset 4 is not a multiple of 8'],
    ['mov x0, =0x1234', "line 1: '=value' (a literal pool load) takes the form ldr Wt/Xt, =value or ldrsw Xt, =value"],
    ['ldr w0, =0x100000000', 'line 1: literal pool value 4294967296 does not fit in 4 bytes'],
    ['nop\nldr w0, =x\nnop', "line 2: undefined symbol 'x'"],
    ['b.eq far\n.skip 0x100000\nfar: nop', 'line 1: B.cond offset 1048580 is out of range (-1048576 to 1048572)'],
    ['cbz x0, odd\n.byte 0\nodd: .byte 0', 'line 1: CBZ offset 5 is not a multiple of 4'],
    ['msr ctr_el0, x0', 'line 1: system register CTR_EL0 is read-only'],
    ['mrs x0, foo_el1', "line 1: 'foo_el1' is not a known system register (use the s<op0>_<op1>_c<n>_c<m>_<op2> form for others)"],
    ['dc foo, x0', "line 1: 'foo' is not a DC operation (ivac, isw, csw, cisw, zva, cvac, cvau, civac)"],
    ['mov constructor, #1', "line 1: operand 1 of mov must be a register, not 'constructor'"],
    ['dsb foo', "line 1: 'foo' is not a barrier option"],
    ['cset x0, al', 'line 1: cset cannot use condition al or nv'],
    ['.org 8\n.org 4', 'line 2: .org 4 (offset 0x4) would move backwards from offset 0x8'],
    ['.word 0x100000000', 'line 1: value 4294967296 does not fit in 4 bytes'],
    ['.align x', "line 1: .align: undefined symbol 'x' (its value must be known where it is used)"],
    ['.data', 'line 1: only the .text section is supported (.data would start another section)'],
    ['.frobnicate', "line 1: unknown directive '.frobnicate'"],
    ['add x0, x1', 'line 1: add takes Rd, Rn, #imm {, lsl #12} or Rd, Rn, Rm {, shift #n}, got 2 operands'],
    ['ldr x0, [x1, #(1 +]', "line 1: missing value in expression '(1 +'"],
    ['tbz w0, #32, .', 'line 1: bit number 32 is out of range (0-31)'],
    ['ldr x0, [x1, x2, lsl #2]', 'line 1: index shift must be #0 or #3 for a 8-byte access, not #2'],
  ])('%s', (src, message) => {
    expect(errorOf(() => assemble(src)).message).toBe(message);
  });

  it('reports every bad line, in order, and checkAssembly returns them without throwing', () => {
    const src = 'nop\nmovz x0, #70000\nnop\nadd x0, x1, #0x1001\nfoo';
    const issues = checkAssembly(src, { file: 'a.S' });
    expect(issues.map((i) => i.line)).toEqual([2, 4, 5]);
    expect(issues[0]).toEqual({ file: 'a.S', line: 2, message: 'immediate 70000 does not fit MOVZ (16 bits, optionally shifted by 16/32/48)' });
    expect(errorOf(() => assemble(src)).message).toBe(
      '3 errors:\n  line 2: immediate 70000 does not fit MOVZ (16 bits, optionally shifted by 16/32/48)\n' +
        '  line 4: immediate 4097 does not fit ADD (12 bits, optionally shifted by 12)\n' +
        "  line 5: unknown instruction 'foo'",
    );
    expect(checkAssembly('nop')).toEqual([]);
  });

  it('keeps line numbers right across block comments and ; separators', () => {
    expect(errorOf(() => assemble('/*\n\n*/ nop ; nop\nnop; bogus x0')).message).toBe("line 4: unknown instruction 'bogus'");
  });
});
