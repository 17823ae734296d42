import { InputError, type AccessKind, type Counter, type EventBus, type Stage2Perms, type StatsRegistry } from '../../core';
import {
  DESC_AF,
  DESC_TABLE,
  DESC_XN,
  ENTRIES_PER_TABLE,
  LEVEL_PAGES,
  LEVEL_SIZE,
  PAGE_SIZE,
  PA_LIMIT,
  PERMS,
  S2AP_R,
  S2AP_W,
  attrOf,
  childLeafBits,
  hex,
  isTable,
  leafBits,
  lowBits,
  outputAddress,
  permsIndex,
  permsOf,
  type Stage2Attr,
} from './descriptor';
import type {
  Stage2Counts,
  Stage2FaultKind,
  Stage2Leaf,
  Stage2LeafCallback,
  Stage2MapOptions,
  Stage2MapReport,
  Stage2Mmu,
  Stage2OpReport,
  Stage2Walk,
} from './stage2-mmu';
import { Table } from './table';

export const DEFAULT_IPA_BITS = 40;
export const MIN_IPA_BITS = 32;
export const MAX_IPA_BITS = 48;

const NO_PERMS = PERMS[0];

class WalkResult implements Stage2Walk {
  fault: Stage2FaultKind | null = null;
  pa = -1;
  level = 0;
  size = 0;
  perms: Readonly<Stage2Perms> = NO_PERMS;
  attr: Stage2Attr = 'normal';
}

function opReport(): Stage2OpReport {
  return { pages: 0, leaves: 0, entries: 0, tlbis: 0, splits: 0, tablesAllocated: 0, tablesFreed: 0 };
}

/**
 * A stage-2 page table with the 4 KiB granule. The geometry is KVM's: a VM with an N-bit IPA
 * gets (N - 8) / 9 levels, using up to 16 concatenated root tables, so the default 40-bit IPA
 * starts at level 1 with a 1024-entry root (two pages) and 44 to 48 bits start at level 0.
 */
export class Stage2PageTable implements Stage2Mmu {
  readonly ipaBits: number;
  readonly startLevel: number;
  readonly rootEntries: number;
  readonly vtcr: number;
  private readonly ipaLimit: number;
  private readonly root: Table;
  private readonly result = new WalkResult();
  /** Set while a callback runs inside a walk, which must not change the table. */
  private busy: string | null = null;
  // Where findLeaf stopped (fields rather than a returned object: no allocation).
  private foundTable: Table | null = null;
  private foundIndex = 0;
  private foundLevel = 0;

  private pages = 0;
  private readonly leavesAt = [0, 0, 0, 0];
  private tables = 1;

  private readonly walks: Counter;
  private readonly faults: Record<Stage2FaultKind, Counter>;
  private readonly maps: Counter;
  private readonly unmaps: Counter;
  private readonly relaxes: Counter;
  private readonly splits: Counter;
  private readonly tlbis: Counter;
  private readonly entries: Counter;

