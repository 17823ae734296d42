/**
 * Random A64 instruction sequences for differential testing against QEMU (the approach of
 * Linaro's RISU), one encoding group at a time, from the subset the core implements.
 *
 * Register conventions the harness relies on:
 *   - SP points at the sequence's state record (the harness loads and saves registers through
 *     it): no generated instruction writes SP; reading it is allowed (`add x3, sp, #8`, a load
 *     from the record's initial values, a store into its save area).
 *   - x27 and x28 are the memory bases: they point into the scratch buffer, only loads and
 *     stores write them (writeback), and the generator tracks their offsets so every access
 *     stays inside the buffer and is naturally aligned (an unaligned access with the MMU off is
 *     to Device memory: an alignment fault on QEMU >= 9, so it is left out).
 *   - every other register (x0-x26, x29, x30, and XZR where the encoding allows it) is free.
 *
 * A sequence is a list of units (an instruction, or an index-register set-up and the load/store
 * that uses it); a conditional branch skips whole units forward, and the units in a branch's
 * shadow do no writeback, so the base offsets stay known whichever way it goes.
 */
import { SeededRng, encode, type Rng } from '../../index';
import { BEYOND_V80_FORMS, beyondV80Insn } from './generate-beyond-v80';
import { SysRegs } from '../../isa/a64/names';
import { END_SVC, SYSTEM_FORMS, randomSctlr, systemUnit } from './generate-system';
import { FP_FORMS, SIMD_FORMS, dataUnit, fpState, vldstRegUnit, vldstUnit } from './generate-simd';

/** Encoding groups, and the instruction forms in each (a form is what an exclusion names). */
export const GROUPS = {
  'dp-imm': ['ADD_IMM', 'ADDS_IMM', 'SUB_IMM', 'SUBS_IMM', 'AND_IMM', 'ORR_IMM', 'EOR_IMM', 'ANDS_IMM', 'MOVZ', 'MOVN', 'MOVK', 'ADR', 'ADRP', 'SBFM', 'UBFM', 'EXTR',
    'BFM'],
  'dp-reg': [
    'ADD_REG', 'ADDS_REG', 'SUB_REG', 'SUBS_REG',
    'AND_REG', 'BIC_REG', 'ORR_REG', 'ORN_REG', 'EOR_REG', 'EON_REG', 'ANDS_REG', 'BICS_REG',
    'LSLV', 'LSRV', 'ASRV', 'RORV', 'UDIV', 'SDIV', 'MADD', 'MSUB', 'CSEL', 'CSINC', 'CSINV', 'CSNEG',
    'ADD_EXT', 'ADDS_EXT', 'SUB_EXT', 'SUBS_EXT', 'ADC', 'ADCS', 'SBC', 'SBCS', 'CCMN_REG', 'CCMP_REG', 'CCMN_IMM', 'CCMP_IMM',
    'RBIT', 'REV16', 'REV32', 'REV', 'CLZ', 'CLS', 'SMADDL', 'SMSUBL', 'UMADDL', 'UMSUBL', 'SMULH', 'UMULH',
    'CRC32B', 'CRC32H', 'CRC32W', 'CRC32X', 'CRC32CB', 'CRC32CH', 'CRC32CW', 'CRC32CX',
  ],
  ldst: [
    'LDR/offset', 'LDR/unscaled', 'LDR/pre', 'LDR/post', 'LDR/reg', 'LDR/literal', 'STR/offset', 'STR/unscaled', 'STR/pre', 'STR/post', 'STR/reg', 'LDP/offset', 'LDP/pre', 'LDP/post', 'STP/offset', 'STP/pre', 'STP/post',
    // issue 9: the rest of the integer loads and stores
    'LDPSW/offset', 'LDPSW/pre', 'LDPSW/post', 'LDNP', 'STNP', 'LDTR', 'STTR', 'PRFM/offset', 'PRFM/unscaled', 'PRFM/reg', 'PRFM/literal',
  ],
  // issue 9: exclusives (each load-exclusive with its store-exclusive in one unit), acquire/release, CLREX
  'ldst-excl': ['LDXR', 'LDAXR', 'LDXP', 'LDAXP', 'STXR', 'LDAR', 'STLR', 'CLREX'],
  branch: ['B_COND', 'CBZ', 'CBNZ', 'TBZ', 'TBNZ'],
  'beyond-v80': BEYOND_V80_FORMS,
  // Stage-1 translation instructions with the MMU off (mmu-probe.ts tests them with it on).
  tlb: ['TLBI', 'AT'],
  // System/EL helper: system register moves, exceptions, EL0 access controls (generate-system.ts).
  sys: SYSTEM_FORMS,
  simd: SIMD_FORMS,
  fp: FP_FORMS,
} as const;
export type Group = keyof typeof GROUPS;
export const GROUP_NAMES = Object.keys(GROUPS) as Group[];
/** How often each group is drawn: branches less, as the instructions they skip test nothing. */
export const GROUP_WEIGHTS: Readonly<Record<Group, number>> = {
  'dp-imm': 3, 'dp-reg': 3, ldst: 3, branch: 1,
  'ldst-excl': 2,
  'beyond-v80': 1,
  tlb: 1,
  sys: 2,
  simd: 3,
  fp: 3,
};
/** One sequence in EL0_ONE_IN runs at EL0 (the harness ERETs to it, an SVC returns). */
export const EL0_ONE_IN = 3;
export { END_SVC };

