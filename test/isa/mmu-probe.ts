/**
 * Differential testing of stage 1 against QEMU: a bare-metal image with seeded random page
 * tables (TTBR0 and TTBR1, 4 KiB granule, 39-bit ranges; pages, 2 MiB and 1 GiB blocks,
 * invalid and reserved descriptors, random AP/UXN/PXN/AF/nG/AttrIndx/SH, APTable/UXNTable/
 * PXNTable on the tables, output addresses beyond IPS) turns the MMU on and probes random VAs:
 * AT S1E1R/S1E1W/S1E0R/S1E0W (then PAR_EL1), and loads and stores (the value, or the data
 * abort's ESR_EL1 and FAR_EL1: the handler skips the faulting instruction). It runs on
 * `qemu-system-aarch64 -M virt -cpu cortex-a72` and on `kvmsim boot` (under the KVM plugin), and
 * the consoles must be the same line for line.
 *
 *     npx ts-node --transpile-only test/isa/mmu-probe.ts [seed] [probes]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS, bootImage, defaultModules } from '../../index';
import { runQemu } from './campaign';
import { IMAGE_BASE, wrapElf } from './harness';

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const PAGES_OA = 0x4100_0000n; // 4 KiB pages' output addresses
const BLOCKS_OA = 0x4200_0000n; // 2 MiB blocks'
const BEYOND_IPS = 1n << 40n;
const REGION = 0x5000_0000n; // L2[128]: through L3; L2[129..160]: random
const L3_RANDOM = 64;
const L2_FIRST = 129;
const L2_RANDOM = 32;
const UPPER = 0xffff_ff80_0000_0000n; // the TTBR1 range (T1SZ = 25)

export interface ProbeImage {
  source: string;
  probes: number;
}

/** The probe image for `seed`: its source (kvmsim's assembler, GNU syntax). */
export function probeSource(seed: number, probes: number, wxn = false): ProbeImage {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const chance = (p: number) => r() < p;
  const sh = () => [0n, 2n, 3n][int(3)];
  /** Random leaf attributes: AttrIndx, AP, SH, AF (mostly set), nG, PXN, UXN. */
  const attrs = () =>
    (BigInt(int(3)) << 2n) | (BigInt(int(4)) << 6n) | (sh() << 8n) | (chance(0.9) ? 1n << 10n : 0n) | (BigInt(int(2)) << 11n) | (BigInt(int(2)) << 53n) | (BigInt(int(2)) << 54n);
  const tableAttrs = () => (chance(0.5) ? 0n : (BigInt(int(4)) << 61n) | (BigInt(int(2)) << 60n) | (BigInt(int(2)) << 59n));
  const l3: bigint[] = [];
  for (let k = 0; k < L3_RANDOM; k++) {
    const x = r();
    if (x < 0.1) l3.push(0n);
    else if (x < 0.15) l3.push(0b01n | attrs() | (PAGES_OA + BigInt(k) * 4096n)); // reserved at level 3
    else l3.push(0b11n | attrs() | (chance(0.05) ? BEYOND_IPS : PAGES_OA) + BigInt(k) * 4096n);
  }
  // L2 entries: [0] identity 2 MiB block (image, stack), [128] the L3 table, [129..] random.
  const l2: string[] = Array.from({ length: 512 }, () => '0');
  // Block, AF, inner shareable, Normal WB (AttrIndx 1), EL1 RW; read-only under WXN, which would make it execute-never.
  l2[0] = `0x${(0x4000_0000n | (wxn ? 0x781n : 0x701n)).toString(16)}`;
  l2[128] = `l3 + 3 + 0x${tableAttrs().toString(16)}`;
  for (let j = 0; j < L2_RANDOM; j++) {
    const x = r();
    if (x < 0.15) l2[L2_FIRST + j] = '0';
    else if (x < 0.5) l2[L2_FIRST + j] = `0x${(0b01n | attrs() | (chance(0.05) ? BEYOND_IPS : BLOCKS_OA + BigInt(j % 16) * 0x20_0000n)).toString(16)}`;
    else l2[L2_FIRST + j] = `l3 + 3 + 0x${tableAttrs().toString(16)}`;
  }
  // L1: [0] Device 1 GiB (the PL011), XN; [1] the L2 table; [2] a random 1 GiB block; [3] the L2 table again, random table attributes.
  const l1 = ['0x60000000000401', `l2 + 3`, `0x${(0b01n | attrs() | 0x4000_0000n).toString(16)}`, `l2 + 3 + 0x${tableAttrs().toString(16)}`];
  const l1Source = (entries: string[]) => entries.map((e) => `        .quad   ${e}`).join('\n') + `\n        .skip   ${(512 - entries.length) * 8}`;

  const vas: bigint[] = [];
  const pickVa = (): bigint => {
    const x = r();
    const off = BigInt(int(512)) * 8n;
    let va: bigint;
    if (x < 0.35) va = REGION + BigInt(int(L3_RANDOM)) * 4096n + off;
    else if (x < 0.6) va = REGION + BigInt(1 + int(L2_RANDOM)) * 0x20_0000n + BigInt(chance(0.8) ? int(L3_RANDOM) : int(512)) * 4096n + off;
    else if (x < 0.7) va = 0x8000_0000n + BigInt(int(0x8000)) * 4096n + off; // inside the 128 MiB of RAM the block maps
    else if (x < 0.8) va = 0xc000_0000n + REGION - 0x4000_0000n + BigInt(int(L3_RANDOM)) * 4096n + off;
    else if (x < 0.93) {
      // The same tables through TTBR1: L1_hi[n] = L1[n + 1].
      const low = REGION + BigInt(int(L3_RANDOM)) * 4096n + off;
      va = UPPER + (low - 0x4000_0000n);
    } else va = [1n << 39n, 0x0000_8000_0000_0000n, 0xffff_ff7f_ffff_f000n, 0xffff_0000_0000_0000n, (1n << 39n) - 8n][int(5)];
    return va;
  };
  const body: string[] = [];
  const movX = (reg: string, v: bigint) => {
    body.push(`        movz    ${reg}, #0x${(v & 0xffffn).toString(16)}`);
    for (let s = 16n; s < 64n; s += 16n) if (((v >> s) & 0xffffn) !== 0n) body.push(`        movk    ${reg}, #0x${((v >> s) & 0xffffn).toString(16)}, lsl #${s}`);
  };
  const AT = ['s1e1r', 's1e1w', 's1e0r', 's1e0w'];
  for (let p = 0; p < probes; p++) {
    const va = pickVa();
    vas.push(va);
    movX('x0', va);
    const op = int(6);
    if (op < 4) body.push(`        at      ${AT[op]}, x0`, '        isb', '        mrs     x7, par_el1', '        mov     w8, #80', '        bl      put_tagged');
    else if (op === 4) body.push('        mov     x7, #0x5a', '        ldr     x7, [x0]', '        mov     w8, #76', '        bl      put_tagged');
    else {
      movX('x7', BigInt(p) * 0x1_0001n + 1n);
      body.push('        str     x7, [x0]', '        ldr     x7, [x0]', '        mov     w8, #76', '        bl      put_tagged');
    }
  }
  const tcrLo = 25 | (1 << 8) | (1 << 10) | (3 << 12) | (25 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30);
  const source = `
        .text
_start:
        adr     x0, vectors
        msr     vbar_el1, x0
        movz    x0, #0x401f, lsl #16
        mov     sp, x0
        movz    x1, #0xff00
        movk    x1, #0x44, lsl #16          // MAIR: attr0 Device-nGnRnE, attr1 Normal WB, attr2 Normal NC
        msr     mair_el1, x1
        movz    x1, #0x${(tcrLo & 0xffff).toString(16)}
        movk    x1, #0x${(tcrLo >>> 16).toString(16)}, lsl #16
        movk    x1, #0x2, lsl #32           // IPS: 40 bits
        msr     tcr_el1, x1
        adr     x1, l1
        msr     ttbr0_el1, x1
        adr     x1, l1_hi
        msr     ttbr1_el1, x1
        isb
        mrs     x1, sctlr_el1
        orr     x1, x1, #0x1
        orr     x1, x1, #0x4
        orr     x1, x1, #0x1000
        ${wxn ? 'orr     x1, x1, #0x80000' : ''}
        msr     sctlr_el1, x1
        isb
${body.join('\n')}
        b       power_off

// put_tagged: prints the character w8, a space, then x7 as put_line does.
put_tagged:
        movz    x9, #0x0900, lsl #16
        strb    w8, [x9]
        mov     w3, #32
        strb    w3, [x9]
// put_line: prints x7 in hex and a newline (x2-x5, x9).
put_line:
        mov     w6, #10
        mov     x2, #60
        movz    x9, #0x0900, lsl #16
1:      lsr     x3, x7, x2
        and     x3, x3, #0xf
        add     x4, x3, #48
        add     x5, x3, #87
        cmp     x3, #10
        csel    x3, x4, x5, lo
        strb    w3, [x9]
        subs    x2, x2, #4
        b.ge    1b
        strb    w6, [x9]
        ret

// A data abort at EL1: prints E, ESR_EL1 and FAR_EL1, and returns past the instruction.
abort:
        mov     x20, x30
        mov     x21, x7
        movz    x9, #0x0900, lsl #16
        mov     w3, #69
        strb    w3, [x9]
        mov     w3, #32
        strb    w3, [x9]
        mrs     x7, esr_el1
        bl      put_line
        mrs     x7, far_el1
        bl      put_line
        mrs     x7, elr_el1
        add     x7, x7, #4
        msr     elr_el1, x7
        mov     x7, x21
        mov     x30, x20
        eret

other:
        movz    x9, #0x0900, lsl #16
        mov     w3, #88
        strb    w3, [x9]
        mrs     x7, esr_el1
        bl      put_line
        mrs     x7, elr_el1
        bl      put_line
power_off:
        movz    x0, #0x0008
        movk    x0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

        .balign 2048
vectors:
${Array.from({ length: 16 }, (_, i) => `        .balign 128\n        b       ${i === 4 ? 'abort' : 'other'}`).join('\n')}
        .balign 4096
l1:
${l1Source(l1)}
l1_hi:
${l1Source(l1.slice(1))}
l2:
${l2.map((e) => `        .quad   ${e}`).join('\n')}
l3:
${l3.map((e) => `        .quad   0x${e.toString(16)}`).join('\n')}
        .skip   ${(512 - L3_RANDOM) * 8}
`;
  return { source, probes };
}

