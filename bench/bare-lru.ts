/**
 * The devices issue's reference loop, shared by the benches that compare against it
 * (caches.bench.ts, cpu.bench.ts): a bare single-level 32 KiB 2-way LRU cache with 64-byte
 * lines, tags, stamps and data in typed arrays, replaying a mixed read/write stream. It is the
 * floor of what a JS cache model can do per access; each bench measures it in its own run so
 * its ratio compares figures taken on the same machine at the same moment.
 */
import { SeededRng } from '../core';
import { bestOf } from './timing';

/** Accesses per stream. */
export const STREAM_LENGTH = 4_000_000;
/** The devices issue's working set: 256 KiB, 8× the L1 D of cortex-a72. */
export const WORKING_SET = 256 * 1024;

export interface Stream {
  addr: Float64Array;
  write: Uint8Array;
  value: Int32Array;
}

/** Runs of 1–16 sequential words from random places in the working set; 30% stores. */
export function makeStream(seed: number, workingSet = WORKING_SET, n = STREAM_LENGTH): Stream {
  const rng = new SeededRng(seed);
  const addr = new Float64Array(n);
  const write = new Uint8Array(n);
  const value = new Int32Array(n);
  let i = 0;
  while (i < n) {
    let a = rng.nextInt(workingSet / 4) * 4;
    const run = 1 + rng.nextInt(16);
    for (let k = 0; k < run && i < n; k++, i++) {
      addr[i] = a;
      write[i] = rng.nextFloat() < 0.3 ? 1 : 0;
      value[i] = rng.nextU32() | 0;
      a = (a + 4) % workingSet;
    }
  }
  return { addr, write, value };
}

/** The stream of the devices issue's figure (seed 42, 256 KiB working set). */
export function devicesStream(): Stream {
  return makeStream(42);
}

const SETS = 256;
const WAYS = 2;
const LINE = 64;

/** The loop's cache: tags (line numbers, -1 invalid), LRU stamps and line data. */
interface BareCache {
  tags: Int32Array;
  stamp: Float64Array;
  view: DataView;
  /** Use counter, checksum of the loads, misses: kept so nothing is optimised away. */
  tick: number;
  sum: number;
  misses: number;
}

/**
 * One pass of the loop over `s`. A top-level function with its state in locals: as a closure
 * re-created per measurement, V8 specialises only the first instance on its captured arrays and
 * later instances ran a third slower, so the figure depended on which bench ran first.
 */
function barePass(s: Stream, c: BareCache): void {
  const n = s.addr.length;
  const addr = s.addr;
  const write = s.write;
  const value = s.value;
  const tags = c.tags;
  const stamp = c.stamp;
  const view = c.view;
  let tick = c.tick;
  let sum = c.sum;
  let misses = c.misses;
  for (let i = 0; i < n; i++) {
    const a = addr[i];
    const line = (a / LINE) | 0;
    const base = (line & (SETS - 1)) * WAYS;
    let slot = -1;
    for (let w = 0; w < WAYS; w++) {
      if (tags[base + w] === line) {
        slot = base + w;
        break;
      }
    }
    if (slot < 0) {
      misses++;
      slot = stamp[base] <= stamp[base + 1] ? base : base + 1;
      tags[slot] = line;
    }
    stamp[slot] = ++tick;
    const p = slot * LINE + (a & (LINE - 1));
    if (write[i] === 1) view.setUint32(p, value[i], true);
    else sum = (sum + view.getUint32(p, true)) | 0;
  }
  c.tick = tick;
  c.sum = sum;
  c.misses = misses;
}

/** Accesses per second of the bare loop over `s` (one warm-up pass, then best of 5). */
export function bareLruAccessesPerSec(s: Stream): number {
  const c: BareCache = {
    tags: new Int32Array(SETS * WAYS).fill(-1),
    stamp: new Float64Array(SETS * WAYS),
    view: new DataView(new ArrayBuffer(SETS * WAYS * LINE)),
    tick: 0,
    sum: 0,
    misses: 0,
  };
  barePass(s, c);
  const secs = bestOf(5, () => barePass(s, c));
  // Keeps the results observable so the loop is not optimised away.
  if (c.sum === 0x7fffffff && c.misses < 0) console.log('');
  return s.addr.length / secs;
}
