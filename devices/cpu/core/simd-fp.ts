/**
 * SIMD and floating point: the group's execution (SIMD_FP_OPS, numbered from 260). Every op
 * first checks CPACR_EL1.FPEN. Loads and stores go through the guest memory path 8 bytes at a
 * time at most; vector arithmetic works on elements (BigInt lanes: correct first, the Linux
 * kernel runs little of it); bitwise ops on 32-bit words.
 */

import { disassemble } from '../../../isa/a64/decoder';
import { SysRegs } from '../../../isa/a64/names';
import type { SimdFp as SimdFpInsn } from '../../../isa/a64/insn';
import { BY_ELEMENT, FP_THREE_SAME, FP_TWO_MISC, SCALAR_FP_PAIR, SHIFTS, THREE_DIFF, THREE_SAME, copySize, elemSize, fpMiscKey, expandImm, fpImm32, fpImm64, fpThreeSameKey, shiftAmount, shiftSize } from '../../../isa/a64/encodings/simd-fp-advsimd';
import { AccessStatus } from '../guest-access';
import { SIMD_FP_BASE, type Uop } from './decoded-ops';
import { SYSREG_OK, SYSREG_UNDEFINED } from './system-registers';
import { FPCR_MASK, FPSR_MASK, SimdState } from './simd-state';

/** FPSR.QC: cumulative saturation. */
const FPSR_QC = 1 << 27;
import { FpUnit, type Rounding } from './fp-arith';

const SYS = SysRegs;
/** FP_1's opcodes of the FP two-register misc ops that share its semantics. */
/** FP_2's opcodes of the pairwise FP ops (name without the final p). */
const FP_PAIR_OPCODE: Readonly<Record<string, number>> = { fadd: 2, fmax: 4, fmin: 5, fmaxnm: 6, fminnm: 7 };
const FP1_OPCODE: Readonly<Record<string, number>> = { fabs: 1, fneg: 2, fsqrt: 3, frintn: 8, frintp: 9, frintm: 10, frintz: 11, frinta: 12, frintx: 14, frinti: 15 };
const M64 = (1n << 64n) - 1n;
const mask = (size: number): bigint => (1n << BigInt(8 << size)) - 1n;
const signed = (v: bigint, size: number): bigint => BigInt.asIntN(8 << size, v);

// Op numbers (SIMD_FP_OPS order in decoded-ops.ts).
const enum O {
  LDR_V, STR_V, LDP_V, STP_V, LDNP_V, STNP_V, LD1, ST1,
  V_3SAME, S_3SAME, V_2MISC, S_2MISC, V_ACROSS, S_PAIR, V_PERM, V_EXT, V_TBL,
  V_SHIFT, S_SHIFT, V_COPY, S_COPY, V_MODIMM,
  FP_INT, FP_IMM, FP_1, FP_2, FP_3, FP_CMP, FP_CCMP, FP_CSEL,
  V_3DIFF, LD2, ST2, LD3, ST3, LD4, ST4, LDNS, STNS, LDNR, FP_FIXED, V_ELEM, S_ELEM, S_3DIFF,
}

export abstract class SimdFp extends SimdState {
  protected readonly fp = new FpUnit();

  /** Returns true when the instruction completed and retires at PC + 4. */
  protected execSimdFp(u: Uop, pc: number): boolean {
    if (!this.fpAccess(pc, u.word)) return false;
    const i = u.insn as SimdFpInsn;
    switch (u.opc - SIMD_FP_BASE) {
      case O.LDR_V:
      case O.STR_V:
        return this.vLoadStore(u, i, pc);
      case O.LDP_V:
      case O.STP_V:
      case O.LDNP_V:
      case O.STNP_V:
        return this.vPair(i, pc, u.word);
      case O.LD1:
      case O.ST1:
        return this.ld1(i, pc, u.word);
      case O.LD2:
      case O.ST2:
      case O.LD3:
      case O.ST3:
      case O.LD4:
      case O.ST4:
        return this.ldN(i, pc, u.word);
      case O.LDNS:
      case O.STNS:
      case O.LDNR:
        return this.ldSingle(i, pc, u.word);
      case O.V_3SAME:
        return this.threeSame(i, i.q ? 16 : 8, pc, u.word);
      case O.S_3SAME:
        return this.threeSame(i, 1 << i.size, pc, u.word);
      case O.V_2MISC:
      case O.S_2MISC:
        return this.twoMisc(i, pc, u.word);
      case O.V_ACROSS:
        return this.across(i);
      case O.S_PAIR:
        if (i.u === 1) return this.fpPairScalar(i);
        this.setLanes(i.rd, 3, [(this.lane(i.rn, 3, 0) + this.lane(i.rn, 3, 1)) & M64]);
        return true;
      case O.V_PERM:
        return this.permute(i);
      case O.V_EXT: {
        const bytes = i.q ? 16 : 8;
        const cat = [...this.lanes(i.rn, 0, bytes), ...this.lanes(i.rm, 0, bytes)];
        this.setLanes(i.rd, 0, cat.slice(i.imm, i.imm + bytes));
        return true;
      }
      case O.V_TBL:
        return this.tbl(i);
      case O.V_SHIFT:
      case O.S_SHIFT:
        return this.shiftImm(i);
      case O.V_COPY:
        return this.copy(i);
      case O.S_COPY: {
        const size = copySize(i.imm >> 4);
        this.setLanes(i.rd, size, [this.lane(i.rn, size, i.imm >> (5 + size))]);
        return true;
      }
      case O.V_MODIMM:
        return this.modImm(i);
      case O.FP_INT:
        return this.fpInt(i, pc, u.word);
      case O.FP_FIXED:
        return this.fpFixed(i);
      case O.S_3DIFF: {
        // SQDMLAL/SQDMLSL/SQDMULL (scalar): element 0 only.
        const es = BigInt(16 << i.size);
        const hi = (1n << (es - 1n)) - 1n;
        const lo = -(1n << (es - 1n));
        let qc = false;
        const sat = (v: bigint): bigint => {
          if (v > hi || v < lo) qc = true;
          return v > hi ? hi : v < lo ? lo : v;
        };
        const p = sat(2n * signed(this.lane(i.rn, i.size, 0), i.size) * signed(this.lane(i.rm, i.size, 0), i.size));
        const acc = signed(this.lane(i.rd, i.size + 1, 0), i.size + 1);
        const r = i.opc === 0b1101 ? p : sat(i.opc === 0b1001 ? acc + p : acc - p);
        this.setLanes(i.rd, i.size + 1, [r & mask(i.size + 1)]);
        if (qc) this.fpsr |= FPSR_QC;
        return true;
      }
      case O.V_ELEM:
      case O.S_ELEM:
        return this.byElement(i, pc, u.word);
      case O.FP_IMM:
        this.setLanes(i.rd, i.size === 1 ? 3 : 2, [i.size === 1 ? fpImm64(i.imm) : BigInt(fpImm32(i.imm))]);
        return true;
      case O.V_3DIFF:
        return this.threeDiff(i);
      case O.FP_CSEL: {
        const size = i.size === 1 ? 3 : 2;
        this.setLanes(i.rd, size, [this.lane(this.cond(i.imm) ? i.rn : i.rm, size, 0)]);
        return true;
      }
      default:
        return this.fpArith(u, i, pc);
    }
  }

