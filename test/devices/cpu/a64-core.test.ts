import fc from 'fast-check';
import { snippet, x } from './harness';

const M64 = (1n << 64n) - 1n;
const N = 0x8000_0000;
const Z = 0x4000_0000;
const C = 0x2000_0000;
const V = 0x1000_0000;

/** Runs `body` then WFI; returns the core. */
function run(body: string, regs: Record<number, bigint> = {}) {
  const r = snippet(`${body}\n wfi`, { x: regs });
  expect(r.exit.reason).toBe('wfi');
  return r.core;
}

describe('move wide', () => {
  test('MOVZ / MOVK build 64-bit constants; MOVN inverts', () => {
    const c = run(`
      movz x0, #0x1234, lsl #48
      movk x0, #0x5678, lsl #32
      movk x0, #0x9abc, lsl #16
      movk x0, #0xdef0
      movn x1, #0
      movn w2, #0x1, lsl #16
      movz w3, #0xffff, lsl #16
      mov x4, #-2
      movk w5, #7`, { 5: 0xffff_ffff_0000_0000n });
    expect(x(c, 0)).toBe(0x1234_5678_9abc_def0n);
    expect(x(c, 1)).toBe(M64);
    expect(x(c, 2)).toBe(0xfffe_ffffn);
    expect(x(c, 3)).toBe(0xffff_0000n);
    expect(x(c, 4)).toBe(M64 - 1n);
    expect(x(c, 5)).toBe(7n); // a W write clears the upper half
  });
});

describe('add / subtract with flags', () => {
  test.each([
    // [insn, a, b, result, nzcv]
    ['adds x0, x1, x2', 1n, 2n, 3n, 0],
    ['adds x0, x1, x2', M64, 1n, 0n, Z | C],
    ['adds x0, x1, x2', 0x7fff_ffff_ffff_ffffn, 1n, 0x8000_0000_0000_0000n, N | V],
    ['adds x0, x1, x2', 0x8000_0000_0000_0000n, 0x8000_0000_0000_0000n, 0n, Z | C | V],
    ['subs x0, x1, x2', 5n, 5n, 0n, Z | C],
    ['subs x0, x1, x2', 3n, 5n, M64 - 1n, N],
    ['subs x0, x1, x2', 0x8000_0000_0000_0000n, 1n, 0x7fff_ffff_ffff_ffffn, C | V],
    ['adds w0, w1, w2', 0xffff_ffffn, 1n, 0n, Z | C],
    ['adds w0, w1, w2', 0x7fff_ffffn, 1n, 0x8000_0000n, N | V],
    ['subs w0, w1, w2', 0n, 1n, 0xffff_ffffn, N],
    ['subs w0, w1, w2', 0x1_0000_0005n, 5n, 0n, Z | C], // upper halves ignored
  ])('%s with %d, %d', (insn, a, b, result, flags) => {
    const c = run(insn, { 1: a, 2: b });
    expect(x(c, 0)).toBe(result);
    expect(c.nzcv).toBe(flags >>> 0);
  });

  test('immediates (shifted by 12), SP as operand and CMP/CMN aliases', () => {
    const c = run(`
      movz x1, #0x4000, lsl #16
      mov sp, x1
      add x2, sp, #0x10
      sub sp, sp, #1, lsl #12
      mov x3, sp
      add w4, w5, #0xfff
      cmp x6, #10
      mrs x7, nzcv
      cmn x6, #10
      mrs x8, nzcv
      sub x9, x10, x11, lsl #4
      add x12, x10, x11, asr #1
      sub w13, w10, w11, lsr #1`, { 5: 1n, 6: 10n, 10: 100n, 11: -4n });
    expect(x(c, 2)).toBe(0x4000_0010n);
    expect(x(c, 3)).toBe(0x4000_0000n - 0x1000n);
    expect(x(c, 4)).toBe(0x1000n);
    expect(x(c, 7)).toBe(BigInt(Z | C));
    expect(x(c, 8)).toBe(0n);
    expect(x(c, 9)).toBe(100n + 64n);
    expect(x(c, 12)).toBe(98n);
    expect(x(c, 13)).toBe(BigInt((100 - (0xfffffffc >>> 1)) >>> 0));
  });

  test('property: ADDS/SUBS match a BigInt model of AddWithCarry', () => {
    const big = fc.bigInt({ min: 0n, max: M64 });
    fc.assert(
      fc.property(big, big, fc.boolean(), fc.boolean(), (a, b, sub, wide) => {
        const c = run(`${sub ? 'subs' : 'adds'} ${wide ? 'x0, x1, x2' : 'w0, w1, w2'}`, { 1: a, 2: b });
        const bits = wide ? 64n : 32n;
        const mask = (1n << bits) - 1n;
        const ua = a & mask;
        const ub = (sub ? ~b : b) & mask;
        const sum = ua + ub + (sub ? 1n : 0n);
        const r = sum & mask;
        const sa = BigInt.asIntN(Number(bits), ua);
        const sb = BigInt.asIntN(Number(bits), ub);
        const ssum = sa + sb + (sub ? 1n : 0n);
        const nzcv = (r >> (bits - 1n) === 1n ? N : 0) | (r === 0n ? Z : 0) | (sum > mask ? C : 0) | (BigInt.asIntN(Number(bits), r) !== ssum ? V : 0);
        expect(x(c, 0)).toBe(r);
        expect(c.nzcv).toBe(nzcv >>> 0);
      }),
      { numRuns: 60 },
    );
  });
});

