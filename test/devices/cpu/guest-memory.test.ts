import { AccessStatus, EXEC, FSC, READ, WRITE, SCTLR_C, SCTLR_EL1_RESET, SCTLR_I, SCTLR_M, type AccessIndex } from '../../../devices/cpu';
import { cpuMachine, type CpuMachineOptions } from './harness';

const L1 = 0x4070_0000;
const L2 = 0x4070_1000;
const L3 = 0x4070_2000;
const AF = 1 << 10;
const SH = 3 << 8;
/** MAIR: attr0 Device-nGnRnE, attr1 Normal WB, attr2 Normal non-cacheable. */
const MAIR = 0x44ff00;

/** A 64-bit descriptor as [lo, hi]. */
function desc(oa: number, low: number, hi = 0): [number, number] {
  return [((oa % 2 ** 32) | low) >>> 0, (Math.floor(oa / 2 ** 32) | hi) >>> 0];
}
const table = (pa: number) => desc(pa, 0b11);
const page = (pa: number, attr: number, extra = 0, hi = 0) => desc(pa, 0b11 | AF | SH | (attr << 2) | extra, hi);
const block = (pa: number, attr: number) => desc(pa, 0b01 | AF | SH | (attr << 2));

/** Stage-1 tables for a 39-bit VA space (T0SZ=25, walks start at level 1), written straight to memory. */
function machineWithTables(o: CpuMachineOptions = {}) {
  const m = cpuMachine({ ...o, hyp: { deviceRanges: [{ base: 0x0a00_0000, size: 0x1000 }], ...o.hyp } });
  const put = (pa: number, [lo, hi]: [number, number]) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, lo, true);
    new DataView(b.buffer).setUint32(4, hi, true);
    m.ms.writeBytes('host', 0, pa, b, false);
  };
  put(L1 + 0 * 8, block(0, 0)); // [0, 1 GiB): Device
  put(L1 + 1 * 8, table(L2)); // [1 GiB, 2 GiB)
  put(L1 + 3 * 8, table(0x1000_0000)); // a table outside RAM
  put(L2 + 0 * 8, table(L3)); // [0x40000000, +2 MiB)
  put(L2 + 1 * 8, block(0x4040_0000, 1)); // VA 0x40200000 -> PA 0x40400000, 2 MiB
  put(L3 + 0x80 * 8, page(0x4008_0000, 1)); // identity, Normal WB
  put(L3 + 0x100 * 8, page(0x4030_0000, 0)); // VA 0x40100000 -> PA 0x40300000, Device
  put(L3 + 0x101 * 8, page(0x4030_1000, 1) .map((v, i) => (i === 0 ? (v & ~AF) >>> 0 : v)) as [number, number]); // AF clear
  put(L3 + 0x102 * 8, page(0x4030_2000, 1, 2 << 6)); // AP[2]=1: read-only
  put(L3 + 0x103 * 8, page(0x4030_3000, 1, 0, 1 << 21)); // PXN
  put(L3 + 0x104 * 8, page(0x4030_4000, 2)); // Normal non-cacheable
  put(L3 + 0x106 * 8, page(0x0a00_0000, 1)); // Normal at stage 1, Device at stage 2
  const mem = m.core.memory;
  mem.setMair(MAIR, 0);
  mem.setTcr(25 | (1 << 8), 0);
  mem.setTtbr0(L1, 0);
  return m;
}

function translate(m: ReturnType<typeof cpuMachine>, va: number, kind: AccessIndex, size = 4) {
  const mem = m.core.memory;
  const st = mem.translate(va, kind, kind, false, size, 0, 0);
  return { st, pa: mem.pa, cacheable: mem.cacheable, alignChecked: mem.alignChecked, fault: mem.fault };
}