/**
 * QEMU 7.2 reports the descriptor's SH in PAR_EL1 for every memory type; the Arm ARM
 * (PAREncodeShareability) gives 0b10 (Outer Shareable) for Device and Normal Non-cacheable
 * memory, which kvmsim follows. A QEMU PAR line is compared with that rule applied.
 */
function qemuPar(line: string): string {
  const m = /^P ([0-9a-f]{16})$/.exec(line);
  if (m === null) return line;
  const par = BigInt('0x' + m[1]);
  if ((par & 1n) !== 0n) return line;
  const attr = par >> 56n;
  if ((attr & 0xf0n) !== 0n && attr !== 0x44n && attr !== 0x40n && attr !== 0x04n) return line;
  return `P ${((par & ~(3n << 7n)) | (2n << 7n)).toString(16).padStart(16, '0')}`;
}

export interface ProbeResult {
  probes: number;
  lines: number;
  differences: string[];
}

/** Runs the probe image of `seed` on QEMU and kvmsim; the lines that differ. */
export async function runProbes(seed: number, probes: number, wxn = false): Promise<ProbeResult> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { assemble } = require('../../index') as typeof import('../../index');
  const img = probeSource(seed, probes, wxn);
  const bytes = assemble(img.source, { base: IMAGE_BASE, file: 'mmu-probe.S' }).bytes;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-mmu-'));
  try {
    const elf = path.join(dir, 'probe.elf');
    fs.writeFileSync(elf, wrapElf(bytes, IMAGE_BASE));
    const qemu = runQemu(elf, 60_000);
    const k = bootImage(elf, { maxInsns: String(50_000_000) }, { modules: defaultModules(), defaults: DEFAULTS });
    const q = await qemu;
    if (q.error !== undefined) throw new Error(`qemu: ${q.error}`);
    let kout = k.uart;
    if (!k.ok) kout += `\nkvmsim: ${k.exit}: ${k.detail} at PC 0x${k.pc.toString(16)}\n`;
    const a = q.out.replace(/\r/g, '').split('\n').map(qemuPar);
    const b = kout.replace(/\r/g, '').split('\n');
    const differences: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length) && differences.length < 20; i++) {
      if (a[i] !== b[i]) differences.push(`line ${i + 1}: qemu '${a[i] ?? '(end)'}', kvmsim '${b[i] ?? '(end)'}'`);
    }
    return { probes, lines: a.length, differences };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const seed = Number(process.argv[2] ?? 1);
  const probes = Number(process.argv[3] ?? 500);
  void runProbes(seed, probes, process.argv[4] === 'wxn').then((r) => {
    process.stdout.write(`seed ${seed}: ${r.probes} probes, ${r.lines} console lines, ${r.differences.length} differences\n${r.differences.join('\n')}\n`);
    process.exitCode = r.differences.length === 0 ? 0 : 1;
  });
}
