/**
 * The custom device example (examples/custom-device/): the DMA engine plugin loaded by path from
 * its configs, the two guests, the engine's registers driven directly through the MMIO bus, its
 * disposal and its args.
 */
import * as path from 'path';
import {
  CoherenceChecker,
  Instrumentation,
  InputError,
  Kvm,
  MemorySystem,
  MmioBus,
  Uart,
  createMachine,
  main,
  memslotGpa,
  type Machine,
} from 'kvmsim';
import {
  DMA_COMPL,
  DMA_CTRL,
  DMA_DST,
  DMA_ID,
  DMA_LEN,
  DMA_SRC,
  DMA_STATUS,
  DMA_STATUS_BUSY,
  DMA_STATUS_DONE,
  DMA_STATUS_ERROR,
} from '../../examples/custom-device/dma-engine';
import { captureIo } from '../helpers';

const DIR = path.join(__dirname, '..', '..', 'examples', 'custom-device');
const ENGINE = path.join(DIR, 'dma-engine.ts');
const BASE = 0x0a00_0000;
const MESSAGE = 'hello from the guest, carried by a non-coherent DMA engine';
const OLD = 'old contents of the receive buffer';
/** The guests' receive buffer and transfer length (dma-ok.S / dma-stale.S). */
const GUEST_DST = 0x4030_0000;
const GUEST_LEN = 128;

/** Physical address behind a guest-physical one, as the VMM maps it. */
function paOf(m: Machine, gpa: number): number {
  const { vm, vmm } = m.get<Kvm>(Kvm);
  const slot = vm.memslots.findByGfn(Math.floor(gpa / 4096))!;
  return vmm.hostMm.hvaToPa(slot.userspaceAddr + (gpa - memslotGpa(slot)))!;
}

/** What memory (the PoC) holds at a guest-physical range: what a device would read. */
function memoryAt(m: Machine, gpa: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  m.get<MemorySystem>(MemorySystem).readBytes('device', 0, paOf(m, gpa), out, false);
  return out;
}

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString('latin1');
}

/** Bytes the device wrote into [gpa, gpa+len) during a run, as the memory hooks saw them. */
function recordDeviceWrites(m: Machine, gpa: () => number, len: number): Uint8Array {
  const seen = new Uint8Array(len).fill(0xee);
  m.get<Instrumentation>(Instrumentation).onMemoryAccess(
    (a) => {
      const start = gpa();
      for (let i = 0; i < a.data.length; i++) {
        const o = a.addr + i - start;
        if (o >= 0 && o < len) seen[o] = a.data[i];
      }
    },
    { agents: ['device'], kinds: ['write'] },
  );
  return seen;
}

describe('examples/custom-device: the guests', () => {
  it('dma.yaml: a guest that cleans and invalidates prints the copied message, and nothing is stale', () => {
    const m = createMachine(path.join(DIR, 'dma.yaml'));
    const done: { len: number; error: string | null }[] = [];
    m.bus.subscribe('dma.done', (e) => done.push({ len: e.len, error: e.error }), 'test');
    const written = recordDeviceWrites(m, () => paOf(m, GUEST_DST), GUEST_LEN);
    const r = m.run();
    expect(r.failures).toEqual([]);
    expect(m.get<Uart>(Uart).output).toBe(`dma-ok: received "${MESSAGE}"\n`);
    const checker = m.get<CoherenceChecker>(CoherenceChecker);
    expect(checker.staleGuest + checker.staleHypervisor).toBe(0);
    expect(done).toEqual([{ len: GUEST_LEN, error: null }]);
    // The engine wrote the message: the guest's clean put it in memory before START.
    expect(text(written)).toBe(MESSAGE);
    expect(m.stats.value('plugins.dma.transfers')).toBe(1);
    expect(m.stats.value('plugins.dma.bytes')).toBe(GUEST_LEN);
    expect(m.stats.value('plugins.dma.busy_cycles')).toBeGreaterThanOrEqual(GUEST_LEN);
    m.dispose();
  });

  it('dma-stale.yaml: a guest that skips the maintenance prints old data, and the checker blames the guest', () => {
    const m = createMachine(path.join(DIR, 'dma-stale.yaml'));
    const written = recordDeviceWrites(m, () => paOf(m, GUEST_DST), GUEST_LEN);
    const r = m.run();
    expect(r.failures).toEqual([]); // the config's own expectations: output, stale blame, stats
    expect(m.get<Uart>(Uart).output).toBe(`dma-stale: received "${OLD}"\n`);
    const checker = m.get<CoherenceChecker>(CoherenceChecker);
    // One stale load per character of the old text: each read the guest's own cached line
    // where the engine had written a zero.
    expect(checker.staleGuest).toBe(OLD.length);
    expect(checker.staleHypervisor).toBe(0);
    expect(m.stats.value('checker.stale.guest')).toBe(OLD.length);
    for (const o of checker.observations) {
      expect(o).toMatchObject({ blame: 'guest', writer: 'device', level: 'l1d', expected: '0x00' });
      expect(o.addr - paOf(m, GUEST_DST)).toBeLessThan(OLD.length);
    }
    // The engine read memory, where the uncleaned message never arrived: it copied zeroes.
    expect([...written]).toEqual(new Array(GUEST_LEN).fill(0));
    m.dispose();
  });

  it('both configs run through the CLI, the plugin loaded by path', async () => {
    for (const [config, line] of [
      ['dma.yaml', `dma-ok: received "${MESSAGE}"`],
      ['dma-stale.yaml', `dma-stale: received "${OLD}"`],
    ]) {
      const io = captureIo();
      const code = await main(['run', path.join(DIR, config)], io);
      expect({ config, code, err: io.stderr }).toEqual({ config, code: 0, err: '' });
      expect(io.stdout).toContain(line);
      expect(io.stdout).toContain('== dma-engine');
    }
  });
});