describe('MMU off', () => {
  test('VA = IPA; data is Device (non-cacheable, aligned); fetches follow SCTLR_EL1.I', () => {
    const m = cpuMachine();
    const mem = m.core.memory;
    expect(translate(m, 0x4008_0010, READ)).toMatchObject({ st: AccessStatus.OK, pa: 0x4008_0010, cacheable: false, alignChecked: true });
    expect(translate(m, 0x4008_0010, EXEC)).toMatchObject({ cacheable: false });
    mem.setSctlr(SCTLR_EL1_RESET | SCTLR_I);
    expect(translate(m, 0x4008_0010, EXEC)).toMatchObject({ cacheable: true });
    // C without M changes nothing for data.
    mem.setSctlr(SCTLR_EL1_RESET | SCTLR_C);
    expect(translate(m, 0x4008_0010, WRITE)).toMatchObject({ cacheable: false });
  });

  test('FWB: guest RAM is cacheable whatever stage 1 says', () => {
    const m = cpuMachine({ topology: 'neoverse-n1' });
    expect(m.hyp.fwb).toBe(true);
    expect(translate(m, 0x4008_0010, READ)).toMatchObject({ cacheable: true, alignChecked: false });
    expect(translate(m, 0x4008_0010, EXEC)).toMatchObject({ cacheable: true });
  });

  test('an address beyond 48 bits is an address size fault at level 0', () => {
    const m = cpuMachine();
    expect(translate(m, 2 ** 48, READ)).toMatchObject({ st: AccessStatus.FAULT, fault: { fsc: FSC.addressSize(0), va: 2 ** 48 } });
  });
});

