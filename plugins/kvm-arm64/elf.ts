import { InputError } from '../../core';
import { isElf, readElf } from '../../isa/a64/elf';

/** A loadable piece of an image: bytes at a guest-physical address (p_paddr), zero-filled to memsz. */
export interface ImageSegment {
  addr: number;
  data: Uint8Array;
  memsz: number;
}

export interface GuestImage {
  kind: 'elf' | 'raw';
  entry: number;
  segments: ImageSegment[];
}

/** The Linux arm64 Image convention: a raw binary loads at RAM base + 0x80000 (as QEMU's -kernel does for Linux images). */
export const RAW_IMAGE_OFFSET = 0x8_0000;

/**
 * Reads an ELF64 little-endian AArch64 executable (its PT_LOAD segments at their physical
 * addresses, and the entry point), or a raw binary to load at `ramBase + 0x80000`.
 */
export function loadGuestImage(bytes: Uint8Array, file: string, ramBase: number): GuestImage {
  if (!isElf(bytes)) {
    if (bytes.length === 0) throw new InputError(`${file}: the image is empty`);
    return { kind: 'raw', entry: ramBase + RAW_IMAGE_OFFSET, segments: [{ addr: ramBase + RAW_IMAGE_OFFSET, data: bytes, memsz: bytes.length }] };
  }
  const elf = readElf(bytes, file);
  if (elf.segments.length === 0) throw new InputError(`${file}: not a loadable AArch64 ELF image: no PT_LOAD segment`);
  return { kind: 'elf', entry: elf.entry, segments: elf.segments.map((s) => ({ addr: s.paddr, data: s.data, memsz: s.memsz })) };
}
