// A guest that boots the way Linux does on arm64: MMU and caches off, the I-cache turned on
// early (SCTLR_EL1.I). It prints "kvmsim guest vN" on the PL011 and powers off through PSCI.
// VERSION (a digit) is defined by the config: the VMM writes v1, runs it, writes v2 at the
// same address, resets the VCPU and runs again. Only the instruction that loads the version
// digit differs between the two images, so a guest that prints "v1" on its second boot ran a
// stale instruction left in its I-cache by the first.
        .text
_start:
        mrs     x0, sctlr_el1
        orr     x0, x0, #0x1000         // SCTLR_EL1.I: instruction fetches cacheable
        msr     sctlr_el1, x0
        isb
        movz    x1, #0x900, lsl #16     // PL011 data register at 0x09000000
        adr     x2, banner
1:      ldrb    w3, [x2], #1
        cbz     w3, 2f
        strb    w3, [x1]
        b       1b
2:      movz    w3, #(0x30 + VERSION)   // the only instruction that differs
        strb    w3, [x1]
        movz    w3, #0x0a
        strb    w3, [x1]
        movz    x0, #0x0008
        movk    x0, #0x8400, lsl #16    // PSCI SYSTEM_OFF (0x84000008)
        hvc     #0
3:      b       3b

        .align  3
banner: .asciz  "kvmsim guest v"
