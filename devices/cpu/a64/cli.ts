/** `kvmsim asm` and `kvmsim disasm`: the A64 assembler and disassembler on the command line. */
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { InputError, type CliCommand, type CliContext } from '../../../core';
import { assemble, formatListing } from './assembler';
import { disassemble } from './decoder';

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
function writeBinaryAtomic(file: string, bytes: Uint8Array): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new InputError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

const hexAddr = (v: bigint) => v.toString(16).padStart(8, '0');

/** objdump-style lines for a flat image at `base`; a trailing partial word is shown as bytes. */
export function disassembleImage(bytes: Uint8Array, base: bigint): string {
  const lines: string[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = Math.floor(bytes.length / 4);
  for (let i = 0; i < words; i++) {
    const w = dv.getUint32(i * 4, true);
    const pc = base + BigInt(i * 4);
    lines.push(`${hexAddr(pc)}:\t${w.toString(16).padStart(8, '0')}\t${disassemble(w, pc)}`);
  }
  for (let at = words * 4; at < bytes.length; at++) {
    const b = bytes[at].toString(16).padStart(2, '0');
    lines.push(`${hexAddr(base + BigInt(at))}:\t${b}\t.byte\t0x${b}`);
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}

class AsmCommand implements CliCommand {
  readonly order = 60;
  register(program: Command, ctx: CliContext): void {
    program
      .command('asm')
      .description('assemble an AArch64 source file (GNU as syntax) into a flat binary image')
      .argument('<file>', 'assembly source (.S)')
      .requiredOption('-o, --output <file>', 'write the image to FILE')
      .option('--base <addr>', 'address of the first byte (labels and PC-relative targets use it)', '0')
      .option('--list', 'print a listing: address, encoding, line and source of each statement')
      .addHelpText('after', '\nExamples:\n  kvmsim asm guest.S -o guest.bin --base 0x40080000 --list\n')
      .action((file: string, opts: { output: string; base: string; list?: boolean }) => {
        const base = parseAddress(opts.base);
        const source = readInput(file).toString('utf8');
        const result = assemble(source, { base, file });
        writeBinaryAtomic(opts.output, result.bytes);
        if (opts.list) {
          ctx.io.out(formatListing(result));
          const syms = [...result.symbols].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0].localeCompare(b[0])));
          if (syms.length > 0) ctx.io.out(`\nSymbols:\n${syms.map(([n, v]) => `  ${(v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16)).padStart(18)}  ${n}`).join('\n')}\n`);
        }
        ctx.io.out(`${opts.output}: ${result.bytes.length} bytes at 0x${base.toString(16)}\n`);
      });
  }
}

class DisasmCommand implements CliCommand {
  readonly order = 61;
  register(program: Command, ctx: CliContext): void {
    program
      .command('disasm')
      .description('disassemble a flat AArch64 binary image, as objdump -D -b binary -m aarch64 prints it')
      .argument('<file>', 'binary image')
      .option('--base <addr>', 'address of the first byte', '0')
      .addHelpText('after', '\nExamples:\n  kvmsim disasm guest.bin --base 0x40080000\n')
      .action((file: string, opts: { base: string }) => {
        const base = parseAddress(opts.base);
        ctx.io.out(disassembleImage(new Uint8Array(readInput(file)), base));
      });
  }
}

export const asmCommand: CliCommand = new AsmCommand();
export const disasmCommand: CliCommand = new DisasmCommand();
