import { z } from 'zod';
import { CORE_EVENT_TYPES, DisposableCollection, definePlugin, type SimEvent } from '../../core';

/** Which trace track an event belongs on: its VCPU, or the component that produced it. */
export function trackOf(e: SimEvent): string {
  switch (e.type) {
    case 'vcpu.init':
    case 'vcpu.reset':
    case 'vcpu.run':
    case 'vcpu.exit':
    case 'stale':
    case 'tlbi':
      return `vcpu${e.vcpu}`;
    case 'stage2.fault':
      return e.vcpu === null ? 'stage2' : `vcpu${e.vcpu}`;
    case 'stage2.map':
    case 'stage2.unmap':
      return 'stage2';
    case 'cmo':
      return e.cpu === null ? 'cmo' : `cpu${e.cpu}.cmo`;
    case 'memslot.set':
    case 'memslot.lock':
    case 'memslot.unlock':
      return 'kvm.memslots';
    case 'userspace.write':
    case 'mmu.notifier':
      return 'vmm';
    case 'plugin.error':
      return 'plugins';
    case 'contract.violation':
      return 'checker';
    default:
      return 'machine';
  }
}

function argsOf(e: SimEvent): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type' || k === 'time') continue;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else out[k] = JSON.stringify(v);
  }
  return out;
}

/**
 * Records every control-plane event in the Chrome trace: instants on a track per VCPU or
 * component, and a slice per KVM_RUN (from `vcpu.run` to `vcpu.exit`).
 */
export default definePlugin({
  name: 'trace',
  apiVersion: 1,
  description: 'records control-plane events as a Chrome/Perfetto trace (enabled by --trace FILE)',
  args: z.object({
    events: z.array(z.enum(['all', ...CORE_EVENT_TYPES])).default(['all']).describe("event types to record, or 'all' (on the command line events=cmo+stale)"),
    max_events: z.int().min(1).default(1_000_000).describe('events recorded at most; then one "trace truncated" instant, and the run goes on unrecorded (memory stays bounded)'),
  }),
  install(api, args) {
    api.trace.enable();
    const wanted = args.events.includes('all') ? new Set<string>(CORE_EVENT_TYPES) : new Set(args.events);
    const runStart = new Map<number, number>();
    const subs = new DisposableCollection();
    let recorded = 0;
    for (const type of CORE_EVENT_TYPES) {
      if (!wanted.has(type)) continue;
      subs.push(
        api.on(type, (e: SimEvent) => {
          if (recorded >= args.max_events) return;
          if (++recorded === args.max_events) {
            api.trace.instant('machine', 'trace truncated', e.time, { max_events: args.max_events, note: 'raise the trace plugin\'s max_events to record more' }, 'trace');
            return;
          }
          if (e.type === 'vcpu.run') runStart.set(e.vcpu, e.time);
          if (e.type === 'vcpu.exit' && runStart.has(e.vcpu)) {
            api.trace.slice(`vcpu${e.vcpu}`, `KVM_RUN → ${e.reason}`, runStart.get(e.vcpu)!, e.time, argsOf(e), 'vcpu');
            runStart.delete(e.vcpu);
          }
          api.trace.instant(trackOf(e), e.type, e.time, argsOf(e), e.type.split('.')[0]);
        }),
      );
    }
    return subs;
  },
});
