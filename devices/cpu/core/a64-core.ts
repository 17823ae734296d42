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
import { decode, formatInsn } from '../../../isa/a64/decoder';
import { notOnA72 } from '../../../isa/a64/beyond-v80';
import type { BeyondV80, Insn } from '../../../isa/a64/insn';
import { instructionClass } from '../../../isa/a64/classify';
import { AccessStatus } from '../guest-access';
import { SysRegs, sysRegName } from '../../../isa/a64/names';
import type { CoreExit, GuestCore, GuestException } from '../guest-interface';
import { BEYOND_V80_BASE, DECODE_BITS, DECODE_SIZE, LDST_BASE, SIMD_FP_BASE, SYSTEM_BASE, toUop, type Uop } from './decoded-ops';
import { EC } from './exceptions';
import { SCTLR_NTWI, SYSREG_OK, SYSREG_TRAP } from './system-registers';
import { SimdFp } from './simd-fp';
import { SP, ZR, TWO32, type A64CoreDeps } from './state';

const SYS = SysRegs;

/** `stop` when an instruction asks the loop to look at the interrupt inputs (not an exit). */
const RECHECK: CoreExit = { reason: 'insn_budget', pc: -1 };

export class A64Core extends SimdFp implements GuestCore, Disposable {
  private running = false;
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
    this.timer.reset();
    this.xl.fill(0);
    this.xh.fill(0);
    this.xl[0] = x0 | 0;
    this.xh[0] = Math.floor(x0 / TWO32) | 0;
    this.pcV = entry;
    this.n = this.z = this.c = this.v = 0;
    this.resetSystemRegisters();
    this.setEl(1);
    this.pending = null;
    this.resetSimd();
    this.stop = null;
    this.excStreak = 0;
    this.firstFaultV = null;
    this.brFrom.fill(NaN);
    this.brTo.fill(NaN);
    this.brNext = 0;
    this.noteJump(NaN, entry);
    this.memory.reset();
    this.clearExclusiveMonitor();
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
    if (code === undefined || !this.readSys(code)) throw new KvmsimError(`cpu${this.index}: no readable system register '${name}'`);
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
    this.running = true;
    try {
      // An interrupt that became pending while the core was out of run() (a GIC write by another
      // VCPU, a device, the timer), then the loop; an instruction that may have unmasked or raised
      // one (MSR DAIF, ERET, a timer or GIC register) breaks it with RECHECK to look again.
      this.takeInterrupt();
      for (;;) {
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
      if (this.stop !== RECHECK) break;
      this.stop = null;
      this.takeInterrupt();
      }
    } catch (e) {
      this.running = false;
      if (!(e instanceof KvmsimError)) throw e;
      xl[ZR] = 0;
      xh[ZR] = 0;
      this.stop = { reason: 'internal_error', pc: this.pcV, detail: `cpu${this.index} at PC=${hex(this.pcV)}: ${e.message}` };
    }
    this.running = false;
    if (this.stop === RECHECK) this.stop = null;
    return this.exitWith(this.stop ?? { reason: 'insn_budget', pc: this.pcV });
  }

  /** Breaks the loop at the end of the current instruction to look at the interrupt inputs, when running. */
  protected override interruptCheck(): void {
    if (this.running && this.stop === null) this.stop = RECHECK;
  }

  /** An MRS/MSR that did not complete: trapped to EL1 (EC 0x18), or UNDEFINED. */
  private sysRegFailure(r: number, pc: number, word: number, what: string, access: string): void {
    if (r === SYSREG_TRAP) this.sysRegTrap(pc, word, what);
    else this.undefinedInsn(pc, word, `${what}, not ${access} at EL${this.el}`);
  }

  /** WFI at EL0 with SCTLR_EL1.nTWI clear: EC 0x01, ISS CV=1 COND=0xE TI (0: WFI). */
  private wfxTrap(pc: number, word: number, ti: number): void {
    this.takeException(EC.WFX, (1 << 24) | (0xe << 20) | ti, pc, -1, `${ti ? 'WFE' : 'WFI'} at EL0 trapped to EL1 at PC=${hex(pc)}`, word);
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
        // pc & 0xfff: the low bits of a TTBR1-range PC too (a negative number).
        this.fromNumber(pc - (pc & 0xfff) + u.imm);
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
        const target = this.memory.vaOf(xl[u.rn], xh[u.rn]);
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
        // WFE completes at once (as if the event register were always set), so it never enters
        // a low-power state and SCTLR_EL1.nTWE never traps it (the architecture traps only a
        // WFE that would wait; QEMU does the same).
        break;
      case 62 /* WFI */:
        if (this.el === 0 && (this.memory.sctlr & SCTLR_NTWI) === 0) {
          this.wfxTrap(pc, u.word, 0);
          return;
        }
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
      case 70 /* MRS */: {
        const r = this.mrs(u.imm);
        if (r !== SYSREG_OK) {
          this.sysRegFailure(r, pc, u.word, `MRS of ${sysRegName(u.imm)}`, 'accessible');
          return;
        }
        xl[u.rd] = this.rl;
        xh[u.rd] = this.rh;
        break;
      }
      case 71 /* MSR */: {
        const r = this.msr(u.imm, xl[u.rd], xh[u.rd]);
        if (r !== SYSREG_OK) {
          this.sysRegFailure(r, pc, u.word, `MSR to ${sysRegName(u.imm, true)}`, 'writable');
          return;
        }
        break;
      }
      case 72 /* MSR_IMM */: {
        const r = this.msrImm(u.shift, u.imm);
        if (r !== SYSREG_OK) {
          this.sysRegFailure(r, pc, u.word, `MSR ${u.insn.op === 'MSR_IMM' ? u.insn.field : 'PSTATE'}`, 'writable');
          return;
        }
        break;
      }
      case 73 /* UNDEFINED */:
        this.undefinedInsn(pc, u.word, outsideSubset(u.word));
        return;
      default:
        // The ops beyond the original subset: one method per encoding group, each in its own
        // file, so the hot cases above keep their dense jump table.
        if (opc >= BEYOND_V80_BASE) {
          this.undefinedInsn(pc, u.word, notOnA72(u.insn as Insn & BeyondV80, formatInsn(u.insn, pc)));
          return;
        }
        if (opc < LDST_BASE) this.execDataProcessing(u);
        else if (!(opc < SYSTEM_BASE ? this.execLoadStore(u, pc) : opc < SIMD_FP_BASE ? this.execSystem(u, pc) : this.execSimdFp(u, pc))) return;
        break;
    }
    this.retire(pc, u.word, pc + 4);
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
