/**
 * Data processing beyond the original subset (DATA_PROCESSING_OPS, numbered from 80): the
 * extended-register ADD/SUB, add/subtract with carry, conditional compares, BFM, the
 * one-source operations (RBIT, REV*, CLZ, CLS), the long and high multiplies, and CRC32.
 * Semantics as the Arm ARM's pseudocode; results go through rl/rh as in IntegerExecution.
 */
import { KvmsimError } from '../../../core';
import { crc32Update } from './crc32';
import { DATA_PROCESSING_BASE, type Uop } from './decoded-ops';
import { IntegerExecution } from './integer';

/** Reverses the bits of a 32-bit value. */
function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  return bswap32(x);
}

function bswap32(x: number): number {
  return ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24)) | 0;
}

/** Swaps the bytes of each halfword. */
function rev16(x: number): number {
  return (((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8)) | 0;
}

const TWO16 = 65536;

export abstract class DataProcessing extends IntegerExecution {
  /** Executes `u`; data processing never faults, so it always retires at PC + 4. */
  protected execDataProcessing(u: Uop): void {
    const xl = this.xl;
    const xh = this.xh;
    // The case numbers are the positions in DATA_PROCESSING_OPS (decoded-ops.ts).
    switch (u.opc - DATA_PROCESSING_BASE) {
      case 0 /* ADD_EXT */:
      case 1 /* ADDS_EXT */:
      case 2 /* SUB_EXT */:
      case 3 /* SUBS_EXT */: {
        const op = u.opc - DATA_PROCESSING_BASE;
        this.extended(u.rm, u.ext, u.shift);
        const sub = op >= 2;
        const lo = sub ? ~this.rl : this.rl;
        const hi = sub ? ~this.rh : this.rh;
        if (op === 1 || op === 3) this.addSub(u.sf, xl[u.rn], xh[u.rn], lo, hi, sub ? 1 : 0, true);
        else this.add64(xl[u.rn], xh[u.rn], lo, hi, sub ? 1 : 0);
        this.setRd(u.rd, u.sf);
        return;
      }
      case 4 /* ADC */:
      case 5 /* ADCS */:
      case 6 /* SBC */:
      case 7 /* SBCS */: {
        const op = u.opc - DATA_PROCESSING_BASE;
        const sub = op >= 6;
        const lo = sub ? ~xl[u.rm] : xl[u.rm];
        const hi = sub ? ~xh[u.rm] : xh[u.rm];
        this.addSub(u.sf, xl[u.rn], xh[u.rn], lo, hi, this.c, op === 5 || op === 7);
        this.setRd(u.rd, u.sf);
        return;
      }
      case 8 /* CCMN_REG */:
      case 9 /* CCMP_REG */:
      case 10 /* CCMN_IMM */:
      case 11 /* CCMP_IMM */: {
        const op = u.opc - DATA_PROCESSING_BASE;
        if (!this.cond(u.cond)) {
          const f = u.immHi;
          this.n = (f >> 3) & 1;
          this.z = (f >> 2) & 1;
          this.c = (f >> 1) & 1;
          this.v = f & 1;
          return;
        }
        const lo = op < 10 ? xl[u.rm] : u.imm;
        const hi = op < 10 ? xh[u.rm] : 0;
        if (op === 9 || op === 11) this.addSub(u.sf, xl[u.rn], xh[u.rn], ~lo, ~hi, 1, true);
        else this.addSub(u.sf, xl[u.rn], xh[u.rn], lo, hi, 0, true);
        return;
      }
      case 12 /* BFM */:
        this.bitfieldInsert(u);
        return;
      case 13 /* RBIT */:
        if (u.sf) this.setHalves(u.rd, rbit32(xh[u.rn]), rbit32(xl[u.rn]));
        else this.setHalves(u.rd, rbit32(xl[u.rn]), 0);
        return;
      case 14 /* REV16 */:
        this.setHalves(u.rd, rev16(xl[u.rn]), u.sf ? rev16(xh[u.rn]) : 0);
        return;
      case 15 /* REV32 */:
        this.setHalves(u.rd, bswap32(xl[u.rn]), bswap32(xh[u.rn]));
        return;
      case 16 /* REV */:
        if (u.sf) this.setHalves(u.rd, bswap32(xh[u.rn]), bswap32(xl[u.rn]));
        else this.setHalves(u.rd, bswap32(xl[u.rn]), 0);
        return;
      case 17 /* CLZ */: {
        const lo = xl[u.rn];
        const hi = xh[u.rn];
        this.setHalves(u.rd, !u.sf ? Math.clz32(lo) : hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo), 0);
        return;
      }
      case 18 /* CLS */: {
        // Leading bits equal to the sign bit, not counting it: the leading zeros of x ^ (x << 1),
        // with bit 0 set so the count stops at width - 1.
        const lo = xl[u.rn];
        const hi = xh[u.rn];
        const zlo = (lo ^ (lo << 1)) | 1;
        if (!u.sf) this.setHalves(u.rd, Math.clz32(zlo), 0);
        else {
          const zhi = hi ^ ((hi << 1) | (lo >>> 31));
          this.setHalves(u.rd, zhi !== 0 ? Math.clz32(zhi) : 32 + Math.clz32(zlo), 0);
        }
        return;
      }
      case 19 /* SMADDL */:
      case 20 /* SMSUBL */:
      case 21 /* UMADDL */:
      case 22 /* UMSUBL */: {
        const op = u.opc - DATA_PROCESSING_BASE;
        const n = xl[u.rn];
        const m = xl[u.rm];
        const signed = op < 21;
        this.mul(n, signed ? n >> 31 : 0, m, signed ? m >> 31 : 0);
        if (op === 19 || op === 21) this.add64(xl[u.ra], xh[u.ra], this.rl, this.rh, 0);
        else this.add64(xl[u.ra], xh[u.ra], ~this.rl, ~this.rh, 1);
        this.setRd(u.rd, true);
        return;
      }
      case 23 /* SMULH */:
      case 24 /* UMULH */: {
        const nlo = xl[u.rn];
        const nhi = xh[u.rn];
        const mlo = xl[u.rm];
        const mhi = xh[u.rm];
        this.mulHighUnsigned(nlo, nhi, mlo, mhi);
        if (u.opc - DATA_PROCESSING_BASE === 23) {
          // Signed high half = unsigned high half - (n < 0 ? m : 0) - (m < 0 ? n : 0), mod 2^64.
          let lo = this.rl;
          let hi = this.rh;
          if (nhi < 0) {
            this.add64(lo, hi, ~mlo, ~mhi, 1);
            lo = this.rl;
            hi = this.rh;
          }
          if (mhi < 0) this.add64(lo, hi, ~nlo, ~nhi, 1);
        }
        this.setRd(u.rd, true);
        return;
      }
      case 25 /* CRC32B */:
      case 26 /* CRC32H */:
      case 27 /* CRC32W */:
      case 28 /* CRC32X */:
      case 29 /* CRC32CB */:
      case 30 /* CRC32CH */:
      case 31 /* CRC32CW */:
      case 32 /* CRC32CX */: {
        const k = u.opc - DATA_PROCESSING_BASE - 25;
        this.setHalves(u.rd, crc32Update(k >= 4, xl[u.rn], xl[u.rm], xh[u.rm], k & 3), 0);
        return;
      }
      default:
        throw new KvmsimError(`no execution for op ${u.insn.op}`);
    }
  }

  private setHalves(rd: number, lo: number, hi: number): void {
    this.xl[rd] = lo;
    this.xh[rd] = hi;
  }

  /** rl/rh = ExtendReg(Rm, extend, shift): extend 0-7 as the `option` field, shift 0-4. */
  private extended(rm: number, ext: number, shift: number): void {
    let lo = this.xl[rm];
    let hi = this.xh[rm];
    switch (ext) {
      case 0 /* UXTB */:
        lo &= 0xff;
        hi = 0;
        break;
      case 1 /* UXTH */:
        lo &= 0xffff;
        hi = 0;
        break;
      case 2 /* UXTW */:
        hi = 0;
        break;
      case 4 /* SXTB */:
        lo = (lo << 24) >> 24;
        hi = lo >> 31;
        break;
      case 5 /* SXTH */:
        lo = (lo << 16) >> 16;
        hi = lo >> 31;
        break;
      case 6 /* SXTW */:
        hi = lo >> 31;
        break;
      default /* UXTX, SXTX */:
        break;
    }
    this.shl64(lo, hi, shift);
  }

  /** BFM: the rotated source's field inserted into Rd, the rest of Rd kept (wmask/tmask in the Uop). */
  private bitfieldInsert(u: Uop): void {
    const xl = this.xl;
    const xh = this.xh;
    const dstLo = xl[u.rd];
    const dstHi = xh[u.rd];
    let rotLo: number;
    let rotHi: number;
    if (u.sf) {
      this.ror64(xl[u.rn], xh[u.rn], u.immr);
      rotLo = this.rl;
      rotHi = this.rh;
    } else {
      const s = xl[u.rn];
      const r = u.immr;
      rotLo = r === 0 ? s : (s >>> r) | (s << (32 - r));
      rotHi = 0;
    }
    const botLo = (dstLo & ~u.wLo) | (rotLo & u.wLo);
    const botHi = (dstHi & ~u.wHi) | (rotHi & u.wHi);
    xl[u.rd] = (dstLo & ~u.tLo) | (botLo & u.tLo);
    xh[u.rd] = u.sf ? (dstHi & ~u.tHi) | (botHi & u.tHi) : 0;
  }

  /** rl/rh = bits 127:64 of the unsigned product a * b, in 16-bit limbs (exact in doubles). */
  private mulHighUnsigned(alo: number, ahi: number, blo: number, bhi: number): void {
    const a0 = alo & 0xffff, a1 = alo >>> 16, a2 = ahi & 0xffff, a3 = ahi >>> 16;
    const b0 = blo & 0xffff, b1 = blo >>> 16, b2 = bhi & 0xffff, b3 = bhi >>> 16;
    // Column sums of the 16-bit limb products (each < 2^32, a column of four < 2^35), carried up.
    let c = a0 * b0;
    c = Math.floor(c / TWO16) + a0 * b1 + a1 * b0;
    c = Math.floor(c / TWO16) + a0 * b2 + a1 * b1 + a2 * b0;
    c = Math.floor(c / TWO16) + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
    c = Math.floor(c / TWO16) + a1 * b3 + a2 * b2 + a3 * b1;
    const r4 = c % TWO16;
    c = Math.floor(c / TWO16) + a2 * b3 + a3 * b2;
    const r5 = c % TWO16;
    c = Math.floor(c / TWO16) + a3 * b3;
    const r6 = c % TWO16;
    const r7 = Math.floor(c / TWO16) % TWO16;
    this.rl = (r4 | (r5 << 16)) | 0;
    this.rh = (r6 | (r7 << 16)) | 0;
  }
}
