/**
 * System instructions: cache maintenance by VA and by set/way (DC, IC), and the rest of the
 * branches-and-system group beyond the original subset.
 */
import { AccessStatus } from '../guest-access';
import { cacheLevels } from '../id-registers';
import { DC_NAMES, type Uop } from './decoded-ops';
import { LoadsStores } from './loads-stores';
import { TWO32 } from './state';

export abstract class SystemInstructions extends LoadsStores {
  /**
   * Ops of the branches-and-system group beyond the original subset (SYSTEM_OPS, numbered from
   * 200): returns true when the instruction completed and retires at PC + 4.
   */
  protected execSystem(u: Uop, pc: number): boolean {
    this.undefinedInsn(pc, u.word, `no execution for op ${u.insn.op}`);
    return false;
  }

  protected dc(u: Uop, pc: number): boolean {
    const lo = this.xl[u.rd];
    const hi = this.xh[u.rd];
    const va = this.memory.vaOf(lo, hi);
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
