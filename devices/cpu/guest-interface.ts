/**
 * The contract between a guest core (the A64 interpreter, or a scripted guest in tests) and the
 * hypervisor (the KVM-arm64 plugin). The core executes guest code at EL1; everything EL2 would
 * see — stage-2 aborts, trapped VM-register writes, trapped set/way ops, HVC — goes to the
 * `GuestHypervisor` bound in the machine, and whatever the VMM must handle comes back out of
 * `run()` as a `CoreExit`, as KVM_RUN returns to userspace.
 */
import type { AccessKind } from '../../core';
import type { IrqLine } from '../platform/irq';
import type { GenericTimer } from './generic-timer';
import type { IccAccess } from './core/system-registers';

/** The registers KVM traps while HCR_EL2.TVM is set (those the A64 subset can write). */
export type VmRegister = 'SCTLR_EL1' | 'TTBR0_EL1' | 'TTBR1_EL1' | 'TCR_EL1' | 'MAIR_EL1';

/** SCTLR_EL1 bits that decide memory attributes. */
export const SCTLR_M = 1 << 0;
export const SCTLR_C = 1 << 2;
export const SCTLR_I = 1 << 12;
/** SCTLR_EL1's value out of reset as KVM sets it (RES1 bits; M, C and I clear). */
export const SCTLR_EL1_RESET = 0x30d0_0800;

/** PSCI function IDs (SMC32/HVC32 calling convention) a guest may call through HVC #0. */
export const PSCI = {
  VERSION: 0x8400_0000,
  CPU_OFF: 0x8400_0002,
  CPU_ON_64: 0xc400_0003,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
} as const;

/** A guest access that faulted at stage 2, as ESR_EL2/HPFAR_EL2/FAR_EL2 would describe it. */
export interface Stage2Abort {
  /** The faulting IPA (HPFAR_EL2 plus the page offset). */
  ipa: number;
  /** The guest virtual address (FAR_EL2). */
  va: number;
  kind: 'translation' | 'permission' | 'access';
  /** exec: an instruction abort; write: a data abort with WnR set. */
  access: AccessKind;
  /** Level the stage-2 walk stopped at. */
  level: number;
  /** Access size in bytes (data aborts). */
  size: number;
  /** The value being stored (writes of up to 8 bytes; low/high 32-bit halves). */
  valueLo: number;
  valueHi: number;
  /** The access was part of a stage-1 table walk (S1PTW). */
  s1ptw: boolean;
  /** A cache-maintenance instruction by VA (DC/IC) faulted, not a load or store. */
  cm: boolean;
  pc: number;
}

/** What `GuestHypervisor.stage2Abort` decided. */
export type AbortResolution =
  /** The hypervisor fixed stage 2 (mapped, relaxed): the core retries the access. */
  | { action: 'retry' }
  /** Emulate the access as MMIO in the VMM: the core stops with an `mmio` exit. */
  | { action: 'mmio' }
  /** The hypervisor skipped the instruction (e.g. a DC by VA outside RAM). */
  | { action: 'skip' }
  /** Inject a synchronous external abort into the guest (taken to VBAR_EL1). */
  | { action: 'inject' }
  /** Stop the VCPU with an error exit. */
  | { action: 'exit'; detail: string };

/** The EL2 side a guest core calls into. The KVM-arm64 plugin implements it. */
export interface GuestHypervisor {
  /** A guest access faulted at stage 2. */
  stage2Abort(vcpu: number, abort: Stage2Abort): AbortResolution;
  /** HCR_EL2.TVM: true when writes to VM registers must be reported (then `vmRegWrite` is called). */
  trapsVmRegs(vcpu: number): boolean;
  /** A trapped write to a VM register; the core performs the write itself after the call. */
  vmRegWrite(vcpu: number, reg: VmRegister, oldValue: number, newValue: number): void;
  /** A guest DC ISW/CSW/CISW (HCR_EL2.TSW traps them): return true when the hypervisor handled it. */
  setWayOp(vcpu: number, op: 'DC ISW' | 'DC CSW' | 'DC CISW'): boolean;
  /** HCR_EL2.FWB in force: stage 2 forces guest RAM accesses cacheable. */
  readonly fwb: boolean;
}
export const GuestHypervisor = Symbol.for('kvmsim.GuestHypervisor');

