import type { MemorySystem } from '../../../devices/hierarchy';
import type { Stage2Mmu } from '../../../devices/stage2';
import type { AbortResolution, GuestHypervisor, Stage2Abort, VmRegister } from '../../../devices/cpu';

export interface TestHypervisorOptions {
  /** Guest RAM: IPA = PA (identity), mapped whole on the first fault inside it. */
  ramBase: number;
  ramSize: number;
  /** IPA ranges mapped as stage-2 Device on their first fault (instead of MMIO exits). */
  deviceRanges?: { base: number; size: number }[];
  /** HCR_EL2.TVM at start (KVM sets it without FWB). */
  tvm?: boolean;
  /** Answer of setWayOp (true: the hypervisor handled the set/way op). */
  handleSetWay?: boolean;
  /** Map RAM without execute: the first fetch of each page takes a permission fault (as locked memslots). */
  lazyExec?: boolean;
}

/**
 * A small EL2 for core tests: identity stage 2, RAM mapped on the first fault with KVM's CMOs
 * (clean+invalidate to PoC unless FWB, I-cache invalidation when made executable), MMIO exits
 * outside RAM, CMOs by VA outside RAM skipped, instruction fetches outside RAM injected. Records
 * every call so tests can check exactly what the core reported.
 */
export class TestHypervisor implements GuestHypervisor {
  readonly aborts: Stage2Abort[] = [];
  readonly vmRegWrites: { vcpu: number; reg: VmRegister; oldValue: number; newValue: number }[] = [];
  readonly setWays: { vcpu: number; op: string }[] = [];
  tvm: boolean;
  handleSetWay: boolean;
  /** Overrides the resolution of the next aborts (tests of each action). */
  override: ((a: Stage2Abort) => AbortResolution | undefined) | null = null;

  constructor(
    private readonly stage2: Stage2Mmu,
    private readonly ms: MemorySystem,
    private readonly o: TestHypervisorOptions,
  ) {
    this.tvm = o.tvm ?? !ms.fwb;
    this.handleSetWay = o.handleSetWay ?? false;
  }

  get fwb(): boolean {
    return this.ms.fwb;
  }

  stage2Abort(vcpu: number, a: Stage2Abort): AbortResolution {
    this.aborts.push({ ...a });
    const forced = this.override?.(a);
    if (forced !== undefined) return forced;
    const { ramBase, ramSize } = this.o;
    if (a.ipa >= ramBase && a.ipa < ramBase + ramSize) {
      if (a.kind === 'translation') {
        this.stage2.map(ramBase, ramBase, ramSize, { r: true, w: true, x: !this.o.lazyExec }, 'normal');
        if (!this.fwb) this.ms.dcacheCleanInvalPoc(ramBase, ramSize);
        if (!this.o.lazyExec) this.ms.icacheInvalPou(ramBase, ramSize);
        return { action: 'retry' };
      }
      if (a.kind === 'permission' && a.access === 'exec') {
        if (this.stage2.relaxPerms(a.ipa, { x: true })) this.ms.icacheInvalPou(a.ipa - (a.ipa % 4096), 4096);
        return { action: 'retry' };
      }
      if (a.kind === 'access') {
        this.stage2.mkyoung(a.ipa);
        return { action: 'retry' };
      }
      return { action: 'exit', detail: `unexpected ${a.kind} fault at IPA 0x${a.ipa.toString(16)}` };
    }
    for (const d of this.o.deviceRanges ?? []) {
      if (a.ipa >= d.base && a.ipa < d.base + d.size) {
        if (a.access === 'exec') return { action: 'inject' };
        this.stage2.map(d.base, d.base, d.size, { r: true, w: true, x: false }, 'device');
        return { action: 'retry' };
      }
    }
    if (a.cm) return { action: 'skip' };
    if (a.access === 'exec') return { action: 'inject' };
    void vcpu;
    return { action: 'mmio' };
  }

  trapsVmRegs(_vcpu: number): boolean {
    return this.tvm;
  }

  vmRegWrite(vcpu: number, reg: VmRegister, oldValue: number, newValue: number): void {
    this.vmRegWrites.push({ vcpu, reg, oldValue, newValue });
    // As kvm_toggle_cache: once the guest has MMU and caches on, stop trapping.
    if (reg === 'SCTLR_EL1' && (newValue & 5) === 5) this.tvm = false;
  }

  setWayOp(vcpu: number, op: 'DC ISW' | 'DC CSW' | 'DC CISW'): boolean {
    this.setWays.push({ vcpu, op });
    return this.handleSetWay;
  }
}
