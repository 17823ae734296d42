/**
 * System instructions: cache maintenance by VA and by set/way (DC, IC) with their EL0 rules
 * (SCTLR_EL1.UCI, DZE), and the rest of the branches-and-system group beyond the original
 * subset: generic SYS/SYSL and HLT, all UNDEFINED on this core.
 */
import type { AtInsn, TlbiInsn } from '../../../isa/a64/insn';
import { SysRegs } from '../../../isa/a64/names';
import { AccessStatus, READ, WRITE } from '../guest-access';
import type { TlbiOp } from '../guest-memory';
import { cacheLevels } from '../id-registers';
import { DC_NAMES, SYSTEM_BASE, type Uop } from './decoded-ops';
import { SCTLR_DZE, SCTLR_UCI } from './system-registers';
import { LoadsStores } from './loads-stores';

export abstract class SystemInstructions extends LoadsStores {
  /**
   * Ops of the branches-and-system group beyond the original subset (SYSTEM_OPS, numbered from
   * 200): returns true when the instruction completed and retires at PC + 4.
   */
  protected execSystem(u: Uop, pc: number): boolean {
    switch (u.opc - SYSTEM_BASE) {
      case 0 /* SYS */:
      case 1 /* SYSL */: {
        // A Cortex-A72 has no SYS operation beyond DC, IC, AT and TLBI: the rest is UNDEFINED.
        const i = u.insn;
        const what = i.op === 'SYS' || i.op === 'SYSL' ? `${i.name?.replace('\t', ' ') ?? i.op} (op1=${i.op1}, C${i.crn}, C${i.crm}, op2=${i.op2})` : i.op;
        this.undefinedInsn(pc, u.word, `${what}: no such system instruction on a Cortex-A72`);
        return false;
      }
      case 2 /* HLT */:
        // Halting debug is never enabled (EDSCR.HDE = 0, no external debugger): HLT is UNDEFINED.
        this.undefinedInsn(pc, u.word, 'HLT without halting debug');
        return false;
      case 3 /* TLBI */:
        return this.tlbiInsn(u, pc);
      case 4 /* AT */:
        return this.atInsn(u, pc);
      default:
        this.undefinedInsn(pc, u.word, `no execution for op ${u.insn.op}`);
        return false;
    }
  }

  /**
   * EL0's access to a DC/IC operation: 1 allowed, 2 trapped to EL1 (SCTLR_EL1.UCI for the
   * clean/invalidate-to-PoC/PoU by VA and IC IVAU, DZE for DC ZVA), 0 UNDEFINED (invalidate
   * without clean, set/way, IC IALLU*).
   */
  private el0CacheOp(dc: boolean, name: string): number {
    const sctlr = this.memory.sctlr;
    if (dc && name === 'ZVA') return (sctlr & SCTLR_DZE) !== 0 ? 1 : 2;
    if ((dc && (name === 'CVAC' || name === 'CVAU' || name === 'CIVAC')) || (!dc && name === 'IVAU')) return (sctlr & SCTLR_UCI) !== 0 ? 1 : 2;
    return 0;
  }

  /** false (and the exception taken) when EL0 may not execute this DC/IC. */
  private el0CacheOpAllowed(u: Uop, pc: number, dc: boolean, name: string): boolean {
    const a = this.el0CacheOp(dc, name);
    if (a === 1) return true;
    const what = `${dc ? 'DC' : 'IC'} ${name}`;
    if (a === 2) this.sysRegTrap(pc, u.word, what);
    else this.undefinedInsn(pc, u.word, `${what} at EL0`);
    return false;
  }

  // ---- stage-1 translation: TLBI and AT (EL1 only; the others are EL2/EL3's or later than ARMv8.0)

  protected tlbiInsn(u: Uop, pc: number): boolean {
    const name = (u.insn as TlbiInsn).sysOp;
    if (u.imm < 0 || this.el === 0) {
      this.undefinedInsn(pc, u.word, `TLBI ${name} ${u.imm < 0 ? 'is not an ARMv8.0 EL1 operation (a Cortex-A72 at EL1 does not have it)' : 'at EL0'}`);
      return false;
    }
    const op = (name.endsWith('IS') ? name.slice(0, -2) : name) as TlbiOp;
    this.memory.tlbi(op, this.xl[u.rd], this.xh[u.rd]);
    // The topology's TLB invalidation cost (the broadcast and its completion, as KVM's are charged).
    this.clock.advance(this.topology.cost.tlbi);
    return true;
  }

  protected atInsn(u: Uop, pc: number): boolean {
    const name = (u.insn as AtInsn).sysOp;
    if (u.imm < 0 || this.el === 0) {
      this.undefinedInsn(pc, u.word, `AT ${name} ${u.imm < 0 ? 'is not an ARMv8.0 EL1 operation (a Cortex-A72 at EL1 does not have it)' : 'at EL0'}`);
      return false;
    }
    const mem = this.memory;
    // S1E1R 0, S1E1W 1, S1E0R 2, S1E0W 3.
    const st = mem.at((u.imm & 1) === 1 ? WRITE : READ, u.imm >= 2, mem.vaOf(this.xl[u.rd], this.xh[u.rd]));
    if (st !== AccessStatus.OK) return this.memFailure(st, pc, u.word, null);
    this.sysLo.set(SysRegs.PAR_EL1, mem.parLo | 0);
    this.sysHi.set(SysRegs.PAR_EL1, mem.parHi | 0);
    return true;
  }

  protected dc(u: Uop, pc: number): boolean {
    const lo = this.xl[u.rd];
    const hi = this.xh[u.rd];
    const va = this.memory.vaOf(lo, hi);
    const mem = this.memory;
    const name = DC_NAMES[u.imm];
    if (this.el === 0 && !this.el0CacheOpAllowed(u, pc, true, name)) return false;
    let st: AccessStatus;
    switch (name) {
      case 'CIVAC':
      case 'CVAC':
      case 'CVAU':
      case 'IVAC':
        // The VM always runs with stage 2 on (HCR_EL2.VM = 1, KVM's): dcByVa performs an EL1
        // DC IVAC as DC CIVAC, so the guest cannot discard data the host wrote.
        st = mem.dcByVa(`DC ${name}`, va);
        break;
      case 'ZVA':
        // DCZID_EL0.BS is the line (id-registers.ts), the block dcZva zeroes.
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
  protected setWayLocal(op: 'DC ISW' | 'DC CSW' | 'DC CISW', xt: number): void {
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

  protected ic(u: Uop, pc: number): boolean {
    if (this.el === 0 && !this.el0CacheOpAllowed(u, pc, false, u.imm === 2 ? 'IVAU' : u.imm === 1 ? 'IALLU' : 'IALLUIS')) return false;
    if (u.imm !== 2 /* IVAU */) {
      // IC IALLUIS; and IC IALLU, which HCR_EL2.FB broadcasts to the Inner Shareable domain at EL1.
      this.ms.ic('IC IALLUIS', this.index);
      return true;
    }
    const va = this.memory.vaOf(this.xl[u.rd], this.xh[u.rd]);
    const st = this.memory.icIvau(va);
    if (st === AccessStatus.OK) return true;
    return this.memFailure(st, pc, u.word, null);
  }
}
