/**
 * The vgic as a GICv3 (--gic-version 3): a guest reading the distributor's, the redistributors'
 * and the SGI frame's identification and reset values gets QEMU 7.2's; the CPU interface
 * (ICC_* registers) acknowledges by priority, preempts by BPR1 and routes SGIs by affinity, as
 * the GICv3 specification (IHI 0069) says.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS, GicV3, SPURIOUS, UnwiredIrqLine, assemble, bootImage, defaultModules } from 'kvmsim';

const FIXTURES = path.join(__dirname, 'fixtures');
const hasQemu = spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-vgic3-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SGI = 0x1_0000;

function gic(ncpus: number): { g: GicV3; irq: UnwiredIrqLine[] } {
  const irq = Array.from({ length: ncpus }, () => new UnwiredIrqLine());
  const g = new GicV3(ncpus, irq.map((l) => ({ irq: l, fiq: new UnwiredIrqLine() })));
  g.writeDist(0, 0, 4, 0x2); // EnableGrp1
  for (let c = 0; c < ncpus; c++) {
    g.writeRedist(c, 0x14, 4, 0); // wake
    g.writeRedist(c, SGI + 0x080, 4, 0xffff_ffff); // group 1
    g.writeRedist(c, SGI + 0x100, 4, 0xffff); // SGIs enabled
    g.writeIcc(c, 'ICC_PMR_EL1', 0xffn);
    g.writeIcc(c, 'ICC_IGRPEN1_EL1', 1n);
  }
  return { g, irq };
}

describe('vgic-v3', () => {
  (hasQemu ? it : it.skip)("reads QEMU 7.2's identification and reset values", () => {
    const src = path.join(FIXTURES, 'gicv3-probe.S');
    const file = path.join(dir, 'probe.bin');
    fs.writeFileSync(file, assemble(fs.readFileSync(src, 'utf8'), { base: 0x4008_0000, file: src }).bytes);
    const q = spawnSync('qemu-system-aarch64', ['-M', 'virt,gic-version=3', '-cpu', 'cortex-a72', '-smp', '2', '-nographic', '-nodefaults', '-serial', 'stdio', '-kernel', file], { encoding: 'utf8', timeout: 20_000 });
    const k = bootImage(file, { gicVersion: '3', smp: '2' }, { modules: defaultModules(), defaults: DEFAULTS });
    expect(k.uart).toBe(q.stdout);
    expect(k.uart.split('\n')).toHaveLength(27);
  });

  it('routes SGIs by affinity (a target list, or every other CPU) and acknowledges by priority', () => {
    const { g, irq } = gic(3);
    g.writeRedist(2, SGI + 0x400, 4, 0x40_00_80_00); // on CPU 2: SGI 1 at 0x80, SGI 3 at 0x40
    g.writeIcc(0, 'ICC_SGI1R_EL1', (1n << 24n) | 0b100n); // SGI 1 to CPU 2
    g.writeIcc(1, 'ICC_SGI1R_EL1', (3n << 24n) | (1n << 40n)); // SGI 3 to all but CPU 1
    expect(irq.map((l) => l.level)).toEqual([true, false, true]);
    expect(g.readIcc(2, 'ICC_IAR1_EL1')).toBe(3n); // lower is more urgent
    expect(g.readIcc(2, 'ICC_RPR_EL1')).toBe(0x40n);
    expect(g.readIcc(2, 'ICC_IAR1_EL1')).toBe(BigInt(SPURIOUS)); // 0x80 does not preempt 0x40
    g.writeIcc(2, 'ICC_EOIR1_EL1', 3n);
    expect(g.readIcc(2, 'ICC_IAR1_EL1')).toBe(1n);
    expect(g.readIcc(0, 'ICC_IAR1_EL1')).toBe(3n);
  });

  it('implements five priority bits, as QEMU\'s Cortex-A72 CPU interface: ICC_CTLR_EL1.PRIbits, masked writes, BPR1 at least 3', () => {
    const { g } = gic(1);
    expect((g.readIcc(0, 'ICC_CTLR_EL1') >> 8n) & 7n).toBe(4n);
    g.writeIcc(0, 'ICC_PMR_EL1', 0xffn);
    expect(g.readIcc(0, 'ICC_PMR_EL1')).toBe(0xf8n);
    g.writeIcc(0, 'ICC_BPR1_EL1', 0n);
    expect(g.readIcc(0, 'ICC_BPR1_EL1')).toBe(3n);
    // With BPR1 = 3 only priority bits [7:4] preempt: 0x48 does not preempt 0x40.
    g.writeRedist(0, SGI + 0x400, 4, 0x48_40); // SGI 0 at 0x40, SGI 1 at 0x48
    g.writeIcc(0, 'ICC_SGI1R_EL1', (0n << 24n) | 1n);
    expect(g.readIcc(0, 'ICC_IAR1_EL1')).toBe(0n);
    g.writeIcc(0, 'ICC_SGI1R_EL1', (1n << 24n) | 1n);
    expect(g.readIcc(0, 'ICC_IAR1_EL1')).toBe(BigInt(SPURIOUS));
  });

  it('routes an SPI by GICD_IROUTER', () => {
    const { g, irq } = gic(2);
    g.writeDist(0, 0x080 + 4, 4, 0xffff_ffff); // SPIs 32-63: group 1
    g.writeDist(0, 0x100 + 4, 4, 1 << 8); // INTID 40 enabled
    g.writeDist(0, 0x6000 + 8 * 40, 4, 1); // to CPU 1
    g.irqLines().spi(8).set(true);
    expect(irq.map((l) => l.level)).toEqual([false, true]);
    expect(g.readIcc(1, 'ICC_IAR1_EL1')).toBe(40n);
  });
});