describe('MMU on: the stage-1 walk', () => {
  const on = SCTLR_EL1_RESET | SCTLR_M | SCTLR_C | SCTLR_I;

  test('pages, 2 MiB blocks and 1 GiB blocks translate to their output addresses', () => {
    const m = machineWithTables();
    m.core.memory.setSctlr(on);
    expect(translate(m, 0x4008_0abc, READ)).toMatchObject({ st: AccessStatus.OK, pa: 0x4008_0abc, cacheable: true, alignChecked: false });
    expect(translate(m, 0x4010_0008, READ)).toMatchObject({ pa: 0x4030_0008, cacheable: false, alignChecked: true });
    expect(translate(m, 0x4021_2345, READ, 1)).toMatchObject({ pa: 0x4041_2345, cacheable: true });
    // The 1 GiB Device block maps the PL011 by identity; outside RAM, stage 2 sends it to the VMM.
    expect(translate(m, 0x0900_0018, WRITE).st).toBe(AccessStatus.MMIO);
    expect(m.core.memory.mmio).toMatchObject({ addr: 0x0900_0018, write: true, size: 4 });
  });

  test('MAIR Normal non-cacheable, SCTLR_EL1.C=0 and SCTLR_EL1.I=0 make accesses non-cacheable', () => {
    const m = machineWithTables();
    const mem = m.core.memory;
    mem.setSctlr(on);
    expect(translate(m, 0x4010_4000, READ)).toMatchObject({ cacheable: false, alignChecked: false });
    mem.setSctlr(on & ~SCTLR_C);
    expect(translate(m, 0x4008_0000, READ)).toMatchObject({ cacheable: false });
    expect(translate(m, 0x4008_0000, EXEC)).toMatchObject({ cacheable: true });
    mem.setSctlr(on & ~SCTLR_I);
    expect(translate(m, 0x4008_0000, EXEC)).toMatchObject({ cacheable: false });
    expect(translate(m, 0x4008_0000, READ)).toMatchObject({ cacheable: true });
  });

  test('stage-2 Device wins over stage-1 Normal, even with FWB', () => {
    for (const topology of ['cortex-a72', 'neoverse-n1'] as const) {
      const m = machineWithTables({ topology });
      m.core.memory.setSctlr(on);
      expect(translate(m, 0x4010_6000, READ)).toMatchObject({ st: AccessStatus.OK, pa: 0x0a00_0000, cacheable: false, alignChecked: true });
    }
  });

  test('FWB makes stage-1 Device and non-cacheable RAM cacheable', () => {
    const m = machineWithTables({ topology: 'neoverse-n1' });
    m.core.memory.setSctlr(on & ~SCTLR_C);
    expect(translate(m, 0x4010_0000, READ)).toMatchObject({ cacheable: true, alignChecked: false });
    expect(translate(m, 0x4010_4000, READ)).toMatchObject({ cacheable: true });
  });

  test.each([
    ['an invalid level-3 descriptor', 0x4010_5000, READ, FSC.translation(3), false],
    ['an invalid level-1 descriptor', 0x8000_0000, READ, FSC.translation(1), false],
    ['a VA outside the 39-bit range', 2 ** 39, READ, FSC.translation(0), false],
    ['an access flag of 0', 0x4010_1000, READ, FSC.accessFlag(3), false],
    ['a store to a read-only page', 0x4010_2000, WRITE, FSC.permission(3), false],
    ['a fetch from a PXN page', 0x4010_3000, EXEC, FSC.permission(3), true],
  ])('%s is a stage-1 fault for the guest', (_what, va, kind, fsc, instruction) => {
    const m = machineWithTables();
    m.core.memory.setSctlr(on);
    const r = translate(m, va as number, kind as AccessIndex);
    expect(r.st).toBe(AccessStatus.FAULT);
    expect(r.fault).toMatchObject({ fsc, va, instruction, wnr: kind === WRITE, s1ptw: false });
  });

  test('a read-only page can be read; a PXN page can be read and written', () => {
    const m = machineWithTables();
    m.core.memory.setSctlr(on);
    expect(translate(m, 0x4010_2000, READ).st).toBe(AccessStatus.OK);
    expect(translate(m, 0x4010_3000, WRITE).st).toBe(AccessStatus.OK);
  });

  test('descriptor reads are IPAs: a stage-2 fault on the walk is reported with s1ptw', () => {
    const m = machineWithTables();
    m.core.memory.setSctlr(on);
    const r = translate(m, 0xc000_0000, READ);
    expect(m.hyp.aborts.at(-1)).toMatchObject({ ipa: 0x1000_0000, s1ptw: true, access: 'read', va: 0xc000_0000, size: 8 });
    // The test hypervisor answers 'mmio' outside RAM: a walk cannot be emulated, so the guest gets
    // a synchronous external abort on the level-2 walk.
    expect(r).toMatchObject({ st: AccessStatus.FAULT, fault: { fsc: FSC.externalOnWalk(2), s1ptw: true } });
  });

  test('TCR_EL1.T0SZ chooses the start level (16: level 0, 34: level 2)', () => {
    const m = machineWithTables();
    const mem = m.core.memory;
    // T0SZ=34 (30-bit VAs): start at level 2 with a 4-entry table... use L2 as the root.
    mem.setTcr(34 | (1 << 8), 0);
    mem.setTtbr0(L2, 0);
    mem.setSctlr(on);
    expect(translate(m, 0x0008_0abc, READ)).toMatchObject({ st: AccessStatus.OK, pa: 0x4008_0abc });
    // T0SZ=16 (48-bit VAs): a level-0 table whose entry 0 points at L1.
    const L0 = 0x4070_3000;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, (L1 | 3) >>> 0, true);
    m.ms.writeBytes('host', 0, L0, b, false);
    mem.setTcr(16 | (1 << 8), 0);
    mem.setTtbr0(L0, 0);
    expect(translate(m, 0x4008_0abc, READ)).toMatchObject({ st: AccessStatus.OK, pa: 0x4008_0abc });
  });
});

describe('the translation cache', () => {
  test('a stage-2 unmap makes the next access fault at stage 2 again', () => {
    const m = cpuMachine();
    expect(translate(m, 0x4008_0000, READ).st).toBe(AccessStatus.OK);
    const faults = m.hyp.aborts.length;
    expect(translate(m, 0x4008_0004, READ).st).toBe(AccessStatus.OK);
    expect(m.hyp.aborts.length).toBe(faults); // cached
    m.stage2.unmap(0x4000_0000, 0x0400_0000);
    expect(translate(m, 0x4008_0004, READ).st).toBe(AccessStatus.OK);
    expect(m.hyp.aborts.length).toBe(faults + 1);
  });

  test('an SCTLR_EL1 write is seen by the next access', () => {
    const m = machineWithTables();
    expect(translate(m, 0x4010_0000, READ).pa).toBe(0x4010_0000);
    m.core.memory.setSctlr(SCTLR_EL1_RESET | SCTLR_M);
    expect(translate(m, 0x4010_0000, READ).pa).toBe(0x4030_0000);
  });
});
