import { drainSlices, type Counter, type Interrupt } from '../../core';
import type { CoreExit, GuestCore } from '../../devices/cpu/guest-interface';
import { kvmHvcCallHandler } from './hypercalls';
import { CYCLES_PER_TICK } from '../../devices/cpu/id-registers';
import { fail } from './errno';
import type { KvmVm } from './vm';

/** KVM_ARM_VCPU_INIT features this model knows. */
export interface VcpuInitFeatures {
  /** KVM_ARM_VCPU_POWER_OFF: start powered off, until a PSCI CPU_ON. */
  powerOff?: boolean;
}

/**
 * One VCPU: its KVM state (initialised, has_run_once, HCR_EL2.TVM, power state) and the guest
 * core it runs on. The VCPU ioctls follow kvm_arch_vcpu_ioctl_vcpu_init and
 * kvm_arch_vcpu_ioctl_run (§3.2, §4.5, §8).
 */
export class KvmVcpu {
  initialised = false;
  hasRunOnce = false;
  /** HCR_EL2.TVM: trap guest writes to VM registers (set at reset without FWB). */
  hcrTvm = false;
  /** Stopped (mp_state KVM_MP_STATE_STOPPED): KVM_RUN does not enter the guest. */
  poweredOff = false;
  /** Why it is stopped: KVM_ARM_VCPU_POWER_OFF, or a PSCI SYSTEM_OFF / SYSTEM_RESET of some VCPU. */
  stoppedBy: 'power_off' | 'shutdown' | 'reset' | null = null;
  /** Inside KVM_RUN (holds vcpu->mutex). */
  inRun = false;
  /** Modelled cycles spent inside KVM_RUN for this VCPU (guest and KVM work), `kvm.vcpuN.cycles`. */
  private readonly cyclesStat: Counter;
  private readonly runsStat: Counter;
  private readonly idleStat: Counter;

  constructor(
    readonly index: number,
    readonly vm: KvmVm,
    readonly core: GuestCore,
  ) {
    this.cyclesStat = vm.d.stats.counter(`kvm.vcpu${index}.cycles`, `modelled cycles VCPU ${index} spent in KVM_RUN`);
    this.runsStat = vm.d.stats.counter(`kvm.vcpu${index}.runs`, `KVM_RUN calls of VCPU ${index}`);
    this.idleStat = vm.d.stats.counter(`kvm.vcpu${index}.idle_cycles`, `modelled cycles VCPU ${index} slept in WFI until its timer fired`);
  }

  get cycles(): number {
    return this.cyclesStat.value;
  }

  /** KVM_ARM_VCPU_INIT, then the VMM's KVM_SET_ONE_REG of PC and x0. */
  init(entry: number, x0: number, features: VcpuInitFeatures = {}): void {
    const hadRun = this.hasRunOnce;
    // kvm_vcpu_set_target → kvm_reset_vcpu: architectural register reset.
    this.core.reset(entry, x0);
    this.initialised = true;
    this.poweredOff = features.powerOff ?? false;
    this.stoppedBy = this.poweredOff ? 'power_off' : null;
    const bus = this.vm.d.bus;
    bus.emit({ type: 'vcpu.init', vcpu: this.index, hadRun });
    if (hadRun) {
      // A VCPU that ran is being reset: the VMM may have changed guest memory meanwhile.
      bus.emit({ type: 'vcpu.reset', vcpu: this.index });
      this.vm.d.policy.onVcpuReinit(this.vm, this);
    }
    // vcpu_reset_hcr: trap VM-register writes unless FWB makes the guest's cacheability moot.
    this.hcrTvm = !this.vm.fwb;
  }

  /** Modelled cycles until this VCPU's next timer event, or undefined when none is armed. */
  timerCyclesLeft(): number | undefined {
    const dl = this.core.timer?.nextDeadline();
    if (dl === undefined) return undefined;
    return Math.max(0, Number(dl) * CYCLES_PER_TICK - this.vm.d.clock.now);
  }

  /** Time passes while the VCPU sleeps in WFI (counted in `kvm.vcpuN.idle_cycles`); its timers see it. */
  sleep(cycles: number): void {
    const c = Math.ceil(cycles);
    this.vm.d.clock.advance(c);
    this.idleStat.value += c;
    this.core.timer?.refresh();
  }

  /** KVM_RUN: pending ops first, then first-run init, then the guest until an exit. */
  run(budget: number): CoreExit {
    return drainSlices(this.runSliced(budget, Infinity));
  }

