/**
 * The CI slice of the stage-1 differential test against QEMU (mmu-probe.ts): random page tables
 * with the MMU on, AT/PAR_EL1 and loads/stores (values, or ESR_EL1/FAR_EL1 of the data abort)
 * through them, QEMU and kvmsim printing the same console.
 */
import { spawnSync } from 'child_process';
import { probeSource, runProbes } from './mmu-probe';

const hasQemu = spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;

describe('stage 1 against QEMU: random page tables, AT and PAR_EL1, loads and stores', () => {
  it('draws the same image for the same seed', () => {
    expect(probeSource(7, 50).source).toBe(probeSource(7, 50).source);
    expect(probeSource(7, 50).source).not.toBe(probeSource(8, 50).source);
  });

  (hasQemu ? it : it.skip).each([
    [1, false],
    [2, false],
    [3, true],
  ])(
    'seed %d (SCTLR_EL1.WXN %p): 1500 probes, the same console as QEMU',
    async (seed, wxn) => {
      const r = await runProbes(seed, 1500, wxn);
      expect(r.lines).toBeGreaterThan(1500);
      expect(r.differences).toEqual([]);
    },
    120_000,
  );
});
