/**
 * The A64 core's speed: guest instructions per second running the sieve example guest
 * (examples/guest/sieve.bin: MMU and caches on, ~0.87 M instructions) on cortex-a72 with no
 * plugins, against the devices issue's bare loop (bench/bare-lru.ts: a single-level typed-array
 * LRU cache over a mixed 256 KiB stream, the same loop caches.bench.ts reports), measured in
 * this same run. Target: guest instructions/s >= 0.2 × the bare loop's accesses/s.
 *
 * For information, also a bare 2-way LRU tag loop replaying the guest's own access stream
 * (every fetch and data access, as PAs): a lighter loop (tags only, no data), so a higher floor.
 *
 *     npm run bench -- cpu
 */
import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';
import { ContainerModule } from 'inversify';
import { Instrumentation, buildMachine } from '../core';
import { cacheModule } from '../devices/cache';
import { A64Core, GuestCoreFactory, GuestHypervisor, PSCI, cpuModule, type AbortResolution, type Stage2Abort } from '../devices/cpu';
import { MemorySystem, hierarchyModule } from '../devices/hierarchy';
import { MmioBus, memoryModule } from '../devices/memory';
import { Stage2Mmu, stage2Module } from '../devices/stage2';
import { uartModule } from '../devices/uart';
import { topologiesModule } from '../plugins/topologies';
import { bareLruAccessesPerSec, devicesStream } from './bare-lru';
import { bestOf, round } from './timing';

const RAM = 0x4000_0000;
const RAM_SIZE = 0x0400_0000;
const BASE = 0x4008_0000;

/** Identity stage 2: all RAM mapped on the first fault (with KVM's clean to PoC), MMIO outside. */
class IdentityHypervisor implements GuestHypervisor {
  readonly fwb: boolean;
  constructor(
    private readonly s2: Stage2Mmu,
    private readonly ms: MemorySystem,
  ) {
    this.fwb = ms.fwb;
  }
  stage2Abort(_vcpu: number, a: Stage2Abort): AbortResolution {
    if (a.ipa >= RAM && a.ipa < RAM + RAM_SIZE && a.kind === 'translation') {
      this.s2.map(RAM, RAM, RAM_SIZE, { r: true, w: true, x: true }, 'normal');
      if (!this.fwb) this.ms.dcacheCleanInvalPoc(RAM, RAM_SIZE);
      this.ms.icacheInvalPou(RAM, RAM_SIZE);
      return { action: 'retry' };
    }
    return a.cm ? { action: 'skip' } : { action: 'mmio' };
  }
  trapsVmRegs(): boolean {
    return false;
  }
  vmRegWrite(): void {}
  setWayOp(): boolean {
    return false;
  }
}

function sieveImage(): Uint8Array {
  for (const p of [path.join(__dirname, '../examples/guest/sieve.bin'), path.join(__dirname, '../../examples/guest/sieve.bin')]) {
    if (fs.existsSync(p)) return fs.readFileSync(p);
  }
  throw new Error('cpu bench: examples/guest/sieve.bin not found');
}

