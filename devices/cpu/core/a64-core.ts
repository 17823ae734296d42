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
import { hex, hexWord, KvmsimError, type Clock, type Disposable, type Counter, type EventBus, type Instrumentation, type StatsRegistry } from '../../../core';
import type { MemorySystem } from '../../hierarchy/memory-system';
import type { CacheTopology } from '../../hierarchy/topology';
import type { Stage2Mmu } from '../../stage2/stage2-mmu';
import { decodeBitMasks } from '../../../isa/a64/bits';
import { decode } from '../../../isa/a64/decoder';
import type { Insn, Op, ShiftType } from '../../../isa/a64/insn';
import { SysRegs, sysRegName } from '../../../isa/a64/names';
import { AccessStatus, GuestMemory, type GuestFault } from '../guest-memory';
import { PSCI, type CoreExit, type GuestCore, type GuestException, type GuestHypervisor, type VmRegister } from '../guest-interface';
import { instructionClass } from '../../../isa/a64/classify';
import { CNTFRQ, CYCLES_PER_TICK, ID_AA64PFR0_EL1, cacheLevels, ccsidrEl1, clidrEl1, ctrEl0, dczidEl0, idAa64mmfr0El1, midrEl1, mpidrEl1 } from '../id-registers';

export interface A64CoreDeps {
  index: number;
  memory: MemorySystem;
  stage2: Stage2Mmu;
  hypervisor: GuestHypervisor;
  bus: EventBus;
  clock: Clock;
  stats: StatsRegistry;
  instrumentation: Instrumentation;
  topology: CacheTopology;
}

/** Exception classes (ESR_ELx.EC). */
export const EC = {
  UNKNOWN: 0x00,
  SVC64: 0x15,
  INSN_ABORT_SAME_EL: 0x21,
  PC_ALIGNMENT: 0x22,
  DATA_ABORT_SAME_EL: 0x25,
  BRK64: 0x3c,
} as const;

/** PSTATE.M for EL1 with SP_EL0 / SP_EL1. */
const M_EL1T = 0b0100;
const M_EL1H = 0b0101;
const ESR_IL = 1 << 25;
const TWO32 = 2 ** 32;
const ZR = 31;
const SP = 32;
/** Consecutive exceptions without a retired instruction before the core gives up. */
const MAX_EXCEPTION_STREAK = 32;
/**
 * What ran before an unexpected exception: the last BRANCHES changes of control flow (taken
 * branches, ERET, exceptions, reset) are kept — a store per taken branch, nothing per
 * instruction — and the straight-line runs between them give back the last RECENT PCs.
 */
const BRANCHES = 8;
const RECENT = 16;

// Operation numbers for the dispatch switch (a jump table over small integers).
const OPS = [
  'MOVZ', 'MOVN', 'MOVK', 'ADD_IMM', 'ADDS_IMM', 'SUB_IMM', 'SUBS_IMM', 'ADD_REG', 'ADDS_REG', 'SUB_REG', 'SUBS_REG',
  'AND_IMM', 'ORR_IMM', 'EOR_IMM', 'ANDS_IMM', 'AND_REG', 'BIC_REG', 'ORR_REG', 'ORN_REG', 'EOR_REG', 'EON_REG', 'ANDS_REG', 'BICS_REG',
  'SBFM', 'UBFM', 'EXTR', 'MADD', 'MSUB', 'UDIV', 'SDIV', 'LSLV', 'LSRV', 'ASRV', 'RORV', 'CSEL', 'CSINC', 'CSINV', 'CSNEG',
  'LDR', 'STR', 'LDP', 'STP', 'ADR', 'ADRP', 'B', 'BL', 'B_COND', 'CBZ', 'CBNZ', 'TBZ', 'TBNZ', 'BR', 'BLR', 'RET',
  'SVC', 'HVC', 'SMC', 'BRK', 'ERET', 'NOP', 'YIELD', 'WFE', 'WFI', 'SEV', 'SEVL', 'DSB', 'DMB', 'ISB', 'DC', 'IC',
  'MRS', 'MSR', 'MSR_IMM', 'UNDEFINED',
] as const satisfies readonly Op[];
const OPC: Record<Op, number> = Object.fromEntries(OPS.map((o, i) => [o, i])) as Record<Op, number>;
const SHIFT_CODE: Record<ShiftType, number> = { lsl: 0, lsr: 1, asr: 2, ror: 3 };

/**
 * The decode cache: 2^DECODE_BITS sets of two ways, indexed by a hash of the word. Two ways, so
 * two hot words whose hashes collide (sieve's print_dec loop has such a pair) do not evict each
 * other on every pass.
 */
const DECODE_BITS = 12;
const DECODE_SIZE = 2 << DECODE_BITS;

const SYS = SysRegs;


