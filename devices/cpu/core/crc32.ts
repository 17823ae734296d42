/**
 * The CRC32 and CRC32C instructions' arithmetic: the architecture's CRC of the accumulator
 * updated with 1, 2, 4 or 8 bytes of data, bit-reflected and with no pre- or post-inversion
 * (software does those), as Linux's crc32_le()/crc32c_le() expect. Table-driven, one byte at a
 * time, from the low byte up (the pseudocode's BitReverse of both operands).
 */

/** The reflected polynomials: CRC-32 (ISO-HDLC, 0x04C11DB7) and CRC-32C (Castagnoli, 0x1EDC6F41). */
const CRC32_POLY = 0xedb88320;
const CRC32C_POLY = 0x82f63b78;

function table(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  return t;
}

const CRC32_TABLE = table(CRC32_POLY);
const CRC32C_TABLE = table(CRC32C_POLY);

/** `acc` updated with the low `bytes` (1, 2 or 4) bytes of `data`. */
function update(t: Int32Array, acc: number, data: number, bytes: number): number {
  let c = acc;
  for (let i = 0; i < bytes; i++) {
    c = t[(c ^ (data >>> (8 * i))) & 0xff] ^ (c >>> 8);
  }
  return c;
}

/**
 * CRC32{B,H,W,X} (castagnoli false) or CRC32C{B,H,W,X}: the new accumulator (as an Int32) from
 * the accumulator `acc`, data `lo`/`hi` (hi used for 8 bytes) and log2 of the data size.
 */
export function crc32Update(castagnoli: boolean, acc: number, lo: number, hi: number, size: number): number {
  const t = castagnoli ? CRC32C_TABLE : CRC32_TABLE;
  if (size < 3) return update(t, acc, lo, 1 << size) | 0;
  return update(t, update(t, acc, lo, 4), hi, 4) | 0;
}
