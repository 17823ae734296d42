/**
 * Synchronous exceptions to EL1 from EL1 or EL0 (aborts, UNDEFINED, SVC, BRK, PC alignment,
 * trapped system register accesses and WFI/WFE), ERET to EL1 or EL0, HVC (an exit to
 * KVM), and the record of the first unexpected exception with what ran before it.
 */
import { hex, hexWord } from '../../../core';
import type { GuestException } from '../guest-interface';
import type { IrqLine } from '../../platform/irq';
import type { GuestFault } from '../guest-fault';
import type { Uop } from './decoded-ops';
import { TWO32 } from './state';
import { SystemRegisters } from './system-registers';

/** Exception classes (ESR_ELx.EC). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  ILLEGAL_STATE: 0x0e,
  SVC64: 0x15,
  SYSREG: 0x18,
  INSN_ABORT_LOWER_EL: 0x20,
  INSN_ABORT_SAME_EL: 0x21,
  PC_ALIGNMENT: 0x22,
  DATA_ABORT_LOWER_EL: 0x24,
  DATA_ABORT_SAME_EL: 0x25,
  BRK64: 0x3c,
} as const;

/** PSTATE.M for EL0, and EL1 with SP_EL0 / SP_EL1. */
const M_EL0T = 0b0000;
const M_EL1T = 0b0100;
const M_EL1H = 0b0101;
/** SPSR_EL1.IL: the return was illegal. */
const SPSR_IL = 1 << 20;
const ESR_IL = 1 << 25;
/** Consecutive exceptions without a retired instruction before the core gives up. */
const MAX_EXCEPTION_STREAK = 32;
/**
 * What ran before an unexpected exception: the last BRANCHES changes of control flow (taken
 * branches, ERET, exceptions, reset) are kept — a store per taken branch, nothing per
 * instruction — and the straight-line runs between them give back the last RECENT PCs.
 */
const BRANCHES = 8;
const RECENT = 16;

/** An interrupt input of the core (IRQ or FIQ): a level the GIC's CPU interface drives. */
export class InterruptInput implements IrqLine {
  level = false;
  constructor(private readonly onRise: () => void) {}
  set(level: boolean): void {
    this.level = level;
    if (level) this.onRise();
  }
}

export abstract class Exceptions extends SystemRegisters {
  /** IRQ and FIQ, driven by the interrupt controller (KVM wires the vgic's outputs here). */
  readonly irqInput = new InterruptInput(() => this.interruptCheck());
  readonly fiqInput = new InterruptInput(() => this.interruptCheck());
  /** Ring of control-flow changes (from → to); brNext is the slot written next. NaN: empty, or (from) reset. */
  protected readonly brFrom = new Float64Array(BRANCHES);
  protected readonly brTo = new Float64Array(BRANCHES);
  protected brNext = 0;
  protected firstFaultV: GuestException | null = null;
  protected excStreak = 0;
  protected excRetired = -1;

  /** Remembers a change of control flow (for the report of an unexpected exception). */
  protected noteJump(from: number, to: number): void {
    const i = this.brNext;
    this.brFrom[i] = from;
    this.brTo[i] = to;
    this.brNext = (i + 1) & (BRANCHES - 1);
  }

  /** The last RECENT instructions before `pc` (oldest first), from the straight-line runs between jumps. */
  protected recentPcs(pc: number): number[] {
    const out: number[] = [];
    let end = pc;
    for (let k = 1; k <= BRANCHES && out.length < RECENT; k++) {
      const i = (this.brNext - k) & (BRANCHES - 1);
      const to = this.brTo[i];
      const from = this.brFrom[i];
      if (Number.isNaN(to)) break;
      for (let a = end - 4; a >= to && out.length < RECENT; a -= 4) out.push(a);
      if (Number.isNaN(from) || out.length >= RECENT) break;
      out.push(from);
      end = from;
    }
    return out.reverse();
  }