  /** Set when an MRS/MSR of FPCR/FPSR took the CPACR_EL1.FPEN trap: the core's UNDEFINED for it is not taken then. */
  private fpSysTrapped = false;

  /** MRS of FPCR/FPSR (here rather than with the other registers: the state is this layer's). */
  protected override mrs(code: number): number {
    if (code === SYS.FPCR || code === SYS.FPSR) {
      // A trapped access reports UNDEFINED, which undefinedInsn below drops (the trap was taken).
      if (!this.fpSysAccess()) return SYSREG_UNDEFINED;
      this.rl = code === SYS.FPCR ? this.fpcr : this.fpsr;
      this.rh = 0;
      return SYSREG_OK;
    }
    return super.mrs(code);
  }

  protected override msr(code: number, lo: number, hi: number): number {
    if (code === SYS.FPCR || code === SYS.FPSR) {
      if (!this.fpSysAccess()) return SYSREG_UNDEFINED;
      if (code === SYS.FPCR) this.fpcr = lo & FPCR_MASK;
      else this.fpsr = lo & FPSR_MASK;
      return SYSREG_OK;
    }
    return super.msr(code, lo, hi);
  }

  /** FPCR and FPSR trap with the rest of SIMD&FP (EC 0x07), not as an UNDEFINED MRS/MSR. */
  private fpSysAccess(): boolean {
    const pc = this.pcV;
    if (this.fpAccess(pc, 0)) return true;
    this.fpSysTrapped = true;
    return false;
  }

  protected override undefinedInsn(pc: number, word: number, why: string): void {
    if (this.fpSysTrapped) {
      this.fpSysTrapped = false;
      return;
    }
    super.undefinedInsn(pc, word, why);
  }

  /** An encoding the core decodes but does not execute: UNDEFINED, naming it. */
  protected notExecuted(pc: number, word: number): false {
    this.undefinedInsn(pc, word, `${disassemble(word, pc).split('\t')[0]} is decoded but not executed`);
    return false;
  }

  // ---------------------------------------------------------------- loads and stores

  /** Reads `bytes` (1-16) at `va` into the byte buffer `t` at `at`; false on a failure (taken). */
  private readBytes(va: number, bytes: number, t: Uint8Array, at: number, pc: number, word: number, unit = 8): boolean {
    const mem = this.memory;
    for (let off = 0; off < bytes; off += unit) {
      const n = Math.min(unit, bytes - off);
      const st = mem.read(va + off, n);
      if (st !== AccessStatus.OK) return this.memFailure(st, pc, word, null);
      const lo = mem.lo;
      const hi = mem.hi;
      for (let b = 0; b < n; b++) t[at + off + b] = b < 4 ? (lo >>> (8 * b)) & 0xff : (hi >>> (8 * (b - 4))) & 0xff;
    }
    return true;
  }

  private writeBytes(va: number, bytes: number, t: Uint8Array, at: number, pc: number, word: number, unit = 8): boolean {
    for (let off = 0; off < bytes; off += unit) {
      const n = Math.min(unit, bytes - off);
      let lo = 0;
      let hi = 0;
      for (let b = 0; b < n; b++) {
        if (b < 4) lo |= t[at + off + b] << (8 * b);
        else hi |= t[at + off + b] << (8 * (b - 4));
      }
      const st = this.memory.write(va + off, n, lo, hi);
      if (st !== AccessStatus.OK) return this.memFailure(st, pc, word, null);
    }
    return true;
  }

  private vLoadStore(u: Uop, i: SimdFpInsn, pc: number): boolean {
    const va = this.effectiveAddress(u);
    const bytes = 1 << i.size;
    const writeback = i.mode === 'pre' || i.mode === 'post';
    if (i.op === 'LDR_V') {
      const t = new Uint8Array(16);
      if (!this.readBytes(va, bytes, t, 0, pc, u.word)) return false;
      this.vb.set(t, i.rd * 16);
    } else if (!this.writeBytes(va, bytes, this.vb, i.rd * 16, pc, u.word)) return false;
    if (writeback) {
      this.xl[i.rn] = this.wbLo;
      this.xh[i.rn] = this.wbHi;
    }
    return true;
  }

  private vPair(i: SimdFpInsn, pc: number, word: number): boolean {
    const xl = this.xl;
    const xh = this.xh;
    const va = this.address(xl[i.rn], xh[i.rn], i.mode === 'post' ? 0 : i.imm);
    this.address(xl[i.rn], xh[i.rn], i.imm);
    const wbLo = this.rl;
    const wbHi = this.rh;
    const bytes = 1 << i.size;
    if (i.op === 'LDP_V' || i.op === 'LDNP_V') {
      const t = new Uint8Array(32);
      if (!this.readBytes(va, bytes, t, 0, pc, word) || !this.readBytes(va + bytes, bytes, t, 16, pc, word)) return false;
      this.vb.set(t.subarray(0, 16), i.rd * 16);
      this.vb.set(t.subarray(16), i.ra * 16);
    } else if (!this.writeBytes(va, bytes, this.vb, i.rd * 16, pc, word) || !this.writeBytes(va + bytes, bytes, this.vb, i.ra * 16, pc, word)) return false;
    if (i.mode !== 'offset') {
      xl[i.rn] = wbLo;
      xh[i.rn] = wbHi;
    }
    return true;
  }

  /** The structure loads' and stores' post-index writeback: Xn += the bytes moved (Rm = 31), or Xm. */
  private postIndex(i: SimdFpInsn, total: number): void {
    if (i.mode !== 'post') return;
    const xl = this.xl;
    const xh = this.xh;
    if (i.rm === 31) this.address(xl[i.rn], xh[i.rn], total);
    else this.add64(xl[i.rn], xh[i.rn], xl[i.rm], xh[i.rm], 0);
    xl[i.rn] = this.rl;
    xh[i.rn] = this.rh;
  }

  /** LD1/ST1 (multiple structures): consecutive registers (wrapping at V31), element order = memory order. */
  private ld1(i: SimdFpInsn, pc: number, word: number): boolean {
    const xl = this.xl;
    const xh = this.xh;
    const va = this.memory.vaOf(xl[i.rn], xh[i.rn]);
    const bytes = i.q ? 16 : 8;
    const total = bytes * i.ra;
    if (i.op === 'LD1') {
      const t = new Uint8Array(total);
      for (let r = 0; r < i.ra; r++) if (!this.readBytes(va + r * bytes, bytes, t, r * bytes, pc, word)) return false;
      for (let r = 0; r < i.ra; r++) {
        const d = (i.rd + r) % 32;
        this.vb.fill(0, d * 16, d * 16 + 16);
        this.vb.set(t.subarray(r * bytes, (r + 1) * bytes), d * 16);
      }
    } else {
      for (let r = 0; r < i.ra; r++) if (!this.writeBytes(va + r * bytes, bytes, this.vb, ((i.rd + r) % 32) * 16, pc, word)) return false;
    }
    this.postIndex(i, total);
    return true;
  }

