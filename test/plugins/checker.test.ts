import { createMachine } from 'kvmsim';
import { CoherenceChecker, hexBytes, Instrumentation, type AccessAgent, type Machine, type SimEvent } from 'kvmsim';

/** Drives the checker with synthetic accesses, as the memory system reports them. */
function rig() {
  const m = createMachine({ plugins: ['checker'] });
  const inst = m.get<Instrumentation>(Instrumentation);
  const stale: SimEvent<'stale'>[] = [];
  m.bus.subscribe('stale', (e) => stale.push(e));
  const access = (agent: AccessAgent, cpu: number, kind: 'read' | 'write' | 'exec', addr: number, bytes: number[], level = 'l1d') =>
    inst.fireMemoryAccess({ agent, cpu, kind, addr, data: Uint8Array.from(bytes), cacheable: true, level });
  return { m, access, stale, checker: m.get<CoherenceChecker>(CoherenceChecker) };
}

const run = (m: Machine, vcpu = 0) => m.bus.emit({ type: 'vcpu.run', vcpu });

describe('coherence checker', () => {
  it('accepts reads of the newest value and of untouched (zero) memory', () => {
    const { m, access, stale } = rig();
    access('host', 0, 'write', 0x1000, [1, 2, 3, 4]);
    run(m);
    access('vcpu', 0, 'read', 0x1000, [1, 2, 3, 4]);
    access('vcpu', 0, 'read', 0x2000, [0, 0, 0, 0]);
    expect(stale).toEqual([]);
    expect(m.stats.value('checker.accesses_checked')).toBe(2);
  });

  it('blames the hypervisor for stale data userspace wrote before the last KVM_RUN', () => {
    const { m, access, stale, checker } = rig();
    access('host', 1, 'write', 0x40000000, [0x1f, 0x20, 0x03, 0xd5]);
    run(m);
    access('vcpu', 0, 'exec', 0x40000000, [0x00, 0x00, 0x00, 0x14], 'l1i');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({
      vcpu: 0,
      access: 'exec',
      addr: 0x40000000,
      got: '0x14000000',
      expected: '0xd503201f',
      writer: 'userspace (host cpu1)',
      level: 'l1i',
      blame: 'hypervisor',
    });
    expect(checker.staleHypervisor).toBe(1);
    expect(m.stats.value('checker.stale.hypervisor')).toBe(1);
  });

  it("blames the guest for its own writes read back stale, and for a non-coherent device's writes, whenever made", () => {
    const { m, access, stale } = rig();
    access('device', -1, 'write', 0x300, [5]); // before the run: still the guest's to invalidate
    run(m);
    access('vcpu', 0, 'write', 0x100, [9]);
    access('vcpu', 1, 'read', 0x100, [0], 'memory');
    access('device', -1, 'write', 0x200, [7]);
    access('vcpu', 0, 'read', 0x200, [0]);
    access('vcpu', 0, 'read', 0x300, [0]);
    expect(stale.map((s) => [s.writer, s.blame])).toEqual([
      ['vcpu0', 'guest'],
      ['device', 'guest'],
      ['device', 'guest'],
    ]);
  });

  it("blames the hypervisor for stale copies of the guest's own writes from before a reset", () => {
    const { m, access, stale } = rig();
    run(m);
    access('vcpu', 0, 'write', 0x400, [0x11]); // boot 1 patches its code
    m.bus.emit({ type: 'vcpu.reset', vcpu: 0 });
    run(m);
    access('vcpu', 0, 'exec', 0x400, [0x22], 'l1i'); // boot 2 runs an older line
    access('vcpu', 0, 'write', 0x500, [0x33]);
    access('vcpu', 0, 'read', 0x500, [0x00], 'memory'); // its own write in this boot
    expect(stale.map((s) => [s.addr, s.blame])).toEqual([
      [0x400, 'hypervisor'],
      [0x500, 'guest'],
    ]);
  });

  it('emits one event per distinct observation but counts every one', () => {
    const { m, access, stale, checker } = rig();
    access('host', 0, 'write', 0x10, [5]);
    run(m);
    for (let i = 0; i < 3; i++) access('vcpu', 0, 'read', 0x10, [4]);
    expect(stale).toHaveLength(1);
    expect(checker.staleHypervisor).toBe(3);
  });

  it('reports a stage-2 unmap touching a locked memslot as a contract violation', () => {
    const { m, checker } = rig();
    const v: string[] = [];
    m.bus.subscribe('contract.violation', (e) => v.push(e.detail));
    m.bus.emit({ type: 'memslot.set', slot: 0, op: 'create', guestPhysAddr: 0x40000000, size: 0x100000, userspaceAddr: 0, flags: 0 });
    m.bus.emit({ type: 'stage2.unmap', ipa: 0x40000000, size: 0x1000, pages: 1 });
    m.bus.emit({ type: 'memslot.lock', slot: 0, write: true });
    m.bus.emit({ type: 'stage2.unmap', ipa: 0x3ffff000, size: 0x2000, pages: 2 });
    m.bus.emit({ type: 'memslot.unlock', slot: 0 });
    m.bus.emit({ type: 'stage2.unmap', ipa: 0x40000000, size: 0x1000, pages: 1 });
    expect(checker.contractViolations).toBe(1);
    expect(v).toEqual(['stage-2 unmap of [0x3ffff000, +0x2000) touches locked memslot 0']);
  });

  it('formats values as little-endian hex', () => {
    expect(hexBytes(Uint8Array.from([0x1f, 0x20, 0x03, 0xd5]))).toBe('0xd503201f');
  });
});