  constructor(
    private readonly bus: EventBus,
    stats: StatsRegistry,
    ipaBits = DEFAULT_IPA_BITS,
  ) {
    if (!Number.isInteger(ipaBits) || ipaBits < MIN_IPA_BITS || ipaBits > MAX_IPA_BITS) {
      throw new InputError(`stage 2: IPA size ${ipaBits} bits is not supported: expected an integer from ${MIN_IPA_BITS} to ${MAX_IPA_BITS}`);
    }
    this.ipaBits = ipaBits;
    this.ipaLimit = 2 ** ipaBits;
    this.startLevel = 4 - Math.floor((ipaBits - 8) / 9);
    this.rootEntries = 2 ** (ipaBits - Math.log2(LEVEL_SIZE[this.startLevel]));
    this.root = new Table(this.startLevel, this.rootEntries);
    // T0SZ, SL0 (4 KiB granule: 0 = level 2, 1 = level 1, 2 = level 0), IRGN0/ORGN0 = WBWA,
    // SH0 = Inner Shareable, TG0 = 4 KiB, PS = 48 bits, RES1 bit 31.
    this.vtcr = 2 ** 31 + (0b101 << 16) + (0b11 << 12) + (0b01 << 10) + (0b01 << 8) + ((2 - this.startLevel) << 6) + (64 - ipaBits);

    const p = 'system.stage2';
    stats.formula(`${p}.mapped_pages`, '4 KiB pages mapped at stage 2', () => this.pages);
    stats.formula(`${p}.page_entries`, 'level-3 (4 KiB) leaves', () => this.leavesAt[3]);
    stats.formula(`${p}.blocks_2m`, 'level-2 (2 MiB) block leaves', () => this.leavesAt[2]);
    stats.formula(`${p}.blocks_1g`, 'level-1 (1 GiB) block leaves', () => this.leavesAt[1]);
    stats.formula(`${p}.tables`, 'translation tables allocated, root included', () => this.tables);
    this.walks = stats.counter(`${p}.walks`, 'stage-2 translations (guest accesses after stage 1)');
    this.faults = {
      translation: stats.counter(`${p}.faults.translation`, 'stage-2 translation faults'),
      permission: stats.counter(`${p}.faults.permission`, 'stage-2 permission faults'),
      access: stats.counter(`${p}.faults.access`, 'stage-2 access flag faults'),
    };
    this.maps = stats.counter(`${p}.maps`, 'map calls that changed the table');
    this.unmaps = stats.counter(`${p}.unmaps`, 'unmap calls that removed pages');
    this.relaxes = stats.counter(`${p}.relaxes`, 'permission relaxations that changed a leaf');
    this.splits = stats.counter(`${p}.splits`, 'blocks split into next-level tables');
    this.tlbis = stats.counter(`${p}.tlbis`, 'TLB invalidations by IPA');
    this.entries = stats.counter(`${p}.entries`, 'descriptors read or written by map, unmap and relax');
  }

  get mappedPages(): number {
    return this.pages;
  }

  get mappedBlocks(): number {
    return this.leavesAt[1] + this.leavesAt[2];
  }

  counts(): Stage2Counts {
    return { mappedPages: this.pages, pageEntries: this.leavesAt[3], blocks2M: this.leavesAt[2], blocks1G: this.leavesAt[1], tables: this.tables };
  }

  // ---- map ------------------------------------------------------------------------------

  map(ipa: number, pa: number, size: number, perms: Stage2Perms, attr: Stage2Attr, options: Stage2MapOptions = {}): Stage2MapReport {
    this.checkIdle('map');
    this.checkRange('map', ipa, size);
    if (!isAligned(pa)) throw new InputError(`stage 2 map: PA ${hex(pa)} is not a 4 KiB-aligned address`);
    if (pa + size > PA_LIMIT) throw new InputError(`stage 2 map: PA range ${hex(pa)}+${hex(size)} ends beyond the ${Math.log2(PA_LIMIT)}-bit PA space`);
    checkPerms('map', perms);
    if (attr !== 'normal' && attr !== 'device') throw new InputError(`stage 2 map at IPA ${hex(ipa)}: attr must be 'normal' or 'device', got ${String(attr)}`);
    if (attr === 'device' && perms.x) throw new InputError(`stage 2 map at IPA ${hex(ipa)}: device memory is never mapped executable (KVM refuses exec on device pfns)`);
    const blocks = options.blocks ?? true;
    const rep: Stage2MapReport = { ...opReport(), unchanged: 0, replaced: 0 };
    this.mapIn(this.root, this.startLevel, 0, ipa, ipa + size, pa - ipa, leafBits(perms, attr), blocks, rep);
    this.account(rep);
    if (rep.pages > 0) {
      this.maps.value++;
      this.bus.emit({ type: 'stage2.map', ipa, pa, size, perms: PERMS[permsIndex(perms)], attr, relax: false });
    }
    return rep;
  }

