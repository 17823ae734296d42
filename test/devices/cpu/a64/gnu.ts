/**
 * GNU binutils (aarch64-linux-gnu-as/ld/objcopy/objdump) as the reference for the A64 tables:
 * used by gnu.test.ts and by fixtures/regenerate-golden.ts. Not a test file itself.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENCODINGS } from '../../../../isa/a64/encodings';
import { AT_OPS, TLBI_OPS, atRow, tlbiRow } from '../../../../isa/a64/encodings/tlbi-at';
import { HINT_NAMES, SYS_REGS } from '../../../../isa/a64/names';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const FORMS_FILE = path.join(FIXTURES, 'forms.S');
export const DIRECTIVES_FILE = path.join(FIXTURES, 'directives.S');
export const GOLDEN_FILE = path.join(FIXTURES, 'golden.json');
/** Where the forms are linked: a typical guest RAM address, so ADRP has a real page. */
export const BASE = 0x40080000n;

const TOOLS = ['as', 'ld', 'objcopy', 'objdump'].map((t) => `aarch64-linux-gnu-${t}`);

export function gnuToolsAvailable(): boolean {
  return TOOLS.every((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0);
}

export function gnuVersion(): string {
  return execFileSync(TOOLS[0], ['--version']).toString().split('\n')[0];
}

/** Assembles with GNU as, links at `base` with GNU ld (resolving ADRP, :lo12:), returns the flat image. */
export function gnuAssemble(source: string, base: bigint): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-a64-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.S'), source);
    const run = (tool: string, args: string[]) => {
      const r = spawnSync(tool, args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed:\n${r.stderr}`);
    };
    run(TOOLS[0], ['-o', 'in.o', 'in.S']);
    run(TOOLS[1], [`-Ttext=0x${base.toString(16)}`, '-e', `0x${base.toString(16)}`, '-o', 'out.elf', 'in.o']);
    run(TOOLS[2], ['-O', 'binary', '-j', '.text', 'out.elf', 'out.bin']);
    return new Uint8Array(fs.readFileSync(path.join(dir, 'out.bin')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface ObjdumpLine {
  address: bigint;
  word: number;
  /** objdump's text after the word: `mnemonic\toperands[\t// comment]`. */
  text: string;
}

/** `objdump -D -b binary -m aarch64` over little-endian words placed at `base`. */
export function gnuDisassemble(bytes: Uint8Array, base: bigint): ObjdumpLine[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-a64-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.bin'), bytes);
    const out = execFileSync(TOOLS[3], ['-D', '-b', 'binary', '-m', 'aarch64', `--adjust-vma=0x${base.toString(16)}`, path.join(dir, 'in.bin')], { maxBuffer: 1 << 28 }).toString();
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

/** objdump pads before comments; compare with runs of blanks collapsed. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Deterministic random words over every row of the encoding table: the row's fixed bits, random
 * elsewhere. System registers and hints are drawn from the named ones, whose spelling is stable
 * across binutils versions (objdump names thousands of registers kvmsim does not).
 */
export function fuzzWords(perRow: number, seed = 0x5eed): number[] {
  let s = seed >>> 0;
  const next = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const regs = [...SYS_REGS.keys()];
  const hints = [...HINT_NAMES.keys()];
  const words: number[] = [];
  for (const e of ENCODINGS) {
    for (let k = 0; k < perRow; k++) {
      let w = ((next() & ~e.mask) | e.match) >>> 0;
      if (e.match === 0xd5300000 || e.match === 0xd5100000) w = ((w & ~0x000fffe0) | ((regs[next() % regs.length] & 0x7fff) << 5)) >>> 0;
      if (e.match === 0xd503201f) w = (0xd503201f | (hints[next() % hints.length] << 5)) >>> 0;
      // TLBI and AT: a named operation (most SYS words of their rows have no name; objdump prints `sys`).
      const sysOps = e.match === tlbiRow.match ? TLBI_OPS : e.match === atRow.match ? AT_OPS : null;
      if (sysOps !== null) {
        const o = sysOps[next() % sysOps.length];
        w = ((w & ~0x00070fe0) | (o.op1 << 16) | (o.crm << 8) | (o.op2 << 5)) >>> 0;
      }
      words.push(w);
    }
  }
  return words;
}

export function wordsToBytes(words: readonly number[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return b;
}

/** The committed reference: GNU's image of forms.S and objdump's text for it and for fuzz words. */
export interface Golden {
  generator: string;
  base: string;
  /** GNU's flat image of forms.S, hex. */
  formsImage: string;
  /** objdump's text per word of forms.S, by offset. */
  formsDisasm: { offset: number; word: string; text: string }[];
  /** GNU's image of directives.S, hex. */
  directivesImage: string;
  /** Random words over every table row (at `base`, one after another) and objdump's text. */
  fuzz: { word: string; text: string }[];
}

export const FUZZ_PER_ROW = 60;

/** Builds the golden data from the installed GNU tools. */
export function buildGolden(): Golden {
  const forms = gnuAssemble(fs.readFileSync(FORMS_FILE, 'utf8'), BASE);
  const directives = gnuAssemble(fs.readFileSync(DIRECTIVES_FILE, 'utf8'), BASE);
  const words = fuzzWords(FUZZ_PER_ROW);
  const fuzz = gnuDisassemble(wordsToBytes(words), BASE);
  return {
    generator: `${gnuVersion()}; regenerate with: npx ts-node test/devices/cpu/a64/fixtures/regenerate-golden.ts`,
    base: '0x' + BASE.toString(16),
    formsImage: Buffer.from(forms).toString('hex'),
    formsDisasm: gnuDisassemble(forms, BASE).map((l) => ({ offset: Number(l.address - BASE), word: l.word.toString(16).padStart(8, '0'), text: l.text })),
    directivesImage: Buffer.from(directives).toString('hex'),
    fuzz: fuzz.map((l) => ({ word: l.word.toString(16).padStart(8, '0'), text: l.text })),
  };
}
