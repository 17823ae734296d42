import { EC, formatGuestException } from '../../../devices/cpu';
import { SysRegs, encode } from '../../../isa/a64';
import { snippet, x } from './harness';

/** A vector table at `vectors` (2 KiB aligned) whose current-EL SPx sync entry (+0x200) records the syndrome and stops. */
const VECTORS = `
      .balign 2048
vectors:
      .skip 0x200
      mrs x20, esr_el1
      mrs x21, elr_el1
      mrs x22, spsr_el1
      mrs x23, far_el1
      mov x24, sp
      wfi
      .balign 0x80
      .skip 0x180
`;
const SETUP = `
      adr x0, vectors
      msr vbar_el1, x0
      isb
`;

describe('synchronous exceptions to VBAR_EL1', () => {
  test('BRK: ESR EC=0x3c with the immediate, ELR = the BRK, SPSR = PSTATE (EL1h, DAIF masked)', () => {
    const r = snippet(`${SETUP}\n movz x9, #0x6000, lsl #16\n msr nzcv, x9\nhere: brk #0x1234\n${VECTORS}`);
    expect(r.exit).toEqual({ reason: 'wfi', pc: r.sym('vectors') + 0x214 });
    expect(x(r.core, 20)).toBe(BigInt(((EC.BRK64 << 26) | (1 << 25) | 0x1234) >>> 0));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('here')));
    expect(x(r.core, 22)).toBe(0x6000_03c5n);
  });

  test('undefined instruction: EC=0, ELR = the instruction', () => {
    const r = snippet(`${SETUP}\nbad: .word 0x00000000\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(BigInt(1 << 25));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('bad')));
  });

  test('SVC: EC=0x15, ELR = the next instruction', () => {
    const r = snippet(`${SETUP}\n svc #7\nnext: nop\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(BigInt(((EC.SVC64 << 26) | (1 << 25) | 7) >>> 0));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('next')));
  });

  test('MMU off: an unaligned load is an alignment fault (data is Device): DFSC 0x21, FAR = the address', () => {
    const r = snippet(`${SETUP}\n movz x1, #0x4050, lsl #16\n add x1, x1, #3\nld: ldr x2, [x1]\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(BigInt(((EC.DATA_ABORT_SAME_EL << 26) | (1 << 25) | 0x21) >>> 0));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('ld')));
    expect(x(r.core, 23)).toBe(0x4050_0003n);
  });

  test('an unaligned store reports WnR', () => {
    const r = snippet(`${SETUP}\n movz x1, #0x4050, lsl #16\n str w2, [x1, #2]\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(BigInt(((EC.DATA_ABORT_SAME_EL << 26) | (1 << 25) | (1 << 6) | 0x21) >>> 0));
  });

  test('PC alignment fault: EC=0x22, FAR = the bad PC', () => {
    const r = snippet(`${SETUP}\n adr x1, target\n add x1, x1, #2\n br x1\ntarget: nop\n${VECTORS}`);
    expect(x(r.core, 20)).toBe(BigInt(((EC.PC_ALIGNMENT << 26) | (1 << 25)) >>> 0));
    expect(x(r.core, 23)).toBe(BigInt(r.sym('target') + 2));
    expect(x(r.core, 21)).toBe(BigInt(r.sym('target') + 2));
  });

  test('ERET returns to ELR_EL1 with SPSR_EL1 restored (flags, SPSel)', () => {
    const r = snippet(`
      adr x0, vec
      msr vbar_el1, x0
      movz x9, #0x8000, lsl #16
      msr nzcv, x9
      brk #0
      mrs x10, nzcv
      wfi
      .balign 2048
vec:  .skip 0x200
      msr nzcv, xzr
      mrs x11, elr_el1
      add x11, x11, #4
      msr elr_el1, x11
      eret`);
    expect(r.exit.reason).toBe('wfi');
    expect(x(r.core, 10)).toBe(0x8000_0000n);
  });

  test('SP_EL0 / SP_EL1 banking: from EL1t the vector is +0x000 and the handler runs on SP_EL1', () => {
    const r = snippet(`
      adr x0, vec
      msr vbar_el1, x0
      movz x1, #0x4040, lsl #16
      mov sp, x1              // SP_EL1
      msr spsel, #0
      movz x2, #0x4030, lsl #16
      mov sp, x2              // SP_EL0
      brk #0
      .balign 2048
vec:  mov x24, sp
      mrs x25, spsel
      mrs x26, sp_el0
      mrs x22, spsr_el1
      wfi`);
    expect(r.exit.reason).toBe('wfi');
    expect(x(r.core, 24)).toBe(0x4040_0000n);
    expect(x(r.core, 25)).toBe(1n);
    expect(x(r.core, 26)).toBe(0x4030_0000n);
    expect(x(r.core, 22) & 0xfn).toBe(4n); // EL1t
  });

  test('MSR DAIFSet / DAIFClr and the DAIF register', () => {
    const r = snippet(`
      msr daifclr, #0xf
      mrs x1, daif
      msr daifset, #2
      mrs x2, daif
      wfi`);
    expect(x(r.core, 1)).toBe(0n);
    expect(x(r.core, 2)).toBe(0x80n);
  });
});

