/**
 * Integer execution: the register file, PSTATE.{N,Z,C,V}, and the 64-bit arithmetic, logic,
 * shift, bitfield, multiply and divide helpers the interpreter calls (results in rl/rh, as
 * Int32 halves).
 */
import type { Uop } from './decoded-ops';
import { CoreState, TWO32 } from './state';

export abstract class IntegerExecution extends CoreState {
  /** X0-X30, ZR, SP: low and high halves. */
  readonly xl = new Int32Array(33);
  readonly xh = new Int32Array(33);
  // PSTATE.
  protected n = 0;
  protected z = 0;
  protected c = 0;
  protected v = 0;
  // 64-bit results of the helpers.
  protected rl = 0;
  protected rh = 0;

  /** PSTATE.{N,Z,C,V} as NZCV reads it (bits 31:28). */
  get nzcv(): number {
    return ((this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28)) >>> 0;
  }

  /** Writes rl/rh to Rd (W: zero-extended). */
  protected setRd(rd: number, sf: boolean): void {
    this.xl[rd] = this.rl;
    this.xh[rd] = sf ? this.rh : 0;
  }

  /**
   * rl/rh = a + b + carry over 64 bits, no flags (W results: setRd drops the high half). Apart
   * from addSub so the common flagless case stays small enough for V8 to inline everywhere.
   */
  protected add64(alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
    const l = (alo >>> 0) + (blo >>> 0) + cin;
    this.rl = l | 0;
    this.rh = (ahi + bhi + (l > 0xffffffff ? 1 : 0)) | 0;
  }

  /** rl/rh = a + b + carry (AddWithCarry), setting NZCV when `flags`. */
  protected addSub(sf: boolean, alo: number, ahi: number, blo: number, bhi: number, cin: number, flags: boolean): void {
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
  protected logic(kind: number, sf: boolean, alo: number, ahi: number, blo: number, bhi: number, flags: boolean): void {
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
  protected shifted(sf: boolean, rm: number, type: number, amount: number): void {
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

  protected shl64(lo: number, hi: number, n: number): void {
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

  protected lsr64(lo: number, hi: number, n: number): void {
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

  protected asr64(lo: number, hi: number, n: number): void {
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

  protected ror64(lo: number, hi: number, n: number): void {
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
  protected mul(alo: number, ahi: number, blo: number, bhi: number): void {
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
  protected fromNumber(v: number): void {
    this.rl = v | 0;
    this.rh = Math.floor(v / TWO32) | 0;
  }

  protected cond(cond: number): boolean {
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

  protected bitfield(u: Uop, signed: boolean): void {
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

  protected extr(u: Uop): void {
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

  protected dataProc2(u: Uop, opc: number): void {
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
}
