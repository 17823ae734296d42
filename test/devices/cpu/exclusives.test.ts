/**
 * The exclusives (LDXR/STXR and their forms), acquire/release, the added loads and stores (LDPSW,
 * LDNP/STNP, LDTR/STTR, PRFM), and the exclusive monitor: what clears it (CLREX, ERET, another
 * core's store, the line leaving the L1 D) and what does not.
 */
import fc from 'fast-check';
import { assemble } from '../../../isa/a64';
import { IMAGE_BASE, cpuMachine, loadImage, runGuest, snippet, x, type CpuMachine } from './harness';

const M64 = (1n << 64n) - 1n;
const DATA = 0x4050_0000n;

function run(body: string, regs: Record<number, bigint> = {}, topology?: 'tiny' | 'neoverse-n1') {
  const r = snippet(`${body}\n wfi`, { x: { 20: DATA, ...regs }, topology });
  if (r.exit.reason !== 'wfi') throw new Error(JSON.stringify(r.exit));
  return r;
}

describe('exclusives on one core', () => {
  // With the MMU off data is Device memory (non-cacheable); neoverse-n1 has FWB, so the same
  // accesses are cacheable there: the monitor must behave the same on both.
  describe.each([['non-cacheable (MMU off)', undefined], ['cacheable (FWB)', 'neoverse-n1']] as const)('%s', (_what, topology) => {
    test('STXR after LDXR to the same address and size stores and returns 0; a second STXR fails', () => {
      const r = run(
        `
        ldxr x1, [x20]
        add x2, x1, #1
        stxr w3, x2, [x20]
        stxr w4, x2, [x20]
        ldr x5, [x20]
        add x21, x20, #8
        add x22, x20, #16
        add x23, x20, #24
        ldaxrb w6, [x21]
        stlxrb w7, w6, [x21]
        ldxrh w8, [x22]
        stxrh w9, w8, [x22]
        ldaxr w10, [x23]
        stlxr w11, wzr, [x23]
        ldr w12, [x20, #24]`,
        { 1: 0n },
        topology,
      );
      const c = r.core;
      expect(x(c, 3)).toBe(0n);
      expect(x(c, 4)).toBe(1n);
      expect(x(c, 5)).toBe(x(c, 1) + 1n);
      expect([x(c, 7), x(c, 9), x(c, 11), x(c, 12)]).toEqual([0n, 0n, 0n, 0n]);
    });

    test('STXR fails (1, memory unchanged) without LDXR, after CLREX, at another address or size', () => {
      const r = run(
        `
        mov x1, #0x77
        str xzr, [x20]
        stxr w2, x1, [x20]
        ldxr x3, [x20]
        clrex
        stxr w4, x1, [x20]
        ldxr x3, [x20]
        stxr w5, x1, [x20, #0]
        ldxr x3, [x20]
        add x21, x20, #8
        stxr w6, x1, [x21]
        ldxr x3, [x20]
        stxr w7, w1, [x20]
        ldr x8, [x20]
        ldr x9, [x20, #8]`,
        {},
        topology,
      );
      const c = r.core;
      expect([x(c, 2), x(c, 4), x(c, 6), x(c, 7)]).toEqual([1n, 1n, 1n, 1n]);
      expect(x(c, 5)).toBe(0n); // [x20, #0] is the same address
      expect(x(c, 8)).toBe(0x77n);
    });

    test('pairs: LDXP/STXP of X and W registers, Rt at the lower address', () => {
      const r = run(
        `
        ldxp x1, x2, [x20]
        stxp w3, x2, x1, [x20]
        add x21, x20, #16
        ldaxp w4, w5, [x21]
        stlxp w6, w5, w4, [x21]
        ldp x7, x8, [x20]
        ldr x9, [x20, #16]`,
        {},
        topology,
      );
      const c = r.core;
      expect([x(c, 3), x(c, 6)]).toEqual([0n, 0n]);
      expect([x(c, 7), x(c, 8)]).toEqual([x(c, 2), x(c, 1)]);
      expect(x(c, 9)).toBe((x(c, 4) << 32n) | x(c, 5));
    });

    test('LDAR/STLR of every size', () => {
      const r = run(
        `
        add x21, x20, #8
        add x22, x20, #16
        add x23, x20, #24
        stlr x1, [x20]
        stlr w1, [x21]
        stlrh w1, [x22]
        stlrb w1, [x23]
        ldar x2, [x20]
        ldar w3, [x21]
        ldarh w4, [x22]
        ldarb w5, [x23]`,
        { 1: 0x8899_aabb_ccdd_eeffn },
        topology,
      );
      const c = r.core;
      expect([x(c, 2), x(c, 3), x(c, 4), x(c, 5)]).toEqual([0x8899_aabb_ccdd_eeffn, 0xccdd_eeffn, 0xeeffn, 0xffn]);
    });
  });

  test('an unaligned exclusive is an alignment fault, even to cacheable memory', () => {
    for (const insn of ['ldxr x1, [x21]', 'stxr w2, x1, [x21]', 'ldar w1, [x21]', 'ldxp x1, x2, [x22]']) {
      const r = snippet(`${insn}\n wfi`, { x: { 21: DATA + 2n, 22: DATA + 8n }, topology: 'neoverse-n1' });
      expect(r.exit.reason).toBe('guest_fault');
      expect((r.exit as { detail: string }).detail).toMatch(/alignment fault/);
    }
  });

  test('a load-exclusive from MMIO stops the VCPU: no syndrome for the VMM (ESR_EL2.ISV=0), as under KVM', () => {
    // (A store-exclusive never gets there: no load-exclusive can have marked an MMIO address.)
    for (const insn of ['ldxr w1, [x21]', 'ldaxrb w1, [x21]', 'ldaxp w1, w2, [x21]']) {
      const r = snippet(`${insn}\n wfi`, { x: { 21: 0x0900_0000n } });
      expect(r.exit.reason).toBe('internal_error');
      expect((r.exit as { detail: string }).detail).toMatch(/MMIO access at IPA 0x9000000 .* cannot be emulated/);
    }
  });

  test('ERET clears the monitor', () => {
    const r = run(`
        adr x1, 1f
        msr elr_el1, x1
        mov x1, #0x5
        msr spsr_el1, x1
        ldxr x2, [x20]
        eret
1:      stxr w3, x2, [x20]`);
    expect(x(r.core, 3)).toBe(1n);
  });
});