describe('with VBAR_EL1 still 0', () => {
  test('an undefined encoding stops the VCPU with undefined_instruction', () => {
    const r = snippet(`nop\n .word 0x4e284820`); // aese: outside the model (no Cryptographic Extension)
    expect(r.exit).toEqual({
      reason: 'undefined_instruction',
      pc: 0x4008_0004,
      word: 0x4e284820,
      detail: expect.stringMatching(/^undefined instruction at PC=0x40080004, word=0x4e284820/),
    });
  });

  test('MRS of an EL2 register is undefined at EL1', () => {
    const r = snippet(`mrs x0, hcr_el2`);
    expect(r.exit.reason).toBe('undefined_instruction');
    expect(r.exit.reason === 'undefined_instruction' && r.exit.detail).toMatch(/hcr_el2, not accessible at EL1/);
  });

  test('MSR to a read-only register is undefined', () => {
    // The assembler refuses it, so encode it directly.
    const word = encode({ op: 'MSR', sysreg: SysRegs.MIDR_EL1, rt: 0 });
    expect(snippet(`.word ${word}`).exit.reason).toBe('undefined_instruction');
  });

  test('SMC is undefined (KVM injects an UNDEF)', () => {
    expect(snippet(`smc #0`).exit.reason).toBe('undefined_instruction');
  });

  test('any other exception is a guest_fault exit that explains it', () => {
    const r = snippet(`brk #3`);
    expect(r.exit).toEqual({ reason: 'guest_fault', pc: 0x4008_0000, detail: expect.stringContaining('BRK #3 at PC=0x40080000; VBAR_EL1 is 0') });
  });
});

test('an exception loop (vectors in memory that cannot be fetched) ends in a guest_fault exit', () => {
  const r = snippet(`
      movz x0, #0x1000, lsl #16
      msr vbar_el1, x0
      brk #0`);
  expect(r.exit.reason).toBe('guest_fault');
  expect(r.exit.reason === 'guest_fault' && r.exit.detail).toMatch(/exception loop/);
  // The first abort was injected by the hypervisor: an instruction fetch outside RAM.
  expect(r.hyp.aborts[r.hyp.aborts.length - 1]).toMatchObject({ ipa: 0x1000_0200, access: 'exec', kind: 'translation' });
});

