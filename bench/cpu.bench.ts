/**
 * The A64 core's speed: guest instructions per second running the sieve example guest
 * (examples/guest/sieve.S: MMU and caches on, ~0.87 M instructions) on cortex-a72 with no
 * plugins, against a bare single-level LRU cache loop over typed arrays replaying the same
 * guest's access stream (every fetch and data access, as PAs), in accesses per second.
 * Target: ratio >= 0.2.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ContainerModule } from 'inversify';
import { Instrumentation, buildMachine } from '../core';
import { cacheModule } from '../devices/cache';
import { A64Core, GuestCoreFactory, GuestHypervisor, cpuModule, type AbortResolution, type Stage2Abort } from '../devices/cpu';
import { assemble } from '../devices/cpu/a64';
import { MemorySystem, hierarchyModule } from '../devices/hierarchy';
import { MmioBus, memoryModule } from '../devices/memory';
import { Stage2Mmu, stage2Module } from '../devices/stage2';
import { uartModule } from '../devices/uart';
import { topologiesModule } from '../plugins/topologies';
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

function sieveSource(): string {
  for (const p of [path.join(__dirname, '../examples/guest/sieve.S'), path.join(__dirname, '../../examples/guest/sieve.S')]) {
    if (fs.existsSync(p)) return fs.readFileSync(p, 'utf8');
  }
  throw new Error('cpu bench: examples/guest/sieve.S not found');
}

function machine() {
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
  ms.writeBytes('host', 0, BASE, assemble(sieveSource(), { base: BASE }).bytes, true);
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
      if (e.reason !== 'system_event') throw new Error(`cpu bench: sieve stopped with ${JSON.stringify(e)}`);
      return core.retired - start;
    }
  };
  return { m, boot };
}

/** The bare loop: one 32 KiB 2-way LRU cache of 64-byte line tags, over typed arrays. */
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
  const { m, boot } = machine();
  const insnsPerBoot = boot(); // warm-up, and the instruction count
  for (let i = 0; i < 3; i++) boot();
  const boots = 5;
  const secs = bestOf(3, () => {
    for (let i = 0; i < boots; i++) boot();
  });
  const insnsPerSec = (insnsPerBoot * boots) / secs;

  // The same guest's access stream, recorded once through the instrumentation hooks.
  const addrs: number[] = [];
  const inst = m.get<Instrumentation>(Instrumentation);
  const hook = inst.onMemoryAccess((a) => addrs.push(a.addr), { agents: ['vcpu'] });
  boot();
  hook.dispose();
  const stream = Float64Array.from(addrs);
  let misses = 0;
  for (let i = 0; i < 3; i++) misses = bareLru(stream);
  const lruSecs = bestOf(5, () => {
    misses = bareLru(stream);
  });
  const lruPerSec = stream.length / lruSecs;
  return {
    guest: 'examples/guest/sieve.S on cortex-a72, no plugins',
    insns_per_boot: insnsPerBoot,
    guest_insns_per_sec: Math.round(insnsPerSec),
    stream_accesses: stream.length,
    bare_lru_misses: misses,
    bare_lru_accesses_per_sec: Math.round(lruPerSec),
    ratio: round(insnsPerSec / lruPerSec),
    target_ratio: 0.2,
  };
}
