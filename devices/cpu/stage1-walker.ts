/**
 * Stage 1 of the EL1&0 translation regime as a Cortex-A72 does it (MMU on): the VA-range check
 * (TTBR0_EL1 below, TTBR1_EL1 above, sizes from TCR_EL1.T0SZ/T1SZ), the 4 KiB-granule walk
 * (levels 0-3, blocks at levels 1 and 2), TCR_EL1.IPS and EPD0/EPD1, the access flag (no
 * hardware update: AF=0 faults), and the permission check of AP[2:1], UXN/PXN, the table
 * attributes and SCTLR_EL1.WXN for EL1 and EL0 (no PAN).
 *
 * VAs are numbers holding the signed 64-bit value: the TTBR1 range is negative, and every VA of
 * either range (|va| < 2^48) is exact. Tags (TCR_EL1.TBI0/TBI1) are removed before a VA becomes
 * a number (`GuestMemory.vaOf`).
 *
 * The walk leaves what a TLB entry keeps (`walk*` fields, the leaf's attributes packed in
 * `walkInfo`); `checkPermission` applies the current EL and SCTLR_EL1 to such an entry, so an
 * entry from the TLB and one fresh from the tables are checked alike. Each descriptor read is
 * an IPA that goes through stage 2 (GuestMemory, which builds on this class).
 */
import { hex, hex64, type Counter } from '../../core';
import type { MemorySystem } from '../hierarchy/memory-system';
import { AccessStatus, EXEC, KIND_NAMES, READ, WRITE, type AccessIndex } from './guest-access';
import { FSC } from './guest-fault';
import { SCTLR_C, SCTLR_EL1_RESET, type GuestHypervisor } from './guest-interface';

const OK = AccessStatus.OK;
const EXIT = AccessStatus.EXIT;
const TWO32 = 2 ** 32;
const SCTLR_WXN = 1 << 19;

/** Stage-1 memory types. */
export const S1_DEVICE = 0;
export const S1_NORMAL_NC = 1;
export const S1_NORMAL_CACHEABLE = 2;

/**
 * A leaf's attributes as the TLB keeps them (`walkInfo`): the effective AP[2] (read-only) and
 * AP[1] (EL0 access) after APTable, UXN and PXN after the table bits, nG, AttrIndx, SH, level.
 */
export const INFO_RO = 1;
export const INFO_EL0 = 2;
export const INFO_UXN = 4;
export const INFO_PXN = 8;
export const INFO_NG = 16;
export const infoAttrIndx = (info: number): number => (info >>> 5) & 7;
export const infoSh = (info: number): number => (info >>> 8) & 3;
export const infoLevel = (info: number): number => (info >>> 10) & 3;

/** TCR_EL1.IPS → output address bits. */
const IPS_BITS = [32, 36, 40, 42, 44, 48, 48, 48];

export abstract class Stage1Walker {
  // The translation regime: SCTLR_EL1, TTBR0_EL1, TTBR1_EL1, TCR_EL1, MAIR_EL1.
  protected sctlrV = SCTLR_EL1_RESET;
  protected ttbr0Lo = 0;
  protected ttbr0Hi = 0;
  protected ttbr1Lo = 0;
  protected ttbr1Hi = 0;
  protected tcrLo = 0;
  protected tcrHi = 0;
  protected mairLo = 0;
  protected mairHi = 0;
  // Stage-1 walk results (fields, not an object: the walk allocates nothing on success).
  /** The output address (IPA) of the VA walked. */
  protected walkIpa = 0;
  /** The leaf: its VA range starts at walkVaBase, output at walkOaBase, 2^walkSizeLog bytes. */
  protected walkVaBase = 0;
  protected walkOaBase = 0;
  protected walkSizeLog = 12;
  protected walkInfo = 0;

