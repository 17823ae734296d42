/**
 * Stage 1 as a Cortex-A72 (Arm ARM D5: the VMSAv8-64 translation regime of EL1&0): TTBR0/TTBR1
 * and the VA-range check, EPD, IPS, TBI, EL0/EL1 permissions, the access flag, ASIDs and nG,
 * the architectural TLB that only TLBI invalidates (a stale entry is observable, as a stale
 * cache line is), and AT with PAR_EL1.
 */
import { assemble } from '../../../isa/a64';
import { AccessStatus, EXEC, FSC, READ, WRITE, SCTLR_C, SCTLR_EL1_RESET, SCTLR_I, SCTLR_M, type AccessIndex } from '../../../devices/cpu';
import { cpuMachine, IMAGE_BASE, loadImage, runGuest, x, type CpuMachine } from './harness';

const ON = SCTLR_EL1_RESET | SCTLR_M | SCTLR_C | SCTLR_I;
const AF = 1 << 10;
const ISH = 3 << 8;
const NG = 1 << 11;
/** MAIR: attr0 Device-nGnRnE, attr1 Normal WB, attr2 Normal non-cacheable. */
const MAIR = 0x44ff00;
/** TCR: T0SZ=T1SZ=25 (39-bit ranges), IRGN0/IRGN1 WB, TG1 = 4 KiB, IPS 40 bits. */
const TCR_LO = (25 | (1 << 8) | (25 << 16) | (1 << 24) | (2 << 30)) >>> 0;
const TCR_HI = 2;

const L1 = 0x4070_0000; // TTBR0 root (level 1)
const L2 = 0x4070_1000;
const L3 = 0x4070_2000;
const L1_HI = 0x4070_3000; // TTBR1 root
const PAGE_A = 0x4090_0000;
const PAGE_B = 0x4090_1000;
/** VA 0x40800000 + 4 KiB * n: L3 entry n. */
const VA = 0x4080_0000;
/** The TTBR1 range with T1SZ=25: [2^64 - 2^39, 2^64), as a VA number (negative). */
const UPPER = -(2 ** 39);

type Desc = [number, number];
function desc(oa: number, low: number, hi = 0): Desc {
  return [((oa % 2 ** 32) | low) >>> 0, (Math.floor(oa / 2 ** 32) | hi) >>> 0];
}
const table = (pa: number, hi = 0) => desc(pa, 0b11, hi);
const page = (pa: number, extra = 0, hi = 0, attr = 1) => desc(pa, 0b11 | AF | ISH | (attr << 2) | extra, hi);
const block = (pa: number, extra = 0, attr = 1) => desc(pa, 0b01 | AF | ISH | (attr << 2) | extra);

function put(m: CpuMachine, pa: number, [lo, hi]: Desc): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, lo, true);
  new DataView(b.buffer).setUint32(4, hi, true);
  m.ms.writeBytes('host', 0, pa, b, true);
}
function put64(m: CpuMachine, pa: number, v: number): void {
  put(m, pa, [v >>> 0, Math.floor(v / 2 ** 32)]);
}

/**
 * TTBR0: [0x40000000, +2 MiB) and [0x40600000, +2 MiB) identity 2 MiB blocks (code, tables);
 * [0x40800000, +2 MiB) through L3: entry 0 → PAGE_A (nG), entry 1 → PAGE_B. TTBR1: its first
 * 1 GiB block → PA 0x40000000. PAGE_A holds 0xaaaa, PAGE_B 0xbbbb.
 */
function machine(o: { asid?: number } = {}) {
  const m = cpuMachine();
  put(m, L1 + 1 * 8, table(L2));
  put(m, L2 + 0 * 8, block(0x4000_0000));
  put(m, L2 + 3 * 8, block(0x4060_0000));
  put(m, L2 + 4 * 8, table(L3));
  put(m, L3 + 0 * 8, page(PAGE_A, NG));
  put(m, L3 + 1 * 8, page(PAGE_B));
  put(m, L1_HI + 0 * 8, block(0x4000_0000));
  put64(m, PAGE_A, 0xaaaa);
  put64(m, PAGE_B, 0xbbbb);
  const mem = m.core.memory;
  mem.setMair(MAIR, 0);
  mem.setTcr(TCR_LO, TCR_HI);
  mem.setTtbr0(L1, (o.asid ?? 0) << 16);
  mem.setTtbr1(L1_HI, 0);
  mem.setSctlr(ON);
  return m;
}

