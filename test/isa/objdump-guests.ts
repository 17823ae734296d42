/**
 * Every word of the code of the third-party guests in ../shared/guests/ (kvm-unit-tests' .flat
 * files and the Linux 6.1 Image) disassembled by kvmsim and by GNU objdump, line by line.
 * Used by objdump-guests.test.ts (CI) and objdump-guests-cli.ts (`npm run test:disasm`).
 *
 * The binaries are raw images without section headers, so each code range is derived from the
 * image itself:
 *
 * - kvm-unit-tests (`*.flat`): the image starts with its self-relocation loop (arm/cstart64.S),
 *   whose first two `adrp`/`add` pairs load `reloc_start` and `reloc_end`, the bounds of
 *   `.rela.dyn`. The linker script (arm/flat.lds) puts `.rela.dyn` right after the text, at
 *   `etext = ALIGN(64K)`; everything after it (dynsym, got, rodata, data) is not code. So the
 *   range is [0, reloc_start): the text, then the zero padding to the 64 KiB boundary (`udf #0`
 *   for both). Loaded where `kvmsim boot` loads a raw image, 0x40080000 (the code is
 *   position-independent; the address only gives PC-relative targets their values).
 * - Linux (`Image`, 6.1, tinyconfig: no KALLSYMS, no RELOCATABLE): arch/arm64/kernel/vmlinux.lds.S
 *   places `.head.text` (the 64-byte Image header) at `_text`, then `.text` at `_stext =
 *   ALIGN(SEGMENT_ALIGN)` (64 KiB), and ends it at `_etext = ALIGN(SEGMENT_ALIGN)`, where
 *   RO_DATA begins. `_stext` is 0x10000; `_etext` is the first 64 KiB boundary after it that is
 *   preceded by zero padding and followed by data that is not code: there, the first words are
 *   kernel virtual addresses (0xffffffc0_08xxxxxx, pointers into .rodata strings) and the rodata
 *   strings follow. `etextOf` finds that boundary (0x190000 for this build) and checks it. The
 *   image runs at its link address KIMAGE_VADDR = 0xffffffc008000000 (39-bit VAs, no KASLR).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { disassemble } from '../../isa/a64';
import { normalize, type ObjdumpLine } from '../devices/cpu/a64/gnu';

export const GUESTS_DIR = path.join(__dirname, '..', '..', '..', 'shared', 'guests');

export interface CodeRange {
  /** File name under GUESTS_DIR. */
  readonly file: string;
  /** Byte offsets in the file: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The address of file offset 0. */
  readonly base: bigint;
  /** How the range was found. */
  readonly how: string;
}

const word = (d: Buffer, off: number): number => d.readUInt32LE(off);

function adrpTarget(w: number, pc: number): number {
  if ((w & 0x9f000000) >>> 0 !== 0x90000000) throw new Error(`word ${w.toString(16)} at ${pc.toString(16)} is not ADRP`);
  const imm = (((w >>> 5) & 0x7ffff) << 2) | ((w >>> 29) & 3);
  return (pc & ~0xfff) + ((imm << 11) >> 11) * 4096;
}

function addImm(w: number): number {
  if ((w & 0xff800000) >>> 0 !== 0x91000000) throw new Error(`word ${w.toString(16)} is not ADD (immediate)`);
  return ((w >>> 10) & 0xfff) << ((w >>> 22) & 1 ? 12 : 0);
}

/** kvm-unit-tests: [0, reloc_start), reloc_start from the relocation loop at the image's start. */
export function flatRange(file: string): CodeRange {
  const d = fs.readFileSync(path.join(GUESTS_DIR, file));
  const relocStart = adrpTarget(word(d, 8), 8) + addImm(word(d, 12));
  const relocEnd = adrpTarget(word(d, 16), 16) + addImm(word(d, 20));
  // .rela.dyn holds Elf64_Rela entries of R_AARCH64_RELATIVE (type 0x403): check it is one.
  if (relocStart % 0x10000 !== 0 || relocEnd <= relocStart || (relocEnd - relocStart) % 24 !== 0 || d.readUInt32LE(relocStart + 8) !== 0x403) {
    throw new Error(`${file}: reloc_start ${relocStart.toString(16)} does not look like .rela.dyn after the text`);
  }
  return { file, start: 0, end: relocStart, base: 0x40080000n, how: `[0, reloc_start=0x${relocStart.toString(16)}) from the relocation loop's adrp/add at 0x8` };
}

export const KIMAGE_VADDR = 0xffffffc008000000n;

/** Linux: [_stext, _etext), _etext the first 64 KiB boundary where RO_DATA starts (see above). */
export function linuxRange(file = 'linux/Image'): CodeRange {
  const d = fs.readFileSync(path.join(GUESTS_DIR, file));
  if (d.readUInt32LE(0x38) !== 0x644d5241) throw new Error(`${file}: no arm64 Image magic at 0x38`);
  const stext = 0x10000;
  for (let b = stext + 0x10000; b + 16 <= d.length; b += 0x10000) {
    if (word(d, b - 4) !== 0 || word(d, b - 8) !== 0) continue;
    const p0 = d.readBigUInt64LE(b);
    const p1 = d.readBigUInt64LE(b + 8);
    const inImage = (p: bigint) => p >= KIMAGE_VADDR && p < KIMAGE_VADDR + BigInt(d.length);
    if (inImage(p0) && inImage(p1)) return { file, start: stext, end: b, base: KIMAGE_VADDR, how: `[_stext=0x${stext.toString(16)}, _etext=0x${b.toString(16)}): the first 64 KiB boundary after zero padding where kernel pointers (RO_DATA) start` };
  }
  throw new Error(`${file}: found no _etext (64 KiB boundary where RO_DATA starts)`);
}

