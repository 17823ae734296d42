/**
 * The SIMD&FP layer of the core: the CPACR_EL1.FPEN trap (EC 0x07, FPCR/FPSR included), the
 * register file through loads, stores and moves, and FP results with FPSR flags. The
 * differential campaign against QEMU (test/isa, groups simd and fp) checks the rest.
 */
import { snippet, x } from './harness';

const VECTORS = `
      .balign 2048
vectors:
      .skip 0x200
      mrs x20, esr_el1
      mrs x21, elr_el1
      wfi
      .balign 0x80
      .skip 0x180
`;
const SETUP = `
      adr x0, vectors
      msr vbar_el1, x0
      isb
`;
const FP_ON = `
      mov x0, #0x300000
      msr cpacr_el1, x0
      isb
`;
/** ESR of a trapped SIMD&FP access, as QEMU reports it: EC 0x07, IL, CV=1, COND=0xe. */
const ESR_FP = BigInt(((0x07 << 26) | (1 << 25) | 0x1e00000) >>> 0);

describe('SIMD&FP at EL1', () => {
  test('CPACR_EL1.FPEN resets to trapping: an FP instruction takes EC 0x07 at its own address', () => {
    const r = snippet(`${SETUP}\nhere: fmov d0, x1\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(ESR_FP);
    expect(x(r.core, 21)).toBe(BigInt(r.sym('here')));
  });

  test('FPEN = 0b01 traps EL0 only: EL1 runs', () => {
    const r = snippet(`${SETUP}\n mov x0, #0x100000\n msr cpacr_el1, x0\n isb\n movz x1, #0x1234\n fmov d3, x1\n fmov x2, d3\n wfi\n${VECTORS}`);
    expect(x(r.core, 2)).toBe(0x1234n);
  });

  test('MRS and MSR of FPCR trap with the rest (EC 0x07), not as an undefined MRS', () => {
    const r = snippet(`${SETUP}\nhere: mrs x1, fpcr\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(ESR_FP);
    expect(x(r.core, 21)).toBe(BigInt(r.sym('here')));
  });

  test('loads, stores, moves and vector ops through the register file', () => {
    const r = snippet(`${SETUP}${FP_ON}
      adr x1, data
      ld1 {v0.16b, v1.16b}, [x1], #32
      add v2.4s, v0.4s, v1.4s
      umov w3, v2.s[3]
      mov x4, v2.d[0]
      movi v5.2d, #0xff00ff00ff00ff00
      mov v5.s[1], w3
      fmov x5, d5
      str q2, [x1, #16]
      ldr d6, [x1, #16]
      fmov x6, d6
      wfi
      .balign 16
data: .word 1, 2, 3, 0x7fffffff, 10, 20, 30, 1
      .skip 32
${VECTORS}`);
    expect(x(r.core, 3)).toBe(0x80000000n);
    expect(x(r.core, 4)).toBe(0x16_0000000bn);
    expect(x(r.core, 5)).toBe(0x80000000_ff00ff00n);
    expect(x(r.core, 6)).toBe(0x16_0000000bn);
  });

  test('scalar FP: IEEE results and FPSR flags (1/3 inexact, 1/0 divide by zero, sqrt(-1) invalid)', () => {
    const r = snippet(`${SETUP}${FP_ON}
      fmov d0, #1.0
      fmov d1, #3.0
      fdiv d2, d0, d1
      fmov x2, d2
      mrs x3, fpsr
      msr fpsr, xzr
      movi d4, #0
      fdiv d5, d0, d4
      fmov x5, d5
      mrs x6, fpsr
      fmov d7, #-1.0
      fsqrt d7, d7
      fmov x7, d7
      mrs x8, fpsr
      fcmp d0, d1
      mrs x9, nzcv
      wfi
${VECTORS}`);
    expect(x(r.core, 2)).toBe(0x3fd5555555555555n);
    expect(x(r.core, 3)).toBe(0x10n); // IXC
    expect(x(r.core, 5)).toBe(0x7ff0000000000000n);
    expect(x(r.core, 6)).toBe(0x2n); // DZC
    expect(x(r.core, 7)).toBe(0x7ff8000000000000n);
    expect(x(r.core, 8)).toBe(0x3n); // IOC, DZC still set
    expect(x(r.core, 9)).toBe(0x80000000n); // less than
  });
});