function translate(m: CpuMachine, va: number, kind: AccessIndex, size = 4) {
  const mem = m.core.memory;
  const st = mem.translate(va, kind, kind, false, size, 0, 0);
  return { st, pa: mem.pa, fault: st === AccessStatus.FAULT ? mem.fault : null };
}

function read(m: CpuMachine, va: number): number {
  const st = m.core.memory.read(va, 8);
  if (st !== AccessStatus.OK) throw new Error(`read at ${va.toString(16)}: status ${st} ${m.core.memory.fault?.description ?? ''}`);
  return m.core.memory.lo;
}

describe('the VA ranges: TTBR0_EL1 below, TTBR1_EL1 above', () => {
  test('an upper-range VA walks from TTBR1_EL1; vaOf makes the 64-bit address that number', () => {
    const m = machine();
    const va = m.core.memory.vaOf(0x0008_1234, 0xffffff80);
    expect(va).toBe(UPPER + 0x8_1234);
    expect(translate(m, va, READ)).toMatchObject({ st: AccessStatus.OK, pa: 0x4008_1234 });
  });

  test.each([
    ['just above the TTBR0 range', 2 ** 39],
    ['just below the TTBR1 range', UPPER - 4096],
  ])('a VA in neither range (%s) is a level-0 translation fault', (_what, va) => {
    const m = machine();
    expect(translate(m, va, READ)).toMatchObject({ st: AccessStatus.FAULT, fault: { fsc: FSC.translation(0), va } });
  });

  test('EPD1 and EPD0 disable the walks of their range (level-0 translation fault)', () => {
    const m = machine();
    m.core.memory.setTcr(TCR_LO | (1 << 23), TCR_HI);
    expect(translate(m, UPPER, READ).fault).toMatchObject({ fsc: FSC.translation(0) });
    expect(translate(m, 0x4008_0000, READ).st).toBe(AccessStatus.OK);
    m.core.memory.setTcr(TCR_LO | (1 << 7), TCR_HI);
    expect(translate(m, 0x4060_0000, READ).fault).toMatchObject({ fsc: FSC.translation(0) });
    // EPD disables walks on a TLB miss: an entry already in the TLB still translates.
    expect(translate(m, 0x4008_0000, READ).st).toBe(AccessStatus.OK);
  });

  test('a 16 or 64 KiB granule stops the VCPU with an error naming TCR_EL1.TG0 / TG1', () => {
    const m = machine();
    m.core.memory.setTcr((TCR_LO & ~(3 << 30)) | (1 << 30), TCR_HI);
    expect(translate(m, UPPER, READ).st).toBe(AccessStatus.EXIT);
    expect(m.core.memory.exitDetail).toMatch(/TCR_EL1.TG1=1 selects a 16 KiB granule/);
    m.core.memory.setTcr(TCR_LO | (1 << 14), TCR_HI);
    expect(translate(m, 0x4008_0000, READ).st).toBe(AccessStatus.EXIT);
    expect(m.core.memory.exitDetail).toMatch(/TCR_EL1.TG0=1 selects a 64 KiB granule/);
  });

  test('TBI0 / TBI1: the top byte is ignored only when its range enables it', () => {
    const m = machine();
    const mem = m.core.memory;
    expect(mem.vaOf(0x4080_0000, 0x5a00_0000)).toBeGreaterThan(2 ** 48); // no TBI0: out of both ranges
    mem.setTcr(TCR_LO, TCR_HI | (1 << 5)); // TBI0
    expect(mem.vaOf(0x4080_0000, 0x5a00_0000)).toBe(VA);
    expect(read(m, mem.vaOf(0x4080_0000, 0x5a00_0000))).toBe(0xaaaa);
    expect(mem.vaOf(0, 0x12ffff80)).not.toBe(UPPER); // TBI1 clear
    mem.setTcr(TCR_LO, TCR_HI | (1 << 6));
    expect(mem.vaOf(0, 0x12ffff80)).toBe(UPPER);
  });

  test('TCR_EL1.IPS: an output address beyond it is an address size fault at the level of the descriptor', () => {
    const m = machine();
    put(m, L3 + 2 * 8, page(2 ** 40)); // beyond 40 bits
    expect(translate(m, VA + 0x2000, READ).fault).toMatchObject({ fsc: FSC.addressSize(3) });
    m.core.memory.setTcr(TCR_LO, 5); // IPS 48 bits, capped at the VM's PA size
    expect(translate(m, VA + 0x2000, READ).fault).toMatchObject({ fsc: FSC.addressSize(3) });
    m.core.memory.setTcr(TCR_LO, TCR_HI);
    m.core.memory.setTtbr0(0, 0x100); // a root at 2^40: beyond IPS, level 0
    expect(translate(m, 0x4008_0000, READ).fault).toMatchObject({ fsc: FSC.addressSize(0) });
  });
});

