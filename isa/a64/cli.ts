/** `kvmsim asm` and `kvmsim disasm`: the A64 assembler and disassembler on the command line. */
import * as fs from 'fs';
import * as path from 'path';
import { Option, type Command } from 'commander';
import { InputError, writeFileAtomic, type CliCommand, type CliContext } from '../../core';
import { PF_X, SHF_ALLOC, SHF_EXECINSTR, isElf, readElf } from './elf';
import { assemble, formatListing } from './assembler';
import { disassemble } from './decoder';

/** Where `asm` puts code and `disasm` reads a raw image from unless told: where `boot` loads a raw image. */
export const DEFAULT_BASE = 0x4008_0000n;

/** An address option whose default `--help` prints in hex (commander would print a number in decimal). */
export function addressOption(flags: string, description: string, dflt: bigint): Option {
  return new Option(flags, description).default(`0x${dflt.toString(16)}`, `0x${dflt.toString(16)}`);
}

/** Parses `--base`: decimal or 0x-prefixed hex, a 64-bit address. */
export function parseAddress(text: string, option = '--base'): bigint {
  const t = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) throw new InputError(`${option} '${text}': expected an address such as 0x40080000`);
  const v = BigInt(t);
  if (v > 0xffffffffffffffffn) throw new InputError(`${option} '${text}': larger than 64 bits`);
  return v;
}

function readInput(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? e)})`);
  }
}

/** Writes through a temporary file, so a failed write never leaves half an image. */

const hexAddr = (v: bigint) => v.toString(16).padStart(8, '0');

/** objdump-style lines for a flat image at `base`; a trailing partial word is shown as bytes. */
export function disassembleImage(bytes: Uint8Array, base: bigint, labels?: ReadonlyMap<bigint, string[]>): string {
  const lines: string[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = Math.floor(bytes.length / 4);
  for (let i = 0; i < words; i++) {
    const w = dv.getUint32(i * 4, true);
    const pc = base + BigInt(i * 4);
    for (const name of labels?.get(pc) ?? []) lines.push(`${i > 0 ? '\n' : ''}${pc.toString(16).padStart(16, '0')} <${name}>:`);
    lines.push(`${hexAddr(pc)}:\t${w.toString(16).padStart(8, '0')}\t${disassemble(w, pc)}`);
  }
  for (let at = words * 4; at < bytes.length; at++) {
    const b = bytes[at].toString(16).padStart(2, '0');
    lines.push(`${hexAddr(base + BigInt(at))}:\t${b}\t.byte\t0x${b}`);
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}

/**
 * objdump -d of an ELF executable: its executable sections (SHF_EXECINSTR), or with no section
 * headers its executable segments (PF_X), at their virtual addresses, with the symbols as labels.
 * The ELF header, program headers and data are not code and are not shown.
 */
export function disassembleElf(bytes: Uint8Array, file: string): string {
  const elf = readElf(bytes, file);
  const labels = new Map<bigint, string[]>();
  for (const s of elf.symbols) labels.set(BigInt(s.value), [...(labels.get(BigInt(s.value)) ?? []), s.name]);
  const sections = elf.sections.filter((s) => (s.flags & (SHF_ALLOC | SHF_EXECINSTR)) === (SHF_ALLOC | SHF_EXECINSTR) && s.data.length > 0);
  const regions =
    sections.length > 0
      ? sections.map((s) => ({ title: `section ${s.name || '(unnamed)'}`, addr: s.addr, data: s.data }))
      : elf.segments.filter((s) => (s.flags & PF_X) !== 0).map((s, i) => ({ title: `segment ${i} (PF_X)`, addr: s.vaddr, data: s.data }));
  if (regions.length === 0) throw new InputError(`${file}: the ELF has no executable section or segment to disassemble`);
  return regions.map((r) => `\nDisassembly of ${r.title}:\n\n${disassembleImage(r.data, BigInt(r.addr), labels)}`).join('');
}

class AsmCommand implements CliCommand {
  readonly order = 60;
  register(program: Command, ctx: CliContext): void {
    program
      .command('asm')
      .description('assemble an AArch64 source file (GNU as syntax) into a flat binary image')
      .argument('<file>', 'assembly source (.S)')
      .option('-o, --output <file>', 'write the image to FILE')
      .addOption(addressOption('--base <addr>', 'address of the first byte (labels and PC-relative targets use it); boot loads raw images there', DEFAULT_BASE))
      .option('--list', 'print a listing to stdout: address, encoding, line and source of each statement')
      .addHelpText('after', '\nGive -o, --list or both.\nExamples:\n  kvmsim asm examples/guest/hello.S -o hello.bin\n  kvmsim asm examples/guest/hello.S --list\n  kvmsim asm examples/guest/sieve.S -o sieve.bin --base 0x40000000 --list\n')
      .action((file: string, opts: { output?: string; base: string; list?: boolean }) => {
        if (opts.output === undefined && !opts.list) throw new InputError('asm: give -o FILE to write the image, --list to print a listing, or both');
        const base = parseAddress(opts.base);
        const source = readInput(file).toString('utf8');
        const result = assemble(source, { base, file });
        if (opts.output !== undefined) writeFileAtomic(opts.output, result.bytes, '-o');
        if (opts.list) {
          ctx.io.out(formatListing(result));
          const syms = [...result.symbols].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0].localeCompare(b[0])));
          if (syms.length > 0) ctx.io.out(`\nSymbols:\n${syms.map(([n, v]) => `  ${(v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16)).padStart(18)}  ${n}`).join('\n')}\n`);
        }
        if (opts.output !== undefined) ctx.io.out(`${opts.output}: ${result.bytes.length} bytes at 0x${base.toString(16)}\n`);
      });
  }
}

class DisasmCommand implements CliCommand {
  readonly order = 61;
  register(program: Command, ctx: CliContext): void {
    program
      .command('disasm')
      .description('disassemble an AArch64 ELF executable (its executable sections, as objdump -d) or a flat binary image (as objdump -D -b binary -m aarch64)')
      .argument('<file>', 'ELF executable or binary image')
      .addOption(addressOption('--base <addr>', 'address of the first byte of a flat image (an ELF gives its own)', DEFAULT_BASE))
      .addHelpText('after', '\nExamples:\n  kvmsim disasm examples/guest/hello.elf\n  kvmsim disasm examples/guest/hello.bin --base 0x40080000\n')
      .action((file: string, opts: { base: string }, cmd: Command) => {
        const base = parseAddress(opts.base);
        const bytes = new Uint8Array(readInput(file));
        if (isElf(bytes)) {
          if (cmd.getOptionValueSource('base') === 'cli') throw new InputError(`--base: ${file} is an ELF file, which says where its code is`);
          ctx.io.out(disassembleElf(bytes, file));
          return;
        }
        ctx.io.out(disassembleImage(bytes, base));
      });
  }
}

export const asmCommand: CliCommand = new AsmCommand();
export const disasmCommand: CliCommand = new DisasmCommand();
