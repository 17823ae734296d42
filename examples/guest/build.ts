/**
 * Builds the example guests: each NAME.S is assembled with kvmsim's assembler into NAME.bin (a
 * raw image for 0x40080000). When GNU binutils for aarch64 are installed
 * (`apt-get install binutils-aarch64-linux-gnu`), also links NAME.elf with GNU as/ld for QEMU and
 * checks that GNU's bytes equal ours.
 *
 *     npx ts-node --transpile-only examples/guest/build.ts
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemble } from '../../isa/a64';

export const GUEST_BASE = 0x4008_0000;
export const GUESTS = ['hello', 'memtest', 'sieve', 'mmu-on', 'smc-ok', 'smc-stale'] as const;

function hasGnu(): boolean {
  try {
    execFileSync('aarch64-linux-gnu-as', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Assembles every guest; returns what it built. */
export function buildGuests(dir = __dirname, log: (s: string) => void = (s) => process.stdout.write(s + '\n')): { bins: string[]; elfs: string[] } {
  const gnu = hasGnu();
  const tmp = gnu ? fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-guest-')) : '';
  const bins: string[] = [];
  const elfs: string[] = [];
  for (const g of GUESTS) {
    const src = path.join(dir, `${g}.S`);
    const r = assemble(fs.readFileSync(src, 'utf8'), { base: GUEST_BASE, file: src });
    const bin = path.join(dir, `${g}.bin`);
    fs.writeFileSync(bin, r.bytes);
    bins.push(bin);
    if (!gnu) continue;
    const obj = path.join(tmp, `${g}.o`);
    const elf = path.join(dir, `${g}.elf`);
    execFileSync('aarch64-linux-gnu-as', ['-I', dir, '-o', obj, src]);
    // -N: one writable, unaligned segment (the smc guests patch their own text) and a small file.
    execFileSync('aarch64-linux-gnu-ld', ['-N', '--no-warn-rwx-segments', `-Ttext=0x${GUEST_BASE.toString(16)}`, '-e', '_start', '--build-id=none', '-o', elf, obj]);
    const flat = path.join(tmp, `${g}.gnu.bin`);
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', elf, flat]);
    const theirs = fs.readFileSync(flat);
    if (Buffer.compare(theirs, Buffer.from(r.bytes)) !== 0) throw new Error(`${g}: GNU as and kvmsim's assembler disagree (${theirs.length} vs ${r.bytes.length} bytes)`);
    elfs.push(elf);
  }
  if (gnu) fs.rmSync(tmp, { recursive: true, force: true });
  log(`built ${bins.length} images${gnu ? `, ${elfs.length} ELF files (GNU as bytes identical to ours)` : ' (no aarch64 binutils: ELF files not rebuilt)'}`);
  return { bins, elfs };
}

if (require.main === module) buildGuests();