describe('permissions (AP[2:1], UXN/PXN, APTable, WXN) for EL1 and EL0, and the access flag', () => {
  // L3 entries 4..: one page per case, all mapping PAGE_A.
  const cases: [string, number, number, AccessIndex, boolean, boolean][] = [
    // name, low bits, high bits, kind, el0, allowed
    ['AP=00 read at EL1', 0, 0, READ, false, true],
    ['AP=00 read at EL0', 0, 0, READ, true, false],
    ['AP=01 write at EL0', 1 << 6, 0, WRITE, true, true],
    ['AP=10 write at EL1', 2 << 6, 0, WRITE, false, false],
    ['AP=11 read at EL0', 3 << 6, 0, READ, true, true],
    ['AP=11 write at EL0', 3 << 6, 0, WRITE, true, false],
    ['AP=01 fetch at EL1 (writable at EL0: never executable at EL1)', 1 << 6, 0, EXEC, false, false],
    ['AP=11 fetch at EL1', 3 << 6, 0, EXEC, false, true],
    ['UXN fetch at EL0', 3 << 6, 1 << 22, EXEC, true, false],
    ['UXN fetch at EL1', 3 << 6, 1 << 22, EXEC, false, true],
    ['PXN fetch at EL0', 3 << 6, 1 << 21, EXEC, true, true],
    ['PXN fetch at EL1', 3 << 6, 1 << 21, EXEC, false, false],
    ['AP=00 fetch at EL0 (execute needs no read permission)', 0, 0, EXEC, true, true],
  ];
  test.each(cases)('%s', (_name, lo, hi, kind, el0, allowed) => {
    const m = machine();
    put(m, L3 + 4 * 8, page(PAGE_A, lo, hi));
    m.core.memory.unprivileged = el0;
    const r = translate(m, VA + 0x4000, kind);
    if (allowed) expect(r.st).toBe(AccessStatus.OK);
    else expect(r.fault).toMatchObject({ fsc: FSC.permission(3), instruction: kind === EXEC, wnr: kind === WRITE, va: VA + 0x4000 });
  });

  test('SCTLR_EL1.WXN makes writable pages execute-never', () => {
    const m = machine();
    expect(translate(m, 0x4008_0000, EXEC).st).toBe(AccessStatus.OK);
    m.core.memory.setSctlr(ON | (1 << 19));
    expect(translate(m, 0x4008_0000, EXEC).fault).toMatchObject({ fsc: FSC.permission(2), instruction: true });
  });

  test('APTable limits everything below: [1] no writes, [0] no EL0 access; PXNTable, UXNTable', () => {
    const m = machine();
    put(m, L3 + 4 * 8, page(PAGE_A, 1 << 6)); // AP=01: EL0 and EL1 read/write
    const mem = m.core.memory;
    put(m, L2 + 4 * 8, table(L3, 1 << 30)); // APTable[1]
    mem.tlbi('VMALLE1', 0, 0);
    expect(translate(m, VA + 0x4000, WRITE).fault).toMatchObject({ fsc: FSC.permission(3) });
    put(m, L2 + 4 * 8, table(L3, 1 << 29)); // APTable[0]
    mem.tlbi('VMALLE1', 0, 0);
    mem.unprivileged = true;
    expect(translate(m, VA + 0x4000, READ).fault).toMatchObject({ fsc: FSC.permission(3) });
    put(m, L2 + 4 * 8, table(L3, 1 << 28)); // UXNTable
    mem.tlbi('VMALLE1', 0, 0);
    expect(translate(m, VA + 0x4000, EXEC).fault).toMatchObject({ fsc: FSC.permission(3) });
  });

  test('AF=0 is an access flag fault at the leaf level (no hardware update), for blocks too', () => {
    const m = machine();
    put(m, L3 + 4 * 8, desc(PAGE_A, 0b11 | ISH | (1 << 2)));
    expect(translate(m, VA + 0x4000, READ).fault).toMatchObject({ fsc: FSC.accessFlag(3) });
    put(m, L2 + 5 * 8, desc(0x40a0_0000, 0b01 | ISH | (1 << 2)));
    expect(translate(m, 0x40a0_0000, READ).fault).toMatchObject({ fsc: FSC.accessFlag(2) });
  });

  test('a permission fault at EL0 reaches ESR_EL1 with the level, WnR and FAR', () => {
    const m = machine();
    m.core.memory.unprivileged = true;
    const r = translate(m, VA + 8, WRITE);
    expect(r.fault).toMatchObject({ fsc: 0x0f, wnr: true, va: VA + 8, s1ptw: false });
  });
});

