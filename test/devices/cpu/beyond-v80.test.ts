/**
 * Encodings of later architecture versions on the Cortex-A72 model (ARMv8.0): LSE atomics, CAS,
 * RCpc loads/stores, SB, WFxT, LS64, DSB nXS, BC.cond, PAuth branches and loads, MTE tag loads
 * and stores, TME, MOPS are UNDEFINED, and the report names the instruction and its
 * feature; the hint-space ones (PAC, BTI, ESB, CSDB...) execute as NOP, as on the real core.
 */
import { snippet, x } from './harness';

const CASES: [source: string, feature: string][] = [
  ['ldadd w0, w1, [x2]', 'FEAT_LSE (ARMv8.1)'],
  ['staddl x3, [x2]', 'FEAT_LSE (ARMv8.1)'],
  ['swpal x12, xzr, [x2]', 'FEAT_LSE (ARMv8.1)'],
  ['casalb w0, w1, [x2]', 'FEAT_LSE (ARMv8.1)'],
  ['casp x0, x1, x4, x5, [x2]', 'FEAT_LSE (ARMv8.1)'],
  ['ldaprh w3, [x2]', 'FEAT_LRCPC (ARMv8.3)'],
  ['ldapursw x12, [x2, #-4]', 'FEAT_LRCPC2 (ARMv8.4)'],
  ['stlur w1, [x2, #4]', 'FEAT_LRCPC2 (ARMv8.4)'],
  ['sb', 'FEAT_SB (ARMv8.5)'],
  ['wfet x3', 'FEAT_WFxT (ARMv8.7)'],
  ['wfit x3', 'FEAT_WFxT (ARMv8.7)'],
  ['ld64b x4, [x2]', 'FEAT_LS64 (ARMv8.7)'],
  ['st64bv0 x3, x4, [x2]', 'FEAT_LS64_ACCDATA (ARMv8.7)'],
  ['dsb ishnxs', 'FEAT_XS (ARMv8.7)'],
  ['blraa x2, sp', 'FEAT_PAuth (ARMv8.3)'],
  ['braaz x2', 'FEAT_PAuth (ARMv8.3)'],
  ['retab', 'FEAT_PAuth (ARMv8.3)'],
  ['eretaa', 'FEAT_PAuth (ARMv8.3)'],
  ['ldrab x0, [x2, #-8]!', 'FEAT_PAuth (ARMv8.3)'],
  ['stg x0, [x2, #16]', 'FEAT_MTE (ARMv8.5)'],
  ['ldg x0, [x2]', 'FEAT_MTE (ARMv8.5)'],
  ['stzgm x0, [x2]', 'FEAT_MTE2 (ARMv8.5)'],
  ['dc cvap, x2', 'FEAT_DPB (ARMv8.2)'],
  ['dc cvadp, x2', 'FEAT_DPB2 (ARMv8.5)'],
  ['dc gzva, x2', 'FEAT_MTE (ARMv8.5)'],
  ['dc cigdvac, x2', 'FEAT_MTE2 (ARMv8.5)'],
  ['cfp rctx, x2', 'FEAT_SPECRES (ARMv8.5)'],
  ['tstart x2', 'FEAT_TME (ARMv9.0)'],
  ['ttest x2', 'FEAT_TME (ARMv9.0)'],
  ['tcommit', 'FEAT_TME (ARMv9.0)'],
  ['tcancel #5', 'FEAT_TME (ARMv9.0)'],
  ['cpyfp [x3]!, [x4]!, x5!', 'FEAT_MOPS (ARMv8.8)'],
  ['setmn [x3]!, x4!, xzr', 'FEAT_MOPS (ARMv8.8)'],
  ['setgpt [x3]!, x4!, x5', 'FEAT_MOPS (ARMv8.8) with FEAT_MTE'],
];

describe('beyond ARMv8.0 on a Cortex-A72', () => {
  it.each(CASES)('%s is UNDEFINED, named with %s', (source, feature) => {
    const r = snippet(`adr x2, buf\n nop\nbad: ${source}\n wfi\n .balign 16\nbuf: .quad 0, 0`);
    expect(r.exit).toEqual({ reason: 'undefined_instruction', pc: r.sym('bad'), word: expect.any(Number), detail: expect.stringContaining(`(${source}: ${feature}, which the Cortex-A72 (ARMv8.0) does not implement)`) });
  });

  it('takes the exception to VBAR_EL1 with EC=0 and ELR = the instruction, leaving memory alone', () => {
    const r = snippet(`
      adr x0, vectors
      msr vbar_el1, x0
      isb
      adr x2, buf
      mov x1, #7
bad:  stadd x1, [x2]
      wfi
      .balign 2048
vectors:
      .skip 0x200
      mrs x20, esr_el1
      mrs x21, elr_el1
      ldr x22, [x2]
      wfi
      .balign 16
buf:  .quad 5`);
    expect(r.exit.reason).toBe('wfi');
    expect(x(r.core, 20)).toBe(BigInt(1 << 25));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('bad')));
    expect(x(r.core, 22)).toBe(5n);
  });

  it('BC.cond does not branch: it is UNDEFINED, whatever the condition', () => {
    const r = snippet(`bad: bc.al far\n wfi\nfar: wfi`);
    expect(r.exit).toMatchObject({ reason: 'undefined_instruction', pc: r.sym('bad'), detail: expect.stringContaining('FEAT_HBC (ARMv8.8)') });
  });

  it('runs the hint-space PAC, BTI, ESB and CSDB instructions as NOP', () => {
    const r = snippet(`mov x30, #0x1234\n paciasp\n bti c\n pacibsp\n autiasp\n autibsp\n xpaclri\n esb\n csdb\n paciaz\n mov x0, #1\n wfi`);
    expect(r.exit.reason).toBe('wfi');
    expect(x(r.core, 0)).toBe(1n);
    expect(x(r.core, 30)).toBe(0x1234n);
  });
});
