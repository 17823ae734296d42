import * as os from 'os';
import { InputError, drainSlices, formatSize, type EventBus, type Interrupt } from '../../core';
import type { MemorySystem } from '../../devices/hierarchy/memory-system';
import type { MmioBus } from '../../devices/memory/mmio';
import type { CoreExit, GuestCoreFactory } from '../../devices/cpu/guest-interface';
import { KvmIoctlError } from './errno';
import { HostMm, PAGE_SIZE, type Vma } from './host-mm';
import { KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY, memslotGpa, memslotSize } from './memslots';
import { KvmVcpu, describeExit, type VcpuInitFeatures } from './vcpu';
import type { KvmVm } from './vm';
import { KVM_ARM_LOCK_MEM_READ, KVM_ARM_LOCK_MEM_WRITE } from './vm';

/** Exits a RunRecord keeps (the most recent ones); older ones are only counted. */
export const RUN_EXITS_KEPT = 32;
/** Distinct unhandled MMIO accesses (access and PC) a run logs; more are only counted. */
const UNHANDLED_MMIO_LOGGED = 64;
/** Run records the VMM keeps (the most recent ones), besides the last of each VCPU. */
export const RUNS_KEPT = 64;

/**
 * What one `run` step saw: how many times KVM_RUN returned (by exit reason), the last
 * RUN_EXITS_KEPT exits in order, the last one, and the instructions retired. Only the most
 * recent exits are kept: a guest polling a device exits millions of times in a long run, and
 * keeping each would grow memory without bound.
 */
export interface RunRecord {
  vcpu: number;
  /** The last RUN_EXITS_KEPT exits, oldest first (all of them when there were fewer). */
  exits: CoreExit[];
  /** How many exits there were in all (KVM_RUN returns). */
  exitCount: number;
  /** Exits by reason. */
  exitsByReason: Partial<Record<CoreExit['reason'], number>>;
  retired: number;
  last: CoreExit;
}

/** The end of a run of every VCPU: which VCPU stopped it, with what, and the instructions of all. */
export interface SmpRunRecord {
  vcpu: number;
  retired: number;
  last: CoreExit;
}

/**
 * The VMM: userspace of the simulated host. It owns the process's address space (HostMm),
 * mmaps guest RAM, issues KVM ioctls, writes guest images through a host core's cacheable
 * mapping (so they may sit dirty in that core's caches), and runs the KVM_RUN loop, emulating
 * MMIO with the machine's devices as kvmtool or QEMU would.
 */
export class Vmm {
  /** The mapping the VMM made for each slot id (reused on move and flag changes). */
  private readonly slotVmas = new Map<number, Vma>();
  /** The most recent run records (at most RUNS_KEPT), oldest first. */
  readonly runs: RunRecord[] = [];
  private readonly lastRuns = new Map<number, RunRecord>();
  /** Ioctls issued, by name, and how many failed. */
  readonly ioctls = new Map<string, { calls: number; failed: number }>();

  constructor(
    readonly vm: KvmVm,
    readonly hostMm: HostMm,
    private readonly mem: MemorySystem,
    private readonly mmio: MmioBus,
    private readonly bus: EventBus,
    private readonly cores: () => GuestCoreFactory,
    /** Host core the VMM thread runs on (its L1 D holds what the VMM writes). */
    public hostCpu = 0,
  ) {}

  /** Runs an ioctl, counting it; KvmIoctlError propagates for the step to judge. */
  ioctl<T>(name: string, fn: () => T): T {
    const rec = this.ioctls.get(name) ?? { calls: 0, failed: 0 };
    this.ioctls.set(name, rec);
    rec.calls++;
    try {
      return fn();
    } catch (e) {
      if (e instanceof KvmIoctlError) rec.failed++;
      throw e;
    }
  }

  /** mmap + KVM_SET_USER_MEMORY_REGION. A size of 0 deletes the slot. */
  setMemslot(args: { slot: number; gpa: number; size: number; readonly?: boolean; logDirty?: boolean; device?: boolean; userspaceAddr?: number }): void {
    let hva = args.userspaceAddr;
    if (hva === undefined && args.size > 0) {
      let vma = this.slotVmas.get(args.slot);
      if (vma === undefined || vma.end - vma.start !== args.size) {
        if (args.size % PAGE_SIZE !== 0) {
          // Let KVM reject the size; the VMM's mmap would round it up.
          hva = 0x7e00_0000_0000;
        } else {
          vma = this.hostMm.mmap(args.size, { name: `slot${args.slot}${args.device ? ' (VM_PFNMAP)' : ''}`, pfnmap: args.device, pa: args.device ? args.gpa : undefined });
          this.slotVmas.set(args.slot, vma);
        }
      }
      if (hva === undefined) hva = vma!.start;
    }
    const flags = (args.readonly ? KVM_MEM_READONLY : 0) | (args.logDirty ? KVM_MEM_LOG_DIRTY_PAGES : 0);
    this.ioctl('KVM_SET_USER_MEMORY_REGION', () =>
      this.vm.setUserMemoryRegion({ slot: args.slot, flags, guestPhysAddr: args.gpa, memorySize: args.size, userspaceAddr: hva ?? 0 }),
    );
  }

