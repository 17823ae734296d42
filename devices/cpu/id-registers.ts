/**
 * The identification registers: those a guest reads to learn the cache geometry (CTR_EL0,
 * CLIDR_EL1, CCSIDR_EL1, DCZID_EL0) and MIDR_EL1, MPIDR_EL1 derived from the machine's
 * CacheTopology (so a topology plugin changes what the guest sees); the feature registers
 * (ID_AA64*, the AArch32 ID_* and MVFR*) are QEMU's cortex-a72's.
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

/**
 * CCSIDR_EL1 for CSSELR_EL1 (Level [3:1], InD [0]): the ARMv8.0 format's WT/WB/RA/WA [31:28]
 * (write-back, read- and write-allocate data and unified caches, a read-allocate I-cache, as a
 * Cortex-A72 and QEMU's report), NumSets-1, Associativity-1, LineSize; 0 for a level that does
 * not exist.
 */
export function ccsidrEl1(t: CacheTopology, csselr: number): number {
  const level = ((csselr >>> 1) & 7) + 1;
  const ind = (csselr & 1) === 1;
  const spec = level === 1 ? (ind ? t.l1i : t.l1d) : ind ? undefined : t.shared[level - 2];
  if (spec === undefined) return 0;
  const sets = spec.size / (spec.ways * spec.lineSize);
  const attrs = ind ? 0b0010 : 0b0111;
  return ((attrs << 28) | ((sets - 1) << 13) | ((spec.ways - 1) << 3) | (log2(spec.lineSize) - 4)) >>> 0;
}

/** DCZID_EL0: block size = the line (BS = log2 words); DZP (bit 4) when DC ZVA is prohibited at the reading EL. */
export function dczidEl0(t: CacheTopology, prohibited = false): number {
  return log2(t.l1d.lineSize / 4) | (prohibited ? 1 << 4 : 0);
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
 * The identification registers of QEMU 7.2's cortex-a72 on `-M virt` (no EL2 or EL3), as a
 * bare-metal image reads them there (the values of target/arm/cpu64.c aarch64_a72_initfn, with
 * the EL2/EL3 fields the virt machine clears): op0=3, op1=0, CRn=0, CRm=1-7 by op2, packed as
 * CRm:op2. The rest of that space reads as zero (the architecture's reserved ID registers).
 * MIDR_EL1, MPIDR_EL1 and the cache registers come from the topology instead.
 */
const A72_ID_REGS: ReadonlyMap<number, number> = new Map([
  [0o10, 0x00000131], // ID_PFR0_EL1
  [0o11, 0x00010001], // ID_PFR1_EL1
  [0o12, 0x03010006], // ID_DFR0_EL1
  [0o14, 0x10201105], // ID_MMFR0_EL1
  [0o15, 0x40000000], // ID_MMFR1_EL1
  [0o16, 0x01260000], // ID_MMFR2_EL1
  [0o17, 0x02102211], // ID_MMFR3_EL1
  [0o20, 0x02101110], // ID_ISAR0_EL1
  [0o21, 0x13112111], // ID_ISAR1_EL1
  [0o22, 0x21232042], // ID_ISAR2_EL1
  [0o23, 0x01112131], // ID_ISAR3_EL1
  [0o24, 0x00011142], // ID_ISAR4_EL1
  [0o25, 0x00011121], // ID_ISAR5_EL1
  [0o30, 0x10110222], // MVFR0_EL1
  [0o31, 0x12111111], // MVFR1_EL1
  [0o32, 0x00000043], // MVFR2_EL1
  [0o40, 0x00000022], // ID_AA64PFR0_EL1: EL0 and EL1 AArch64 and AArch32, FP and AdvSIMD, no EL2/EL3
  [0o50, 0x10305106], // ID_AA64DFR0_EL1: PMUv3, 6 breakpoints, 4 watchpoints
  [0o60, 0x00011120], // ID_AA64ISAR0_EL1: AES+PMULL, SHA1, SHA2, CRC32
  [0o70, 0x00001124], // ID_AA64MMFR0_EL1: 44-bit PA, 16-bit ASIDs, 4K and 64K granules
]);

/** An ID register of the CRn=0, CRm=1-7 space (`crmOp2` = CRm:op2, 8-63): its value, 0 if reserved. */
export function idRegister(crmOp2: number): number {
  return A72_ID_REGS.get(crmOp2) ?? 0;
}

/** CNTFRQ_EL0: the virt machine's 62.5 MHz; the counter ticks once per 16 modelled cycles (a 1 GHz core). */
export const CNTFRQ = 62_500_000;
export const CYCLES_PER_TICK = 16;
