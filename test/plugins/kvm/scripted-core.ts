/**
 * A scripted guest for KVM tests (before and beside the A64 interpreter): a list of guest
 * accesses run as a VCPU would issue them — through stage 2 (faults go to the hypervisor) and
 * the memory system, with the attributes an MMU-off guest gets (data Device, fetches cacheable
 * only with SCTLR_EL1.I), or, after the guest sets SCTLR_EL1.M, a flat identity stage 1 of
 * Normal write-back memory (data cacheable with C, fetches with I), combined with stage 2 as
 * the architecture says (FWB forcing cacheable).
 */
import { ContainerModule } from 'inversify';
import { MemorySystem, Stage2Mmu, type Machine } from 'kvmsim';
import {
  GuestCoreFactory,
  GuestHypervisor,
  PSCI,
  SCTLR_C,
  SCTLR_EL1_RESET,
  SCTLR_I,
  SCTLR_M,
  type CoreExit,
  type GuestCore,
} from '../../../devices/cpu/guest-interface';

export type GuestOp =
  | { op: 'read'; addr: number; size?: 1 | 2 | 4 }
  | { op: 'write'; addr: number; value: number; size?: 1 | 2 | 4 }
  | { op: 'exec'; addr: number }
  | { op: 'sctlr'; value: number }
  | { op: 'dc'; kind: 'DC CIVAC' | 'DC CVAC' | 'DC CVAU' | 'DC IVAC'; addr: number }
  | { op: 'ic'; kind: 'IC IALLU' | 'IC IALLUIS' | 'IC IVAU'; addr?: number }
  | { op: 'setway' }
  | { op: 'psci'; fn: number; args?: number[] };

export interface Observation {
  kind: 'read' | 'exec';
  addr: number;
  value: number;
}

/** Programs by entry address: KVM_ARM_VCPU_INIT's PC picks the program. */
export class ScriptedCoreFactory implements GuestCoreFactory {
  readonly cores: ScriptedCore[] = [];
  constructor(
    private readonly machine: () => Machine,
    readonly programs: Map<number, GuestOp[]>,
  ) {}
  create(index: number): GuestCore {
    const m = this.machine();
    const c = new ScriptedCore(index, this.programs, m.get<MemorySystem>(MemorySystem), m.get<Stage2Mmu>(Stage2Mmu), m.get<GuestHypervisor>(GuestHypervisor), m.clock);
    this.cores.push(c);
    return c;
  }
}

export class ScriptedCore implements GuestCore {
  pc = 0;
  retired = 0;
  sctlr = SCTLR_EL1_RESET;
  private program: GuestOp[] = [];
  private step = 0;
  readonly seen: Observation[] = [];
  private readonly x = new Uint32Array(62);

  constructor(
    readonly index: number,
    private readonly programs: Map<number, GuestOp[]>,
    private readonly mem: MemorySystem,
    private readonly s2: Stage2Mmu,
    private readonly hyp: GuestHypervisor,
    private readonly clock: { advance(n: number): void },
  ) {}

  reset(entry: number, x0 = 0): void {
    this.program = this.programs.get(entry) ?? [];
    this.step = 0;
    this.pc = entry;
    this.sctlr = SCTLR_EL1_RESET;
    this.x.fill(0);
    this.x[0] = x0 >>> 0;
  }

  private translate(ipa: number, access: 'read' | 'write' | 'exec', size: number): number | CoreExit {
    for (let tries = 0; tries < 4; tries++) {
      const w = this.s2.translate(ipa, access, this.index);
      if (w.fault === null) {
        const dataCacheable = (this.sctlr & (SCTLR_M | SCTLR_C)) === (SCTLR_M | SCTLR_C);
        const s1 = access === 'exec' ? (this.sctlr & SCTLR_I) !== 0 : dataCacheable;
        const cacheable = w.attr === 'normal' && (this.hyp.fwb || s1);
        return cacheable ? w.pa : -1 - w.pa;
      }
      const r = this.hyp.stage2Abort(this.index, {
        ipa,
        va: ipa,
        kind: w.fault,
        access,
        level: w.level,
        size,
        valueLo: 0,
        valueHi: 0,
        s1ptw: false,
        cm: false,
        pc: this.pc,
      });
      if (r.action === 'retry') continue;
      if (r.action === 'mmio') return { reason: 'mmio', pc: this.pc, addr: ipa, size, write: access === 'write', valueLo: 0, valueHi: 0 };
      return { reason: 'guest_fault', pc: this.pc, detail: `stage-2 abort at 0x${ipa.toString(16)}: ${r.action}` };
    }
    return { reason: 'internal_error', pc: this.pc, detail: `stage-2 fault at IPA 0x${ipa.toString(16)} not resolved` };
  }