  lock(slot: number, write: boolean, opts: { vcpuInIoctl?: boolean } = {}): void {
    this.ioctl('KVM_ENABLE_CAP(LOCK)', () => this.vm.lockMemslot(slot, KVM_ARM_LOCK_MEM_READ | (write ? KVM_ARM_LOCK_MEM_WRITE : 0), opts));
  }

  unlock(slot: number, all: boolean): void {
    this.ioctl('KVM_ENABLE_CAP(UNLOCK)', () => this.vm.unlockMemslot(slot, all));
  }

  /**
   * Checks that the VMM can write all of [gpa, gpa + size) before a byte is written: every
   * page in a memslot, with host memory mapped behind it, and (the simulated memory being
   * sparse pages of this process) room on this computer for the pages it may allocate: up to
   * one per page holding some of the `nonZero` bytes (zeros over untouched pages allocate none).
   * Walks memslots and mappings, not pages, so a huge size is refused at once.
   */
  checkWrite(gpa: number, size: number, nonZero = size, what = 'write'): void {
    const range = `${formatSize(size)} at 0x${gpa.toString(16)}`;
    if (!Number.isSafeInteger(gpa) || gpa < 0 || !Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(gpa + size)) {
      throw new InputError(`${what}: ${size} bytes at ${gpa} is not a range of guest memory`);
    }
    const end = gpa + size;
    let addr = gpa;
    while (addr < end) {
      const s = this.vm.memslots.findByGfn(Math.floor(addr / PAGE_SIZE));
      if (s === undefined) {
        const first = this.vm.memslots.findByGfn(Math.floor(gpa / PAGE_SIZE));
        const inSlot = first !== undefined ? ` (memslot ${first.id} is [0x${memslotGpa(first).toString(16)}, +${formatSize(memslotSize(first))}))` : '';
        throw new InputError(
          addr === gpa
            ? `${what}: guest address 0x${addr.toString(16)} is not in any memslot (the VMM has no mapping for it)`
            : `${what}: ${range} does not fit: guest address 0x${addr.toString(16)} is not in any memslot${inSlot}`,
        );
      }
      const hva = s.userspaceAddr + (addr - memslotGpa(s));
      const vma = this.hostMm.vmaAt(hva);
      if (vma === undefined) throw new InputError(`${what}: nothing is mapped at HVA 0x${hva.toString(16)} (guest address 0x${addr.toString(16)})`);
      addr = Math.min(end, memslotGpa(s) + memslotSize(s), addr + (vma.end - hva));
    }
    // Each page written is a 4 KiB array of this process: refuse what cannot be held.
    const need = Math.ceil(Math.min(nonZero, size) / PAGE_SIZE + 1) * (PAGE_SIZE + 128);
    const free = os.freemem();
    if (need > free) {
      throw new InputError(`${what}: ${range} needs up to ${(need / 2 ** 30).toFixed(1)} GiB of this computer's memory for its pages, and only ${(free / 2 ** 30).toFixed(1)} GiB is free`);
    }
  }

  /**
   * Writes guest memory at guest-physical `gpa` through the VMM's own (cacheable) mapping:
   * `bytes`, then zeros up to `size` bytes when it is larger (an ELF segment's bss), written
   * from one page of zeros rather than a buffer of `size` bytes.
   */
  write(gpa: number, bytes: Uint8Array, source: string, size = bytes.length): void {
    const len = Math.max(size, bytes.length);
    this.checkWrite(gpa, len, bytes.length);
    let zeros: Uint8Array | undefined;
    this.writePages(gpa, len, (done, n) => {
      if (done + n <= bytes.length) return bytes.subarray(done, done + n);
      zeros ??= new Uint8Array(PAGE_SIZE);
      if (done >= bytes.length) return n === PAGE_SIZE ? zeros : zeros.subarray(0, n);
      const piece = new Uint8Array(n);
      piece.set(bytes.subarray(done));
      return piece;
    });
    this.bus.emit({ type: 'userspace.write', addr: gpa, size: len, cpu: this.hostCpu, source });
  }

