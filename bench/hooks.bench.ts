/**
 * Cost of an unregistered data-plane hook: a tight loop of 32-bit reads through a memory port
 * over sparse 4 KiB pages (the shape of the physical-memory device) that checks
 * `inst.memHooks !== null` on every access, as the devices do, against the same port without
 * the check. Target: within 5% (ratio >= 0.95). Also reported: the same after a hook was
 * registered and disposed, when the check is a real load (about 2 ns per access here; through
 * the cache hierarchy an access costs ten times that, so there the check is under 1%).
 */
import { SimInstrumentation, type Instrumentation } from '../core';
import { bestOf, round } from './timing';

const N = 20_000_000;
/** 256 KiB working set in 64 pages of 4 KiB. */
const PAGES = 64;
const MASK = PAGES * 4096 - 1;

/** Sparse physical memory: a page array indexed by page number, each page a typed array. */
class SparseMemory {
  readonly pages: (Uint32Array | undefined)[] = [];
  page(pa: number): Uint32Array {
    const pn = pa >>> 12;
    let p = this.pages[pn];
    if (p === undefined) {
      p = new Uint32Array(1024);
      for (let i = 0; i < 1024; i++) p[i] = Math.imul(pn * 1024 + i, 2654435761);
      this.pages[pn] = p;
    }
    return p;
  }
}

class PlainPort {
  constructor(private readonly mem: SparseMemory) {}
  read(addr: number): number {
    const pa = addr & MASK;
    return this.mem.page(pa)[(pa & 4095) >>> 2];
  }
}

class HookedPort {
  private readonly access = { agent: 'vcpu' as const, cpu: 0, kind: 'read' as const, addr: 0, data: new Uint8Array(4), cacheable: true, level: 'memory' };
  constructor(
    private readonly mem: SparseMemory,
    private readonly inst: Instrumentation,
  ) {}
  read(addr: number): number {
    const pa = addr & MASK;
    const v = this.mem.page(pa)[(pa & 4095) >>> 2];
    if (this.inst.memHooks !== null) {
      this.access.addr = addr;
      this.inst.fireMemoryAccess(this.access);
    }
    return v;
  }
}

export function run(): Record<string, unknown> {
  const mem = new SparseMemory();
  const plain = new PlainPort(mem);
  const inst = new SimInstrumentation();
  const hooked = new HookedPort(mem, inst);
  let sink = 0;
  const loopPlain = () => {
    let s = 0;
    for (let i = 0; i < N; i++) s = (s + plain.read(i * 12)) | 0;
    sink ^= s;
  };
  const loopHooked = () => {
    let s = 0;
    for (let i = 0; i < N; i++) s = (s + hooked.read(i * 12)) | 0;
    sink ^= s;
  };
  loopPlain();
  loopHooked();
  let tPlain = Infinity;
  let tHooked = Infinity;
  for (let r = 0; r < 7; r++) {
    tPlain = Math.min(tPlain, bestOf(1, loopPlain));
    tHooked = Math.min(tHooked, bestOf(1, loopHooked));
  }
  // Then a process where a plugin once registered a hook and disposed it: the hook list is no
  // longer constant to the JIT, and the check costs a real load and branch. (Measured second:
  // V8 tracks field constness per object shape, so this changes the first case too.)
  const inst2 = new SimInstrumentation();
  inst2.onMemoryAccess(() => {}).dispose();
  const hooked2 = new HookedPort(mem, inst2);
  const loopHooked2 = () => {
    let s = 0;
    for (let i = 0; i < N; i++) s = (s + hooked2.read(i * 12)) | 0;
    sink ^= s;
  };
  loopHooked2();
  let tPlain2 = Infinity;
  let tHooked2 = Infinity;
  for (let r = 0; r < 7; r++) {
    tPlain2 = Math.min(tPlain2, bestOf(1, loopPlain));
    tHooked2 = Math.min(tHooked2, bestOf(1, loopHooked2));
  }
  return {
    accesses: N,
    noHookAccessesPerSec: Math.round(N / tPlain),
    unregisteredHookAccessesPerSec: Math.round(N / tHooked),
    unregisteredVsNoHook: round(tPlain / tHooked),
    registeredThenDisposedVsNoHook: round(tPlain2 / tHooked2),
    target: 'unregisteredVsNoHook >= 0.95',
    checksum: sink,
  };
}