describe('the first unexpected exception is the one reported', () => {
  // ctz w0, w1: FEAT_CSSC (ARMv8.9), outside the modelled ARMv8.0 set.
  const CTZ = 0x5ac01820;

  test('with VBAR_EL1 = 0: ESR, ELR, the word, its class and the PCs that ran before it', () => {
    const r = snippet(`
        mov x1, #1
        bl f
        mov x2, #2
bad:    .word ${CTZ}
f:      mov x3, #3
        ret`);
    expect(r.exit.reason).toBe('undefined_instruction');
    expect(r.exit.reason === 'undefined_instruction' && r.exit.detail).toContain(`word=0x5ac01820 (outside the modelled A64 subset: data processing, one source, beyond ARMv8.0 (CTZ, CNT, ABS, PAC...))`);
    const f = r.core.firstFault!;
    expect(f).toMatchObject({ ec: 0, esr: 0x0200_0000, elr: r.sym('bad'), far: null, pc: r.sym('bad'), word: CTZ, vbar: 0, retired: 5 });
    // mov x1; bl f; (f:) mov x3; ret; mov x2 — then the fault.
    const base = r.sym('bad') - 12;
    expect(f.recent).toEqual([base, base + 4, r.sym('f'), r.sym('f') + 4, base + 8]);
  });

  test('an exception loop much later still names the first fault, not the 32nd exception', () => {
    // The guest's handler skips the unsupported instruction; long after, it points VBAR_EL1 at
    // zeroed memory and takes a BRK: every vector fetch is UDF #0, an exception loop.
    const r = snippet(`
        adr x0, vectors
        msr vbar_el1, x0
        isb
bad:    .word ${CTZ}
        mov x5, #200
1:      subs x5, x5, #1
        b.ne 1b
        adr x6, zeroes
        msr vbar_el1, x6
        brk #1
        .balign 2048
vectors:
        .skip 0x200
        mrs x10, elr_el1
        add x10, x10, #4
        msr elr_el1, x10
        eret
        .balign 2048
zeroes: .skip 0x800`);
    expect(r.exit.reason).toBe('guest_fault');
    const detail = r.exit.reason === 'guest_fault' ? r.exit.detail : '';
    expect(detail).toMatch(/^exception loop: 32 exceptions without a retired instruction, the last: undefined instruction at PC=0x[0-9a-f]+, word=0x00000000/);
    expect(detail).toContain(`; the first unexpected exception (after 3 instructions): undefined instruction at PC=0x${r.sym('bad').toString(16)}, word=0x5ac01820`);
    expect(r.core.firstFault).toMatchObject({ pc: r.sym('bad'), word: CTZ, esr: 0x0200_0000, vbar: r.sym('vectors') });
  });

  test('the report names ESR, ELR, FAR and the disassembly', () => {
    // MMU off, data is Device: an unaligned load is an alignment fault (with VBAR_EL1 = 0).
    const r = snippet(`movz x1, #0x4010, lsl #16\n add x1, x1, #1\n ldr x2, [x1]`);
    expect(r.exit.reason).toBe('guest_fault');
    const lines = formatGuestException(r.core.firstFault!);
    expect(lines[0]).toMatch(/^alignment fault.* \(after 2 instructions\)$|^data abort at PC=0x40080008: .* \(after 2 instructions\)$/);
    expect(lines).toContain('instruction  0x40080008: 0xf9400022  ldr x2, [x1]');
    expect(lines).toContain('ESR_EL1      0x96000021 (EC 0x25: data abort, same EL)');
    expect(lines).toContain('ELR_EL1      0x40080008');
    expect(lines).toContain('FAR_EL1      0x40100001');
    expect(lines).toContain('ran before   0x40080000 0x40080004');
  });
});

test('an undefined word from a stale I-cache line: the report says what memory holds there', () => {
  // The guest turns the I-cache on, runs the line holding `slot` (filling the I-cache), then
  // stores a NOP over slot's undefined word without IC IVAU: the stale word runs.
  const r = snippet(`
        mrs x0, sctlr_el1
        orr x0, x0, #0x1000
        msr sctlr_el1, x0
        isb
        b warm
        .balign 64
warm:   b 1f
slot:   .word 0x5ac01820
1:      adr x1, slot
        movz w2, #0x201f
        movk w2, #0xd503, lsl #16
        str w2, [x1]
        dsb sy
        isb
        b slot`);
  expect(r.exit.reason).toBe('undefined_instruction');
  const f = r.core.firstFault!;
  expect(f).toMatchObject({ pc: r.sym('slot'), word: 0x5ac01820, memoryWord: 0xd503201f });
  expect(formatGuestException(f)).toContain('stale fetch  memory holds 0xd503201f (nop) there: the word executed came from a stale I-cache line');
  // Where the two agree, no such line.
  expect(formatGuestException(snippet(`.word 0x5ac01820`).core.firstFault!).some((l) => l.startsWith('stale fetch'))).toBe(false);
});
