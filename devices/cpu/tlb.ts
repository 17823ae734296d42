/**
 * The architectural stage-1 TLB of one VCPU, as a Cortex-A72's main TLB: 1024 entries, 4-way
 * set associative, each holding one leaf of the EL1&0 tables (a 4 KiB page or a 2 MiB / 1 GiB
 * block, whole) tagged with its VMID and, when non-global (nG=1), its ASID. Only TLB
 * invalidation removes entries (and replacement, round robin per set): a page-table change
 * without TLBI leaves the old translation in use, as on hardware.
 *
 * Entries keep what the walk found (output address, the packed leaf attributes of
 * stage1-walker.ts); the permission check and MAIR_EL1 are applied on every use.
 */

const SETS = 256;
const WAYS = 4;
const SET_MASK = SETS - 1;
/** Block sizes a lookup probes: 4 KiB pages, 2 MiB and 1 GiB blocks. */
const SIZE_LOGS = [12, 21, 30] as const;
/** The ASID of a global entry. */
export const GLOBAL = -1;

export class Stage1Tlb {
  /** The entry's VA range number (VA / 2^sizeLog), NaN when empty. */
  private readonly vaNum = new Float64Array(SETS * WAYS).fill(NaN);
  private readonly sizeLog = new Uint8Array(SETS * WAYS);
  private readonly oaBase = new Float64Array(SETS * WAYS);
  private readonly info = new Uint32Array(SETS * WAYS);
  private readonly asid = new Int32Array(SETS * WAYS);
  private readonly vmid = new Int32Array(SETS * WAYS);
  private readonly next = new Uint8Array(SETS);
  /** After a hit: the entry's output base, VA base, size and leaf attributes. */
  hitOaBase = 0;
  hitVaBase = 0;
  hitSizeLog = 12;
  hitInfo = 0;
  hits = 0;
  fills = 0;

  /** The entry translating `va` for `asid` (global entries match any) in `vmid`: true and the hit* fields. */
  lookup(va: number, asid: number, vmid: number): boolean {
    for (const s of SIZE_LOGS) {
      const n = Math.floor(va / 2 ** s);
      const base = (n & SET_MASK) * WAYS;
      for (let w = base; w < base + WAYS; w++) {
        if (this.vaNum[w] === n && this.sizeLog[w] === s && this.vmid[w] === vmid && (this.asid[w] === GLOBAL || this.asid[w] === asid)) {
          this.hitOaBase = this.oaBase[w];
          this.hitVaBase = n * 2 ** s;
          this.hitSizeLog = s;
          this.hitInfo = this.info[w];
          this.hits++;
          return true;
        }
      }
    }
    return false;
  }

  /** Adds a leaf (replacing an entry with the same tag, else the set's next victim). */
  insert(vaBase: number, sizeLog: number, oaBase: number, info: number, asid: number, vmid: number): void {
    const n = Math.floor(vaBase / 2 ** sizeLog);
    const set = n & SET_MASK;
    const base = set * WAYS;
    let victim = -1;
    for (let w = base; w < base + WAYS; w++) {
      if (this.vaNum[w] === n && this.sizeLog[w] === sizeLog && this.vmid[w] === vmid && this.asid[w] === asid) victim = w;
    }
    if (victim < 0) {
      victim = base + this.next[set];
      this.next[set] = (this.next[set] + 1) % WAYS;
    }
    this.vaNum[victim] = n;
    this.sizeLog[victim] = sizeLog;
    this.oaBase[victim] = oaBase;
    this.info[victim] = info;
    this.asid[victim] = asid;
    this.vmid[victim] = vmid;
    this.fills++;
  }

  /**
   * Invalidates the entries of `vmid` that match: `va` (a number, or null for every VA) and
   * `asid` (an ASID: its non-global entries, and global ones too when `va` is given, as TLBI
   * VAE1 does; null: every ASID and global).
   */
  invalidate(vmid: number, va: number | null, asid: number | null, globalToo: boolean): number {
    let n = 0;
    for (let w = 0; w < SETS * WAYS; w++) {
      const v = this.vaNum[w];
      if (v !== v || this.vmid[w] !== vmid) continue; // empty, or another VM's
      if (va !== null && Math.floor(va / 2 ** this.sizeLog[w]) !== v) continue;
      if (asid !== null) {
        const a = this.asid[w];
        if (a === GLOBAL ? !globalToo : a !== asid) continue;
      }
      this.vaNum[w] = NaN;
      n++;
    }
    return n;
  }

  /** Forgets everything (reset). */
  clear(): void {
    this.vaNum.fill(NaN);
  }
}
