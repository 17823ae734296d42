import { ContainerModule } from 'inversify';
import { z } from 'zod';
import {
  Clock,
  EventBus,
  Expectation,
  InputError,
  MachineConfig,
  PluginArgError,
  ScenarioStep,
  Size,
  StatsRegistry,
  definePlugin,
  formatSize,
} from '../../core';
import { GuestCoreFactory, GuestHypervisor, type AbortResolution, type Stage2Abort, type VmRegister } from '../../devices/cpu/guest-interface';
import { MemorySystem } from '../../devices/hierarchy/memory-system';
import { CacheTopology } from '../../devices/hierarchy/topology';
import { MmioBus } from '../../devices/memory/mmio';
import { Stage2Mmu } from '../../devices/stage2/stage2-mmu';
import { Uart } from '../../devices/uart/pl011';
import { HostMm } from './host-mm';
import { KvmPolicy } from './policy';
import { SeedPolicy } from './policies/policies';
import { ExitExpectation, LockStep, MunmapStep, RunStep, SetMemslotStep, UartExpectation, UnlockStep, VcpuInitStep, WriteStep } from './steps';
import { KvmVm } from './vm';
import { Vmm } from './vmm';

/** The hypervisor and its userspace, as other plugins and steps reach them. */
export interface Kvm {
  readonly vm: KvmVm;
  readonly vmm: Vmm;
}
export const Kvm = Symbol.for('kvmsim.Kvm');

/** KVM as the guest cores see it from EL1: where stage-2 aborts and VM-register traps go. */
export class KvmGuestHypervisor implements GuestHypervisor {
  constructor(private readonly vm: KvmVm) {}
  get fwb(): boolean {
    return this.vm.fwb;
  }
  stage2Abort(vcpu: number, abort: Stage2Abort): AbortResolution {
    return this.vm.handleGuestAbort(this.vm.vcpus[vcpu], abort);
  }
  trapsVmRegs(vcpu: number): boolean {
    return this.vm.vcpus[vcpu]?.hcrTvm ?? false;
  }
  vmRegWrite(vcpu: number, reg: VmRegister, oldValue: number, newValue: number): void {
    this.vm.vmRegWrite(this.vm.vcpus[vcpu], reg, oldValue, newValue);
  }
  setWayOp(vcpu: number): boolean {
    return this.vm.setWayOp(this.vm.vcpus[vcpu]);
  }
}

const kvmArgs = z.object({
  backing: z
    .enum(['thp', 'hugetlb', 'pages'])
    .default('thp')
    .describe('what backs guest RAM: transparent huge pages (faults may map 2 MiB blocks), hugetlbfs 1 GiB pages (1 GiB or 2 MiB blocks), or small pages only'),
  vhe: z.boolean().default(true).describe('the host kernel runs at EL2 (VHE); with a VPIPT I-cache, nVHE KVM invalidates the I-cache at each TLBI instead of at faults'),
  memlock: z.union([z.literal('unlimited'), Size]).default('unlimited').describe("RLIMIT_MEMLOCK for memslot locking ('unlimited' = CAP_IPC_LOCK)"),
  host_cpu: z.int().min(0).default(0).describe('host core the VMM thread runs on (its caches hold what the VMM writes)'),
});
type KvmArgs = z.infer<typeof kvmArgs>;

/** Where KVM's log lines go: the plugin API's log, once installed. */
class LogSink {
  log: (m: string) => void = () => {};
}

/**
 * KVM/arm64 as a plugin: the VM (memslots, locking, stage 2, pending ops, fault path), the
 * VCPU ioctls, the VMM that drives them, the scenario steps a config uses, and the policy
 * slot (KvmPolicy) that policy plugins rebind.
 */