const MODE: Record<string, number> = { offset: 0, unscaled: 0, pre: 1, post: 2, reg: 3, literal: 4 };
const EXTEND: Record<string, number> = { uxtw: 0, lsl: 1, sxtw: 2, sxtx: 3 };
const PSTATE_FIELD: Record<string, number> = { SPSel: 0, DAIFSet: 1, DAIFClr: 2 };

/**
 * A decoded instruction flattened into one fixed shape, so the interpreter's field loads are
 * monomorphic whatever the instruction class. Built once per distinct word (decode-cache miss).
 */
class Uop {
  opc = 0;
  word = 0;
  sf = false;
  rd = 0;
  rn = 0;
  rm = 0;
  /** Ra of MADD/MSUB, Rt2 of LDP/STP. */
  ra = 0;
  /** Immediate, low half of a logical immediate, branch offset, bit of TBZ, lsb of EXTR, sysreg, DC/IC op. */
  imm = 0;
  /** High half of a logical immediate; MOVZ/MOVK shift. */
  immHi = 0;
  /** Shift type (0 LSL, 1 LSR, 2 ASR, 3 ROR) and amount of a shifted register. */
  shiftType = 0;
  shift = 0;
  cond = 0;
  /** Loads/stores: log2 of the access size, addressing mode, index extension. */
  size = 0;
  mode = 0;
  ext = 0;
  signed = false;
  scaled = false;
  /** SBFM/UBFM: immr, imms and the wmask/tmask halves; MOVZ/MOVN: wLo/wHi = imm << shift. */
  immr = 0;
  imms = 0;
  wLo = 0;
  wHi = 0;
  tLo = 0;
  tHi = 0;
  constructor(readonly insn: Insn) {}
}

const DC_CODE: Record<string, number> = { IVAC: 0, ISW: 1, CSW: 2, CISW: 3, ZVA: 4, CVAC: 5, CVAU: 6, CIVAC: 7 };
const DC_NAMES = ['IVAC', 'ISW', 'CSW', 'CISW', 'ZVA', 'CVAC', 'CVAU', 'CIVAC'] as const;
const IC_CODE: Record<string, number> = { IALLUIS: 0, IALLU: 1, IVAU: 2 };

/** Flattens a decoded instruction. */
function toUop(insn: Insn): Uop {
  const u = new Uop(insn);
  u.opc = OPC[insn.op];
  u.word = insn.word | 0;
  const f = insn as unknown as Record<string, unknown>;
  const num = (k: string): number => (typeof f[k] === 'number' ? (f[k] as number) : 0);
  u.sf = f.sf === true;
  u.rd = num('rd');
  u.rn = num('rn');
  u.rm = num('rm');
  u.imm = num('imm');
  u.cond = num('cond');
  switch (insn.op) {
    case 'MOVZ':
    case 'MOVN':
    case 'MOVK':
      u.immHi = insn.shift;
      // imm << shift as halves, for MOVZ / MOVN (shift 0, 16, 32 or 48).
      u.wLo = insn.shift < 32 ? insn.imm << insn.shift : 0;
      u.wHi = insn.shift < 32 ? 0 : insn.imm << (insn.shift - 32);
      break;
    case 'AND_IMM':
    case 'ORR_IMM':
    case 'EOR_IMM':
    case 'ANDS_IMM':
      u.imm = insn.immLo | 0;
      u.immHi = insn.immHi | 0;
      break;
    case 'ADD_REG':
    case 'ADDS_REG':
    case 'SUB_REG':
    case 'SUBS_REG':
    case 'AND_REG':
    case 'BIC_REG':
    case 'ORR_REG':
    case 'ORN_REG':
    case 'EOR_REG':
    case 'EON_REG':
    case 'ANDS_REG':
    case 'BICS_REG':
      u.shiftType = SHIFT_CODE[insn.shiftType];
      u.shift = insn.shift;
      break;
    case 'SBFM':
    case 'UBFM': {
      u.immr = insn.immr;
      u.imms = insn.imms;
      const m = decodeBitMasks(insn.sf ? 1 : 0, insn.imms, insn.immr, false, insn.sf ? 64 : 32);
      if (m === undefined) throw new KvmsimError(`bitfield masks of word ${hex(insn.word)} are reserved`);
      u.wLo = Number(m.wmask & 0xffffffffn) | 0;
      u.wHi = Number(m.wmask >> 32n) | 0;
      u.tLo = Number(m.tmask & 0xffffffffn) | 0;
      u.tHi = Number(m.tmask >> 32n) | 0;
      break;
    }
    case 'EXTR':
      u.imm = insn.lsb;
      break;
    case 'MADD':
    case 'MSUB':
      u.ra = insn.ra;
      break;
    case 'LDR':
    case 'STR':
      u.rd = insn.rt;
      u.size = insn.size;
      u.signed = insn.signed;
      u.mode = MODE[insn.mode];
      u.ext = EXTEND[insn.extend];
      u.scaled = insn.scaled;
      break;
    case 'LDP':
    case 'STP':
      u.rd = insn.rt;
      u.ra = insn.rt2;
      u.size = insn.size;
      u.mode = MODE[insn.mode];
      break;
    case 'CBZ':
    case 'CBNZ':
      u.rd = insn.rt;
      break;
    case 'TBZ':
    case 'TBNZ':
      u.rd = insn.rt;
      u.shift = insn.bit;
      break;
    case 'DSB':
    case 'DMB':
    case 'ISB':
      u.imm = insn.option;
      break;
    case 'DC':
      u.rd = insn.rt;
      u.imm = DC_CODE[insn.cacheOp];
      break;
    case 'IC':
      u.rd = insn.rt;
      u.imm = IC_CODE[insn.cacheOp];
      break;
    case 'MRS':
    case 'MSR':
      u.rd = insn.rt;
      u.imm = insn.sysreg;
      break;
    case 'MSR_IMM':
      u.shift = PSTATE_FIELD[insn.field];
      break;
    default:
      break;
  }
  return u;
}