/** A machine with the engine and two memslots, no guest: registers are driven through the bus. */
function rig(args: Record<string, unknown> = {}): { m: Machine; bus: MmioBus; reg: (off: number) => number; set: (off: number, v: number) => void; tick: (cycles?: number) => void } {
  const m = createMachine({
    name: 'dma-registers',
    plugins: ['kvm-arm64', { path: ENGINE, args }],
  });
  const { vmm } = m.get<Kvm>(Kvm);
  vmm.setMemslot({ slot: 0, gpa: 0x4000_0000, size: 0x10_0000 });
  vmm.setMemslot({ slot: 1, gpa: 0x8000_0000, size: 0x1_0000 });
  const bus = m.get<MmioBus>(MmioBus);
  const inst = m.get<Instrumentation>(Instrumentation);
  return {
    m,
    bus,
    reg: (off) => bus.read(BASE + off, 8),
    set: (off, v) => bus.write(BASE + off, 8, v),
    // Time passes and a VCPU retires an instruction: when the engine makes progress.
    tick: (cycles = 0) => {
      m.clock.advance(cycles);
      inst.fireInstruction({ cpu: 0, pc: 0x4008_0000, word: 0xd503201f });
    },
  };
}

function start(b: ReturnType<typeof rig>, src: number, dst: number, len: number, compl = 0): void {
  b.set(DMA_SRC, src);
  b.set(DMA_DST, dst);
  b.set(DMA_LEN, len);
  b.set(DMA_COMPL, compl);
  b.bus.write(BASE + DMA_CTRL, 4, 1);
}

