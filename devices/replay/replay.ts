import type { MemorySystem } from '../hierarchy/memory-system';
import type { TraceRef } from './trace-format';

/**
 * Cachegrind's totals, by cachegrind's own event names: instruction refs and their I1 and
 * last-level misses, data reads and writes and their D1 and last-level misses.
 */
export interface CachegrindTotals {
  Ir: number;
  I1mr: number;
  ILmr: number;
  Dr: number;
  D1mr: number;
  DLmr: number;
  Dw: number;
  D1mw: number;
  DLmw: number;
}

export const CACHEGRIND_EVENTS = ['Ir', 'I1mr', 'ILmr', 'Dr', 'D1mr', 'DLmr', 'Dw', 'D1mw', 'DLmw'] as const;

export function emptyTotals(): CachegrindTotals {
  return { Ir: 0, I1mr: 0, ILmr: 0, Dr: 0, D1mr: 0, DLmr: 0, Dw: 0, D1mw: 0, DLmw: 0 };
}

/**
 * Feeds trace references through core 0 of a memory system, counting as cachegrind does: an
 * access that straddles two lines counts once, and misses a level if either line misses it;
 * a modify (`M`) counts as one read. The data written is zero: a trace has addresses, not values.
 */
export class TraceReplayer {
  readonly totals: CachegrindTotals = emptyTotals();
  private readonly lineMask: number;
  private readonly l1i: string;
  private readonly l1d: string;

  constructor(private readonly mem: MemorySystem) {
    this.lineMask = mem.lineSize - 1;
    this.l1i = 'l1i';
    this.l1d = 'l1d';
  }

  replay(refs: readonly TraceRef[]): void {
    const mem = this.mem;
    const t = this.totals;
    const line = mem.lineSize;
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i];
      const first = r.addr - (r.addr & this.lineMask);
      const last = r.addr + r.size - 1 - ((r.addr + r.size - 1) & this.lineMask);
      let missL1 = false;
      let missLL = false;
      for (let a = first; a <= last; a += line) {
        let level: string;
        if (r.kind === 'I') {
          mem.fetch(0, a, true);
          level = mem.lastLevel;
          if (level !== this.l1i) missL1 = true;
        } else if (r.kind === 'S') {
          mem.write('vcpu', 0, a, 1, 0, true);
          level = mem.lastLevel;
          if (level !== this.l1d) missL1 = true;
        } else {
          mem.read('vcpu', 0, a, 1, true);
          level = mem.lastLevel;
          if (level !== this.l1d) missL1 = true;
        }
        if (level === 'memory') missLL = true;
      }
      switch (r.kind) {
        case 'I':
          t.Ir++;
          if (missL1) t.I1mr++;
          if (missLL) t.ILmr++;
          break;
        case 'S':
          t.Dw++;
          if (missL1) t.D1mw++;
          if (missLL) t.DLmw++;
          break;
        default:
          t.Dr++;
          if (missL1) t.D1mr++;
          if (missLL) t.DLmr++;
      }
    }
  }
}

/** Cachegrind's summary block (`cg_annotate`-style totals as `valgrind --tool=cachegrind` prints them). */
export function formatTotals(t: CachegrindTotals): string {
  const w = Math.max(...CACHEGRIND_EVENTS.map((k) => t[k].toLocaleString('en-US').length));
  const n = (v: number) => v.toLocaleString('en-US').padStart(w);
  const pct = (a: number, b: number) => (b === 0 ? '0.0' : ((100 * a) / b).toFixed(1)).padStart(5) + '%';
  const D = t.Dr + t.Dw;
  return [
    `I refs:        ${n(t.Ir)}`,
    `I1  misses:    ${n(t.I1mr)}`,
    `LLi misses:    ${n(t.ILmr)}`,
    `I1  miss rate: ${pct(t.I1mr, t.Ir)}`,
    `LLi miss rate: ${pct(t.ILmr, t.Ir)}`,
    '',
    `D refs:        ${n(D)}  (${n(t.Dr)} rd + ${n(t.Dw)} wr)`,
    `D1  misses:    ${n(t.D1mr + t.D1mw)}  (${n(t.D1mr)} rd + ${n(t.D1mw)} wr)`,
    `LLd misses:    ${n(t.DLmr + t.DLmw)}  (${n(t.DLmr)} rd + ${n(t.DLmw)} wr)`,
    `D1  miss rate: ${pct(t.D1mr + t.D1mw, D)}`,
    `LLd miss rate: ${pct(t.DLmr + t.DLmw, D)}`,
    '',
    `LL refs:       ${n(t.I1mr + t.D1mr + t.D1mw)}  (${n(t.I1mr + t.D1mr)} rd + ${n(t.D1mw)} wr)`,
    `LL misses:     ${n(t.ILmr + t.DLmr + t.DLmw)}  (${n(t.ILmr + t.DLmr)} rd + ${n(t.DLmw)} wr)`,
    '',
    CACHEGRIND_EVENTS.join(' '),
    CACHEGRIND_EVENTS.map((k) => String(t[k])).join(' '),
    '',
  ].join('\n');
}
