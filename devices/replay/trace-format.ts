import * as fs from 'fs';
import * as stream_ from 'stream';
import * as zlib from 'zlib';
import { InputError } from '../../core';

/** One memory reference of a trace: an instruction fetch, a load, a store or a modify. */
export type RefKind = 'I' | 'L' | 'S' | 'M';

export interface TraceRef {
  kind: RefKind;
  addr: number;
  size: number;
}

/**
 * The compact binary trace format (`.kvtr`): the magic `KVTRACE1`, then one record per
 * reference:
 *   byte 0: kind in bits 0-1 (0 I, 1 L, 2 S, 3 M); size in bits 2-7 (63 = a varint follows)
 *   then the address as a zigzag varint delta from the previous address of the same stream
 *   (instructions and data keep separate previous addresses, so loops encode in ~2 bytes).
 */
const MAGIC = Buffer.from('KVTRACE1', 'latin1');
/** The binary trace's first bytes (a Buffer at run time; typed without Node's types). */
export const BINARY_MAGIC: Uint8Array = MAGIC;
const KINDS: RefKind[] = ['I', 'L', 'S', 'M'];
const KIND_CODE: Record<RefKind, number> = { I: 0, L: 1, S: 2, M: 3 };

/** Encodes references as a binary trace (for files, tests and the `lackey → binary` converter). */
export class BinaryTraceWriter {
  private readonly chunks: Buffer[] = [MAGIC];
  private buf = Buffer.alloc(1 << 16);
  private pos = 0;
  private prevI = 0;
  private prevD = 0;

  add(ref: TraceRef): void {
    if (this.pos > this.buf.length - 32) this.flushChunk();
    const code = KIND_CODE[ref.kind];
    const small = ref.size < 63;
    this.buf[this.pos++] = code | ((small ? ref.size : 63) << 2);
    if (!small) this.varint(ref.size);
    const prev = ref.kind === 'I' ? this.prevI : this.prevD;
    const delta = ref.addr - prev;
    this.varint(delta >= 0 ? delta * 2 : -delta * 2 - 1);
    if (ref.kind === 'I') this.prevI = ref.addr;
    else this.prevD = ref.addr;
  }

  private varint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private flushChunk(): void {
    this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }

  /** The encoded trace (a Buffer at run time). */
  toBuffer(): Uint8Array {
    this.flushChunk();
    return Buffer.concat(this.chunks);
  }
}

/** Longest trace line read: lackey's lines are under 40 bytes; anything longer is not a trace. */
export const MAX_LINE_LENGTH = 4096;

/**
 * Largest access size taken from a trace. Lackey's data sizes are at most the largest block a
 * helper touches (FXSAVE's 512 bytes, XSAVE's area of under 3 KiB), instructions at most 15
 * bytes; nothing larger comes from a real run, and a huge size would take forever to simulate.
 */
export const MAX_REF_SIZE = 4096;

/** Bytes of compressed input read at a time (a corrupt spot is reported within one). */
const GZIP_CHUNK = 1 << 16;

/** What a trace's addresses must stay below, if anything: the replayed address space. */
export interface TraceLimits {
  /** Every access must end at or below this address (bytes). */
  addressLimit?: number;
}

function checkRef(addr: number, size: number, where: string, limits: TraceLimits): void {
  if (!(size >= 1) || size > MAX_REF_SIZE) {
    throw new InputError(`${where}: access size ${size} is out of range (1 to ${MAX_REF_SIZE} bytes; lackey's accesses are at most a few hundred bytes)`);
  }
  const limit = limits.addressLimit;
  if (limit !== undefined && addr + size > limit) {
    throw new InputError(`${where}: access of ${size} bytes at 0x${addr.toString(16)} is beyond the replayed address space [0x0, 0x${limit.toString(16)})`);
  }
}

/**
 * Parses one lackey `--trace-mem=yes` line; null for lines that are not references.
 *
 * Lackey's trace is exactly the stream cachegrind simulates, so it is taken as it is: both
 * tools see the same instructions (from the first one of the program's start-up code, each
 * with its decoded length) and the same data events, in the same order, and both merge a store
 * that follows a load of the same address and size within one instruction into one modify
 * (`M`). The one difference is size: for helper-made accesses (FXSAVE, XSAVE, FSTENV and the
 * like) lackey writes the full size, which cachegrind cuts to its smallest line size; that
 * is done by the cache model (CachegrindSim), which knows the line sizes, not here. Counts that
 * differ between a lackey and a cachegrind run come from the runs differing (environment,
 * working directory, argv[0], what stdout is), not from the tools.
 */
