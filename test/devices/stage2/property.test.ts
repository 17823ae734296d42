import fc from 'fast-check';
import { InputError, type AccessKind } from '../../../core';
import type { Stage2Attr } from '../../../devices/stage2';
import { GiB, MiB, PAGE, makeStage2 } from './helpers';

/**
 * A random sequence of map / unmap / relaxPerms / mkold over a small IPA window (8 MiB that
 * straddles a 1 GiB boundary, so 2 MiB blocks, splits and several level-2 tables happen) must
 * leave `translate` and `forEachLeaf` agreeing with a plain Map from page number to entry.
 */
const BASE = GiB - 2 * MiB;
const PAGES = 2048;
const PA_BASE = 0x40_0000_0000;

interface Entry {
  pa: number;
  perms: number; // r | w << 1 | x << 2
  attr: Stage2Attr;
  young: boolean;
}

const bits = (p: { r: boolean; w: boolean; x: boolean }) => (p.r ? 1 : 0) | (p.w ? 2 : 0) | (p.x ? 4 : 0);
const permsOf = (i: number) => ({ r: (i & 1) !== 0, w: (i & 2) !== 0, x: (i & 4) !== 0 });

// Starts and lengths biased towards 2 MiB alignment so blocks are common.
const start = fc.oneof(fc.integer({ min: 0, max: PAGES - 1 }), fc.integer({ min: 0, max: 3 }).map((k) => k * 512));
const length = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(512, 1024, 1536), fc.integer({ min: 1, max: PAGES }));
const delta = fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: 4 }).map((k) => k * 512));

const op = fc.oneof(
  fc.record({
    kind: fc.constant('map' as const),
    start,
    length,
    delta,
    perms: fc.integer({ min: 0, max: 7 }),
    device: fc.boolean(),
    blocks: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('unmap' as const), start, length }),
  fc.record({
    kind: fc.constant('relax' as const),
    page: fc.integer({ min: 0, max: PAGES - 1 }),
    r: fc.boolean(),
    w: fc.boolean(),
    x: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('mkold' as const), page: fc.integer({ min: 0, max: PAGES - 1 }) }),
);

function expected(e: Entry | undefined, access: AccessKind): 'translation' | 'access' | 'permission' | null {
  if (e === undefined) return 'translation';
  if (!e.young) return 'access';
  const need = access === 'read' ? 1 : access === 'write' ? 2 : 4;
  return (e.perms & need) === 0 ? 'permission' : null;
}

