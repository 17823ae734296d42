// Console routines the example guests share (.include "lib/console.S"): the PL011 at
// 0x09000000; puts, putc, print_dec, puts_then_dec.
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
