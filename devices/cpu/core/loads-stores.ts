/**
 * Loads and stores: addressing, the guest memory path's outcomes (faults, MMIO exits with the
 * syndrome a VMM needs, skips), the MMIO access left to finish when the VMM comes back, and the
 * group's ops beyond the original subset: PRFM (counted), LDTR/STTR (as EL0), the exclusives
 * with their monitor (exclusive-monitor.ts) and LDAR/STLR. LDPSW and LDNP/STNP run as LDP/STP.
 */
import { hex, hexWord, type Counter } from '../../../core';
import { AccessStatus, READ, WRITE } from '../guest-access';
import { FSC } from '../guest-fault';
import { LDST_BASE, type Uop } from './decoded-ops';
import { Exceptions } from './exceptions';
import { ExclusiveMonitor } from './exclusive-monitor';
import { TWO32, type A64CoreDeps } from './state';

/** What an MMIO exit left to finish when the VMM comes back. */
export interface PendingMmio {
  write: boolean;
  rt: number;
  size: number;
  signed: boolean;
  sf: boolean;
  pc: number;
  word: number;
  readDone: boolean;
}

export abstract class LoadsStores extends Exceptions {
  protected pending: PendingMmio | null = null;
  // The new base register of a pre- or post-indexed load or store.
  protected wbLo = 0;
  protected wbHi = 0;

  /** LDXR/STXR's local monitor (the line's mark is the memory system's). */
  protected readonly monitor: ExclusiveMonitor;
  private readonly prefetches: Counter;

  constructor(d: A64CoreDeps) {
    super(d);
    this.monitor = new ExclusiveMonitor(d.memory, d.index);
    this.prefetches = d.stats.counter(`system.cpu${d.index}.prefetches`, 'PRFM/PRFUM instructions executed (hints with no architectural effect)');
  }

  /**
   * Ops of the loads-and-stores group beyond the original subset (LDST_OPS, numbered from 140):
   * returns true when the instruction completed and retires at PC + 4.
   */
  protected execLoadStore(u: Uop, pc: number): boolean {
    switch (u.opc - LDST_BASE) {
      case 0 /* PRFM */:
        // A hint: no translation, no fault, nothing fetched; only counted.
        this.prefetches.value++;
        return true;
      case 1 /* LDTR */:
        return this.unprivileged(u, false);
      case 2 /* STTR */:
        return this.unprivileged(u, true);
      case 3 /* LDXR */:
      case 4 /* LDAXR */:
        return this.loadExclusive(u, pc, false);
      case 5 /* STXR */:
      case 6 /* STLXR */:
        return this.storeExclusive(u, pc, false);
      case 7 /* LDXP */:
      case 8 /* LDAXP */:
        return this.loadExclusive(u, pc, true);
      case 9 /* STXP */:
      case 10 /* STLXP */:
        return this.storeExclusive(u, pc, true);
      case 11 /* LDAR */:
        // Accesses complete in program order here: acquire/release order nothing more. They
        // must be aligned whatever the memory type.
        return this.checkAligned(u, pc, 1 << u.size, false) && this.load(u);
      case 12 /* STLR */:
        return this.checkAligned(u, pc, 1 << u.size, true) && this.store(u);
      case 13 /* CLREX */:
        this.monitor.clear();
        return true;
      default:
        this.undefinedInsn(pc, u.word, `no execution for op ${u.insn.op}`);
        return false;
    }
  }

  /**
   * The hook for what clears the local exclusive monitor besides CLREX and the store-exclusives:
   * ERET (the architecture requires it; below), reset. An ERET implemented above this layer
   * must call it (or this eret).
   */
  protected clearExclusiveMonitor(): void {
    this.monitor.clear();
  }

  /** ERET clears the local exclusive monitor. */
  protected override eret(pc: number, word: number): void {
    this.clearExclusiveMonitor();
    super.eret(pc, word);
  }