describe('the other added loads and stores', () => {
  test('LDPSW sign-extends both words, in every mode', () => {
    const r = run(
      `
      stp x1, x1, [x20]
      ldpsw x2, x3, [x20]
      mov x21, x20
      ldpsw x4, x5, [x21, #4]!
      mov x22, x20
      ldpsw x6, x7, [x22], #8`,
      { 1: 0x7fff_ffff_8000_0001n },
    );
    const c = r.core;
    expect([x(c, 2), x(c, 3)]).toEqual([0xffff_ffff_8000_0001n, 0x7fff_ffffn]);
    expect([x(c, 4), x(c, 5)]).toEqual([0x7fff_ffffn, 0xffff_ffff_8000_0001n]);
    expect(x(c, 21)).toBe(DATA + 4n);
    expect([x(c, 6), x(c, 7), x(c, 22)]).toEqual([0xffff_ffff_8000_0001n, 0x7fff_ffffn, DATA + 8n]);
  });

  test('LDNP/STNP are LDP/STP (offset)', () => {
    const r = run(
      `
      stnp x1, x2, [x20, #16]
      ldnp x3, x4, [x20, #16]
      stnp w1, w2, [x20, #-8]
      ldnp w5, w6, [x20, #-8]`,
      { 1: 0x1111_2222_3333_4444n, 2: M64 },
    );
    const c = r.core;
    expect([x(c, 3), x(c, 4), x(c, 5), x(c, 6)]).toEqual([0x1111_2222_3333_4444n, M64, 0x3333_4444n, 0xffff_ffffn]);
  });

  test('LDTR/STTR at EL1 with the MMU off access memory as LDUR/STUR do', () => {
    const r = run(
      `
      sttr x1, [x20, #-8]
      ldtr x2, [x20, #-8]
      ldtrsb x3, [x20, #-8]
      ldtrsh w4, [x20, #-8]
      ldtrsw x5, [x20, #-4]
      sttrb w1, [x20, #1]
      sttrh w1, [x20, #2]
      ldtr w6, [x20]
      ldtrb w7, [x20, #255]`,
      { 1: 0x8000_0001_ff80_8081n },
    );
    const c = r.core;
    expect([x(c, 2), x(c, 3), x(c, 4), x(c, 5)]).toEqual([0x8000_0001_ff80_8081n, M64 - 0x7en, 0xffff_8081n, 0xffff_ffff_8000_0001n]);
    expect(x(c, 6) & 0xffff_ff00n).toBe(0x8081_8100n);
    expect(r.core.memory.unprivileged).toBe(false);
  });

  test('PRFM has no effect but is counted, even at an unmapped address', () => {
    const r = run(
      `
      prfm pldl1keep, [x20]
      prfm pstl3strm, [x21, x22, lsl #3]
      prfum #7, [x20, #-1]
      prfm plil2keep, 1f
1:    nop`,
      { 21: 0xdead_0000_0000n, 22: 5n },
    );
    expect(r.stats.get('system.cpu0.prefetches')?.value).toBe(4);
  });
});

