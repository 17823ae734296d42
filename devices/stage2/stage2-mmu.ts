import type { AccessKind, Stage2Perms } from '../../core';
import type { Stage2Attr } from './descriptor';

/** Why a stage-2 walk failed. */
export type Stage2FaultKind = 'translation' | 'permission' | 'access';

/**
 * The outcome of `translate`. One object is reused by every call: read it before the next
 * translate, copy what you keep.
 */
export interface Stage2Walk {
  /** null when the access is allowed. */
  readonly fault: Stage2FaultKind | null;
  /** The PA of the IPA translated; -1 after a translation fault. */
  readonly pa: number;
  /**
   * The level of the leaf (success, permission and access faults), or the level whose
   * descriptor was invalid (translation fault). Entries read by the walk: level - startLevel + 1.
   */
  readonly level: number;
  /** Size of the leaf (4 KiB, 2 MiB, 1 GiB); 0 after a translation fault. */
  readonly size: number;
  /** The leaf's permissions (a shared frozen object); none after a translation fault. */
  readonly perms: Readonly<Stage2Perms>;
  readonly attr: Stage2Attr;
}

/** A leaf as `lookup` reports it. */
export interface Stage2Leaf {
  /** IPA and PA of the start of the leaf. */
  ipa: number;
  pa: number;
  size: number;
  level: number;
  perms: Readonly<Stage2Perms>;
  attr: Stage2Attr;
  /** The access flag. */
  accessed: boolean;
}

/**
 * Called per leaf by `unmap` (after the leaf was cleared and its TLB entry invalidated, as in
 * KVM's stage2_unmap_walker) and by `forEachLeaf`. `perms` is a shared frozen object.
 */
export type Stage2LeafCallback = (
  ipa: number,
  pa: number,
  size: number,
  perms: Readonly<Stage2Perms>,
  attr: Stage2Attr,
  level: number,
) => void;

/** The work an operation did, for the cost model (the KVM plugin charges cycles for it). */
export interface Stage2OpReport {
  /** 4 KiB pages whose mapping was installed or changed (map), or removed (unmap). */
  pages: number;
  /** Leaf entries written (map) or removed (unmap). */
  leaves: number;
  /** Descriptors read or written by the walk, including the 512 written per split. */
  entries: number;
  /** TLB invalidations by IPA: one per valid entry broken (break-before-make, unmap, table freed). */
  tlbis: number;
  /** Blocks split into a next-level table to keep the part outside the range mapped. */
  splits: number;
  tablesAllocated: number;
  tablesFreed: number;
}

export interface Stage2MapReport extends Stage2OpReport {
  /** Pages that were already mapped exactly so (KVM's map walker returns -EAGAIN for those). */
  unchanged: number;
  /** Pages of `pages` that were mapped before, differently (break-before-make). */
  replaced: number;
}

export interface Stage2MapOptions {
  /** Use 2 MiB / 1 GiB blocks where IPA, PA and size allow (default true). Locked memslots pass false. */
  blocks?: boolean;
}

export interface Stage2Counts {
  /** 4 KiB pages covered by leaves. */
  mappedPages: number;
  /** Level-3 (4 KiB page) leaves. */
  pageEntries: number;
  blocks2M: number;
  blocks1G: number;
  /** Tables allocated, the root included (a concatenated root counts once). */
  tables: number;
}

/**
 * The VM's stage-2 MMU: a 4 KiB-granule IPA -> PA table with per-leaf R/W/X, memory attribute
 * and access flag, maintained as KVM's kvm_pgtable_stage2_* functions do. One per VM.
 */
export interface Stage2Mmu {
  /** IPA size (VTCR_EL2.T0SZ = 64 - ipaBits). */
  readonly ipaBits: number;
  /** Level the walk starts at (0 for IPAs over 43 bits, 1 from 35 to 43, 2 below). */
  readonly startLevel: number;
  /** Entries in the (possibly concatenated) root table. */
  readonly rootEntries: number;
  /** VTCR_EL2 as KVM would program it for this geometry. */
  readonly vtcr: number;

  /**
   * Maps [ipa, ipa+size) to [pa, pa+size), all 4 KiB aligned, using blocks where aligned and
   * allowed. Existing entries are replaced by break-before-make; a block partly overlapped is
   * split so the rest stays mapped. Emits one `stage2.map` when anything changed.
   */
  map(ipa: number, pa: number, size: number, perms: Stage2Perms, attr: Stage2Attr, options?: Stage2MapOptions): Stage2MapReport;
  /**
   * Removes every leaf in [ipa, ipa+size), splitting blocks that straddle an end, freeing tables
   * that become empty; visits only valid entries. Emits one `stage2.unmap` when pages were removed.
   */
  unmap(ipa: number, size: number, onLeaf?: Stage2LeafCallback): Stage2OpReport;
  /**
   * Adds permissions to the leaf covering `ipa` (kvm_pgtable_stage2_relax_perms): no
   * break-before-make, one TLBI. Returns true when the leaf went from non-executable to
   * executable (the caller then invalidates the I-cache for the leaf). Emits `stage2.map` with
   * `relax: true` when the leaf changed. Throws if `ipa` is not mapped.
   */
  relaxPerms(ipa: number, add: Partial<Stage2Perms>): boolean;
  /** Clears the access flag of the leaf covering `ipa`; returns whether it was set (kvm_age_gfn). */
  mkold(ipa: number): boolean;
  /** Sets the access flag (the FSC_ACCESS fault path); returns whether the leaf exists. */
  mkyoung(ipa: number): boolean;

  /**
   * The hot path: walks the table for one guest access. Allocates nothing on success; on a
   * fault counts it and emits `stage2.fault`. The returned object is reused by every call.
   */
  translate(ipa: number, access: AccessKind, vcpu?: number | null): Stage2Walk;
  /** The leaf covering `ipa`, or null. */
  lookup(ipa: number): Stage2Leaf | null;
  /**
   * Calls `cb` for each leaf in [ipa, ipa+size) in address order, clipped to the range.
   * The table must not be changed from `cb`.
   */
  forEachLeaf(ipa: number, size: number, cb: Stage2LeafCallback): Pick<Stage2OpReport, 'pages' | 'leaves' | 'entries'>;

  readonly mappedPages: number;
  /** Block (2 MiB and 1 GiB) leaves. */
  readonly mappedBlocks: number;
  counts(): Stage2Counts;
}
export const Stage2Mmu = Symbol.for('kvmsim.Stage2Mmu');

/** Optional geometry, bound by whoever builds the machine; without it the IPA is 40 bits. */
export interface Stage2Config {
  /** 32 to 48 bits (KVM_VM_TYPE_ARM_IPA_SIZE); default 40. */
  ipaBits?: number;
}
export const Stage2Config = Symbol.for('kvmsim.Stage2Config');