  /**
   * Takes a synchronous exception to EL1: ESR_EL1, FAR_EL1 (when `far` >= 0), ELR_EL1, SPSR_EL1,
   * then PSTATE = EL1h with DAIF masked and PC = VBAR_EL1 + 0x200 (0x000 from EL1t, 0x400 from
   * EL0). With VBAR_EL1 still 0 there is no vector table: the VCPU stops with a guest_fault exit
   * instead. `spsrExtra`: PSTATE bits beyond NZCV/DAIF/M to save (IL).
   */
  protected takeException(ec: number, iss: number, elr: number, far: number, what: string, word: number | null, spsrExtra = 0): void {
    const vbar = this.sys('VBAR_EL1');
    const pc = this.pcV;
    const esr = ((ec << 26) | ESR_IL | (iss & 0x1ffffff)) >>> 0;
    // Aborts always set FAR_EL1 (a TTBR1 VA is a negative number); other classes pass -1 for none.
    const setsFar = far >= 0 || ec === EC.INSN_ABORT_SAME_EL || ec === EC.DATA_ABORT_SAME_EL;
    if (ec !== EC.SVC64 && this.firstFaultV === null) this.firstFaultV = this.faultRecord(ec, esr, elr, far, pc, word, what, vbar);
    if (vbar === 0) {
      this.stop = { reason: 'guest_fault', pc, detail: `${what}; VBAR_EL1 is 0 (no vector table), so the exception cannot be taken${this.firstNote(pc, what)}` };
      return;
    }
    if (this.excRetired === this.retiredV) {
      if (++this.excStreak >= MAX_EXCEPTION_STREAK) {
        this.stop = { reason: 'guest_fault', pc, detail: `exception loop: ${MAX_EXCEPTION_STREAK} exceptions without a retired instruction, the last: ${what}${this.firstNote(pc, what)}` };
        this.excStreak = 0;
        return;
      }
    } else {
      this.excStreak = 1;
      this.excRetired = this.retiredV;
    }
    this.exceptions.value++;
    const fromSpsel = this.spsel;
    const fromEl0 = this.el === 0;
    const m = fromEl0 ? M_EL0T : fromSpsel ? M_EL1H : M_EL1T;
    this.setSys('SPSR_EL1', (this.nzcv | (this.daif << 6) | spsrExtra | m) >>> 0);
    this.setSys('ELR_EL1', elr);
    this.setSys('ESR_EL1', esr);
    if (setsFar) this.setSys('FAR_EL1', far);
    this.daif = 0xf;
    this.setSpsel(1);
    if (fromEl0) this.setEl(1);
    this.pcV = vbar + (fromEl0 ? 0x400 : fromSpsel ? 0x200 : 0);
    this.noteJump(pc, this.pcV);
  }

  /**
   * Takes the IRQ or FIQ exception the inputs ask for, when PSTATE does not mask it (FIQ first):
   * SPSR_EL1 and ELR_EL1 (the next instruction) saved, PSTATE = EL1h with DAIF masked, PC = the
   * vector (VBAR_EL1 + 0x080 / 0x100 from EL1t, 0x280 / 0x300 from EL1h, 0x480 / 0x500 from EL0).
   * Returns true when one was taken.
   */
  protected takeInterrupt(): boolean {
    const fiq = this.fiqInput.level && (this.daif & 1) === 0;
    const irq = !fiq && this.irqInput.level && (this.daif & 2) === 0;
    if (!fiq && !irq) return false;
    const pc = this.pcV;
    const fromEl0 = this.el === 0;
    const fromSpsel = this.spsel;
    const m = fromEl0 ? M_EL0T : fromSpsel ? M_EL1H : M_EL1T;
    this.setSys('SPSR_EL1', (this.nzcv | (this.daif << 6) | m) >>> 0);
    this.setSys('ELR_EL1', pc);
    this.daif = 0xf;
    this.setSpsel(1);
    if (fromEl0) this.setEl(1);
    this.interrupts.value++;
    this.pcV = this.sys('VBAR_EL1') + (fromEl0 ? 0x400 : fromSpsel ? 0x200 : 0) + (fiq ? 0x100 : 0x80);
    this.noteJump(pc, this.pcV);
    return true;
  }

  /** Changes the exception level; the memory path checks EL0's permissions while it is 0. */
  protected setEl(el: number): void {
    this.el = el;
    this.memory.unprivileged = el === 0;
  }

  /**
   * A system register access or instruction trapped to EL1 (EC 0x18): ISS = Op0, Op2, Op1, CRn,
   * Rt, CRm and the direction (1 = read), as ESR_ELx.ISS encodes them for MRS, MSR and SYS.
   */
  protected sysRegTrap(pc: number, word: number, what: string): void {
    const w = word >>> 0;
    const op0 = (w >>> 19) & 3;
    const iss = (op0 << 20) | (((w >>> 5) & 7) << 17) | (((w >>> 16) & 7) << 14) | (((w >>> 12) & 15) << 10) | ((w & 31) << 5) | (((w >>> 8) & 15) << 1) | ((w >>> 21) & 1);
    this.takeException(EC.SYSREG, iss, pc, -1, `${what} at EL0 trapped to EL1 at PC=${hex(pc)}`, word);
  }

  /** The record of an unexpected exception, with the instructions that ran before it. */
  protected faultRecord(ec: number, esr: number, elr: number, far: number, pc: number, word: number | null, what: string, vbar: number): GuestException {
    const recent = this.recentPcs(pc);
    const e: GuestException = { ec, esr, elr, far: far >= 0 || ec === EC.INSN_ABORT_SAME_EL || ec === EC.DATA_ABORT_SAME_EL ? far : null, pc, word: word === null ? null : word >>> 0, what, vbar, retired: this.retiredV, recent };
    const pa = word === null ? undefined : this.memory.fetchedPa(pc);
    if (pa !== undefined) {
      const b = new Uint8Array(4);
      this.ms.peekBytes(pa, b);
      const inMemory = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
      if (inMemory !== e.word) e.memoryWord = inMemory;
    }
    return e;
  }