describe('examples/custom-device: the engine', () => {
  it('has 64-bit registers that take one 8-byte access or two 4-byte halves', () => {
    const b = rig();
    expect(b.bus.read(BASE + DMA_ID, 4)).toBe(0x444d4131);
    b.set(DMA_SRC, 0x1234_4000_0000);
    expect(b.bus.read(BASE + DMA_SRC, 4)).toBe(0x4000_0000);
    expect(b.bus.read(BASE + DMA_SRC + 4, 4)).toBe(0x1234);
    b.bus.write(BASE + DMA_DST, 4, 0x8000_0000);
    b.bus.write(BASE + DMA_DST + 4, 4, 0x5);
    expect(b.reg(DMA_DST)).toBe(0x5_8000_0000);
    b.bus.write(BASE + DMA_DST + 4, 4, 0);
    expect(b.reg(DMA_DST)).toBe(0x8000_0000);
    expect(b.reg(DMA_STATUS)).toBe(0);
    b.m.dispose();
  });

  it('reads memory, not caches: data the VMM left dirty in a cache is not what it copies until cleaned', () => {
    const b = rig({ cycles_per_byte: 0.5 });
    const { vmm } = b.m.get<Kvm>(Kvm);
    const mem = b.m.get<MemorySystem>(MemorySystem);
    const data = new TextEncoder().encode('bytes the VMM wrote through its cacheable mapping');
    vmm.write(0x4000_1000, data, 'test'); // dirty in the host core's L1 D
    start(b, 0x4000_1000, 0x4000_2000, data.length, 0x8000_0000);
    expect(b.reg(DMA_STATUS)).toBe(DMA_STATUS_BUSY);
    b.tick(Math.ceil(data.length * 0.5));
    expect(b.reg(DMA_STATUS)).toBe(DMA_STATUS_DONE);
    expect([...memoryAt(b.m, 0x4000_2000, data.length)]).toEqual(new Array(data.length).fill(0));
    expect(memoryAt(b.m, 0x8000_0000, 4)).toEqual(Uint8Array.of(DMA_STATUS_DONE, 0, 0, 0));
    // Clean the source to the PoC, as a driver would, and copy again.
    mem.dcacheCleanInvalPoc(paOf(b.m, 0x4000_1000), data.length);
    b.bus.write(BASE + DMA_STATUS, 4, DMA_STATUS_DONE); // W1C
    expect(b.reg(DMA_STATUS)).toBe(0);
    start(b, 0x4000_1000, 0x4000_2000, data.length, 0x8000_0000);
    b.tick(data.length);
    expect(memoryAt(b.m, 0x4000_2000, data.length)).toEqual(data);
    expect(b.m.stats.value('plugins.dma.transfers')).toBe(2);
    expect(b.m.stats.value('plugins.dma.bytes')).toBe(2 * data.length);
    b.m.dispose();
  });

  it('copies across page boundaries, from one memslot to another', () => {
    const b = rig({ cycles_per_byte: 0 });
    const mem = b.m.get<MemorySystem>(MemorySystem);
    const data = Uint8Array.from({ length: 6000 }, (_, i) => (i * 7 + 3) & 0xff);
    // Straddles a page boundary in the source; the destination is in the other memslot.
    mem.writeBytes('device', 0, paOf(b.m, 0x4000_0f00), data.subarray(0, 256), false);
    mem.writeBytes('device', 0, paOf(b.m, 0x4000_1000), data.subarray(256), false);
    start(b, 0x4000_0f00, 0x8000_0800, data.length);
    b.tick();
    expect(memoryAt(b.m, 0x8000_0800, data.length)).toEqual(data);
    b.m.dispose();
  });

  it('completes only when a VCPU runs at or after the due time, never inside the START write', () => {
    const b = rig({ cycles_per_byte: 0 });
    start(b, 0x4000_0000, 0x4000_1000, 64);
    expect(b.reg(DMA_STATUS)).toBe(DMA_STATUS_BUSY);
    b.tick();
    expect(b.reg(DMA_STATUS)).toBe(DMA_STATUS_DONE);
    b.m.dispose();

    const slow = rig({ cycles_per_byte: 4 });
    const t0 = slow.m.clock.now;
    start(slow, 0x4000_0000, 0x4000_1000, 100);
    slow.tick(399 - (slow.m.clock.now - t0));
    expect(slow.reg(DMA_STATUS)).toBe(DMA_STATUS_BUSY);
    slow.tick(1);
    expect(slow.reg(DMA_STATUS)).toBe(DMA_STATUS_DONE);
    // Busy from START until the copy ended: the 400 cycles due, then the copy's memory accesses.
    expect(slow.m.stats.value('plugins.dma.busy_cycles')).toBe(slow.m.clock.now - t0);
    expect(slow.m.clock.now - t0).toBeGreaterThan(400);
    slow.m.dispose();
  });

  it('ends in ERROR, and says why, for ranges outside guest RAM, a LEN over max_len and a bad COMPL', () => {
    const b = rig({ max_len: 4096 });
    const errors: (string | null)[] = [];
    b.m.bus.subscribe('dma.done', (e) => errors.push(e.error), 'test');
    start(b, 0x1000_0000, 0x4000_0000, 16, 0x8000_0000);
    b.tick(16);
    expect(b.reg(DMA_STATUS)).toBe(DMA_STATUS_ERROR);
    expect(memoryAt(b.m, 0x8000_0000, 4)).toEqual(Uint8Array.of(DMA_STATUS_ERROR, 0, 0, 0));
    start(b, 0x4000_0000, 0x4000_f000, 8192);
    b.tick(8192);
    start(b, 0x4000_0000, 0x4000_1000, 16, 0x8000_0002);
    b.tick(16);
    start(b, 0x4000_0000, 0x400f_fff0, 32); // runs past the end of memslot 0
    b.tick(32);
    expect(errors).toEqual([
      'SRC 0x10000000 is not guest RAM (no memslot holds it)',
      'LEN 8192 is larger than max_len (4096)',
      'COMPL 0x80000002 is not 4-byte aligned',
      'DST 0x40100000 is not guest RAM (no memslot holds it)',
    ]);
    expect(b.m.stats.value('plugins.dma.errors')).toBe(4);
    expect(b.m.stats.value('plugins.dma.transfers')).toBe(0);
    expect(b.m.log.some((l) => l.includes('dma-engine: transfer of 16 bytes from 0x10000000 to 0x40000000 failed: SRC 0x10000000 is not guest RAM'))).toBe(true);
    b.m.dispose();
  });

  it('refuses START while busy, and logs accesses it does not decode', () => {
    const b = rig({ cycles_per_byte: 10 });
    start(b, 0x4000_0000, 0x4000_1000, 64);
    b.bus.write(BASE + DMA_CTRL, 4, 1);
    expect(b.m.stats.value('plugins.dma.errors')).toBe(1);
    expect(b.bus.read(BASE + DMA_STATUS, 1)).toBe(0); // a byte access: not decoded
    expect(b.bus.read(BASE + 0x800, 4)).toBe(0);
    b.bus.write(BASE + DMA_ID, 4, 0); // read-only
    expect(b.m.stats.value('plugins.dma.bad_accesses')).toBe(3);
    expect(b.m.log.some((l) => l.includes('read of 1 bytes at offset 0x28 is not a register access the engine decodes (read as zero)'))).toBe(true);
    expect(b.m.log.some((l) => l.includes('START while the transfer started at cycle'))).toBe(true);
    b.tick(640);
    expect(b.reg(DMA_STATUS)).toBe(DMA_STATUS_DONE);
    b.m.dispose();
  });

  it('disposal removes its MMIO region and its instruction hook', () => {
    const b = rig({ cycles_per_byte: 100 });
    const inst = b.m.get<Instrumentation>(Instrumentation);
    expect(b.bus.find(BASE)?.name).toBe('dma-engine');
    start(b, 0x4000_0000, 0x4000_1000, 64);
    expect(inst.insnHooks).not.toBeNull(); // watching for the transfer's end
    b.m.dispose();
    expect(b.bus.find(BASE)).toBeUndefined();
    expect(b.bus.regions.map((r) => r.name)).toEqual(['pl011']);
    expect(inst.insnHooks).toBeNull();
  });

  it('costs nothing on the instruction path while idle', () => {
    const b = rig({ cycles_per_byte: 0 });
    const inst = b.m.get<Instrumentation>(Instrumentation);
    expect(inst.insnHooks).toBeNull();
    start(b, 0x4000_0000, 0x4000_1000, 8);
    b.tick();
    expect(inst.insnHooks).toBeNull();
    b.m.dispose();
  });
});

