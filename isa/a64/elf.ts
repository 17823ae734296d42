import { InputError } from '../../core';

/** A program header (PT_LOAD only): where its bytes go, physically and virtually. */
export interface ElfSegment {
  paddr: number;
  vaddr: number;
  data: Uint8Array;
  memsz: number;
  /** p_flags: PF_X 1, PF_W 2, PF_R 4. */
  flags: number;
}

/** A section with bytes in the file (not SHT_NOBITS). */
export interface ElfSection {
  name: string;
  addr: number;
  data: Uint8Array;
  /** sh_flags: SHF_WRITE 1, SHF_ALLOC 2, SHF_EXECINSTR 4. */
  flags: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
}

export interface Elf64 {
  entry: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  /** Named symbols of .symtab (labels, functions), by address. */
  symbols: ElfSymbol[];
}

export const PF_X = 1;
export const SHF_ALLOC = 2;
export const SHF_EXECINSTR = 4;
const EM_AARCH64 = 183;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * Reads an ELF64 little-endian AArch64 executable: entry point, PT_LOAD segments, sections and
 * symbols (when it has section headers). Throws InputError saying what is wrong.
 */
export function readElf(bytes: Uint8Array, file: string): Elf64 {
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
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const flags = dv.getUint32(o + 4, true);
    const offset = u64(o + 8);
    const vaddr = u64(o + 16);
    const paddr = u64(o + 24);
    const filesz = u64(o + 32);
    const memsz = u64(o + 40);
    if (offset + filesz > bytes.length) bad(`segment ${i} (file offset 0x${offset.toString(16)}, 0x${filesz.toString(16)} bytes) runs past the end of the file`);
    if (memsz < filesz) bad(`segment ${i} has p_memsz < p_filesz`);
    segments.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memsz, flags });
  }

  // Sections and symbols: optional (a stripped or hand-made image may have none); a malformed
  // table is ignored rather than refused, since loading needs only the program headers.
  const sections: ElfSection[] = [];
  const symbols: ElfSymbol[] = [];
  const shoff = u64(40);
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  const shstrndx = dv.getUint16(62, true);
  if (shoff > 0 && shnum > 0 && shentsize >= 64 && shoff + shnum * shentsize <= bytes.length) {
    const sh = (i: number) => {
      const o = shoff + i * shentsize;
      return { name: dv.getUint32(o, true), type: dv.getUint32(o + 4, true), flags: u64(o + 8), addr: u64(o + 16), offset: u64(o + 24), size: u64(o + 32), link: dv.getUint32(o + 40, true), entsize: u64(o + 56) };
    };
    const str = (table: ReturnType<typeof sh> | undefined, at: number): string => {
      if (table === undefined || table.offset + at >= bytes.length) return '';
      let end = table.offset + at;
      while (end < bytes.length && end < table.offset + table.size && bytes[end] !== 0) end++;
      return new TextDecoder().decode(bytes.subarray(table.offset + at, end));
    };
    const all = Array.from({ length: shnum }, (_, i) => sh(i));
    const names = shstrndx < shnum ? all[shstrndx] : undefined;
    for (const s of all) {
      if (s.type === 0 || s.type === SHT_NOBITS || s.offset + s.size > bytes.length) continue;
      if (s.type === SHT_SYMTAB && s.entsize >= 24 && s.link < shnum) {
        const strtab = all[s.link];
        for (let o = s.offset; o + 24 <= s.offset + s.size; o += 24) {
          const name = str(strtab, dv.getUint32(o, true));
          const info = bytes[o + 4];
          const shndx = dv.getUint16(o + 6, true);
          // Named symbols defined in a section: labels (NOTYPE), objects and functions, not files or sections.
          if (name === '' || shndx === 0 || (info & 0xf) > 2 || name.startsWith('$')) continue;
          symbols.push({ name, value: u64(o + 8) });
        }
      }
      sections.push({ name: str(names, s.name), addr: s.addr, data: bytes.subarray(s.offset, s.offset + s.size), flags: s.flags });
    }
  }
  symbols.sort((a, b) => a.value - b.value || a.name.localeCompare(b.name));
  return { entry, segments, sections, symbols };
}
