/**
 * dma-engine: a device of your own, written only against kvmsim's public plugin API (everything
 * comes from 'kvmsim'). Copy this file to start a device; README.md beside it walks through it.
 *
 *     npx kvmsim run examples/custom-device/dma.yaml          # a guest that gets it right
 *     npx kvmsim run examples/custom-device/dma-stale.yaml    # one that skips the maintenance
 *
 * A one-channel memory-to-memory DMA engine in a 4 KiB MMIO window. The guest writes a source,
 * a destination and a length, then START; the engine copies guest memory behind the CPU's back.
 * It is a non-coherent bus master: it reads and writes physical memory directly (agent
 * 'device'), never looking in a cache, so it reads stale memory while the guest's data is still
 * dirty in a D-cache, and the guest reads stale cache lines over what it wrote. The guest must
 * clean the buffers to the PoC before START and invalidate the destination after completion.
 *
 * Registers: 64 bits each, at 8-byte offsets. Each may be accessed as one 8-byte access or as two
 * 4-byte halves (low half at +0, high half at +4); other sizes or alignments, and offsets the
 * engine does not decode, read as zero, ignore writes and are logged.
 *
 *     0x00 SRC     guest-physical source address
 *     0x08 DST     guest-physical destination address
 *     0x10 LEN     bytes to copy (at most `max_len`)
 *     0x18 COMPL   guest-physical address of a 32-bit completion word (0: none); when the
 *                  transfer ends, the engine writes STATUS there (DONE or ERROR)
 *     0x20 CTRL    write bit 0 (START) to start a transfer with the values above; reads as zero
 *     0x28 STATUS  bit 0 BUSY, bit 1 DONE, bit 2 ERROR; write 1s to clear DONE and ERROR
 *     0x30 ID      reads 0x444d4131 ("DMA1")
 *
 * Timing. The engine runs alongside the CPU: a transfer of LEN bytes completes
 * ceil(LEN × cycles_per_byte) modelled cycles after START, at the first instruction a VCPU retires
 * from then on (never inside the START write itself), and the whole copy happens at that
 * instant. It does not stall the clock while it works: its cost is the time the guest spends
 * waiting (`plugins.dma.busy_cycles`), plus the memory latency its own accesses charge.
 */
import {
  Address,
  Disposable,
  DisposableCollection,
  InputError,
  Kvm,
  MemorySystem,
  MmioBus,
  definePlugin,
  describeError,
  hex,
  memslotGpa,
  type Counter,
  type MmioRegion,
  type PluginApi,
  z,
} from 'kvmsim';

// The engine's own events, added to the bus's typed event map by declaration merging.
declare module 'kvmsim' {
  interface EventMap {
    /** A transfer was started (the START write). */
    'dma.start': { engine: string; src: number; dst: number; len: number };
    /** A transfer ended: `error` says why when it failed; `cycles` from START to completion. */
    'dma.done': { engine: string; src: number; dst: number; len: number; error: string | null; cycles: number };
  }
}

/** Register offsets. */
export const DMA_SRC = 0x00;
export const DMA_DST = 0x08;
export const DMA_LEN = 0x10;
export const DMA_COMPL = 0x18;
export const DMA_CTRL = 0x20;
export const DMA_STATUS = 0x28;
export const DMA_ID = 0x30;
/** CTRL and STATUS bits. */
export const DMA_CTRL_START = 1 << 0;
export const DMA_STATUS_BUSY = 1 << 0;
export const DMA_STATUS_DONE = 1 << 1;
export const DMA_STATUS_ERROR = 1 << 2;
/** What ID reads: "DMA1" in ASCII. */
export const DMA_ID_VALUE = 0x444d_4131;
/** The register window: one page. */
export const DMA_WINDOW = 0x1000;

const PAGE = 4096;
const TWO32 = 2 ** 32;
/** Guest-physical addresses are at most 48 bits. */
const GPA_LIMIT = 2 ** 48;