export const kvmPlugin = definePlugin({
  name: 'kvm-arm64',
  apiVersion: 1,
  description: 'KVM/arm64 and its VMM: memslots and locking, VCPU ioctls, the stage-2 fault path, reset/run policies',
  args: kvmArgs,
  containerModule(args: KvmArgs) {
    const sink = new LogSink();
    return new ContainerModule(({ bind }) => {
      bind(LogSink).toConstantValue(sink);
      bind(KvmPolicy).toConstantValue(new SeedPolicy());
      bind(HostMm)
        .toDynamicValue((ctx) => {
          const size = ctx.get<MachineConfig>(MachineConfig).machine.memory.size;
          // Guest RAM comes from the upper half of host memory, so guest IPAs and host PAs differ.
          const base = Math.floor(size / 2 / 0x4000_0000) * 0x4000_0000;
          const huge = { thp: { size: 2 * 1024 ** 2, roundUp: false }, hugetlb: { size: 1024 ** 3, roundUp: true }, pages: { size: 4096, roundUp: false } }[args.backing];
          return new HostMm(base, size - base, huge);
        })
        .inSingletonScope();
      bind(KvmVm)
        .toDynamicValue((ctx) => {
          const cfgCpus = ctx.get<MachineConfig>(MachineConfig).machine.cpus;
          if (args.host_cpu >= cfgCpus) {
            throw new PluginArgError('host_cpu', `host_cpu ${args.host_cpu} does not exist: machine.cpus is ${cfgCpus}, so the host cores are 0..${cfgCpus - 1}`);
          }
          return new KvmVm({
            bus: ctx.get<EventBus>(EventBus),
            stats: ctx.get<StatsRegistry>(StatsRegistry),
            clock: ctx.get<Clock>(Clock),
            stage2: ctx.get<Stage2Mmu>(Stage2Mmu),
            mem: ctx.get<MemorySystem>(MemorySystem),
            topology: ctx.get<CacheTopology>(CacheTopology),
            policy: ctx.get<KvmPolicy>(KvmPolicy),
            hostMm: ctx.get<HostMm>(HostMm),
            options: { backing: args.backing, vhe: args.vhe, memlockLimit: args.memlock === 'unlimited' ? null : args.memlock },
            log: (m) => sink.log(m),
          });
        })
        .inSingletonScope();
      bind(Vmm)
        .toDynamicValue((ctx) => {
          const c = ctx;
          return new Vmm(
            ctx.get<KvmVm>(KvmVm),
            ctx.get<HostMm>(HostMm),
            ctx.get<MemorySystem>(MemorySystem),
            ctx.get<MmioBus>(MmioBus),
            ctx.get<EventBus>(EventBus),
            () => {
              const f = c.get<GuestCoreFactory>(GuestCoreFactory, { optional: true });
              if (f === undefined) throw new InputError('no CPU model is bound (GuestCoreFactory): the machine cannot run guest code');
              return f;
            },
            args.host_cpu,
          );
        })
        .inSingletonScope();
      bind(Kvm)
        .toDynamicValue((ctx) => ({ vm: ctx.get<KvmVm>(KvmVm), vmm: ctx.get<Vmm>(Vmm) }))
        .inSingletonScope();
      bind(GuestHypervisor)
        .toDynamicValue((ctx) => new KvmGuestHypervisor(ctx.get<KvmVm>(KvmVm)))
        .inSingletonScope();
      const vmm = (ctx: { get<T>(id: symbol | (new (...a: never[]) => T)): T }) => () => ctx.get<Vmm>(Vmm);
      bind(ScenarioStep).toDynamicValue((ctx) => new SetMemslotStep(vmm(ctx)));
      bind(ScenarioStep).toDynamicValue((ctx) => new LockStep(vmm(ctx)));
      bind(ScenarioStep).toDynamicValue((ctx) => new UnlockStep(vmm(ctx)));
      bind(ScenarioStep).toDynamicValue((ctx) => new WriteStep(vmm(ctx)));
      bind(ScenarioStep).toDynamicValue((ctx) => new MunmapStep(vmm(ctx)));
      bind(ScenarioStep).toDynamicValue((ctx) => new VcpuInitStep(vmm(ctx)));
      bind(ScenarioStep).toDynamicValue((ctx) => new RunStep(vmm(ctx)));
      bind(Expectation).toDynamicValue((ctx) => new UartExpectation(() => ctx.get<Uart>(Uart)));
      bind(Expectation).toDynamicValue((ctx) => new ExitExpectation(vmm(ctx)));
    });
  },
  install(api) {
    api.get<LogSink>(LogSink).log = (m) => api.log(m);
    const kvm = api.get<Kvm>(Kvm);
    const exits = new Map<string, number>();
    const sub = api.onVcpuExit((e) => exits.set(e.reason, (exits.get(e.reason) ?? 0) + 1));
    const uart = api.tryGet<Uart>(Uart);
    const summary = api.addSummary('kvm', () => {
      const { vm, vmm } = kvm;
      const t = vm.d.topology;
      const st = vm.stats;
      const yes = (b: boolean) => (b ? 'yes' : 'no');
      const ioctls = [...vmm.ioctls].map(([n, r]) => `${n} ${r.calls}${r.failed ? ` (${r.failed} failed)` : ''}`).join(', ');
      const lines = [
        `policy        ${vm.d.policy.name} — ${vm.d.policy.description}`,
        `host          ${t.name}: IDC ${yes(t.idc)}, DIC ${yes(t.dic)}, FWB ${yes(t.fwb)}, I-cache ${t.icachePolicy}`,
        `memslots      ${vm.memslots.all().map((s) => `${s.id}: 0x${(s.baseGfn * 4096).toString(16)} +${formatSize(s.npages * 4096)}${s.lockFlags ? (s.lockFlags & 2 ? ' locked RW' : ' locked R') : ''}`).join('; ') || '(none)'}`,
        `ioctls        ${ioctls || '(none)'}`,
        `exits         ${[...exits].map(([r, n]) => `${r} ${n}`).join(', ') || '(none)'}`,
        `stage 2       faults ${st.faults.value} (MMIO ${st.mmioExits.value}, permission ${st.faultsPerm.value}), mapped ${st.mappedPages.value} pages, unmapped ${st.unmappedPages.value} pages, stage2_unmap_vm ${st.stage2UnmapVm.value}, stage2_flush_vm ${st.stage2FlushVm.value}`,
        `CMOs          D-cache: ${st.dcLines.value} lines cleaned+invalidated to PoC (${st.dcLinesResident.value} resident); I-cache: ${st.icInvalAll.value} whole invalidations, ${st.icInvalRangeLines.value} lines by range`,
        `pending ops   performed ${st.pendingPerformed.value} time(s); now 0x${vm.mmuPendingOps.toString(16)}`,
        ...vm.vcpus.map((v) => `vcpu${v.index}         ${v.core.retired} instructions, ${v.cycles} cycles${v.hasRunOnce ? '' : ' (never ran)'}`),
      ];
      if (uart !== undefined && uart.output.length > 0) {
        lines.push('console:');
        for (const l of uart.output.replace(/\n$/, '').split('\n')) lines.push(`  | ${l}`);
      }
      return lines;
    });
    return { dispose: () => (sub.dispose(), summary.dispose()) };
  },
});