  /** Maps [lo, hi) below table `t` (at `level`, covering from `base`), PA = IPA + delta. */
  private mapIn(t: Table, level: number, base: number, lo: number, hi: number, delta: number, low: number, blocks: boolean, rep: Stage2MapReport): void {
    const size = LEVEL_SIZE[level];
    const first = Math.floor((lo - base) / size);
    const last = Math.floor((hi - 1 - base) / size);
    const canLeaf = level === 3 || (blocks && level >= 1);
    const leafLow = level === 3 ? low | DESC_TABLE : low;
    for (let i = first; i <= last; i++) {
      const eb = base + i * size;
      const ee = eb + size;
      const old = t.desc[i];
      rep.entries++;
      if (canLeaf && lo <= eb && ee <= hi && (eb + delta) % size === 0) {
        const nd = eb + delta + leafLow;
        if (old === nd) {
          rep.unchanged += LEVEL_PAGES[level];
          continue;
        }
        if (old !== 0) {
          // Break-before-make: invalidate, TLBI, then write the new entry.
          if (isTable(old, level)) rep.replaced += this.dropSubtree(t.next![i]!, rep);
          else {
            rep.replaced += LEVEL_PAGES[level];
            this.removeLeaf(level);
          }
          t.clear(i);
          rep.entries++;
          rep.tlbis++;
        }
        t.set(i, nd);
        this.addLeaf(level);
        rep.leaves++;
        rep.pages += LEVEL_PAGES[level];
        continue;
      }
      let child: Table;
      if (old === 0) {
        child = this.allocTable(level + 1, rep);
        t.setTable(i, child);
      } else if (isTable(old, level)) {
        child = t.next![i]!;
      } else {
        child = this.split(t, i, level, rep);
      }
      this.mapIn(child, level + 1, eb, Math.max(lo, eb), Math.min(hi, ee), delta, low, blocks, rep);
    }
  }

  /** Forgets a subtree being replaced by a block; returns the pages it mapped. */
  private dropSubtree(t: Table, rep: Stage2OpReport): number {
    let pages = 0;
    for (let i = t.nextValid(0, t.entries - 1); i !== -1; i = i < t.entries - 1 ? t.nextValid(i + 1, t.entries - 1) : -1) {
      rep.entries++;
      const d = t.desc[i];
      if (isTable(d, t.level)) pages += this.dropSubtree(t.next![i]!, rep);
      else {
        pages += LEVEL_PAGES[t.level];
        this.removeLeaf(t.level);
      }
    }
    this.tables--;
    rep.tablesFreed++;
    return pages;
  }

  /**
   * Replaces the block at t[i] by a table of 512 next-level leaves with its attributes
   * (break-before-make), so part of it can change while the rest stays mapped.
   */
  private split(t: Table, i: number, level: number, rep: Stage2OpReport): Table {
    const old = t.desc[i];
    const childLevel = level + 1;
    const child = this.allocTable(childLevel, rep);
    const low = childLeafBits(lowBits(old), childLevel);
    const pa = outputAddress(old);
    const step = LEVEL_SIZE[childLevel];
    for (let j = 0; j < ENTRIES_PER_TABLE; j++) child.set(j, pa + j * step + low);
    t.clear(i);
    t.setTable(i, child);
    this.removeLeaf(level);
    this.leavesAt[childLevel] += ENTRIES_PER_TABLE;
    this.pages += LEVEL_PAGES[level];
    rep.splits++;
    rep.tlbis++;
    rep.entries += ENTRIES_PER_TABLE + 1;
    return child;
  }

  // ---- unmap ----------------------------------------------------------------------------

  unmap(ipa: number, size: number, onLeaf?: Stage2LeafCallback): Stage2OpReport {
    this.checkIdle('unmap');
    this.checkRange('unmap', ipa, size);
    const rep = opReport();
    if (onLeaf !== undefined) this.busy = 'unmap onLeaf';
    try {
      this.unmapIn(this.root, this.startLevel, 0, ipa, ipa + size, rep, onLeaf);
    } finally {
      this.busy = null;
      this.account(rep);
    }
    if (rep.pages > 0) {
      this.unmaps.value++;
      this.bus.emit({ type: 'stage2.unmap', ipa, size, pages: rep.pages });
    }
    return rep;
  }