  /** LDTR/STTR: the access is permission-checked as EL0's when executed at EL1. */
  private unprivileged(u: Uop, store: boolean): boolean {
    const mem = this.memory;
    const was = mem.unprivileged;
    if (this.el === 1) mem.unprivileged = true;
    try {
      return store ? this.store(u) : this.load(u);
    } finally {
      mem.unprivileged = was;
    }
  }

  /** Xn (SP-style) as a VA, as the memory path takes it (GuestMemory.vaOf: signed, tags removed). */
  private baseVa(rn: number): number {
    return this.memory.vaOf(this.xl[rn], this.xh[rn]);
  }

  /**
   * Exclusives and acquire/release need an address aligned to the whole access, on any memory
   * type: otherwise an alignment fault, before any translation. False when it faulted.
   */
  private checkAligned(u: Uop, pc: number, bytes: number, write: boolean): boolean {
    const va = this.baseVa(u.rn);
    if (va % bytes === 0) return true;
    const what = `${u.insn.op} of ${bytes} bytes at VA ${hex(va)}`;
    this.abort({ instruction: false, fsc: FSC.ALIGNMENT, wnr: write, cm: false, s1ptw: false, va, description: `alignment fault: ${what} is not aligned` }, pc, u.word);
    return false;
  }

  /** LDXR/LDAXR (pair: LDXP/LDAXP): a load that marks its address in the exclusive monitor. */
  private loadExclusive(u: Uop, pc: number, pair: boolean): boolean {
    const one = 1 << u.size;
    const bytes = pair ? 2 * one : one;
    if (!this.checkAligned(u, pc, bytes, false)) return false;
    const va = this.baseVa(u.rn);
    const mem = this.memory;
    // Translated first for the PA the monitor marks (the reads below then hit the translation cache).
    let st = mem.translate(va, READ, READ, false, bytes, 0, 0);
    if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
    const pa = mem.pa;
    // A W pair is one 8-byte access (single-copy atomic), Rt from the lower address.
    st = mem.read(va, pair && u.size === 2 ? 8 : one);
    if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
    const lo = mem.lo;
    const hi = mem.hi;
    if (!pair) this.loadResult(u.rd, u.size, false, u.sf, lo, hi);
    else if (u.size === 2) {
      this.loadResult(u.rd, 2, false, false, lo, 0);
      this.loadResult(u.ra, 2, false, false, hi, 0);
    } else {
      st = mem.read(va + 8, 8);
      if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
      this.loadResult(u.rd, 3, false, true, lo, hi);
      this.loadResult(u.ra, 3, false, true, mem.lo, mem.hi);
    }
    this.monitor.mark(va, pa, bytes);
    return true;
  }

  /**
   * STXR/STLXR (pair: STXP/STLXP): stores only while the monitor holds this address and size;
   * Ws = 0 when it stored, 1 when not. The monitor is cleared either way (the pseudocode's
   * order: alignment, the VA check, translation and its faults, then the PA and the line's mark).
   */
  private storeExclusive(u: Uop, pc: number, pair: boolean): boolean {
    const one = 1 << u.size;
    const bytes = pair ? 2 * one : one;
    if (!this.checkAligned(u, pc, bytes, true)) return false;
    const va = this.baseVa(u.rn);
    const xl = this.xl;
    const xh = this.xh;
    const rs = u.rm;
    // The data, read before the status is written (Ws = Rt is CONSTRAINED UNPREDICTABLE).
    const wide = pair && u.size === 2;
    const lo = xl[u.rd];
    const hi = wide ? xl[u.ra] : u.size === 3 ? xh[u.rd] : 0;
    const passed = this.monitor.matchesVa(va, bytes);
    if (!passed) {
      this.monitor.clear();
    } else {
      const mem = this.memory;
      const st = mem.translate(va, WRITE, WRITE, false, bytes, lo, hi);
      if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
      if (this.monitor.pass(mem.pa)) {
        let w = mem.write(va, wide ? 8 : one, lo, hi);
        if (w === AccessStatus.OK && pair && u.size === 3) w = mem.write(va + 8, 8, xl[u.ra], xh[u.ra]);
        if (w !== AccessStatus.OK) return this.memFailure(w, pc, u.word, null);
        xl[rs] = 0;
        xh[rs] = 0;
        return true;
      }
    }
    xl[rs] = 1;
    xh[rs] = 0;
    return true;
  }