  /** LD2-LD4/ST2-ST4 (multiple structures): element k of register r is memory element k * n + r. */
  private ldN(i: SimdFpInsn, pc: number, word: number): boolean {
    const xl = this.xl;
    const xh = this.xh;
    const va = this.memory.vaOf(xl[i.rn], xh[i.rn]);
    const n = i.ra;
    const bytes = i.q ? 16 : 8;
    const total = bytes * n;
    const es = 1 << i.size;
    const elems = bytes / es;
    const t = new Uint8Array(total);
    if (i.op.startsWith('LD')) {
      if (!this.readBytes(va, total, t, 0, pc, word)) return false;
      for (let r = 0; r < n; r++) {
        const d = ((i.rd + r) % 32) * 16;
        const reg = new Uint8Array(16);
        for (let k = 0; k < elems; k++) reg.set(t.subarray((k * n + r) * es, (k * n + r + 1) * es), k * es);
        this.vb.set(reg, d);
      }
    } else {
      for (let r = 0; r < n; r++) {
        const d = ((i.rd + r) % 32) * 16;
        for (let k = 0; k < elems; k++) t.set(this.vb.subarray(d + k * es, d + (k + 1) * es), (k * n + r) * es);
      }
      if (!this.writeBytes(va, total, t, 0, pc, word)) return false;
    }
    this.postIndex(i, total);
    return true;
  }

  /** LD1-LD4/ST1-ST4 of one lane, and LD1R-LD4R (each element replicated over its register). */
  private ldSingle(i: SimdFpInsn, pc: number, word: number): boolean {
    const xl = this.xl;
    const xh = this.xh;
    const va = this.memory.vaOf(xl[i.rn], xh[i.rn]);
    const es = 1 << i.size;
    const total = es * i.ra;
    const t = new Uint8Array(total);
    if (i.op === 'STNS') {
      for (let r = 0; r < i.ra; r++) t.set(this.vb.subarray(((i.rd + r) % 32) * 16 + i.opc * es, ((i.rd + r) % 32) * 16 + (i.opc + 1) * es), r * es);
      if (!this.writeBytes(va, total, t, 0, pc, word, es)) return false;
    } else {
      // Element by element: n elements of es bytes need not make an access size.
      if (!this.readBytes(va, total, t, 0, pc, word, es)) return false;
      for (let r = 0; r < i.ra; r++) {
        const d = ((i.rd + r) % 32) * 16;
        const e = t.subarray(r * es, (r + 1) * es);
        if (i.op === 'LDNS') this.vb.set(e, d + i.opc * es);
        else {
          const reg = new Uint8Array(16);
          for (let k = 0; k < (i.q ? 16 : 8); k += es) reg.set(e, k);
          this.vb.set(reg, d);
        }
      }
    }
    this.postIndex(i, total);
    return true;
  }

  // ---------------------------------------------------------------- integer vector ops

  private threeSame(i: SimdFpInsn, bytes: number, pc: number, word: number): boolean {
    if (i.opc === 0b00011) {
      const vw = this.vw;
      const [d, n, m] = [i.rd * 4, i.rn * 4, i.rm * 4];
      const words = bytes >> 2;
      const r = new Int32Array(4);
      for (let k = 0; k < words; k++) {
        const a = vw[n + k];
        const b = vw[m + k];
        const c = vw[d + k];
        switch ((i.u << 2) | i.size) {
          case 0: r[k] = a & b; break;
          case 1: r[k] = a & ~b; break;
          case 2: r[k] = a | b; break;
          case 3: r[k] = a | ~b; break;
          case 4: r[k] = a ^ b; break;
          case 5: r[k] = b ^ ((b ^ a) & c); break; // BSL
          case 6: r[k] = c ^ ((c ^ a) & b); break; // BIT
          default: r[k] = c ^ ((c ^ a) & ~b); // BIF
        }
      }
      vw.set(r, d);
      return true;
    }
    if (i.opc >= 0b11000) return this.fpThreeSame(i, bytes, pc, word);
    const size = i.size;
    const a = this.lanes(i.rn, size, bytes);
    const b = this.lanes(i.rm, size, bytes);
    const mk = mask(size);
    const key = (i.u << 5) | i.opc;
    const pairwise = key === 0b010111 || key === 0b010100 || key === 0b010101 || key === 0b110100 || key === 0b110101;
    const acc = this.lanes(i.rd, size, bytes);
    const esize = BigInt(8 << size);
    const uns = i.u === 1;
    const int = (v: bigint): bigint => (uns ? v : signed(v, size));
    let qc = false;
    /** SatQ: `v` clamped to the element's range (QC when it did not fit). */
    const sat = (v: bigint): bigint => {
      const lo = uns ? 0n : -(1n << (esize - 1n));
      const hi = uns ? (1n << esize) - 1n : (1n << (esize - 1n)) - 1n;
      if (v < lo || v > hi) {
        qc = true;
        return (v < lo ? lo : hi) & mk;
      }
      return v & mk;
    };
    /** The SSHL family: shift by the signed low byte of `y`, rounding and saturating as asked. */
    const shl = (x: bigint, y: bigint, round: boolean, saturate: boolean): bigint => {
      const sh = BigInt.asIntN(8, y & 0xffn);
      const v = int(x);
      const r = sh >= 0n ? v << sh : (v + (round ? 1n << (-sh - 1n) : 0n)) >> -sh;
      return saturate ? sat(r) : r & mk;
    };
    const op = (x: bigint, y: bigint, k: number): bigint | undefined => {
      const sx = signed(x, size);
      const sy = signed(y, size);
      switch (key) {
        case 0b000110: return sx > sy ? mk : 0n; // CMGT
        case 0b000111: return sx >= sy ? mk : 0n; // CMGE
        case 0b100110: return x > y ? mk : 0n; // CMHI
        case 0b100111: return x >= y ? mk : 0n; // CMHS
        case 0b110001: return x === y ? mk : 0n; // CMEQ
        case 0b010001: return (x & y) !== 0n ? mk : 0n; // CMTST
        case 0b010000: case 0b010111: return (x + y) & mk; // ADD, ADDP
        case 0b110000: return (x - y) & mk; // SUB
        case 0b001100: case 0b010100: return sx > sy ? x : y; // SMAX(P)
        case 0b001101: case 0b010101: return sx < sy ? x : y; // SMIN(P)
        case 0b101100: case 0b110100: return x > y ? x : y; // UMAX(P)
        case 0b101101: case 0b110101: return x < y ? x : y; // UMIN(P)
        case 0b000000: case 0b100000: return ((int(x) + int(y)) >> 1n) & mk; // SHADD, UHADD
        case 0b000010: case 0b100010: return ((int(x) + int(y) + 1n) >> 1n) & mk; // SRHADD, URHADD
        case 0b000100: case 0b100100: return ((int(x) - int(y)) >> 1n) & mk; // SHSUB, UHSUB
        case 0b000001: case 0b100001: return sat(int(x) + int(y)); // SQADD, UQADD
        case 0b000101: case 0b100101: return sat(int(x) - int(y)); // SQSUB, UQSUB
        case 0b001000: case 0b101000: return shl(x, y, false, false); // SSHL, USHL
        case 0b001001: case 0b101001: return shl(x, y, false, true); // SQSHL, UQSHL
        case 0b001010: case 0b101010: return shl(x, y, true, false); // SRSHL, URSHL
        case 0b001011: case 0b101011: return shl(x, y, true, true); // SQRSHL, UQRSHL
        case 0b001110: case 0b101110: { const d = int(x) - int(y); return (d < 0n ? -d : d) & mk; } // SABD, UABD
        case 0b001111: case 0b101111: { const d = int(x) - int(y); return (acc[k] + (d < 0n ? -d : d)) & mk; } // SABA, UABA
        case 0b010010: return (acc[k] + x * y) & mk; // MLA
        case 0b110010: return (acc[k] - x * y) & mk; // MLS
        case 0b010011: return (x * y) & mk; // MUL
        case 0b110011: { let p = 0n; for (let b = 0n; b < 8n; b++) if ((y >> b) & 1n) p ^= x << b; return p & mk; } // PMUL
        case 0b010110: case 0b110110: { // SQDMULH, SQRDMULH: the high half of 2 * x * y (rounded), saturated
          const v = (2n * sx * sy + (key === 0b110110 ? 1n << (esize - 1n) : 0n)) >> esize;
          const hi = (1n << (esize - 1n)) - 1n;
          if (v > hi) qc = true;
          return (v > hi ? hi : v) & mk;
        }
        default: return undefined;
      }
    };
    const out: bigint[] = [];
    if (pairwise) {
      const cat = [...a, ...b];
      for (let k = 0; k < a.length; k++) out.push(op(cat[2 * k], cat[2 * k + 1], k)!);
    } else {
      for (let k = 0; k < a.length; k++) {
        const r = op(a[k], b[k], k);
        if (r === undefined) return this.notExecuted(pc, word);
        out.push(r);
      }
    }
    this.setLanes(i.rd, size, out);
    if (qc) this.fpsr |= FPSR_QC;
    return true;
  }

