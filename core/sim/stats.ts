/**
 * gem5-style statistics: hierarchical dotted names (`system.cpu0.l1d.misses`), each with a
 * description, written as aligned text or JSON, always sorted by name so two runs with one seed
 * produce identical files.
 *
 * Counters are plain objects with a public `value` so the data plane can do `c.value++` without
 * a call.
 */
export class Counter {
  value = 0;
  constructor(
    readonly name: string,
    readonly desc: string,
  ) {}
  inc(n = 1): void {
    this.value += n;
  }
}

/** A value computed when the stats are read (a ratio, a sum over cores). */
export interface Formula {
  readonly name: string;
  readonly desc: string;
  readonly value: number;
}

export type Stat = Counter | Formula;

export interface StatsRegistry {
  /** The counter named `name`, created on first use. */
  counter(name: string, desc: string): Counter;
  /** Registers a derived value. Re-registering a name replaces its function. */
  formula(name: string, desc: string, fn: () => number): Formula;
  get(name: string): Stat | undefined;
  /** Current value of `name`, or undefined if no such stat. */
  value(name: string): number | undefined;
  names(): string[];
  /** Every stat (or those under `prefix`) as a flat, name-sorted object. */
  snapshot(prefix?: string): Record<string, number>;
  /** Aligned `name value # desc` lines, sorted by name. */
  toText(): string;
  toJSON(): Record<string, number>;
}
export const StatsRegistry = Symbol.for('kvmsim.StatsRegistry');

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

class FormulaStat implements Formula {
  constructor(
    readonly name: string,
    readonly desc: string,
    public fn: () => number,
  ) {}
  get value(): number {
    return this.fn();
  }
}

export class SimStats implements StatsRegistry {
  private readonly stats = new Map<string, Stat>();

  counter(name: string, desc: string): Counter {
    const existing = this.stats.get(name);
    if (existing !== undefined) {
      if (existing instanceof Counter) return existing;
      throw new Error(`stat '${name}' already exists and is not a counter`);
    }
    checkName(name);
    const c = new Counter(name, desc);
    this.stats.set(name, c);
    return c;
  }

  formula(name: string, desc: string, fn: () => number): Formula {
    const existing = this.stats.get(name);
    if (existing instanceof FormulaStat) {
      existing.fn = fn;
      return existing;
    }
    if (existing !== undefined) throw new Error(`stat '${name}' already exists and is not a formula`);
    checkName(name);
    const f = new FormulaStat(name, desc, fn);
    this.stats.set(name, f);
    return f;
  }

  get(name: string): Stat | undefined {
    return this.stats.get(name);
  }

  value(name: string): number | undefined {
    return this.stats.get(name)?.value;
  }

  names(): string[] {
    return [...this.stats.keys()].sort();
  }

  snapshot(prefix?: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.names()) {
      if (prefix !== undefined && name !== prefix && !name.startsWith(prefix + '.')) continue;
      out[name] = this.stats.get(name)!.value;
    }
    return out;
  }

  toText(): string {
    const names = this.names();
    const width = Math.max(40, ...names.map((n) => n.length + 2));
    const values = names.map((n) => formatValue(this.stats.get(n)!.value));
    const vwidth = Math.max(12, ...values.map((v) => v.length));
    const lines = names.map((n, i) => {
      const s = this.stats.get(n)!;
      return `${n.padEnd(width)}${values[i].padStart(vwidth)}   # ${s.desc}`;
    });
    return [
      '---------- Begin Simulation Statistics ----------',
      ...lines,
      '---------- End Simulation Statistics   ----------',
      '',
    ].join('\n');
  }

  toJSON(): Record<string, number> {
    return this.snapshot();
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new Error(`invalid stat name '${name}': use dotted identifiers like 'system.cpu0.l1d.misses'`);
  }
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  return v.toFixed(6);
}
