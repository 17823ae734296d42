/**
 * The bare-metal harness: one image runs a batch of generated sequences. For each one it
 * copies the sequence's initial scratch contents into the scratch buffer, sets NZCV, points SP
 * at the sequence's state record and loads x0-x30 from it, runs the sequence, stores x0-x30 and
 * NZCV back into the record, and prints the record and the scratch buffer in hex on the PL011.
 * An undefined instruction (the beyond-v80 group) is skipped and counted in the scratch buffer's
 * last word; any other exception prints its vector, ESR, ELR and FAR and powers off. The end
 * is PSCI SYSTEM_OFF over HVC.
 *
 * Output: `S<index>` (16 hex digits), then one line `NN VALUE` for each field whose value
 * changed (00 NZCV, 01-1f x0-x30, 20-2f the scratch buffer's 64-bit little-endian words), so a
 * sequence prints only what it did; `END` at the end. An exception prints `X` and fields 00-03
 * (vector, ESR, ELR, FAR) instead.
 *
 * The image is assembled with kvmsim's assembler at 0x40080000 and wrapped in a minimal ELF
 * (one PT_LOAD at 0x40080000, entry 0x40080000): QEMU's `-kernel` loads an ELF where it says;
 * a raw blob (no arm64 Image header) also runs: QEMU 7.2 loads it at RAM base + 0x80000 as it
 * would a Linux Image (checked: the same console, ADR results included), but then treats it as
 * Linux (boot stub, x0 = DTB); the ELF says what it means.
 */
import { assemble, disassemble, encode } from '../../index';
import { simd } from '../../isa/a64/encodings/simd-fp-common';
import { END_SVC, SCRATCH_ADDR, SCRATCH_SIZE, SP_RECORD_LOADS, SP_RECORD_SIZE, type Sequence } from './generate';
import { SCTLR_BASE } from './generate-system';

export const IMAGE_BASE = 0x4008_0000;
/** Where each generated instruction of each sequence ended up. */
export interface Image {
  bytes: Uint8Array;
  /** Address of each sequence's first generated instruction. */
  bodies: number[];
}

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

/** Offsets in a sequence's state record (SP points at it while the sequence runs). */
export const SAVED = 0; // NZCV, x0..x30 after the sequence
export const INITIAL = 256; // NZCV, x0..x30 before
export const SCRATCH_INIT = 512; // the scratch buffer's contents before
const RECORD = SCRATCH_INIT + SCRATCH_SIZE;
/** After the integer record: V0-V31, FPSR, FPCR after the sequence, then before. */
export const FP_SAVED = RECORD;
export const FP_STATE = 32 * 16 + 16;
export const FP_INITIAL = FP_SAVED + FP_STATE;
/** First field number of the FP state: 30-6f V0-V31 (low, high halves), 70 FPSR, 71 FPCR. */
/** Fields of the FP state in the dump: after the exception log's 0x30-0x3f. */
export const FP_FIELD = 0x40;
if (RECORD !== SP_RECORD_SIZE || INITIAL !== SP_RECORD_LOADS) throw new Error('the generator and the harness disagree on the state record');

/** LD1/ST1 {v4k.2d-v4k+3.2d}, [x1], #64 for all 32 registers, as .inst words. */
function ld1All(op: 'LD1' | 'ST1'): string {
  const words = Array.from({ length: 8 }, (_, k) => encode(simd(op, { q: true, size: 3, ra: 4, rd: 4 * k, rn: 1, rm: 31, mode: 'post', imm: 64 })));
  return `        .inst   ${words.map((w) => `0x${w.toString(16).padStart(8, '0')}`).join(', ')}`;
}

