import * as fs from 'fs';
import * as readline from 'readline';
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
export function parseLackeyLine(line: string, file: string, lineNo: number): TraceRef | null {
  // "I  0400d7d4,8" / " L 04222cac,8" / " S ..." / " M ..."; "==pid==" lines are valgrind's own.
  if (line.length === 0 || line.startsWith('==') || line.startsWith('--')) return null;
  const m = /^(?:I {2}| ([LSM]) )([0-9a-fA-F]+),(\d+)\s*$/.exec(line);
  if (m === null) throw new InputError(`${file}:${lineNo}: not a lackey --trace-mem line: ${JSON.stringify(line.slice(0, 60))} (expected 'I  ADDR,SIZE' or ' L|S|M ADDR,SIZE')`);
  const kind = (m[1] ?? 'I') as RefKind;
  const addr = parseInt(m[2], 16);
  const size = Number(m[3]);
  if (!Number.isSafeInteger(addr) || size <= 0) throw new InputError(`${file}:${lineNo}: bad address or size in ${JSON.stringify(line)}`);
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
  refs(): AsyncGenerator<TraceRef[]>;
}

/**
 * Opens a trace (lackey text or binary, either possibly gzip-compressed) and streams it in
 * batches of references, in constant memory.
 */
export function openTrace(file: string): TraceSource {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new InputError(`cannot read trace '${file}': no such file`);
  }
  if (!st.isFile()) throw new InputError(`cannot read trace '${file}': not a regular file`);
  const { gzip } = sniff(file);
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  raw.on('data', (c: Buffer | string) => (bytesRead += c.length));
  const stream: NodeJS.ReadableStream = gzip ? raw.pipe(zlib.createGunzip()) : raw;
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
    const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let first = await it.next();
    if (first.done) return;
    let head: Buffer = first.value;
    while (head.length < BINARY_MAGIC.length) {
      const n = await it.next();
      if (n.done) break;
      head = Buffer.concat([head, n.value]);
    }
    if (head.subarray(0, MAGIC.length).equals(MAGIC)) {
      source.format = 'binary';
      yield* binaryRefs(file, head.subarray(BINARY_MAGIC.length), it);
    } else {
      yield* lackeyRefs(file, head, it);
    }
    first = { done: true, value: undefined };
  }
  return source;
}

async function* lackeyRefs(file: string, head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<TraceRef[]> {
  async function* chunks(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await rest.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const rl = readline.createInterface({ input: chunksToStream(chunks()), crlfDelay: Infinity });
  let lineNo = 0;
  let batch: TraceRef[] = [];
  for await (const line of rl) {
    lineNo++;
    const r = parseLackeyLine(line, file, lineNo);
    if (r === null) continue;
    batch.push(r);
    if (batch.length >= 65536) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function chunksToStream(gen: AsyncGenerator<Buffer>): NodeJS.ReadableStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Readable } = require('stream') as typeof import('stream');
  return Readable.from(gen);
}

async function* binaryRefs(file: string, head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<TraceRef[]> {
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
      if (kind === 'I') prevI = addr;
      else prevD = addr;
      batch.push({ kind, addr, size });
      record++;
    }
    if (batch.length === 0) return;
    yield batch;
  }
}
