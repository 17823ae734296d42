/**
 * EL0 and EL1: ERET to EL0, exceptions from EL0 (vector + 0x400, the lower-EL classes), the
 * SCTLR_EL1 EL0 controls, the banked SPs, and the system registers' access rules. The values
 * and syndromes were checked against QEMU 7.2's cortex-a72 (the differential campaign's `sys`
 * group runs the same cases at random).
 */
import { EC } from '../../../devices/cpu';
import { SysRegs, encode } from '../../../isa/a64';
import { snippet, x } from './harness';

/** Vectors: current EL with SP_ELx sync (+0x200) and lower EL sync (+0x400) record and stop. */
const VECTORS = `
      .balign 2048
vectors:
      .skip 0x200
      mrs x20, esr_el1
      mrs x21, elr_el1
      mrs x22, spsr_el1
      mrs x23, currentel
      mov x24, sp
      wfi
      .balign 0x200
      mrs x20, esr_el1
      mrs x21, elr_el1
      mrs x22, spsr_el1
      mrs x23, currentel
      mov x24, sp
      mrs x25, sp_el0
      wfi
      .balign 0x80
      .skip 0x300
`;
/** Sets VBAR, SCTLR_EL1 = x1 (when given), SP_EL1 = 0x40200000, SP_EL0 = 0x40300000, then ERETs to `el0` at EL0t. */
const TO_EL0 = (sctlr?: number) => `
      adr x0, vectors
      msr vbar_el1, x0
      ${sctlr === undefined ? '' : `movz x1, #${sctlr & 0xffff}\n      movk x1, #${sctlr >>> 16}, lsl #16\n      msr sctlr_el1, x1`}
      movz x0, #0x4020, lsl #16
      mov sp, x0
      movz x0, #0x4030, lsl #16
      msr sp_el0, x0
      adr x0, el0
      msr elr_el1, x0
      movz x0, #0x2000, lsl #16
      msr spsr_el1, x0
      eret