// ---------------------------------------------------------------- the monitor across cores

/** Two cores, each running its own snippet (a `wfi` between steps), stepped by the test. */
function twoCores(sources: [string, string], topology?: 'tiny' | 'neoverse-n1') {
  const m = cpuMachine({ cpus: 2, topology });
  const entries = [IMAGE_BASE, IMAGE_BASE + 0x1000];
  sources.forEach((s, i) => {
    loadImage(m, entries[i], assemble(s, { base: entries[i] }).bytes);
    m.cores[i].reset(entries[i]);
    m.cores[i].setX(20, Number(DATA & 0xffffffffn), 0);
  });
  const step = (i: number) => {
    const r = runGuest(m, i, 10_000);
    if (r.exit.reason !== 'wfi') throw new Error(JSON.stringify(r.exit));
  };
  return { m, step };
}

describe('the monitor across cores', () => {
  test.each([['non-cacheable (MMU off)', undefined], ['cacheable (FWB)', 'neoverse-n1']] as const)('another core’s store to the granule clears it (%s)', (_w, topology) => {
    const { m, step } = twoCores(
      [
        `ldxr x1, [x20]
         wfi
         stxr w2, x1, [x20]
         ldxr x1, [x20]
         wfi
         stxr w3, x1, [x20]
         wfi`,
        `str x5, [x20, #8]
         wfi
         ldr x6, [x20]
         wfi`,
      ],
      topology,
    );
    step(0); // LDXR
    step(1); // core 1 stores elsewhere in the line (the granule)
    step(0); // STXR fails; LDXR again
    step(1); // core 1 only reads
    step(0); // STXR passes
    expect(x(m.cores[0], 2)).toBe(1n);
    expect(x(m.cores[0], 3)).toBe(0n);
  });

  test('the line’s eviction from the core’s L1 D clears it (cacheable)', () => {
    const { m, step } = twoCores(
      [
        `ldxr x1, [x20]
         wfi
         stxr w2, x1, [x20]
         wfi`,
        'wfi',
      ],
      'neoverse-n1',
    );
    step(0);
    // The core's L1 D loses the line (as a conflict miss would): DC CIVAC by the VMM.
    m.ms.dc('DC CIVAC', 0, Number(DATA));
    step(0);
    expect(x(m.cores[0], 2)).toBe(1n);
  });
});