describe('logical', () => {
  test('immediate and register forms, with shifts and inversion', () => {
    const c = run(`
      and x0, x1, #0xff00ff00ff00ff00
      orr w2, wzr, #0x3
      eor x3, x1, #0x1
      and x4, x1, x5, lsl #8
      bic x6, x1, x5
      orn x7, xzr, x5
      eor w8, w1, w5, ror #4
      eon x9, x1, x5
      orr x10, x5, x1, lsr #60`, { 1: 0x1234_5678_9abc_def0n, 5: 0xf0fn });
    const a = 0x1234_5678_9abc_def0n;
    expect(x(c, 0)).toBe(a & 0xff00_ff00_ff00_ff00n);
    expect(x(c, 2)).toBe(3n);
    expect(x(c, 3)).toBe(a ^ 1n);
    expect(x(c, 4)).toBe(a & 0xf0f00n);
    expect(x(c, 6)).toBe(a & ~0xf0fn & M64);
    expect(x(c, 7)).toBe(~0xf0fn & M64);
    const w5ror4 = ((0xf0fn >> 4n) | (0xf0fn << 28n)) & 0xffff_ffffn;
    expect(x(c, 8)).toBe((a & 0xffff_ffffn) ^ w5ror4);
    expect(x(c, 9)).toBe(a ^ (~0xf0fn & M64));
    expect(x(c, 10)).toBe(0xf0fn | 1n);
  });

  test('ANDS / TST / BICS set N and Z, clear C and V', () => {
    const c = run(`
      msr nzcv, x9
      ands x0, x1, #0x8000000000000000
      mrs x2, nzcv
      tst w1, #0x1
      mrs x3, nzcv
      bics x4, x1, x1
      mrs x5, nzcv`, { 1: 0x8000_0000_0000_0000n, 9: BigInt(C | V) });
    expect(x(c, 0)).toBe(0x8000_0000_0000_0000n);
    expect(x(c, 2)).toBe(BigInt(N >>> 0));
    expect(x(c, 3)).toBe(BigInt(Z));
    expect(x(c, 4)).toBe(0n);
    expect(x(c, 5)).toBe(BigInt(Z));
  });
});

