// A guest that boots the way Linux does on arm64: MMU and caches off, the I-cache turned on
// early (SCTLR_EL1.I). It prints "kvmsim guest vD (code vC)" on the PL011 and powers off
// through PSCI. VERSION (a digit) is defined by the config: the VMM writes v1, runs it, writes
// v2 at the same address, resets the VCPU and runs again.
//
// D is a byte of data, read with the MMU off (non-cacheable: from memory); C is the immediate
// of one instruction, fetched through the I-cache. So after a reboot "v1 (code v2)" means the
// guest read stale data (a D-cache line not cleaned to PoC), "v2 (code v1)" that it ran a
// stale instruction (an I-cache line not invalidated).
        .text
_start:
        mrs     x0, sctlr_el1
        orr     x0, x0, #0x1000         // SCTLR_EL1.I: instruction fetches cacheable
        msr     sctlr_el1, x0
        isb
        movz    x1, #0x900, lsl #16     // PL011 data register at 0x09000000
        adr     x2, banner
        bl      puts
        adr     x2, code
        bl      puts
        movz    w3, #(0x30 + VERSION)   // the version as code
        strb    w3, [x1]
        movz    w3, #0x29               // ')'
        strb    w3, [x1]
        movz    w3, #0x0a
        strb    w3, [x1]
        movz    x0, #0x0008
        movk    x0, #0x8400, lsl #16    // PSCI SYSTEM_OFF (0x84000008)
        hvc     #0
1:      b       1b

// puts: the NUL-terminated string at x2 to the UART at x1.
puts:   ldrb    w3, [x2], #1
        cbz     w3, 1f
        strb    w3, [x1]
        b       puts
1:      ret

banner: .ascii  "kvmsim guest v"
        .byte   0x30 + VERSION          // the version as data
        .asciz  " "
code:   .asciz  "(code v"
