/**
 * The A64 core: an interpreter of the A64 subset (isa/a64/insn.ts) at EL1, one per VCPU.
 *
 * Every instruction is fetched through the guest memory path, so the word executed is the one
 * the L1 I-cache (or memory) gives: a stale line runs the stale instruction. Decoded instructions
 * are cached by the fetched word only (decode is a pure function of the word), never by address.
 *
 * Registers are two Int32Arrays of low and high halves: X0-X30, ZR (31, zeroed after every
 * instruction) and the current SP (32); SP_EL0 and SP_EL1 are banked by PSTATE.SPSel.
 *
 * EL2 is the GuestHypervisor: stage-2 aborts (through GuestMemory), TVM-trapped writes of
 * SCTLR_EL1 / TTBR0_EL1 / TCR_EL1 / MAIR_EL1, trapped DC set/way. HVC calls PSCI or exits to the
 * VMM; what the VMM must do comes out of `run()` as a CoreExit.
 */
import { hex, hexWord, KvmsimError, type Disposable } from '../../../core';
import { decode } from '../../../isa/a64/decoder';
import { instructionClass } from '../../../isa/a64/classify';
import { SysRegs, sysRegName } from '../../../isa/a64/names';
import { AccessStatus } from '../guest-access';
import type { CoreExit, GuestCore, GuestException } from '../guest-interface';
import { cacheLevels } from '../id-registers';
import { DC_NAMES, DECODE_BITS, DECODE_SIZE, toUop, type Uop } from './decoded-ops';
import { EC, Exceptions } from './exceptions';
import { SP, ZR, TWO32, type A64CoreDeps } from './state';

const SYS = SysRegs;

/** What an MMIO exit left to finish when the VMM comes back. */
interface PendingMmio {
  write: boolean;
  rt: number;
  size: number;
  signed: boolean;
  sf: boolean;
  pc: number;
  word: number;
  readDone: boolean;
}

export class A64Core extends Exceptions implements GuestCore, Disposable {
  private pending: PendingMmio | null = null;
  // The new base register of a pre- or post-indexed load or store.
  private wbLo = 0;
  private wbHi = 0;
  // Decoded instructions: way 0 of set h at [2h], way 1 at [2h + 1].
  private readonly dcUop: (Uop | undefined)[] = new Array<Uop | undefined>(DECODE_SIZE).fill(undefined);

  constructor(d: A64CoreDeps) {
    super(d);
    this.reset(0);
  }

  get pc(): number {
    return this.pcV;
  }

  get retired(): number {
    return this.retiredV;
  }

  get sctlr(): number {
    return this.memory.sctlr;
  }

  /** The first exception since reset the guest did not ask for (anything but SVC). */
  get firstFault(): GuestException | null {
    return this.firstFaultV;
  }

  reset(entry: number, x0 = 0): void {
    this.xl.fill(0);
    this.xh.fill(0);
    this.xl[0] = x0 | 0;
    this.xh[0] = Math.floor(x0 / TWO32) | 0;
    this.pcV = entry;
    this.n = this.z = this.c = this.v = 0;
    this.daif = 0xf;
    this.spsel = 1;
    this.spEl0Lo = this.spEl0Hi = this.spEl1Lo = this.spEl1Hi = 0;
    this.sysLo.clear();
    this.sysHi.clear();
    this.pending = null;
    this.stop = null;
    this.excStreak = 0;
    this.firstFaultV = null;
    this.brFrom.fill(NaN);
    this.brTo.fill(NaN);
    this.brNext = 0;
    this.noteJump(NaN, entry);
    this.memory.reset();
  }

  /** Stops listening to the bus (the translation cache's stage-2 events). */
  dispose(): void {
    this.memory.dispose();
  }

  getX(n: number): { lo: number; hi: number } {
    checkReg(n);
    return { lo: this.xl[n] >>> 0, hi: this.xh[n] >>> 0 };
  }