  /** Why the VCPU stops, after EXIT. */
  abstract exitDetail: string;
  /** The PC of the instruction making the accesses. */
  abstract pc: number;
  protected abstract readonly ms: MemorySystem;
  protected abstract readonly hyp: GuestHypervisor;
  protected abstract readonly cpu: number;
  protected abstract readonly walks: Counter | null;
  /** The implemented PA size (ID_AA64MMFR0_EL1.PARange) in bits: IPS is capped at it. */
  protected abstract readonly paBits: number;
  /** After a successful `stage2`: the PA and whether stage 2 made it Device. */
  protected abstract s2Pa: number;
  protected abstract s2Device: boolean;
  /** Stage 2 of `ipa` (S1PTW for the walk's descriptor reads). */
  protected abstract stage2(ipa: number, kind: AccessIndex, s1ptw: boolean, cm: boolean, origKind: AccessIndex, va: number, size: number, valueLo: number, valueHi: number, s1Level: number): AccessStatus;
  /** Records a guest fault and returns FAULT. */
  protected abstract raise(instruction: boolean, fsc: number, wnr: boolean, cm: boolean, s1ptw: boolean, va: number, description: string): AccessStatus;

  /** Input address bits of the TTBR0 (upper = false) or TTBR1 range: 64 - TxSZ, TxSZ clamped to 16-39 as QEMU does. */
  protected inputBits(upper: boolean): number {
    let tsz = upper ? (this.tcrLo >>> 16) & 0x3f : this.tcrLo & 0x3f;
    if (tsz < 16) tsz = 16;
    if (tsz > 39) tsz = 39;
    return 64 - tsz;
  }

  /** The VA-range check: OK when `va` is in the TTBR0 or the TTBR1 range, else a level-0 translation fault. */
  protected checkRange(va: number, kind: AccessIndex, cm: boolean, reportVa: number): AccessStatus {
    const upper = va < 0;
    const bits = this.inputBits(upper);
    if (upper ? va >= -(2 ** bits) : va < 2 ** bits) return OK;
    const t0 = this.inputBits(false);
    const t1 = this.inputBits(true);
    return this.raise(
      kind === EXEC,
      FSC.translation(0),
      kind === WRITE || cm,
      cm,
      false,
      reportVa,
      `translation fault, level 0, on ${this.what(kind, cm, reportVa)}: in neither the TTBR0_EL1 range [0, 2^${t0}) (T0SZ=${64 - t0}) nor the TTBR1_EL1 range [2^64 - 2^${t1}, 2^64) (T1SZ=${64 - t1})`,
    );
  }

  /** The output address bits: TCR_EL1.IPS, capped at the implemented PA size. */
  protected outputBits(): number {
    const ips = IPS_BITS[this.tcrHi & 7];
    return ips < this.paBits ? ips : this.paBits;
  }

