/**
 * The vgic (GICv2, as QEMU's virt board has it): a guest that programs it with interrupts masked
 * and prints what its registers say gets QEMU 7.2's answers word for word; and the parts a
 * single CPU cannot show — SGIs between CPUs with their source, SPI targets, level-sensitive
 * lines, EOImode — against the GICv2 specification (IHI 0048B).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS, GicV2, SPURIOUS, UnwiredIrqLine, assemble, bootImage, defaultModules } from 'kvmsim';

const FIXTURES = path.join(__dirname, 'fixtures');
const hasQemu = spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-vgic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const GICD_CTLR = 0x000;
const ISENABLER = 0x100;
const ICFGR = 0xc00;
const ITARGETSR = 0x800;
const SGIR = 0xf00;
const GICC_CTLR = 0x00;
const PMR = 0x04;
const IAR = 0x0c;
const EOIR = 0x10;
const DIR = 0x1000;

function gic(ncpus: number): { g: GicV2; irq: UnwiredIrqLine[] } {
  const irq = Array.from({ length: ncpus }, () => new UnwiredIrqLine());
  const g = new GicV2(ncpus, irq.map((l) => ({ irq: l, fiq: new UnwiredIrqLine() })));
  g.writeDist(0, GICD_CTLR, 4, 1);
  for (let c = 0; c < ncpus; c++) {
    g.writeCpu(c, PMR, 0xff);
    g.writeCpu(c, GICC_CTLR, 1);
    g.writeDist(c, ISENABLER, 4, 0xffff);
  }
  return { g, irq };
}

describe('vgic-v2', () => {
  (hasQemu ? it : it.skip)('answers a polling guest as QEMU 7.2 does', () => {
    const src = path.join(FIXTURES, 'gicv2-poll.S');
    const file = path.join(dir, 'gic.bin');
    fs.writeFileSync(file, assemble(fs.readFileSync(src, 'utf8'), { base: 0x4008_0000, file: src }).bytes);
    const q = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-nographic', '-nodefaults', '-serial', 'stdio', '-kernel', file], { encoding: 'utf8', timeout: 20_000 });
    const k = bootImage(file, {}, { modules: defaultModules(), defaults: DEFAULTS });
    expect(k.uart).toBe(q.stdout);
    expect(k.uart.split('\n')).toHaveLength(16);
  });

  it('delivers SGIs between CPUs with the source in GICC_IAR, and "all but self"', () => {
    const { g, irq } = gic(3);
    g.writeDist(1, SGIR, 4, (0b100 << 16) | 7); // CPU 1 → CPU 2, SGI 7
    g.writeDist(0, SGIR, 4, (1 << 24) | 7); // CPU 0 → all but CPU 0
    expect(irq.map((l) => l.level)).toEqual([false, true, true]);
    expect(g.readCpu(2, IAR)).toBe(7 | (0 << 10)); // the lowest source first
    g.writeCpu(2, EOIR, 7);
    expect(g.readCpu(2, IAR)).toBe(7 | (1 << 10));
    g.writeCpu(2, EOIR, 7 | (1 << 10));
    expect(g.readCpu(2, IAR)).toBe(SPURIOUS);
    expect(g.readCpu(1, IAR)).toBe(7);
    expect(irq[1].level).toBe(false);
  });

  it('sends an SPI to the CPUs it targets; the first to acknowledge takes it', () => {
    const { g, irq } = gic(2);
    g.writeDist(0, ISENABLER + 4, 4, 1 << 8); // INTID 40
    g.writeDist(0, ITARGETSR + 40, 1, 0b10);
    const line = g.irqLines().spi(8);
    line.set(true);
    expect(irq.map((l) => l.level)).toEqual([false, true]);
    g.writeDist(0, ITARGETSR + 40, 1, 0b11);
    expect(irq.map((l) => l.level)).toEqual([true, true]);
    expect(g.readCpu(0, IAR)).toBe(40);
    expect(irq.map((l) => l.level)).toEqual([false, false]); // active: nobody else is signalled
    expect(g.readCpu(1, IAR)).toBe(SPURIOUS);
  });

  it('keeps a level-sensitive SPI pending while its line is high, an edge-triggered one latched once', () => {
    const { g } = gic(1);
    g.writeDist(0, ISENABLER + 4, 4, 0b11 << 8); // INTIDs 40, 41
    g.writeDist(0, ITARGETSR + 40, 2, 0x0101);
    g.writeDist(0, ICFGR + 8, 4, 0b10 << 18); // INTID 41 edge-triggered
    const level = g.irqLines().spi(8);
    const edge = g.irqLines().spi(9);
    level.set(true);
    expect(g.readCpu(0, IAR)).toBe(40);
    g.writeCpu(0, EOIR, 40);
    expect(g.readCpu(0, IAR)).toBe(40); // still high: pending again
    level.set(false);
    g.writeCpu(0, EOIR, 40);
    expect(g.readCpu(0, IAR)).toBe(SPURIOUS);
    edge.set(true);
    expect(g.readCpu(0, IAR)).toBe(41);
    g.writeCpu(0, EOIR, 41);
    expect(g.readCpu(0, IAR)).toBe(SPURIOUS); // the edge was consumed, though the line is high
  });

  it('with GICC_CTLR.EOImodeNS, EOIR only drops the priority and GICC_DIR deactivates', () => {
    const { g } = gic(1);
    g.writeCpu(0, GICC_CTLR, 1 | (1 << 9));
    g.writeDist(0, SGIR, 4, (2 << 24) | 1);
    expect(g.readCpu(0, IAR)).toBe(1);
    g.writeCpu(0, EOIR, 1);
    expect(g.readCpu(0, 0x14)).toBe(0xff); // running priority: idle
    g.writeDist(0, SGIR, 4, (2 << 24) | 1);
    expect(g.readCpu(0, IAR)).toBe(SPURIOUS); // still active
    g.writeCpu(0, DIR, 1);
    expect(g.readCpu(0, IAR)).toBe(1);
  });
});
