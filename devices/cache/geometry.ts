import { InputError, formatSize } from '../../core';

/** Size, associativity and line size of one cache, in bytes. */
export interface CacheGeometry {
  size: number;
  ways: number;
  lineSize: number;
}

/**
 * Largest cache kvmsim simulates: 1 GiB (real caches are at most a few hundred MiB). Each cache
 * holds its data and per-line state in arrays sized when it is built, so larger sizes would
 * only fail there, or exhaust host memory.
 */
export const MAX_CACHE_SIZE = 1024 ** 3;

const isPow2 = (n: number) => Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * Checks a geometry the way QEMU's cache plugin does and returns the number of sets. `what`
 * names the cache in messages (`l1d`, `topology 'tiny' l2`).
 */
export function validateGeometry(what: string, g: CacheGeometry): number {
  const { size, ways, lineSize } = g;
  if (!Number.isSafeInteger(ways) || ways <= 0) throw new InputError(`${what}: associativity must be a positive integer, got ${ways}`);
  if (!Number.isSafeInteger(size) || size <= 0) throw new InputError(`${what}: cache size must be a positive integer, got ${size}`);
  if (size > MAX_CACHE_SIZE) {
    throw new InputError(`${what}: cache size ${size} bytes (${formatSize(size)}) is larger than kvmsim simulates (at most ${formatSize(MAX_CACHE_SIZE)} per cache)`);
  }
  if (!isPow2(lineSize)) throw new InputError(`${what}: line size must be a power of two, got ${lineSize}`);
  if (lineSize < 16 || lineSize > 4096) throw new InputError(`${what}: line size must be between 16 and 4096 bytes, got ${lineSize}`);
  if (size % lineSize !== 0) throw new InputError(`${what}: cache size must be divisible by line size (${size} is not a multiple of ${lineSize})`);
  if (size % (ways * lineSize) !== 0) {
    throw new InputError(
      `${what}: cache size must be divisible by associativity × line size (${size} is not a multiple of ${ways} × ${lineSize} = ${ways * lineSize})`,
    );
  }
  const sets = size / (ways * lineSize);
  if (!isPow2(sets)) throw new InputError(`${what}: number of sets must be a power of two, got ${sets} (${size} / (${ways} × ${lineSize}))`);
  return sets;
}
