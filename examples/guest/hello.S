// hello: prints a banner on the PL011 of the virt machine, then powers off with PSCI SYSTEM_OFF.
// Runs at EL1 with the MMU off, loaded at 0x40080000.
        .text
        .global _start
_start:
        movz    x0, #0x4040, lsl #16        // stack at 0x40400000
        mov     sp, x0
        adr     x0, banner
        bl      puts
        mrs     x0, CurrentEL
        lsr     x0, x0, #2
        adr     x1, el_msg
        bl      puts_then_dec
        movz    w0, #0x0008                 // PSCI SYSTEM_OFF (0x84000008)
        movk    w0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

        .include "lib/console.S"
banner: .asciz  "Hello from kvmsim: an A64 guest at EL1 on the virt PL011\n"
el_msg: .asciz  "CurrentEL = EL"
