/**
 * Control-plane events: rare, meaningful, and dispatched through the bus. The data plane
 * (every memory access and instruction) never comes here; see core/plugin/instrumentation.ts.
 *
 * `EventMap` maps an event type to its payload. Plugins may add their own event types by
 * declaration merging:
 *
 *     declare module 'kvmsim' { interface EventMap { 'dma.done': { channel: number } } }
 */

/** What a memory access does. `exec` is an instruction fetch. */
export type AccessKind = 'read' | 'write' | 'exec';

/** Stage-2 permissions, as a subset of R/W/X. */
export interface Stage2Perms {
  r: boolean;
  w: boolean;
  x: boolean;
}

/** Why a VCPU stopped running (the `exit_reason` KVM_RUN hands back to the VMM, plus ours). */
export type ExitReason =
  | 'mmio'
  | 'system_event'
  | 'insn_budget'
  | 'interrupted'
  | 'undefined_instruction'
  | 'guest_fault'
  | 'hypercall'
  | 'wfi'
  | 'internal_error';

/** Architectural cache-maintenance operations and the kernel helpers built on them. */
export type CmoOp =
  | 'DC CIVAC'
  | 'DC CVAC'
  | 'DC CVAU'
  | 'DC IVAC'
  | 'DC ZVA'
  | 'DC CISW'
  | 'DC CSW'
  | 'DC ISW'
  | 'IC IALLU'
  | 'IC IALLUIS'
  | 'IC IVAU'
  | 'dcache_clean_inval_poc'
  | 'icache_inval_pou'
  | 'icache_inval_all_pou';

export interface EventMap {
  /** KVM_ARM_VCPU_INIT completed; `hadRun` says the VCPU had run before (a reset). */
  'vcpu.init': { vcpu: number; hadRun: boolean };
  /** A VCPU that had run was re-initialised: the hypervisor's reset actions happen now. */
  'vcpu.reset': { vcpu: number };
  /** KVM_RUN entered the guest. */
  'vcpu.run': { vcpu: number };
  /** KVM_RUN returned to the VMM. */
  'vcpu.exit': { vcpu: number; reason: ExitReason; detail: string; pc: number };
  /** KVM_SET_USER_MEMORY_REGION: create, move, delete or change flags of a memslot. */
  'memslot.set': {
    slot: number;
    op: 'create' | 'move' | 'delete' | 'flags';
    guestPhysAddr: number;
    size: number;
    userspaceAddr: number;
    flags: number;
  };
  'memslot.lock': { slot: number; write: boolean };
  'memslot.unlock': { slot: number };
  'stage2.fault': {
    vcpu: number | null;
    ipa: number;
    kind: 'translation' | 'permission' | 'access';
    access: AccessKind;
    level: number;
  };
  /** A stage-2 entry was installed (`relax: false`) or had permissions added (`relax: true`). */
  'stage2.map': {
    ipa: number;
    pa: number;
    size: number;
    perms: Stage2Perms;
    attr: 'normal' | 'device';
    relax: boolean;
  };
  'stage2.unmap': { ipa: number; size: number; pages: number };
  /**
   * A broadcast TLB invalidation (TLBI at EL1 by a VCPU of VM `vmid`): entries for `va`
   * (null: every VA) and `asid` (null: every ASID; `globalToo`: global entries as well).
   */
  'tlbi': { vcpu: number; op: string; vmid: number; va: number | null; asid: number | null; globalToo: boolean };
  /** A cache-maintenance operation; `lines` it actually touched, `cycles` it was charged. */
  'cmo': {
    op: CmoOp;
    cpu: number | null;
    addr: number;
    size: number;
    lines: number;
    cycles: number;
  };
  /** The VMM wrote guest memory through its own cacheable mapping. */
  'userspace.write': { addr: number; size: number; cpu: number; source: string };
  /** The guest observed a value a coherent machine would not have given it. */
  'stale': {
    vcpu: number;
    access: AccessKind;
    addr: number;
    size: number;
    got: string;
    expected: string;
    writer: string;
    level: string;
    blame: 'hypervisor' | 'guest';
  };
  /**
   * The host's MMU notifier is invalidating [hva, hva + size) of the VMM's address space (the
   * VMM unmapped or changed that memory): what the hypervisor unmaps between `start` and `end`
   * is userspace's doing, not its own.
   */
  'mmu.notifier': { hva: number; size: number; phase: 'start' | 'end' };
  /** The hypervisor broke a promise it made, e.g. unmapped a page of a locked memslot. */
  'contract.violation': { rule: string; detail: string; ipa: number; size: number };
  /** A plugin's subscriber threw; the run went on (or stopped, under --strict). */
  'plugin.error': { plugin: string; event: string; message: string };
  /** The run ended; the last event of every run. */
  'sim.end': { cycles: number; reason: string };
}

export type EventType = keyof EventMap;

/** The built-in event types, at run time (plugins' own types are not listed). */
export const CORE_EVENT_TYPES = [
  'vcpu.init',
  'vcpu.reset',
  'vcpu.run',
  'vcpu.exit',
  'memslot.set',
  'memslot.lock',
  'memslot.unlock',
  'stage2.fault',
  'stage2.map',
  'stage2.unmap',
  'tlbi',
  'cmo',
  'userspace.write',
  'stale',
  'mmu.notifier',
  'contract.violation',
  'plugin.error',
  'sim.end',
] as const satisfies readonly EventType[];

/** Every event carries its type, the modelled cycle it happened at, and a sequence number. */
export type SimEvent<K extends EventType = EventType> = {
  [T in K]: { readonly type: T; time: number; seq: number } & EventMap[T];
}[K];

/** What a producer passes to `emit`: the payload and the type; the bus stamps time and seq. */
export type EventInit<K extends EventType> = { type: K } & EventMap[K];