describe('bitfield and shifts', () => {
  test('LSL / LSR / ASR (immediate), UBFX, SBFX, SXTW, UXTB, EXTR/ROR', () => {
    const v = 0x8123_4567_89ab_cdefn;
    const c = run(`
      lsl x0, x1, #4
      lsr x2, x1, #60
      asr x3, x1, #60
      lsl w4, w1, #28
      asr w5, w1, #4
      ubfx x6, x1, #8, #16
      sbfx x7, x1, #60, #4
      sxtw x8, w1
      uxtb w9, w1
      sxth x10, w1
      extr x11, x1, x12, #8
      ror x13, x1, #36
      ror w14, w1, #8`, { 1: v, 12: 0x1122_3344_5566_7788n });
    expect(x(c, 0)).toBe((v << 4n) & M64);
    expect(x(c, 2)).toBe(8n);
    expect(x(c, 3)).toBe(M64 - 7n);
    expect(x(c, 4)).toBe(0xf000_0000n);
    expect(x(c, 5)).toBe(0xf89a_bcden);
    expect(x(c, 6)).toBe(0xabcdn);
    expect(x(c, 7)).toBe(M64 - 7n);
    expect(x(c, 8)).toBe(0xffff_ffff_89ab_cdefn);
    expect(x(c, 9)).toBe(0xefn);
    expect(x(c, 10)).toBe(0xffff_ffff_ffff_cdefn);
    expect(x(c, 11)).toBe(((v << 56n) | (0x1122_3344_5566_7788n >> 8n)) & M64);
    expect(x(c, 13)).toBe(((v >> 36n) | (v << 28n)) & M64);
    expect(x(c, 14)).toBe(0xef89_abcdn);
  });

  test('variable shifts take the amount modulo the width', () => {
    const c = run(`
      lsl x0, x1, x2
      lsr x3, x1, x2
      asr x4, x1, x2
      ror x5, x1, x2
      lsl w6, w1, w7
      asr w8, w9, w7`, { 1: 0x8000_0000_0000_0001n, 2: 65n, 7: 33n, 9: 0x8000_0000n });
    expect(x(c, 0)).toBe(2n);
    expect(x(c, 3)).toBe(0x4000_0000_0000_0000n);
    expect(x(c, 4)).toBe(0xc000_0000_0000_0000n);
    expect(x(c, 5)).toBe(0xc000_0000_0000_0000n);
    expect(x(c, 6)).toBe(2n);
    expect(x(c, 8)).toBe(0xc000_0000n);
  });

  test('property: UBFM and SBFM match a BigInt model', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: M64 }), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), (v, lsb, width, signed) => {
        fc.pre(lsb + width <= 64);
        const c = run(`${signed ? 'sbfx' : 'ubfx'} x0, x1, #${lsb}, #${width}`, { 1: v });
        const field = (v >> BigInt(lsb)) & ((1n << BigInt(width)) - 1n);
        expect(x(c, 0)).toBe(signed ? BigInt.asUintN(64, BigInt.asIntN(width, field)) : field);
      }),
      { numRuns: 50 },
    );
  });
});