el0:
`;
const ESR = (ec: number, iss: number) => BigInt(((ec << 26) | (1 << 25) | iss) >>> 0);
const SCTLR = 0x30d00800;

describe('EL0', () => {
  test('ERET to EL0t: CurrentEL reads 0 there, SP is SP_EL0, SVC goes to VBAR + 0x400 with SPSR.M = EL0t', () => {
    const r = snippet(`${TO_EL0()}  mov x5, sp\n  svc #0x42\nnext: nop\n${VECTORS}`);
    expect(r.exit).toEqual({ reason: 'wfi', pc: r.sym('vectors') + 0x418 });
    expect(x(r.core, 5)).toBe(0x4030_0000n);
    expect(x(r.core, 20)).toBe(ESR(EC.SVC64, 0x42));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('next')));
    expect(x(r.core, 22)).toBe(0x2000_0000n); // Z set, DAIF clear, M = EL0t
    expect(x(r.core, 23)).toBe(4n); // back at EL1
    expect(x(r.core, 24)).toBe(0x4020_0000n);
    expect(x(r.core, 25)).toBe(0x4030_0000n);
    expect(r.core.memory.unprivileged).toBe(false);
  });

  test('the memory path checks EL0 permissions while the core is at EL0', () => {
    const r = snippet(`${TO_EL0()}  wfi\n${VECTORS}`, { maxInsns: 100 });
    // nTWI = 0 in KVM's reset SCTLR_EL1: the WFI traps to EL1 with EC 0x01.
    expect(x(r.core, 20)).toBe(ESR(EC.WFX, (1 << 24) | (0xe << 20)));
    const s = snippet(`${TO_EL0(SCTLR | (1 << 16))}  wfi\n${VECTORS}`);
    expect(s.exit.reason).toBe('wfi');
    expect(s.core.memory.unprivileged).toBe(true);
  });

  test('MRS of an EL1 register at EL0 is UNDEFINED (EC 0), taken to EL1 at + 0x400', () => {
    const r = snippet(`${TO_EL0()}bad:  mrs x0, sctlr_el1\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(ESR(EC.UNKNOWN, 0));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('bad')));
  });

  test('CTR_EL0 at EL0 traps with EC 0x18 unless SCTLR_EL1.UCT (the ISS names the register and Rt)', () => {
    const r = snippet(`${TO_EL0(SCTLR)}  mrs x7, ctr_el0\n${VECTORS}`);
    // Op0 3, Op2 1, Op1 3, CRn 0, Rt 7, CRm 0, read.
    expect(x(r.core, 20)).toBe(ESR(EC.SYSREG, (3 << 20) | (1 << 17) | (3 << 14) | (7 << 5) | 1));
    const s = snippet(`${TO_EL0(SCTLR | (1 << 15))}  mrs x7, ctr_el0\n  svc #0\n${VECTORS}`);
    expect(x(s.core, 20)).toBe(ESR(EC.SVC64, 0));
    expect(x(s.core, 7)).toBe(0x8444c004n);
  });

  test('DAIF at EL0 obeys SCTLR_EL1.UMA; MSR SPSel at EL0 is UNDEFINED', () => {
    const r = snippet(`${TO_EL0(SCTLR)}  mrs x7, daif\n${VECTORS}`);
    expect(x(r.core, 20) >> 26n).toBe(BigInt(EC.SYSREG));
    const s = snippet(`${TO_EL0(SCTLR | (1 << 9))}  msr daifset, #3\n  mrs x7, daif\n  svc #0\n${VECTORS}`);
    expect(x(s.core, 7)).toBe(0xc0n);
    const t = snippet(`${TO_EL0(SCTLR | (1 << 9))}  msr spsel, #1\n${VECTORS}`);
    expect(x(t.core, 20)).toBe(ESR(EC.UNKNOWN, 0));
  });

  test('DC ZVA at EL0 traps unless DZE, and DCZID_EL0.DZP says so; DC CVAC and IC IVAU obey UCI; DC IVAC is UNDEFINED', () => {
    const zva = snippet(`${TO_EL0(SCTLR)}  mrs x6, dczid_el0\n  dc zva, x0\n${VECTORS}`);
    expect(x(zva.core, 6)).toBe(0x14n);
    expect(x(zva.core, 20)).toBe(ESR(EC.SYSREG, (1 << 20) | (1 << 17) | (3 << 14) | (7 << 10) | (0 << 5) | (4 << 1)));
    const cvac = snippet(`${TO_EL0(SCTLR)}  dc cvac, x0\n${VECTORS}`);
    expect(x(cvac.core, 20) >> 26n).toBe(BigInt(EC.SYSREG));
    const ivau = snippet(`${TO_EL0(SCTLR | (1 << 26))}  dc cvac, x0\n  ic ivau, x0\n  svc #0\n${VECTORS}`);
    expect(x(ivau.core, 20)).toBe(ESR(EC.SVC64, 0));
    const ivac = snippet(`${TO_EL0(SCTLR | (1 << 26))}  dc ivac, x0\n${VECTORS}`);
    expect(x(ivac.core, 20)).toBe(ESR(EC.UNKNOWN, 0));
  });

  test('a data abort from EL0 has EC 0x24 (lower EL), an ERET or HVC at EL0 is UNDEFINED', () => {
    const r = snippet(`${TO_EL0()}  movz x1, #0x4050, lsl #16\n  ldr x2, [x1, #1]\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(ESR(EC.DATA_ABORT_LOWER_EL, 0x21));
    expect(x(snippet(`${TO_EL0()}  eret\n${VECTORS}`).core, 20)).toBe(ESR(EC.UNKNOWN, 0));
    expect(x(snippet(`${TO_EL0()}  hvc #0\n${VECTORS}`).core, 20)).toBe(ESR(EC.UNKNOWN, 0));
  });

  test('TPIDR_EL0 is read/write at EL0, TPIDRRO_EL0 read-only there', () => {
    const r = snippet(`
      adr x0, vectors
      msr vbar_el1, x0
      movz x1, #0x1234
      msr tpidrro_el0, x1
      ${TO_EL0().replace(/adr x0, vectors\n\s*msr vbar_el1, x0/, '')}
      movz x2, #0x55
      msr tpidr_el0, x2
      mrs x3, tpidr_el0
      mrs x4, tpidrro_el0
bad:  msr tpidrro_el0, x2
${VECTORS}`);
    expect([x(r.core, 3), x(r.core, 4)]).toEqual([0x55n, 0x1234n]);
    expect(x(r.core, 21)).toBe(BigInt(r.sym('bad')));
    expect(x(r.core, 20)).toBe(ESR(EC.UNKNOWN, 0));
  });
});