describe('the TLB: entries by ASID and VMID, only TLBI removes them', () => {
  test('a page-table change without TLBI is not seen; after TLBI VAE1 it is', () => {
    const m = machine();
    const mem = m.core.memory;
    expect(read(m, VA)).toBe(0xaaaa);
    put(m, L3, page(PAGE_B, NG)); // the guest's store to the PTE, without TLBI
    expect(read(m, VA)).toBe(0xaaaa); // the stale entry
    mem.flushTranslations(); // emptying the micro TLB changes nothing: the main TLB keeps it
    expect(read(m, VA)).toBe(0xaaaa);
    mem.tlbi('VAE1', VA / 4096, 0);
    expect(read(m, VA)).toBe(0xbbbb);
  });

  test('nG entries are per ASID; global entries serve every ASID; TLBI ASIDE1 spares global entries', () => {
    const m = machine({ asid: 1 });
    const mem = m.core.memory;
    expect(read(m, VA)).toBe(0xaaaa); // nG, ASID 1
    expect(read(m, VA + 0x1000)).toBe(0xbbbb); // global
    put(m, L3, page(PAGE_B, NG));
    put(m, L3 + 8, page(PAGE_A));
    mem.setTtbr0(L1, 2 << 16); // ASID 2: a fresh walk for the nG page, the global entry still hits
    expect(read(m, VA)).toBe(0xbbbb);
    expect(read(m, VA + 0x1000)).toBe(0xbbbb);
    mem.setTtbr0(L1, 1 << 16); // back to ASID 1: its entry is still there
    expect(read(m, VA)).toBe(0xaaaa);
    mem.tlbi('ASIDE1', 0, 1 << 16);
    expect(read(m, VA)).toBe(0xbbbb);
    expect(read(m, VA + 0x1000)).toBe(0xbbbb); // global: ASIDE1 leaves it
    mem.tlbi('VAAE1', (VA + 0x1000) / 4096, 0);
    expect(read(m, VA + 0x1000)).toBe(0xaaaa);
  });

  test('TCR_EL1.A1 takes the ASID from TTBR1_EL1; AS=0 keeps 8 bits of it', () => {
    const m = machine();
    const mem = m.core.memory;
    mem.setTtbr0(L1, 0x1234 << 16);
    expect(mem.asid).toBe(0x34);
    mem.setTcr(TCR_LO, TCR_HI | (1 << 4));
    expect(mem.asid).toBe(0x1234);
    mem.setTtbr1(L1_HI, 0x77 << 16);
    mem.setTcr(TCR_LO | (1 << 22), TCR_HI);
    expect(mem.asid).toBe(0x77);
  });

  test('a 2 MiB block is one entry: TLBI by any VA inside it removes it', () => {
    const m = machine();
    const mem = m.core.memory;
    put(m, L2 + 5 * 8, block(0x40a0_0000));
    put64(m, 0x40a0_0000 + 0x1f_0000, 0x1111);
    put64(m, 0x40c0_0000 + 0x1f_0000, 0x2222);
    expect(read(m, 0x40a0_0000 + 0x1f_0000)).toBe(0x1111);
    put(m, L2 + 5 * 8, block(0x40c0_0000));
    expect(read(m, 0x40a0_0000 + 0x1f_0000)).toBe(0x1111);
    mem.tlbi('VALE1', (0x40a0_0000 + 0x1000) / 4096, 0);
    expect(read(m, 0x40a0_0000 + 0x1f_0000)).toBe(0x2222);
  });

  test('TLBI by VA of the TTBR1 range (VA[55:12] sign-extended)', () => {
    const m = machine();
    const mem = m.core.memory;
    const va = UPPER + 0x90_0000;
    expect(read(m, va)).toBe(0xaaaa);
    put(m, L1_HI, block(0x8000_0000));
    expect(read(m, va)).toBe(0xaaaa);
    // Xt[43:0] = VA[55:12] of 0xffffff8000900000.
    mem.tlbi('VAE1', 0xf800_0900, 0xfff);
    expect(mem.translate(va, READ, READ, false, 8, 0, 0)).toBe(AccessStatus.MMIO); // the new block: no RAM there
  });

  test('an IS TLBI (and, under KVM, every EL1 TLBI: HCR_EL2.FB) reaches the other VCPUs of the VM', () => {
    const m = cpuMachine({ cpus: 2 });
    for (const core of m.cores) {
      const mem = core.memory;
      mem.setMair(MAIR, 0);
      mem.setTcr(TCR_LO, TCR_HI);
      mem.setTtbr0(L1, 0);
      mem.setSctlr(ON);
    }
    put(m, L1 + 1 * 8, table(L2));
    put(m, L2 + 4 * 8, table(L3));
    put(m, L3, page(PAGE_A));
    put64(m, PAGE_A, 0xaaaa);
    put64(m, PAGE_B, 0xbbbb);
    const other = m.cores[1].memory;
    expect(other.read(VA, 8)).toBe(AccessStatus.OK);
    expect(other.lo).toBe(0xaaaa);
    put(m, L3, page(PAGE_B));
    const events: unknown[] = [];
    m.bus.subscribe('tlbi', (e) => events.push(e));
    m.cores[0].memory.tlbi('VAE1', VA / 4096, 0);
    expect(events).toEqual([expect.objectContaining({ vcpu: 0, op: 'TLBI VAE1IS', vmid: 1, va: VA, asid: 0 })]);
    expect(other.read(VA, 8)).toBe(AccessStatus.OK);
    expect(other.lo).toBe(0xbbbb);
  });

  test('a stage-2 unmap is followed by KVM\'s TLBI VMALLE1IS for the VM: the stale stage-1 entry goes too', () => {
    const m = machine();
    expect(read(m, VA)).toBe(0xaaaa);
    put(m, L3, page(PAGE_B, NG));
    expect(read(m, VA)).toBe(0xaaaa);
    m.stage2.unmap(0x4000_0000, 0x0400_0000);
    expect(read(m, VA)).toBe(0xbbbb);
  });

  test('a guest that forgets the TLBI reads through the old mapping; the TLBI sequence fixes it', () => {
    const src = (maintain: boolean) => `
      ldr x10, [x0]
      str x1, [x2]
      dsb ishst
      ldr x11, [x0]
      ${maintain ? 'lsr x3, x0, #12\n tlbi vae1is, x3\n dsb ish\n isb' : 'dsb ish\n isb'}
      ldr x12, [x0]
      wfi`;
    for (const maintain of [false, true]) {
      const m = machine();
      const image = assemble(src(maintain), { base: IMAGE_BASE });
      loadImage(m, IMAGE_BASE, image.bytes);
      m.core.reset(IMAGE_BASE);
      const mem = m.core.memory;
      mem.setMair(MAIR, 0);
      mem.setTcr(TCR_LO, TCR_HI);
      mem.setTtbr0(L1, 0);
      mem.setTtbr1(L1_HI, 0);
      mem.setSctlr(ON);
      const [lo, hi] = page(PAGE_B, NG);
      m.core.setX(0, VA);
      m.core.setX(1, lo, hi);
      m.core.setX(2, L3);
      expect(runGuest(m).exit.reason).toBe('wfi');
      expect([x(m.core, 10), x(m.core, 11), x(m.core, 12)]).toEqual(maintain ? [0xaaaan, 0xaaaan, 0xbbbbn] : [0xaaaan, 0xaaaan, 0xaaaan]);
    }
  });
});

