import * as fs from 'fs';
import * as path from 'path';
import type { ExecutedInstruction } from '../../../core';
import { assemble } from '../../../isa/a64';
import { cpuMachine, IMAGE_BASE, loadImage, runGuest, type CpuMachineOptions } from './harness';

const DIR = path.join(__dirname, '../../../examples/guest');
const GUESTS = ['hello', 'memtest', 'sieve', 'mmu-on', 'smc-ok', 'smc-stale'];

function boot(name: string, o: CpuMachineOptions = {}) {
  const m = cpuMachine(o);
  loadImage(m, IMAGE_BASE, fs.readFileSync(path.join(DIR, `${name}.bin`)));
  m.core.reset(IMAGE_BASE);
  return { m, run: runGuest(m, 0, 20_000_000) };
}

describe('example guests on cortex-a72', () => {
  test.each(GUESTS)('%s prints what it should and powers off', (name) => {
    const { run } = boot(name);
    expect(run.exit).toMatchObject({ reason: 'system_event', event: 'shutdown' });
    expect(run.output).toBe(fs.readFileSync(path.join(DIR, `${name}.expected`), 'utf8'));
  });

  test.each(GUESTS)('%s.bin is what the assembler makes of %s.S', (name) => {
    const src = path.join(DIR, `${name}.S`);
    const built = assemble(fs.readFileSync(src, 'utf8'), { base: IMAGE_BASE, file: src });
    expect(Buffer.from(built.bytes).equals(fs.readFileSync(path.join(DIR, `${name}.bin`)))).toBe(true);
  });
});

describe('self-modifying code and the I-cache', () => {
  test('without IC IVAU the stale line runs the old instruction (no DIC); the required sequence fixes it', () => {
    expect(boot('smc-stale').run.output).toContain('smc-stale: f() after patching = 1');
    expect(boot('smc-ok').run.output).toContain('smc-ok: f() after patching = 2');
  });

  test('with DIC (and IDC) the I-cache follows stores: no stale instruction even without maintenance', () => {
    expect(boot('smc-stale', { topology: 'neoverse-n1' }).run.output).toContain('smc-stale: f() after patching = 2');
  });

  test('MMU off with SCTLR_EL1.I=1: a store goes to memory, the cached line stays stale until IC IVAU', () => {
    const src = (maintain: boolean) => `
      mrs x1, sctlr_el1
      orr x1, x1, #0x1000
      msr sctlr_el1, x1
      isb
      bl f
      mov x20, x0
      adr x2, f
      ldr w1, insn
      str w1, [x2]
      ${maintain ? 'dc cvau, x2\n dsb ish\n ic ivau, x2\n dsb ish\n isb' : 'dsb ish\n isb'}
      bl f
      mov x21, x0
      wfi
f:    mov x0, #1
      ret
insn: mov x0, #2`;
    for (const maintain of [false, true]) {
      const m = cpuMachine();
      loadImage(m, IMAGE_BASE, assemble(src(maintain), { base: IMAGE_BASE }).bytes);
      m.core.reset(IMAGE_BASE);
      const words: number[] = [];
      m.inst.onInstruction((i: ExecutedInstruction) => words.push(i.word));
      expect(m.core.run(1000).reason).toBe('wfi');
      expect(m.core.getX(20).lo).toBe(1);
      expect(m.core.getX(21).lo).toBe(maintain ? 2 : 1);
      // The instruction hook saw every retired instruction, with the word that ran.
      expect(words.length).toBe(m.core.retired);
      expect(words.filter((w) => w === 0xd2800020).length).toBe(maintain ? 1 : 2); // mov x0, #1
    }
  });
});

test('cycles: one per instruction plus what the memory system charges; stats name the core', () => {
  const { m } = boot('hello');
  expect(m.clock.now).toBeGreaterThan(m.core.retired);
  expect(m.stats.value('system.cpu0.insns')).toBe(m.core.retired);
  expect(m.stats.value('system.cpu0.decodes')).toBeLessThan(m.core.retired);
});