  private unmapIn(t: Table, level: number, base: number, lo: number, hi: number, rep: Stage2OpReport, onLeaf: Stage2LeafCallback | undefined): void {
    const size = LEVEL_SIZE[level];
    const first = Math.floor((lo - base) / size);
    const last = Math.floor((hi - 1 - base) / size);
    for (let i = t.nextValid(first, last); i !== -1; i = i < last ? t.nextValid(i + 1, last) : -1) {
      rep.entries++;
      const d = t.desc[i];
      const eb = base + i * size;
      const ee = eb + size;
      let child: Table;
      if (isTable(d, level)) {
        child = t.next![i]!;
      } else if (lo <= eb && ee <= hi) {
        // Clear, TLBI, then the caller's per-leaf work (KVM's unmap-time CMO).
        t.clear(i);
        this.removeLeaf(level);
        rep.tlbis++;
        rep.leaves++;
        rep.pages += LEVEL_PAGES[level];
        if (onLeaf !== undefined) {
          const l = lowBits(d);
          onLeaf(eb, outputAddress(d), size, permsOf(l), attrOf(l), level);
        }
        continue;
      } else {
        child = this.split(t, i, level, rep);
      }
      try {
        this.unmapIn(child, level + 1, eb, Math.max(lo, eb), Math.min(hi, ee), rep, onLeaf);
      } finally {
        // Free the table once its last entry is gone (KVM drops the page's refcount to 1).
        if (child.live === 0) {
          t.clear(i);
          this.tables--;
          rep.tablesFreed++;
          rep.tlbis++;
        }
      }
    }
  }

  // ---- permissions and access flag ------------------------------------------------------

  relaxPerms(ipa: number, add: Partial<Stage2Perms>): boolean {
    this.checkIdle('relaxPerms');
    this.checkIpa('relaxPerms', ipa);
    if (add === null || typeof add !== 'object') throw new InputError(`stage 2 relaxPerms at IPA ${hex(ipa)}: expected permissions to add, like { x: true }`);
    if (!this.findLeaf(ipa)) {
      throw new InputError(`stage 2 relaxPerms: IPA ${hex(ipa)} is not mapped (the walk stops at level ${this.foundLevel}); map it instead`);
    }
    const t = this.foundTable!;
    const i = this.foundIndex;
    const level = this.foundLevel;
    const d = t.desc[i];
    const low = lowBits(d);
    if (add.x === true && attrOf(low) === 'device') {
      throw new InputError(`stage 2 relaxPerms: IPA ${hex(ipa)} is device memory, which is never made executable`);
    }
    let nlow = low;
    if (add.r === true) nlow |= S2AP_R;
    if (add.w === true) nlow |= S2AP_W;
    if (add.x === true) nlow &= ~DESC_XN;
    this.entries.value++;
    if (nlow === low) return false;
    // Adding permissions needs no break-before-make; the TLBI drops the stricter entry.
    t.desc[i] = d - low + nlow;
    this.tlbis.value++;
    this.relaxes.value++;
    const size = LEVEL_SIZE[level];
    const leafIpa = ipa - (ipa % size);
    this.bus.emit({ type: 'stage2.map', ipa: leafIpa, pa: outputAddress(d), size, perms: permsOf(nlow), attr: attrOf(nlow), relax: true });
    return (low & DESC_XN) !== 0 && (nlow & DESC_XN) === 0;
  }

  mkold(ipa: number): boolean {
    this.checkIdle('mkold');
    this.checkIpa('mkold', ipa);
    if (!this.findLeaf(ipa)) return false;
    const t = this.foundTable!;
    const d = t.desc[this.foundIndex];
    if ((d & DESC_AF) === 0) return false;
    t.desc[this.foundIndex] = d - DESC_AF;
    return true;
  }

