// sieve: the sieve of Eratosthenes over [0, 65536) with the MMU and caches on; prints the primes
// below 1000, ten to a line, then how many primes lie below 65536 (6542).
        .text
        .global _start
        .equ    N, 65536
        .equ    SHOW, 1000
_start:
        movz    x0, #0x4040, lsl #16        // stack at 0x40400000
        mov     sp, x0
        bl      mmu_on
        movz    x19, #0x4060, lsl #16       // flags[N] at 0x40600000: 0 = prime candidate
        mov     x20, #N
        // Clear the flags, 16 bytes at a time.
        mov     x1, x19
        add     x2, x19, x20
1:      stp     xzr, xzr, [x1], #16
        cmp     x1, x2
        b.lo    1b
        // Strike the multiples of each prime i with i*i < N.
        mov     x2, #2
2:      mul     x3, x2, x2
        cmp     x3, x20
        b.hs    5f
        ldrb    w4, [x19, x2]
        cbnz    w4, 4f
        mov     w5, #1
3:      strb    w5, [x19, x3]
        add     x3, x3, x2
        cmp     x3, x20
        b.lo    3b
4:      add     x2, x2, #1
        b       2b
        // Count them all; print those below SHOW.
5:      mov     x21, #2                     // i
        mov     x22, #0                     // primes found
        mov     x23, #0                     // printed on this line
6:      ldrb    w4, [x19, x21]
        cbnz    w4, 8f
        add     x22, x22, #1
        cmp     x21, #SHOW
        b.hs    8f
        mov     x0, x21
        bl      print_dec
        add     x23, x23, #1
        cmp     x23, #10
        b.ne    7f
        mov     x23, #0
        mov     w0, #10
        bl      putc
        b       8f
7:      mov     w0, #32
        bl      putc
8:      add     x21, x21, #1
        cmp     x21, x20
        b.lo    6b
        mov     w0, #10
        bl      putc
        mov     x0, x22
        adr     x1, msg_count
        bl      puts_then_dec
        movz    w0, #0x0008                 // PSCI SYSTEM_OFF (0x84000008)
        movk    w0, #0x8400, lsl #16
        hvc     #0
9:      b       9b

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
msg_count: .asciz "primes below 65536: "
        .balign 4096
l1_table:
        .skip   4096