describe('the monitor on two cores against a model (property)', () => {
  // Addresses: x20 = DATA, x21 = DATA + 8 (the same line), x22 = DATA + 0x1000 (another line).
  type Step = { k: 'ldxr' | 'stxr' | 'clrex' | 'str0' | 'str1' | 'ldr1'; a: 0 | 1 | 2 };
  const step = fc.record({ k: fc.constantFrom<Step['k']>('ldxr', 'stxr', 'clrex', 'str0', 'str1', 'ldr1'), a: fc.constantFrom<0 | 1 | 2>(0, 1, 2) });
  const line = (a: number) => (a === 2 ? 1 : 0);

  test.each([['non-cacheable (MMU off)', undefined], ['cacheable (FWB)', 'neoverse-n1']] as const)('STXR passes exactly when the model says (%s)', (_w, topology) => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 14 }), (steps) => {
        const text = (s: Step) => {
          const r = `x${20 + s.a}`;
          return { ldxr: `ldxr x1, [${r}]`, stxr: `stxr w2, x1, [${r}]`, clrex: 'clrex', str0: `str x3, [${r}]`, str1: `str x3, [${r}]`, ldr1: `ldr x4, [${r}]` }[s.k];
        };
        const on1 = (s: Step) => s.k === 'str1' || s.k === 'ldr1';
        const prog = (mine: Step[]) => [...mine.map((s) => `${text(s)}\n wfi`), 'wfi'].join('\n');
        const { m, step: run } = twoCores([prog(steps.filter((s) => !on1(s))), prog(steps.filter(on1))], topology);
        for (const c of m.cores) {
          c.setX(21, Number(DATA & 0xffffffffn) + 8, 0);
          c.setX(22, Number(DATA & 0xffffffffn) + 0x1000, 0);
        }
        let mark: number | null = null;
        for (const s of steps) {
          run(on1(s) ? 1 : 0);
          if (s.k === 'ldxr') mark = s.a;
          if (s.k === 'clrex') mark = null;
          if (s.k === 'str1' && mark !== null && line(mark) === line(s.a)) mark = null;
          if (s.k === 'stxr') {
            expect(x(m.cores[0], 2)).toBe(mark === s.a ? 0n : 1n);
            mark = null;
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the memory system’s exclusive marks (property)', () => {
  // Tiny caches: 256 B 2-way L1 Ds with 32-byte lines (4 sets), so a few accesses evict.
  const LINE = 32;
  const BASE = 0x4050_0000;
  type Op = { cpu: 0 | 1; write: boolean; line: number; cacheable: boolean };
  const op = fc.record({ cpu: fc.constantFrom<0 | 1>(0, 1), write: fc.boolean(), line: fc.integer({ min: 0, max: 15 }), cacheable: fc.boolean() });

  function replay(m: CpuMachine, ops: readonly Op[]) {
    for (const o of ops) {
      const pa = BASE + o.line * LINE;
      if (o.write) m.ms.write('vcpu', o.cpu, pa, 8, 0x1234, o.cacheable, 0);
      else m.ms.read('vcpu', o.cpu, pa, 8, o.cacheable);
    }
  }

  test('a mark stands only while the line stays in the L1 D and no other core wrote it', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 12 }), (cacheable, ops) => {
        const m = cpuMachine({ cpus: 2, topology: 'tiny' });
        m.ms.read('vcpu', 0, BASE, 8, cacheable);
        m.ms.markExclusive(0, BASE);
        replay(m, ops);
        const held = m.ms.exclusiveHeld(0, BASE);
        // (A store through other attributes than the mark's need not clear it: mismatched
        // attributes lose coherence anyway; see memory-system.ts.)
        const otherWrote = ops.some((o) => o.write && o.cpu === 1 && o.line === 0 && o.cacheable === cacheable);
        if (otherWrote) expect(held).toBe(false);
        // A cacheable mark's line is resident while it holds.
        if (held && cacheable) expect(m.ms.residentCopies(BASE).some((c) => c.cache === 'system.cpu0.l1d')).toBe(true);
        // Accesses by this core to its own line alone, or reads of it by the other core, never clear it.
        if (ops.every((o) => o.line === 0 && (o.cpu === 0 || !o.write) && o.cacheable === cacheable)) expect(held).toBe(true);
        // Held only for the marked line.
        expect(m.ms.exclusiveHeld(0, BASE + LINE)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  test('an eviction by the core’s own accesses to the same set clears a cacheable mark', () => {
    const m = cpuMachine({ cpus: 1, topology: 'tiny' });
    m.ms.read('vcpu', 0, BASE, 8, true);
    m.ms.markExclusive(0, BASE);
    // 4 sets of 32 bytes: lines 4 and 8 share line 0's set; 2 ways.
    m.ms.read('vcpu', 0, BASE + 4 * LINE, 8, true);
    expect(m.ms.exclusiveHeld(0, BASE)).toBe(true);
    m.ms.read('vcpu', 0, BASE + 8 * LINE, 8, true);
    expect(m.ms.exclusiveHeld(0, BASE)).toBe(false);
  });

  test('a host or device write past the caches clears every core’s mark; clearExclusive drops it', () => {
    const m = cpuMachine({ cpus: 2, topology: 'tiny' });
    m.ms.markExclusive(0, BASE);
    m.ms.markExclusive(1, BASE + 8);
    m.ms.writeBytes('device', 0, BASE + 16, new Uint8Array(4), false);
    expect([m.ms.exclusiveHeld(0, BASE), m.ms.exclusiveHeld(1, BASE)]).toEqual([false, false]);
    m.ms.markExclusive(0, BASE);
    m.ms.clearExclusive(0);
    expect(m.ms.exclusiveHeld(0, BASE)).toBe(false);
  });
});