export function parseLackeyLine(line: string, file: string, lineNo: number, limits: TraceLimits = {}): TraceRef | null {
  // "I  0400d7d4,8" / " L 04222cac,8" / " S ..." / " M ..."; "==pid==" lines are valgrind's own.
  if (line.length === 0 || line.startsWith('==') || line.startsWith('--')) return null;
  const m = /^(?:I {2}| ([LSM]) )([0-9a-fA-F]+),(\d+)\s*$/.exec(line);
  if (m === null) throw new InputError(`${file}:${lineNo}: not a lackey --trace-mem line: ${JSON.stringify(line.slice(0, 60))} (expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE')`);
  const kind = (m[1] ?? 'I') as RefKind;
  const addr = parseInt(m[2], 16);
  const size = Number(m[3]);
  if (!Number.isSafeInteger(addr)) throw new InputError(`${file}:${lineNo}: address 0x${m[2]} is too large (at most 2^53 - 1) in ${JSON.stringify(line)}`);
  checkRef(addr, size, `${file}:${lineNo}`, limits);
  return { kind, addr, size };
}

/** Reads the first bytes of a file to tell gzip and the binary format apart from text. */
function sniff(file: string): { gzip: boolean } {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    fs.readSync(fd, head, 0, 2, 0);
    return { gzip: head[0] === 0x1f && head[1] === 0x8b };
  } finally {
    fs.closeSync(fd);
  }
}

export interface TraceSource {
  /** Compressed or plain size of the file, for progress. */
  totalBytes: number;
  /** Bytes of the file consumed so far. */
  readonly bytesRead: number;
  format: 'lackey' | 'binary';
  gzip: boolean;
  /** Batches of references; an empty trace, or one without references, is an InputError. */
  refs(): AsyncGenerator<TraceRef[]>;
}

/**
 * Opens a trace (lackey text or binary, either possibly gzip-compressed) and streams it in
 * batches of references, in constant memory. Every problem with the file (unreadable, corrupt
 * or truncated gzip data, an overlong line, a bad record, no references at all) is an
 * InputError naming the file and where in it.
 */
export function openTrace(file: string, limits: TraceLimits = {}): TraceSource {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new InputError(`cannot read trace '${file}': no such file`);
  }
  if (!st.isFile()) throw new InputError(`cannot read trace '${file}': not a regular file`);
  if (st.size === 0) throw new InputError(`${file}: the trace is empty (0 bytes)`);
  let gzip: boolean;
  try {
    gzip = sniff(file).gzip;
  } catch (e) {
    throw new InputError(`cannot read trace '${file}': ${(e as Error).message}`);
  }
  let bytesRead = 0;
  const source: TraceSource = {
    totalBytes: st.size,
    get bytesRead() {
      return bytesRead;
    },
    format: 'lackey',
    gzip,
    refs: () => generate(),
  };
  // The magic decides the format; it is read from the (decompressed) stream itself.
  async function* generate(): AsyncGenerator<TraceRef[]> {
    // Compressed input is read in smaller chunks, so an error in it is placed within one.
    const raw = fs.createReadStream(file, { highWaterMark: gzip ? GZIP_CHUNK : 1 << 20 });
    raw.on('data', (c: Buffer | string) => (bytesRead += c.length));
    const gunzip = gzip ? zlib.createGunzip() : undefined;
    // pipeline forwards a read error to the gunzip stream, which the iteration below then sees.
    const stream: NodeJS.ReadableStream = gunzip ? stream_.pipeline(raw, gunzip, () => {}) : raw;
    const it = decoded(file, st.size, stream, gunzip);
    let count = 0;
    try {
      const first = await it.next();
      if (first.done) throw new InputError(`${file}: the trace is empty (${gzip ? 'the gzip data decompresses to 0 bytes' : '0 bytes'})`);
      let head: Buffer = first.value;
      while (head.length < BINARY_MAGIC.length) {
        const n = await it.next();
        if (n.done) break;
        head = Buffer.concat([head, n.value]);
      }
      const binary = head.subarray(0, MAGIC.length).equals(MAGIC);
      if (binary) source.format = 'binary';
      const batches = binary ? binaryRefs(file, head.subarray(BINARY_MAGIC.length), it, limits) : lackeyRefs(file, head, it, limits);
      for await (const b of batches) {
        count += b.length;
        yield b;
      }
      if (count === 0) {
        throw new InputError(
          binary
            ? `${file}: the binary trace holds no records (only its header)`
            : `${file}: the trace holds no memory references (no 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE' line; was lackey run with --trace-mem=yes?)`,
        );
      }
    } finally {
      raw.destroy();
      gunzip?.destroy();
    }
  }
  return source;
}

/**
 * The file's (decompressed) bytes, chunk by chunk. Read and zlib errors become one InputError
 * naming the file and how far it got; nothing is left to surface later as an 'error' event.
 */
