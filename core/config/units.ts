import { z } from 'zod';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Parses `4096`, `0x1000`, `64MiB`, `64 GiB`, `1_048_576` (binary units: 1 KiB = 1024). */
export function parseSize(s: string): number | undefined {
  const m = /^\s*(0x[0-9a-f_]+|[0-9][0-9_]*(?:\.[0-9]+)?)\s*([a-z]*)\s*$/i.exec(s);
  if (m === null) return undefined;
  const unit = UNITS[m[2].toLowerCase()];
  if (unit === undefined) return undefined;
  const digits = m[1].replace(/_/g, '');
  const n = digits.startsWith('0x') || digits.startsWith('0X') ? parseInt(digits, 16) : Number(digits);
  const v = n * unit;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** A byte count: a non-negative integer, or a string such as `64MiB` or `0x1000`. */
export const Size = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : parseSize(v);
    if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 4096, 0x1000 or 64MiB, found ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  })
  .meta({ description: 'bytes: an integer, hex (0x1000) or with a binary unit (64KiB, 2MiB, 1GiB)' });

/** An address: a non-negative integer, or a hex string `0x4000_0000`. */
export const Address = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\s*0x[0-9a-f_]+\s*$/i.test(v) ? parseInt(v.replace(/_/g, ''), 16) : /^\s*[0-9_]+\s*$/.test(v) ? Number(v.replace(/_/g, '')) : undefined;
    if (n === undefined || !Number.isSafeInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: `expected an address such as 0x40000000, found ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  })
  .meta({ description: 'an address: an integer or hex (0x40000000)' });

export function formatSize(n: number): string {
  for (const [u, f] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (n >= f && n % f === 0) return `${n / f} ${u}`;
  }
  return `${n} B`;
}

/** An address or value in hex; a negative one (a bad input) as `-0x40`, never `0x-40`. Words: hexWord. */
export function hex(n: number): string {
  return n < 0 ? '-0x' + (-n).toString(16) : '0x' + n.toString(16);
}

/** A 64-bit value held as two 32-bit halves (signed or not), exactly, even beyond 2^53. */
export function hex64(hi: number, lo: number): string {
  const h = hi >>> 0;
  return h === 0 ? '0x' + (lo >>> 0).toString(16) : '0x' + h.toString(16) + (lo >>> 0).toString(16).padStart(8, '0');
}

/** A 32-bit instruction word as eight hex digits (`0x8b20a820`), whether it is held signed or not. */
export function hexWord(w: number): string {
  return '0x' + (w >>> 0).toString(16).padStart(8, '0');
}