  /** Three different: long (Vd wide), wide (Vd and Vn wide) and narrowing high-half ops. */
  private threeDiff(i: SimdFpInsn): boolean {
    const [name, shape] = THREE_DIFF[(i.u << 4) | i.opc];
    const size = i.size;
    const es = BigInt(8 << size);
    const n2 = size + 1;
    const m2 = mask(n2);
    const uns = i.u === 1;
    const ext = (v: bigint, sz: number): bigint => (uns ? v : signed(v, sz));
    const half = (r: number): bigint[] => this.lanes(r, size, 16).slice(i.q ? 8 >> size : 0, (i.q ? 16 : 8) >> size);
    let qc = false;
    const sat = (v: bigint, bitsN: bigint): bigint => {
      const hi = (1n << (bitsN - 1n)) - 1n;
      const lo = -(1n << (bitsN - 1n));
      if (v > hi || v < lo) qc = true;
      return v > hi ? hi : v < lo ? lo : v;
    };
    if (shape === 'narrow') {
      const a = this.lanes(i.rn, n2, 16);
      const b = this.lanes(i.rm, n2, 16);
      const round = name.startsWith('r') ? 1n << (es - 1n) : 0n;
      const sub = name.includes('sub');
      const out = a.map((x, k) => ((((sub ? x - b[k] : x + b[k]) + round) & m2) >> es) & mask(size));
      this.setLanes(i.rd, size, [...(i.q ? this.lanes(i.rd, size, 8) : []), ...out]);
      return true;
    }
    const a = shape === 'wide' ? this.lanes(i.rn, n2, 16).map((v) => ext(v, n2)) : half(i.rn).map((v) => ext(v, size));
    const b = half(i.rm).map((v) => ext(v, size));
    const d = this.lanes(i.rd, n2, 16);
    const out = a.map((x, k) => {
      const y = b[k];
      const acc = ext(d[k], n2);
      switch (name) {
        case 'saddl': case 'uaddl': case 'saddw': case 'uaddw': return (x + y) & m2;
        case 'ssubl': case 'usubl': case 'ssubw': case 'usubw': return (x - y) & m2;
        case 'sabal': case 'uabal': return (acc + (x > y ? x - y : y - x)) & m2;
        case 'sabdl': case 'uabdl': return (x > y ? x - y : y - x) & m2;
        case 'smlal': case 'umlal': return (acc + x * y) & m2;
        case 'smlsl': case 'umlsl': return (acc - x * y) & m2;
        case 'smull': case 'umull': return (x * y) & m2;
        case 'sqdmull': return sat(2n * x * y, 2n * es) & m2;
        case 'sqdmlal': return sat(acc + sat(2n * x * y, 2n * es), 2n * es) & m2;
        case 'sqdmlsl': return sat(acc - sat(2n * x * y, 2n * es), 2n * es) & m2;
        default: { // PMULL (8-bit)
          let p = 0n;
          const xu = x & 0xffn;
          for (let bit = 0n; bit < 8n; bit++) if (((y & 0xffn) >> bit) & 1n) p ^= xu << bit;
          return p;
        }
      }
    });
    this.setLanes(i.rd, n2, out);
    if (qc) this.fpsr |= FPSR_QC;
    return true;
  }