async function* decoded(file: string, size: number, stream: NodeJS.ReadableStream, gunzip: zlib.Gunzip | undefined): AsyncGenerator<Buffer, void, undefined> {
  let out = 0;
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      out += c.length;
      yield c;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (gunzip !== undefined && typeof err.code === 'string' && err.code.startsWith('Z_')) {
      if (err.code === 'Z_BUF_ERROR') throw new InputError(`${file}: the gzip data is truncated: it ends at byte ${size}, after ${out} bytes decompressed`);
      // zlib counts the input it has got through; the bad data is in the chunk it was on.
      const from = gunzip.bytesWritten;
      const to = Math.min(size, from + GZIP_CHUNK);
      throw new InputError(`${file}: corrupt gzip data (${err.message}) in compressed bytes ${from} to ${to}, after ${out} bytes decompressed`);
    }
    throw new InputError(`cannot read trace '${file}': ${err.message}`);
  }
}

async function* lackeyRefs(file: string, head: Buffer, rest: AsyncIterator<Buffer>, limits: TraceLimits): AsyncGenerator<TraceRef[]> {
  let lineNo = 0;
  let batch: TraceRef[] = [];
  // Bytes are read as latin1 (one char a byte), so a chunk never splits a character.
  let partial = '';
  let chunk: Buffer | undefined = head;
  const tooLong = () =>
    new InputError(`${file}:${lineNo + 1}: line longer than ${MAX_LINE_LENGTH} bytes (lackey's lines are under 40); this is not a lackey --trace-mem trace`);
  const take = (line: string) => {
    lineNo++;
    if (line.length > MAX_LINE_LENGTH) throw tooLong();
    const r = parseLackeyLine(line.endsWith('\r') ? line.slice(0, -1) : line, file, lineNo, limits);
    if (r !== null) batch.push(r);
  };
  while (chunk !== undefined) {
    const text = chunk.toString('latin1');
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      if (partial.length !== 0) {
        take(partial + text.slice(from, nl));
        partial = '';
      } else take(text.slice(from, nl));
      from = nl + 1;
    }
    if (from < text.length) {
      if (partial.length + text.length - from > MAX_LINE_LENGTH) throw tooLong();
      partial += text.slice(from);
    }
    if (batch.length >= 65536) {
      yield batch;
      batch = [];
    }
    const n = await rest.next();
    chunk = n.done ? undefined : n.value;
  }
  if (partial.length !== 0) take(partial);
  if (batch.length > 0) yield batch;
}

async function* binaryRefs(file: string, head: Buffer, rest: AsyncIterator<Buffer>, limits: TraceLimits): AsyncGenerator<TraceRef[]> {
  let buf: Buffer = head;
  let pos = 0;
  let prevI = 0;
  let prevD = 0;
  let offset = BINARY_MAGIC.length;
  let done = false;
  let record = 0;
  const more = async (): Promise<boolean> => {
    if (done) return false;
    const n = await rest.next();
    if (n.done) {
      done = true;
      return false;
    }
    offset += pos;
    buf = Buffer.concat([buf.subarray(pos), n.value]);
    pos = 0;
    return true;
  };
  for (;;) {
    const batch: TraceRef[] = [];
    while (batch.length < 65536) {
      // A record is at most 1 + 10 + 10 bytes; refill when fewer may remain.
      if (buf.length - pos < 21 && !done) {
        await more();
        continue;
      }
      if (pos >= buf.length) break;
      const start = pos;
      const b = buf[pos++];
      const kind = KINDS[b & 3];
      let size = b >>> 2;
      const readVarint = (): number => {
        let v = 0;
        let mul = 1;
        for (;;) {
          if (pos >= buf.length) throw new InputError(`${file}: binary trace truncated in record ${record} at byte ${offset + start}`);
          const x = buf[pos++];
          v += (x & 0x7f) * mul;
          if (x < 0x80) return v;
          mul *= 0x80;
          if (mul > 2 ** 63) throw new InputError(`${file}: bad varint in record ${record} at byte ${offset + start}`);
        }
      };
      if (size === 63) size = readVarint();
      const z = readVarint();
      const delta = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      const addr = (kind === 'I' ? prevI : prevD) + delta;
      if (addr < 0 || !Number.isSafeInteger(addr)) throw new InputError(`${file}: record ${record} at byte ${offset + start} has a bad address`);
      checkRef(addr, size, `${file}: record ${record} at byte ${offset + start}`, limits);
      if (kind === 'I') prevI = addr;
      else prevD = addr;
      batch.push({ kind, addr, size });
      record++;
    }
    if (batch.length === 0) return;
    yield batch;
  }
}
