import type { Stage2Perms } from '../../core';

/**
 * Geometry and descriptor encoding of a VMSAv8-64 stage-2 table with the 4 KiB granule.
 *
 * Each level resolves 9 IPA bits: level 0 bits [47:39], level 1 [38:30], level 2 [29:21],
 * level 3 [20:12]. Leaves are 4 KiB pages at level 3, 2 MiB blocks at level 2 and 1 GiB blocks
 * at level 1; level 0 holds only tables (no 512 GiB blocks with this granule).
 *
 * A descriptor is kept as a double: the output address (4 KiB aligned, below 2^48) plus the
 * attribute bits in the low 12 bits, so a descriptor is one exact number and a table is one
 * Float64Array. Bits follow the architecture's stage-2 layout, except XN, which lives at bit 54
 * in hardware and is kept here in bit 11 (RES0 in stage-2 descriptors) so that it fits.
 *
 * Never use `|` or `&~` on a whole descriptor: JS bit operators truncate to 32 bits. Split it
 * into `lowBits(d)` and `outputAddress(d)` and add them back.
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** Entries in one 4 KiB table page. */
export const ENTRIES_PER_TABLE = 512;
/** Output addresses (PAs) are 48 bits: VTCR_EL2.PS = 0b101. */
export const PA_BITS = 48;
export const PA_LIMIT = 2 ** PA_BITS;

/** Size of the region one entry covers at each level. */
export const LEVEL_SIZE: readonly number[] = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];
/** 4 KiB pages one entry covers at each level. */
export const LEVEL_PAGES: readonly number[] = [2 ** 27, 2 ** 18, 2 ** 9, 1];

/** Descriptor bits [1:0]: 0b01 block (levels 1-2), 0b11 table (levels 0-2) or page (level 3). */
export const DESC_VALID = 1 << 0;
export const DESC_TABLE = 1 << 1;
/** MemAttr[3:0] at bits [5:2]: 0b1111 Normal Write-Back, 0b0001 Device-nGnRE (as KVM uses). */
export const MEMATTR_SHIFT = 2;
export const MEMATTR_MASK = 0xf << MEMATTR_SHIFT;
export const MEMATTR_NORMAL = 0xf << MEMATTR_SHIFT;
export const MEMATTR_DEVICE = 0x1 << MEMATTR_SHIFT;
/** S2AP[1:0] at bits [7:6]: bit 6 read, bit 7 write. */
export const S2AP_R = 1 << 6;
export const S2AP_W = 1 << 7;
/** SH[1:0] at bits [9:8]: Inner Shareable, as KVM sets on every stage-2 leaf. */
export const SH_INNER = 0b11 << 8;
/** Access flag. */
export const DESC_AF = 1 << 10;
/** Execute-never (bit 54 in hardware, see above). */
export const DESC_XN = 1 << 11;
export const LOW_MASK = 0xfff;

/** The memory attribute of a stage-2 leaf. */
export type Stage2Attr = 'normal' | 'device';

/** The attribute bits of `d` (its low 12 bits). */
export function lowBits(d: number): number {
  return d & LOW_MASK;
}

/** The output address of `d` (a table descriptor has none here: see Table.next). */
export function outputAddress(d: number): number {
  return d - (d & LOW_MASK);
}

/** The eight R/W/X combinations, frozen and shared, indexed by r | w << 1 | x << 2. */
export const PERMS: readonly Readonly<Stage2Perms>[] = Array.from({ length: 8 }, (_, i) =>
  Object.freeze({ r: (i & 1) !== 0, w: (i & 2) !== 0, x: (i & 4) !== 0 }),
);

export function permsIndex(p: Stage2Perms): number {
  return (p.r ? 1 : 0) | (p.w ? 2 : 0) | (p.x ? 4 : 0);
}

/** The shared perms object of a leaf's low bits. */
export function permsOf(low: number): Readonly<Stage2Perms> {
  return PERMS[((low >>> 6) & 3) | ((low & DESC_XN) === 0 ? 4 : 0)];
}

export function attrOf(low: number): Stage2Attr {
  return (low & MEMATTR_MASK) === MEMATTR_DEVICE ? 'device' : 'normal';
}

/** Low bits of a block leaf (add DESC_TABLE for a level-3 page) with the access flag set. */
export function leafBits(p: Stage2Perms, attr: Stage2Attr): number {
  return (
    DESC_VALID |
    (attr === 'device' ? MEMATTR_DEVICE : MEMATTR_NORMAL) |
    (p.r ? S2AP_R : 0) |
    (p.w ? S2AP_W : 0) |
    SH_INNER |
    DESC_AF |
    (p.x ? 0 : DESC_XN)
  );
}

/** True when `d` (valid) at `level` points to a next-level table rather than being a leaf. */
export function isTable(d: number, level: number): boolean {
  return level < 3 && (d & DESC_TABLE) !== 0;
}

/** Converts a leaf's low bits to those of a leaf one level down (block -> page at level 3). */
export function childLeafBits(low: number, childLevel: number): number {
  return childLevel === 3 ? low | DESC_TABLE : low & ~DESC_TABLE;
}

export function hex(n: number): string {
  return Number.isFinite(n) && n >= 0 && Number.isInteger(n) ? '0x' + n.toString(16) : String(n);
}
