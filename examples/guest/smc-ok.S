// smc-ok: self-modifying code done right. With the MMU and caches on, it runs f(), patches f's
// first instruction with a store (the new word sits dirty in the L1 D-cache), then performs the
// architecturally required sequence DC CVAU; DSB ISH; IC IVAU; DSB ISH; ISB before calling f()
// again, which must now return the patched value.
        .text
        .global _start
_start:
        movz    x0, #0x4040, lsl #16        // stack at 0x40400000
        mov     sp, x0
        bl      mmu_on
        bl      f
        adr     x1, msg_before
        bl      puts_then_dec
        adr     x2, f
        ldr     w1, new_insn
        str     w1, [x2]                    // mov w0, #1  ->  mov w0, #2
        dc      cvau, x2                    // clean the new word to the PoU
        dsb     ish
        ic      ivau, x2                    // drop the stale I-cache line
        dsb     ish
        isb
        bl      f
        adr     x1, msg_after
        bl      puts_then_dec
        movz    w0, #0x0008                 // PSCI SYSTEM_OFF (0x84000008)
        movk    w0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

f:      mov     w0, #1
        ret
new_insn:
        mov     w0, #2

// mmu_on: identity map with 1 GiB blocks (39-bit VA, level-1 table): [0, 1 GiB) Device-nGnRnE and
// execute-never (the PL011), [1 GiB, 2 GiB) Normal write-back; then MMU, D- and I-caches on.
mmu_on:
        adr     x0, l1_table
        movz    x1, #0x0401                 // block, AF, AttrIndx 0 (Device)
        movk    x1, #0x0060, lsl #48        // PXN | UXN
        str     x1, [x0]
        movz    x1, #0x0705                 // block, AF, inner shareable, AttrIndx 1 (Normal WB)
        movk    x1, #0x4000, lsl #16        // output address 0x40000000
        str     x1, [x0, #8]
        dc      ivac, x0                    // no stale line may hide the table written with caches off
        dsb     sy
        movz    x1, #0xff00                 // MAIR: attr0 Device-nGnRnE, attr1 Normal WB RW-allocate
        msr     mair_el1, x1
        movz    x1, #0x3519                 // T0SZ=25, IRGN0=ORGN0=WB, SH0=inner
        movk    x1, #0x0080, lsl #16        // EPD1: no TTBR1 walks
        movk    x1, #0x0002, lsl #32        // IPS: 40 bits
        msr     tcr_el1, x1
        msr     ttbr0_el1, x0
        isb
        mrs     x1, sctlr_el1
        orr     x1, x1, #0x1                // M
        orr     x1, x1, #0x4                // C
        orr     x1, x1, #0x1000             // I
        msr     sctlr_el1, x1
        isb
        ret

// puts_then_dec: prints the string at x1, then x0 in decimal and a newline.
puts_then_dec:
        stp     x29, x30, [sp, #-32]!
        str     x0, [sp, #16]
        mov     x0, x1
        bl      puts
        ldr     x0, [sp, #16]
        bl      print_dec
        mov     w0, #10
        bl      putc
        ldp     x29, x30, [sp], #32
        ret

// putc: w0 = character. Waits while the transmit FIFO is full (UARTFR.TXFF).
putc:
        movz    x9, #0x0900, lsl #16
1:      ldr     w10, [x9, #0x18]
        tbnz    w10, #5, 1b
        strb    w0, [x9]
        ret

// puts: x0 = NUL-terminated string.
puts:
        mov     x12, x30
        mov     x11, x0
1:      ldrb    w0, [x11], #1
        cbz     w0, 2f
        bl      putc
        b       1b
2:      mov     x30, x12
        ret

// print_dec: x0 = unsigned value, printed in decimal.
print_dec:
        stp     x29, x30, [sp, #-48]!
        add     x1, sp, #47
        strb    wzr, [x1]
        mov     x3, #10
1:      udiv    x4, x0, x3
        msub    x5, x4, x3, x0
        add     w5, w5, #48
        sub     x1, x1, #1
        strb    w5, [x1]
        mov     x0, x4
        cbnz    x0, 1b
        mov     x0, x1
        bl      puts
        ldp     x29, x30, [sp], #48
        ret
msg_before: .asciz "smc-ok: f() = "
msg_after:  .asciz "smc-ok: f() after patching = "
        .balign 4096
l1_table:
        .skip   4096
