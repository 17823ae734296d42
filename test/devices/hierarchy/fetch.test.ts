import { testMachine } from './machine';

const PC = 0x2000;
const OLD = 0xd503201f; // NOP
const NEW = 0xd2800540; // MOV X0, #42

describe('instruction fetch', () => {
  it('without IDC, a refill does not see data still dirty in an L1 D-cache', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    mem.write(PC, 4, OLD);
    ms.write('host', 0, PC, 4, NEW, true);
    expect(ms.fetch(0, PC, true)).toBe(OLD);
    // The store's write-allocate left a clean (now stale) copy in the L2, the PoU.
    expect(ms.lastLevel).toBe('l2');
  });

  it('with IDC, a refill sees data dirty in any L1 D-cache', () => {
    const { ms, mem } = testMachine({ topology: 'tiny', args: { idc: true } });
    mem.write(PC, 4, OLD);
    ms.write('host', 1, PC, 4, NEW, true);
    expect(ms.fetch(0, PC, true)).toBe(NEW);
    expect(ms.lastLevel).toBe('l1d');
  });

  it('without IDC, DC CVAU makes the data visible to refills (PoU = L2)', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    mem.write(PC, 4, OLD);
    ms.write('host', 0, PC, 4, NEW, true);
    ms.dc('DC CVAU', 0, PC);
    expect(ms.fetch(1, PC, true)).toBe(NEW);
    expect(ms.lastLevel).toBe('l2');
    expect(mem.read(PC, 4)).toBe(OLD); // cleaned to PoU only, not to memory
  });

  it('without DIC, an I-line stays stale after the D-side changes until an IC op removes it', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    mem.write(PC, 4, OLD);
    expect(ms.fetch(0, PC, true)).toBe(OLD);
    ms.write('vcpu', 0, PC, 4, NEW, true);
    ms.dc('DC CVAU', 0, PC);
    expect(ms.fetch(0, PC, true)).toBe(OLD);
    expect(ms.lastLevel).toBe('l1i');
    ms.ic('IC IVAU', 1, PC); // by address, broadcast: another core's op works too
    expect(ms.fetch(0, PC, true)).toBe(NEW);
  });

  it('with DIC, I-lines are kept coherent with writes', () => {
    const { ms, mem } = testMachine({ topology: 'tiny', args: { idc: true, dic: true } });
    mem.write(PC, 4, OLD);
    expect(ms.fetch(0, PC, true)).toBe(OLD);
    expect(ms.fetch(1, PC, true)).toBe(OLD);
    ms.write('vcpu', 0, PC, 4, NEW, true);
    expect(ms.fetch(0, PC, true)).toBe(NEW);
    expect(ms.fetch(1, PC, true)).toBe(NEW);
    // A store to a line already exclusive in the L1 D must still find the new I-copies.
    ms.write('vcpu', 0, PC, 4, OLD, true);
    expect(ms.fetch(1, PC, true)).toBe(OLD);
    // Non-cacheable and device writes too.
    ms.dcacheCleanInvalPoc(PC, 4);
    ms.write('device', -1, PC, 4, NEW, false);
    expect(ms.fetch(1, PC, true)).toBe(NEW);
  });

  it('neoverse-n1 (IDC and DIC) needs no maintenance at all for new code', () => {
    const { ms } = testMachine({ topology: 'neoverse-n1' });
    expect(ms.fetch(0, PC, true)).toBe(0);
    ms.writeBytes('host', 1, PC, Uint8Array.from([0x40, 0x05, 0x80, 0xd2]), true);
    expect(ms.fetch(0, PC, true)).toBe(NEW);
  });

  it('a non-cacheable fetch reads memory, not dirty D-cache data nor the I-cache', () => {
    const { ms, mem } = testMachine({ topology: 'tiny' });
    mem.write(PC, 4, OLD);
    expect(ms.fetch(0, PC, true)).toBe(OLD); // I-line holds OLD
    mem.write(PC, 4, NEW);
    ms.write('vcpu', 0, PC, 4, 0x11111111, true); // dirty in L1 D
    expect(ms.fetch(0, PC, false)).toBe(NEW);
    expect(ms.lastLevel).toBe('memory');
  });

  it('with ncFetchHitsIcache, a non-cacheable fetch may hit a stale I-line', () => {
    const { ms, mem } = testMachine({ topology: 'tiny', args: { ncFetchHitsIcache: true } });
    mem.write(PC, 4, OLD);
    expect(ms.fetch(0, PC, true)).toBe(OLD);
    mem.write(PC, 4, NEW);
    expect(ms.fetch(0, PC, false)).toBe(OLD);
    expect(ms.lastLevel).toBe('l1i');
    expect(ms.fetch(0, PC + 32, false)).toBe(0); // not in the I-cache: memory
    expect(ms.lastLevel).toBe('memory');
  });

  it('rejects a misaligned fetch', () => {
    const { ms } = testMachine({ topology: 'tiny' });
    expect(() => ms.fetch(0, PC + 2, true)).toThrow(/instruction fetch at 0x2002 on cpu0 is not 4-byte aligned/);
  });
});
