import { InputError } from '../../../core';
import { Stage2PageTable } from '../../../devices/stage2';
import { GiB, MiB, PAGE, R, RW, RWX, RX, makeStage2 } from './helpers';

describe('stage-2 geometry', () => {
  it.each([
    // ipaBits, start level, root entries (concatenated root tables for 1 << (bits - shift))
    [32, 2, 2048],
    [36, 1, 64],
    [40, 1, 1024],
    [43, 1, 8192],
    [44, 0, 32],
    [48, 0, 512],
  ])('a %i-bit IPA starts at level %i with %i root entries', (bits, start, root) => {
    const { s2 } = makeStage2(bits);
    expect(s2.ipaBits).toBe(bits);
    expect(s2.startLevel).toBe(start);
    expect(s2.rootEntries).toBe(root);
    // VTCR_EL2: T0SZ = 64 - bits, SL0 = 2 - start level for the 4 KiB granule, TG0 = 4 KiB, PS = 48 bits.
    expect(s2.vtcr & 0x3f).toBe(64 - bits);
    expect((s2.vtcr >>> 6) & 3).toBe(2 - start);
    expect((s2.vtcr >>> 14) & 3).toBe(0);
    expect((s2.vtcr >>> 16) & 7).toBe(0b101);
  });

  it('defaults to a 40-bit IPA', () => {
    expect(makeStage2().s2.ipaBits).toBe(40);
  });

  it('rejects unsupported IPA sizes', () => {
    expect(() => makeStage2(31)).toThrow(InputError);
    expect(() => makeStage2(49)).toThrow(/IPA size 49 bits is not supported/);
  });
});

