/**
 * Cost of a VCPU reset + run cycle against the size of guest RAM:
 * - `seed` with a locked memslot: re-init sets FLUSH_DCACHE + INVAL_ICACHE, the next KVM_RUN
 *   flushes the whole slot. The range CMO touches only resident lines, so 64 GiB should cost
 *   about what 64 MiB does (target: at most 2x apart).
 * - `upstream` with the pages mapped (2 MiB THP blocks, as the guest's faults would leave
 *   them): re-init unmaps every leaf, cleaning each to PoC; the next run faults a page back.
 * The modelled cycles are reported too: those grow with the slot, as the kernel's work does.
 */
import { assemble, createMachine, Kvm, type Machine } from '../index';
import { bestOf, round } from './timing';

const RAM = 0x4000_0000;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const GUEST = `
        movz    x1, #0x4010, lsl #16    // touch a data page
        ldr     w2, [x1]
        movz    x0, #0x0008
        movk    x0, #0x8400, lsl #16    // PSCI SYSTEM_OFF
        hvc     #0
`;

function setup(policy: 'seed' | 'upstream', size: number): { m: Machine; cycle: () => void; prepare: () => void } {
  const m = createMachine({ name: `kvm bench ${policy}`, policy, machine: { cpus: 2, memory: { size: 4 * size + 8 * GiB } }, plugins: [{ name: 'kvm-arm64', args: { host_cpu: 1 } }] });
  const { vm, vmm } = m.get<Kvm>(Kvm);
  vmm.setMemslot({ slot: 0, gpa: RAM, size });
  if (policy === 'seed') vmm.lock(0, true);
  const image = assemble(GUEST, { base: RAM + 0x8_0000 }).bytes;
  vmm.write(RAM + 0x8_0000, image, 'bench guest');
  vmm.vcpuInit(0, RAM + 0x8_0000, 0, {});
  vmm.run(0, 1000);
  // Fill the caches with guest data, as a guest that ran would have.
  vmm.write(RAM + 0x10_0000, new Uint8Array(2 * MiB).fill(0x5a), 'dirty data');
  // Before each upstream cycle: every page mapped, in the 2 MiB blocks THP-backed faults
  // would have installed (the reset unmaps them all again). Locked slots stay mapped anyway.
  const prepare = () => {
    if (policy !== 'upstream') return;
    const pa = vmm.hostMm.hvaToPa(vm.memslots.get(0)!.userspaceAddr)!;
    for (let off = 0; off < size; off += 2 * MiB) vm.d.stage2.map(RAM + off, pa + off, 2 * MiB, { r: true, w: true, x: true }, 'normal', { blocks: true });
  };
  const data = new Uint8Array(256 * 1024).fill(0xa5);
  const cycle = () => {
    // The VMM copies the image and some data again: resident, dirty lines for the CMOs to find.
    vmm.write(RAM + 0x8_0000, image, 'bench guest');
    vmm.write(RAM + 0x20_0000, data, 'data');
    vmm.vcpuInit(0, RAM + 0x8_0000, 0, {});
    const r = vmm.run(0, 1000);
    if (r.last.reason !== 'system_event') throw new Error(`bench guest stopped with ${r.last.reason}`);
  };
  return { m, cycle, prepare };
}

function measure(policy: 'seed' | 'upstream', size: number): { seconds: number; cycles: number } {
  const { m, cycle, prepare } = setup(policy, size);
  prepare();
  cycle();
  prepare();
  const before = m.clock.now;
  cycle();
  const cycles = m.clock.now - before;
  let seconds = Infinity;
  for (let r = 0; r < 5; r++) {
    prepare();
    seconds = Math.min(seconds, bestOf(1, cycle));
  }
  m.dispose();
  return { seconds, cycles };
}

export function run(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const policy of ['seed', 'upstream'] as const) {
    const small = measure(policy, 64 * MiB);
    const big = measure(policy, 64 * GiB);
    out[policy] = {
      memslot: policy === 'seed' ? 'locked' : 'mapped with 2 MiB THP blocks',
      cycle64MiBms: round(small.seconds * 1000),
      cycle64GiBms: round(big.seconds * 1000),
      ratio: round(big.seconds / small.seconds, 2),
      modelledCycles64MiB: small.cycles,
      modelledCycles64GiB: big.cycles,
    };
  }
  out.target = 'seed.ratio <= 2 (the work is bounded by resident lines)';
  return out;
}
