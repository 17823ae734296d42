import { KvmsimError } from '../../../core';
import { PhysicalAddressError, SparseMemory } from '../../../devices/memory';

describe('SparseMemory', () => {
  it('reads untouched pages as zero without allocating them', () => {
    const m = new SparseMemory(1 << 20);
    expect(m.read(0x1234, 4)).toBe(0);
    const out = new Uint8Array(100).fill(7);
    m.readInto(0x8000, out, 0, 100);
    expect(out.every((b) => b === 0)).toBe(true);
    expect(m.residentPages).toBe(0);
  });

  it('allocates a 4 KiB page on the first write and keeps real bytes, little-endian', () => {
    const m = new SparseMemory(1 << 20);
    m.write(0x2000, 4, 0xdeadbeef);
    expect(m.residentPages).toBe(1);
    expect(m.read(0x2000, 4)).toBe(0xdeadbeef);
    expect(m.read(0x2000, 1)).toBe(0xef);
    expect(m.read(0x2002, 2)).toBe(0xdead);
  });

  it('writing zeros to an untouched page allocates nothing; to a resident one it writes them', () => {
    const m = new SparseMemory(1 << 20);
    m.writeFrom(0x3000, new Uint8Array(4096), 0, 4096);
    m.write(0x5000, 4, 0);
    expect(m.residentPages).toBe(0);
    m.write(0x3004, 1, 9);
    m.writeFrom(0x3000, new Uint8Array(8), 0, 8);
    expect(m.residentPages).toBe(1);
    expect(m.read(0x3004, 1)).toBe(0);
    const src = Uint8Array.of(0, 0, 5, 0);
    m.writeFrom(0x7ffe, src, 0, 4); // zeros on the first page, a 5 on the next
    expect(m.residentPages).toBe(2);
    expect(m.read(0x7ffe, 4)).toBe(0x00050000);
  });

  it('handles accesses that cross a page boundary', () => {
    const m = new SparseMemory(1 << 20);
    m.write(0x0ffe, 4, 0x11223344);
    expect(m.residentPages).toBe(2);
    expect(m.read(0x0ffe, 4)).toBe(0x11223344);
    const src = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    m.writeFrom(0x1f00, src, 0, 300);
    const back = new Uint8Array(300);
    m.readInto(0x1f00, back, 0, 300);
    expect(back).toEqual(src);
  });

  it('reports accesses outside memory with the PA, never zero', () => {
    const m = new SparseMemory(0x10000);
    expect(() => m.read(0x10000, 1)).toThrow(PhysicalAddressError);
    expect(() => m.read(0xfffe, 4)).toThrow(/physical address 0xfffe \(access of 4 bytes\) is outside physical memory \[0x0, 0x10000\)/);
    expect(() => m.write(0x20000, 4, 1)).toThrow(KvmsimError);
    expect(() => m.readInto(-64, new Uint8Array(4), 0, 4)).toThrow(/0x-40|-64|outside/);
  });
});