describe('stage-2 map and translate', () => {
  it('maps a page and translates every byte of it', () => {
    const { s2 } = makeStage2();
    const rep = s2.map(0x8000_0000, 0x4_0000_3000, PAGE, RW, 'normal');
    expect(rep).toMatchObject({ pages: 1, leaves: 1, unchanged: 0, replaced: 0, tlbis: 0, tablesAllocated: 2 });
    const w = s2.translate(0x8000_0abc, 'read');
    expect(w.fault).toBeNull();
    expect(w.pa).toBe(0x4_0000_3abc);
    expect(w.level).toBe(3);
    expect(w.size).toBe(PAGE);
    expect(w.attr).toBe('normal');
    expect(w.perms).toEqual(RW);
    expect(s2.translate(0x8000_0fff, 'write').pa).toBe(0x4_0000_3fff);
    expect(s2.mappedPages).toBe(1);
    expect(s2.counts()).toEqual({ mappedPages: 1, pageEntries: 1, blocks2M: 0, blocks1G: 0, tables: 3 });
  });

  it('reuses one result object for every translation', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0x10_0000, 2 * PAGE, RW, 'normal');
    const a = s2.translate(0, 'read');
    const b = s2.translate(PAGE, 'read');
    expect(b).toBe(a);
    expect(b.pa).toBe(0x10_1000);
  });

  it('handles addresses above 4 GiB exactly with a 48-bit IPA (level-0 start)', () => {
    const { s2 } = makeStage2(48);
    s2.map(0xffff_ffff_f000, 0xffff_0000_0000, PAGE, RWX, 'normal');
    const w = s2.translate(0xffff_ffff_f123, 'exec');
    expect(w.fault).toBeNull();
    expect(w.pa).toBe(0xffff_0000_0123);
    expect(s2.lookup(0xffff_ffff_f000)).toMatchObject({ ipa: 0xffff_ffff_f000, pa: 0xffff_0000_0000, level: 3 });
    expect(s2.translate(0x7fff_ffff_f000, 'read')).toMatchObject({ fault: 'translation', level: 0 });
  });

  it('uses 2 MiB and 1 GiB blocks where IPA, PA and size are aligned', () => {
    const { s2 } = makeStage2();
    // 4 KiB head, one 2 MiB block... up to 1 GiB, one 1 GiB block, 2 MiB + 4 KiB tail.
    const ipa = GiB - 2 * MiB - PAGE;
    const size = PAGE + 2 * MiB + GiB + 2 * MiB + PAGE;
    const rep = s2.map(ipa, 0x10_0000_0000 + ipa, size, RX, 'normal');
    expect(rep.pages).toBe(size / PAGE);
    expect(s2.counts()).toMatchObject({ pageEntries: 2, blocks2M: 2, blocks1G: 1 });
    expect(s2.mappedBlocks).toBe(3);
    expect(s2.translate(GiB + 12345, 'exec')).toMatchObject({ fault: null, level: 1, size: GiB, pa: 0x10_0000_0000 + GiB + 12345 });
    expect(s2.translate(GiB - MiB, 'read')).toMatchObject({ fault: null, level: 2, size: 2 * MiB, pa: 0x10_0000_0000 + GiB - MiB });
    expect(s2.translate(ipa, 'read')).toMatchObject({ fault: null, level: 3 });
    expect(s2.lookup(GiB + 12345)).toEqual({ ipa: GiB, pa: 0x10_0000_0000 + GiB, size: GiB, level: 1, perms: RX, attr: 'normal', accessed: true });
  });

  it('maps pages only with blocks: false (locked memslots)', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0, 4 * MiB, RW, 'normal', { blocks: false });
    expect(s2.counts()).toMatchObject({ mappedPages: 1024, pageEntries: 1024, blocks2M: 0, blocks1G: 0 });
    expect(s2.translate(3 * MiB, 'read').level).toBe(3);
  });

  it('falls back to pages when the PA is not block-aligned relative to the IPA', () => {
    const { s2 } = makeStage2();
    s2.map(2 * MiB, 2 * MiB + PAGE, 2 * MiB, RW, 'normal');
    expect(s2.counts()).toMatchObject({ pageEntries: 512, blocks2M: 0 });
    expect(s2.translate(2 * MiB, 'read').pa).toBe(2 * MiB + PAGE);
  });

  it('leaves identical entries alone and replaces different ones by break-before-make', () => {
    const { s2, events } = makeStage2();
    s2.map(0, 0x100_0000, 4 * PAGE, RW, 'normal');
    events.length = 0;
    const same = s2.map(0, 0x100_0000, 4 * PAGE, RW, 'normal');
    expect(same).toMatchObject({ pages: 0, unchanged: 4, replaced: 0, tlbis: 0 });
    expect(events).toHaveLength(0);
    const moved = s2.map(PAGE, 0x200_0000, 2 * PAGE, R, 'normal');
    expect(moved).toMatchObject({ pages: 2, unchanged: 0, replaced: 2, tlbis: 2 });
    expect(s2.translate(PAGE, 'read').pa).toBe(0x200_0000);
    expect(s2.translate(PAGE, 'write').fault).toBe('permission');
    expect(s2.translate(3 * PAGE, 'write').pa).toBe(0x100_3000);
    expect(s2.mappedPages).toBe(4);
  });

  it('replaces a table by a block, freeing the tables below it', () => {
    const { s2 } = makeStage2();
    s2.map(2 * MiB + 5 * PAGE, 0x5000, 3 * PAGE, RW, 'normal');
    expect(s2.counts().tables).toBe(3);
    const rep = s2.map(2 * MiB, 0x4000_0000, 2 * MiB, RX, 'normal');
    expect(rep).toMatchObject({ pages: 512, replaced: 3, leaves: 1, tablesFreed: 1, tlbis: 1 });
    expect(s2.counts()).toEqual({ mappedPages: 512, pageEntries: 0, blocks2M: 1, blocks1G: 0, tables: 2 });
    expect(s2.translate(2 * MiB + 5 * PAGE, 'exec').pa).toBe(0x4000_5000);
  });

  it('splits a block when a page inside it is remapped, keeping the rest', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0x4000_0000, 2 * MiB, RW, 'normal');
    const rep = s2.map(10 * PAGE, 0x9000_0000, PAGE, RX, 'normal');
    expect(rep).toMatchObject({ pages: 1, replaced: 1, splits: 1, tablesAllocated: 1 });
    expect(s2.counts()).toMatchObject({ mappedPages: 512, pageEntries: 512, blocks2M: 0 });
    expect(s2.translate(10 * PAGE + 7, 'exec').pa).toBe(0x9000_0007);
    expect(s2.translate(11 * PAGE, 'write').pa).toBe(0x4000_b000);
    expect(s2.translate(11 * PAGE, 'exec').fault).toBe('permission');
  });

  it('maps device memory with the device attribute and never executable', () => {
    const { s2 } = makeStage2();
    s2.map(0x900_0000, 0x900_0000, PAGE, RW, 'device');
    expect(s2.translate(0x900_0010, 'write')).toMatchObject({ fault: null, attr: 'device', pa: 0x900_0010 });
    expect(s2.translate(0x900_0010, 'exec')).toMatchObject({ fault: 'permission', attr: 'device', level: 3 });
    expect(() => s2.map(0xa00_0000, 0xa00_0000, PAGE, RWX, 'device')).toThrow(/device memory is never mapped executable/);
    expect(() => s2.relaxPerms(0x900_0000, { x: true })).toThrow(InputError);
    // Device and normal leaves with equal PA and perms are different entries.
    expect(s2.map(0x900_0000, 0x900_0000, PAGE, RW, 'normal')).toMatchObject({ pages: 1, replaced: 1 });
  });
});

