import { InputError } from '../../core';

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

const EM_AARCH64 = 183;
const PT_LOAD = 1;

/**
 * Reads an ELF64 little-endian AArch64 executable (its PT_LOAD segments at their physical
 * addresses, and the entry point), or a raw binary to load at `ramBase + 0x80000`.
 */
export function loadGuestImage(bytes: Uint8Array, file: string, ramBase: number): GuestImage {
  const isElf = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
  if (!isElf) {
    if (bytes.length === 0) throw new InputError(`${file}: the image is empty`);
    return { kind: 'raw', entry: ramBase + RAW_IMAGE_OFFSET, segments: [{ addr: ramBase + RAW_IMAGE_OFFSET, data: bytes, memsz: bytes.length }] };
  }
  const bad = (why: string): never => {
    throw new InputError(`${file}: not a loadable AArch64 ELF image: ${why}`);
  };
  if (bytes.length < 64) bad('truncated ELF header');
  if (bytes[4] !== 2) bad('not ELF64 (EI_CLASS is not ELFCLASS64)');
  if (bytes[5] !== 1) bad('not little-endian (EI_DATA is not ELFDATA2LSB)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (o: number) => {
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad(`a 64-bit field at offset ${o} is beyond 2^53`);
    return Number(v);
  };
  const machine = dv.getUint16(18, true);
  if (machine !== EM_AARCH64) bad(`e_machine is ${machine}, not EM_AARCH64 (183)`);
  const type = dv.getUint16(16, true);
  if (type !== 2) bad(`e_type is ${type}, not ET_EXEC (2)`);
  const entry = u64(24);
  const phoff = u64(32);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phentsize < 56) bad(`e_phentsize ${phentsize} is too small`);
  if (phoff + phnum * phentsize > bytes.length) bad('program headers run past the end of the file');
  const segments: ImageSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const offset = u64(o + 8);
    const paddr = u64(o + 24);
    const filesz = u64(o + 32);
    const memsz = u64(o + 40);
    if (offset + filesz > bytes.length) bad(`segment ${i} (file offset 0x${offset.toString(16)}, 0x${filesz.toString(16)} bytes) runs past the end of the file`);
    if (memsz < filesz) bad(`segment ${i} has p_memsz < p_filesz`);
    segments.push({ addr: paddr, data: bytes.subarray(offset, offset + filesz), memsz });
  }
  if (segments.length === 0) bad('no PT_LOAD segment');
  return { kind: 'elf', entry, segments };
}