describe('stage-2 against a reference model', () => {
  it('translate and forEachLeaf agree with a page map after random map/unmap/relax/mkold', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: PAGES - 1 }), fc.integer({ min: 1, max: PAGES }), (ops, subStart, subLen) => {
        const { s2 } = makeStage2();
        const model = new Map<number, Entry>();

        // Checks that the leaf covering `page` maps uniformly what the model holds, and returns its pages.
        const leafPages = (page: number): number[] => {
          const leaf = s2.lookup(BASE + page * PAGE)!;
          const first = (leaf.ipa - BASE) / PAGE;
          const e0 = model.get(first)!;
          const pages: number[] = [];
          const bad: number[] = [];
          for (let k = 0; k < leaf.size / PAGE; k++) {
            const e = model.get(first + k);
            if (e === undefined || e.pa !== e0.pa + k * PAGE || e.perms !== e0.perms || e.attr !== e0.attr || e.young !== e0.young) bad.push(first + k);
            pages.push(first + k);
          }
          expect(bad).toEqual([]);
          return pages;
        };

        for (const o of ops) {
          if (o.kind === 'map') {
            const n = Math.min(o.length, PAGES - o.start);
            const attr: Stage2Attr = o.device ? 'device' : 'normal';
            const perms = o.device ? o.perms & 3 : o.perms;
            const pa = PA_BASE + (o.start + o.delta) * PAGE;
            s2.map(BASE + o.start * PAGE, pa, n * PAGE, permsOf(perms), attr, { blocks: o.blocks });
            for (let k = 0; k < n; k++) model.set(o.start + k, { pa: pa + k * PAGE, perms, attr, young: true });
          } else if (o.kind === 'unmap') {
            const n = Math.min(o.length, PAGES - o.start);
            const removed: number[] = [];
            const wrongPa: number[] = [];
            const rep = s2.unmap(BASE + o.start * PAGE, n * PAGE, (ipa, pa, size) => {
              for (let k = 0; k < size / PAGE; k++) {
                const page = (ipa - BASE) / PAGE + k;
                if (model.get(page)?.pa !== pa + k * PAGE) wrongPa.push(page);
                removed.push(page);
              }
            });
            expect(wrongPa).toEqual([]);
            const inModel = [...model.keys()].filter((p) => p >= o.start && p < o.start + n).sort((a, b) => a - b);
            expect(removed).toEqual(inModel);
            expect(rep.pages).toBe(inModel.length);
            for (const p of inModel) model.delete(p);
          } else {
            const e = model.get(o.page);
            const ipa = BASE + o.page * PAGE;
            if (e === undefined) {
              if (o.kind === 'relax') expect(() => s2.relaxPerms(ipa, o)).toThrow(InputError);
              else expect(s2.mkold(ipa)).toBe(false);
            } else if (o.kind === 'mkold') {
              const pages = leafPages(o.page);
              expect(s2.mkold(ipa)).toBe(e.young);
              for (const p of pages) model.get(p)!.young = false;
            } else if (o.x && e.attr === 'device') {
              expect(() => s2.relaxPerms(ipa, o)).toThrow(/device memory/);
            } else {
              const pages = leafPages(o.page);
              const add = bits(o);
              expect(s2.relaxPerms(ipa, { r: o.r, w: o.w, x: o.x })).toBe((e.perms & 4) === 0 && o.x);
              for (const p of pages) model.get(p)!.perms |= add;
            }
          }
          expect(s2.mappedPages).toBe(model.size);
        }

        // translate, page by page, for each access kind (mismatches collected, checked once).
        const wrong: string[] = [];
        for (let p = 0; p < PAGES; p++) {
          const e = model.get(p);
          const off = (p * 37) % PAGE;
          for (const access of ['read', 'write', 'exec'] as const) {
            const w = s2.translate(BASE + p * PAGE + off, access);
            const ok = w.fault === expected(e, access) && (e === undefined || (w.pa === e.pa + off && w.attr === e.attr && bits(w.perms) === e.perms));
            if (!ok) wrong.push(`page ${p} ${access}: got ${JSON.stringify({ ...w })}, model ${JSON.stringify(e)}`);
          }
        }
        expect(wrong).toEqual([]);

        // forEachLeaf over the window and over a sub-range: exactly the mapped pages, in order.
        for (const [s, n] of [
          [0, PAGES],
          [subStart, Math.min(subLen, PAGES - subStart)],
        ]) {
          const seen: number[] = [];
          const differ: number[] = [];
          s2.forEachLeaf(BASE + s * PAGE, n * PAGE, (ipa, pa, size, perms, attr) => {
            for (let k = 0; k < size / PAGE; k++) {
              const page = (ipa - BASE) / PAGE + k;
              const e = model.get(page);
              if (e === undefined || e.pa !== pa + k * PAGE || e.perms !== bits(perms) || e.attr !== attr) differ.push(page);
              seen.push(page);
            }
          });
          expect(differ).toEqual([]);
          const want = [...model.keys()].filter((p) => p >= s && p < s + n).sort((a, b) => a - b);
          expect(seen).toEqual(want);
        }

        // Unmapping everything leaves only the root table.
        expect(s2.unmap(BASE, PAGES * PAGE).pages).toBe(model.size);
        expect(s2.counts()).toEqual({ mappedPages: 0, pageEntries: 0, blocks2M: 0, blocks1G: 0, tables: 1 });
      }),
      { numRuns: 150, seed: 0x5eed2 },
    );
  });
});