  /** The FP ops of three same, element by element under FPCR (AArch64 SIMD uses FPCR as scalar FP does). */
  private fpThreeSame(i: SimdFpInsn, bytes: number, pc: number, word: number): boolean {
    const dbl = (i.size & 1) === 1;
    const size = dbl ? 3 : 2;
    const fp = this.fp;
    fp.fpcr = this.fpcr;
    fp.flags = 0;
    const a = this.lanes(i.rn, size, bytes);
    const b = this.lanes(i.rm, size, bytes);
    const d = this.lanes(i.rd, size, bytes);
    const ones = mask(size);
    const abs = ~(1n << BigInt((8 << size) - 1)) & ones;
    const name = FP_THREE_SAME[fpThreeSameKey(i.u, i.size, i.opc)];
    const pairwise = name.endsWith('p') && name !== 'fcmp';
    const op = (x: bigint, y: bigint, acc: bigint): bigint | undefined => {
      switch (name) {
        case 'fadd': case 'faddp': return fp.binary(2, x, y, dbl);
        case 'fsub': return fp.binary(3, x, y, dbl);
        case 'fmul': return fp.binary(0, x, y, dbl);
        case 'fdiv': return fp.binary(1, x, y, dbl);
        case 'fmax': case 'fmaxp': return fp.binary(4, x, y, dbl);
        case 'fmin': case 'fminp': return fp.binary(5, x, y, dbl);
        case 'fmaxnm': case 'fmaxnmp': return fp.binary(6, x, y, dbl);
        case 'fminnm': case 'fminnmp': return fp.binary(7, x, y, dbl);
        case 'fmla': return fp.fused(0, x, y, acc, dbl);
        case 'fmls': return fp.fused(1, x, y, acc, dbl);
        case 'fabd': return fp.binary(3, x, y, dbl) & abs;
        case 'fmulx': return fp.mulx(x, y, dbl);
        case 'frecps': return fp.step(x, y, dbl, false);
        case 'frsqrts': return fp.step(x, y, dbl, true);
        case 'fcmeq': return fp.vcompare(0, x, y, dbl) ? ones : 0n;
        case 'fcmge': return fp.vcompare(1, x, y, dbl) ? ones : 0n;
        case 'fcmgt': return fp.vcompare(2, x, y, dbl) ? ones : 0n;
        case 'facge': return fp.vcompare(3, x, y, dbl) ? ones : 0n;
        case 'facgt': return fp.vcompare(4, x, y, dbl) ? ones : 0n;
        default: return undefined;
      }
    };
    const out: bigint[] = [];
    const cat = [...a, ...b];
    for (let k = 0; k < a.length; k++) {
      const r = pairwise ? op(cat[2 * k], cat[2 * k + 1], 0n) : op(a[k], b[k], d[k]);
      if (r === undefined) return this.notExecuted(pc, word);
      out.push(r);
    }
    this.setLanes(i.rd, size, out);
    this.fpsr |= fp.flags;
    return true;
  }

  private twoMisc(i: SimdFpInsn, pc: number, word: number): boolean {
    const scalar = i.op === 'S_2MISC';
    const bytes = scalar ? 1 << i.size : i.q ? 16 : 8;
    const size = i.size;
    const key = (i.u << 5) | i.opc;
    const mk = mask(size);
    if (i.opc >= 0b10110 || (i.opc >= 0b01100 && i.opc <= 0b01111)) return this.fpTwoMisc(i, scalar, pc, word);
    const esize = BigInt(8 << size);
    let qc = false;
    const satTo = (v: bigint, bitsN: bigint, uns: boolean): bigint => {
      const lo = uns ? 0n : -(1n << (bitsN - 1n));
      const hi = uns ? (1n << bitsN) - 1n : (1n << (bitsN - 1n)) - 1n;
      if (v < lo || v > hi) qc = true;
      return BigInt.asUintN(Number(bitsN), v < lo ? lo : v > hi ? hi : v);
    };
    const done = (out: bigint[], outSize: number): boolean => {
      this.setLanes(i.rd, outSize, out);
      if (qc) this.fpsr |= FPSR_QC;
      return true;
    };
    if (key === 0b010010 || key === 0b010100 || key === 0b110100 || key === 0b110010) {
      // XTN, SQXTN, UQXTN, SQXTUN (2): narrow Vn's elements (twice the size) into the low or high half of Vd.
      const src = this.lanes(i.rn, size + 1, scalar ? 2 << size : 16).map((v) => {
        if (key === 0b010010) return v & mk;
        const x = key === 0b110100 ? v : signed(v, size + 1);
        return satTo(x, esize, key !== 0b010100);
      });
      const low = i.q && !scalar ? this.lanes(i.rd, size, 8) : [];
      return done([...low, ...src], size);
    }
    if (key === 0b100101 && size === 1) {
      // RBIT: each byte's bits reversed.
      return done(this.lanes(i.rn, 0, bytes).map((v) => { let r = 0n; for (let b = 0n; b < 8n; b++) r |= ((v >> b) & 1n) << (7n - b); return r; }), 0);
    }
    if (key === 0b000010 || key === 0b100010 || key === 0b000110 || key === 0b100110) {
      // SADDLP/UADDLP, SADALP/UADALP: pairs summed into elements of twice the size.
      const a = this.lanes(i.rn, size, bytes).map((v) => (i.u ? v : signed(v, size)));
      const acc = this.lanes(i.rd, size + 1, bytes);
      const m2 = mask(size + 1);
      return done(acc.map((d, k) => (a[2 * k] + a[2 * k + 1] + (i.opc === 0b00110 ? d : 0n)) & m2), size + 1);
    }
    if (key === 0b110011) {
      // SHLL(2): the low or high half's elements, widened and shifted by their size.
      const src = this.lanes(i.rn, size, 16).slice(i.q ? 8 >> size : 0, (i.q ? 16 : 8) >> size);
      return done(src.map((v) => (v << esize) & mask(size + 1)), size + 1);
    }
    if (key === 0b000000 || key === 0b000001 || key === 0b100000) {
      // REV64/REV16/REV32: reverse the elements within each container.
      const container = key === 0b000000 ? 8 : key === 0b100000 ? 4 : 2;
      const a = this.lanes(i.rn, size, bytes);
      const per = container >> size;
      this.setLanes(i.rd, size, a.map((_, k) => a[(k - (k % per)) + (per - 1 - (k % per))]));
      return true;
    }
    const a = this.lanes(i.rn, size, bytes);
    const out: bigint[] = [];
    for (const x of a) {
      const s = signed(x, size);
      switch (key) {
        case 0b000101: { let c = 0n; for (let v = x; v; v >>= 1n) c += v & 1n; out.push(c); break; } // CNT
        case 0b100101: out.push(~x & mk); break; // NOT
        case 0b001000: out.push(s > 0n ? mk : 0n); break; // CMGT #0
        case 0b001001: out.push(s === 0n ? mk : 0n); break; // CMEQ #0
        case 0b001010: out.push(s < 0n ? mk : 0n); break; // CMLT #0
        case 0b101000: out.push(s >= 0n ? mk : 0n); break; // CMGE #0
        case 0b101001: out.push(s <= 0n ? mk : 0n); break; // CMLE #0
        case 0b001011: out.push((s < 0n ? -s : s) & mk); break; // ABS
        case 0b101011: out.push(-s & mk); break; // NEG
        case 0b000111: out.push(satTo(s < 0n ? -s : s, esize, false)); break; // SQABS
        case 0b100111: out.push(satTo(-s, esize, false)); break; // SQNEG
        case 0b000011: out.push(satTo(signed(this.lane(i.rd, size, out.length), size) + x, esize, false)); break; // SUQADD
        case 0b100011: out.push(satTo(this.lane(i.rd, size, out.length) + s, esize, true)); break; // USQADD
        case 0b000100: { let n = 0n; const top = (x >> (esize - 1n)) & 1n; for (let b = esize - 2n; b >= 0n && ((x >> b) & 1n) === top; b--) n++; out.push(n); break; } // CLS
        case 0b100100: { let n = 0n; for (let b = esize - 1n; b >= 0n && ((x >> b) & 1n) === 0n; b--) n++; out.push(n); break; } // CLZ
        default: return this.notExecuted(pc, word);
      }
    }
    return done(out, size);
  }

