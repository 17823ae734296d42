// memtest: with the MMU off (every data access Device, straight to memory), writes and checks
// patterns over 64 KiB at 0x40500000 with every access size (bytes, halfwords, words,
// doublewords, pairs) and addressing mode, and reports each pass; a failure prints its address.
        .text
        .global _start
_start:
        movz    x0, #0x4040, lsl #16        // stack at 0x40400000
        mov     sp, x0
        movz    x19, #0x4050, lsl #16       // base
        mov     x20, #0x10000               // size
        adr     x0, msg_start
        bl      puts

        // Pass 1: doublewords = their own address (STR, register offset), read back post-indexed.
        mov     x1, #0
1:      add     x2, x19, x1
        str     x2, [x19, x1]
        add     x1, x1, #8
        cmp     x1, x20
        b.lo    1b
        mov     x1, x19
        add     x3, x19, x20
2:      mov     x2, x1
        ldr     x4, [x1], #8
        cmp     x4, x2
        b.ne    fail
        cmp     x1, x3
        b.lo    2b
        mov     x0, #1
        bl      pass

        // Pass 2: bytes, pattern (i * 7) & 0xff, pre-indexed stores, unsigned-offset loads.
        sub     x1, x19, #1
        mov     x5, #0
3:      strb    w5, [x1, #1]!
        add     w5, w5, #7
        sub     x6, x1, x19
        cmp     x6, x20
        b.lo    3b
        mov     x1, #0
        mov     w5, #0
4:      add     x2, x19, x1
        ldrb    w4, [x2]
        and     w6, w5, #0xff
        cmp     w4, w6
        b.ne    fail
        add     w5, w5, #7
        add     x1, x1, #1
        cmp     x1, x20
        b.lo    4b
        mov     x0, #2
        bl      pass

        // Pass 3: halfwords and words, walking ones; sign extension by LDRSH / LDRSW.
        mov     x1, #0
        mov     w5, #1
5:      add     x2, x19, x1
        strh    w5, [x2]
        str     w5, [x2, #4]
        lsl     w5, w5, #1
        cbnz    w5, 51f
        mov     w5, #1
51:     add     x1, x1, #8
        cmp     x1, x20
        b.lo    5b
        mov     x1, #0
        mov     w5, #1
6:      add     x2, x19, x1
        ldrh    w4, [x2]
        and     w6, w5, #0xffff
        cmp     w4, w6
        b.ne    fail
        ldr     w4, [x2, #4]
        cmp     w4, w5
        b.ne    fail
        ldrsw   x4, [x2, #4]
        sxtw    x6, w5
        cmp     x4, x6
        b.ne    fail
        ldrsh   x4, [x2]
        sxth    x6, w5
        cmp     x4, x6
        b.ne    fail
        lsl     w5, w5, #1
        cbnz    w5, 61f
        mov     w5, #1
61:     add     x1, x1, #8
        cmp     x1, x20
        b.lo    6b
        mov     x0, #3
        bl      pass

        // Pass 4: pairs: STP of (~addr, addr), LDP back, signed 9-bit unscaled offsets.
        mov     x7, x19
        add     x3, x19, x20
7:      mov     x1, x7
        mvn     x4, x1
        stp     x4, x1, [x7], #16
        cmp     x7, x3
        b.lo    7b
        mov     x1, x19
8:      ldp     x4, x5, [x1]
        cmp     x5, x1
        b.ne    fail
        mvn     x6, x4
        cmp     x6, x1
        b.ne    fail
        ldur    x6, [x1, #8]
        cmp     x6, x5
        b.ne    fail
        add     x1, x1, #16
        cmp     x1, x3
        b.lo    8b
        mov     x0, #4
        bl      pass

        adr     x0, msg_ok
        bl      puts
        b       off

fail:   mov     x19, x2
        adr     x0, msg_fail
        bl      puts
        mov     x0, x19
        bl      print_dec
        mov     w0, #10
        bl      putc
off:    movz    w0, #0x0008                 // PSCI SYSTEM_OFF (0x84000008)
        movk    w0, #0x8400, lsl #16
        hvc     #0
9:      b       9b

// pass: x0 = pass number.
pass:
        mov     x1, x0
        mov     x0, x1
        adr     x1, msg_pass
        b       puts_then_dec

        .include "lib/console.S"
msg_start: .asciz "memtest: 64 KiB at 0x40500000, MMU off\n"
msg_pass:  .asciz "memtest: passed pattern "
msg_ok:    .asciz "memtest: all patterns passed\n"
msg_fail:  .asciz "memtest: FAILED at address "