  /**
   * KVM_RUN that lets the host run other work every `slice` instructions (the VCPU thread being
   * preempted inside the ioctl: no exit to userspace, nothing on the bus). After each yield,
   * `interrupt` (a pending signal) makes the ioctl return with an `interrupted` exit.
   */
  *runSliced(budget: number, slice: number, interrupt?: Interrupt): Generator<void, CoreExit, void> {
    if (!this.initialised) fail('KVM_RUN', 'ENOEXEC', `VCPU ${this.index} was never initialised (KVM_ARM_VCPU_INIT)`);
    this.vm.d.policy.onVcpuRun(this.vm, this);
    this.hasRunOnce = true; // kvm_vcpu_first_run_init
    const bus = this.vm.d.bus;
    const clock = this.vm.d.clock;
    const start = clock.now;
    bus.emit({ type: 'vcpu.run', vcpu: this.index });
    this.inRun = true;
    let exit: CoreExit;
    const retired0 = this.core.retired;
    let sinceYield = 0;
    try {
      for (;;) {
        if (this.poweredOff) {
          // A stopped VCPU's KVM_RUN sleeps in kvm_vcpu_sleep (KVM_REQ_SLEEP) until a CPU_ON or a
          // KVM_ARM_VCPU_INIT makes it runnable, or a signal makes the ioctl return -EINTR. In a
          // run here nothing else executes meanwhile, so it would sleep for ever: the model
          // returns at once, without entering the guest, with the exit that says it is stopped.
          exit = { reason: 'wfi', pc: this.core.pc, stopped: this.stoppedBy ?? 'power_off' };
        } else {
          const done = this.core.retired - retired0;
          const left = budget - done;
          let n = Math.min(slice - sinceYield, left);
          // kvm_timer: a timer that fires within the run bounds it (an instruction takes at least a
          // cycle), so its PPI rises when the count reaches it, not a slice later.
          const until = this.timerCyclesLeft();
          if (until !== undefined && until < n) n = Math.max(1, Math.ceil(until));
          const before = this.core.retired;
          exit = this.core.run(n);
          sinceYield += this.core.retired - before;
          this.core.timer?.refresh();
          if (exit.reason === 'insn_budget') {
            if (this.core.retired - retired0 >= budget) break;
            if (sinceYield >= slice) {
              sinceYield = 0;
              yield;
              if (interrupt?.requested) {
                exit = { reason: 'interrupted', pc: this.core.pc };
                break;
              }
            }
            continue;
          }
          if (exit.reason === 'wfi' && exit.stopped === undefined) {
            // kvm_vcpu_wfi: the VCPU sleeps until an interrupt is pending for it (masked or not)
            // or its timer fires. Alone in the VM, time jumps to that timer; with others running
            // the VMM's loop decides (Vmm.runAllSliced).
            if (this.core.irqInput?.level === true || this.core.fiqInput?.level === true) continue;
            const wait = this.timerCyclesLeft();
            if (wait !== undefined && this.vm.vcpus.every((v) => v === this || v.poweredOff)) {
              this.sleep(wait);
              continue;
            }
            break;
          }
        }
        // Hypercalls KVM answers in the kernel (kvm_smccc_call_handler: PSCI and the SMCCC
        // services), and the vgic's MMIO (kvm_io_bus), do not reach the VMM.
        if (exit.reason === 'hypercall') {
          const r = kvmHvcCallHandler(this, exit);
          if (r.kind === 'exit') {
            exit = r.exit;
            break;
          }
          if (this.poweredOff) continue; // CPU_OFF: asleep until a CPU_ON
        } else if (!(exit.reason === 'mmio' && this.vm.vgic !== null && this.vm.vgic.handleMmio(this.index, this.core, exit))) break;
        if (this.core.retired - retired0 >= budget) {
          exit = { reason: 'insn_budget', pc: this.core.pc };
          break;
        }
      }
    } finally {
      this.inRun = false;
    }
    if (exit.reason === 'system_event') {
      // kvm_prepare_system_event: every VCPU of the VM is stopped (mp_state STOPPED, with
      // KVM_REQ_SLEEP), so that none runs again before the VMM re-initialises it: "a caller of
      // PSCI reboot and shutdown expects that the system shuts down or reboots immediately".
      for (const v of this.vm.vcpus) {
        v.poweredOff = true;
        v.stoppedBy = exit.event;
      }
    }
    this.cyclesStat.value += clock.now - start;
    const err = this.vm.runError;
    if (err !== null) {
      this.vm.runError = null;
      fail('KVM_RUN', err.errno, err.why);
    }
    this.runsStat.value++;
    bus.emit({ type: 'vcpu.exit', vcpu: this.index, reason: exit.reason, detail: describeExit(exit), pc: exit.pc });
    return exit;
  }
}


export function describeExit(e: CoreExit): string {
  switch (e.reason) {
    case 'mmio':
      return `${e.write ? 'write' : 'read'} of ${e.size} bytes at 0x${e.addr.toString(16)}`;
    case 'system_event':
      return `PSCI ${e.event === 'shutdown' ? 'SYSTEM_OFF' : 'SYSTEM_RESET'}`;
    case 'hypercall':
      return `HVC #${e.imm}, x0=0x${(e.x0 >>> 0).toString(16)}`;
    case 'insn_budget':
      return 'instruction budget used up';
    case 'interrupted':
      return 'interrupted (Ctrl-C)';
    case 'wfi':
      if (e.stopped === undefined) return 'WFI';
      return `VCPU stopped (${e.stopped === 'power_off' ? 'KVM_ARM_VCPU_POWER_OFF' : e.stopped === 'shutdown' ? 'by PSCI SYSTEM_OFF' : 'by PSCI SYSTEM_RESET'}): KVM_RUN does not enter the guest until KVM_ARM_VCPU_INIT or a PSCI CPU_ON`;
    case 'undefined_instruction':
    case 'guest_fault':
    case 'internal_error':
      return e.detail;
  }
}