  /** Writes a loaded value to Rt with the load's extension. */
  protected loadResult(rt: number, size: number, signed: boolean, sf: boolean, lo: number, hi: number): void {
    if (size === 3) {
      this.xl[rt] = lo;
      this.xh[rt] = hi;
      return;
    }
    if (!signed) {
      this.xl[rt] = lo;
      this.xh[rt] = 0;
      return;
    }
    const sh = 32 - 8 * (1 << size);
    const v = (lo << sh) >> sh;
    // X: sign-extended to 64 bits; W: to 32 bits, upper half zero.
    this.xl[rt] = v;
    this.xh[rt] = sf ? v >> 31 : 0;
  }

  /** rl/rh = Xn + imm (64-bit), and returns the VA as a number (GuestMemory.vaOf: signed, tags removed). */
  protected address(baseLo: number, baseHi: number, imm: number): number {
    const s = (baseLo >>> 0) + imm;
    const lo = s | 0;
    const hi = (baseHi + Math.floor(s / TWO32)) | 0;
    this.rl = lo;
    this.rh = hi;
    // Bits 63:55 all equal (no tag): the signed value, as vaOf gives it, without the call.
    const top = hi >> 23;
    return top === 0 || top === -1 ? hi * TWO32 + (lo >>> 0) : this.memory.vaOf(lo, hi);
  }

  /**
   * The VA of a single-register load or store, as a number (GuestMemory.vaOf);
   * with pre- or post-indexing the new base is left in wbLo/wbHi.
   */
  protected effectiveAddress(u: Uop): number {
    const xl = this.xl;
    const xh = this.xh;
    switch (u.mode) {
      case 0 /* offset */:
        return this.address(xl[u.rn], xh[u.rn], u.imm);
      case 4 /* literal */:
        return this.pcV + u.imm;
      case 3 /* reg */: {
        let olo = xl[u.rm];
        let ohi: number;
        switch (u.ext) {
          case 0 /* UXTW */:
            ohi = 0;
            break;
          case 2 /* SXTW */:
            ohi = olo >> 31;
            break;
          default /* UXTX (LSL), SXTX */:
            ohi = xh[u.rm];
        }
        if (u.scaled && u.size !== 0) {
          this.shl64(olo, ohi, u.size);
          olo = this.rl;
          ohi = this.rh;
        }
        this.add64(xl[u.rn], xh[u.rn], olo, ohi, 0);
        return this.memory.vaOf(this.rl, this.rh);
      }
      case 1 /* pre */: {
        const va = this.address(xl[u.rn], xh[u.rn], u.imm);
        this.wbLo = this.rl;
        this.wbHi = this.rh;
        return va;
      }
      default /* post */: {
        const va = this.memory.vaOf(xl[u.rn], xh[u.rn]);
        this.address(xl[u.rn], xh[u.rn], u.imm);
        this.wbLo = this.rl;
        this.wbHi = this.rh;
        return va;
      }
    }
  }

  // Loads and stores are separate functions (not one with a flag) so that each stays within V8's
  // inlining budget with the guest memory path it calls inlined.
  /** LDR*: returns false when the instruction did not complete (exception, exit). */
  protected load(u: Uop): boolean {
    const va = this.effectiveAddress(u);
    const writeback = u.mode === 1 || u.mode === 2;
    const mem = this.memory;
    const st = mem.read(va, 1 << u.size);
    if (st !== AccessStatus.OK) return this.memFailure(st, this.pcV, u.word, writeback ? null : { write: false, rt: u.rd, size: u.size, signed: u.signed, sf: u.sf });
    this.loadResult(u.rd, u.size, u.signed, u.sf, mem.lo, mem.hi);
    if (writeback) {
      this.xl[u.rn] = this.wbLo;
      this.xh[u.rn] = this.wbHi;
    }
    return true;
  }