  /**
   * Writes `size` bytes of `byte` at `gpa` through the same cacheable mapping as `write`, a
   * page at a time from one page-sized buffer: no buffer of `size` bytes is ever made.
   */
  fill(gpa: number, size: number, byte: number, source: string): void {
    this.checkWrite(gpa, size, byte === 0 ? 0 : size);
    const page = new Uint8Array(PAGE_SIZE).fill(byte);
    this.writePages(gpa, size, (_done, n) => (n === PAGE_SIZE ? page : page.subarray(0, n)));
    this.bus.emit({ type: 'userspace.write', addr: gpa, size, cpu: this.hostCpu, source });
  }

  /** Writes [gpa, gpa + size) page by page (a piece never crosses a page or a memslot). */
  private writePages(gpa: number, size: number, piece: (done: number, n: number) => Uint8Array): void {
    let done = 0;
    while (done < size) {
      const addr = gpa + done;
      const s = this.vm.memslots.findByGfn(Math.floor(addr / PAGE_SIZE));
      if (s === undefined) throw new InputError(`write: guest address 0x${addr.toString(16)} is not in any memslot (the VMM has no mapping for it)`);
      const hva = s.userspaceAddr + (addr - memslotGpa(s));
      const pa = this.hostMm.hvaToPa(hva);
      if (pa === undefined) throw new InputError(`write: nothing is mapped at HVA 0x${hva.toString(16)} (guest address 0x${addr.toString(16)})`);
      const n = Math.min(size - done, PAGE_SIZE - (addr % PAGE_SIZE), memslotGpa(s) + memslotSize(s) - addr);
      this.mem.writeBytes('host', this.hostCpu, pa, piece(done, n), true);
      done += n;
    }
  }

  /**
   * munmap of the host memory behind guest range [gpa, gpa + size) (a balloon, a hot-unplug,
   * a VMM bug): the MMU notifier tells KVM first, then the mapping is gone.
   */
  munmap(gpa: number, size: number): void {
    if (gpa % PAGE_SIZE !== 0 || size <= 0 || size % PAGE_SIZE !== 0) throw new InputError(`munmap: [0x${gpa.toString(16)}, +0x${size.toString(16)}) is not whole pages`);
    const s = this.vm.memslots.findByGfn(Math.floor(gpa / PAGE_SIZE));
    if (s === undefined || gpa + size > memslotGpa(s) + memslotSize(s)) throw new InputError(`munmap: [0x${gpa.toString(16)}, +0x${size.toString(16)}) is not inside one memslot`);
    const hva = s.userspaceAddr + (gpa - memslotGpa(s));
    this.vm.mmuNotifierInvalidate(hva, size);
    this.hostMm.munmap(hva, size);
  }