  setX(n: number, lo: number, hi = 0): void {
    checkReg(n);
    this.xl[n] = lo | 0;
    this.xh[n] = hi | 0;
  }

  /** The current SP as halves. */
  getSp(): { lo: number; hi: number } {
    return { lo: this.xl[SP] >>> 0, hi: this.xh[SP] >>> 0 };
  }

  /** A system register by its architectural name (`ESR_EL1`, `VBAR_EL1`, `CTR_EL0`...), as MRS reads it. */
  readSysReg(name: string): { lo: number; hi: number } {
    const code = SYS[name];
    if (code === undefined || !this.mrs(code)) throw new KvmsimError(`cpu${this.index}: no readable system register '${name}'`);
    return { lo: this.rl >>> 0, hi: this.rh >>> 0 };
  }

  completeMmioRead(valueLo: number, valueHi = 0): void {
    const p = this.pending;
    if (p === null || p.write) throw new KvmsimError(`cpu${this.index}: completeMmioRead without a pending MMIO read (PC=${hex(this.pcV)})`);
    this.loadResult(p.rt, p.size, p.signed, p.sf, valueLo >>> 0, valueHi >>> 0);
    p.readDone = true;
  }

  run(budget: number): CoreExit {
    this.stop = null;
    if (this.pending !== null) {
      const p = this.pending;
      if (!p.write && !p.readDone) {
        return this.exitWith({ reason: 'internal_error', pc: p.pc, detail: `run() called before completeMmioRead for the MMIO read at PC=${hex(p.pc)}` });
      }
      this.pending = null;
      this.retire(p.pc, p.word, p.pc + 4);
    }
    const end = this.retiredV + budget;
    const mem = this.memory;
    const clock = this.clock;
    const xl = this.xl;
    const xh = this.xh;
    const dcUop = this.dcUop;
    try {
      while (this.retiredV < end) {
        const pc = this.pcV;
        if ((pc & 3) !== 0) {
          this.takeException(EC.PC_ALIGNMENT, 0, pc, pc, `PC alignment fault at PC=${hex(pc)}`, null);
          if (this.stop !== null) break;
          continue;
        }
        mem.pc = pc;
        const st = mem.fetch(pc);
        if (st !== AccessStatus.OK) {
          this.memFailure(st, pc, 0, null);
          if (this.stop !== null) break;
          continue;
        }
        const word = mem.lo | 0;
        const h = (Math.imul(word, 0x9e3779b1) >>> (32 - DECODE_BITS)) << 1;
        let u = dcUop[h];
        if (u === undefined || u.word !== word) {
          u = dcUop[h + 1];
          if (u === undefined || u.word !== word) u = this.decodeInto(h, word);
        }
        clock.advance(1);
        this.exec(u);
        xl[ZR] = 0;
        xh[ZR] = 0;
        if (this.stop !== null) break;
      }
    } catch (e) {
      if (!(e instanceof KvmsimError)) throw e;
      xl[ZR] = 0;
      xh[ZR] = 0;
      this.stop = { reason: 'internal_error', pc: this.pcV, detail: `cpu${this.index} at PC=${hex(this.pcV)}: ${e.message}` };
    }
    return this.exitWith(this.stop ?? { reason: 'insn_budget', pc: this.pcV });
  }

  private exitWith(e: CoreExit): CoreExit {
    this.exits.value++;
    this.stop = null;
    return e;
  }

  /** Decodes `word` into way 0 of set `h` (an even index), the previous way 0 moving to way 1. */
  private decodeInto(h: number, word: number): Uop {
    this.decodes.value++;
    const u = toUop(decode(word));
    this.dcUop[h + 1] = this.dcUop[h];
    this.dcUop[h] = u;
    return u;
  }

  /** A branch at `pc` completed: remembered when taken, then retired. */
  protected override jump(pc: number, word: number, next: number): void {
    if (next !== pc + 4) this.noteJump(pc, next);
    this.retire(pc, word, next);
  }