export const dmaArgs = z.object({
  base: Address.refine((a) => a % DMA_WINDOW === 0, { message: 'must be 4 KiB aligned (the register window is one page)' })
    .default(0x0a00_0000)
    .describe('guest-physical address of the register window (outside guest RAM)'),
  cycles_per_byte: z.number().min(0).max(1024).default(1).describe('modelled cycles a transfer takes per byte (0.125 = 8 bytes per cycle)'),
  max_len: z.int().min(1).max(64 * 1024 * 1024).default(1024 * 1024).describe('largest LEN the engine accepts, in bytes; longer transfers end in ERROR'),
});
export type DmaArgs = z.infer<typeof dmaArgs>;

/** One piece of a guest-physical range that is contiguous in host-physical memory. */
interface Piece {
  pa: number;
  len: number;
}

/** What START latched: the engine works on these, whatever the guest writes meanwhile. */
interface Transfer {
  src: number;
  dst: number;
  len: number;
  compl: number;
  started: number;
  due: number;
}

interface DmaStats {
  transfers: Counter;
  bytes: Counter;
  errors: Counter;
  busyCycles: Counter;
  badAccesses: Counter;
}

/**
 * The engine: an MmioRegion (the VMM routes the guest's MMIO exits to `read` / `write`) that
 * copies with device accesses once a transfer is due.
 */
export class DmaEngine implements MmioRegion {
  readonly name = 'dma-engine';
  readonly size = DMA_WINDOW;
  /** SRC, DST, LEN, COMPL as 32-bit halves, indexed by offset / 8. */
  private readonly lo = new Uint32Array(4);
  private readonly hi = new Uint32Array(4);
  private status = 0;
  private inflight: Transfer | null = null;
  /** The instruction hook, registered only while a transfer is in flight (free otherwise). */
  private hook: Disposable | null = null;
  private readonly stats: DmaStats;
  private readonly kvm: Kvm;
  private readonly mem: MemorySystem;

  constructor(
    readonly base: number,
    private readonly args: DmaArgs,
    private readonly api: PluginApi,
  ) {
    this.kvm = api.get<Kvm>(Kvm);
    this.mem = api.get<MemorySystem>(MemorySystem);
    const s = api.stats;
    this.stats = {
      transfers: s.counter('plugins.dma.transfers', 'DMA transfers completed without error'),
      bytes: s.counter('plugins.dma.bytes', 'bytes the DMA engine copied'),
      errors: s.counter('plugins.dma.errors', 'DMA transfers that ended in ERROR, and STARTs refused while busy'),
      busyCycles: s.counter('plugins.dma.busy_cycles', 'modelled cycles from START to completion, summed over transfers'),
      badAccesses: s.counter('plugins.dma.bad_accesses', 'register accesses the DMA engine does not decode'),
    };
  }

  get busy(): boolean {
    return this.inflight !== null;
  }

  // ------------------------------------------------------------------ registers

  read(offset: number, size: number): number {
    if (!this.decodes(offset, size)) {
      this.badAccess('read', offset, size);
      return 0;
    }
    const reg = offset & ~7;
    let lo = 0;
    let hi = 0;
    if (reg <= DMA_COMPL) {
      lo = this.lo[reg >> 3];
      hi = this.hi[reg >> 3];
    } else if (reg === DMA_STATUS) lo = this.status;
    else if (reg === DMA_ID) lo = DMA_ID_VALUE;
    if (size === 8) return lo + hi * TWO32;
    return (offset & 4) === 0 ? lo : hi;
  }