describe('EL1', () => {
  const SETUP = `adr x0, vectors\n msr vbar_el1, x0\n`;

  test('an ERET to an SPSR_EL1.M that is not EL0t/EL1t/EL1h is illegal: EC 0x0E at ELR with SPSR.IL set', () => {
    const r = snippet(`${SETUP} adr x0, target\n msr elr_el1, x0\n mov x0, #0x3c9\n msr spsr_el1, x0\n eret\ntarget: nop\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(ESR(EC.ILLEGAL_STATE, 0));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('target')));
    expect(x(r.core, 22)).toBe(0x1003c5n); // IL, DAIF from the SPSR, EL1h (checked on QEMU 7.2)
  });

  test('an ERET with SPSR_EL1.IL set to EL0t: the Illegal Execution state exception from EL0 (VBAR + 0x400)', () => {
    const r = snippet(`${SETUP} adr x0, target\n msr elr_el1, x0\n movz x0, #0x10, lsl #16\n msr spsr_el1, x0\n eret\ntarget: nop\n${VECTORS}`);
    expect(r.exit).toEqual({ reason: 'wfi', pc: r.sym('vectors') + 0x418 });
    expect(x(r.core, 20)).toBe(ESR(EC.ILLEGAL_STATE, 0));
    expect(x(r.core, 22)).toBe(0x10_0000n); // IL, EL0t
  });

  test('HLT, a generic SYS and SYSL are UNDEFINED', () => {
    for (const insn of ['hlt #1', 'sys #0, C9, C0, #0, x0', 'sysl x0, #0, C9, C0, #0']) {
      const r = snippet(`${SETUP}bad: ${insn}\n${VECTORS}`);
      expect([insn, x(r.core, 20), x(r.core, 21)]).toEqual([insn, ESR(EC.UNKNOWN, 0), BigInt(r.sym('bad'))]);
    }
  });

  test("the ID registers are QEMU 7.2 cortex-a72's", () => {
    const r = snippet(`mrs x1, id_aa64pfr0_el1\n mrs x2, id_aa64dfr0_el1\n mrs x3, id_aa64isar0_el1\n mrs x4, id_aa64mmfr0_el1\n mrs x5, id_isar2_el1\n mrs x6, mvfr0_el1\n mrs x7, s3_0_c0_c7_7\n mrs x8, midr_el1\n mrs x9, pmcr_el0\n mrs x10, pmceid0_el0\n mrs x11, currentel\n wfi`);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => x(r.core, n))).toEqual([0x22n, 0x10305106n, 0x11120n, 0x1124n, 0x21232042n, 0x10110222n, 0n, 0x410fd083n, 0x41023000n, 0x20001n, 4n]);
  });

  test('unknown encodings are UNDEFINED, never a silent zero; read-only and write-only ones too', () => {
    expect(snippet(`mrs x0, s3_0_c15_c15_7`).exit.reason).toBe('undefined_instruction');
    expect(snippet(`.word ${encode({ op: 'MSR', sysreg: SysRegs.ID_AA64PFR0_EL1, rt: 0 })}`).exit.reason).toBe('undefined_instruction');
    expect(snippet(`mrs x0, pmswinc_el0`).exit.reason).toBe('undefined_instruction');
    expect(snippet(`mrs x0, pmevcntr6_el0`).exit.reason).toBe('undefined_instruction'); // PMCR_EL0.N = 6
    expect(snippet(`mrs x0, s0_1_c1_c12_7`).exit.reason).toBe('undefined_instruction'); // op0 = 0
    expect(snippet(`.word 0xd500419f`).exit.reason).toBe('undefined_instruction'); // msr pan, #1 (ARMv8.1)
  });

  test('the OS lock: OSLAR_EL1 sets OSLSR_EL1.OSLK', () => {
    const r = snippet(`mrs x1, oslsr_el1\n mov x0, #1\n msr oslar_el1, x0\n mrs x2, oslsr_el1\n wfi`);
    expect([x(r.core, 1), x(r.core, 2)]).toEqual([0x8n, 0xan]);
  });

  test('the PMU cycle counter counts modelled cycles once enabled (PMCR_EL0.E and PMCNTENSET_EL0.C)', () => {
    const r = snippet(`mrs x1, pmccntr_el0\n mov x0, #1\n msr pmcr_el0, x0\n movz x0, #0x8000, lsl #16\n msr pmcntenset_el0, x0\n nop\n nop\n mrs x2, pmccntr_el0\n wfi`);
    expect(x(r.core, 1)).toBe(0n);
    expect(x(r.core, 2)).toBeGreaterThan(0n);
  });
});
