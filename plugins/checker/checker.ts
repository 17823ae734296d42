import {
  DisposableCollection,
  type AccessAgent,
  type Disposable,
  type MemoryAccess,
  type PluginApi,
  type SimEvent,
} from '../../core';
import { ShadowMemory } from './shadow-memory';

/** One stale observation, as the `stale` event carries it. */
export type StaleObservation = SimEvent<'stale'>;

export interface CheckerOptions {
  /** Stale events emitted at most (the stats count all of them). */
  maxEvents: number;
}

/**
 * The coherence oracle. It watches every memory access (data plane) and the VCPU and memslot
 * events (control plane):
 * - every write, by anyone, updates the shadow of a coherent machine;
 * - every guest read and instruction fetch is compared with the shadow; a difference is a
 *   `stale` event saying what was read, what should have been, who wrote it, which level served
 *   it, and who is to blame: the hypervisor when the value was written by userspace before the
 *   last KVM_RUN, the guest when it wrote it itself without maintenance or a non-coherent
 *   device wrote it (the guest must invalidate around DMA);
 * - a stage-2 unmap that touches a locked memslot breaks the lock contract (unless the MMU
 *   notifier asked for it: then userspace unmapped the memory).
 */
export interface CoherenceChecker {
  readonly staleHypervisor: number;
  readonly staleGuest: number;
  readonly contractViolations: number;
  /** The stale events emitted so far (at most `maxEvents`). */
  readonly observations: readonly StaleObservation[];
  /** Starts watching through `api`; the handle stops it. */
  attach(api: PluginApi, options: CheckerOptions): Disposable;
}
export const CoherenceChecker = Symbol.for('kvmsim.CoherenceChecker');

interface Memslot {
  gpa: number;
  size: number;
  locked: boolean;
}

export class ShadowCoherenceChecker implements CoherenceChecker {
  staleHypervisor = 0;
  staleGuest = 0;
  contractViolations = 0;
  readonly observations: StaleObservation[] = [];
  private readonly shadow = new ShadowMemory();
  private readonly writers: string[] = ['initial memory'];
  private readonly writerIds = new Map<string, number>();
  /** Incremented at every KVM_RUN: writes from an earlier epoch predate the last run. */
  private epoch = 0;
  /** The epoch of the last VCPU reset: anything written before it predates the guest's reboot. */
  private rebootEpoch = -1;
  private readonly memslots = new Map<number, Memslot>();
  private readonly reported = new Set<string>();
  /** Inside an MMU-notifier invalidation: unmaps then are userspace's doing. */
  private inNotifier = 0;

  private writerId(agent: AccessAgent, cpu: number): number {
    const name = agent === 'vcpu' ? `vcpu${cpu}` : agent === 'host' ? `userspace (host cpu${cpu})` : 'device';
    let id = this.writerIds.get(name);
    if (id === undefined) {
      id = this.writers.length;
      this.writers.push(name);
      this.writerIds.set(name, id);
    }
    return id;
  }