/** Registers that only hold what the guest writes. */
const PLAIN_REGS: readonly string[] = [
  'ACTLR_EL1', 'CPACR_EL1', 'TTBR1_EL1', 'SPSR_EL1', 'ELR_EL1', 'AFSR0_EL1', 'AFSR1_EL1', 'ESR_EL1', 'FAR_EL1', 'PAR_EL1',
  'AMAIR_EL1', 'VBAR_EL1', 'CONTEXTIDR_EL1', 'TPIDR_EL1', 'TPIDR_EL0', 'TPIDRRO_EL0', 'CNTKCTL_EL1', 'CNTV_CTL_EL0',
  'CNTV_CVAL_EL0', 'CNTV_TVAL_EL0', 'FPCR', 'FPSR', 'CSSELR_EL1',
];
const PLAIN = new Set(PLAIN_REGS.map((n) => SYS[n]));

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

export class A64Core implements GuestCore, Disposable {
  readonly index: number;
  /** The guest memory path of this VCPU. */
  readonly memory: GuestMemory;
  /** X0-X30, ZR, SP: low and high halves. */
  readonly xl = new Int32Array(33);
  readonly xh = new Int32Array(33);
  private pcV = 0;
  private retiredV = 0;
  // PSTATE.
  private n = 0;
  private z = 0;
  private c = 0;
  private v = 0;
  private daif = 0xf;
  private spsel = 1;
  private spEl0Lo = 0;
  private spEl0Hi = 0;
  private spEl1Lo = 0;
  private spEl1Hi = 0;
  // System registers that only hold values: packed encoding → halves.
  private readonly sysLo = new Map<number, number>();
  private readonly sysHi = new Map<number, number>();

  private pending: PendingMmio | null = null;
  private stop: CoreExit | null = null;
  /** Ring of control-flow changes (from → to); brNext is the slot written next. NaN: empty, or (from) reset. */
  private readonly brFrom = new Float64Array(BRANCHES);
  private readonly brTo = new Float64Array(BRANCHES);
  private brNext = 0;
  private firstFaultV: GuestException | null = null;
  private excStreak = 0;
  private excRetired = -1;
  // 64-bit results of the helpers.
  private rl = 0;
  private rh = 0;
  // The new base register of a pre- or post-indexed load or store.
  private wbLo = 0;
  private wbHi = 0;

  // Decoded instructions: way 0 of set h at [2h], way 1 at [2h + 1].
  private readonly dcUop: (Uop | undefined)[] = new Array<Uop | undefined>(DECODE_SIZE).fill(undefined);

  private readonly ms: MemorySystem;
  private readonly hyp: GuestHypervisor;
  private readonly clock: Clock;
  private readonly inst: Instrumentation;
  private readonly topology: CacheTopology;
  private readonly ipaBits: number;
  private readonly exceptions: Counter;
  private readonly decodes: Counter;
  private readonly exits: Counter;
  private readonly barrierCost: number;

