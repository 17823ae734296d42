/**
 * Random VMM sequences, following the reboot protocol a VMM keeps (guest memory changes only
 * while every VCPU is stopped, and every VCPU is (re-)initialised before it runs again), with
 * guests that read, write, execute and toggle their caches. `upstream` and `seed-v5` must never
 * let a guest see stale data the hypervisor was responsible for, nor unmap a locked page; for
 * `seed`, `dcache-only` and `eager-at-reset` fast-check must find — and shrink — a sequence
 * where they do.
 */
import fc from 'fast-check';
import { PSCI, SCTLR_C, SCTLR_EL1_RESET, SCTLR_I, SCTLR_M } from '../../../devices/cpu/guest-interface';
import { KvmIoctlError } from 'kvmsim';
import { MiB, RAM, kvmRig } from './harness';
import type { GuestOp } from './scripted-core';

const SLOTS = [
  { slot: 0, gpa: RAM, size: 2 * MiB },
  { slot: 1, gpa: RAM + 4 * MiB, size: 2 * MiB },
];
/** Few addresses, two on one page of slot 0 and one in slot 1, so accesses collide often. */
const ADDRS = [RAM, RAM + 0x40, RAM + 0x1000, SLOTS[1].gpa];

type Setup =
  | { c: 'slot'; slot: number; present: boolean }
  | { c: 'lock'; slot: number; write: boolean }
  | { c: 'unlock'; slot: number }
  | { c: 'write'; addr: number; value: number };
interface Session {
  setup: Setup[];
  /** Writes after KVM_ARM_VCPU_INIT, before KVM_RUN. */
  late: { addr: number; value: number }[];
  runs: { vcpu: number; program: GuestOp[] }[];
}

const addr = fc.constantFrom(...ADDRS);
const word = fc.integer({ min: 1, max: 0xffff_ffff });
const slotId = fc.constantFrom(0, 0, 1);
const setup: fc.Arbitrary<Setup> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ c: fc.constant('slot' as const), slot: slotId, present: fc.oneof(fc.constant(true), fc.boolean()) }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('lock' as const), slot: slotId, write: fc.oneof(fc.constant(true), fc.boolean()) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('unlock' as const), slot: slotId }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('write' as const), addr, value: word }) },
);
const sctlr = fc.record({ m: fc.boolean(), c: fc.boolean(), i: fc.oneof(fc.constant(true), fc.boolean()) }).map(
  ({ m, c, i }) => SCTLR_EL1_RESET | (m ? SCTLR_M : 0) | (c ? SCTLR_C : 0) | (i ? SCTLR_I : 0),
);
const guestOp: fc.Arbitrary<GuestOp> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), addr }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('exec' as const), addr }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('write' as const), addr, value: word }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sctlr' as const), value: sctlr }) },
);
const session: fc.Arbitrary<Session> = fc.record({
  setup: fc.array(setup, { maxLength: 6 }),
  late: fc.array(fc.record({ addr, value: word }), { maxLength: 2 }),
  runs: fc.array(fc.record({ vcpu: fc.constantFrom(0, 1), program: fc.array(guestOp, { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 2 }),
});
const sequence = fc.array(session, { minLength: 1, maxLength: 3 });

const ENTRY = 0x10_0000; // programs are looked up by entry; the scripted core never fetches it

/** Runs a sequence; returns what the checker found. ioctl errors are legal outcomes. */
function play(policy: string, seq: Session[], topology = 'cortex-a72'): { stale: number; violations: number } {
  const r = kvmRig({ policy, topology, kvmArgs: { host_cpu: 1 } });
  const present = new Set<number>();
  const tryIoctl = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof KvmIoctlError)) throw e;
    }
  };
  const write = (a: number, v: number) => {
    const s = SLOTS.find((x) => a >= x.gpa && a < x.gpa + x.size)!;
    if (!present.has(s.slot)) return; // the VMM only writes memory it has mapped for the guest
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    r.vmm.write(a, b, 'vmm');
  };
  for (const s of seq) {
    for (const op of s.setup) {
      if (op.c === 'slot') {
        const d = SLOTS[op.slot];
        tryIoctl(() => r.vmm.setMemslot({ slot: op.slot, gpa: d.gpa, size: op.present ? d.size : 0 }));
        if (r.vm.memslots.get(op.slot)) present.add(op.slot);
        else present.delete(op.slot);
      } else if (op.c === 'lock') {
        if (r.vm.d.policy.supportsLocking) tryIoctl(() => r.vmm.lock(op.slot, op.write));
      } else if (op.c === 'unlock') {
        if (r.vm.d.policy.supportsLocking) tryIoctl(() => r.vmm.unlock(op.slot, false));
      } else write(op.addr, op.value);
    }
    for (const v of [0, 1]) r.vmm.vcpuInit(v, ENTRY + v * 4096, 0, {});
    for (const w of s.late) write(w.addr, w.value);
    for (const run of s.runs) {
      r.programs.set(ENTRY + run.vcpu * 4096, [...run.program, { op: 'psci', fn: PSCI.SYSTEM_OFF }]);
      // Re-arm the program: each KVM_RUN of this session starts it from the top.
      r.cores.cores[run.vcpu]?.reset(ENTRY + run.vcpu * 4096);
      r.vmm.run(run.vcpu, 100);
    }
  }
  const out = { stale: r.checker.staleHypervisor, violations: r.checker.contractViolations };
  r.m.dispose();
  return out;
}

describe('random VMM sequences (fast-check)', () => {
  for (const policy of ['upstream', 'seed-v5']) {
    it(`${policy} never lets the guest see hypervisor-blamed stale data, nor unmaps a locked page, on any topology`, () => {
      // tiny's caches are small enough that lines get evicted in the middle of everything.
      const topology = fc.constantFrom('cortex-a72', 'neoverse-n1', 'tiny');
      fc.assert(
        fc.property(sequence, topology, (seq, t) => {
          const r = play(policy, seq, t);
          return r.stale === 0 && r.violations === 0;
        }),
        { numRuns: 200, seed: 0x6b766d },
      );
    });
  }

  for (const policy of ['seed', 'dcache-only', 'eager-at-reset']) {
    it(`finds and shrinks a counterexample for ${policy}`, () => {
      const result = fc.check(
        fc.property(sequence, (seq) => play(policy, seq).stale === 0),
        { numRuns: 3000, seed: 0x6b766d },
      );
      expect(result.failed).toBe(true);
      const cex = result.counterexample![0] as Session[];
      // Shrunk: a short sequence, that still fails.
      const size = cex.reduce((n, s) => n + s.setup.length + s.late.length + s.runs.reduce((m, r) => m + r.program.length, 0), 0);
      expect(size).toBeLessThanOrEqual(8);
      expect(play(policy, cex).stale).toBeGreaterThan(0);
    });
  }
});
