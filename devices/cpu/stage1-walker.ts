/**
 * The stage-1 walk of one VCPU's guest memory path (MMU on): the 4 KiB-granule tables from
 * TTBR0_EL1 (levels from TCR_EL1.T0SZ), the permissions on the way down, and the leaf's MAIR_EL1
 * attribute as a stage-1 memory type. Each descriptor read is an IPA that goes through stage 2
 * (GuestMemory, which builds on this class).
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

export abstract class Stage1Walker {
  // The translation regime: SCTLR_EL1, TTBR0_EL1, TCR_EL1, MAIR_EL1.
  protected sctlrV = SCTLR_EL1_RESET;
  protected ttbr0Lo = 0;
  protected ttbr0Hi = 0;
  protected tcrLo = 0;
  protected tcrHi = 0;
  protected mairLo = 0;
  protected mairHi = 0;
  // Stage-1 walk results (fields, not an object: the walk allocates nothing on success).
  protected walkIpa = 0;
  protected walkType = S1_DEVICE;

  /** Why the VCPU stops, after EXIT. */
  abstract exitDetail: string;
  /** The PC of the instruction making the accesses. */
  abstract pc: number;
  protected abstract readonly ms: MemorySystem;
  protected abstract readonly hyp: GuestHypervisor;
  protected abstract readonly cpu: number;
  protected abstract readonly walks: Counter | null;
  /** After a successful `stage2`: the PA and whether stage 2 made it Device. */
  protected abstract s2Pa: number;
  protected abstract s2Device: boolean;
  /** Stage 2 of `ipa` (S1PTW for the walk's descriptor reads). */
  protected abstract stage2(ipa: number, kind: AccessIndex, s1ptw: boolean, cm: boolean, origKind: AccessIndex, va: number, size: number, valueLo: number, valueHi: number, s1Level: number): AccessStatus;
  /** Records a guest fault and returns FAULT. */
  protected abstract raise(instruction: boolean, fsc: number, wnr: boolean, cm: boolean, s1ptw: boolean, va: number, description: string): AccessStatus;

  /** The stage-1 walk (MMU on): leaves `walkIpa` and `walkType`, or raises the stage-1 fault. */
  protected walk(va: number, kind: AccessIndex, cm: boolean, reportVa: number): AccessStatus {
    if (this.walks !== null) this.walks.value++;
    const exec = kind === EXEC;
    const wnr = kind === WRITE || cm;
    // Fault messages name the access (`on ${this.what(...)}`), built only when a fault is raised:
    // the walk runs on every translation miss, MMIO accesses included, and must stay cheap.
    const tcr = this.tcrLo;
    let t0sz = tcr & 0x3f;
    if (t0sz < 16) t0sz = 16;
    if (t0sz > 39) t0sz = 39;
    const vaBits = 64 - t0sz;
    // The upper VA range would use TTBR1_EL1, which the model leaves disabled (as EPD1=1).
    if (!(va < 2 ** vaBits)) return this.raise(exec, FSC.translation(0), wnr, cm, false, reportVa, `translation fault, level 0, on ${this.what(kind, cm, reportVa)}: outside the ${vaBits}-bit TTBR0_EL1 range (T0SZ=${t0sz})`);
    if ((tcr & (1 << 7)) !== 0) return this.raise(exec, FSC.translation(0), wnr, cm, false, reportVa, `translation fault, level 0, on ${this.what(kind, cm, reportVa)}: TCR_EL1.EPD0 disables TTBR0 walks`);
    const tg0 = (tcr >>> 14) & 3;
    if (tg0 !== 0) {
      this.exitDetail = `TCR_EL1.TG0=${tg0} selects a ${tg0 === 1 ? '64' : '16'} KiB granule at PC=${hex(this.pc)}: only the 4 KiB granule is modelled`;
      return EXIT;
    }
    // Walks are cacheable when the inner attribute of TTBR0 walks is cacheable and SCTLR_EL1.C=1.
    const irgn = (tcr >>> 8) & 3;
    const walkCacheable = irgn !== 0 && (this.sctlrV & SCTLR_C) !== 0;
    const startLevel = 4 - Math.ceil((vaBits - 12) / 9);
    // Bits the start level resolves (1 to 9): its table is 2^startBits entries, aligned to its size.
    const startBits = vaBits - (12 + 9 * (3 - startLevel));
    let table = (this.ttbr0Hi & 0xffff) * TWO32 + (this.ttbr0Lo >>> 0);
    table -= table % 2 ** (startBits + 3);
    let level = startLevel;
    let readOnly = false;
    let pxn = false;
    for (;;) {
      const shift = 12 + 9 * (3 - level);
      const index = Math.floor(va / 2 ** shift) % 2 ** (level === startLevel ? startBits : 9);
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
      if ((hi & 0xf0000) !== 0) return this.raise(exec, FSC.addressSize(level), wnr, cm, false, reportVa, `address size fault, level ${level}, on ${this.what(kind, cm, reportVa)}: output address of descriptor ${hex64(hi, lo)} is beyond 48 bits`);
      const oa = (hi & 0xffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
      if (isTable) {
        // APTable[1] (bit 62) removes write access below; PXNTable (bit 59) removes EL1 execute.
        if ((hi & (1 << 30)) !== 0) readOnly = true;
        if ((hi & (1 << 27)) !== 0) pxn = true;
        table = oa;
        level++;
        continue;
      }
      const size = 2 ** shift;
      if ((lo & (1 << 10)) === 0) return this.raise(exec, FSC.accessFlag(level), wnr, cm, false, reportVa, `access flag fault, level ${level}, on ${this.what(kind, cm, reportVa)}`);
      const ap = (lo >>> 6) & 3;
      if ((ap & 2) !== 0) readOnly = true;
      if ((hi & (1 << 21)) !== 0) pxn = true;
      // A region writable at EL0 is never executable at EL1; WXN makes writable regions XN.
      if (ap === 1) pxn = true;
      if ((this.sctlrV & SCTLR_WXN) !== 0 && !readOnly) pxn = true;
      if (kind === WRITE && readOnly && !cm) return this.raise(false, FSC.permission(level), true, false, false, reportVa, `permission fault, level ${level}, on ${this.what(kind, cm, reportVa)}: the page is read-only`);
      if (exec && pxn) return this.raise(true, FSC.permission(level), false, false, false, reportVa, `permission fault, level ${level}, on ${this.what(kind, cm, reportVa)}: the page is not executable at EL1`);
      const attr = this.mairAttr((lo >>> 2) & 7);
      this.walkType = (attr & 0xf0) === 0 ? S1_DEVICE : (attr & 0xf) === 0x4 || (attr & 0xf) === 0 ? S1_NORMAL_NC : S1_NORMAL_CACHEABLE;
      this.walkIpa = oa - (oa % size) + (va % size);
      return OK;
    }
  }

  /** `an instruction fetch at VA 0x...`, for fault messages. */
  protected what(kind: AccessIndex, cm: boolean, va: number): string {
    return `${cm ? 'cache maintenance' : kind === EXEC ? 'an instruction fetch' : `a ${KIND_NAMES[kind]}`} at VA ${hex(va)}`;
  }

  protected mairAttr(index: number): number {
    return (index < 4 ? this.mairLo >>> (8 * index) : this.mairHi >>> (8 * (index - 4))) & 0xff;
  }
}