  mkyoung(ipa: number): boolean {
    this.checkIdle('mkyoung');
    this.checkIpa('mkyoung', ipa);
    if (!this.findLeaf(ipa)) return false;
    const t = this.foundTable!;
    const d = t.desc[this.foundIndex];
    if ((d & DESC_AF) === 0) t.desc[this.foundIndex] = d + DESC_AF;
    return true;
  }

  // ---- translation ----------------------------------------------------------------------

  translate(ipa: number, access: AccessKind, vcpu: number | null = null): Stage2Walk {
    this.walks.value++;
    let level = this.startLevel;
    if (!(ipa >= 0 && ipa < this.ipaLimit)) return this.fault(ipa, access, vcpu, 'translation', level, 0);
    let t = this.root;
    let size = LEVEL_SIZE[level];
    let i = Math.floor(ipa / size);
    for (;;) {
      const d = t.desc[i];
      if (d === 0) return this.fault(ipa, access, vcpu, 'translation', level, 0);
      if (level < 3 && (d & DESC_TABLE) !== 0) {
        t = t.next![i]!;
        level++;
        size = LEVEL_SIZE[level];
        i = (ipa / size) & 511;
        continue;
      }
      const low = d & 0xfff;
      if ((low & DESC_AF) === 0) return this.fault(ipa, access, vcpu, 'access', level, d);
      const allowed = access === 'read' ? (low & S2AP_R) !== 0 : access === 'write' ? (low & S2AP_W) !== 0 : (low & DESC_XN) === 0;
      if (!allowed) return this.fault(ipa, access, vcpu, 'permission', level, d);
      const r = this.result;
      r.fault = null;
      // Offsets within a leaf are below 2^30, so the 32-bit `&` is exact here.
      r.pa = d - low + (ipa & (size - 1));
      r.level = level;
      r.size = size;
      r.perms = permsOf(low);
      r.attr = attrOf(low);
      return r;
    }
  }

  private fault(ipa: number, access: AccessKind, vcpu: number | null, kind: Stage2FaultKind, level: number, d: number): Stage2Walk {
    const r = this.result;
    r.fault = kind;
    r.level = level;
    if (d === 0) {
      r.pa = -1;
      r.size = 0;
      r.perms = NO_PERMS;
      r.attr = 'normal';
    } else {
      const low = lowBits(d);
      r.size = LEVEL_SIZE[level];
      r.pa = outputAddress(d) + (ipa % r.size);
      r.perms = permsOf(low);
      r.attr = attrOf(low);
    }
    this.faults[kind].value++;
    this.bus.emit({ type: 'stage2.fault', vcpu, ipa, kind, access, level });
    return r;
  }

  lookup(ipa: number): Stage2Leaf | null {
    this.checkIpa('lookup', ipa);
    if (!this.findLeaf(ipa)) return null;
    const d = this.foundTable!.desc[this.foundIndex];
    const low = lowBits(d);
    const size = LEVEL_SIZE[this.foundLevel];
    return {
      ipa: ipa - (ipa % size),
      pa: outputAddress(d),
      size,
      level: this.foundLevel,
      perms: permsOf(low),
      attr: attrOf(low),
      accessed: (low & DESC_AF) !== 0,
    };
  }

  forEachLeaf(ipa: number, size: number, cb: Stage2LeafCallback): Pick<Stage2OpReport, 'pages' | 'leaves' | 'entries'> {
    this.checkRange('forEachLeaf', ipa, size);
    const rep = { pages: 0, leaves: 0, entries: 0 };
    const outer = this.busy;
    this.busy = 'forEachLeaf';
    try {
      this.leavesIn(this.root, this.startLevel, 0, ipa, ipa + size, cb, rep);
    } finally {
      this.busy = outer;
    }
    return rep;
  }

