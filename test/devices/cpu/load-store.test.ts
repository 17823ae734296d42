import { snippet, x } from './harness';

const M64 = (1n << 64n) - 1n;
/** Data area: 0x40500000 (RAM, mapped by the test hypervisor). */
const DATA = 0x4050_0000n;

function run(body: string, regs: Record<number, bigint> = {}) {
  const r = snippet(`${body}\n wfi`, { x: { 20: DATA, ...regs } });
  if (r.exit.reason !== 'wfi') throw new Error(JSON.stringify(r.exit));
  return r;
}

describe('single-register loads and stores', () => {
  test('every size, zero- and sign-extended, at W and X width', () => {
    const r = run(`
      str x1, [x20]
      ldrb w2, [x20]
      ldrsb w3, [x20]
      ldrsb x4, [x20]
      ldrh w5, [x20, #2]
      ldrsh w6, [x20, #2]
      ldrsh x7, [x20, #2]
      ldr w8, [x20, #4]
      ldrsw x9, [x20, #4]
      ldr x10, [x20]
      strb w1, [x20, #16]
      strh w1, [x20, #18]
      str w1, [x20, #20]
      ldr x11, [x20, #16]`, { 1: 0x8899_aabb_ccdd_eeffn });
    const c = r.core;
    expect(x(c, 2)).toBe(0xffn);
    expect(x(c, 3)).toBe(0xffff_ffffn);
    expect(x(c, 4)).toBe(M64);
    expect(x(c, 5)).toBe(0xccddn);
    expect(x(c, 6)).toBe(0xffff_ccddn);
    expect(x(c, 7)).toBe(0xffff_ffff_ffff_ccddn);
    expect(x(c, 8)).toBe(0x8899_aabbn);
    expect(x(c, 9)).toBe(0xffff_ffff_8899_aabbn);
    expect(x(c, 10)).toBe(0x8899_aabb_ccdd_eeffn);
    expect(x(c, 11)).toBe(0xccdd_eeff_eeff_00ffn);
  });

  test('addressing modes: unsigned offset, unscaled, pre-index, post-index, register (LSL/UXTW/SXTW), literal', () => {
    const r = run(`
      mov x1, #0x11
      str x1, [x20, #8]
      mov x1, #0x22
      stur x1, [x20, #-8]
      mov x21, x20
      mov x1, #0x33
      str x1, [x21, #16]!
      mov x22, x20
      mov x1, #0x44
      str x1, [x22], #24
      mov x1, #0x55
      mov x2, #5
      str x1, [x20, x2, lsl #3]
      mov x1, #0x66
      mov w3, #-1
      str x1, [x20, w3, sxtw #3]
      mov w4, #6
      ldr x5, [x20, w4, uxtw #3]
      ldr x6, [x20, #8]
      ldur x7, [x20, #-8]
      ldr x8, [x20, #16]
      ldr x9, [x20]
      ldr x10, [x20, #40]
      ldr x11, [x20, #-8]
      ldr w12, lit
      ldrsw x13, lit
      ldr x14, lit64
      mov x15, #2
      ldrb w16, [x20, x15]
      wfi
lit:  .word 0x80000001
      .balign 8
lit64: .quad 0x0123456789abcdef`);
    const c = r.core;
    expect(x(c, 21)).toBe(DATA + 16n); // pre-index wrote back the new address
    expect(x(c, 22)).toBe(DATA + 24n); // post-index: stored at DATA, then added
    expect(x(c, 6)).toBe(0x11n);
    expect(x(c, 7)).toBe(0x66n); // [x20 - 8] was overwritten by the SXTW store
    expect(x(c, 8)).toBe(0x33n);
    expect(x(c, 9)).toBe(0x44n);
    expect(x(c, 10)).toBe(0x55n);
    expect(x(c, 11)).toBe(0x66n);
    expect(x(c, 5)).toBe(0n);
    expect(x(c, 12)).toBe(0x8000_0001n);
    expect(x(c, 13)).toBe(0xffff_ffff_8000_0001n);
    expect(x(c, 14)).toBe(0x0123_4567_89ab_cdefn);
    expect(x(c, 16)).toBe(0n);
  });

  test('SP as base register, and XZR stores zero', () => {
    const r = run(`
      add sp, x20, #64
      mov x1, #7
      str x1, [sp, #-16]!
      ldr x2, [sp], #16
      mov x3, sp
      str xzr, [x20]
      ldr x4, [x20]`, { 4: 9n });
    expect(x(r.core, 2)).toBe(7n);
    expect(x(r.core, 3)).toBe(DATA + 64n);
    expect(x(r.core, 4)).toBe(0n);
  });

  test('memory is little-endian: a halfword inside a stored doubleword', () => {
    const r = run(`
      movz x1, #0x0807, lsl #48
      movk x1, #0x0605, lsl #32
      movk x1, #0x0403, lsl #16
      movk x1, #0x0201
      str x1, [x20]
      ldrh w2, [x20, #4]`);
    expect(x(r.core, 2)).toBe(0x0605n);
  });
});

describe('pairs', () => {
  test('LDP/STP of X and W registers, offset, pre- and post-index', () => {
    const r = run(`
      stp x1, x2, [x20]
      ldp x3, x4, [x20]
      stp w1, w2, [x20, #16]
      ldp w5, w6, [x20, #16]
      mov x21, x20
      stp x2, x1, [x21, #32]!
      mov x22, x20
      ldp x7, x8, [x22], #32
      ldp x9, x10, [x20, #32]`, { 1: 0x1111_2222_3333_4444n, 2: 0x5555_6666_7777_8888n });
    const c = r.core;
    expect([x(c, 3), x(c, 4)]).toEqual([0x1111_2222_3333_4444n, 0x5555_6666_7777_8888n]);
    expect([x(c, 5), x(c, 6)]).toEqual([0x3333_4444n, 0x7777_8888n]);
    expect(x(c, 21)).toBe(DATA + 32n);
    expect(x(c, 22)).toBe(DATA + 32n);
    expect([x(c, 7), x(c, 8)]).toEqual([0x1111_2222_3333_4444n, 0x5555_6666_7777_8888n]);
    expect([x(c, 9), x(c, 10)]).toEqual([0x5555_6666_7777_8888n, 0x1111_2222_3333_4444n]);
  });
});

describe('literal pools (ldr Rt, =value)', () => {
  test('load the values from the pools at .ltorg and at the end, with shared entries', () => {
    const r = run(`
      ldr x1, =0x0123456789abcdef
      ldr w2, =0x89abcdef
      ldrsw x3, =-5
      ldr x4, =0x0123456789abcdef
      b 1f
      .ltorg
1:    ldr x5, =here
here: ldr w6, =0xffffffff
      wfi`);
    const c = r.core;
    expect([x(c, 1), x(c, 2), x(c, 3), x(c, 4)]).toEqual([0x0123_4567_89ab_cdefn, 0x89ab_cdefn, M64 - 4n, 0x0123_4567_89ab_cdefn]);
    expect([x(c, 5), x(c, 6)]).toEqual([BigInt(r.sym('here')), 0xffff_ffffn]);
  });
});