  /**
   * The stage-1 walk for `va` (in range: `checkRange` passed). Leaves the leaf in the `walk*`
   * fields, or raises the translation, address size or access flag fault. Permissions are not
   * checked here (`checkPermission`).
   */
  protected walk(va: number, kind: AccessIndex, cm: boolean, reportVa: number): AccessStatus {
    if (this.walks !== null) this.walks.value++;
    const exec = kind === EXEC;
    const wnr = kind === WRITE || cm;
    // Fault messages name the access (`on ${this.what(...)}`), built only when a fault is raised:
    // the walk runs on every translation miss, MMIO accesses included, and must stay cheap.
    const upper = va < 0;
    const tcr = this.tcrLo;
    const reg = upper ? 'TTBR1_EL1' : 'TTBR0_EL1';
    if ((tcr & (upper ? 1 << 23 : 1 << 7)) !== 0) {
      return this.raise(exec, FSC.translation(0), wnr, cm, false, reportVa, `translation fault, level 0, on ${this.what(kind, cm, reportVa)}: TCR_EL1.${upper ? 'EPD1' : 'EPD0'} disables ${reg} walks`);
    }
    // TG0: 0 = 4 KiB, 1 = 64 KiB, 2 = 16 KiB; TG1: 2 = 4 KiB, 1 = 16 KiB, 3 = 64 KiB. Reserved values act as 4 KiB (as QEMU).
    const tg = upper ? (tcr >>> 30) & 3 : (tcr >>> 14) & 3;
    const kib = upper ? (tg === 1 ? 16 : tg === 3 ? 64 : 4) : tg === 1 ? 64 : tg === 2 ? 16 : 4;
    if (kib !== 4) {
      this.exitDetail = `TCR_EL1.${upper ? 'TG1' : 'TG0'}=${tg} selects a ${kib} KiB granule for ${reg} at PC=${hex(this.pc)}: only the 4 KiB granule is modelled`;
      return EXIT;
    }
    const inputBits = this.inputBits(upper);
    // The VA's offset inside its range (bits [inputBits-1:0]).
    const off = upper ? va + 2 ** inputBits : va;
    // Walks are cacheable when the inner attribute of the range's walks is cacheable and SCTLR_EL1.C=1.
    const irgn = upper ? (tcr >>> 24) & 3 : (tcr >>> 8) & 3;
    const walkCacheable = irgn !== 0 && (this.sctlrV & SCTLR_C) !== 0;
    const outLimit = 2 ** this.outputBits();
    const startLevel = 4 - Math.ceil((inputBits - 12) / 9);
    // Bits the start level resolves (1 to 9): its table is 2^startBits entries, aligned to its size.
    const startBits = inputBits - (12 + 9 * (3 - startLevel));
    let table = ((upper ? this.ttbr1Hi : this.ttbr0Hi) & 0xffff) * TWO32 + ((upper ? this.ttbr1Lo : this.ttbr0Lo) >>> 0);
    table -= table % 2 ** (startBits + 3);
    if (table >= outLimit) {
      return this.raise(exec, FSC.addressSize(0), wnr, cm, false, reportVa, `address size fault, level 0, on ${this.what(kind, cm, reportVa)}: ${reg} table address ${hex(table)} is beyond the ${this.outputBits()}-bit output size (TCR_EL1.IPS)`);
    }
    let level = startLevel;
    let info = 0;
    for (;;) {
      const shift = 12 + 9 * (3 - level);
      const index = Math.floor(off / 2 ** shift) % 2 ** (level === startLevel ? startBits : 9);
      const descIpa = table + index * 8;
      const st = this.stage2(descIpa, READ, true, cm, kind, reportVa, 8, 0, 0, level);
      if (st !== OK) return st;
      const cacheable = !this.s2Device && (this.hyp.fwb || walkCacheable);
      const lo = this.ms.read('vcpu', this.cpu, this.s2Pa, 8, cacheable);
      const hi = this.ms.hi;
      if ((lo & 1) === 0) return this.raise(exec, FSC.translation(level), wnr, cm, false, reportVa, `translation fault, level ${level}, on ${this.what(kind, cm, reportVa)}: descriptor ${hex64(hi, lo)} at IPA ${hex(descIpa)} is invalid`);
      const isTable = (lo & 2) !== 0 && level < 3;
      if (level === 3 && (lo & 2) === 0) return this.raise(exec, FSC.translation(3), wnr, cm, false, reportVa, `translation fault, level 3, on ${this.what(kind, cm, reportVa)}: descriptor ${hex64(hi, lo)} at IPA ${hex(descIpa)} is reserved`);
      if (!isTable && level === 0) return this.raise(exec, FSC.translation(0), wnr, cm, false, reportVa, `translation fault, level 0, on ${this.what(kind, cm, reportVa)}: a level-0 block is not allowed with the 4 KiB granule`);
      // Bits [47:12]; [51:48] are RES0 without 52-bit addresses.
      const oa = (hi & 0xffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
      if (oa >= outLimit) {
        return this.raise(exec, FSC.addressSize(level), wnr, cm, false, reportVa, `address size fault, level ${level}, on ${this.what(kind, cm, reportVa)}: output address of descriptor ${hex64(hi, lo)} is beyond the ${this.outputBits()}-bit output size (TCR_EL1.IPS)`);
      }
      if (isTable) {
        // APTable[1] (bit 62): no writes below; APTable[0] (61): no EL0 access; UXNTable (60), PXNTable (59).
        if ((hi & (1 << 30)) !== 0) info |= INFO_RO;
        if ((hi & (1 << 29)) !== 0) info |= NO_EL0;
        if ((hi & (1 << 28)) !== 0) info |= INFO_UXN;
        if ((hi & (1 << 27)) !== 0) info |= INFO_PXN;
        table = oa;
        level++;
        continue;
      }
      if ((lo & (1 << 10)) === 0) return this.raise(exec, FSC.accessFlag(level), wnr, cm, false, reportVa, `access flag fault, level ${level}, on ${this.what(kind, cm, reportVa)}: descriptor ${hex64(hi, lo)} at IPA ${hex(descIpa)} has AF=0 (no hardware update of the access flag)`);
      if ((lo & (1 << 7)) !== 0) info |= INFO_RO;
      if ((lo & (1 << 6)) !== 0 && (info & NO_EL0) === 0) info |= INFO_EL0;
      if ((hi & (1 << 22)) !== 0) info |= INFO_UXN;
      if ((hi & (1 << 21)) !== 0) info |= INFO_PXN;
      if ((lo & (1 << 11)) !== 0) info |= INFO_NG;
      this.walkInfo = (info & ~NO_EL0) | (((lo >>> 2) & 7) << 5) | (((lo >>> 8) & 3) << 8) | (level << 10);
      const size = 2 ** shift;
      this.walkSizeLog = shift;
      this.walkOaBase = oa - (oa % size);
      this.walkVaBase = va - (off % size);
      this.walkIpa = this.walkOaBase + (off % size);
      return OK;
    }
  }

  /**
   * The permission check of a leaf (`info` as `walkInfo`) for an access of `kind` at EL0
   * (`el0`) or EL1: OK, or the permission fault at the leaf's level. Cache maintenance needs read
   * permission (at EL1 always there).
   */
  protected checkPermission(info: number, kind: AccessIndex, cm: boolean, el0: boolean, reportVa: number): AccessStatus {
    const ro = (info & INFO_RO) !== 0;
    const userR = (info & INFO_EL0) !== 0;
    const userW = userR && !ro;
    const wxn = (this.sctlrV & SCTLR_WXN) !== 0;
    let allowed: boolean;
    let why: string;
    if (kind === EXEC) {
      // A region writable at EL0 is never executable at EL1; WXN makes writable regions XN.
      allowed = el0 ? (info & INFO_UXN) === 0 && !(userW && wxn) : (info & INFO_PXN) === 0 && !(!ro && wxn) && !userW;
      why = el0 ? 'not executable at EL0 (UXN, or writable with SCTLR_EL1.WXN)' : 'not executable at EL1 (PXN, writable at EL0, or writable with SCTLR_EL1.WXN)';
    } else if (kind === WRITE && !cm) {
      allowed = el0 ? userW : !ro;
      why = el0 ? 'not writable at EL0' : 'read-only';
    } else {
      allowed = el0 ? userR : true;
      why = 'not accessible at EL0';
    }
    if (allowed) return OK;
    const level = infoLevel(info);
    return this.raise(kind === EXEC, FSC.permission(level), kind === WRITE || cm, cm, false, reportVa, `permission fault, level ${level}, on ${this.what(kind, cm, reportVa)}${el0 ? ' (EL0)' : ''}: the page is ${why}`);
  }

  /** The stage-1 memory type of a leaf's AttrIndx (its MAIR_EL1 byte). */
  protected s1TypeOf(info: number): number {
    const attr = this.mairAttr(infoAttrIndx(info));
    return (attr & 0xf0) === 0 ? S1_DEVICE : (attr & 0xf) === 0x4 || (attr & 0xf) === 0 ? S1_NORMAL_NC : S1_NORMAL_CACHEABLE;
  }

  /** `an instruction fetch at VA 0x...`, for fault messages. */
  protected what(kind: AccessIndex, cm: boolean, va: number): string {
    return `${cm ? 'cache maintenance' : kind === EXEC ? 'an instruction fetch' : `a ${KIND_NAMES[kind]}`} at VA ${vaHex(va)}`;
  }

  protected mairAttr(index: number): number {
    return (index < 4 ? this.mairLo >>> (8 * index) : this.mairHi >>> (8 * (index - 4))) & 0xff;
  }
}

/** APTable[0] while walking (cleared from the leaf's info). */
const NO_EL0 = 1 << 15;

/** A VA number (signed 64-bit value) as the 64-bit hex the guest sees. */
export function vaHex(va: number): string {
  return va < 0 ? hex64(Math.floor(va / TWO32) >>> 0, va >>> 0) : hex(va);
}