describe('stage-2 faults', () => {
  it('reports the level where the walk stopped on a translation fault', () => {
    const { s2, events } = makeStage2();
    expect(s2.translate(0x1234, 'read')).toMatchObject({ fault: 'translation', level: 1, pa: -1, size: 0 });
    s2.map(GiB + 2 * MiB, 0, PAGE, RW, 'normal');
    expect(s2.translate(GiB + 2 * MiB + PAGE, 'read')).toMatchObject({ fault: 'translation', level: 3 });
    expect(s2.translate(GiB + 8 * MiB, 'write')).toMatchObject({ fault: 'translation', level: 2 });
    expect(s2.translate(3 * GiB, 'exec', 1)).toMatchObject({ fault: 'translation', level: 1 });
    // Beyond the IPA space: a translation fault at the start level.
    expect(s2.translate(2 ** 40, 'read')).toMatchObject({ fault: 'translation', level: 1 });
    const faults = events.filter((e) => e.type === 'stage2.fault');
    expect(faults.map((e) => e.type === 'stage2.fault' && [e.level, e.access, e.vcpu])).toEqual([
      [1, 'read', null],
      [3, 'read', null],
      [2, 'write', null],
      [1, 'exec', 1],
      [1, 'read', null],
    ]);
  });

  it('raises permission faults per access kind, at the leaf level', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0, 2 * MiB, { r: false, w: true, x: false }, 'normal');
    s2.map(2 * MiB, 0, PAGE, { r: false, w: false, x: true }, 'normal');
    expect(s2.translate(100, 'read')).toMatchObject({ fault: 'permission', level: 2, pa: 100, size: 2 * MiB });
    expect(s2.translate(100, 'write').fault).toBeNull();
    expect(s2.translate(100, 'exec').fault).toBe('permission');
    expect(s2.translate(2 * MiB, 'exec').fault).toBeNull();
    expect(s2.translate(2 * MiB, 'read')).toMatchObject({ fault: 'permission', level: 3 });
    expect(s2.translate(2 * MiB, 'write')).toMatchObject({ fault: 'permission', level: 3 });
  });

  it('models the access flag: mkold causes an access fault until mkyoung', () => {
    const { s2, stats } = makeStage2();
    s2.map(0, 0, PAGE, RW, 'normal');
    expect(s2.mkold(0x10)).toBe(true);
    expect(s2.mkold(0x10)).toBe(false);
    expect(s2.lookup(0)?.accessed).toBe(false);
    // The access flag fault is taken before the permission check.
    expect(s2.translate(0x10, 'exec')).toMatchObject({ fault: 'access', level: 3 });
    expect(s2.mkyoung(0x10)).toBe(true);
    expect(s2.translate(0x10, 'read').fault).toBeNull();
    expect(s2.mkold(5 * PAGE)).toBe(false);
    expect(s2.mkyoung(5 * PAGE)).toBe(false);
    expect(stats.value('system.stage2.faults.access')).toBe(1);
  });
});