/** A cortex-a72 machine with sieve.bin loaded at 0x40080000, and a function booting it once. */
export function sieveMachine() {
  const hyp = new ContainerModule(({ bind }) => {
    bind(GuestHypervisor)
      .toDynamicValue((ctx) => new IdentityHypervisor(ctx.get<Stage2Mmu>(Stage2Mmu), ctx.get<MemorySystem>(MemorySystem)))
      .inSingletonScope();
  });
  const m = buildMachine(
    { seed: 1, topology: { name: 'cortex-a72' }, machine: { cpus: 1, memory: { size: RAM + RAM_SIZE } } },
    { modules: [memoryModule, cacheModule, hierarchyModule, topologiesModule, stage2Module, uartModule, cpuModule, hyp] },
  );
  const core = m.get<GuestCoreFactory>(GuestCoreFactory).create(0) as A64Core;
  const ms = m.get<MemorySystem>(MemorySystem);
  ms.writeBytes('host', 0, BASE, sieveImage(), true);
  const mmio = m.get<MmioBus>(MmioBus);
  /** One boot of the guest to SYSTEM_OFF; returns instructions retired. */
  const boot = (): number => {
    core.reset(BASE);
    const start = core.retired;
    for (;;) {
      const e = core.run(10_000_000);
      if (e.reason === 'mmio') {
        if (e.write) mmio.write(e.addr, e.size, e.valueLo);
        else core.completeMmioRead(mmio.read(e.addr, e.size));
        continue;
      }
      // The guest ends with PSCI SYSTEM_OFF, which KVM would answer: here the HVC exit itself.
      if (e.reason !== 'hypercall' || e.x0 !== PSCI.SYSTEM_OFF) throw new Error(`cpu bench: sieve stopped with ${JSON.stringify(e)}`);
      return core.retired - start;
    }
  };
  return { m, core, boot };
}

/** The guest-stream loop: one 32 KiB 2-way LRU cache of 64-byte line tags, over typed arrays. */
function bareLru(stream: Float64Array): number {
  const sets = 256;
  const tags = new Uint32Array(sets * 2).fill(0xffffffff);
  const mru = new Uint8Array(sets);
  let misses = 0;
  for (let i = 0; i < stream.length; i++) {
    const line = Math.floor(stream[i] / 64) >>> 0;
    const set = line & (sets - 1);
    const b = set * 2;
    if (tags[b] === line) mru[set] = 0;
    else if (tags[b + 1] === line) mru[set] = 1;
    else {
      const victim = mru[set] ^ 1;
      tags[b + victim] = line;
      mru[set] = victim;
      misses++;
    }
  }
  return misses;
}

export function run(): Record<string, unknown> {
  const { m, boot } = sieveMachine();
  const insnsPerBoot = boot(); // warm-up, and the instruction count
  for (let i = 0; i < 3; i++) boot();
  const boots = 5;
  const guestRate = () => (insnsPerBoot * boots) / bestOf(3, () => {
    for (let i = 0; i < boots; i++) boot();
  });
  // The devices issue's bare loop, interleaved with the guest runs (best of each) so both see
  // the same machine load.
  const stream = devicesStream();
  const bare1 = bareLruAccessesPerSec(stream);
  const guest1 = guestRate();
  const bare2 = bareLruAccessesPerSec(stream);
  const guest2 = guestRate();
  const insnsPerSec = Math.max(guest1, guest2);
  const barePerSec = Math.max(bare1, bare2);

  // The same guest's access stream, recorded once through the instrumentation hooks.
  const addrs: number[] = [];
  const inst = m.get<Instrumentation>(Instrumentation);
  const hook = inst.onMemoryAccess((a) => addrs.push(a.addr), { agents: ['vcpu'] });
  boot();
  hook.dispose();
  const guestStream = Float64Array.from(addrs);
  let misses = 0;
  for (let i = 0; i < 3; i++) misses = bareLru(guestStream);
  const lruSecs = bestOf(5, () => {
    misses = bareLru(guestStream);
  });
  const lruPerSec = guestStream.length / lruSecs;
  return {
    guest: 'examples/guest/sieve.bin on cortex-a72, no plugins',
    insns_per_boot: insnsPerBoot,
    guest_insns_per_sec: Math.round(insnsPerSec),
    bare_lru_accesses_per_sec: Math.round(barePerSec),
    ratio: round(insnsPerSec / barePerSec),
    target_ratio: 0.2,
    guest_stream_accesses: guestStream.length,
    guest_stream_lru_misses: misses,
    guest_stream_lru_accesses_per_sec: Math.round(lruPerSec),
    guest_stream_ratio: round(insnsPerSec / lruPerSec),
  };
}

if (require.main === module) console.log(JSON.stringify(run(), null, 2));
