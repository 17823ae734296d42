import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Kvm, MemorySystem, PhysicalMemory, createMachine, main } from 'kvmsim';
import { captureIo } from '../../helpers';
import { MiB, RAM, kvmRig } from './harness';

const GUESTS = path.join(__dirname, '..', '..', '..', 'examples', 'guest');

async function cli(...argv: string[]) {
  const io = captureIo();
  const t0 = Date.now();
  const rss = process.memoryUsage().rss;
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr, ms: Date.now() - t0, grew: process.memoryUsage().rss - rss };
}

/** A machine config whose scenario makes one memslot and runs `write`. */
function config(slot: string, write: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-write-'));
  const f = path.join(dir, 'm.yaml');
  fs.writeFileSync(
    f,
    `name: write sizes\nmachine: { cpus: 1 }\nplugins: [kvm-arm64]\nscenario:\n  - set_memslot: { slot: 0, gpa: 0x40000000, size: ${slot} }\n  - write: ${write}\n`,
  );
  return f;
}

const expectInputError = (r: { code: number; err: string }, message: RegExp) => {
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toContain('internal error');
};

describe('write sizes are checked before any work', () => {
  it('a 64 GiB fill is refused at once, naming the step', async () => {
    const r = await cli('run', config('64MiB', '{ gpa: 0x40000000, fill: { byte: 1, size: 64GiB } }'));
    expectInputError(r, /m\.yaml:6:5: scenario\[1\] \(write\): write: 64 GiB (is more than this computer's memory|at 0x40000000 does not fit)/);
    expect(r.ms).toBeLessThan(5_000);
  });

  it('a write larger than its memslot fails before allocating or writing anything', async () => {
    const r = await cli('run', config('64MiB', '{ gpa: 0x40000000, fill: { byte: 1, size: 512MiB } }'));
    expectInputError(r, /write: 512 MiB at 0x40000000 does not fit: guest address 0x44000000 is not in any memslot \(memslot 0 is \[0x40000000, \+64 MiB\)\)/);
    expect(r.ms).toBeLessThan(3_000);
    expect(r.grew).toBeLessThan(128 * MiB);
    // A loaded payload too: nothing of it is written.
    const { vmm, m } = kvmRig();
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 1 * MiB });
    expect(() => vmm.write(RAM + MiB / 2, new Uint8Array(MiB).fill(7), 'test')).toThrow(/write: 1 MiB at 0x40080000 does not fit: guest address 0x40100000 is not in any memslot/);
    expect(vmm.read(RAM + MiB / 2, 4)).toEqual(new Uint8Array(4));
    m.dispose();
  });

  /** The VMM alone (no checker, whose shadow keeps per-byte state of its own). */
  const vmmRig = () => {
    const m = createMachine({ plugins: ['kvm-arm64'], machine: { cpus: 1 }, scenario: [] });
    const vmm = m.get<Kvm>(Kvm).vmm;
    /** The host PA behind a guest address of slot 0. */
    const hostPa = (gpa: number) => vmm.hostMm.hvaToPa(vmm.vm.memslots.get(0)!.userspaceAddr + (gpa - RAM))!;
    const dirty = (gpa: number) => m.get<MemorySystem>(MemorySystem).residentCopies(hostPa(gpa)).some((c) => c.dirty);
    return { m, vmm, dirty };
  };

  it('a fill goes through the VMM cacheable path a page at a time, without a buffer of its size', () => {
    const { vmm, m, dirty } = vmmRig();
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 64 * MiB });
    const before = process.memoryUsage().arrayBuffers;
    vmm.fill(RAM + 100, 48 * MiB, 0xa5, 'fill');
    // The pages written are allocated; no 48 MiB buffer besides them.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(56 * MiB);
    expect(vmm.read(RAM + 96, 8)).toEqual(Uint8Array.of(0, 0, 0, 0, 0xa5, 0xa5, 0xa5, 0xa5));
    expect(vmm.read(RAM + 100 + 48 * MiB - 2, 4)).toEqual(Uint8Array.of(0xa5, 0xa5, 0, 0));
    // The last line written is still dirty in the VMM core's cache, as the VMM's writes are.
    expect(dirty(RAM + 100 + 48 * MiB - 1)).toBe(true);
    // A write of bytes then zeros (an ELF segment's bss) zeroes the rest, page by page.
    vmm.write(RAM + 10, Uint8Array.of(1, 2, 3), 'elf', 3 * 4096);
    expect(vmm.read(RAM + 8, 8)).toEqual(Uint8Array.of(0, 0, 1, 2, 3, 0, 0, 0));
    expect(vmm.read(RAM + 10 + 3 * 4096 - 1, 2)).toEqual(Uint8Array.of(0, 0xa5));
    m.dispose();
  });

  it('a zero fill goes through the caches but allocates no pages', () => {
    const { vmm, m, dirty } = vmmRig();
    vmm.setMemslot({ slot: 0, gpa: RAM, size: 64 * MiB });
    const pm = m.get<PhysicalMemory>(PhysicalMemory);
    const t0 = Date.now();
    vmm.fill(RAM, 64 * MiB, 0, 'zeros');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(pm.residentPages).toBe(0);
    expect(dirty(RAM + 64 * MiB - 64)).toBe(true);
    m.dispose();
  });
});

describe('boot --ram', () => {
  it('RAM beyond the IPA space is bad input naming --ram and the limit', async () => {
    const r = await cli('boot', path.join(GUESTS, 'hello.elf'), '--ram', '1TiB');
    expectInputError(r, /^kvmsim: error: --ram 1TiB: RAM at 0x40000000 would end beyond the guest's 40-bit IPA space; at most 1023 GiB\n$/);
  });
});
