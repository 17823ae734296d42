/**
 * decode / encode / disassemble: thin lookups over the encoding table (encodings/).
 */
import { ENCODINGS, EncodingError, encodingKey, type Encoding } from './encodings';
import type { Insn, InsnFields } from './insn';

/** Rows indexed by the top 11 bits of a word: the few rows a word with those bits can match. */
const BUCKETS: readonly (readonly Encoding[])[] = (() => {
  const buckets: Encoding[][] = [];
  for (let top = 0; top < 2048; top++) {
    const hi = (top << 21) >>> 0;
    buckets.push(ENCODINGS.filter((e) => (((e.match ^ hi) & e.mask & 0xffe00000) >>> 0) === 0));
  }
  return buckets;
})();

const BY_KEY: ReadonlyMap<string, Encoding> = new Map(ENCODINGS.flatMap((e) => e.keys.map((k) => [k, e] as [string, Encoding])));

/** The table row a word matches, if any (a matching row may still reject a reserved encoding). */
export function encodingOf(word: number): Encoding | undefined {
  const w = word >>> 0;
  for (const e of BUCKETS[w >>> 21]) if (((w & e.mask) >>> 0) === e.match) return e;
  return undefined;
}

/**
 * Decodes one 32-bit instruction. Never throws: a word outside the supported subset, or a
 * reserved encoding inside it, gives `{ op: 'UNDEFINED', word }`. Decoded records are plain
 * immutable data and depend only on the word, so callers may cache them by word.
 */
export function decode(word: number): Insn {
  const w = word >>> 0;
  const e = encodingOf(w);
  return e?.decode(w) ?? { op: 'UNDEFINED', word: w };
}

/** Encodes instruction fields (as `decode` returns them) into a word; throws EncodingError. */
export function encode(fields: InsnFields): number {
  const e = BY_KEY.get(encodingKey(fields));
  if (e === undefined) throw new EncodingError(`no encoding for ${encodingKey(fields)}`);
  return e.encode(fields);
}

/** objdump's text for an undefined word: `udf #n` in the UDF space, else `.inst`. */
function formatUndefined(word: number): string {
  return word >>> 16 === 0 ? `udf\t#${word}` : `.inst\t0x${word.toString(16).padStart(8, '0')} ; undefined`;
}

/**
 * GNU objdump's text for an instruction at `pc` (as `aarch64-linux-gnu-objdump -d` prints it for
 * a raw binary): `mnemonic\toperands`, then `\t// comment` where objdump adds one. PC-relative
 * targets are absolute addresses (`b\t0x40001000`).
 */
export function disassemble(word: number, pc: number | bigint = 0): string {
  return formatInsn(decode(word), pc);
}

/** As `disassemble`, from an already decoded instruction. */
export function formatInsn(insn: Insn, pc: number | bigint = 0): string {
  if (insn.op === 'UNDEFINED') return formatUndefined(insn.word);
  const e = BY_KEY.get(encodingKey(insn))!;
  return e.format(insn, BigInt(pc));
}
