// uart-poll: a guest that never stops polling the PL011, for long runs (memory, speed). It
// reads the flag register UARTFR at 0x09000018 in a loop, each read an MMIO exit, and every
// 64th poll writes a character ('.', and a newline after 64 of them). It never powers off:
// give it an instruction budget (kvmsim boot uart-poll.bin --max-insns 20000000).
// Runs at EL1 with the MMU off, loaded at 0x40080000.
        .text
        .global _start
_start:
        movz    x9, #0x0900, lsl #16        // PL011 base
        mov     x2, #0                      // polls since the last character
        mov     x3, #0                      // characters on this line
1:      ldr     w10, [x9, #0x18]            // UARTFR: an MMIO exit
        tbnz    w10, #5, 1b                 // TXFF: transmit FIFO full, poll again
        add     x2, x2, #1
        cmp     x2, #64
        b.ne    1b
        mov     x2, #0
        mov     w0, #0x2e                   // '.'
        add     x3, x3, #1
        cmp     x3, #64
        b.ne    2f
        mov     x3, #0
        mov     w0, #10                     // '\n'
2:      strb    w0, [x9]                    // UARTDR: an MMIO exit
        b       1b