  /** The FP ops of two-register misc, vector or scalar, element by element under FPCR. */
  private fpTwoMisc(i: SimdFpInsn, scalar: boolean, pc: number, word: number): boolean {
    const e = FP_TWO_MISC[fpMiscKey(i.u, i.size, i.opc)];
    const name = e[0];
    const sz = i.size & 1;
    const dbl = sz === 1;
    const fp = this.fp;
    fp.fpcr = this.fpcr;
    fp.flags = 0;
    const bytes = scalar ? 4 << sz : i.q ? 16 : 8;
    const esize = 32 << sz;
    const finish = (out: bigint[], size: number): boolean => {
      this.setLanes(i.rd, size, out);
      this.fpsr |= fp.flags;
      return true;
    };
    if (name === 'fcvtn' || name === 'fcvtxn') {
      // Narrow Vn's elements (single or double) into the low or high half of Vd.
      const src = this.lanes(i.rn, 2 + sz, scalar ? 8 : 16).map((v) => fp.convert(v, sz, sz ? 0 : 3, name === 'fcvtxn' ? 5 : undefined));
      const low = i.q && !scalar ? this.lanes(i.rd, 1 + sz, 8) : [];
      return finish([...low, ...src], 1 + sz);
    }
    if (name === 'fcvtl') {
      const src = this.lanes(i.rn, 1 + sz, 16).slice(i.q ? 8 >> (1 + sz) : 0, (i.q ? 16 : 8) >> (1 + sz));
      return finish(src.map((v) => fp.convert(v, sz ? 0 : 3, sz)), 2 + sz);
    }
    const size = 2 + sz;
    const ones = mask(size);
    const ROUND: Readonly<Record<string, Rounding>> = { n: 0, p: 1, m: 2, z: 3, a: 4 };
    const out: bigint[] = [];
    for (const x of this.lanes(i.rn, size, bytes)) {
      let r: bigint | undefined;
      const cv = /^fcvt([npmza])([su])$/.exec(name);
      if (cv !== null) r = BigInt.asUintN(esize, fp.toInt(x, dbl, ROUND[cv[1]], cv[2] === 's', esize));
      else if (name === 'scvtf' || name === 'ucvtf') r = fp.fromInt(name === 'scvtf' ? BigInt.asIntN(esize, x) : x, dbl);
      else if (name === 'fcmgt') r = fp.vcompare(2, x, 0n, dbl) ? ones : 0n;
      else if (name === 'fcmeq') r = fp.vcompare(0, x, 0n, dbl) ? ones : 0n;
      else if (name === 'fcmge') r = fp.vcompare(1, x, 0n, dbl) ? ones : 0n;
      else if (name === 'fcmlt') r = fp.vcompare(2, 0n, x, dbl) ? ones : 0n;
      else if (name === 'fcmle') r = fp.vcompare(1, 0n, x, dbl) ? ones : 0n;
      else r = fp.unary(FP1_OPCODE[name], x, dbl);
      if (r === undefined) return this.notExecuted(pc, word);
      out.push(r);
    }
    return finish(out, size);
  }

  /**
   * Vector (and scalar FP) x indexed element: the element broadcast into the scratch register
   * V32, then the three-same or three-different op of the same name with Vm = V32.
   */
  private byElement(i: SimdFpInsn, pc: number, word: number): boolean {
    const [name, shape] = BY_ELEMENT[(i.u << 4) | i.opc];
    const es = elemSize(i);
    const v = this.lane(i.rm, es, i.imm);
    for (let k = 0; k < 16 >> es; k++) this.setLane(32, es, k, v);
    if (shape === 'long') {
      const key = Number(Object.entries(THREE_DIFF).find(([, [n]]) => n === name)![0]);
      return this.threeDiff({ ...i, op: 'V_3DIFF', u: key >> 4, opc: key & 15, size: es, rm: 32 });
    }
    if (shape === 'same') {
      const key = Number(Object.entries(THREE_SAME).find(([, [n]]) => n === name)![0]);
      return this.threeSame({ ...i, op: 'V_3SAME', u: key >> 5, opc: key & 31, size: es, rm: 32 }, i.q ? 16 : 8, pc, word);
    }
    const key = Number(Object.entries(FP_THREE_SAME).find(([, n]) => n === name)![0]);
    const sz = es - 2;
    const bytes = i.op === 'S_ELEM' ? 4 << sz : i.q ? 16 : 8;
    return this.fpThreeSame({ ...i, op: 'V_3SAME', u: key >> 4, opc: 0b11000 | (key & 7), size: (((key >> 3) & 1) << 1) | sz, rm: 32 }, bytes, pc, word);
  }

  /** FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP (scalar): the two elements of Vn. */
  private fpPairScalar(i: SimdFpInsn): boolean {
    const name = SCALAR_FP_PAIR[((i.size >> 1) << 5) | i.opc];
    const dbl = (i.size & 1) === 1;
    const size = dbl ? 3 : 2;
    const fp = this.fp;
    fp.fpcr = this.fpcr;
    fp.flags = 0;
    const opc = FP_PAIR_OPCODE[name.slice(0, -1)];
    this.setLanes(i.rd, size, [fp.binary(opc, this.lane(i.rn, size, 0), this.lane(i.rn, size, 1), dbl)]);
    this.fpsr |= fp.flags;
    return true;
  }

  private across(i: SimdFpInsn): boolean {
    if (i.u === 1 && (i.opc === 0b01100 || i.opc === 0b01111)) {
      // FMAXNMV...: the Arm ARM's Reduce, a pairwise tree: op(op(e0, e1), op(e2, e3)).
      const fp = this.fp;
      fp.fpcr = this.fpcr;
      fp.flags = 0;
      const opc = (i.opc === 0b01100 ? 6 : 4) + (i.size >> 1);
      const e = this.lanes(i.rn, 2, 16);
      const r = fp.binary(opc, fp.binary(opc, e[0], e[1], false), fp.binary(opc, e[2], e[3], false), false);
      this.setLanes(i.rd, 2, [r]);
      this.fpsr |= fp.flags;
      return true;
    }
    const size = i.size;
    const a = this.lanes(i.rn, size, i.q ? 16 : 8);
    const key = (i.u << 5) | i.opc;
    let r: bigint;
    switch (key) {
      case 0b000011: r = a.reduce((s, x) => s + signed(x, size), 0n) & mask(size + 1); break; // SADDLV
      case 0b100011: r = a.reduce((s, x) => s + x, 0n); break; // UADDLV
      case 0b011011: r = a.reduce((s, x) => s + x, 0n) & mask(size); break; // ADDV
      case 0b001010: r = a.reduce((m, x) => (signed(x, size) > signed(m, size) ? x : m)); break; // SMAXV
      case 0b011010: r = a.reduce((m, x) => (signed(x, size) < signed(m, size) ? x : m)); break; // SMINV
      case 0b101010: r = a.reduce((m, x) => (x > m ? x : m)); break; // UMAXV
      default: r = a.reduce((m, x) => (x < m ? x : m)); // UMINV
    }
    this.setLanes(i.rd, key === 0b000011 || key === 0b100011 ? size + 1 : size, [r]);
    return true;
  }