  write(offset: number, size: number, value: number): void {
    if (!this.decodes(offset, size) || (offset & ~7) === DMA_ID) {
      this.badAccess('write', offset, size);
      return;
    }
    const reg = offset & ~7;
    // An 8-byte value arrives as one number; a 4-byte one is the half at `offset`.
    const lo = size === 8 ? value % TWO32 >>> 0 : value >>> 0;
    const hi = size === 8 ? Math.floor(value / TWO32) >>> 0 : 0;
    const lowHalf = size === 8 || (offset & 4) === 0;
    if (reg <= DMA_COMPL) {
      const i = reg >> 3;
      if (size === 8) {
        this.lo[i] = lo;
        this.hi[i] = hi;
      } else if (lowHalf) this.lo[i] = lo;
      else this.hi[i] = lo;
    } else if (reg === DMA_CTRL) {
      if (lowHalf && (lo & DMA_CTRL_START) !== 0) this.start();
    } else if (reg === DMA_STATUS) {
      if (lowHalf) this.status &= ~(lo & (DMA_STATUS_DONE | DMA_STATUS_ERROR));
    }
  }

  private decodes(offset: number, size: number): boolean {
    return (size === 4 || size === 8) && offset % size === 0 && offset + size <= DMA_ID + 8;
  }

  private badAccess(what: 'read' | 'write', offset: number, size: number): void {
    this.stats.badAccesses.inc();
    this.api.log(`${what} of ${size} bytes at offset ${hex(offset)} is not a register access the engine decodes (${what === 'read' ? 'read as zero' : 'ignored'})`);
  }

  private reg(offset: number): number {
    return this.lo[offset >> 3] + this.hi[offset >> 3] * TWO32;
  }

  // ------------------------------------------------------------------ transfers

  private start(): void {
    if (this.inflight !== null) {
      this.stats.errors.inc();
      this.api.log(`START while the transfer started at cycle ${this.inflight.started} is in flight: ignored`);
      return;
    }
    const now = this.api.clock.now;
    const t: Transfer = { src: this.reg(DMA_SRC), dst: this.reg(DMA_DST), len: this.reg(DMA_LEN), compl: this.reg(DMA_COMPL), started: now, due: now + Math.ceil(this.reg(DMA_LEN) * this.args.cycles_per_byte) };
    this.inflight = t;
    this.status = DMA_STATUS_BUSY;
    // Progress is checked at each retired instruction, so the copy lands while the guest runs.
    this.hook = this.api.onInstruction(() => {
      if (this.api.clock.now >= t.due) this.complete();
    });
    this.api.emit({ type: 'dma.start', engine: this.name, src: t.src, dst: t.dst, len: t.len });
  }

  private complete(): void {
    const t = this.inflight!;
    this.inflight = null;
    this.hook?.dispose();
    this.hook = null;
    // A bad COMPL fails the transfer before any data moves: nobody could be told it finished.
    const compl = t.compl === 0 ? null : this.completionWord(t.compl);
    const error = typeof compl === 'string' ? compl : this.copy(t);
    this.status = error === null ? DMA_STATUS_DONE : DMA_STATUS_ERROR;
    if (compl !== null && typeof compl !== 'string') this.mem.writeBytes('device', 0, compl.pa, u32(this.status), false);
    const cycles = this.api.clock.now - t.started;
    this.stats.busyCycles.inc(cycles);
    if (error === null) {
      this.stats.transfers.inc();
      this.stats.bytes.inc(t.len);
      this.api.log(`copied ${t.len} bytes from ${hex(t.src)} to ${hex(t.dst)} in ${cycles} cycles`);
    } else {
      this.stats.errors.inc();
      this.api.log(`transfer of ${t.len} bytes from ${hex(t.src)} to ${hex(t.dst)} failed: ${error}`);
    }
    this.api.emit({ type: 'dma.done', engine: this.name, src: t.src, dst: t.dst, len: t.len, error, cycles });
  }