describe('stage-2 relaxPerms', () => {
  it('adds X on an exec permission fault and says the leaf became executable', () => {
    const { s2, events } = makeStage2();
    s2.map(0x4000_0000, 0x8000_0000, 4 * PAGE, RW, 'normal', { blocks: false });
    expect(s2.translate(0x4000_1008, 'exec', 0)).toMatchObject({ fault: 'permission', level: 3 });
    events.length = 0;
    expect(s2.relaxPerms(0x4000_1008, { x: true })).toBe(true);
    expect(events).toEqual([
      expect.objectContaining({ type: 'stage2.map', ipa: 0x4000_1000, pa: 0x8000_1000, size: PAGE, perms: RWX, attr: 'normal', relax: true }),
    ]);
    expect(s2.translate(0x4000_1008, 'exec').fault).toBeNull();
    // Only that page: its neighbours still lack X.
    expect(s2.translate(0x4000_2000, 'exec').fault).toBe('permission');
    expect(s2.relaxPerms(0x4000_1000, { x: true })).toBe(false);
    expect(events.filter((e) => e.type === 'stage2.map')).toHaveLength(1);
  });

  it('adds R and W without making anything executable', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0, PAGE, { r: false, w: false, x: false }, 'normal');
    expect(s2.relaxPerms(0, { r: true, w: true })).toBe(false);
    expect(s2.translate(0, 'write').fault).toBeNull();
    expect(s2.lookup(0)?.perms).toEqual(RW);
  });

  it('relaxes a whole block', () => {
    const { s2, events } = makeStage2();
    s2.map(2 * MiB, 0x20_0000, 2 * MiB, R, 'normal');
    expect(s2.relaxPerms(2 * MiB + 0x1234, { x: true })).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'stage2.map', ipa: 2 * MiB, size: 2 * MiB, relax: true });
    expect(s2.translate(4 * MiB - 4, 'exec').fault).toBeNull();
  });

  it('refuses an unmapped IPA', () => {
    const { s2 } = makeStage2();
    expect(() => s2.relaxPerms(0x5000, { x: true })).toThrow(/IPA 0x5000 is not mapped/);
  });
});

