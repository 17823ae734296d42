import { InputError } from '../../../core';
import { validateGeometry } from '../../../devices/cache';
import { testMachine } from '../hierarchy/machine';

describe('validateGeometry', () => {
  it('returns the number of sets of a valid geometry', () => {
    expect(validateGeometry('l1d', { size: 32 * 1024, ways: 2, lineSize: 64 })).toBe(256);
    expect(validateGeometry('l1i', { size: 48 * 1024, ways: 3, lineSize: 64 })).toBe(256);
  });

  it.each([
    [{ size: 1000, ways: 2, lineSize: 64 }, /l1d: cache size must be divisible by line size/],
    [{ size: 192, ways: 2, lineSize: 64 }, /l1d: cache size must be divisible by associativity × line size \(192 is not a multiple of 2 × 64 = 128\)/],
    [{ size: 1024, ways: 2, lineSize: 48 }, /l1d: line size must be a power of two, got 48/],
    [{ size: 384, ways: 2, lineSize: 64 }, /l1d: number of sets must be a power of two, got 3/],
    [{ size: 1024, ways: 0, lineSize: 64 }, /l1d: associativity must be a positive integer, got 0/],
    [{ size: 0, ways: 2, lineSize: 64 }, /l1d: cache size must be a positive integer/],
  ])('rejects %j', (g, msg) => {
    expect(() => validateGeometry('l1d', g)).toThrow(InputError);
    expect(() => validateGeometry('l1d', g)).toThrow(msg);
  });

  it('rejects a topology whose PLRU levels do not have power-of-two ways, naming the cache', () => {
    expect(() => testMachine({ topology: 'cortex-a72', args: { replacement: 'plru' } })).toThrow(
      /system\.cpu0\.l1i: tree-PLRU replacement needs a power-of-two number of ways, got 3/,
    );
  });
});
