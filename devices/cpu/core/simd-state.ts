/**
 * The SIMD&FP register file (V0-V31, 128 bits each), FPCR and FPSR, the CPACR_EL1.FPEN access
 * check, and element access helpers over the register file.
 *
 * V registers are 4 little-endian 32-bit words each in one buffer (`vw`), viewed also as bytes
 * (`vb`), so the byte order of a register is memory order on a little-endian host (checked).
 */
import { endianness } from 'os';
import { KvmsimError } from '../../../core';
import { SysRegs } from '../../../isa/a64/names';
import { SystemInstructions } from './system-instructions';

const SYS = SysRegs;
/** ESR_EL1.EC for an access to SIMD&FP trapped by CPACR_EL1.FPEN. */
export const EC_FP_ACCESS = 0x07;
/** FPCR bits an ARMv8.0 core without FP16 keeps: AHP, DN, FZ, RMode. */
export const FPCR_MASK = 0x07c00000;
/** FPSR bits kept: QC and the cumulative flags IDC, IXC, UFC, OFC, DZC, IOC. */
export const FPSR_MASK = 0x0800009f;

if (endianness() !== 'LE') throw new KvmsimError('the SIMD register file assumes a little-endian host');

export abstract class SimdState extends SystemInstructions {
  /** V0-V31, and a 33rd register (not architectural) where by-element ops broadcast their element. */
  protected readonly vw = new Int32Array(33 * 4);
  protected readonly vb = new Uint8Array(this.vw.buffer);
  protected fpcr = 0;
  protected fpsr = 0;

  protected resetSimd(): void {
    this.vw.fill(0);
    this.fpcr = 0;
    this.fpsr = 0;
  }

  /** V<n> as two 64-bit halves { lo, hi } of bigints (for tests and the CLI). */
  getV(n: number): { lo: bigint; hi: bigint } {
    if (!Number.isInteger(n) || n < 0 || n > 31) throw new KvmsimError(`V register ${n} does not exist (0-31)`);
    return { lo: this.lane(n, 3, 0), hi: this.lane(n, 3, 1) };
  }

  setV(n: number, lo: bigint, hi = 0n): void {
    if (!Number.isInteger(n) || n < 0 || n > 31) throw new KvmsimError(`V register ${n} does not exist (0-31)`);
    this.setLane(n, 3, 0, lo);
    this.setLane(n, 3, 1, hi);
  }

  /**
   * False (and the exception taken) when CPACR_EL1.FPEN traps SIMD&FP at the current EL: 0b00
   * and 0b10 trap EL0 and EL1, 0b01 traps EL0 only. The ISS is QEMU's (CV=1, COND=0xe).
   */
  protected fpAccess(pc: number, word: number): boolean {
    const fpen = ((this.sysLo.get(SYS.CPACR_EL1) ?? 0) >>> 20) & 3;
    if (fpen === 3 || (fpen === 1 && this.el === 1)) return true;
    this.takeException(EC_FP_ACCESS, 0x1e00000, pc, -1, `SIMD&FP access at PC=0x${pc.toString(16)} trapped by CPACR_EL1.FPEN=${fpen} at EL${this.el}`, word);
    return false;
  }

  // ---------------------------------------------------------------- elements

  /** Element `i` of 8 << size bits of V<n>, unsigned. */
  protected lane(n: number, size: number, i: number): bigint {
    const vw = this.vw;
    switch (size) {
      case 0:
        return BigInt(this.vb[n * 16 + i]);
      case 1:
        return BigInt(this.vb[n * 16 + 2 * i] | (this.vb[n * 16 + 2 * i + 1] << 8));
      case 2:
        return BigInt(vw[n * 4 + i] >>> 0);
      default:
        return (BigInt(vw[n * 4 + 2 * i + 1] >>> 0) << 32n) | BigInt(vw[n * 4 + 2 * i] >>> 0);
    }
  }

  protected setLane(n: number, size: number, i: number, v: bigint): void {
    switch (size) {
      case 0:
        this.vb[n * 16 + i] = Number(v & 0xffn);
        break;
      case 1: {
        const x = Number(v & 0xffffn);
        this.vb[n * 16 + 2 * i] = x & 0xff;
        this.vb[n * 16 + 2 * i + 1] = x >>> 8;
        break;
      }
      case 2:
        this.vw[n * 4 + i] = Number(v & 0xffffffffn) | 0;
        break;
      default:
        this.vw[n * 4 + 2 * i] = Number(v & 0xffffffffn) | 0;
        this.vw[n * 4 + 2 * i + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
    }
  }

  /** Every element of V<n> for a vector of `bytes` (8 or 16) bytes. */
  protected lanes(n: number, size: number, bytes: number): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < bytes >> size; i++) out.push(this.lane(n, size, i));
    return out;
  }

  /** Writes `vals` as the elements of V<d> and zeroes the rest of the register. */
  protected setLanes(d: number, size: number, vals: readonly bigint[]): void {
    const t = new Uint8Array(16);
    // Through a copy: a source may be the destination.
    for (let i = 0; i < vals.length; i++) {
      let v = vals[i];
      for (let b = 0; b < 1 << size; b++) {
        t[(i << size) + b] = Number(v & 0xffn);
        v >>= 8n;
      }
    }
    this.vb.set(t, d * 16);
  }

  /** Zeroes bytes `from`-15 of V<d> (a 64-bit or scalar write). */
  protected clearFrom(d: number, from: number): void {
    this.vb.fill(0, d * 16 + from, d * 16 + 16);
  }
}
