import { hex, hex64, hexWord, type SimEvent } from '../../../core';
import { PSCI } from '../../../devices/cpu';
import { cpuMachine, IMAGE_BASE, loadImage, snippet, x } from './harness';
import { assemble } from '../../../isa/a64';

const psci = (fn: number) => `movz w0, #${fn & 0xffff}\n movk w0, #${fn >>> 16}, lsl #16\n`;

describe('HVC and PSCI', () => {
  test('every HVC, PSCI included, exits to the hypervisor with x0 (KVM answers PSCI: plugins/kvm-arm64/psci.ts)', () => {
    expect(snippet(`${psci(PSCI.VERSION)} hvc #0\n wfi`).exit).toEqual({ reason: 'hypercall', pc: 0x4008_0008, imm: 0, x0: PSCI.VERSION });
    const m = cpuMachine();
    loadImage(m, IMAGE_BASE, assemble(`${psci(PSCI.SYSTEM_OFF)} hvc #0`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    expect(m.core.run(100)).toEqual({ reason: 'hypercall', pc: 0x4008_0008, imm: 0, x0: PSCI.SYSTEM_OFF });
  });

  test('CPU_ON exits to the VMM (which starts the other VCPU); the guest resumes after the HVC', () => {
    const m = cpuMachine({ cpus: 2 });
    const img = assemble(`${psci(PSCI.CPU_ON_64)} mov x1, #1\n adr x2, second\n hvc #0\n mov x5, x0\n wfi\nsecond: mrs x6, mpidr_el1\n wfi`, { base: IMAGE_BASE });
    loadImage(m, IMAGE_BASE, img.bytes);
    m.core.reset(IMAGE_BASE);
    const e = m.core.run(100);
    expect(e).toEqual({ reason: 'hypercall', pc: 0x4008_0010, imm: 0, x0: PSCI.CPU_ON_64 });
    // The VMM starts VCPU 1 at x2 and returns PSCI SUCCESS (0) to VCPU 0.
    const entry = m.core.getX(2).lo;
    m.cores[1].reset(entry, 0);
    m.core.setX(0, 0);
    expect(m.core.run(100).reason).toBe('wfi');
    expect(x(m.core, 5)).toBe(0n);
    expect(m.cores[1].run(100).reason).toBe('wfi');
    expect(x(m.cores[1], 6)).toBe(0x8000_0001n);
  });

  test('other HVCs are hypercall exits with the immediate and x0', () => {
    expect(snippet(`mov x0, #42\n hvc #0x55`).exit).toEqual({ reason: 'hypercall', pc: 0x4008_0004, imm: 0x55, x0: 42 });
  });
});

describe('MMIO exits', () => {
  test('a load outside RAM exits with the IPA; completeMmioRead writes the register (sign-extended) and resumes', () => {
    const m = cpuMachine();
    loadImage(m, IMAGE_BASE, assemble(`movz x1, #0x0900, lsl #16\n ldrsb x2, [x1, #0x18]\n add x3, x2, #1\n wfi`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    const e = m.core.run(100);
    expect(e).toEqual({ reason: 'mmio', pc: 0x4008_0004, addr: 0x0900_0018, size: 1, write: false, valueLo: 0, valueHi: 0 });
    expect(m.hyp.aborts.at(-1)).toMatchObject({ ipa: 0x0900_0018, va: 0x0900_0018, kind: 'translation', access: 'read', size: 1, s1ptw: false, cm: false, pc: 0x4008_0004 });
    m.core.completeMmioRead(0x90);
    expect(m.core.pc).toBe(0x4008_0004); // completed at the next run, as KVM_RUN does
    expect(m.core.run(100).reason).toBe('wfi');
    expect(x(m.core, 2)).toBe(0xffff_ffff_ffff_ff90n);
    expect(x(m.core, 3)).toBe(0xffff_ffff_ffff_ff91n);
  });

  test('a store exits with its value; the next run continues after it', () => {
    const m = cpuMachine();
    loadImage(m, IMAGE_BASE, assemble(`movz x1, #0x0900, lsl #16\n movz x2, #0x1234, lsl #32\n movk x2, #0x41\n str x2, [x1]\n wfi`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    expect(m.core.run(100)).toEqual({ reason: 'mmio', pc: 0x4008_000c, addr: 0x0900_0000, size: 8, write: true, valueLo: 0x41, valueHi: 0x1234 });
    expect(m.core.run(100)).toEqual({ reason: 'wfi', pc: 0x4008_0010 });
  });

  test('running again before completing an MMIO read is an internal error', () => {
    const m = cpuMachine();
    loadImage(m, IMAGE_BASE, assemble(`movz x1, #0x0900, lsl #16\n ldr w2, [x1]`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    expect(m.core.run(10).reason).toBe('mmio');
    expect(m.core.run(10)).toMatchObject({ reason: 'internal_error', detail: expect.stringContaining('before completeMmioRead') });
  });

  test('LDP and writeback accesses to MMIO cannot be emulated (no ISV)', () => {
    expect(snippet(`movz x1, #0x0900, lsl #16\n ldp x2, x3, [x1]`).exit).toMatchObject({ reason: 'internal_error', detail: expect.stringContaining('ISV=0') });
    expect(snippet(`movz x1, #0x0900, lsl #16\n str w2, [x1], #4`).exit).toMatchObject({ reason: 'internal_error', detail: expect.stringContaining('IPA 0x9000000') });
  });

  test('the word in an exit message is the unsigned word, never negative hex', () => {
    // ldp x2, x3, [x1] is 0xa9400c22: bit 31 set, so a signed word would print as 0x-56bff3de.
    const r = snippet(`movz x1, #0x0900, lsl #16\n ldp x2, x3, [x1]`);
    expect(r.exit.reason === 'internal_error' && r.exit.detail).toContain('word=0xa9400c22');
    expect(r.exit.reason === 'internal_error' && r.exit.detail).not.toMatch(/0x-/);
    expect(hexWord(-0x7bf7bdc)).toBe('0xf8408424');
    expect(hexWord(0x1f)).toBe('0x0000001f');
    expect(hex(-0x40)).toBe('-0x40'); // a bad (negative) address is shown as such, well-formed
    expect(hex64(0xe0000000 | 0, 0x8000_0003 | 0)).toBe('0xe000000080000003'); // a descriptor beyond 2^53, exactly
    expect(hex64(0, 0x1000)).toBe('0x1000');
  });

  test('a stage-2 Device mapping sends the access to the device through the memory system, no exit', () => {
    const r = snippet(`movz x1, #0x0900, lsl #16\n mov w2, #0x4b\n strb w2, [x1]\n ldr w3, [x1, #0x18]\n wfi`, { hyp: { deviceRanges: [{ base: 0x0900_0000, size: 0x1000 }] } });
    expect(r.exits.map((e) => e.reason)).toEqual(['wfi']);
    expect(r.output).toBe('K');
    expect(x(r.core, 3)).toBe(0x90n);
  });
});

describe('stage-2 abort resolutions', () => {
  test('skip: a DC CIVAC outside RAM is skipped, the guest goes on', () => {
    const r = snippet(`movz x1, #0x0800, lsl #16\n dc civac, x1\n mov x2, #1\n wfi`);
    expect(r.exit.reason).toBe('wfi');
    expect(x(r.core, 2)).toBe(1n);
    expect(r.hyp.aborts.at(-1)).toMatchObject({ ipa: 0x0800_0000, cm: true, access: 'write' });
  });

  test('inject: a synchronous external abort to VBAR_EL1 (DFSC 0x10)', () => {
    const m = cpuMachine();
    m.hyp.override = (a) => (a.ipa === 0x0a00_0000 ? { action: 'inject' } : undefined);
    loadImage(m, IMAGE_BASE, assemble(`adr x0, vec\n msr vbar_el1, x0\n movz x1, #0x0a00, lsl #16\n ldr x2, [x1]\n .balign 2048\nvec: .skip 0x200\n mrs x20, esr_el1\n mrs x23, far_el1\n wfi`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    expect(m.core.run(100).reason).toBe('wfi');
    expect(x(m.core, 20)).toBe(BigInt(((0x25 << 26) | (1 << 25) | 0x10) >>> 0));
    expect(x(m.core, 23)).toBe(0x0a00_0000n);
  });

  test('exit: the hypervisor stops the VCPU with an error', () => {
    const m = cpuMachine();
    m.hyp.override = (a) => (a.ipa === 0x0a00_0000 ? { action: 'exit', detail: 'EFAULT at 0xa000000' } : undefined);
    loadImage(m, IMAGE_BASE, assemble(`movz x1, #0x0a00, lsl #16\n ldr x2, [x1]`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    expect(m.core.run(100)).toEqual({ reason: 'internal_error', pc: 0x4008_0004, detail: 'EFAULT at 0xa000000' });
  });

  test('a retry that faults the same way again and again is a livelock: internal_error naming the IPA', () => {
    const m = cpuMachine();
    m.hyp.override = (a) => (a.ipa === 0x0a00_0008 ? { action: 'retry' } : undefined);
    loadImage(m, IMAGE_BASE, assemble(`movz x1, #0x0a00, lsl #16\n ldr x2, [x1, #8]`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    const e = m.core.run(100);
    expect(e).toMatchObject({ reason: 'internal_error', pc: 0x4008_0004, detail: expect.stringContaining('IPA 0xa000008') });
    expect(e.reason === 'internal_error' && e.detail).toMatch(/livelock/);
  });

  test('a permission fault on the first fetch (lazy exec) is relaxed and retried', () => {
    const r = snippet(`mov x0, #5\n wfi`, { hyp: { lazyExec: true } });
    expect(r.exit.reason).toBe('wfi');
    expect(r.hyp.aborts.map((a) => `${a.kind}/${a.access}`)).toEqual(['translation/exec', 'permission/exec']);
  });
});

describe('HCR_EL2.TVM and set/way traps', () => {
  test('VM-register writes are reported while TVM is set, then performed; trapping stops once MMU and caches are on', () => {
    const r = snippet(`
      movz x1, #0xff00
      msr mair_el1, x1
      mov x2, #25
      msr tcr_el1, x2
      adr x3, table
      msr ttbr0_el1, x3
      mrs x4, sctlr_el1
      orr x5, x4, #0x1000
      msr sctlr_el1, x5      // I only: still trapped
      mov x6, #0x5
      orr x5, x5, x6
      msr sctlr_el1, x5      // M|C: KVM stops trapping
      msr sctlr_el1, x5      // not reported
      wfi
      .balign 4096
table: .quad 0
      .quad 0x40000705
      .skip 4080`);
    expect(r.exit.reason).toBe('wfi');
    const sctlr0 = 0x30d0_0800;
    expect(r.hyp.vmRegWrites.map((w) => [w.reg, w.oldValue, w.newValue])).toEqual([
      ['MAIR_EL1', 0, 0xff00],
      ['TCR_EL1', 0, 25],
      ['TTBR0_EL1', 0, r.sym('table')],
      ['SCTLR_EL1', sctlr0, sctlr0 | 0x1000],
      ['SCTLR_EL1', sctlr0 | 0x1000, sctlr0 | 0x1005],
    ]);
    expect(r.core.sctlr).toBe(sctlr0 | 0x1005);
  });

  test('DC CISW asks the hypervisor; executed locally on the right level only when it declines', () => {
    const run = (handle: boolean) => {
      const m = cpuMachine({ hyp: { handleSetWay: handle } });
      const cmos: SimEvent<'cmo'>[] = [];
      m.bus.subscribe('cmo', (e) => cmos.push(e));
      // Level 2 (Xt[3:1] = 1), set 3, way 0.
      loadImage(m, IMAGE_BASE, assemble(`mov x1, #(3 << 6) | 2\n dc cisw, x1\n dc isw, x1\n wfi`, { base: IMAGE_BASE }).bytes);
      m.core.reset(IMAGE_BASE);
      expect(m.core.run(100).reason).toBe('wfi');
      return { m, ops: cmos.map((e) => e.op).filter((o) => o.includes('SW')) };
    };
    const declined = run(false);
    expect(declined.m.hyp.setWays.map((s) => s.op)).toEqual(['DC CISW', 'DC ISW']);
    // HCR_EL2.SWIO: the invalidate by set/way is performed as clean+invalidate.
    expect(declined.ops).toEqual(['DC CISW', 'DC CISW']);
    expect(run(true).ops).toEqual([]);
  });

  test('DC IVAC is performed as DC CIVAC under stage 2; IC IALLU is broadcast (HCR_EL2.FB)', () => {
    const m = cpuMachine();
    const ops: string[] = [];
    m.bus.subscribe('cmo', (e) => ops.push(e.op));
    loadImage(m, IMAGE_BASE, assemble(`movz x1, #0x4050, lsl #16\n dc ivac, x1\n dc cvac, x1\n dc cvau, x1\n ic ivau, x1\n ic iallu\n ic ialluis\n wfi`, { base: IMAGE_BASE }).bytes);
    m.core.reset(IMAGE_BASE);
    ops.length = 0;
    expect(m.core.run(100).reason).toBe('wfi');
    expect(ops.filter((o) => o.startsWith('DC') || o.startsWith('IC'))).toEqual(['DC CIVAC', 'DC CVAC', 'DC CVAU', 'IC IVAU', 'IC IALLUIS', 'IC IALLUIS']);
  });
});

describe('identification registers', () => {
  test('cortex-a72: CTR_EL0, CLIDR_EL1, CCSIDR_EL1, DCZID_EL0, MPIDR_EL1, CurrentEL, MIDR_EL1', () => {
    const r = snippet(`
      mrs x1, ctr_el0
      mrs x2, clidr_el1
      msr csselr_el1, xzr
      mrs x3, ccsidr_el1
      mov x9, #1
      msr csselr_el1, x9
      mrs x4, ccsidr_el1
      mrs x5, dczid_el0
      mrs x6, mpidr_el1
      mrs x7, currentel
      mrs x8, midr_el1
      mrs x10, daif
      wfi`);
    expect(x(r.core, 1)).toBe(0x8444_c004n);
    expect(x(r.core, 2)).toBe(0x0a20_0023n);
    expect(x(r.core, 3)).toBe(0x701f_e00an); // WB RA WA, 32 KiB 2-way L1 D, 64-byte lines (QEMU's value)
    expect(x(r.core, 4)).toBe(0x201f_e012n); // RA, 48 KiB 3-way L1 I
    expect(x(r.core, 5)).toBe(4n);
    expect(x(r.core, 6)).toBe(0x8000_0000n);
    expect(x(r.core, 7)).toBe(4n);
    expect(x(r.core, 8)).toBe(0x410f_d083n);
    expect(x(r.core, 10)).toBe(0x3c0n);
  });

  test('a topology with IDC and DIC reports them in CTR_EL0', () => {
    const r = snippet(`mrs x1, ctr_el0\n wfi`, { topology: 'neoverse-n1' });
    expect(Number(x(r.core, 1)) & 0x3000_0000).toBe(0x3000_0000);
  });
});