  attach(api: PluginApi, options: CheckerOptions): Disposable {
    const d = new DisposableCollection();
    const cHyp = api.stats.counter('checker.stale.hypervisor', 'stale guest reads/fetches of data userspace wrote before the last KVM_RUN');
    const cGuest = api.stats.counter('checker.stale.guest', 'stale guest reads/fetches of data the guest wrote without maintenance');
    const cChecked = api.stats.counter('checker.accesses_checked', 'guest reads and fetches compared with the shadow');
    const cViol = api.stats.counter('checker.contract_violations', 'locked memslot pages unmapped by the hypervisor');

    d.push(api.onVcpuRun(() => this.epoch++));
    d.push(api.onVcpuReset(() => (this.rebootEpoch = this.epoch)));

    // Write-backs: a dirty line holding userspace's data from before the last KVM_RUN that
    // lands over newer data corrupts memory, and the hypervisor is to blame for what is read.
    const userspaceBeforeRun = (writer: number, epoch: number) => (this.writers[writer] ?? '').startsWith('userspace') && epoch < this.epoch;
    d.push(api.onMemoryAccess((a) => this.shadow.writeback(a.addr, a.data, userspaceBeforeRun), { agents: ['cache'] }));

    d.push(
      api.onMemoryAccess((a: MemoryAccess) => {
        if (a.kind === 'write') {
          this.shadow.write(a.addr, a.data, this.writerId(a.agent, a.cpu), this.epoch, a.cacheable);
          return;
        }
        if (a.agent !== 'vcpu') return;
        cChecked.value++;
        const i = this.shadow.firstMismatch(a.addr, a.data);
        if (i < 0) return;
        const expected = this.shadow.read(a.addr, a.data.length);
        const last = this.shadow.lastWrite(a.addr + i);
        const writer = this.writers[last.writer] ?? 'unknown';
        // Written by userspace before the guest last entered: the hypervisor had to make it
        // visible. Written by the guest before it was reset: the rebooted guest cannot know of
        // stale copies the previous boot left (booting.rst: no stale entries for the image),
        // so that is the hypervisor's too. Written by the guest in this boot, or by a
        // non-coherent device (whose writes the guest must invalidate around): the guest's job.
        const beforeRun = last.epoch < this.epoch;
        const beforeReboot = last.epoch <= this.rebootEpoch;
        // A stale userspace line written back over newer data (the guest's non-cacheable
        // writes) is the hypervisor's too: it had to clean that line before the run.
        const corrupted = this.shadow.isCorrupt(a.addr, a.data.length);
        const blame = corrupted || (writer.startsWith('userspace') && beforeRun) || (writer.startsWith('vcpu') && beforeReboot) ? 'hypervisor' : 'guest';
        if (blame === 'hypervisor') {
          this.staleHypervisor++;
          cHyp.value++;
        } else {
          this.staleGuest++;
          cGuest.value++;
        }
        const got = hexBytes(a.data);
        const want = hexBytes(expected);
        const key = `${a.addr}:${got}:${want}`;
        if (this.observations.length >= options.maxEvents || this.reported.has(key)) return;
        this.reported.add(key);
        const e = api.emit({
          type: 'stale',
          vcpu: a.cpu,
          access: a.kind,
          addr: a.addr,
          size: a.data.length,
          got,
          expected: want,
          writer,
          level: a.level,
          blame,
        });
        this.observations.push(e);
      }),
    );

    d.push(
      api.onMemslotChange((e) => {
        if (e.type === 'memslot.set') {
          if (e.op === 'delete') this.memslots.delete(e.slot);
          else this.memslots.set(e.slot, { gpa: e.guestPhysAddr, size: e.size, locked: this.memslots.get(e.slot)?.locked ?? false });
        } else {
          const s = this.memslots.get(e.slot);
          if (s) s.locked = e.type === 'memslot.lock';
        }
      }),
    );

    d.push(api.on('mmu.notifier', (e) => (this.inNotifier += e.phase === 'start' ? 1 : -1)));

    d.push(
      api.onStage2Unmap((e) => {
        if (this.inNotifier > 0) return;
        for (const [slot, s] of this.memslots) {
          if (!s.locked || e.pages === 0) continue;
          if (e.ipa < s.gpa + s.size && e.ipa + e.size > s.gpa) {
            this.contractViolations++;
            cViol.value++;
            api.emit({
              type: 'contract.violation',
              rule: 'locked memslot unmapped',
              detail: `stage-2 unmap of [0x${e.ipa.toString(16)}, +0x${e.size.toString(16)}) touches locked memslot ${slot}`,
              ipa: e.ipa,
              size: e.size,
            });
          }
        }
      }),
    );

    d.push(
      api.addSummary('checker', () => {
        const lines = [
          `stale reads/fetches  ${this.staleHypervisor + this.staleGuest} (hypervisor-blamed ${this.staleHypervisor}, guest-blamed ${this.staleGuest})`,
          `contract violations  ${this.contractViolations}`,
        ];
        for (const o of this.observations.slice(0, 5)) {
          lines.push(
            `  ${o.blame === 'hypervisor' ? 'HYPERVISOR' : 'guest'}: vcpu${o.vcpu} ${o.access === 'exec' ? 'fetched' : 'read'} ${o.got} at PA 0x${o.addr.toString(16)} from ${o.level}; coherent value ${o.expected} written by ${o.writer}`,
          );
        }
        if (this.observations.length > 5) lines.push(`  ... and ${this.observations.length - 5} more distinct stale observations`);
        return lines;
      }),
    );
    return d;
  }
}

/** Little-endian bytes as one hex number, e.g. 0xd503201f for a NOP. */
export function hexBytes(b: Uint8Array): string {
  let s = '';
  for (let i = b.length - 1; i >= 0; i--) s += b[i].toString(16).padStart(2, '0');
  return '0x' + s;
}