/** Scratch buffer: where x27/x28 point; its address is fixed (within LDR literal's ±1 MiB of the code). */
export const SCRATCH_ADDR = 0x4010_0000;
export const SCRATCH_SIZE = 128;
export const BASES = [27, 28] as const;
/** The harness's state record SP points at: loads through SP read from this offset on, stores go below it. */
export const SP_RECORD_LOADS = 256;
export const SP_RECORD_SIZE = 640;
/** Registers a generated instruction may write (besides XZR). */
export const FREE = [...Array.from({ length: 27 }, (_, i) => i), 29, 30];
const ZR = 31;
const SP = 32;

/** One generated instruction: its word, its form (e.g. `LDR/post`), its group, and whether its word depends on its address. */
export interface GenInsn {
  word: number;
  form: string;
  group: Group;
  /** Set-up instructions (index register loads) are counted apart. */
  setup?: boolean;
  /** For LDR (literal): the assembly text (its target is an absolute address; ADR/ADRP offsets are relative already). */
  asm?: string;
}

export interface Sequence {
  /** x0..x30 initial values. */
  regs: bigint[];
  /** NZCV in bits 31:28. */
  nzcv: number;
  /** Initial scratch contents. */
  scratch: Uint8Array;
  /** V0-V31 initial values (low, high 64-bit halves), FPSR and FPCR. */
  vregs: bigint[];
  fpsr: number;
  fpcr: number;
  insns: GenInsn[];
  /** The exception level the sequence runs at (default 1). */
  el?: 0 | 1;
  /** SCTLR_EL1 while it runs (the harness writes it first). */
  sctlr?: number;
}

export interface GenOptions {
  /** Instructions per sequence (approximate: a unit is not split). */
  length: number;
  /** Groups to draw from (default all). */
  groups?: readonly Group[];
  /** Forms never generated (known bugs), e.g. `SDIV` or `LDR/post`. */
  exclude?: readonly string[];
}

const M64 = (1n << 64n) - 1n;

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.nextInt(xs.length)];
}