export const FLAT_FILES = ['cache.flat', 'gic.flat', 'psci.flat', 'selftest.flat', 'timer.flat'].map((f) => `kvm-unit-tests/${f}`);

export function guestRanges(): CodeRange[] {
  return [...FLAT_FILES.map(flatRange), linuxRange()];
}

export function guestsAvailable(): boolean {
  return fs.existsSync(path.join(GUESTS_DIR, 'linux', 'Image')) && FLAT_FILES.every((f) => fs.existsSync(path.join(GUESTS_DIR, f)));
}

export interface Mismatch {
  readonly file: string;
  readonly address: bigint;
  readonly word: number;
  readonly objdump: string;
  readonly kvmsim: string;
}

/** objdump's mnemonic for a line (`.inst` for its undefined words). */
export function mnemonicOf(text: string): string {
  return normalize(text).split(' ')[0];
}

export interface RangeResult {
  readonly range: CodeRange;
  readonly words: number;
  readonly mismatches: Mismatch[];
}

/** `objdump -D -z -b binary -m aarch64` (-z: zero words too, not `...`) of `bytes` at `base`. */
export function objdumpWords(bytes: Uint8Array, base: bigint): ObjdumpLine[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-guests-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.bin'), bytes);
    const args = ['-D', '-z', '-b', 'binary', '-m', 'aarch64', `--adjust-vma=0x${base.toString(16)}`, path.join(dir, 'in.bin')];
    const out = execFileSync('aarch64-linux-gnu-objdump', args, { maxBuffer: 1 << 30 }).toString();
    const lines: ObjdumpLine[] = [];
    for (const l of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(l);
      if (m !== null) lines.push({ address: BigInt('0x' + m[1]), word: parseInt(m[2], 16), text: m[3] });
    }
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Compares every word of `r` (objdump over exactly those bytes, at their addresses). */
export function compareRange(r: CodeRange): RangeResult {
  const d = fs.readFileSync(path.join(GUESTS_DIR, r.file)).subarray(r.start, r.end);
  const at = r.base + BigInt(r.start);
  const lines = objdumpWords(new Uint8Array(d), at);
  if (lines.length !== d.length / 4) throw new Error(`${r.file}: objdump printed ${lines.length} lines for ${d.length / 4} words`);
  const mismatches: Mismatch[] = [];
  for (const l of lines) {
    const ours = disassemble(l.word, l.address);
    if (normalize(ours) !== normalize(l.text)) mismatches.push({ file: r.file, address: l.address, word: l.word, objdump: normalize(l.text), kvmsim: normalize(ours) });
  }
  return { range: r, words: lines.length, mismatches };
}

/** Mismatches by objdump mnemonic, most frequent first: [mnemonic, count, an example]. */
export function byMnemonic(ms: readonly Mismatch[]): [string, number, Mismatch][] {
  const m = new Map<string, [number, Mismatch]>();
  for (const x of ms) {
    const k = mnemonicOf(x.objdump);
    const e = m.get(k);
    if (e === undefined) m.set(k, [1, x]);
    else e[0]++;
  }
  return [...m.entries()].map(([k, [n, x]]) => [k, n, x] as [string, number, Mismatch]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export const KNOWN_FILE = path.join(__dirname, 'objdump-guests-known.json');

/** The committed list: objdump mnemonics still known to mismatch, with their counts (it may only shrink). */
export function knownMismatches(): Record<string, number> {
  return (JSON.parse(fs.readFileSync(KNOWN_FILE, 'utf8')) as { mismatches: Record<string, number> }).mismatches;
}

export function writeKnown(groups: readonly [string, number, Mismatch][]): void {
  const mismatches = Object.fromEntries([...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([m, n]) => [m, n]));
  const note = "objdump mnemonics whose text in the guests' code ranges still differs from kvmsim's, with counts (test/isa/objdump-guests.ts). Only shrinks: regenerate with npm run test:disasm -- --write-known";
  fs.writeFileSync(KNOWN_FILE, JSON.stringify({ note, mismatches }, null, 2) + '\n');
}

/** Against the known list: mnemonics new or grown (failures), and listed ones now fully fixed. */
export function checkKnown(groups: readonly [string, number, Mismatch][], known: Record<string, number>): { worse: string[]; fixed: string[] } {
  const worse = groups.filter(([m, n]) => !(m in known) || n > known[m]).map(([m, n, x]) => `${m}: ${n} mismatches (known: ${known[m] ?? 0}), e.g. ${x.file} ${x.address.toString(16)}: ${x.word.toString(16).padStart(8, '0')} objdump '${x.objdump}' kvmsim '${x.kvmsim}'`);
  const fixed = Object.keys(known).filter((m) => !groups.some((g) => g[0] === m));
  return { worse, fixed };
}
