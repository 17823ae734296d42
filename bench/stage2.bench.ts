/**
 * Stage 2: unmap time must be proportional to what is mapped. Unmapping 1 Mi 4 KiB pages
 * should take about 16 times as long as unmapping 64 Ki pages; also map throughput (pages,
 * blocks: false, as locked memslots map) and translate throughput on hits.
 */
import { performance } from 'node:perf_hooks';
import { SimClock, SimEventBus, SimStats } from '../core';
import { Stage2PageTable } from '../devices/stage2';
import { round } from './timing';

const PAGE = 4096;
const RW = { r: true, w: true, x: false };
// Guest RAM at 1 GiB, mapped to PAs at 64 GiB, like a memslot.
const IPA = 2 ** 30;
const PA = 2 ** 36;

function fresh(): Stage2PageTable {
  return new Stage2PageTable(new SimEventBus(new SimClock()), new SimStats());
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median map and unmap times (ms) of `pages` pages over `reps` runs, after one warm-up. */
function mapUnmap(pages: number, reps: number): { mapMs: number; unmapMs: number } {
  const map: number[] = [];
  const unmap: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const s2 = fresh();
    const t0 = performance.now();
    s2.map(IPA, PA, pages * PAGE, RW, 'normal', { blocks: false });
    const t1 = performance.now();
    // A 1 TiB range: the walk must skip what is not mapped.
    const rep = s2.unmap(0, 2 ** 40);
    const t2 = performance.now();
    if (rep.pages !== pages || s2.counts().tables !== 1) throw new Error(`stage2 bench: unmapped ${rep.pages} of ${pages} pages`);
    if (r === 0) continue;
    map.push(t1 - t0);
    unmap.push(t2 - t1);
  }
  return { mapMs: median(map), unmapMs: median(unmap) };
}

function translateRate(pages: number, n: number): number {
  const s2 = fresh();
  s2.map(IPA, PA, pages * PAGE, RW, 'normal', { blocks: false });
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sum += s2.translate(IPA + ((i * 2654435761) % pages) * PAGE + (i & 0xfff), 'read').pa;
  const ms = performance.now() - t0;
  if (!(sum > 0)) throw new Error('stage2 bench: translate returned nothing');
  return n / (ms / 1000);
}

export function run(): Record<string, unknown> {
  const big = 1 << 20;
  const small = 1 << 16;
  const b = mapUnmap(big, 5);
  const s = mapUnmap(small, 15);
  return {
    unmap_1Mi_pages_ms: round(b.unmapMs),
    unmap_64Ki_pages_ms: round(s.unmapMs),
    unmap_ratio_1Mi_over_64Ki: round(b.unmapMs / s.unmapMs),
    unmap_pages_per_s: Math.round(big / (b.unmapMs / 1000)),
    map_1Mi_pages_ms: round(b.mapMs),
    map_pages_per_s: Math.round(big / (b.mapMs / 1000)),
    map_64Ki_pages_ms: round(s.mapMs),
    translate_hits_per_s: Math.round(translateRate(small, 5_000_000)),
  };
}

if (require.main === module) console.log(JSON.stringify(run(), null, 2));