function u64(rng: Rng): bigint {
  return (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
}

/** Register values with the corner cases over-represented (zero, all ones, signed limits, small). */
export function interestingValue(rng: Rng): bigint {
  switch (rng.nextInt(11)) {
    case 0: case 10: return pick(rng, [0n, 1n, M64, 0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000n, 0x7fff_ffffn, 0xffff_ffffn, 0x1_0000_0000n]);
    case 1: return BigInt(rng.nextInt(256));
    case 2: return (-BigInt(rng.nextInt(256) + 1)) & M64;
    case 3: return BigInt(rng.nextU32());
    case 4: return 1n << BigInt(rng.nextInt(64));
    case 5: return (BigInt(rng.nextU32()) | 0xffff_ffff_0000_0000n) & M64;
    default: return u64(rng);
  }
}

/** A valid bitmask immediate: a rotated run of ones in a 2..64-bit element, repeated. */
function bitmaskImm(rng: Rng, sf: boolean): bigint {
  const sizes = sf ? [2, 4, 8, 16, 32, 64] : [2, 4, 8, 16, 32];
  const e = pick(rng, sizes);
  const ones = 1 + rng.nextInt(e - 1);
  const r = rng.nextInt(e);
  const em = (1n << BigInt(e)) - 1n;
  const run = (1n << BigInt(ones)) - 1n;
  const elt = ((run >> BigInt(r)) | (run << BigInt(e - r))) & em;
  let v = 0n;
  const width = sf ? 64 : 32;
  for (let i = 0; i < width; i += e) v |= elt << BigInt(i);
  return v;
}

type Unit = GenInsn[];

class SeqGen {
  /** Byte offsets of x27/x28 from the scratch buffer. */
  readonly off = new Map<number, number>();
  constructor(
    private readonly rng: Rng,
    private readonly exclude: ReadonlySet<string>,
  ) {}

  private reg(): number {
    return pick(this.rng, FREE);
  }
  /** A destination: a free register, or XZR one time in 16 where `zr` is allowed. */
  private rd(zr = true): number {
    return zr && this.rng.nextInt(16) === 0 ? ZR : this.reg();
  }
  /** A source: any register x0-x30, or XZR. */
  private src(): number {
    return this.rng.nextInt(32);
  }
  private bool(): boolean {
    return this.rng.nextInt(2) === 1;
  }

  /** The instruction forms of `group` not excluded. */
  forms(group: Group): string[] {
    return GROUPS[group].filter((f) => !this.exclude.has(f));
  }

  dpImm(form: string): Unit {
    const r = this.rng;
    const sf = this.bool();
    const one = (fields: Parameters<typeof encode>[0]): Unit => [{ word: encode(fields), form, group: 'dp-imm' }];
    switch (form) {
      case 'ADD_IMM': case 'SUB_IMM': case 'ADDS_IMM': case 'SUBS_IMM': {
        const s = form.startsWith('ADDS') || form.startsWith('SUBS');
        const shift = r.nextInt(4) === 0 ? 12 : 0;
        const imm = r.nextInt(4096) * (shift ? 4096 : 1);
        // Rd: SP for ADD/SUB is the harness's; ZR for the S forms is CMP/CMN. Rn may be SP (read only).
        const rn = r.nextInt(16) === 0 ? SP : this.reg();
        return one({ op: form as 'ADD_IMM', sf, rd: s ? this.rd() : this.reg(), rn, imm, shift: shift as 0 | 12 });
      }
      case 'AND_IMM': case 'ORR_IMM': case 'EOR_IMM': case 'ANDS_IMM': {
        const v = bitmaskImm(r, sf);
        return one({ op: form as 'AND_IMM', sf, rd: form === 'ANDS_IMM' ? this.rd() : this.reg(), rn: this.src(), immLo: Number(v & 0xffff_ffffn), immHi: Number(v >> 32n) });
      }
      case 'MOVZ': case 'MOVN': case 'MOVK':
        return one({ op: form, sf, rd: this.rd(), imm: r.nextInt(0x10000), shift: r.nextInt(sf ? 4 : 2) * 16 });
      case 'ADR': case 'ADRP': {
        const rd = this.rd();
        // A target within ±64 KiB (ADR) or ±16 pages (ADRP) of the instruction.
        const delta = form === 'ADR' ? r.nextInt(1 << 17) - (1 << 16) : (r.nextInt(33) - 16) * 4096;
        return one({ op: form, rd, imm: delta });
      }
      case 'SBFM': case 'UBFM': case 'BFM': {
        const size = sf ? 64 : 32;
        return one({ op: form, sf, rd: this.rd(), rn: this.src(), immr: r.nextInt(size), imms: r.nextInt(size) });
      }
      case 'EXTR':
        return one({ op: 'EXTR', sf, rd: this.rd(), rn: this.src(), rm: this.src(), lsb: r.nextInt(sf ? 64 : 32) });
    }
    throw new Error(`dp-imm: unknown form ${form}`);
  }

  dpReg(form: string): Unit {
    const r = this.rng;
    const sf = this.bool();
    const one = (fields: Parameters<typeof encode>[0]): Unit => [{ word: encode(fields), form, group: 'dp-reg' }];
    const [rd, rn, rm] = [this.rd(), this.src(), this.src()];
    const amount = r.nextInt(3) === 0 ? 0 : r.nextInt(sf ? 64 : 32);
    if (form.endsWith('_REG') && !form.startsWith('CC')) {
      const logic = !['ADD_REG', 'ADDS_REG', 'SUB_REG', 'SUBS_REG'].includes(form);
      const shiftType = pick(r, logic ? (['lsl', 'lsr', 'asr', 'ror'] as const) : (['lsl', 'lsr', 'asr'] as const));
      return one({ op: form as 'ADD_REG', sf, rd, rn, rm, shiftType, shift: amount });
    }
    switch (form) {
      case 'LSLV': case 'LSRV': case 'ASRV': case 'RORV': case 'UDIV': case 'SDIV':
        return one({ op: form, sf, rd, rn, rm });
      case 'MADD': case 'MSUB':
        return one({ op: form, sf, rd, rn, rm, ra: this.src() });
      case 'CSEL': case 'CSINC': case 'CSINV': case 'CSNEG':
        return one({ op: form, sf, rd, rn, rm, cond: r.nextInt(16) });
      case 'ADD_EXT': case 'ADDS_EXT': case 'SUB_EXT': case 'SUBS_EXT': {
        // Rd of ADD/SUB is SP-style: never SP (the harness's), so a free register; Rn may be SP (read only).
        const s = form === 'ADDS_EXT' || form === 'SUBS_EXT';
        const extend = pick(r, ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'] as const);
        return one({ op: form, sf, rd: s ? rd : this.reg(), rn: r.nextInt(8) === 0 ? SP : this.reg(), rm, extend, shift: r.nextInt(5) });
      }
      case 'ADC': case 'ADCS': case 'SBC': case 'SBCS':
        return one({ op: form, sf, rd, rn, rm });
      case 'CCMN_REG': case 'CCMP_REG':
        return one({ op: form, sf, rn, rm, nzcv: r.nextInt(16), cond: r.nextInt(16) });
      case 'CCMN_IMM': case 'CCMP_IMM':
        return one({ op: form, sf, rn, imm: r.nextInt(32), nzcv: r.nextInt(16), cond: r.nextInt(16) });
      case 'RBIT': case 'REV16': case 'REV': case 'CLZ': case 'CLS':
        return one({ op: form, sf, rd, rn });
      case 'REV32':
        return one({ op: form, sf: true, rd, rn });
      case 'SMADDL': case 'SMSUBL': case 'UMADDL': case 'UMSUBL':
        return one({ op: form, rd, rn, rm, ra: this.src() });
      case 'SMULH': case 'UMULH':
      case 'CRC32B': case 'CRC32H': case 'CRC32W': case 'CRC32X': case 'CRC32CB': case 'CRC32CH': case 'CRC32CW': case 'CRC32CX':
        return one({ op: form, rd, rn, rm });
    }
    throw new Error(`dp-reg: unknown form ${form}`);
  }

  /** An aligned offset in the scratch buffer for an access of `n` bytes. */
  private addr(n: number): number {
    return this.rng.nextInt((SCRATCH_SIZE - n) / n + 1) * n;
  }
  /** A new base offset (a multiple of 8 inside the buffer). */
  private newBase(): number {
    return this.rng.nextInt(SCRATCH_SIZE / 8) * 8;
  }

  /** A load's destination: a free register or XZR, never a base nor one of `avoid`. */
  private loadRt(avoid: readonly number[]): number {
    for (;;) {
      const x = this.rd();
      if (!(BASES as readonly number[]).includes(x) && !avoid.includes(x)) return x;
    }
  }

  /** LDPSW, LDNP/STNP, LDTR/STTR, PRFM (issue 9). */
  ldstMore(form: string, writeback: boolean): Unit | undefined {
    const r = this.rng;
    const [op, modeRaw] = form.split('/');
    const g = (fields: Parameters<typeof encode>[0]): Unit => [{ word: encode(fields), form, group: 'ldst' }];
    const rn = pick(r, BASES);
    const off = this.off.get(rn)!;
    switch (op) {
      case 'LDPSW': {
        const mode = modeRaw as 'offset' | 'pre' | 'post';
        if (mode !== 'offset' && !writeback) return undefined;
        const t1 = this.loadRt([]);
        const t2 = this.loadRt([t1]);
        let imm: number;
        if (mode === 'post') {
          const target = this.newBase();
          imm = target - off;
          if (off + 8 > SCRATCH_SIZE || imm < -256 || imm > 252) return undefined;
          this.off.set(rn, target);
        } else {
          const a = mode === 'pre' ? this.newBase() : this.addr(8);
          imm = a - off;
          if (mode === 'pre') this.off.set(rn, a);
        }
        return g({ op: 'LDPSW', rt: t1, rt2: t2, rn, mode, imm });
      }
      case 'LDNP': case 'STNP': {
        const size = pick(r, [2, 3] as const);
        const n = 1 << size;
        const t1 = op === 'LDNP' ? this.loadRt([]) : this.src();
        const t2 = op === 'LDNP' ? this.loadRt([t1]) : this.src();
        const imm = this.addr(2 * n) - off;
        if (imm % n !== 0) return undefined;
        return g({ op, size, sf: size === 3, rt: t1, rt2: t2, rn, imm });
      }
      case 'LDTR': case 'STTR': {
        const size = r.nextInt(4) as 0 | 1 | 2 | 3;
        const signed = op === 'LDTR' && size < 3 && r.nextInt(3) === 0;
        const sf = size === 3 || (signed && (size === 2 || this.bool()));
        const rt = op === 'LDTR' ? this.loadRt([]) : this.src();
        return g({ op, size, signed, sf, rt, rn, imm: this.addr(1 << size) - off });
      }
      case 'PRFM': {
        // A hint: any address at all (nothing is accessed), any operation.
        const prfop = r.nextInt(32);
        const mode = modeRaw as 'offset' | 'unscaled' | 'reg' | 'literal';
        const base = { op: 'PRFM' as const, prfop, rn: r.nextInt(16) === 0 ? SP : this.reg(), rm: ZR, extend: 'lsl' as const, scaled: false };
        if (mode === 'offset') return g({ ...base, mode, imm: r.nextInt(4096) * 8 });
        if (mode === 'unscaled') return g({ ...base, mode, imm: r.nextInt(512) - 256 });
        if (mode === 'literal') return g({ ...base, rn: ZR, mode, imm: (r.nextInt(1 << 12) - (1 << 11)) * 4 });
        return g({ ...base, mode, imm: 0, rm: this.src(), extend: pick(r, ['lsl', 'uxtw', 'sxtw', 'sxtx'] as const), scaled: this.bool() });
      }
    }
    throw new Error(`ldst: unknown form ${form}`);
  }

  /**
   * The exclusives, as units the monitor's state never leaks out of: a load-exclusive and its
   * store-exclusive at the same address and size (which passes: nothing comes between, so QEMU's
   * value compare agrees), with CLREX between (fails), or to another address (fails on both:
   * QEMU compares the address); a lone store-exclusive (fails); LDAR/STLR; CLREX. The address is
   * set up in a free register first (the exclusives take [Xn] only).
   */
  ldstExcl(form: string): Unit | undefined {
    const r = this.rng;
    const pair = form === 'LDXP' || form === 'LDAXP';
    const size = (pair ? pick(r, [2, 3]) : r.nextInt(4)) as 0 | 1 | 2 | 3;
    const bytes = (pair ? 2 : 1) << size;
    const unit: Unit = [];
    const addrReg = (avoid: readonly number[]): number => {
      for (;;) {
        const x = this.reg();
        if (!(BASES as readonly number[]).includes(x) && !avoid.includes(x)) return x;
      }
    };
    /** Sets `reg` to an address in the scratch buffer aligned to `bytes` (not `avoidOffset`), from a base. */
    const setAddress = (reg: number, avoidOffset?: number): number => {
      const rn = pick(r, BASES);
      let a = this.addr(bytes);
      if (a === avoidOffset) a = (a + bytes) % SCRATCH_SIZE;
      const delta = a - this.off.get(rn)!;
      const fields = delta >= 0 ? { op: 'ADD_IMM' as const, sf: true, rd: reg, rn, imm: delta, shift: 0 as const } : { op: 'SUB_IMM' as const, sf: true, rd: reg, rn, imm: -delta, shift: 0 as const };
      unit.push({ word: encode(fields), form: fields.op, group: 'ldst-excl', setup: true });
      return a;
    };
    const g = (fields: Parameters<typeof encode>[0], f = form) => unit.push({ word: encode(fields), form: f, group: 'ldst-excl' });
    const xn = addrReg([]);
    const a = setAddress(xn);
    if (form === 'LDAR' || form === 'STLR') {
      g({ op: form, size, rs: ZR, rt: form === 'LDAR' ? this.loadRt([xn]) : this.src(), rt2: ZR, rn: xn });
      return unit;
    }
    if (form === 'CLREX') {
      g({ op: 'CLREX', imm: r.nextInt(8) === 0 ? r.nextInt(16) : 15 });
      return unit;
    }
    // The store-exclusive: its status register apart from its data and address registers.
    const store = (op: 'STXR' | 'STLXR' | 'STXP' | 'STLXP', rn: number) => {
      const t = this.src();
      const t2 = pair ? this.src() : ZR;
      let s: number;
      do s = this.rd();
      while (s === t || (pair && s === t2) || s === rn || (BASES as readonly number[]).includes(s));
      g({ op, size, rs: s, rt: t, rt2: t2, rn }, op);
    };
    if (form === 'STXR') {
      store(pick(r, ['STXR', 'STLXR'] as const), xn);
      return unit;
    }
    const t = this.loadRt([xn]);
    const t2 = pair ? this.loadRt([xn, t]) : ZR;
    g({ op: form as 'LDXR', size, rs: ZR, rt: t, rt2: t2, rn: xn });
    const kind = r.nextInt(6);
    const storeOp = pair ? pick(r, ['STXP', 'STLXP'] as const) : pick(r, ['STXR', 'STLXR'] as const);
    if (kind === 0) g({ op: 'CLREX', imm: 15 }, 'CLREX');
    if (kind === 1) {
      // Another address: a second register (the load's registers are kept).
      const xm = addrReg([xn, t, t2]);
      setAddress(xm, a);
      store(storeOp, xm);
    } else if (kind === 2) {
      // A second load-exclusive elsewhere moves the mark: the store passes there only.
      const xm = addrReg([xn, t, t2]);
      setAddress(xm, a);
      const u = this.loadRt([xn, xm]);
      g({ op: form as 'LDXR', size, rs: ZR, rt: u, rt2: pair ? this.loadRt([xn, xm, u]) : ZR, rn: xm });
      store(storeOp, this.bool() ? xm : xn);
    } else store(storeOp, xn);
    return unit;
  }

  ldst(form: string, writeback: boolean): Unit | undefined {
    const r = this.rng;
    if (/^(LDPSW|LDNP|STNP|LDTR|STTR|PRFM)/.test(form)) return this.ldstMore(form, writeback);
    const [op, modeRaw] = form.split('/') as ['LDR' | 'STR' | 'LDP' | 'STP', string];
    let mode = modeRaw;
    if (!writeback && (mode === 'pre' || mode === 'post')) return undefined;
    const load = op === 'LDR' || op === 'LDP';
    const rn = pick(r, BASES);
    const off = this.off.get(rn)!;
    // Rt of a load is never a base; with writeback, never the base being written.
    const rt = (avoid: number[]): number => {
      for (;;) {
        const x = load ? this.rd() : this.src();
        if (!(load && (BASES as readonly number[]).includes(x)) && !avoid.includes(x)) return x;
      }
    };
    const g = (fields: Parameters<typeof encode>[0], asm?: string): GenInsn => ({ word: encode(fields), form, group: 'ldst', asm });
    if (op === 'LDP' || op === 'STP') {
      const size = pick(r, [2, 3] as const);
      const n = 1 << size;
      const sf = size === 3;
      const wb = mode !== 'offset' ? [rn] : [];
      const t1 = rt(wb);
      let t2 = rt(wb);
      while (load && t2 === t1) t2 = rt(wb);
      let imm: number;
      if (mode === 'post') {
        const target = this.newBase();
        imm = target - off;
        if (off + 2 * n > SCRATCH_SIZE || imm < -64 * n || imm > 63 * n || imm % n !== 0) return undefined;
        this.off.set(rn, target);
      } else {
        const a = this.addr(2 * n);
        imm = a - off;
        if (imm % n !== 0) return undefined;
        if (mode === 'pre') {
          if (a % 8 !== 0) return undefined;
          this.off.set(rn, a);
        }
      }
      return [g({ op, size, sf, rt: t1, rt2: t2, rn, mode: mode as 'offset', imm })];
    }
    // Single register: the size, sign and width.
    let size = r.nextInt(4) as 0 | 1 | 2 | 3;
    let signed = load && size < 3 && r.nextInt(3) === 0;
    let sf = size === 3 || (signed && (size === 2 || this.bool()));
    if (mode === 'literal') {
      size = pick(r, [2, 3] as const);
      signed = size === 2 && this.bool();
      sf = size === 3 || signed;
    }
    const n = 1 << size;
    const base = { op, size, signed, sf, rn, rm: ZR, extend: 'lsl' as const, scaled: false };
    if (mode === 'literal') {
      const target = SCRATCH_ADDR + this.addr(n);
      const t = rt([]);
      const fields = { ...base, op: 'LDR' as const, rt: t, rn: ZR, mode: 'literal' as const, imm: 0x1000 };
      const reg = t === ZR ? (sf ? 'xzr' : 'wzr') : `${sf ? 'x' : 'w'}${t}`;
      return [g(fields, `${signed ? 'ldrsw' : 'ldr'} ${reg}, 0x${target.toString(16)}`)];
    }
    if (mode === 'reg') {
      const a = this.addr(n);
      const extend = pick(r, ['lsl', 'uxtw', 'sxtw', 'sxtx'] as const);
      const scaled = this.bool();
      const delta = a - off;
      if (extend === 'uxtw' && delta < 0) return undefined;
      const index = delta / (scaled ? n : 1);
      let ix = this.reg();
      const t = rt([]);
      while (ix === t && load) ix = this.reg();
      const set: GenInsn[] = [];
      const mov = (fields: Parameters<typeof encode>[0]) => set.push({ word: encode(fields), form: fields.op, group: 'ldst', setup: true });
      if (index >= 0) mov({ op: 'MOVZ', sf: true, rd: ix, imm: index, shift: 0 });
      else mov({ op: 'MOVN', sf: true, rd: ix, imm: ~index & 0xffff, shift: 0 });
      // The W-extended forms ignore bits 63:32: put something there.
      if (extend === 'uxtw' || extend === 'sxtw') mov({ op: 'MOVK', sf: true, rd: ix, imm: r.nextInt(0x10000), shift: pick(r, [32, 48]) });
      return [...set, g({ ...base, rt: t, mode: 'reg', imm: 0, rm: ix, extend, scaled })];
    }
    if ((mode === 'offset' || mode === 'unscaled') && r.nextInt(8) === 0) {
      // SP as the base (no writeback): a load from the record's initial values (its bytes
      // 256-639), or a store into its save area (0-255, which the harness overwrites after).
      const a = load ? SP_RECORD_LOADS + r.nextInt((SP_RECORD_SIZE - SP_RECORD_LOADS - n) / n + 1) * n : r.nextInt((SP_RECORD_LOADS - n) / n + 1) * n;
      const m = a > 255 ? 'offset' : mode;
      return [g({ ...base, rn: SP, rt: rt([]), mode: m, imm: a })];
    }
    if (mode === 'offset') {
      const a = this.addr(n);
      if (a < off) mode = 'unscaled';
      else return [g({ ...base, rt: rt([]), mode: 'offset', imm: a - off })];
    }
    if (mode === 'unscaled') return [g({ ...base, rt: rt([]), mode: 'unscaled', imm: this.addr(n) - off })];
    const t = rt([rn]);
    if (mode === 'pre') {
      const a = this.addr(Math.max(n, 8));
      this.off.set(rn, a);
      return [g({ ...base, rt: t, mode: 'pre', imm: a - off })];
    }
    // post: the access at the current offset, then a new offset.
    if (off + n > SCRATCH_SIZE || off % n !== 0) return undefined;
    const target = this.newBase();
    this.off.set(rn, target);
    return [g({ ...base, rt: t, mode: 'post', imm: target - off })];
  }

  /**
   * TLBI (an ARMv8.0 EL1 operation, any Xt: no visible effect with the MMU off) or AT: Xt set to
   * a scratch address, a value below 2^32, or one beyond every PA (MOVN), then MRS of PAR_EL1
   * with SH masked (QEMU 7.2 reports 0b00 for Device memory, the Arm ARM 0b10).
   */
  tlb(form: string): Unit {
    const r = this.rng;
    const g = (fields: Parameters<typeof encode>[0], setup = false): GenInsn => ({ word: encode(fields), form, group: 'tlb', setup });
    if (form === 'TLBI') {
      const op = pick(r, ['VMALLE1', 'VAE1', 'ASIDE1', 'VAAE1', 'VALE1', 'VAALE1', 'VMALLE1IS', 'VAE1IS', 'ASIDE1IS', 'VAAE1IS', 'VALE1IS', 'VAALE1IS']);
      return [g({ op: 'TLBI', sysOp: op, rt: op.startsWith('VMALLE1') ? ZR : this.src() })];
    }
    const unit: Unit = [];
    let xt: number;
    const k = r.nextInt(3);
    if (k === 0) xt = pick(r, BASES);
    else {
      xt = this.reg();
      unit.push(g(k === 1 ? { op: 'MOVZ', sf: true, rd: xt, imm: r.nextInt(0x10000), shift: 16 * r.nextInt(2) } : { op: 'MOVN', sf: true, rd: xt, imm: r.nextInt(0x10000), shift: 0 }, true));
    }
    const rd = this.reg();
    unit.push(g({ op: 'AT', sysOp: pick(r, ['S1E1R', 'S1E1W', 'S1E0R', 'S1E0W']), rt: xt }));
    unit.push(g({ op: 'MRS', sysreg: SysRegs.PAR_EL1, rt: rd }));
    unit.push(g({ op: 'AND_IMM', sf: true, rd, rn: rd, immLo: 0xfffffe7f, immHi: 0xffffffff }));
    return unit;
  }

  /** A branch skipping forward by `bytes` (patched once the skipped units exist). */
  branch(form: string): (bytes: number) => GenInsn {
    const r = this.rng;
    const g = (fields: Parameters<typeof encode>[0]): GenInsn => ({ word: encode(fields), form, group: 'branch' });
    switch (form) {
      case 'B_COND': {
        const cond = r.nextInt(16);
        return (imm) => g({ op: 'B_COND', cond, imm });
      }
      case 'CBZ': case 'CBNZ': {
        const [sf, rt] = [this.bool(), this.src()];
        return (imm) => g({ op: form, sf, rt, imm });
      }
      case 'TBZ': case 'TBNZ': {
        const [rt, bit] = [this.src(), r.nextInt(64)];
        return (imm) => g({ op: form, rt, bit, imm });
      }
    }
    throw new Error(`branch: unknown form ${form}`);
  }
}

/** One random sequence of about `opts.length` instructions. */
export function generateSequence(rng: Rng, opts: GenOptions): Sequence {
  const exclude = new Set(opts.exclude ?? []);
  const gen = new SeqGen(rng, exclude);
  const groups = (opts.groups ?? GROUP_NAMES).filter((g) => gen.forms(g).length > 0);
  if (groups.length === 0) throw new Error('every instruction form is excluded');
  const totalWeight = groups.reduce((n, g) => n + GROUP_WEIGHTS[g], 0);
  const regs = Array.from({ length: 31 }, () => interestingValue(rng));
  for (const b of BASES) {
    const o = rng.nextInt(SCRATCH_SIZE / 8) * 8;
    gen.off.set(b, o);
    regs[b] = BigInt(SCRATCH_ADDR + o);
  }
  const nzcv = rng.nextInt(16) << 28;
  const scratch = new Uint8Array(SCRATCH_SIZE);
  for (let i = 0; i < SCRATCH_SIZE; i++) scratch[i] = rng.nextInt(256);
  const el: 0 | 1 = rng.nextInt(EL0_ONE_IN) === 0 ? 0 : 1;
  const sctlr = randomSctlr(rng);
  const sysCtx = {
    rng,
    el,
    sctlr,
    rd: () => {
      for (;;) {
        const x = rng.nextInt(16) === 0 ? ZR : pick(rng, FREE);
        if (!(BASES as readonly number[]).includes(x)) return x;
      }
    },
    src: () => rng.nextInt(32),
    base: () => pick(rng, BASES),
  };
  // From a stream of its own, so the other groups' sequences do not depend on it.
  const fp = fpState(rng.fork('fp-state'));

  const units: Unit[] = [];
  /** Branches waiting for their skipped units: [unit index, units skipped, make]. */
  const pending: { at: number; skip: number; make: (bytes: number) => GenInsn }[] = [];
  let shadowEnd = 0;
  let count = 0;
  while (count < opts.length) {
    let w = rng.nextInt(totalWeight);
    const group = groups.find((g) => (w -= GROUP_WEIGHTS[g]) < 0)!;
    const form = pick(rng, gen.forms(group));
    let unit: Unit | undefined;
    if (group === 'branch') {
      const skip = 1 + rng.nextInt(3);
      pending.push({ at: units.length, skip, make: gen.branch(form) });
      shadowEnd = Math.max(shadowEnd, units.length + 1 + skip);
      unit = [{ word: 0, form, group }];
    } else if (group === 'ldst') unit = gen.ldst(form, units.length >= shadowEnd);
    else if (group === 'ldst-excl') unit = gen.ldstExcl(form);
    else if (group === 'simd' || group === 'fp') unit = simdUnit(rng, group, form, gen.off, units.length >= shadowEnd);
    else if (group === 'dp-imm') unit = gen.dpImm(form);
    else if (group === 'beyond-v80') unit = [beyondV80Insn(rng, form)];
    else if (group === 'tlb') unit = gen.tlb(form);
    else if (group === 'sys') unit = systemUnit(form, sysCtx);
    else unit = gen.dpReg(form);
    if (unit === undefined) continue; // that form does not fit here (writeback in a branch's shadow, an offset out of range): draw again
    units.push(unit);
    count += unit.length;
  }
  for (const p of pending) {
    let words = 1;
    for (let i = p.at + 1; i <= p.at + p.skip && i < units.length; i++) words += units[i].length;
    units[p.at][0] = p.make(words * 4);
  }
  return { regs, nzcv, scratch, ...fp, insns: units.flat(), el, sctlr };
}

/** Sequence `index` of the campaign with `seed`: each from its own stream, so any one can be regenerated alone. */
export function sequenceAt(seed: number, index: number, opts: GenOptions): Sequence {
  return generateSequence(new SeededRng(seed).fork(`isa-seq-${index}`), opts);
}

/** A unit of the SIMD or FP group (generate-simd.ts). */
function simdUnit(rng: Rng, group: 'simd' | 'fp', form: string, off: Map<number, number>, writeback: boolean): GenInsn[] | undefined {
  if (form.endsWith('/reg')) {
    const u = vldstRegUnit(rng, form, off, FREE);
    return u?.map((e, k) => ({ ...e, group, setup: k < u.length - 1 ? true : undefined }));
  }
  const e = /\/|LDNP|STNP/.test(form) ? vldstUnit(rng, form, off, writeback) : dataUnit(rng, form);
  return e === undefined ? undefined : [{ ...e, group }];
}