  private permute(i: SimdFpInsn): boolean {
    const bytes = i.q ? 16 : 8;
    const n = this.lanes(i.rn, i.size, bytes);
    const m = this.lanes(i.rm, i.size, bytes);
    const e = n.length;
    const part = i.opc >> 2;
    const out: bigint[] = [];
    for (let k = 0; k < e; k++) {
      switch (i.opc & 3) {
        case 1: { const cat = [...n, ...m]; out.push(cat[2 * k + part]); break; } // UZP1/2
        case 2: out.push((k & 1 ? m : n)[(k & ~1) + part]); break; // TRN1/2
        default: out.push((k & 1 ? m : n)[(k >> 1) + part * (e >> 1)]); // ZIP1/2
      }
    }
    this.setLanes(i.rd, i.size, out);
    return true;
  }

  private tbl(i: SimdFpInsn): boolean {
    const bytes = i.q ? 16 : 8;
    const table: number[] = [];
    for (let r = 0; r < i.ra; r++) for (let b = 0; b < 16; b++) table.push(this.vb[((i.rn + r) % 32) * 16 + b]);
    const out: bigint[] = [];
    for (let k = 0; k < bytes; k++) {
      const x = this.vb[i.rm * 16 + k];
      out.push(BigInt(x < table.length ? table[x] : i.opc ? this.vb[i.rd * 16 + k] : 0));
    }
    this.setLanes(i.rd, 0, out);
    return true;
  }

  private shiftImm(i: SimdFpInsn): boolean {
    const size = shiftSize(i.imm);
    const key = (i.u << 5) | i.opc;
    const [name, kind] = SHIFTS[key];
    const sh = BigInt(shiftAmount(kind, i.imm));
    const scalar = i.op === 'S_SHIFT';
    const mk = mask(size);
    const esize = BigInt(8 << size);
    let qc = false;
    const satTo = (v: bigint, bitsN: bigint, uns: boolean): bigint => {
      const lo = uns ? 0n : -(1n << (bitsN - 1n));
      const hi = uns ? (1n << bitsN) - 1n : (1n << (bitsN - 1n)) - 1n;
      if (v < lo || v > hi) qc = true;
      return BigInt.asUintN(Number(bitsN), v < lo ? lo : v > hi ? hi : v);
    };
    const done = (out: bigint[], outSize: number): boolean => {
      this.setLanes(i.rd, outSize, out);
      if (qc) this.fpsr |= FPSR_QC;
      return true;
    };
    if (kind === 'long') {
      // SSHLL/USHLL(2): the low or high half's elements, extended to twice their size, shifted.
      const src = this.lanes(i.rn, size, 16).slice(i.q ? 8 >> size : 0, (i.q ? 16 : 8) >> size);
      return done(src.map((v) => ((i.u ? v : BigInt.asUintN(16 << size, signed(v, size))) << sh) & mask(size + 1)), size + 1);
    }
    if (kind === 'narrow') {
      // SHRN, RSHRN, SQ(R)SHR(U)N, UQ(R)SHRN (2): Vn's elements (twice the size) shifted right into half of Vd.
      const round = name.includes('rshr') ? 1n << (sh - 1n) : 0n;
      const fromSigned = name.startsWith('sq');
      const src = this.lanes(i.rn, size + 1, scalar ? 2 << size : 16).map((v) => {
        const x = ((fromSigned ? signed(v, size + 1) : v) + round) >> sh;
        if (name === 'shrn' || name === 'rshrn') return x & mk;
        return satTo(x, esize, !name.startsWith('sq') || name.startsWith('sqshrun') || name.startsWith('sqrshrun'));
      });
      return done([...(i.q && !scalar ? this.lanes(i.rd, size, 8) : []), ...src], size);
    }
    const bytes = scalar ? 1 << size : i.q ? 16 : 8;
    const a = this.lanes(i.rn, size, bytes);
    const d = this.lanes(i.rd, size, bytes);
    if (kind === 'fixed') {
      const fp = this.fp;
      fp.fpcr = this.fpcr;
      fp.flags = 0;
      const dbl = size === 3;
      const fbits = Number(sh);
      const out = a.map((x) =>
        name === 'scvtf' || name === 'ucvtf'
          ? fp.fromInt(name === 'scvtf' ? signed(x, size) : x, dbl, fbits)
          : BigInt.asUintN(8 << size, fp.toInt(x, dbl, 3, name === 'fcvtzs', 8 << size, fbits)),
      );
      this.fpsr |= fp.flags;
      return done(out, size);
    }
    const rnd = sh > 0n ? 1n << (sh - 1n) : 0n;
    const out = a.map((x, k) => {
      const sx = signed(x, size);
      switch (name) {
        case 'sshr': return (sx >> sh) & mk;
        case 'ushr': return x >> sh;
        case 'ssra': return (d[k] + (sx >> sh)) & mk;
        case 'usra': return (d[k] + (x >> sh)) & mk;
        case 'srshr': return ((sx + rnd) >> sh) & mk;
        case 'urshr': return ((x + rnd) >> sh) & mk;
        case 'srsra': return (d[k] + ((sx + rnd) >> sh)) & mk;
        case 'ursra': return (d[k] + ((x + rnd) >> sh)) & mk;
        case 'sri': { const m = mk >> sh; return (d[k] & ~m & mk) | (x >> sh); }
        case 'shl': return (x << sh) & mk;
        case 'sqshlu': return satTo(sx << sh, esize, true);
        case 'sqshl': return satTo(sx << sh, esize, false);
        case 'uqshl': return satTo(x << sh, esize, true);
        default: { const m = (mk << sh) & mk; return (d[k] & ~m & mk) | ((x << sh) & mk); } // SLI
      }
    });
    return done(out, size);
  }