/** Why `run()` returned: the `exit_reason` of KVM_RUN, with what the VMM needs. */
export type CoreExit =
  | {
      reason: 'mmio';
      pc: number;
      /** Guest physical address (IPA) of the access. */
      addr: number;
      size: number;
      write: boolean;
      /** Stored value (writes). */
      valueLo: number;
      valueHi: number;
    }
  | { reason: 'system_event'; pc: number; event: 'shutdown' | 'reset' }
  | { reason: 'hypercall'; pc: number; imm: number; x0: number }
  | { reason: 'insn_budget'; pc: number }
  /** The VMM stopped the run between slices (Ctrl-C), as a signal makes KVM_RUN return -EINTR. */
  | { reason: 'interrupted'; pc: number }
  /**
   * WFI, or a VCPU that is stopped (powered off) and so does not run: `stopped` says why
   * (KVM_ARM_VCPU_POWER_OFF at init, or a PSCI SYSTEM_OFF / SYSTEM_RESET that stopped every VCPU).
   */
  | { reason: 'wfi'; pc: number; stopped?: 'power_off' | 'shutdown' | 'reset' }
  | { reason: 'undefined_instruction'; pc: number; word: number; detail: string }
  | { reason: 'guest_fault'; pc: number; detail: string }
  | { reason: 'internal_error'; pc: number; detail: string };

/**
 * A synchronous exception the guest did not ask for (anything but SVC): an undefined
 * instruction, an abort, a PC alignment fault, a BRK. The core keeps the first one since reset
 * (`GuestCore.firstFault`): when a guest ends in an exception loop, or with no vector table,
 * that is the one that went wrong.
 */
export interface GuestException {
  /** ESR_EL1.EC and the whole ESR_EL1 the exception set (or would have set, with no vector table). */
  ec: number;
  esr: number;
  elr: number;
  /** FAR_EL1, for aborts and PC alignment faults; null when the exception leaves it UNKNOWN. */
  far: number | null;
  /** PC of the instruction that took it. */
  pc: number;
  /** The instruction word executed there; null when it was never fetched (an instruction abort). */
  word: number | null;
  /**
   * The word memory holds at that PC (the newest data, as a coherent read sees it) when it is
   * not the word fetched: the instruction came from a stale I-cache line. Absent when they agree.
   */
  memoryWord?: number;
  /** What happened, in words. */
  what: string;
  /** VBAR_EL1 at the time (0: no vector table, so the VCPU stopped). */
  vbar: number;
  /** Instructions retired before it. */
  retired: number;
  /** PCs of the last instructions executed before it, oldest first (up to 16). */
  recent: number[];
}

/** A guest core: one per VCPU, running on physical core `index`. */
export interface GuestCore {
  readonly index: number;
  /** PC of the next instruction. */
  readonly pc: number;
  /** Instructions retired since construction. */
  readonly retired: number;
  /** SCTLR_EL1 as the guest last wrote it. */
  readonly sctlr: number;
  /**
   * Architectural reset (KVM_ARM_VCPU_INIT): EL1h with DAIF masked, SCTLR_EL1 = reset value
   * (MMU and caches off), general registers zero except `x0`, PC = `entry`.
   */
  reset(entry: number, x0?: number): void;
  /** Runs until an exit or until `budget` instructions retired. */
  run(budget: number): CoreExit;
  /** Completes an `mmio` read exit with the value the VMM read; the next run() resumes after it. */
  completeMmioRead(valueLo: number, valueHi?: number): void;
  /** X register n (0-30) as two 32-bit halves. */
  getX(n: number): { lo: number; hi: number };
  /** The first unexpected exception since reset (see GuestException), when the core keeps it. */
  readonly firstFault?: GuestException | null;
  setX(n: number, lo: number, hi?: number): void;
  /** The IRQ and FIQ inputs an interrupt controller drives, when the core takes interrupts. */
  readonly irqInput?: IrqLine;
  readonly fiqInput?: IrqLine;
  /** The EL1 generic timers, when the core has them (their outputs are PPIs 14 and 11). */
  readonly timer?: GenericTimer;
  /** Where the core's ICC_* registers go (a GICv3 CPU interface), when it has one. */
  icc?: IccAccess | null;
}

/** Makes the machine's guest cores; rebinding it swaps the CPU model (interpreter, scripted guest). */
export interface GuestCoreFactory {
  create(index: number): GuestCore;
}
export const GuestCoreFactory = Symbol.for('kvmsim.GuestCoreFactory');
