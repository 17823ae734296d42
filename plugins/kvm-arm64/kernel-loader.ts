/**
 * Where a VMM puts a guest's images in RAM, as QEMU 7.2's `-kernel` does on the virt board
 * (hw/arm/boot.c; the arm64 Image header of the kernel's Documentation/arm64/booting.rst):
 *
 * - an arm64 Image (magic "ARM\x64" at 0x38) loads at RAM + text_offset, moved up 2 MiB when that
 *   offset would overlap the boot stub at the start of RAM (text_offset is 0 since Linux 5.8);
 * - any other raw binary (kvm-unit-tests' .flat files) is taken for an old-style Linux image and
 *   loads at RAM + 0x80000;
 * - both start through QEMU's six-instruction boot stub at the start of RAM, which sets x0 to the
 *   device tree and x1-x3 to 0 and branches to the kernel; the tree goes 2 MiB-aligned at RAM +
 *   min(RAM / 2, 128 MiB), or after the image when the image reaches past that;
 * - an ELF loads at its segments and starts at its entry with x0 = 0; the tree goes at the start
 *   of RAM when it fits below the lowest segment, else nowhere.
 *
 * The addresses were checked against QEMU 7.2 by a guest printing x0 and where it runs
 * (test/plugins/kvm/kernel-loader.test.ts).
 */
import { InputError, hex } from '../../core';
import { assemble } from '../../isa/a64';
import { loadGuestImage, type ImageSegment } from './elf';

const ARM64_MAGIC = 0x644d_5241; // "ARM\x64"
const ARM64_MAGIC_OFFSET = 0x38;
/** hw/arm/boot.c's KERNEL64_LOAD_ADDR, for images without a header. */
const RAW_LOAD_OFFSET = 0x8_0000;
/** The boot stub's room at the start of RAM (BOOTLOADER_MAX_SIZE). */
const STUB_ROOM = 0x1000;
const MiB = 0x10_0000;

/** What an arm64 Image header says (booting.rst): offsets from a 2 MiB-aligned base, and flags. */
export interface Arm64ImageHeader {
  textOffset: number;
  /** The image's size in memory, bss included (0 in kernels before 3.17). */
  imageSize: number;
  flags: number;
}

/** The header of an arm64 Image, or undefined when `bytes` has none. */
export function readArm64Header(bytes: Uint8Array): Arm64ImageHeader | undefined {
  if (bytes.length < 64) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(ARM64_MAGIC_OFFSET, true) !== ARM64_MAGIC) return undefined;
  const u64 = (at: number): number => Number(dv.getBigUint64(at, true));
  return { textOffset: u64(8), imageSize: u64(16), flags: u64(24) };
}

export interface KernelPlacement {
  kind: 'image' | 'raw' | 'elf' | 'firmware';
  /** The images to write into guest memory: the kernel's segments, the boot stub. */
  segments: ImageSegment[];
  /** Where VCPU 0 starts, and its x0. */
  pc: number;
  x0: number;
  /** The kernel's own entry point (the boot stub branches there). */
  kernelEntry: number;
  /** Where the device tree goes, or undefined when it has no place (an ELF filling the start of RAM). */
  dtbAddr: number | undefined;
  /** The highest address the kernel occupies (its end, bss included when the header says). */
  kernelEnd: number;
}

/** QEMU's aarch64 boot stub: x0 = the tree, x1-x3 = 0, branch to the kernel. */
function bootStub(base: number, dtb: number, entry: number): Uint8Array {
  const src = ['ldr x0, 1f', 'mov x1, xzr', 'mov x2, xzr', 'mov x3, xzr', 'ldr x4, 2f', 'br x4', `1: .quad ${dtb}`, `2: .quad ${entry}`].join('\n');
  return assemble(src, { base: BigInt(base) }).bytes;
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Places `bytes` (an Image, a raw binary or an ELF) in RAM at `ramBase` of `ramSize` bytes. */
export function placeKernel(bytes: Uint8Array, file: string, ramBase: number, ramSize: number, dtbSize: number): KernelPlacement {
  const loaded = loadGuestImage(bytes, file, ramBase);
  if (loaded.kind === 'elf') {
    const low = Math.min(...loaded.segments.map((s) => s.addr));
    const fits = low > ramBase && low - ramBase >= dtbSize;
    const end = Math.max(...loaded.segments.map((s) => s.addr + s.memsz));
    return { kind: 'elf', segments: loaded.segments, pc: loaded.entry, x0: 0, kernelEntry: loaded.entry, dtbAddr: fits ? ramBase : undefined, kernelEnd: end };
  }
  const header = readArm64Header(bytes);
  let offset = header !== undefined && header.imageSize !== 0 ? header.textOffset : RAW_LOAD_OFFSET;
  if (offset < STUB_ROOM) offset += 2 * MiB;
  const entry = ramBase + offset;
  const end = entry + Math.max(bytes.length, header?.imageSize ?? 0);
  if (end > ramBase + ramSize) throw new InputError(`${file}: the image (${hex(end - entry)} bytes at ${hex(entry)}) does not fit in RAM [${hex(ramBase)}, +${hex(ramSize)}); raise -m`);
  const dtb = alignUp(Math.max(ramBase + Math.min(ramSize / 2, 128 * MiB), end), 2 * MiB);
  if (dtb + dtbSize > ramBase + ramSize) throw new InputError(`${file}: no room for the device tree after the image at ${hex(dtb)}; raise -m`);
  const stub = bootStub(ramBase, dtb, entry);
  return {
    kind: header !== undefined ? 'image' : 'raw',
    segments: [
      { addr: ramBase, data: stub, memsz: stub.length },
      { addr: entry, data: bytes, memsz: header !== undefined && header.imageSize > bytes.length ? header.imageSize : bytes.length },
    ],
    pc: ramBase,
    x0: 0,
    kernelEntry: entry,
    dtbAddr: dtb,
    kernelEnd: end,
  };
}

/**
 * Firmware (`-bios`), as QEMU's virt board loads it: at the start of the first flash bank, where
 * the CPU starts with every register zero; the device tree at the start of RAM, where firmware
 * built for the board looks for it (U-Boot's qemu_arm64 takes 0x40000000).
 */
export function placeFirmware(bytes: Uint8Array, file: string, flashBase: number, flashSize: number, ramBase: number, ramSize: number, dtbSize: number): KernelPlacement {
  if (bytes.length === 0) throw new InputError(`${file}: the firmware image is empty`);
  if (bytes.length > flashSize) throw new InputError(`${file}: the firmware (${hex(bytes.length)} bytes) is larger than the flash bank (${hex(flashSize)} bytes)`);
  if (dtbSize > ramSize) throw new InputError(`${file}: no room for the device tree in RAM; raise -m`);
  return { kind: 'firmware', segments: [{ addr: flashBase, data: bytes, memsz: bytes.length }], pc: flashBase, x0: 0, kernelEntry: flashBase, dtbAddr: ramBase, kernelEnd: flashBase + bytes.length };
}