describe('code in the TTBR1 range', () => {
  test('branches there, and ADR, ADRP, BL, loads and stores by upper-range VAs, work as at any address', () => {
    const m = machine();
    // The code below runs from 0xffffff8000080000 + (its offset in RAM at 0x40080000).
    const image = assemble(
      `
      movz x1, #0xff80, lsl #32
      movk x1, #0xffff, lsl #48
      adr x2, upper
      and x2, x2, #0xffffffff
      movz x9, #0x4000, lsl #16
      sub x2, x2, x9
      add x1, x1, x2
      br x1
upper:
      adr x3, upper
      adrp x4, upper
      bl f
      movz x6, #0x90, lsl #16
      movk x6, #0xff80, lsl #32
      movk x6, #0xffff, lsl #48
      ldr x7, [x6]
      str x3, [x6, #8]
      ldr x8, [x6, #8]
      wfi
f:    mov x5, x30
      ret`,
      { base: IMAGE_BASE },
    );
    loadImage(m, IMAGE_BASE, image.bytes);
    m.core.reset(IMAGE_BASE);
    const mem = m.core.memory;
    mem.setMair(MAIR, 0);
    mem.setTcr(TCR_LO, TCR_HI);
    mem.setTtbr0(L1, 0);
    mem.setTtbr1(L1_HI, 0);
    mem.setSctlr(ON);
    expect(runGuest(m).exit.reason).toBe('wfi');
    const upper = 0xffff_ff80_0000_0000n + (BigInt(Number(image.symbols.get('upper')!)) - 0x4000_0000n);
    expect(x(m.core, 3)).toBe(upper);
    expect(x(m.core, 4)).toBe(upper & ~0xfffn);
    expect(x(m.core, 5)).toBe(upper + 12n);
    expect(x(m.core, 7)).toBe(0xaaaan);
    expect(x(m.core, 8)).toBe(upper);
  });
});