describe('multiply, divide, conditional select', () => {
  test('MADD / MSUB / MUL / MNEG at both widths', () => {
    const c = run(`
      mul x0, x1, x2
      madd x3, x1, x2, x4
      msub x5, x1, x2, x4
      mul w6, w1, w2
      mneg x7, x1, x2`, { 1: 0x1_0000_0003n, 2: 0xffff_ffff_0000_0007n, 4: 10n });
    const p = (0x1_0000_0003n * 0xffff_ffff_0000_0007n) & M64;
    expect(x(c, 0)).toBe(p);
    expect(x(c, 3)).toBe((p + 10n) & M64);
    expect(x(c, 5)).toBe((10n - p) & M64);
    expect(x(c, 6)).toBe(21n);
    expect(x(c, 7)).toBe(-p & M64);
  });

  test('property: MUL matches BigInt', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: M64 }), fc.bigInt({ min: 0n, max: M64 }), (a, b) => {
        expect(x(run('mul x0, x1, x2', { 1: a, 2: b }), 0)).toBe((a * b) & M64);
      }),
      { numRuns: 40 },
    );
  });

  test('UDIV and SDIV; division by zero gives 0', () => {
    const c = run(`
      udiv x0, x1, x2
      udiv x3, x1, xzr
      udiv w4, w5, w6
      sdiv x7, x8, x9
      sdiv w10, w11, w12
      udiv x13, x14, x15`, {
      1: 100n, 2: 7n, 5: 0xffff_fff0n, 6: 16n, 8: -100n, 9: 7n, 11: 0x8000_0000n, 12: 0xffff_ffffn, 14: M64, 15: 3n,
    });
    expect(x(c, 0)).toBe(14n);
    expect(x(c, 3)).toBe(0n);
    expect(x(c, 4)).toBe(0x0fff_ffffn);
    expect(x(c, 7)).toBe(BigInt.asUintN(64, -14n));
    expect(x(c, 10)).toBe(0x8000_0000n); // INT_MIN / -1 overflows to INT_MIN
    expect(x(c, 13)).toBe(M64 / 3n);
  });

  test('CSEL / CSINC / CSINV / CSNEG and the CSET / CINC aliases', () => {
    const c = run(`
      cmp x1, x2
      csel x3, x1, x2, lt
      csinc x4, x1, x2, ge
      csinv x5, x1, x2, ge
      csneg x6, x1, x2, ge
      cset w7, ne
      cinc x8, x1, lt
      cset x9, hi`, { 1: 3n, 2: 5n });
    expect(x(c, 3)).toBe(3n);
    expect(x(c, 4)).toBe(6n);
    expect(x(c, 5)).toBe(~5n & M64);
    expect(x(c, 6)).toBe(-5n & M64);
    expect(x(c, 7)).toBe(1n);
    expect(x(c, 8)).toBe(4n);
    expect(x(c, 9)).toBe(0n);
  });

  test.each([
    ['eq', Z, true], ['ne', Z, false], ['cs', C, true], ['cc', C, false], ['mi', N, true], ['pl', N, false],
    ['vs', V, true], ['vc', V, false], ['hi', C, true], ['hi', C | Z, false], ['ls', C | Z, true],
    ['ge', N | V, true], ['ge', N, false], ['lt', N, true], ['gt', 0, true], ['gt', Z, false], ['le', Z, true], ['al', N | Z | C | V, true], ['nv', 0, true],
  ])('condition %s with NZCV=%s is %s', (cond, flags, taken) => {
    const c = run(`msr nzcv, x9\n csel x0, x10, xzr, ${cond}`, { 9: BigInt(flags >>> 0), 10: 1n });
    expect(x(c, 0)).toBe(taken ? 1n : 0n);
  });
});

describe('branches and PC-relative', () => {
  test('B, BL/RET, BR, BLR, CBZ/CBNZ, TBZ/TBNZ, B.cond, ADR, ADRP', () => {
    const r = snippet(`
      mov x0, #0
      bl sub1
      cbz x1, 1f
      b fail
1:    cbnz x2, fail
      tbz x3, #40, fail
      tbnz x3, #3, fail
      adr x4, sub2
      blr x4
after_blr:
      adr x5, 2f
      br x5
      b fail
2:    cmp x0, #3
      b.ne fail
      adr x6, .
      adrp x7, .
done: wfi
fail: brk #1
sub1: add x0, x0, #1
      ret
sub2: add x0, x0, #2
      ret`, { x: { 3: 1n << 40n, 2: 0n } });
    expect(r.exit).toEqual({ reason: 'wfi', pc: r.sym('done') });
    const done = BigInt(r.exit.pc);
    expect(x(r.core, 6)).toBe(done - 8n); // ADR of its own address
    expect(x(r.core, 7)).toBe((done - 4n) & ~0xfffn); // ADRP: the 4 KiB page
    expect(x(r.core, 30)).toBe(BigInt(r.sym('after_blr')));
  });

  test('retired counts instructions; insn_budget stops in the middle', () => {
    const r = snippet(`1: add x0, x0, #1\n b 1b`, { maxInsns: 101 });
    expect(r.exit.reason).toBe('insn_budget');
    expect(r.exit.pc).toBe(0x4008_0004); // the B, after 51 ADDs and 50 Bs
    expect(r.core.retired).toBe(101);
    expect(x(r.core, 0)).toBe(51n);
  });
});
