// smc-ok: self-modifying code done right. With the MMU and caches on, it runs f(), patches f's
// first instruction with a store (the new word sits dirty in the L1 D-cache), then performs the
// architecturally required sequence DC CVAU; DSB ISH; IC IVAU; DSB ISH; ISB before calling f()
// again, which must now return the patched value.
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
        dc      cvau, x2                    // clean the new word to the PoU
        dsb     ish
        ic      ivau, x2                    // drop the stale I-cache line
        dsb     ish
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
msg_before: .asciz "smc-ok: f() = "
msg_after:  .asciz "smc-ok: f() after patching = "
        .balign 4096
l1_table:
        .skip   4096