const RUNTIME = `
// setup: x0 = state record; copies its scratch image to the buffer, sets NZCV.
setup:
        add     x1, x0, #${SCRATCH_INIT}
        movz    x2, #0x${(SCRATCH_ADDR >>> 16).toString(16)}, lsl #16
        mov     x3, #${SCRATCH_SIZE / 8}
1:      ldr     x4, [x1], #8
        str     x4, [x2], #8
        subs    x3, x3, #1
        b.ne    1b
        ldr     x1, [x0, #${INITIAL}]
        msr     nzcv, x1
        ret

// load_fp: x0 = state record; loads V0-V31, FPSR and FPCR from its initial FP state (x1, x2).
load_fp:
        add     x1, x0, #${FP_INITIAL}
${ld1All('LD1')}
        ldr     x2, [x1]
        msr     fpsr, x2
        ldr     x2, [x1, #8]
        msr     fpcr, x2
        ret

// save_fp: SP = state record; saves V0-V31, FPSR and FPCR (x1, x2).
save_fp:
        add     x1, sp, #${FP_SAVED}
${ld1All('ST1')}
        mrs     x2, fpsr
        str     x2, [x1]
        mrs     x2, fpcr
        str     x2, [x1, #8]
        ret

// load_regs: SP = state record; loads x0-x29 from its initial state (the caller loads x30).
load_regs:
${Array.from({ length: 15 }, (_, i) => `        ldp     x${2 * i}, x${2 * i + 1}, [sp, #${INITIAL + 8 + 16 * i}]`).join('\n')}
        ret

// save_regs: SP = state record, x30 saved already; saves x0-x29 and NZCV.
save_regs:
${Array.from({ length: 15 }, (_, i) => `        stp     x${2 * i}, x${2 * i + 1}, [sp, #${SAVED + 8 + 16 * i}]`).join('\n')}
        mrs     x0, nzcv
        str     x0, [sp, #${SAVED}]
        ret

// put_hex: prints x0 in hex from bit x2+3 down, then the character w6 (x2-x5, x9).
put_hex:
        movz    x9, #0x0900, lsl #16
1:      lsr     x3, x0, x2
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

// put_field: x0 = field number, x7 = value: prints "NN VVVVVVVVVVVVVVVV" and a newline.
put_field:
        mov     x8, x30
        mov     x2, #4
        mov     w6, #32
        bl      put_hex
        mov     x0, x7
        mov     x2, #60
        mov     w6, #10
        bl      put_hex
        mov     x30, x8
        ret

// dump: x0 = sequence index, SP = its state record. Prints S<index>, then each field that
// changed: 00 NZCV, 01-1f x0-x30, 20-2f the scratch buffer's 64-bit words.
dump:
        mov     x20, x30
        movz    x9, #0x0900, lsl #16
        mov     w3, #83
        strb    w3, [x9]
        mov     x2, #60
        mov     w6, #10
        bl      put_hex
        mov     x21, #0
1:      ldr     x7, [sp, x21]
        add     x22, x21, #${INITIAL}
        ldr     x23, [sp, x22]
        cmp     x7, x23
        b.eq    2f
        lsr     x0, x21, #3
        bl      put_field
2:      add     x21, x21, #8
        cmp     x21, #256
        b.ne    1b
        movz    x24, #0x${(SCRATCH_ADDR >>> 16).toString(16)}, lsl #16
        mov     x21, #0
3:      ldr     x7, [x24, x21]
        add     x22, x21, #${SCRATCH_INIT}
        ldr     x23, [sp, x22]
        cmp     x7, x23
        b.eq    4f
        lsr     x0, x21, #3
        add     x0, x0, #32
        bl      put_field
4:      add     x21, x21, #8
        cmp     x21, #${SCRATCH_SIZE}
        b.ne    3b
        mov     x21, #${FP_SAVED}
5:      ldr     x7, [sp, x21]
        add     x22, x21, #${FP_STATE}
        ldr     x23, [sp, x22]
        cmp     x7, x23
        b.eq    6f
        sub     x0, x21, #${FP_SAVED}
        lsr     x0, x0, #3
        add     x0, x0, #${FP_FIELD}
        bl      put_field
6:      add     x21, x21, #8
        cmp     x21, #${FP_SAVED + FP_STATE}
        b.ne    5b
        mov     x30, x20
        ret

// exc_handler: a synchronous exception from the sequence (current EL with SP_EL1, or EL0), SP =
// the state record. The end-of-sequence SVC #${END_SVC} (EL0 sequences) saves the registers and NZCV
// (from SPSR_EL1) and goes on at resume_slot; any other is logged (up to 8: ESR, ELR) and
// skipped (ELR + 4, except after SVC), and the sequence resumes. x0/x1 are kept in the record's
// save area, which save_regs overwrites.
exc_handler:
        stp     x0, x1, [sp, #0]
        mrs     x0, esr_el1
        lsr     x1, x0, #26
        cmp     x1, #0x15
        b.ne    1f
        eor     x1, x0, #0xffff
        tst     x1, #0xffff
        b.eq    3f
1:      adr     x1, exc_log
        ldr     x0, [x1]
        cmp     x0, #8
        b.hs    2f
        add     x0, x0, #1
        str     x0, [x1]
        add     x1, x1, x0, lsl #4
        mrs     x0, esr_el1
        str     x0, [x1]
        mrs     x0, elr_el1
        str     x0, [x1, #8]
2:      mrs     x0, esr_el1
        lsr     x0, x0, #26
        cmp     x0, #0x15
        b.eq    4f
        mrs     x0, elr_el1
        add     x0, x0, #4
        msr     elr_el1, x0
4:      ldp     x0, x1, [sp, #0]
        eret
3:      ldp     x0, x1, [sp, #0]
        str     x30, [sp, #${SAVED + 248}]
        bl      save_regs
        mrs     x0, spsr_el1
        and     x0, x0, #0xf0000000
        str     x0, [sp, #${SAVED}]
        adr     x0, resume_slot
        ldr     x0, [x0]
        br      x0

// dump_exc: prints the exception log: fields 30+2i (ESR) and 31+2i (ELR) for entry i.
dump_exc:
        mov     x20, x30
        adr     x24, exc_log
        ldr     x25, [x24]
        mov     x21, #0
1:      cmp     x21, x25
        b.hs    2f
        add     x22, x24, x21, lsl #4
        ldr     x7, [x22, #16]
        lsl     x0, x21, #1
        add     x0, x0, #48
        bl      put_field
        ldr     x7, [x22, #24]
        lsl     x0, x21, #1
        add     x0, x0, #49
        bl      put_field
        add     x21, x21, #1
        b       1b
2:      mov     x30, x20
        ret

// exception: x19 = vector number. Prints X, then it, ESR, ELR and FAR as fields; powers off.
exception:
        movz    x9, #0x0900, lsl #16
        mov     w3, #88
        strb    w3, [x9]
        mov     w3, #10
        strb    w3, [x9]
        mov     x0, #0
        mov     x7, x19
        bl      put_field
        mov     x0, #1
        mrs     x7, esr_el1
        bl      put_field
        mov     x0, #2
        mrs     x7, elr_el1
        bl      put_field
        mov     x0, #3
        mrs     x7, far_el1
        bl      put_field
        b       power_off

power_off:
        movz    x9, #0x0900, lsl #16
        mov     w3, #69
        strb    w3, [x9]
        mov     w3, #78
        strb    w3, [x9]
        mov     w3, #68
        strb    w3, [x9]
        mov     w3, #10
        strb    w3, [x9]
        movz    x0, #0x0008
        movk    x0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

        .balign 2048
vectors:
${Array.from({ length: 16 }, (_, i) => `        .balign 128\n${i === 4 || i === 8 ? '        b       exc_handler' : `        mov     x19, #${i}\n        b       exception`}`).join('\n')}
`;

function source(seqs: readonly Sequence[]): string {
  // CPACR_EL1.FPEN = 0b11: SIMD&FP does not trap at EL1 (it resets to trapping).
  const out: string[] = ['        .text', '_start:', '        adr     x0, vectors', '        msr     vbar_el1, x0', '        mov     x0, #0x300000', '        msr     cpacr_el1, x0', '        isb'];
  seqs.forEach((s, k) => {
    const sctlr = s.sctlr ?? SCTLR_BASE;
    const el0 = s.el === 0;
    out.push(`seq_${k}:`, `        adr     x0, state_${k}`, '        bl      setup', '        bl      load_fp', '        mov     sp, x0', '        msr     daifset, #0xf');
    out.push(`        movz    x1, #0x${(sctlr & 0xffff).toString(16)}`, `        movk    x1, #0x${(sctlr >>> 16).toString(16)}, lsl #16`, '        msr     sctlr_el1, x1', '        isb');
    out.push('        adr     x1, exc_log', '        str     xzr, [x1]', `        adr     x1, resume_${k}`, '        adr     x2, resume_slot', '        str     x1, [x2]');
    // EL0: SP_EL0 = the record too, ERET to the body with NZCV from the record and DAIF masked.
    if (el0) out.push('        msr     sp_el0, x0', `        adr     x1, body_${k}`, '        msr     elr_el1, x1', `        ldr     x1, [sp, #${INITIAL}]`, '        and     x1, x1, #0xf0000000', '        orr     x1, x1, #0x3c0', '        msr     spsr_el1, x1');
    out.push('        bl      load_regs', `        ldr     x30, [sp, #${INITIAL + 248}]`);
    if (el0) out.push('        eret');
    out.push(`body_${k}:`);
    // Runs of plain words go on one .inst line (the assembler's time is per line).
    let run: string[] = [];
    const flush = () => {
      if (run.length > 0) out.push(`        .inst   ${run.join(', ')}`);
      run = [];
    };
    for (const i of s.insns) {
      if (i.asm === undefined) run.push(`0x${i.word.toString(16).padStart(8, '0')}`);
      else {
        flush();
        out.push(`        ${i.asm}`);
      }
    }
    flush();
    if (el0) out.push(`        svc     #0x${END_SVC.toString(16)}`);
    else out.push(`        str     x30, [sp, #${SAVED + 248}]`, '        bl      save_regs');
    out.push(`resume_${k}:`, '        bl      save_fp', `        mov     x0, #${k}`, '        bl      dump', '        bl      dump_exc');
  });
  out.push('        b       power_off', RUNTIME, '        .balign 16', 'resume_slot:', '        .quad   0', 'exc_log:', '        .skip   144');
  seqs.forEach((s, k) => {
    const words: bigint[] = [];
    for (let i = 0; i < s.scratch.length; i += 8) {
      let v = 0n;
      for (let j = 7; j >= 0; j--) v = (v << 8n) | BigInt(s.scratch[i + j]);
      words.push(v);
    }
    out.push(`state_${k}:`, `        .skip   ${INITIAL}`, `        .quad   ${[BigInt(s.nzcv), ...s.regs].map(hex64).join(', ')}`, `        .quad   ${words.map(hex64).join(', ')}`);
    out.push(`        .skip   ${FP_STATE}`, `        .quad   ${[...s.vregs, BigInt(s.fpsr), BigInt(s.fpcr)].map(hex64).join(', ')}`);
  });
  return out.join('\n') + '\n';
}

/**
 * Assembles the harness for `seqs` at 0x40080000, and fills in the words the assembler made
 * (LDR literal's, from its target address).
 */
export function buildImage(seqs: readonly Sequence[]): Image {
  const r = assemble(source(seqs), { base: IMAGE_BASE, file: 'isa-harness.S' });
  if (IMAGE_BASE + r.bytes.length > SCRATCH_ADDR) throw new Error(`the harness image (${r.bytes.length} bytes) runs into the scratch buffer at 0x${SCRATCH_ADDR.toString(16)}: fewer sequences per image`);
  const view = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
  const bodies = seqs.map((_, k) => Number(r.symbols.get(`body_${k}`)!));
  seqs.forEach((s, k) => s.insns.forEach((insn, j) => (insn.word = view.getUint32(bodies[k] - IMAGE_BASE + 4 * j, true))));
  return { bytes: r.bytes, bodies };
}

/** The record size, for sizing images. */
export const RECORD_SIZE = FP_INITIAL + FP_STATE;

/** A sequence's instructions as objdump prints them, with addresses. */
export function listing(seq: Sequence, body: number): string[] {
  const head = `  (at EL${seq.el ?? 1}, SCTLR_EL1 = 0x${(seq.sctlr ?? 0).toString(16)})`;
  return [head, ...seq.insns.map((i, j) => `  ${(body + 4 * j).toString(16)}:  ${i.word.toString(16).padStart(8, '0')}  ${disassemble(i.word, body + 4 * j).replace(/\t/g, ' ')}${i.setup ? '   (index set-up)' : ''}`)];
}

/** A minimal ELF64 executable: one RWX PT_LOAD of `bytes` at `addr`, entry `addr`. */
export function wrapElf(bytes: Uint8Array, addr: number): Uint8Array {
  const off = 0x1000;
  const buf = Buffer.alloc(off + bytes.length);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little-endian, version 1, SysV
  buf.writeUInt16LE(2, 16); // ET_EXEC
  buf.writeUInt16LE(183, 18); // EM_AARCH64
  buf.writeUInt32LE(1, 20);
  buf.writeBigUInt64LE(BigInt(addr), 24); // e_entry
  buf.writeBigUInt64LE(64n, 32); // e_phoff
  buf.writeBigUInt64LE(0n, 40); // e_shoff
  buf.writeUInt32LE(0, 48);
  buf.writeUInt16LE(64, 52); // e_ehsize
  buf.writeUInt16LE(56, 54); // e_phentsize
  buf.writeUInt16LE(1, 56); // e_phnum
  buf.writeUInt16LE(64, 58); // e_shentsize
  buf.writeUInt16LE(0, 60);
  buf.writeUInt16LE(0, 62);
  const ph = 64;
  buf.writeUInt32LE(1, ph); // PT_LOAD
  buf.writeUInt32LE(7, ph + 4); // RWX
  buf.writeBigUInt64LE(BigInt(off), ph + 8);
  buf.writeBigUInt64LE(BigInt(addr), ph + 16);
  buf.writeBigUInt64LE(BigInt(addr), ph + 24);
  buf.writeBigUInt64LE(BigInt(bytes.length), ph + 32);
  buf.writeBigUInt64LE(BigInt(bytes.length), ph + 40);
  buf.writeBigUInt64LE(0x1000n, ph + 48);
  buf.set(bytes, off);
  return buf;
}