  /** "; the first unexpected exception: ..." when the one being reported is not the first. */
  protected firstNote(pc: number, what: string): string {
    const f = this.firstFaultV;
    if (f === null || (f.pc === pc && f.what === what && f.retired === this.retiredV)) return '';
    return `; the first unexpected exception (after ${f.retired} instructions): ${f.what}`;
  }

  protected abort(f: GuestFault, pc: number, word: number): void {
    const iss = f.fsc | (f.wnr ? 1 << 6 : 0) | (f.s1ptw ? 1 << 7 : 0) | (f.cm ? 1 << 8 : 0);
    const lower = this.el === 0 ? 1 : 0;
    // The lower-EL classes are the same-EL ones minus one (0x20 / 0x24).
    this.takeException((f.instruction ? EC.INSN_ABORT_SAME_EL : EC.DATA_ABORT_SAME_EL) - lower, iss, pc, f.va, `${f.instruction ? 'instruction' : 'data'} abort at PC=${hex(pc)}: ${f.description}`, f.instruction ? null : word);
  }

  /** An UNDEFINED encoding: an exception with EC=0, or an undefined_instruction exit while VBAR_EL1 is 0. */
  protected undefinedInsn(pc: number, word: number, why: string): void {
    const what = `undefined instruction at PC=${hex(pc)}, word=${hexWord(word)} (${why})`;
    const vbar = this.sys('VBAR_EL1');
    if (vbar === 0) {
      if (this.firstFaultV === null) this.firstFaultV = this.faultRecord(EC.UNKNOWN, ESR_IL >>> 0, pc, -1, pc, word, what, 0);
      this.stop = { reason: 'undefined_instruction', pc, word: word >>> 0, detail: `${what}${this.firstNote(pc, what)}` };
      return;
    }
    this.takeException(EC.UNKNOWN, 0, pc, -1, what, word);
  }

  /**
   * ERET at EL1: PSTATE from SPSR_EL1 and PC = ELR_EL1, to EL0t, EL1t or EL1h. ERET at EL0 is
   * UNDEFINED. Any other SPSR_EL1.M (AArch32, EL2, EL3, or M[4:0] reserved) is an illegal
   * exception return: the EL and SP stay, PSTATE.IL is set, and the instruction at ELR_EL1 takes
   * the Illegal Execution state exception (EC 0x0E) before it executes; as it does after a
   * return with SPSR_EL1.IL set.
   */
  protected eret(pc: number, word: number): void {
    if (this.el === 0) {
      this.undefinedInsn(pc, word, 'ERET at EL0');
      return;
    }
    const spsr = this.sys('SPSR_EL1') >>> 0;
    const m = spsr & 0x1f;
    const target = this.sys('ELR_EL1');
    this.n = (spsr >>> 31) & 1;
    this.z = (spsr >>> 30) & 1;
    this.c = (spsr >>> 29) & 1;
    this.v = (spsr >>> 28) & 1;
    this.daif = (spsr >>> 6) & 0xf;
    if (m !== M_EL1H && m !== M_EL1T && m !== M_EL0T) {
      this.jump(pc, word, target);
      this.takeException(EC.ILLEGAL_STATE, 0, target, -1, `illegal exception return at PC=${hex(pc)} to SPSR_EL1.M=${hex(m)}`, null, SPSR_IL);
      return;
    }
    if (m === M_EL0T) {
      this.setSpsel(0);
      this.setEl(0);
    } else this.setSpsel(m & 1);
    this.jump(pc, word, target);
    this.interruptCheck();
    // SPSR_EL1.IL restored into PSTATE: the next instruction takes the Illegal Execution state
    // exception, from the EL returned to.
    if ((spsr & SPSR_IL) !== 0) this.takeException(EC.ILLEGAL_STATE, 0, target, -1, `ERET at PC=${hex(pc)} with SPSR_EL1.IL set`, null, SPSR_IL);
  }

  /** HVC: an exit to EL2 (KVM) with the PC past the HVC; UNDEFINED at EL0. */
  protected hvc(u: Uop, pc: number): void {
    if (this.el === 0) {
      this.undefinedInsn(pc, u.word, 'HVC at EL0');
      return;
    }
    // Every HVC traps to EL2: KVM answers PSCI and the SMCCC services there (plugins/kvm-arm64/hypercalls.ts).
    this.retire(pc, u.word, pc + 4);
    this.stop = { reason: 'hypercall', pc, imm: u.imm, x0: (this.xh[0] >>> 0) * TWO32 + (this.xl[0] >>> 0) };
  }

  /** The instruction at `pc` completed: next PC, count, hook (the core loop's). */
  protected abstract retire(pc: number, word: number, next: number): void;
  /** A branch at `pc` completed (the core loop's). */
  protected abstract jump(pc: number, word: number, next: number): void;
}
