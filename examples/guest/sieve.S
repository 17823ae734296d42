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

        .include "lib/mmu.S"

        .include "lib/console.S"
msg_count: .asciz "primes below 65536: "
        .balign 4096
l1_table:
        .skip   4096
