// mmu-on: builds an identity map, turns on the MMU and the caches, and checks that cacheable
// stores and loads (and a DC ZVA, which needs Normal memory) work, printing as it goes.
        .text
        .global _start
_start:
        movz    x0, #0x4040, lsl #16        // stack at 0x40400000
        mov     sp, x0
        adr     x0, msg_off
        bl      puts
        bl      mmu_on
        mrs     x0, sctlr_el1
        movz    x2, #0x1005
        and     x0, x0, x2
        adr     x1, msg_sctlr
        bl      puts_then_dec
        // Sum 0..4095 through a cacheable array at 0x40500000.
        movz    x19, #0x4050, lsl #16
        mov     x2, #0
1:      str     x2, [x19, x2, lsl #3]
        add     x2, x2, #1
        cmp     x2, #4096
        b.ne    1b
        mov     x2, #0
        mov     x3, #0
2:      ldr     x4, [x19, x2, lsl #3]
        add     x3, x3, x4
        add     x2, x2, #1
        cmp     x2, #4096
        b.ne    2b
        mov     x0, x3
        adr     x1, msg_sum
        bl      puts_then_dec
        // DC ZVA zeroes one block: the first 8 words read back as 0.
        mrs     x5, dczid_el0
        and     x5, x5, #0xf
        mov     x6, #4
        lsl     x6, x6, x5                  // block size in bytes
        dc      zva, x19
        ldr     x0, [x19]
        ldr     x1, [x19, #56]
        orr     x0, x0, x1
        adr     x1, msg_zva0
        bl      puts_then_dec
        ldr     x0, [x19, x6]               // the first word after the block is untouched: 8
        adr     x1, msg_zva
        bl      puts_then_dec
        adr     x0, msg_done
        bl      puts
        movz    w0, #0x0008                 // PSCI SYSTEM_OFF (0x84000008)
        movk    w0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

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
msg_off:   .asciz "mmu-on: MMU off, building an identity map\n"
msg_sctlr: .asciz "mmu-on: SCTLR_EL1 & (I|C|M) = "
msg_sum:   .asciz "mmu-on: sum of 0..4095 through the cache = "
msg_zva0:  .asciz "mmu-on: first and last words of the DC ZVA block, ORed = "
msg_zva:   .asciz "mmu-on: word after the DC ZVA block = "
msg_done:  .asciz "mmu-on: done\n"
        .balign 4096
l1_table:
        .skip   4096