describe('stage-2 unmap', () => {
  it('removes pages and blocks and frees tables that become empty', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0, 2 * MiB + 3 * PAGE, RW, 'normal');
    s2.map(3 * GiB, 0x1_0000_0000, GiB, RW, 'normal');
    expect(s2.counts()).toEqual({ mappedPages: 512 + 3 + 262144, pageEntries: 3, blocks2M: 1, blocks1G: 1, tables: 3 });
    const rep = s2.unmap(0, 4 * GiB);
    expect(rep).toMatchObject({ pages: 512 + 3 + 262144, leaves: 5, tablesFreed: 2, splits: 0, tlbis: 7 });
    expect(s2.counts()).toEqual({ mappedPages: 0, pageEntries: 0, blocks2M: 0, blocks1G: 0, tables: 1 });
    expect(s2.translate(0, 'read')).toMatchObject({ fault: 'translation', level: 1 });
  });

  it('does work proportional to what is mapped, not to the size of the range', () => {
    const { s2 } = makeStage2(48);
    s2.map(0x1000, 0x1000, PAGE, RW, 'normal');
    s2.map(0x7f_0000_0000, 0x2000, PAGE, RW, 'normal');
    s2.map(0xffff_ffff_f000, 0x3000, PAGE, RW, 'normal');
    const rep = s2.unmap(0, 2 ** 48);
    expect(rep.pages).toBe(3);
    // The leaves and the table entries on their paths, whatever the range: the first two
    // share root entry 0 (4 + 3 descriptors), the last has a path of its own (4).
    expect(rep.entries).toBe(11);
    expect(s2.counts().tables).toBe(1);
    const empty = s2.unmap(0, 2 ** 48);
    expect(empty).toMatchObject({ pages: 0, entries: 0 });
  });

  it('splits a 2 MiB block when part of it is unmapped', () => {
    const { s2 } = makeStage2();
    s2.map(2 * MiB, 0x4000_0000, 2 * MiB, RX, 'normal');
    const leaves: unknown[] = [];
    const rep = s2.unmap(2 * MiB + 8 * PAGE, 2 * PAGE, (...a) => leaves.push(a));
    expect(rep).toMatchObject({ pages: 2, leaves: 2, splits: 1, tablesAllocated: 1 });
    expect(leaves).toEqual([
      [2 * MiB + 8 * PAGE, 0x4000_8000, PAGE, RX, 'normal', 3],
      [2 * MiB + 9 * PAGE, 0x4000_9000, PAGE, RX, 'normal', 3],
    ]);
    expect(s2.counts()).toMatchObject({ mappedPages: 510, pageEntries: 510, blocks2M: 0 });
    expect(s2.translate(2 * MiB + 8 * PAGE, 'read')).toMatchObject({ fault: 'translation', level: 3 });
    expect(s2.translate(2 * MiB + 10 * PAGE + 1, 'exec')).toMatchObject({ fault: null, pa: 0x4000_a001, level: 3 });
    expect(s2.translate(2 * MiB + 7 * PAGE, 'read').pa).toBe(0x4000_7000);
  });

  it('splits a 1 GiB block down to the pages being unmapped', () => {
    const { s2 } = makeStage2();
    s2.map(GiB, 0x40_0000_0000, GiB, RW, 'normal');
    const rep = s2.unmap(GiB + 6 * MiB + PAGE, PAGE);
    expect(rep).toMatchObject({ pages: 1, splits: 2 });
    expect(s2.counts()).toMatchObject({ mappedPages: 262143, blocks1G: 0, blocks2M: 511, pageEntries: 511 });
    expect(s2.translate(GiB + 6 * MiB, 'read')).toMatchObject({ level: 3, pa: 0x40_0060_0000 });
    expect(s2.translate(GiB + 100 * MiB, 'read')).toMatchObject({ level: 2, pa: 0x40_0640_0000 });
    // Unmapping the rest frees every table again.
    s2.unmap(GiB, GiB);
    expect(s2.counts()).toEqual({ mappedPages: 0, pageEntries: 0, blocks2M: 0, blocks1G: 0, tables: 1 });
  });

  it('calls onLeaf once per leaf, in address order, after the leaf is gone', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0x10_0000, 2 * PAGE, RW, 'normal');
    s2.map(2 * MiB, 0x4000_0000, 2 * MiB, RX, 'normal');
    s2.map(0x900_0000, 0x900_0000, PAGE, RW, 'device');
    const seen: [number, number, number, string, number, boolean][] = [];
    s2.unmap(0, GiB, (ipa, pa, size, _p, attr, level) => seen.push([ipa, pa, size, attr, level, s2.lookup(ipa) === null]));
    expect(seen).toEqual([
      [0, 0x10_0000, PAGE, 'normal', 3, true],
      [PAGE, 0x10_1000, PAGE, 'normal', 3, true],
      [2 * MiB, 0x4000_0000, 2 * MiB, 'normal', 2, true],
      [0x900_0000, 0x900_0000, PAGE, 'device', 3, true],
    ]);
  });

  it('refuses changes to the table from inside a walk callback', () => {
    const { s2 } = makeStage2();
    s2.map(0, 0, 2 * PAGE, RW, 'normal');
    expect(() => s2.unmap(0, PAGE, () => s2.map(0, 0, PAGE, RW, 'normal'))).toThrow(/cannot change from inside a unmap onLeaf callback/);
    // The leaf was removed before the callback threw, and the table stays consistent.
    expect(s2.mappedPages).toBe(1);
    expect(() => s2.forEachLeaf(0, GiB, () => s2.unmap(0, PAGE))).toThrow(/forEachLeaf/);
    expect(s2.unmap(0, GiB).pages).toBe(1);
    expect(s2.counts().tables).toBe(1);
  });
});

describe('stage-2 forEachLeaf', () => {
  it('visits leaves in address order, clipped to the range', () => {
    const { s2 } = makeStage2();
    s2.map(GiB, 0x80_0000_0000, GiB, RW, 'normal');
    s2.map(0, 0x10_0000, 3 * PAGE, RX, 'normal');
    s2.map(4 * MiB, 0x40_0000, 2 * MiB, R, 'normal');
    const seen: number[][] = [];
    const rep = s2.forEachLeaf(PAGE, GiB + 2 * MiB, (ipa, pa, size, _p, _a, level) => seen.push([ipa, pa, size, level]));
    expect(seen).toEqual([
      [PAGE, 0x10_1000, PAGE, 3],
      [2 * PAGE, 0x10_2000, PAGE, 3],
      [4 * MiB, 0x40_0000, 2 * MiB, 2],
      [GiB, 0x80_0000_0000, 2 * MiB + PAGE, 1],
    ]);
    expect(rep).toMatchObject({ leaves: 4, pages: 2 + 512 + 513 });
    // The table did not change.
    expect(s2.counts()).toMatchObject({ blocks1G: 1, blocks2M: 1, pageEntries: 3 });
  });
});