  run(budget: number): CoreExit {
    let n = 0;
    while (this.step < this.program.length) {
      if (n++ >= budget) return { reason: 'insn_budget', pc: this.pc };
      const op = this.program[this.step];
      this.pc = 0x1000 + this.step * 4;
      this.clock.advance(1);
      switch (op.op) {
        case 'read':
        case 'write':
        case 'exec': {
          const size = op.op === 'exec' ? 4 : (op.size ?? 4);
          const t = this.translate(op.addr, op.op, size);
          if (typeof t !== 'number') {
            this.step++;
            this.retired++;
            return t;
          }
          const cacheable = t >= 0;
          const pa = cacheable ? t : -1 - t;
          if (op.op === 'read') this.seen.push({ kind: 'read', addr: op.addr, value: this.mem.read('vcpu', this.index, pa, size, cacheable) });
          else if (op.op === 'exec') this.seen.push({ kind: 'exec', addr: op.addr, value: this.mem.fetch(this.index, pa, cacheable) });
          else this.mem.write('vcpu', this.index, pa, size, op.value, cacheable);
          break;
        }
        case 'sctlr':
          if (this.hyp.trapsVmRegs(this.index)) this.hyp.vmRegWrite(this.index, 'SCTLR_EL1', this.sctlr, op.value);
          this.sctlr = op.value;
          break;
        case 'dc': {
          const t = this.translate(op.addr, 'read', 1);
          if (typeof t === 'number') this.mem.dc(op.kind, this.index, t >= 0 ? t : -1 - t);
          break;
        }
        case 'ic':
          if (op.kind === 'IC IVAU') {
            const t = this.translate(op.addr!, 'read', 1);
            if (typeof t === 'number') this.mem.ic(op.kind, this.index, t >= 0 ? t : -1 - t);
          } else this.mem.ic(op.kind, this.index);
          break;
        case 'setway':
          if (!this.hyp.setWayOp(this.index, 'DC CISW')) this.mem.dcSetWayAll('DC CISW', this.index, 1);
          break;
        case 'psci':
          this.step++;
          this.retired++;
          (op.args ?? []).forEach((v, i) => this.setX(i + 1, v % 0x1_0000_0000, Math.floor(v / 0x1_0000_0000)));
          if (op.fn === PSCI.SYSTEM_OFF) return { reason: 'system_event', pc: this.pc, event: 'shutdown' };
          if (op.fn === PSCI.SYSTEM_RESET) return { reason: 'system_event', pc: this.pc, event: 'reset' };
          return { reason: 'hypercall', pc: this.pc, imm: 0, x0: op.fn };
      }
      this.step++;
      this.retired++;
    }
    return { reason: 'wfi', pc: this.pc };
  }

  completeMmioRead(): void {}
  getX(n: number): { lo: number; hi: number } {
    return { lo: this.x[n * 2], hi: this.x[n * 2 + 1] };
  }
  setX(n: number, lo: number, hi = 0): void {
    this.x[n * 2] = lo >>> 0;
    this.x[n * 2 + 1] = hi >>> 0;
  }
}

/** A module binding the scripted factory; `programs` may be filled after the machine is built. */
export function scriptedCores(programs: Map<number, GuestOp[]>): { module: ContainerModule; factory: () => ScriptedCoreFactory; attach(m: Machine): void } {
  let machine: Machine | undefined;
  const factory = new ScriptedCoreFactory(() => machine!, programs);
  return {
    // Replaces the A64 interpreter the machine binds by default.
    module: new ContainerModule(({ rebindSync }) => {
      rebindSync(GuestCoreFactory).toConstantValue(factory);
    }),
    factory: () => factory,
    attach(m: Machine) {
      machine = m;
    },
  };
}