  /** Reads guest memory through the VMM's mapping (coherent: it is a cacheable access). */
  read(gpa: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const addr = gpa + done;
      const s = this.vm.memslots.findByGfn(Math.floor(addr / PAGE_SIZE));
      if (s === undefined) throw new InputError(`read: guest address 0x${addr.toString(16)} is not in any memslot`);
      const pa = this.hostMm.hvaToPa(s.userspaceAddr + (addr - memslotGpa(s)));
      if (pa === undefined) throw new InputError(`read: guest address 0x${addr.toString(16)} has no host mapping`);
      const n = Math.min(length - done, PAGE_SIZE - (addr % PAGE_SIZE));
      this.mem.readBytes('host', this.hostCpu, pa, out.subarray(done, done + n), true);
      done += n;
    }
    return out;
  }

  /** The VCPU `index`, created on first use (KVM_CREATE_VCPU). */
  vcpu(index: number): KvmVcpu {
    let v = this.vm.vcpus[index];
    if (v === undefined) {
      if (index !== this.vm.vcpus.length) throw new InputError(`vcpu ${index}: create VCPUs in order (next is ${this.vm.vcpus.length})`);
      v = new KvmVcpu(index, this.vm, this.cores().create(index));
      this.vm.vcpus.push(v);
    }
    return v;
  }

  vcpuInit(index: number, entry: number, x0: number, features: VcpuInitFeatures): void {
    const v = this.vcpu(index);
    this.ioctl('KVM_ARM_VCPU_INIT', () => v.init(entry, x0, features));
  }

  /**
   * The VMM's run loop: KVM_RUN until an exit the VMM does not simply service. MMIO is
   * emulated with the machine's devices and the VCPU re-entered, as kvmtool does.
   */
  run(index: number, maxInsns: number): RunRecord {
    return drainSlices(this.runSliced(index, maxInsns, Infinity));
  }

  /**
   * `run`, yielding the instructions retired so far every `slice` instructions (and between
   * KVM_RUN calls), so that a driver can give the event loop a turn: progress, Ctrl-C. With
   * `interrupt` requested the run ends with an `interrupted` exit at the next slice. `maxInsns`
   * may be Infinity (no budget).
   */
  *runSliced(index: number, maxInsns: number, slice: number, interrupt?: Interrupt): Generator<number, RunRecord, void> {
    const v = this.vcpu(index);
    const core = v.core;
    const start = core.retired;
    const recent: CoreExit[] = []; // a ring of the last RUN_EXITS_KEPT exits
    const exitsByReason: Partial<Record<CoreExit['reason'], number>> = {};
    this.unhandledRepeats.clear();
    this.lastUnhandled = null;
    let exitCount = 0;
    let last: CoreExit;
    let yielded = start;
    try {
      for (;;) {
        const budget = maxInsns - (core.retired - start);
        if (budget <= 0) {
          last = { reason: 'insn_budget', pc: core.pc };
          break;
        }
        if (interrupt?.requested) {
          last = { reason: 'interrupted', pc: core.pc };
          break;
        }
        const rec = this.ioctls.get('KVM_RUN') ?? { calls: 0, failed: 0 };
        this.ioctls.set('KVM_RUN', rec);
        rec.calls++;
        const run = v.runSliced(budget, slice, interrupt);
        try {
          for (;;) {
            const r = run.next();
            if (r.done) {
              last = r.value;
              break;
            }
            yielded = core.retired;
            yield yielded - start;
          }
        } catch (e) {
          if (e instanceof KvmIoctlError) rec.failed++;
          throw e;
        }
        recent[exitCount % RUN_EXITS_KEPT] = last;
        exitCount++;
        exitsByReason[last.reason] = (exitsByReason[last.reason] ?? 0) + 1;
        if (last.reason !== 'mmio') break;
        this.emulateMmio(v, last);
        // A guest that exits often (a console) still gives the driver a turn every slice.
        if (core.retired - yielded >= slice) {
          yielded = core.retired;
          yield yielded - start;
        }
      }
    } finally {
      // Also when KVM_RUN failed or the run was dropped: the repeats seen so far are told.
      this.logUnhandledRepeats(v);
    }
    const at = exitCount % RUN_EXITS_KEPT;
    const exits = exitCount <= RUN_EXITS_KEPT ? recent : [...recent.slice(at), ...recent.slice(0, at)];
    const rec: RunRecord = { vcpu: index, exits, exitCount, exitsByReason, retired: core.retired - start, last };
    if (this.runs.length === RUNS_KEPT) this.runs.shift();
    this.runs.push(rec);
    this.lastRuns.set(index, rec);
    return rec;
  }

  /**
   * Runs every VCPU of the VM, one thread each as a VMM has them, interleaved deterministically:
   * each runnable VCPU in turn, in index order, gets KVM_RUN for `quantum` instructions (fewer
   * when an exit ends its turn: WFI, a stopped VCPU). The machine has one clock, advanced by
   * whichever VCPU runs. Ends at the first exit the VMM does not service (a system event, an
   * error), when every VCPU is stopped, at the budget (`maxInsns` over all VCPUs), or with
   * `interrupt`. Yields the instructions retired so far, as `runSliced`.
   */
  *runAllSliced(maxInsns: number, slice: number, quantum: number, interrupt?: Interrupt): Generator<number, SmpRunRecord, void> {
    const vcpus = this.vm.vcpus;
    let retired = 0;
    for (;;) {
      let ran = false;
      let allAsleep = true;
      for (const v of vcpus) {
        if (v.poweredOff) continue;
        const left = maxInsns - retired;
        if (left <= 0) return { vcpu: v.index, retired, last: { reason: 'insn_budget', pc: v.core.pc } };
        ran = true;
        const gen = this.runSliced(v.index, Math.min(quantum, left), slice, interrupt);
        let rec: RunRecord;
        for (;;) {
          const r = gen.next();
          if (r.done) {
            rec = r.value;
            break;
          }
          yield retired + r.value;
        }
        retired += rec.retired;
        const e = rec.last;
        if (e.reason === 'wfi' && e.stopped === undefined) continue; // asleep in WFI: end of its turn
        allAsleep = false;
        if (e.reason === 'insn_budget') continue; // end of its turn
        if (e.reason === 'wfi' && e.stopped === 'power_off') continue; // CPU_OFF, or never started
        return { vcpu: v.index, retired, last: e };
      }
      if (!ran) {
        const v = vcpus[0];
        return { vcpu: 0, retired, last: { reason: 'wfi', pc: v.core.pc, stopped: v.stoppedBy ?? 'power_off' } };
      }
      if (allAsleep) {
        // Every running VCPU waits in WFI: time jumps to the first timer that fires, or, with
        // none armed, nothing will ever wake them.
        const waits = vcpus.filter((v) => !v.poweredOff).map((v) => ({ v, c: v.timerCyclesLeft() })).filter((w): w is { v: KvmVcpu; c: number } => w.c !== undefined);
        if (waits.length === 0) {
          const v = vcpus.find((x) => !x.poweredOff)!;
          return { vcpu: v.index, retired, last: { reason: 'wfi', pc: v.core.pc } };
        }
        const first = waits.reduce((a, b) => (b.c < a.c ? b : a));
        first.v.sleep(first.c);
        for (const v of vcpus) v.core.timer?.refresh();
      }
      if (interrupt?.requested) return { vcpu: 0, retired, last: { reason: 'interrupted', pc: vcpus[0].core.pc } };
    }
  }

  /** The last run record of VCPU `vcpu`, or of any VCPU when left out. */
  lastRun(vcpu?: number): RunRecord | undefined {
    return vcpu === undefined ? this.runs[this.runs.length - 1] : this.lastRuns.get(vcpu);
  }

  /**
   * Unhandled MMIO accesses of the current run logged once, by access and PC, with how many
   * times each came again: a guest polling an address no device claims exits there millions
   * of times, and a log line for each would grow memory without bound.
   */
  private readonly unhandledRepeats = new Map<string, number>();
  private unhandledOthers = 0;
  /** The last unhandled access logged or counted by key, to count its repeats cheaply. */
  private lastUnhandled: { addr: number; pc: number; size: number; write: boolean; what: string } | null = null;

  /** Logs how often each unhandled MMIO access of the run repeated after its first line. */
  private logUnhandledRepeats(v: KvmVcpu): void {
    for (const [what, n] of this.unhandledRepeats) if (n > 0) this.vm.d.log(`vcpu${v.index}: unhandled MMIO ${what}: ${n} more time(s) in this run`);
    if (this.unhandledOthers > 0) this.vm.d.log(`vcpu${v.index}: ${this.unhandledOthers} more unhandled MMIO access(es) in this run, at other addresses or PCs (not logged)`);
    this.unhandledRepeats.clear();
    this.unhandledOthers = 0;
    this.lastUnhandled = null;
  }

  private emulateMmio(v: KvmVcpu, e: Extract<CoreExit, { reason: 'mmio' }>): void {
    const region = this.mmio.find(e.addr);
    if (region === undefined) {
      // Like kvmtool: unclaimed MMIO reads as zero, writes are dropped; worth a line in the log,
      // once for each access and PC (repeats are counted, and told when the run ends).
      const l = this.lastUnhandled;
      if (l !== null && l.addr === e.addr && l.pc === e.pc && l.size === e.size && l.write === e.write) {
        // The same access again (a polling loop): counted without building its key.
        this.unhandledRepeats.set(l.what, this.unhandledRepeats.get(l.what)! + 1);
        if (!e.write) v.core.completeMmioRead(0, 0);
        return;
      }
      const what = `${describeExit(e)} at PC 0x${e.pc.toString(16)}`;
      const seen = this.unhandledRepeats.get(what);
      if (seen !== undefined) this.unhandledRepeats.set(what, seen + 1);
      else if (this.unhandledRepeats.size >= UNHANDLED_MMIO_LOGGED) this.unhandledOthers++;
      else {
        this.unhandledRepeats.set(what, 0);
        this.vm.d.log(`vcpu${v.index}: unhandled MMIO ${what}`);
      }
      this.lastUnhandled = this.unhandledRepeats.has(what) ? { addr: e.addr, pc: e.pc, size: e.size, write: e.write, what } : null;
      if (!e.write) v.core.completeMmioRead(0, 0);
      return;
    }
    if (e.write) this.mmio.write(e.addr, e.size, e.valueLo + (e.size === 8 ? e.valueHi * 0x1_0000_0000 : 0));
    else {
      const value = this.mmio.read(e.addr, e.size);
      v.core.completeMmioRead(value % 0x1_0000_0000 >>> 0, Math.floor(value / 0x1_0000_0000) >>> 0);
    }
  }
}
