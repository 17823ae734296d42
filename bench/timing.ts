/** Small timing helpers shared by the benches. */

/** Seconds taken by `fn`, best of `repeats` (the least disturbed run). */
export function bestOf(repeats: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < best) best = dt;
  }
  return best;
}

/** Rounds for JSON output: 3 significant decimals on ratios, integers on rates. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