describe('AT and PAR_EL1', () => {
  function at(source: string, regs: Record<number, [number, number]>) {
    const m = machine();
    const image = assemble(`${source}\n wfi`, { base: IMAGE_BASE });
    loadImage(m, IMAGE_BASE, image.bytes);
    m.core.reset(IMAGE_BASE);
    const mem = m.core.memory;
    mem.setMair(MAIR, 0);
    mem.setTcr(TCR_LO, TCR_HI);
    mem.setTtbr0(L1, 0);
    mem.setTtbr1(L1_HI, 0);
    mem.setSctlr(ON);
    for (const [n, [lo, hi]] of Object.entries(regs)) m.core.setX(Number(n), lo, hi);
    expect(runGuest(m).exit.reason).toBe('wfi');
    return m;
  }

  test('success: PA, SH, NS, bit 11 and the MAIR attribute', () => {
    const m = at('at s1e1r, x0\n mrs x1, par_el1\n at s1e0r, x2\n mrs x3, par_el1', { 0: [VA + 0x123, 0], 2: [0x4008_0000, 0] });
    // Normal WB (attr 0xff), inner shareable (3), NS, RES1 bit 11.
    expect(x(m.core, 1)).toBe(0xff00_0000_0000_0000n | BigInt(PAGE_A) | (3n << 7n) | (1n << 9n) | (1n << 11n));
    // The 2 MiB block at EL0: AP=00 gives EL0 no access: F=1, FST = permission level 2.
    expect(x(m.core, 3)).toBe((1n << 11n) | (BigInt(FSC.permission(2)) << 1n) | 1n);
  });

  test('failure: F=1 with the fault status: an invalid level-3 descriptor; a VA in neither range', () => {
    const m = at('at s1e1w, x0\n mrs x1, par_el1\n at s1e1r, x2\n mrs x3, par_el1', { 0: [VA + 0x5000, 0], 2: [0, 0x80] });
    expect(x(m.core, 1)).toBe((1n << 11n) | (BigInt(FSC.translation(3)) << 1n) | 1n);
    expect(x(m.core, 3)).toBe((1n << 11n) | (BigInt(FSC.translation(0)) << 1n) | 1n);
  });

  test('the upper range, and Device memory reported as outer shareable', () => {
    const m = machine();
    put(m, L3 + 6 * 8, page(0x0900_0000, 0, 0, 0)); // Device
    const mem = m.core.memory;
    expect(mem.at(READ, false, UPPER + 0x8_1000)).toBe(AccessStatus.OK);
    expect([mem.parLo, mem.parHi]).toEqual([(0x4008_1000 | (3 << 7) | (1 << 9) | (1 << 11)) >>> 0, 0xff00_0000]);
    expect(mem.at(READ, false, VA + 0x6000)).toBe(AccessStatus.OK);
    expect([mem.parLo, mem.parHi]).toEqual([(0x0900_0000 | (2 << 7) | (1 << 9) | (1 << 11)) >>> 0, 0]);
  });

  test('TLBI and AT at EL1 beyond ARMv8.0 (or for EL2/EL3) are undefined, naming the operation', () => {
    const m = cpuMachine();
    const image = assemble('tlbi alle2\n wfi', { base: IMAGE_BASE });
    loadImage(m, IMAGE_BASE, image.bytes);
    m.core.reset(IMAGE_BASE);
    expect(runGuest(m).exit).toMatchObject({ reason: 'undefined_instruction', detail: expect.stringMatching(/TLBI ALLE2 is not an ARMv8.0 EL1 operation/) });
  });
});
