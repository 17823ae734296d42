// smc-stale: self-modifying code done wrong. As smc-ok, but without the DC CVAU / IC IVAU
// sequence: on a core without DIC (cortex-a72) the I-cache still holds the old line, so the
// second call runs the stale instruction and f() returns 1 again. QEMU keeps its translated
// code coherent with stores and prints 2: an expected difference.
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
        dsb     ish                         // no cache maintenance: only a barrier
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

        .include "lib/mmu.S"

        .include "lib/console.S"
msg_before: .asciz "smc-stale: f() = "
msg_after:  .asciz "smc-stale: f() after patching = "
        .balign 4096
l1_table:
        .skip   4096
