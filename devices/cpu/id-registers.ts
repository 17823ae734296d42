/**
 * The identification registers a guest reads to learn the cache and memory geometry: CTR_EL0,
 * CLIDR_EL1, CCSIDR_EL1, DCZID_EL0, MIDR_EL1, MPIDR_EL1, ID_AA64MMFR0_EL1, all derived from the
 * machine's CacheTopology (so a topology plugin changes what the guest sees).
 */
import type { CacheTopology } from '../hierarchy/topology';

const log2 = (n: number): number => Math.round(Math.log2(n));

/**
 * CTR_EL0: RES1 bit 31, DIC [29], IDC [28], CWG [27:24] and ERG [23:20] (log2 words of the
 * line), DminLine [19:16] and IminLine [3:0] (log2 words), L1Ip [15:14] (PIPT 0b11, VIPT 0b10,
 * VPIPT 0b00).
 */
export function ctrEl0(t: CacheTopology): number {
  const dmin = log2(t.l1d.lineSize / 4);
  const imin = log2(t.l1i.lineSize / 4);
  const l1ip = t.icachePolicy === 'PIPT' ? 0b11 : t.icachePolicy === 'VIPT' ? 0b10 : 0b00;
  return ((1 << 31) | ((t.dic ? 1 : 0) << 29) | ((t.idc ? 1 : 0) << 28) | (dmin << 24) | (dmin << 20) | (dmin << 16) | (l1ip << 14) | imin) >>> 0;
}

/** Cache levels a set/way loop walks: L1 (I + D) and each shared level. */
export function cacheLevels(t: CacheTopology): number {
  return 1 + t.shared.length;
}

/**
 * CLIDR_EL1: Ctype1 = separate I and D (0b011), every shared level unified (0b100); LoC = every
 * level (the PoC is memory); LoUU = LoUIS = the levels inside the PoU. With FWB the architecture
 * requires LoUU = LoUIS = 0.
 */
export function clidrEl1(t: CacheTopology): number {
  const levels = cacheLevels(t);
  let v = 0b011;
  for (let i = 0; i < t.shared.length; i++) v |= 0b100 << (3 * (i + 1));
  const pouIndex = t.shared.findIndex((s) => s.name === t.pou);
  const lou = t.fwb ? 0 : pouIndex < 0 ? levels : pouIndex + 1;
  v |= (lou << 21) | (levels << 24) | (lou << 27);
  return v >>> 0;
}

/** CCSIDR_EL1 for CSSELR_EL1 (Level [3:1], InD [0]): NumSets-1, Associativity-1, LineSize; 0 for a level that does not exist. */
export function ccsidrEl1(t: CacheTopology, csselr: number): number {
  const level = ((csselr >>> 1) & 7) + 1;
  const ind = (csselr & 1) === 1;
  const spec = level === 1 ? (ind ? t.l1i : t.l1d) : ind ? undefined : t.shared[level - 2];
  if (spec === undefined) return 0;
  const sets = spec.size / (spec.ways * spec.lineSize);
  return (((sets - 1) << 13) | ((spec.ways - 1) << 3) | (log2(spec.lineSize) - 4)) >>> 0;
}

/** DCZID_EL0: DC ZVA allowed (DZP=0), block size = the line (BS = log2 words). */
export function dczidEl0(t: CacheTopology): number {
  return log2(t.l1d.lineSize / 4);
}

/** MIDR_EL1 of the host CPU KVM passes through: the topology's core if known, else Cortex-A72 r0p3. */
export function midrEl1(t: CacheTopology): number {
  if (t.name === 'neoverse-n1') return 0x414fd0c1;
  return 0x410fd083;
}

/** MPIDR_EL1: RES1 bit 31, the core index in Aff0 (and Aff1 beyond 256). */
export function mpidrEl1(index: number): number {
  return ((1 << 31) | ((index >>> 8) << 8) | (index & 0xff)) >>> 0;
}

/**
 * ID_AA64MMFR0_EL1: PARange from the VM's IPA size, 4 KiB granule supported (TGran4 = 0),
 * 16 KiB not (TGran16 = 0), 64 KiB not (TGran64 = 0xf), 16-bit ASIDs (ASIDBits = 2, as a
 * Cortex-A72: TCR_EL1.AS selects 8 or 16).
 */
export function idAa64mmfr0El1(ipaBits: number): number {
  const ranges = [32, 36, 40, 42, 44, 48];
  let pa = 0;
  for (let i = 0; i < ranges.length; i++) if (ipaBits >= ranges[i]) pa = i;
  return (0xf << 24) | (2 << 4) | pa;
}

/** ID_AA64PFR0_EL1: EL0 and EL1 AArch64 only, no EL2/EL3 visible to the guest, no FP/AdvSIMD. */
export const ID_AA64PFR0_EL1 = 0x00ff0011;
/** CNTFRQ_EL0: the virt machine's 62.5 MHz; the counter ticks once per 16 modelled cycles (a 1 GHz core). */
export const CNTFRQ = 62_500_000;
export const CYCLES_PER_TICK = 16;