  private copy(i: SimdFpInsn): boolean {
    const imm5 = i.imm >> 4;
    const imm4 = i.imm & 15;
    const size = copySize(imm5);
    const index = imm5 >> (size + 1);
    const bytes = i.q ? 16 : 8;
    if (i.u === 1) {
      // INS (element): only that element changes.
      this.setLane(i.rd, size, index, this.lane(i.rn, size, imm4 >> size));
      return true;
    }
    const x = (): bigint => (BigInt(this.xh[i.rn] >>> 0) << 32n) | BigInt(this.xl[i.rn] >>> 0);
    switch (imm4) {
      case 0b0000: {
        const v = this.lane(i.rn, size, index);
        this.setLanes(i.rd, size, new Array<bigint>(bytes >> size).fill(v));
        return true;
      }
      case 0b0001: {
        const v = x() & mask(size);
        this.setLanes(i.rd, size, new Array<bigint>(bytes >> size).fill(v));
        return true;
      }
      case 0b0011:
        this.setLane(i.rd, size, index, x() & mask(size));
        return true;
      default: {
        // SMOV/UMOV.
        let v = this.lane(i.rn, size, index);
        if (imm4 === 0b0101) v = BigInt.asUintN(i.q ? 64 : 32, signed(v, size));
        this.xl[i.rd] = Number(v & 0xffffffffn) | 0;
        this.xh[i.rd] = Number(v >> 32n) | 0;
        return true;
      }
    }
  }

  private modImm(i: SimdFpInsn): boolean {
    const c = i.opc;
    let imm = expandImm(i.u, c, i.imm);
    const orrBic = (c < 8 || (c & 0xc) === 8) && (c & 1) === 1;
    const invert = i.u === 1 && c !== 0xe && c !== 0xf;
    if (invert) imm = ~imm & M64;
    const vals = i.q ? [imm, imm] : [imm];
    if (orrBic) {
      const d = this.lanes(i.rd, 3, i.q ? 16 : 8);
      this.setLanes(i.rd, 3, d.map((v, k) => (i.u ? v & vals[k] : v | vals[k])));
    } else this.setLanes(i.rd, 3, vals);
    return true;
  }

  // ---------------------------------------------------------------- floating point

  private fpInt(i: SimdFpInsn, pc: number, word: number): boolean {
    if (i.opc >= 6) {
      const top = i.size === 2;
      const size = i.size === 1 || top ? 3 : 2;
      if (i.opc === 6) {
        const v = this.lane(i.rn, size, top ? 1 : 0);
        this.xl[i.rd] = Number(v & 0xffffffffn) | 0;
        this.xh[i.rd] = Number(v >> 32n) | 0;
      } else {
        const v = (BigInt(this.xh[i.rn] >>> 0) << 32n) | BigInt(this.xl[i.rn] >>> 0);
        if (top) this.setLane(i.rd, 3, 1, v);
        else this.setLanes(i.rd, size, [v & mask(size)]);
      }
      return true;
    }
    return this.fpConvert(i, pc, word);
  }

  /** SCVTF/UCVTF/FCVTZS/FCVTZU with `imm` fraction bits, between a general register and S/D. */
  private fpFixed(i: SimdFpInsn): boolean {
    const fp = this.fp;
    fp.fpcr = this.fpcr;
    fp.flags = 0;
    const dbl = i.size === 1;
    const width = i.sf ? 64 : 32;
    if (i.opc < 8) {
      const raw = BigInt.asUintN(width, (BigInt(this.xh[i.rn] >>> 0) << 32n) | BigInt(this.xl[i.rn] >>> 0));
      this.setLanes(i.rd, dbl ? 3 : 2, [fp.fromInt(i.opc === 0b00010 ? BigInt.asIntN(width, raw) : raw, dbl, i.imm)]);
    } else {
      const v = BigInt.asUintN(width, fp.toInt(this.lane(i.rn, dbl ? 3 : 2, 0), dbl, 3, i.opc === 0b11000, width, i.imm));
      this.xl[i.rd] = Number(v & 0xffffffffn) | 0;
      this.xh[i.rd] = Number(v >> 32n) | 0;
    }
    this.fpsr |= fp.flags;
    return true;
  }

  /** FCVT*, SCVTF/UCVTF and the arithmetic: in fp-arith.ts's FpUnit. */
  private fpConvert(i: SimdFpInsn, pc: number, word: number): boolean {
    const fp = this.fp;
    fp.fpcr = this.fpcr;
    fp.flags = 0;
    const dbl = i.size === 1;
    if (i.opc === 2 || i.opc === 3) {
      let v = (BigInt(this.xh[i.rn] >>> 0) << 32n) | BigInt(this.xl[i.rn] >>> 0);
      if (!i.sf) v &= 0xffffffffn;
      const n = i.opc === 2 ? BigInt.asIntN(i.sf ? 64 : 32, v) : v;
      const r = fp.fromInt(n, dbl);
      this.setLanes(i.rd, dbl ? 3 : 2, [r]);
    } else {
      const rmode = (i.opc >= 4 ? 4 /* ties away */ : i.imm) as Rounding;
      const r = fp.toInt(this.lane(i.rn, dbl ? 3 : 2, 0), dbl, rmode, i.opc & 1 ? false : true, i.sf ? 64 : 32);
      const v = BigInt.asUintN(i.sf ? 64 : 32, r);
      this.xl[i.rd] = Number(v & 0xffffffffn) | 0;
      this.xh[i.rd] = Number(v >> 32n) | 0;
    }
    this.fpsr |= fp.flags;
    void pc;
    void word;
    return true;
  }

  private fpArith(u: Uop, i: SimdFpInsn, pc: number): boolean {
    const fp = this.fp;
    fp.fpcr = this.fpcr;
    fp.flags = 0;
    const dbl = i.size === 1;
    const size = dbl ? 3 : 2;
    const a = this.lane(i.rn, i.size === 3 ? 1 : size, 0);
    const b = this.lane(i.rm, size, 0);
    switch (u.opc - SIMD_FP_BASE) {
      case O.FP_1: {
        if (i.opc >= 4 && i.opc <= 7) {
          const to = i.opc & 3;
          const r = fp.convert(a, i.size, to);
          this.setLanes(i.rd, to === 1 ? 3 : to === 0 ? 2 : 1, [r]);
          break;
        }
        const r = fp.unary(i.opc, a, dbl);
        if (r === undefined) return this.notExecuted(pc, u.word);
        this.setLanes(i.rd, size, [r]);
        break;
      }
      case O.FP_2:
        this.setLanes(i.rd, size, [fp.binary(i.opc, a, b, dbl)]);
        break;
      case O.FP_3:
        this.setLanes(i.rd, size, [fp.fused((i.u << 1) | i.opc, a, b, this.lane(i.ra, size, 0), dbl)]);
        break;
      case O.FP_CMP:
        this.setFlags(fp.compare(a, i.opc & 8 ? 0n : b, dbl, (i.opc & 16) !== 0));
        break;
      case O.FP_CCMP:
        if (this.cond(i.imm >> 4)) this.setFlags(fp.compare(a, b, dbl, i.opc === 1));
        else this.setFlags(i.imm & 15);
        break;
      default:
        return this.notExecuted(pc, u.word);
    }
    this.fpsr |= fp.flags;
    return true;
  }

  private setFlags(nzcv: number): void {
    this.n = (nzcv >> 3) & 1;
    this.z = (nzcv >> 2) & 1;
    this.c = (nzcv >> 1) & 1;
    this.v = nzcv & 1;
  }
}