  /** Moves the bytes, or says why it cannot (nothing is written then). */
  private copy(t: Transfer): string | null {
    if (t.len > this.args.max_len) return `LEN ${t.len} is larger than max_len (${this.args.max_len})`;
    if (t.len === 0) return null;
    const from = this.translate(t.src, t.len, 'SRC');
    if (typeof from === 'string') return from;
    const to = this.translate(t.dst, t.len, 'DST');
    if (typeof to === 'string') return to;
    // Read it all, then write it all: overlapping ranges behave like memmove.
    const buf = new Uint8Array(t.len);
    let o = 0;
    for (const p of from) {
      this.mem.readBytes('device', 0, p.pa, buf.subarray(o, o + p.len), false);
      o += p.len;
    }
    o = 0;
    for (const p of to) {
      this.mem.writeBytes('device', 0, p.pa, buf.subarray(o, o + p.len), false);
      o += p.len;
    }
    return null;
  }

  private completionWord(gpa: number): Piece | string {
    if (gpa % 4 !== 0) return `COMPL ${hex(gpa)} is not 4-byte aligned`;
    const r = this.translate(gpa, 4, 'COMPL');
    return typeof r === 'string' ? r : r[0];
  }

  /**
   * Guest-physical [gpa, gpa+len) to host-physical pieces, the way the VMM reaches guest RAM:
   * the memslot holding each page gives a userspace address, the VMM's address space (HostMm)
   * the physical page behind it.
   */
  private translate(gpa: number, len: number, what: string): Piece[] | string {
    if (gpa + len > GPA_LIMIT) return `${what} [${hex(gpa)}, +${hex(len)}) is beyond the 48-bit guest-physical space`;
    const { vm, vmm } = this.kvm;
    const pieces: Piece[] = [];
    let a = gpa;
    const end = gpa + len;
    while (a < end) {
      const slot = vm.memslots.findByGfn(Math.floor(a / PAGE));
      if (slot === undefined) return `${what} ${hex(a)} is not guest RAM (no memslot holds it)`;
      const pa = vmm.hostMm.hvaToPa(slot.userspaceAddr + (a - memslotGpa(slot)));
      if (pa === undefined) return `${what} ${hex(a)} has no host memory behind it`;
      const n = Math.min(end - a, PAGE - (a % PAGE));
      const last = pieces[pieces.length - 1];
      if (last !== undefined && last.pa + last.len === pa) last.len += n;
      else pieces.push({ pa, len: n });
      a += n;
    }
    return pieces;
  }

  /** For the summary and at-exit. */
  describe(): string[] {
    const t = this.inflight;
    return [
      `window        [${hex(this.base)}, ${hex(this.base + this.size)})`,
      `transfers     ${this.stats.transfers.value} done, ${this.stats.errors.value} failed or refused, ${this.stats.bytes.value} bytes, ${this.stats.busyCycles.value} busy cycles`,
      `status        ${t === null ? 'idle' : `busy: ${t.len} bytes ${hex(t.src)} -> ${hex(t.dst)}, due at cycle ${t.due}`}`,
    ];
  }

  /** Stops tracking an in-flight transfer (the machine is going away). */
  dispose(): void {
    this.hook?.dispose();
    this.hook = null;
  }
}

function u32(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

export default definePlugin({
  name: 'dma-engine',
  apiVersion: 1,
  kind: 'plugin',
  description: 'a non-coherent memory-to-memory DMA engine on the MMIO bus (the example device plugin)',
  // Guest-physical addresses are translated through KVM's memslots and the VMM's mappings.
  requires: ['kvm-arm64'],
  args: dmaArgs,
  install(api, args) {
    const engine = new DmaEngine(args.base, args, api);
    const d = new DisposableCollection();
    try {
      d.push(api.get<MmioBus>(MmioBus).register(engine));
    } catch (e) {
      throw new InputError(`plugin '${api.name}': cannot place its registers at base ${hex(args.base)}: ${describeError(e)}`);
    }
    d.push(engine);
    d.push(api.addSummary('dma-engine', () => engine.describe()));
    d.push(
      api.onAtExit(() => {
        if (engine.busy) api.log('the run ended with a transfer still in flight (no VCPU ran long enough for it to complete)');
      }),
    );
    return d;
  },
});