  constructor(d: A64CoreDeps) {
    this.index = d.index;
    this.ms = d.memory;
    this.hyp = d.hypervisor;
    this.clock = d.clock;
    this.inst = d.instrumentation;
    this.topology = d.topology;
    this.ipaBits = d.stage2.ipaBits;
    this.barrierCost = d.topology.cost.isb;
    this.memory = new GuestMemory({ vcpu: d.index, memory: d.memory, stage2: d.stage2, hypervisor: d.hypervisor, bus: d.bus, stats: d.stats });
    const p = `system.cpu${d.index}`;
    d.stats.formula(`${p}.insns`, 'guest instructions retired', () => this.retiredV);
    this.exceptions = d.stats.counter(`${p}.exceptions`, 'synchronous exceptions taken to EL1 (aborts, BRK, SVC, undefined)');
    this.decodes = d.stats.counter(`${p}.decodes`, 'instruction words decoded (decode-cache misses)');
    this.exits = d.stats.counter(`${p}.exits`, 'returns from run(): exits to the hypervisor or VMM, and ends of instruction budgets (boot runs in slices of 200000)');
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
  /** PSTATE.{N,Z,C,V} as NZCV reads it (bits 31:28). */
  get nzcv(): number {
    return ((this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28)) >>> 0;
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

  // ---------------------------------------------------------------- the loop

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

  /** Remembers a change of control flow (for the report of an unexpected exception). */
  private noteJump(from: number, to: number): void {
    const i = this.brNext;
    this.brFrom[i] = from;
    this.brTo[i] = to;
    this.brNext = (i + 1) & (BRANCHES - 1);
  }

  /** A branch at `pc` completed: remembered when taken, then retired. */
  private jump(pc: number, word: number, next: number): void {
    if (next !== pc + 4) this.noteJump(pc, next);
    this.retire(pc, word, next);
  }

  /** The last RECENT instructions before `pc` (oldest first), from the straight-line runs between jumps. */
  private recentPcs(pc: number): number[] {
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

  /** The instruction at `pc` completed: next PC, count, hook. */
  private retire(pc: number, word: number, next: number): void {
    this.pcV = next;
    this.retiredV++;
    if (this.inst.insnHooks !== null) this.inst.fireInstruction({ cpu: this.index, pc, word: word >>> 0 });
  }

  // ---------------------------------------------------------------- execution

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

  // ---------------------------------------------------------------- integer helpers

  /** Writes rl/rh to Rd (W: zero-extended). */
  private setRd(rd: number, sf: boolean): void {
    this.xl[rd] = this.rl;
    this.xh[rd] = sf ? this.rh : 0;
  }

  /**
   * rl/rh = a + b + carry over 64 bits, no flags (W results: setRd drops the high half). Apart
   * from addSub so the common flagless case stays small enough for V8 to inline everywhere.
   */
  private add64(alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
    const l = (alo >>> 0) + (blo >>> 0) + cin;
    this.rl = l | 0;
    this.rh = (ahi + bhi + (l > 0xffffffff ? 1 : 0)) | 0;
  }

  /** rl/rh = a + b + carry (AddWithCarry), setting NZCV when `flags`. */
  private addSub(sf: boolean, alo: number, ahi: number, blo: number, bhi: number, cin: number, flags: boolean): void {
    const l = (alo >>> 0) + (blo >>> 0) + cin;
    if (sf) {
      const c0 = l > 0xffffffff ? 1 : 0;
      const hsum = (ahi >>> 0) + (bhi >>> 0) + c0;
      const rl = l | 0;
      const rh = hsum | 0;
      this.rl = rl;
      this.rh = rh;
      if (flags) {
        this.n = rh >>> 31;
        this.z = (rl | rh) === 0 ? 1 : 0;
        this.c = hsum > 0xffffffff ? 1 : 0;
        this.v = ((ahi ^ rh) & (bhi ^ rh)) < 0 ? 1 : 0;
      }
    } else {
      const rl = l | 0;
      this.rl = rl;
      this.rh = 0;
      if (flags) {
        this.n = rl >>> 31;
        this.z = rl === 0 ? 1 : 0;
        this.c = l > 0xffffffff ? 1 : 0;
        this.v = ((alo ^ rl) & (blo ^ rl)) < 0 ? 1 : 0;
      }
    }
  }

  /** kind 0 AND, 1 ORR, 2 EOR; ANDS sets N and Z, clears C and V. */
  private logic(kind: number, sf: boolean, alo: number, ahi: number, blo: number, bhi: number, flags: boolean): void {
    let lo: number;
    let hi: number;
    if (kind === 0) {
      lo = alo & blo;
      hi = ahi & bhi;
    } else if (kind === 1) {
      lo = alo | blo;
      hi = ahi | bhi;
    } else {
      lo = alo ^ blo;
      hi = ahi ^ bhi;
    }
    if (!sf) hi = 0;
    this.rl = lo;
    this.rh = hi;
    if (flags) {
      this.n = sf ? hi >>> 31 : lo >>> 31;
      this.z = (lo | hi) === 0 ? 1 : 0;
      this.c = 0;
      this.v = 0;
    }
  }

  /** rl/rh = Rm shifted (0 LSL, 1 LSR, 2 ASR, 3 ROR) by `amount`. */
  private shifted(sf: boolean, rm: number, type: number, amount: number): void {
    const lo = this.xl[rm];
    const hi = this.xh[rm];
    if (amount === 0) {
      this.rl = lo;
      this.rh = sf ? hi : 0;
      return;
    }
    if (!sf) {
      this.rh = 0;
      switch (type) {
        case 0:
          this.rl = lo << amount;
          return;
        case 1:
          this.rl = lo >>> amount;
          return;
        case 2:
          this.rl = lo >> amount;
          return;
        default:
          this.rl = (lo >>> amount) | (lo << (32 - amount));
          return;
      }
    }
    switch (type) {
      case 0:
        this.shl64(lo, hi, amount);
        return;
      case 1:
        this.lsr64(lo, hi, amount);
        return;
      case 2:
        this.asr64(lo, hi, amount);
        return;
      default:
        this.ror64(lo, hi, amount);
        return;
    }
  }

  private shl64(lo: number, hi: number, n: number): void {
    if (n === 0) {
      this.rl = lo;
      this.rh = hi;
    } else if (n < 32) {
      this.rh = (hi << n) | (lo >>> (32 - n));
      this.rl = lo << n;
    } else {
      this.rh = lo << (n - 32);
      this.rl = 0;
    }
  }

  private lsr64(lo: number, hi: number, n: number): void {
    if (n === 0) {
      this.rl = lo;
      this.rh = hi;
    } else if (n < 32) {
      this.rl = (lo >>> n) | (hi << (32 - n));
      this.rh = hi >>> n;
    } else {
      this.rl = hi >>> (n - 32);
      this.rh = 0;
    }
  }

  private asr64(lo: number, hi: number, n: number): void {
    if (n === 0) {
      this.rl = lo;
      this.rh = hi;
    } else if (n < 32) {
      this.rl = (lo >>> n) | (hi << (32 - n));
      this.rh = hi >> n;
    } else {
      this.rl = hi >> (n - 32);
      this.rh = hi >> 31;
    }
  }

  private ror64(lo: number, hi: number, n: number): void {
    n &= 63;
    if (n === 0) {
      this.rl = lo;
      this.rh = hi;
      return;
    }
    if (n === 32) {
      this.rl = hi;
      this.rh = lo;
      return;
    }
    if (n > 32) {
      const t = lo;
      lo = hi;
      hi = t;
      n -= 32;
    }
    this.rl = (lo >>> n) | (hi << (32 - n));
    this.rh = (hi >>> n) | (lo << (32 - n));
  }

  /** rl/rh = low 64 bits of a * b. */
  private mul(alo: number, ahi: number, blo: number, bhi: number): void {
    const a0 = alo & 0xffff;
    const a1 = alo >>> 16;
    const b0 = blo & 0xffff;
    const b1 = blo >>> 16;
    const p00 = a0 * b0;
    const p01 = a0 * b1;
    const p10 = a1 * b0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    this.rl = (mid << 16) | (p00 & 0xffff);
    const high = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    this.rh = (high + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  }

  /** rl/rh = an integer-valued double (|v| < 2^53) as 64-bit two's complement. */
  private fromNumber(v: number): void {
    this.rl = v | 0;
    this.rh = Math.floor(v / TWO32) | 0;
  }

  private cond(cond: number): boolean {
    let r: boolean;
    switch (cond >> 1) {
      case 0:
        r = this.z === 1;
        break;
      case 1:
        r = this.c === 1;
        break;
      case 2:
        r = this.n === 1;
        break;
      case 3:
        r = this.v === 1;
        break;
      case 4:
        r = this.c === 1 && this.z === 0;
        break;
      case 5:
        r = this.n === this.v;
        break;
      case 6:
        r = this.n === this.v && this.z === 0;
        break;
      default:
        return true;
    }
    return (cond & 1) === 1 ? !r : r;
  }

  private bitfield(u: Uop, signed: boolean): void {
    const xl = this.xl;
    const xh = this.xh;
    const srcLo = xl[u.rn];
    const srcHi = xh[u.rn];
    let botLo: number;
    let botHi: number;
    if (u.sf) {
      this.ror64(srcLo, srcHi, u.immr);
      botLo = this.rl & u.wLo;
      botHi = this.rh & u.wHi;
    } else {
      const r = u.immr;
      botLo = (r === 0 ? srcLo : (srcLo >>> r) | (srcLo << (32 - r))) & u.wLo;
      botHi = 0;
    }
    let lo = botLo & u.tLo;
    let hi = botHi & u.tHi;
    if (signed) {
      const s = u.imms;
      const bit = s < 32 ? (srcLo >>> s) & 1 : (srcHi >>> (s - 32)) & 1;
      if (bit === 1) {
        lo |= ~u.tLo;
        hi |= ~u.tHi;
      }
    }
    xl[u.rd] = lo;
    xh[u.rd] = u.sf ? hi : 0;
  }

  private extr(u: Uop): void {
    const xl = this.xl;
    const xh = this.xh;
    const lsb = u.imm;
    if (!u.sf) {
      const m = xl[u.rm];
      xl[u.rd] = lsb === 0 ? m : (m >>> lsb) | (xl[u.rn] << (32 - lsb));
      xh[u.rd] = 0;
      return;
    }
    if (lsb === 0) {
      xl[u.rd] = xl[u.rm];
      xh[u.rd] = xh[u.rm];
      return;
    }
    this.lsr64(xl[u.rm], xh[u.rm], lsb);
    const lo = this.rl;
    const hi = this.rh;
    this.shl64(xl[u.rn], xh[u.rn], 64 - lsb);
    xl[u.rd] = lo | this.rl;
    xh[u.rd] = hi | this.rh;
  }

  private dataProc2(u: Uop, opc: number): void {
    const xl = this.xl;
    const xh = this.xh;
    const nlo = xl[u.rn];
    const nhi = u.sf ? xh[u.rn] : 0;
    const mlo = xl[u.rm];
    const mhi = u.sf ? xh[u.rm] : 0;
    const width = u.sf ? 64 : 32;
    switch (opc) {
      case 28 /* UDIV */:
        if ((mlo | mhi) === 0) {
          this.rl = this.rh = 0;
        } else if (nhi === 0 && mhi === 0) {
          this.rl = Math.floor((nlo >>> 0) / (mlo >>> 0)) | 0;
          this.rh = 0;
        } else {
          const q = ((BigInt(nhi >>> 0) << 32n) | BigInt(nlo >>> 0)) / ((BigInt(mhi >>> 0) << 32n) | BigInt(mlo >>> 0));
          this.rl = Number(q & 0xffffffffn) | 0;
          this.rh = Number(q >> 32n) | 0;
        }
        break;
      case 29 /* SDIV */:
        if ((mlo | mhi) === 0) {
          this.rl = this.rh = 0;
        } else if (!u.sf) {
          const a = nlo | 0;
          const b = mlo | 0;
          this.rl = a === -0x80000000 && b === -1 ? a : Math.trunc(a / b) | 0;
          this.rh = 0;
        } else {
          const a = BigInt.asIntN(64, (BigInt(nhi >>> 0) << 32n) | BigInt(nlo >>> 0));
          const b = BigInt.asIntN(64, (BigInt(mhi >>> 0) << 32n) | BigInt(mlo >>> 0));
          const q = BigInt.asUintN(64, a / b);
          this.rl = Number(q & 0xffffffffn) | 0;
          this.rh = Number(q >> 32n) | 0;
        }
        break;
      default: {
        const amount = mlo & (width - 1);
        const type = opc - 30; // LSLV, LSRV, ASRV, RORV
        if (!u.sf) {
          this.rh = 0;
          this.rl = amount === 0 ? nlo : type === 0 ? nlo << amount : type === 1 ? nlo >>> amount : type === 2 ? nlo >> amount : (nlo >>> amount) | (nlo << (32 - amount));
        } else if (type === 0) this.shl64(nlo, nhi, amount);
        else if (type === 1) this.lsr64(nlo, nhi, amount);
        else if (type === 2) this.asr64(nlo, nhi, amount);
        else this.ror64(nlo, nhi, amount);
      }
    }
    xl[u.rd] = this.rl;
    xh[u.rd] = u.sf ? this.rh : 0;
  }

  // ---------------------------------------------------------------- loads and stores

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

  // ---------------------------------------------------------------- cache maintenance

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

  // ---------------------------------------------------------------- system registers

  /** Reads `code` into rl/rh; false when it is not readable at EL1. */
  private mrs(code: number): boolean {
    let lo = 0;
    let hi = 0;
    const t = this.topology;
    switch (code) {
      case SYS.SCTLR_EL1:
        lo = this.memory.sctlr;
        break;
      case SYS.TTBR0_EL1:
        [lo, hi] = this.memory.ttbr0;
        break;
      case SYS.TCR_EL1:
        [lo, hi] = this.memory.tcr;
        break;
      case SYS.MAIR_EL1:
        [lo, hi] = this.memory.mair;
        break;
      case SYS.NZCV:
        lo = this.nzcv;
        break;
      case SYS.DAIF:
        lo = this.daif << 6;
        break;
      case SYS.SPSel:
        lo = this.spsel;
        break;
      case SYS.CurrentEL:
        lo = 1 << 2;
        break;
      case SYS.SP_EL0:
        if (this.spsel === 0) return false;
        lo = this.spEl0Lo;
        hi = this.spEl0Hi;
        break;
      case SYS.MIDR_EL1:
        lo = midrEl1(t);
        break;
      case SYS.MPIDR_EL1:
        lo = mpidrEl1(this.index);
        break;
      case SYS.REVIDR_EL1:
      case SYS.ID_AA64ISAR0_EL1:
        break;
      case SYS.ID_AA64PFR0_EL1:
        lo = ID_AA64PFR0_EL1;
        break;
      case SYS.ID_AA64MMFR0_EL1:
        lo = idAa64mmfr0El1(this.ipaBits);
        break;
      case SYS.CTR_EL0:
        lo = ctrEl0(t);
        break;
      case SYS.CLIDR_EL1:
        lo = clidrEl1(t);
        break;
      case SYS.CCSIDR_EL1:
        lo = ccsidrEl1(t, this.sysLo.get(SYS.CSSELR_EL1) ?? 0);
        break;
      case SYS.DCZID_EL0:
        lo = dczidEl0(t);
        break;
      case SYS.CNTFRQ_EL0:
        lo = CNTFRQ;
        break;
      case SYS.CNTPCT_EL0:
      case SYS.CNTVCT_EL0: {
        const ticks = Math.floor(this.clock.now / CYCLES_PER_TICK);
        lo = ticks | 0;
        hi = Math.floor(ticks / TWO32);
        break;
      }
      default:
        if (!PLAIN.has(code)) return false;
        lo = this.sysLo.get(code) ?? 0;
        hi = this.sysHi.get(code) ?? 0;
    }
    this.rl = lo | 0;
    this.rh = hi | 0;
    return true;
  }

  /** Writes `code`; 0 when not writable at EL1, 1 done. */
  private msr(code: number, lo: number, hi: number): number {
    const mem = this.memory;
    switch (code) {
      case SYS.SCTLR_EL1:
        this.vmRegWrite('SCTLR_EL1', mem.sctlr, lo >>> 0);
        mem.setSctlr(lo);
        return 1;
      case SYS.TTBR0_EL1: {
        const [olo, ohi] = mem.ttbr0;
        this.vmRegWrite('TTBR0_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTtbr0(lo, hi);
        return 1;
      }
      case SYS.TCR_EL1: {
        const [olo, ohi] = mem.tcr;
        this.vmRegWrite('TCR_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setTcr(lo, hi);
        return 1;
      }
      case SYS.MAIR_EL1: {
        const [olo, ohi] = mem.mair;
        this.vmRegWrite('MAIR_EL1', ohi * TWO32 + olo, (hi >>> 0) * TWO32 + (lo >>> 0));
        mem.setMair(lo, hi);
        return 1;
      }
      case SYS.NZCV:
        this.n = (lo >>> 31) & 1;
        this.z = (lo >>> 30) & 1;
        this.c = (lo >>> 29) & 1;
        this.v = (lo >>> 28) & 1;
        return 1;
      case SYS.DAIF:
        this.daif = (lo >>> 6) & 0xf;
        return 1;
      case SYS.SPSel:
        this.setSpsel(lo & 1);
        return 1;
      case SYS.SP_EL0:
        if (this.spsel === 0) return 0;
        this.spEl0Lo = lo | 0;
        this.spEl0Hi = hi | 0;
        return 1;
      case SYS.VBAR_EL1:
        this.sysLo.set(code, lo & ~0x7ff);
        this.sysHi.set(code, hi | 0);
        return 1;
      default:
        if (!PLAIN.has(code)) return 0;
        this.sysLo.set(code, lo | 0);
        this.sysHi.set(code, hi | 0);
        return 1;
    }
  }

  /** HCR_EL2.TVM: the hypervisor sees the write first, then the core performs it. */
  private vmRegWrite(reg: VmRegister, oldValue: number, newValue: number): void {
    if (this.hyp.trapsVmRegs(this.index)) this.hyp.vmRegWrite(this.index, reg, oldValue, newValue);
  }

  private msrImm(field: number, imm: number): void {
    switch (field) {
      case 0 /* SPSel */:
        this.setSpsel(imm & 1);
        return;
      case 1 /* DAIFSet */:
        this.daif |= imm;
        return;
      default /* DAIFClr */:
        this.daif &= ~imm & 0xf;
        return;
    }
  }

  private setSpsel(sel: number): void {
    if (sel === this.spsel) return;
    const xl = this.xl;
    const xh = this.xh;
    if (this.spsel === 1) {
      this.spEl1Lo = xl[SP];
      this.spEl1Hi = xh[SP];
      xl[SP] = this.spEl0Lo;
      xh[SP] = this.spEl0Hi;
    } else {
      this.spEl0Lo = xl[SP];
      this.spEl0Hi = xh[SP];
      xl[SP] = this.spEl1Lo;
      xh[SP] = this.spEl1Hi;
    }
    this.spsel = sel;
  }

  private sys(name: string): number {
    const code = SYS[name];
    return (this.sysHi.get(code) ?? 0) * TWO32 + ((this.sysLo.get(code) ?? 0) >>> 0);
  }

  private setSys(name: string, v: number): void {
    const code = SYS[name];
    this.sysLo.set(code, v | 0);
    this.sysHi.set(code, Math.floor(v / TWO32) | 0);
  }

  // ---------------------------------------------------------------- exceptions

  /**
   * Takes a synchronous exception to EL1: ESR_EL1, FAR_EL1 (when `far` >= 0), ELR_EL1, SPSR_EL1,
   * then PSTATE = EL1h with DAIF masked and PC = VBAR_EL1 + 0x200 (0x000 from EL1t). With
   * VBAR_EL1 still 0 there is no vector table: the VCPU stops with a guest_fault exit instead.
   */
  private takeException(ec: number, iss: number, elr: number, far: number, what: string, word: number | null): void {
    const vbar = this.sys('VBAR_EL1');
    const pc = this.pcV;
    const esr = ((ec << 26) | ESR_IL | (iss & 0x1ffffff)) >>> 0;
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
    this.setSys('SPSR_EL1', (this.nzcv | (this.daif << 6) | (fromSpsel ? M_EL1H : M_EL1T)) >>> 0);
    this.setSys('ELR_EL1', elr);
    this.setSys('ESR_EL1', esr);
    if (far >= 0) this.setSys('FAR_EL1', far);
    this.daif = 0xf;
    this.setSpsel(1);
    this.pcV = vbar + (fromSpsel ? 0x200 : 0);
    this.noteJump(pc, this.pcV);
  }

  /** The record of an unexpected exception, with the instructions that ran before it. */
  private faultRecord(ec: number, esr: number, elr: number, far: number, pc: number, word: number | null, what: string, vbar: number): GuestException {
    const recent = this.recentPcs(pc);
    const e: GuestException = { ec, esr, elr, far: far >= 0 ? far : null, pc, word: word === null ? null : word >>> 0, what, vbar, retired: this.retiredV, recent };
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
  private firstNote(pc: number, what: string): string {
    const f = this.firstFaultV;
    if (f === null || (f.pc === pc && f.what === what && f.retired === this.retiredV)) return '';
    return `; the first unexpected exception (after ${f.retired} instructions): ${f.what}`;
  }

  private abort(f: GuestFault, pc: number, word: number): void {
    const iss = f.fsc | (f.wnr ? 1 << 6 : 0) | (f.s1ptw ? 1 << 7 : 0) | (f.cm ? 1 << 8 : 0);
    this.takeException(f.instruction ? EC.INSN_ABORT_SAME_EL : EC.DATA_ABORT_SAME_EL, iss, pc, f.va, `${f.instruction ? 'instruction' : 'data'} abort at PC=${hex(pc)}: ${f.description}`, f.instruction ? null : word);
  }

  /** An UNDEFINED encoding: an exception with EC=0, or an undefined_instruction exit while VBAR_EL1 is 0. */
  private undefinedInsn(pc: number, word: number, why: string): void {
    const what = `undefined instruction at PC=${hex(pc)}, word=${hexWord(word)} (${why})`;
    const vbar = this.sys('VBAR_EL1');
    if (vbar === 0) {
      if (this.firstFaultV === null) this.firstFaultV = this.faultRecord(EC.UNKNOWN, ESR_IL >>> 0, pc, -1, pc, word, what, 0);
      this.stop = { reason: 'undefined_instruction', pc, word: word >>> 0, detail: `${what}${this.firstNote(pc, what)}` };
      return;
    }
    this.takeException(EC.UNKNOWN, 0, pc, -1, what, word);
  }

  private eret(pc: number, word: number): void {
    const spsr = this.sys('SPSR_EL1') >>> 0;
    const m = spsr & 0xf;
    if (m !== M_EL1H && m !== M_EL1T) {
      this.stop = { reason: 'internal_error', pc, detail: `ERET at PC=${hex(pc)} to SPSR_EL1.M=${hex(m)}: only EL1t and EL1h are modelled (the core runs at EL1)` };
      return;
    }
    this.n = (spsr >>> 31) & 1;
    this.z = (spsr >>> 30) & 1;
    this.c = (spsr >>> 29) & 1;
    this.v = (spsr >>> 28) & 1;
    this.daif = (spsr >>> 6) & 0xf;
    this.setSpsel(m & 1);
    this.jump(pc, word, this.sys('ELR_EL1'));
  }

  /** HVC: PSCI calls KVM handles itself, the rest exits to the VMM (PC already past the HVC). */
  private hvc(u: Uop, pc: number): void {
    const fn = this.xl[0] >>> 0;
    this.retire(pc, u.word, pc + 4);
    switch (fn) {
      case PSCI.VERSION:
        this.xl[0] = 0x00010001;
        this.xh[0] = 0;
        return;
      case PSCI.SYSTEM_OFF:
        this.stop = { reason: 'system_event', pc, event: 'shutdown' };
        return;
      case PSCI.SYSTEM_RESET:
        this.stop = { reason: 'system_event', pc, event: 'reset' };
        return;
      default:
        this.stop = { reason: 'hypercall', pc, imm: u.imm, x0: (this.xh[0] >>> 0) * TWO32 + fn };
    }
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
