import { Disposable } from '../common/disposable';
import type { AccessKind } from '../bus/events';

/**
 * Data-plane instrumentation, QEMU TCG-plugin style. Devices call `fireMemoryAccess` /
 * `fireInstruction` only after checking the hook list is non-null, so when no plugin registered
 * a callback the hot path pays one field load and a compare:
 *
 *     if (inst.memHooks !== null) inst.fireMemoryAccess(access);
 */

/**
 * Who made a memory access. `cache` is a dirty line written back to memory (an eviction or a
 * clean): delivered only to hooks that ask for it in their filter's `agents`.
 */
export type AccessAgent = 'vcpu' | 'host' | 'device' | 'cache';

/** One memory access, as a callback sees it. Valid only during the callback: copy what you keep. */
export interface MemoryAccess {
  agent: AccessAgent;
  /** VCPU or host-core index; -1 for devices and write-backs. */
  cpu: number;
  kind: AccessKind;
  /** Physical address (PA) of the first byte. */
  addr: number;
  /** The bytes read, written or fetched, little-endian. */
  data: Uint8Array;
  /** Whether the access went through the caches. */
  cacheable: boolean;
  /** Which level served it: e.g. `l1d`, `l2`, `slc`, `memory`. */
  level: string;
}

/** Restricts which accesses a memory callback sees. */
export interface MemoryAccessFilter {
  kinds?: readonly AccessKind[];
  agents?: readonly AccessAgent[];
  /** Physical address range [start, end). An access overlapping it matches. */
  range?: { start: number; end: number };
}

export interface ExecutedInstruction {
  cpu: number;
  /** Virtual address of the instruction. */
  pc: number;
  /** The 32-bit word that was executed (as fetched, stale or not). */
  word: number;
}

export type MemoryAccessCallback = (access: MemoryAccess) => void;
export type InstructionCallback = (insn: ExecutedInstruction) => void;

interface MemHook {
  cb: MemoryAccessCallback;
  kinds: number; // bitmask over AccessKind
  agents: number; // bitmask over AccessAgent
  start: number;
  end: number;
}

const KIND_BIT: Record<AccessKind, number> = { read: 1, write: 2, exec: 4 };
const AGENT_BIT: Record<AccessAgent, number> = { vcpu: 1, host: 2, device: 4, cache: 8 };
/** What a hook sees when its filter names no agents: every access, but no write-backs. */
const DEFAULT_AGENTS = AGENT_BIT.vcpu | AGENT_BIT.host | AGENT_BIT.device;

export interface Instrumentation {
  /** Registered memory hooks, or null when there are none (the hot-path check). */
  readonly memHooks: readonly unknown[] | null;
  /** Registered instruction hooks, or null when there are none. */
  readonly insnHooks: readonly unknown[] | null;
  onMemoryAccess(cb: MemoryAccessCallback, filter?: MemoryAccessFilter): Disposable;
  onInstruction(cb: InstructionCallback): Disposable;
  fireMemoryAccess(access: MemoryAccess): void;
  fireInstruction(insn: ExecutedInstruction): void;
}
export const Instrumentation = Symbol.for('kvmsim.Instrumentation');

export class SimInstrumentation implements Instrumentation {
  memHooks: MemHook[] | null = null;
  insnHooks: InstructionCallback[] | null = null;

  onMemoryAccess(cb: MemoryAccessCallback, filter: MemoryAccessFilter = {}): Disposable {
    const hook: MemHook = {
      cb,
      kinds: filter.kinds ? filter.kinds.reduce((m, k) => m | KIND_BIT[k], 0) : 7,
      agents: filter.agents ? filter.agents.reduce((m, a) => m | AGENT_BIT[a], 0) : DEFAULT_AGENTS,
      start: filter.range?.start ?? 0,
      end: filter.range?.end ?? Number.POSITIVE_INFINITY,
    };
    // Copy on write, so a callback that registers or disposes hooks does not disturb the
    // iteration in progress.
    this.memHooks = [...(this.memHooks ?? []), hook];
    return Disposable.create(() => {
      const rest = (this.memHooks ?? []).filter((h) => h !== hook);
      this.memHooks = rest.length > 0 ? rest : null;
    });
  }

  onInstruction(cb: InstructionCallback): Disposable {
    const wrapped: InstructionCallback = (i) => cb(i); // unique identity per registration
    this.insnHooks = [...(this.insnHooks ?? []), wrapped];
    return Disposable.create(() => {
      const rest = (this.insnHooks ?? []).filter((h) => h !== wrapped);
      this.insnHooks = rest.length > 0 ? rest : null;
    });
  }

  fireMemoryAccess(a: MemoryAccess): void {
    const hooks = this.memHooks;
    if (hooks === null) return;
    const kind = KIND_BIT[a.kind];
    const agent = AGENT_BIT[a.agent];
    const end = a.addr + a.data.length;
    for (let i = 0; i < hooks.length; i++) {
      const h = hooks[i];
      if ((h.kinds & kind) !== 0 && (h.agents & agent) !== 0 && a.addr < h.end && end > h.start) h.cb(a);
    }
  }

  fireInstruction(insn: ExecutedInstruction): void {
    const hooks = this.insnHooks;
    if (hooks === null) return;
    for (let i = 0; i < hooks.length; i++) hooks[i](insn);
  }
}