  /** The instruction at `pc` completed: next PC, count, hook. */
  protected override retire(pc: number, word: number, next: number): void {
    this.pcV = next;
    this.retiredV++;
    if (this.inst.insnHooks !== null) this.inst.fireInstruction({ cpu: this.index, pc, word: word >>> 0 });
  }

  /**
   * Executes `u`, the instruction at PC. The PC is read here rather than passed: guest RAM sits
   * above 2^30, beyond V8's small integers, so a PC argument to this (not inlined) call would be
   * boxed as a heap number on every instruction.
   */
  private exec(u: Uop): void {
    const pc = this.pcV;
    const xl = this.xl;
    const xh = this.xh;
    const opc = u.opc;
    switch (opc) {
      case 0 /* MOVZ */:
        xl[u.rd] = u.wLo;
        xh[u.rd] = u.sf ? u.wHi : 0;
        break;
      case 1 /* MOVN */:
        xl[u.rd] = ~u.wLo;
        xh[u.rd] = u.sf ? ~u.wHi : 0;
        break;
      case 2 /* MOVK */: {
        const s = u.immHi;
        if (s < 32) xl[u.rd] = (xl[u.rd] & ~(0xffff << s)) | (u.imm << s);
        else xh[u.rd] = (xh[u.rd] & ~(0xffff << (s - 32))) | (u.imm << (s - 32));
        if (!u.sf) xh[u.rd] = 0;
        break;
      }
      case 3 /* ADD_IMM */:
        this.add64(xl[u.rn], xh[u.rn], u.imm, 0, 0);
        this.setRd(u.rd, u.sf);
        break;
      case 4 /* ADDS_IMM */:
        this.addSub(u.sf, xl[u.rn], xh[u.rn], u.imm, 0, 0, true);
        this.setRd(u.rd, u.sf);
        break;
      case 5 /* SUB_IMM */:
        this.add64(xl[u.rn], xh[u.rn], ~u.imm, -1, 1);
        this.setRd(u.rd, u.sf);
        break;
      case 6 /* SUBS_IMM */:
        this.addSub(u.sf, xl[u.rn], xh[u.rn], ~u.imm, -1, 1, true);
        this.setRd(u.rd, u.sf);
        break;
      case 7 /* ADD_REG */:
      case 8 /* ADDS_REG */:
        this.shifted(u.sf, u.rm, u.shiftType, u.shift);
        if (opc === 8) this.addSub(u.sf, xl[u.rn], xh[u.rn], this.rl, this.rh, 0, true);
        else this.add64(xl[u.rn], xh[u.rn], this.rl, this.rh, 0);
        this.setRd(u.rd, u.sf);
        break;
      case 9 /* SUB_REG */:
      case 10 /* SUBS_REG */:
        this.shifted(u.sf, u.rm, u.shiftType, u.shift);
        if (opc === 10) this.addSub(u.sf, xl[u.rn], xh[u.rn], ~this.rl, ~this.rh, 1, true);
        else this.add64(xl[u.rn], xh[u.rn], ~this.rl, ~this.rh, 1);
        this.setRd(u.rd, u.sf);
        break;
      case 11 /* AND_IMM */:
      case 12 /* ORR_IMM */:
      case 13 /* EOR_IMM */:
      case 14 /* ANDS_IMM */:
        this.logic(opc === 12 ? 1 : opc === 13 ? 2 : 0, u.sf, xl[u.rn], xh[u.rn], u.imm, u.immHi, opc === 14);
        this.setRd(u.rd, u.sf);
        break;
      case 15 /* AND_REG */:
      case 16 /* BIC_REG */:
      case 17 /* ORR_REG */:
      case 18 /* ORN_REG */:
      case 19 /* EOR_REG */:
      case 20 /* EON_REG */:
      case 21 /* ANDS_REG */:
      case 22 /* BICS_REG */: {
        this.shifted(u.sf, u.rm, u.shiftType, u.shift);
        const invert = opc === 16 || opc === 18 || opc === 20 || opc === 22;
        const kind = opc === 17 || opc === 18 ? 1 : opc === 19 || opc === 20 ? 2 : 0;
        this.logic(kind, u.sf, xl[u.rn], xh[u.rn], invert ? ~this.rl : this.rl, invert ? ~this.rh : this.rh, opc >= 21);
        this.setRd(u.rd, u.sf);
        break;
      }
      case 23 /* SBFM */:
      case 24 /* UBFM */:
        this.bitfield(u, opc === 23);
        break;
      case 25 /* EXTR */:
        this.extr(u);
        break;
      case 26 /* MADD */:
      case 27 /* MSUB */:
        this.mul(xl[u.rn], xh[u.rn], xl[u.rm], xh[u.rm]);
        if (opc === 26) this.add64(xl[u.ra], xh[u.ra], this.rl, this.rh, 0);
        else this.add64(xl[u.ra], xh[u.ra], ~this.rl, ~this.rh, 1);
        this.setRd(u.rd, u.sf);
        break;
      case 28 /* UDIV */:
      case 29 /* SDIV */:
      case 30 /* LSLV */:
      case 31 /* LSRV */:
      case 32 /* ASRV */:
      case 33 /* RORV */:
        this.dataProc2(u, opc);
        break;
      case 34 /* CSEL */:
      case 35 /* CSINC */:
      case 36 /* CSINV */:
      case 37 /* CSNEG */:
        if (this.cond(u.cond)) {
          this.rl = xl[u.rn];
          this.rh = xh[u.rn];
        } else {
          let lo = xl[u.rm];
          let hi = xh[u.rm];
          if (opc === 36 || opc === 37) {
            lo = ~lo;
            hi = ~hi;
          }
          if (opc === 35 || opc === 37) this.add64(lo, hi, 1, 0, 0);
          else {
            this.rl = lo;
            this.rh = hi;
          }
        }
        this.setRd(u.rd, u.sf);
        break;
      case 38 /* LDR */:
      case 39 /* STR */:
        if (!(opc === 38 ? this.load(u) : this.store(u))) return;
        break;
      case 40 /* LDP */:
      case 41 /* STP */:
        if (!this.loadStorePair(u, opc === 41)) return;
        break;
      case 42 /* ADR */:
        this.fromNumber(pc + u.imm);
        xl[u.rd] = this.rl;
        xh[u.rd] = this.rh;
        break;
      case 43 /* ADRP */:
        this.fromNumber(pc - (pc % 4096) + u.imm);
        xl[u.rd] = this.rl;
        xh[u.rd] = this.rh;
        break;
      case 44 /* B */:
        this.jump(pc, u.word, pc + u.imm);
        return;
      case 45 /* BL */:
        this.fromNumber(pc + 4);
        xl[30] = this.rl;
        xh[30] = this.rh;
        this.jump(pc, u.word, pc + u.imm);
        return;
      case 46 /* B_COND */:
        this.jump(pc, u.word, this.cond(u.cond) ? pc + u.imm : pc + 4);
        return;
      case 47 /* CBZ */:
      case 48 /* CBNZ */: {
        const zero = u.sf ? (xl[u.rd] | xh[u.rd]) === 0 : xl[u.rd] === 0;
        this.jump(pc, u.word, zero === (opc === 47) ? pc + u.imm : pc + 4);
        return;
      }
      case 49 /* TBZ */:
      case 50 /* TBNZ */: {
        const b = u.shift;
        const bit = b < 32 ? (xl[u.rd] >>> b) & 1 : (xh[u.rd] >>> (b - 32)) & 1;
        this.jump(pc, u.word, (bit === 0) === (opc === 49) ? pc + u.imm : pc + 4);
        return;
      }
      case 51 /* BR */:
      case 52 /* BLR */:
      case 53 /* RET */: {
        const target = (xh[u.rn] >>> 0) * TWO32 + (xl[u.rn] >>> 0);
        if (opc === 52) {
          this.fromNumber(pc + 4);
          xl[30] = this.rl;
          xh[30] = this.rh;
        }
        this.jump(pc, u.word, target);
        return;
      }
      case 54 /* SVC */:
        // The preferred return is the next instruction: the SVC itself retires.
        this.retire(pc, u.word, pc + 4);
        this.takeException(EC.SVC64, u.imm, pc + 4, -1, `SVC #${u.imm} at PC=${hex(pc)}`, u.word);
        return;
      case 55 /* HVC */:
        this.hvc(u, pc);
        return;
      case 56 /* SMC */:
        // KVM traps SMC (HCR_EL2.TSC) and injects an undefined instruction exception.
        this.undefinedInsn(pc, u.word, 'SMC (KVM injects an undefined instruction exception)');
        return;
      case 57 /* BRK */:
        this.takeException(EC.BRK64, u.imm, pc, -1, `BRK #${u.imm} at PC=${hex(pc)}`, u.word);
        return;
      case 58 /* ERET */:
        this.eret(pc, u.word);
        return;
      case 59 /* NOP */:
      case 60 /* YIELD */:
      case 61 /* WFE */:
      case 63 /* SEV */:
      case 64 /* SEVL */:
        break;
      case 62 /* WFI */:
        this.retire(pc, u.word, pc + 4);
        this.stop = { reason: 'wfi', pc };
        return;
      case 65 /* DSB */:
      case 67 /* ISB */:
        // Barriers order nothing here (accesses complete in program order) but cost time.
        this.clock.advance(this.barrierCost);
        break;
      case 66 /* DMB */:
        this.clock.advance(Math.ceil(this.barrierCost / 2));
        break;
      case 68 /* DC */:
        if (!this.dc(u, pc)) return;
        break;
      case 69 /* IC */:
        if (!this.ic(u, pc)) return;
        break;
      case 70 /* MRS */:
        if (!this.mrs(u.imm)) {
          this.undefinedInsn(pc, u.word, `MRS of ${sysRegName(u.imm)}, not accessible at EL1`);
          return;
        }
        xl[u.rd] = this.rl;
        xh[u.rd] = this.rh;
        break;
      case 71 /* MSR */:
        if (this.msr(u.imm, xl[u.rd], xh[u.rd]) === 0) {
          this.undefinedInsn(pc, u.word, `MSR to ${sysRegName(u.imm)}, not writable at EL1`);
          return;
        }
        break;
      case 72 /* MSR_IMM */:
        this.msrImm(u.shift, u.imm);
        break;
      default /* UNDEFINED */:
        this.undefinedInsn(pc, u.word, outsideSubset(u.word));
        return;
    }
    this.retire(pc, u.word, pc + 4);
  }