  /** STR*: returns false when the instruction did not complete (exception, exit). */
  protected store(u: Uop): boolean {
    const va = this.effectiveAddress(u);
    const writeback = u.mode === 1 || u.mode === 2;
    const size = 1 << u.size;
    const st = this.memory.write(va, size, this.xl[u.rd], size === 8 ? this.xh[u.rd] : 0);
    if (st !== AccessStatus.OK) return this.memFailure(st, this.pcV, u.word, writeback ? null : { write: true, rt: u.rd, size: u.size, signed: false, sf: u.sf });
    if (writeback) {
      this.xl[u.rn] = this.wbLo;
      this.xh[u.rn] = this.wbHi;
    }
    return true;
  }

  protected loadStorePair(u: Uop, store: boolean): boolean {
    const pc = this.pcV; // not an argument: see exec
    const xl = this.xl;
    const xh = this.xh;
    let va: number;
    const base = this.address(xl[u.rn], xh[u.rn], u.mode === 2 /* post */ ? 0 : u.imm);
    va = base;
    this.address(xl[u.rn], xh[u.rn], u.imm);
    const wbLo = this.rl;
    const wbHi = this.rh;
    const size = 1 << u.size;
    const mem = this.memory;
    const va2 = va + size;
    if (store) {
      let st = mem.write(va, size, xl[u.rd], size === 8 ? xh[u.rd] : 0);
      if (st === AccessStatus.OK) st = mem.write(va2, size, xl[u.ra], size === 8 ? xh[u.ra] : 0);
      if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
    } else {
      let st = mem.read(va, size);
      if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
      const lo1 = mem.lo;
      const hi1 = mem.hi;
      st = mem.read(va2, size);
      if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
      // u.signed: LDPSW, which runs as this LDP.
      this.loadResult(u.rd, u.size, u.signed, u.sf, lo1, hi1);
      this.loadResult(u.ra, u.size, u.signed, u.sf, mem.lo, mem.hi);
    }
    if (u.mode !== 0 /* offset */) {
      xl[u.rn] = wbLo;
      xh[u.rn] = wbHi;
    }
    return true;
  }

  /**
   * Acts on a memory path outcome other than OK: a guest exception, an MMIO exit (only for a
   * single-register load/store without writeback, the accesses ESR_EL2.ISV describes), a skip,
   * or an error exit. Returns false (the instruction did not complete normally).
   */
  protected memFailure(st: AccessStatus, pc: number, word: number, mmio: Omit<PendingMmio, 'pc' | 'word' | 'readDone'> | null): false {
    const mem = this.memory;
    switch (st) {
      case AccessStatus.FAULT:
        this.abort(mem.fault!, pc, word);
        return false;
      case AccessStatus.MMIO: {
        const m = mem.mmio;
        if (mmio === null) {
          this.stop = {
            reason: 'internal_error',
            pc,
            detail: `MMIO access at IPA ${hex(m.addr)} by the instruction at PC=${hex(pc)} (word=${hexWord(word)}) cannot be emulated: no valid syndrome (ESR_EL2.ISV=0 for pairs, writeback, cache maintenance and instruction fetches)`,
          };
          return false;
        }
        // A literal of one shape, not a spread (which goes through the runtime): every MMIO exit comes here.
        this.pending = { write: mmio.write, rt: mmio.rt, size: mmio.size, signed: mmio.signed, sf: mmio.sf, pc, word, readDone: false };
        this.stop = { reason: 'mmio', pc, addr: m.addr, size: m.size, write: m.write, valueLo: m.valueLo, valueHi: m.valueHi };
        return false;
      }
      case AccessStatus.SKIP:
        this.retire(pc, word, pc + 4);
        return false;
      default:
        this.stop = { reason: 'internal_error', pc, detail: mem.exitDetail };
        return false;
    }
  }
}
