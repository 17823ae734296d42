/**
 * What every part of the A64 core shares: the machine's services it was made with, its guest
 * memory path, the PC, the count of retired instructions and why run() stops.
 */
import type { Clock, Counter, EventBus, Instrumentation, StatsRegistry } from '../../../core';
import type { MemorySystem } from '../../hierarchy/memory-system';
import type { CacheTopology } from '../../hierarchy/topology';
import type { Stage2Mmu } from '../../stage2/stage2-mmu';
import type { CoreExit, GuestHypervisor } from '../guest-interface';
import { GuestMemory } from '../guest-memory';

export interface A64CoreDeps {
  index: number;
  memory: MemorySystem;
  stage2: Stage2Mmu;
  hypervisor: GuestHypervisor;
  bus: EventBus;
  clock: Clock;
  stats: StatsRegistry;
  instrumentation: Instrumentation;
  topology: CacheTopology;
}

export const TWO32 = 2 ** 32;
/** Register numbers of XZR/WZR and the current SP in the register file. */
export const ZR = 31;
export const SP = 32;

export abstract class CoreState {
  readonly index: number;
  /** The guest memory path of this VCPU. */
  readonly memory: GuestMemory;
  protected pcV = 0;
  /** The current exception level: 0 or 1 (EL2 is the GuestHypervisor). */
  protected el = 1;
  protected retiredV = 0;
  protected stop: CoreExit | null = null;
  protected readonly ms: MemorySystem;
  protected readonly hyp: GuestHypervisor;
  protected readonly clock: Clock;
  protected readonly inst: Instrumentation;
  protected readonly topology: CacheTopology;
  protected readonly ipaBits: number;
  protected readonly exceptions: Counter;
  protected readonly interrupts: Counter;
  protected readonly decodes: Counter;
  protected readonly exits: Counter;
  protected readonly barrierCost: number;

  constructor(d: A64CoreDeps) {
    this.index = d.index;
    this.ms = d.memory;
    this.hyp = d.hypervisor;
    this.clock = d.clock;
    this.inst = d.instrumentation;
    this.topology = d.topology;
    this.ipaBits = d.stage2.ipaBits;
    this.barrierCost = d.topology.cost.isb;
    this.memory = new GuestMemory({ vcpu: d.index, memory: d.memory, stage2: d.stage2, hypervisor: d.hypervisor, bus: d.bus, stats: d.stats });
    const p = `system.cpu${d.index}`;
    d.stats.formula(`${p}.insns`, 'guest instructions retired', () => this.retiredV);
    this.exceptions = d.stats.counter(`${p}.exceptions`, 'synchronous exceptions taken to EL1 (aborts, BRK, SVC, undefined)');
    this.interrupts = d.stats.counter(`${p}.interrupts`, 'IRQ and FIQ exceptions taken to EL1');
    this.decodes = d.stats.counter(`${p}.decodes`, 'instruction words decoded (decode-cache misses)');
    this.exits = d.stats.counter(`${p}.exits`, 'returns from run(): exits to the hypervisor or VMM, and ends of instruction budgets (boot runs in slices of 200000)');
  }
}