  private leavesIn(t: Table, level: number, base: number, lo: number, hi: number, cb: Stage2LeafCallback, rep: { pages: number; leaves: number; entries: number }): void {
    const size = LEVEL_SIZE[level];
    const first = Math.floor((lo - base) / size);
    const last = Math.floor((hi - 1 - base) / size);
    for (let i = t.nextValid(first, last); i !== -1; i = i < last ? t.nextValid(i + 1, last) : -1) {
      rep.entries++;
      const d = t.desc[i];
      const eb = base + i * size;
      const s = Math.max(lo, eb);
      const e = Math.min(hi, eb + size);
      if (isTable(d, level)) {
        this.leavesIn(t.next![i]!, level + 1, eb, s, e, cb, rep);
        continue;
      }
      const low = lowBits(d);
      rep.leaves++;
      rep.pages += (e - s) / PAGE_SIZE;
      cb(s, outputAddress(d) + (s - eb), e - s, permsOf(low), attrOf(low), level);
    }
  }

  // ---- helpers --------------------------------------------------------------------------

  /** Walks to the leaf covering `ipa`: true with foundTable/Index/Level set, or false with foundLevel the invalid level. */
  private findLeaf(ipa: number): boolean {
    let t = this.root;
    let level = this.startLevel;
    let i = Math.floor(ipa / LEVEL_SIZE[level]);
    for (;;) {
      const d = t.desc[i];
      this.foundLevel = level;
      if (d === 0) return false;
      if (!isTable(d, level)) {
        this.foundTable = t;
        this.foundIndex = i;
        return true;
      }
      t = t.next![i]!;
      level++;
      i = (ipa / LEVEL_SIZE[level]) & 511;
    }
  }

  private allocTable(level: number, rep: Stage2OpReport): Table {
    this.tables++;
    rep.tablesAllocated++;
    return new Table(level, ENTRIES_PER_TABLE);
  }

  private addLeaf(level: number): void {
    this.leavesAt[level]++;
    this.pages += LEVEL_PAGES[level];
  }

  private removeLeaf(level: number): void {
    this.leavesAt[level]--;
    this.pages -= LEVEL_PAGES[level];
  }

  private account(rep: Stage2OpReport): void {
    this.splits.value += rep.splits;
    this.tlbis.value += rep.tlbis;
    this.entries.value += rep.entries;
  }

  private checkIdle(op: string): void {
    if (this.busy !== null) throw new Error(`stage 2 ${op}: the table cannot change from inside a ${this.busy} callback`);
  }

  private checkIpa(op: string, ipa: number): void {
    if (typeof ipa !== 'number' || !Number.isInteger(ipa) || ipa < 0 || ipa >= this.ipaLimit) {
      throw new InputError(`stage 2 ${op}: IPA ${hex(ipa)} is outside the ${this.ipaBits}-bit IPA space`);
    }
  }

  private checkRange(op: string, ipa: number, size: number): void {
    if (!isAligned(ipa)) throw new InputError(`stage 2 ${op}: IPA ${hex(ipa)} is not a 4 KiB-aligned address`);
    if (!isAligned(size) || size === 0) throw new InputError(`stage 2 ${op} at IPA ${hex(ipa)}: size ${hex(size)} is not a positive multiple of 4 KiB`);
    if (ipa + size > this.ipaLimit) {
      throw new InputError(`stage 2 ${op}: IPA range ${hex(ipa)}+${hex(size)} ends beyond the ${this.ipaBits}-bit IPA space (${hex(this.ipaLimit)})`);
    }
  }
}

function isAligned(n: number): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n % PAGE_SIZE === 0;
}

function checkPerms(op: string, p: Stage2Perms): void {
  if (p === null || typeof p !== 'object' || typeof p.r !== 'boolean' || typeof p.w !== 'boolean' || typeof p.x !== 'boolean') {
    throw new InputError(`stage 2 ${op}: perms must be { r, w, x } booleans, got ${JSON.stringify(p)}`);
  }
}