describe('examples/custom-device: args', () => {
  const build = (args: Record<string, unknown>) => () => createMachine({ plugins: ['kvm-arm64', { path: ENGINE, args }] });

  it('rejects bad values with an error that names the arg and lists the valid ones', () => {
    expect(build({ cycles_per_byte: -1 })).toThrow(InputError);
    expect(build({ cycles_per_byte: -1 })).toThrow(/bad args for plugin 'dma-engine': arg 'cycles_per_byte': .*>=0.*\(got -1\).*valid args of 'dma-engine':/s);
    expect(build({ base: 0x0a00_0010 })).toThrow(/arg 'base': must be 4 KiB aligned \(the register window is one page\) \(got 167772176\)/);
    expect(build({ base: 'nowhere' })).toThrow(/arg 'base': expected an address such as 0x40000000, found "nowhere"/);
    expect(build({ max_len: 0 })).toThrow(/arg 'max_len'/);
    expect(build({ channels: 2 })).toThrow(/plugin 'dma-engine' has no arg 'channels'; valid args of 'dma-engine':\n {2}base .*\n {2}cycles_per_byte .*\n {2}max_len /);
  });

  it('rejects a base whose window overlaps another device', () => {
    expect(build({ base: 0x0900_0000 })).toThrow(/plugin 'dma-engine': cannot place its registers at base 0x9000000: MMIO region 'dma-engine' .* overlaps region 'pl011'/);
  });

  it('takes a hex string base, as the command line gives it', () => {
    const m = createMachine({ plugins: ['kvm-arm64', { path: ENGINE, args: { base: '0x0b00_0000' } }] });
    expect(m.get<MmioBus>(MmioBus).find(0x0b00_0000)?.name).toBe('dma-engine');
    m.dispose();
  });
});
