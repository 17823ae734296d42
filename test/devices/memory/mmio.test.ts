import { InputError } from '../../../core';
import { MmioError, SimMmioBus, type MmioRegion } from '../../../devices/memory';
import { testMachine } from '../hierarchy/machine';

function device(name: string, base: number, size: number) {
  const log: string[] = [];
  const regs = new Map<number, number>();
  const region: MmioRegion = {
    name,
    base,
    size,
    read: (off, n) => {
      log.push(`r${off}/${n}`);
      return regs.get(off) ?? 0x55;
    },
    write: (off, n, v) => {
      log.push(`w${off}/${n}=${v.toString(16)}`);
      regs.set(off, v);
    },
  };
  return { region, log };
}

describe('MmioBus', () => {
  it('routes accesses to the region with offsets from its base', () => {
    const bus = new SimMmioBus();
    const uart = device('uart', 0x0900_0000, 0x1000);
    bus.register(uart.region);
    bus.write(0x0900_0004, 4, 0x41);
    expect(bus.read(0x0900_0004, 4)).toBe(0x41);
    expect(uart.log).toEqual(['w4/4=41', 'r4/4']);
    expect(bus.find(0x0900_0fff)).toBe(uart.region);
    expect(bus.find(0x0900_1000)).toBeUndefined();
  });

  it('refuses overlapping regions and forgets disposed ones', () => {
    const bus = new SimMmioBus();
    const d = bus.register(device('a', 0x1000, 0x100).region);
    expect(() => bus.register(device('b', 0x10f0, 0x100).region)).toThrow(InputError);
    expect(() => bus.register(device('b', 0x10f0, 0x100).region)).toThrow(/'b' \[0x10f0, 0x11f0\) overlaps region 'a'/);
    d.dispose();
    bus.register(device('b', 0x10f0, 0x100).region);
    expect(bus.regions.map((r) => r.name)).toEqual(['b']);
  });

  it('names the address of an access no device claims', () => {
    const bus = new SimMmioBus();
    expect(() => bus.read(0x4000, 4)).toThrow(MmioError);
    expect(() => bus.read(0x4000, 4)).toThrow(/0x4000: no device there/);
  });

  it('receives non-cacheable accesses from the memory system; cacheable ones are refused', () => {
    const { ms, mmio } = testMachine({ topology: 'tiny' });
    const dev = device('uart', 0x8000, 0x100);
    mmio.register(dev.region);
    ms.write('vcpu', 0, 0x8010, 1, 0x68, false);
    expect(ms.lastLevel).toBe('mmio');
    expect(ms.read('vcpu', 0, 0x8010, 1, false)).toBe(0x68);
    expect(ms.read('device', -1, 0x8020, 4, true)).toBe(0x55);
    expect(dev.log).toEqual(['w16/1=68', 'r16/1', 'r32/4']);
    expect(() => ms.read('vcpu', 0, 0x8010, 4, true)).toThrow(/cacheable access to 0x8000 hits MMIO region 'uart'/);
  });
});