  /** Writes a loaded value to Rt with the load's extension. */
  private loadResult(rt: number, size: number, signed: boolean, sf: boolean, lo: number, hi: number): void {
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

  /** rl/rh = Xn + imm (64-bit), and returns the VA as a double (>= 2^48 when out of every range). */
  private address(baseLo: number, baseHi: number, imm: number): number {
    const s = (baseLo >>> 0) + imm;
    const lo = s | 0;
    const hi = (baseHi + Math.floor(s / TWO32)) | 0;
    this.rl = lo;
    this.rh = hi;
    return (hi >>> 0) * TWO32 + (lo >>> 0);
  }

  /**
   * The VA of a single-register load or store, as a double (>= 2^48 when out of every range);
   * with pre- or post-indexing the new base is left in wbLo/wbHi.
   */
  private effectiveAddress(u: Uop): number {
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
        return (this.rh >>> 0) * TWO32 + (this.rl >>> 0);
      }
      case 1 /* pre */: {
        const va = this.address(xl[u.rn], xh[u.rn], u.imm);
        this.wbLo = this.rl;
        this.wbHi = this.rh;
        return va;
      }
      default /* post */: {
        const va = (xh[u.rn] >>> 0) * TWO32 + (xl[u.rn] >>> 0);
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
  private load(u: Uop): boolean {
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
  private store(u: Uop): boolean {
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

  private loadStorePair(u: Uop, store: boolean): boolean {
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
      this.loadResult(u.rd, u.size, false, u.sf, lo1, hi1);
      this.loadResult(u.ra, u.size, false, u.sf, mem.lo, mem.hi);
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
  private memFailure(st: AccessStatus, pc: number, word: number, mmio: Omit<PendingMmio, 'pc' | 'word' | 'readDone'> | null): false {
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

  private dc(u: Uop, pc: number): boolean {
    const lo = this.xl[u.rd];
    const hi = this.xh[u.rd];
    const va = (hi >>> 0) * TWO32 + (lo >>> 0);
    const mem = this.memory;
    const name = DC_NAMES[u.imm];
    let st: AccessStatus;
    switch (name) {
      case 'CIVAC':
      case 'CVAC':
      case 'CVAU':
      case 'IVAC':
        st = mem.dcByVa(`DC ${name}`, va);
        break;
      case 'ZVA':
        st = mem.dcZva(va);
        break;
      default: {
        // Set/way: KVM traps them (HCR_EL2.TSW); executed here only when the hypervisor declines.
        const op = `DC ${name}` as const;
        if (!this.hyp.setWayOp(this.index, op)) this.setWayLocal(op, lo >>> 0);
        return true;
      }
    }
    if (st === AccessStatus.OK) return true;
    return this.memFailure(st, pc, u.word, null);
  }

  /** A DC ISW/CSW/CISW on this core: Xt holds Level [3:1], Set and Way as the CCSIDR geometry packs them. */
  private setWayLocal(op: 'DC ISW' | 'DC CSW' | 'DC CISW', xt: number): void {
    const level = ((xt >>> 1) & 7) + 1;
    if (level > cacheLevels(this.topology)) return; // no such level: nothing to do
    const shape = this.ms.cacheShape(this.index, level);
    const lineBits = Math.round(Math.log2(this.ms.lineSize));
    const wayBits = Math.ceil(Math.log2(shape.ways));
    const way = wayBits === 0 ? 0 : xt >>> (32 - wayBits);
    const set = (xt >>> lineBits) & ((1 << Math.ceil(Math.log2(shape.sets))) - 1);
    if (set >= shape.sets || way >= shape.ways) return;
    // HCR_EL2.SWIO: an invalidate by set/way at EL1 cleans as well.
    this.ms.dcSetWay(op === 'DC ISW' ? 'DC CISW' : op, this.index, level, set, way);
  }

  private ic(u: Uop, pc: number): boolean {
    if (u.imm !== 2 /* IVAU */) {
      // IC IALLUIS; and IC IALLU, which HCR_EL2.FB broadcasts to the Inner Shareable domain at EL1.
      this.ms.ic('IC IALLUIS', this.index);
      return true;
    }
    const va = (this.xh[u.rd] >>> 0) * TWO32 + (this.xl[u.rd] >>> 0);
    const st = this.memory.icIvau(va);
    if (st === AccessStatus.OK) return true;
    return this.memFailure(st, pc, u.word, null);
  }
}

/** Why a word the decoder does not know is undefined: its instruction class, when it has one. */
function outsideSubset(word: number): string {
  const c = instructionClass(word);
  return c === undefined ? 'outside the modelled A64 subset' : `outside the modelled A64 subset: ${c}`;
}

function checkReg(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new KvmsimError(`X register ${n} does not exist (0-30)`);
}
