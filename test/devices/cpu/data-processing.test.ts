/**
 * Data processing beyond the first subset, on the core: known values (CRC check values, SP
 * forms, flag results), and BigInt models for the multiplies. The differential campaign against
 * QEMU (test/isa) covers the same forms with random operands.
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { DATA_PROCESSING_BASE, OPC } from '../../../devices/cpu/core/decoded-ops';
import type { Op } from '../../../isa/a64';
import { snippet, x } from './harness';

const M64 = (1n << 64n) - 1n;
const N = 0x8000_0000;
const Z = 0x4000_0000;
const C = 0x2000_0000;
const V = 0x1000_0000;

function run(body: string, regs: Record<number, bigint> = {}) {
  const r = snippet(`${body}\n wfi`, { x: regs });
  expect(r.exit.reason).toBe('wfi');
  return r.core;
}

const u64 = fc.bigInt({ min: 0n, max: M64 });

describe('CRC32 / CRC32C', () => {
  // "123456789" as one X, or as W + H + H + B, little-endian; the check values of CRC-32 and CRC-32C.
  const regs = { 1: 0x3837363534333231n, 2: 0x39n, 3: 0x34333231n, 4: 0x3635n, 5: 0x3837n };
  test.each([
    ['crc32', 0xcbf43926n],
    ['crc32c', 0xe3069283n],
  ])('%s of "123456789" (pre- and post-inverted by software) is %s', (name, check) => {
    const c = run(`
      mov w0, #-1
      ${name}x w0, w0, x1
      ${name}b w0, w0, w2
      mvn w0, w0
      mov w6, #-1
      ${name}w w6, w6, w3
      ${name}h w6, w6, w4
      ${name}h w6, w6, w5
      ${name}b w6, w6, w2
      mvn w6, w6`, regs);
    expect(x(c, 0)).toBe(check);
    expect(x(c, 6)).toBe(check);
  });
});

describe('add/subtract (extended register)', () => {
  test('extends, shifts and SP as a source and a destination', () => {
    const c = run(`
      movz x9, #0x4010, lsl #16
      mov sp, x9
      add x0, x1, w2, sxtb #2
      add x3, x1, w2, uxth
      sub x4, x1, w2, sxtw #4
      add x5, sp, x1, lsl #3
      sub sp, sp, x6
      mov x7, sp
      mov sp, x9
      add w8, w1, w2, uxtb #1`, { 1: 0x1000n, 2: 0xffff_ff80n, 6: 0x40n });
    expect(x(c, 0)).toBe(0x1000n - 0x200n);
    expect(x(c, 3)).toBe(0x1000n + 0xff80n);
    expect(x(c, 4)).toBe(0x1000n + 0x800n);
    expect(x(c, 5)).toBe(BigInt.asUintN(64, x(c, 9) + 0x8000n));
    expect(x(c, 7)).toBe(BigInt.asUintN(64, x(c, 9) - 0x40n));
    expect(x(c, 8)).toBe(0x1000n + 0x100n);
  });

  test('CMP SP, Xm sets the flags of the subtraction', () => {
    const c = run(`mov x1, sp\n cmp sp, x1`);
    expect(c.nzcv).toBe((Z | C) >>> 0);
  });
});

describe('add/subtract with carry', () => {
  test.each([
    // [insn, a, b, carry in, result, nzcv]
    ['adcs x0, x1, x2', M64, 0n, 1, 0n, Z | C],
    ['adcs x0, x1, x2', 0x7fff_ffff_ffff_ffffn, 0n, 1, 0x8000_0000_0000_0000n, N | V],
    ['sbcs x0, x1, x2', 5n, 5n, 0, M64, N],
    ['sbcs x0, x1, x2', 5n, 5n, 1, 0n, Z | C],
    ['adcs w0, w1, w2', 0xffff_fffen, 1n, 1, 0n, Z | C],
    ['ngcs w0, w2', 0n, 0n, 1, 0n, Z | C],
    ['ngc x0, x2', 0n, 1n, 0, M64 - 1n, 0],
  ])('%s with %d, %d, C=%d', (insn, a, b, cin, result, flags) => {
    // C first: CMP XZR, XZR sets it (with Z), CMN XZR, XZR clears it (Z set).
    const setC = cin ? 'cmp xzr, xzr' : 'cmn xzr, xzr';
    const c = run(`${setC}\n ${insn}`, { 1: a, 2: b });
    expect(x(c, 0)).toBe(result);
    // ADC/SBC without S leave the flags as CMP/CMN set them.
    expect(c.nzcv).toBe(insn.includes('s ') ? flags >>> 0 : cin ? (Z | C) >>> 0 : Z >>> 0);
  });
});

describe('conditional compare', () => {
  test('a condition that holds compares; one that fails sets #nzcv', () => {
    const c1 = run(`cmp x1, x1\n ccmp x1, #3, #0xf, eq`, { 1: 3n });
    expect(c1.nzcv).toBe((Z | C) >>> 0);
    const c2 = run(`cmp x1, x1\n ccmp x1, x2, #0x9, ne`, { 1: 3n, 2: 3n });
    expect(c2.nzcv).toBe((N | V) >>> 0);
    const c3 = run(`cmp x1, x1\n ccmn w1, w2, #0, al`, { 1: 0x7fff_ffffn, 2: 1n });
    expect(c3.nzcv).toBe((N | V) >>> 0);
  });
});

describe('BFM and its aliases', () => {
  test('BFI, BFXIL and BFC keep the bits of Rd outside the field', () => {
    const regs = { 0: M64, 1: 0x1234_5678_9abc_def0n, 2: M64, 3: M64, 4: 0xffff_ffff_ffff_ffffn };
    const c = run(`
      bfi x0, x1, #8, #16
      bfxil x2, x1, #4, #8
      bfc x3, #60, #4
      bfi w4, w1, #28, #4`, regs);
    expect(x(c, 0)).toBe(0xffff_ffff_ffde_f0ffn);
    expect(x(c, 2)).toBe(0xffff_ffff_ffff_ffefn);
    expect(x(c, 3)).toBe(0x0fff_ffff_ffff_ffffn);
    expect(x(c, 4)).toBe(0x0fff_ffffn); // a W write clears the upper half
  });
});

describe('data-processing (1 source)', () => {
  test('RBIT, REV, REV16, REV32, CLZ, CLS', () => {
    const c = run(`
      rbit x0, x1
      rbit w2, w1
      rev x3, x1
      rev w4, w1
      rev16 x5, x1
      rev32 x6, x1
      clz x7, x8
      clz w9, w8
      clz x10, xzr
      cls x11, xzr
      cls x12, x13
      cls w14, w13
      cls x15, x16`, { 1: 0x0123_4567_89ab_cdefn, 8: 0x0000_0000_00f0_0000n, 13: 0xffff_ff00_0000_0000n, 16: 0x0000_0000_ffff_ffffn });
    expect(x(c, 0)).toBe(0xf7b3_d591_e6a2_c480n);
    expect(x(c, 2)).toBe(0xf7b3_d591n);
    expect(x(c, 3)).toBe(0xefcd_ab89_6745_2301n);
    expect(x(c, 4)).toBe(0xefcd_ab89n);
    expect(x(c, 5)).toBe(0x2301_6745_ab89_efcdn);
    expect(x(c, 6)).toBe(0x6745_2301_efcd_ab89n);
    expect(x(c, 7)).toBe(40n);
    expect(x(c, 9)).toBe(8n);
    expect(x(c, 10)).toBe(64n);
    expect(x(c, 11)).toBe(63n);
    expect(x(c, 12)).toBe(23n);
    expect(x(c, 14)).toBe(31n);
    expect(x(c, 15)).toBe(31n);
  });
});

describe('long and high multiplies', () => {
  test('SMULH / UMULH are bits 127:64 of the product', () => {
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        const c = run(`umulh x0, x1, x2\n smulh x3, x1, x2`, { 1: a, 2: b });
        expect(x(c, 0)).toBe((a * b) >> 64n);
        expect(x(c, 3)).toBe(BigInt.asUintN(64, (BigInt.asIntN(64, a) * BigInt.asIntN(64, b)) >> 64n));
      }),
      { numRuns: 100, examples: [[M64, M64], [1n << 63n, 1n << 63n], [1n << 63n, M64], [0n, M64]] },
    );
  });

  test('SMADDL / UMSUBL: Xa ± the 64-bit product of Wn and Wm', () => {
    fc.assert(
      fc.property(u64, u64, u64, (a, b, acc) => {
        const c = run(`smaddl x0, w1, w2, x3\n umsubl x4, w1, w2, x3\n smull x5, w1, w2\n umnegl x6, w1, w2`, { 1: a, 2: b, 3: acc });
        const sa = BigInt.asIntN(32, a);
        const sb = BigInt.asIntN(32, b);
        const ua = a & 0xffff_ffffn;
        const ub = b & 0xffff_ffffn;
        expect(x(c, 0)).toBe(BigInt.asUintN(64, acc + sa * sb));
        expect(x(c, 4)).toBe(BigInt.asUintN(64, acc - ua * ub));
        expect(x(c, 5)).toBe(BigInt.asUintN(64, sa * sb));
        expect(x(c, 6)).toBe(BigInt.asUintN(64, -(ua * ub)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('divide: the architecture results', () => {
  test('by zero gives 0; the most negative value by -1 gives itself', () => {
    const c = run(`
      sdiv x0, x1, xzr
      udiv w2, w3, wzr
      sdiv x4, x5, x6
      sdiv w7, w8, w9`, { 1: 5n, 3: 7n, 5: 1n << 63n, 6: M64, 8: 0x8000_0000n, 9: 0xffff_ffffn });
    expect(x(c, 0)).toBe(0n);
    expect(x(c, 2)).toBe(0n);
    expect(x(c, 4)).toBe(1n << 63n);
    expect(x(c, 7)).toBe(0x8000_0000n);
  });
});

test("execDataProcessing's case numbers are the ops' numbers (DATA_PROCESSING_OPS order)", () => {
  const file = fs.readFileSync(path.join(__dirname, '../../../devices/cpu/core/data-processing.ts'), 'utf8');
  const start = file.indexOf('protected execDataProcessing(');
  const source = file.slice(start, file.indexOf('\n  }\n', start));
  const cases = [...source.matchAll(/case (\d+) \/\* ([A-Z0-9_]+) \*\//g)].map((m) => [m[2], Number(m[1])] as const);
  expect(cases.length).toBeGreaterThan(30);
  expect(cases.filter(([op, n]) => OPC[op as Op] - DATA_PROCESSING_BASE !== n)).toEqual([]);
});