describe('stage-2 input errors', () => {
  const { s2 } = makeStage2();
  it.each([
    ['a misaligned IPA', () => s2.map(0x1001, 0, PAGE, RW, 'normal'), /IPA 0x1001 is not a 4 KiB-aligned address/],
    ['a misaligned PA', () => s2.map(0x1000, 0x2200, PAGE, RW, 'normal'), /PA 0x2200 is not a 4 KiB-aligned address/],
    ['a misaligned size', () => s2.map(0x1000, 0x2000, 100, RW, 'normal'), /at IPA 0x1000: size 0x64 is not a positive multiple of 4 KiB/],
    ['a zero size', () => s2.unmap(0x3000, 0), /size 0x0/],
    ['a range past the IPA space', () => s2.map(2 ** 40 - PAGE, 0, 2 * PAGE, RW, 'normal'), /IPA range 0xfffffff000\+0x2000 ends beyond the 40-bit IPA space/],
    ['a range past the PA space', () => s2.map(0, 2 ** 48 - PAGE, 2 * PAGE, RW, 'normal'), /ends beyond the 48-bit PA space/],
    ['bad perms', () => s2.map(0, 0, PAGE, { r: 1 } as never, 'normal'), /perms must be \{ r, w, x \} booleans/],
    ['a bad attr', () => s2.map(0x5000, 0, PAGE, RW, 'cached' as never), /IPA 0x5000: attr must be 'normal' or 'device'/],
    ['a misaligned unmap', () => s2.unmap(0x800, PAGE), /unmap: IPA 0x800/],
    ['a misaligned forEachLeaf', () => s2.forEachLeaf(0x800, PAGE, () => undefined), /forEachLeaf: IPA 0x800/],
    ['an IPA outside the space for relaxPerms', () => s2.relaxPerms(2 ** 41, { x: true }), /IPA 0x20000000000 is outside the 40-bit IPA space/],
  ])('rejects %s with an InputError naming the address', (_what, fn, message) => {
    expect(fn).toThrow(InputError);
    expect(fn).toThrow(message);
  });

  it('leaves the table unchanged after an error', () => {
    expect(s2.mappedPages).toBe(0);
    expect(s2.counts().tables).toBe(1);
  });
});

describe('stage-2 events and stats', () => {
  it('emits one event per map and unmap call, with the page count', () => {
    const { s2, events } = makeStage2();
    s2.map(0, 0x100_0000, 64 * PAGE, RW, 'normal', { blocks: false });
    s2.unmap(8 * PAGE, 16 * PAGE);
    s2.unmap(8 * PAGE, 16 * PAGE);
    expect(events).toEqual([
      expect.objectContaining({ type: 'stage2.map', ipa: 0, pa: 0x100_0000, size: 64 * PAGE, perms: RW, attr: 'normal', relax: false }),
      expect.objectContaining({ type: 'stage2.unmap', ipa: 8 * PAGE, size: 16 * PAGE, pages: 16 }),
    ]);
  });

  it('counts pages, blocks, tables, faults and operations under system.stage2', () => {
    const { s2, stats } = makeStage2();
    s2.map(0, 0, 2 * MiB + PAGE, R, 'normal');
    s2.translate(0, 'read');
    s2.translate(0, 'write');
    s2.translate(GiB, 'read');
    s2.translate(GiB, 'read');
    s2.relaxPerms(0, { w: true });
    s2.unmap(PAGE, PAGE);
    expect(stats.snapshot('system.stage2')).toEqual({
      'system.stage2.blocks_1g': 0,
      'system.stage2.blocks_2m': 0,
      'system.stage2.entries': expect.any(Number),
      'system.stage2.faults.access': 0,
      'system.stage2.faults.permission': 1,
      'system.stage2.faults.translation': 2,
      'system.stage2.mapped_pages': 512,
      'system.stage2.maps': 1,
      'system.stage2.page_entries': 512,
      'system.stage2.relaxes': 1,
      'system.stage2.splits': 1,
      // root, level-2 and level-3 tables, plus the level-3 table of the split block
      'system.stage2.tables': 4,
      'system.stage2.tlbis': 3,
      'system.stage2.unmaps': 1,
      'system.stage2.walks': 4,
    });
  });
});
