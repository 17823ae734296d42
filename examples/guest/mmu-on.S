// mmu-on: builds an identity map, turns on the MMU and the caches, and checks that cacheable
// stores and loads (and a DC ZVA, which needs Normal memory) work, printing as it goes.
        .text
        .global _start
_start:
        movz    x0, #0x4040, lsl #16        // stack at 0x40400000
        mov     sp, x0
        adr     x0, msg_off
        bl      puts
        bl      mmu_on
        mrs     x0, sctlr_el1
        movz    x2, #0x1005
        and     x0, x0, x2
        adr     x1, msg_sctlr
        bl      puts_then_dec
        // Sum 0..4095 through a cacheable array at 0x40500000.
        movz    x19, #0x4050, lsl #16
        mov     x2, #0
1:      str     x2, [x19, x2, lsl #3]
        add     x2, x2, #1
        cmp     x2, #4096
        b.ne    1b
        mov     x2, #0
        mov     x3, #0
2:      ldr     x4, [x19, x2, lsl #3]
        add     x3, x3, x4
        add     x2, x2, #1
        cmp     x2, #4096
        b.ne    2b
        mov     x0, x3
        adr     x1, msg_sum
        bl      puts_then_dec
        // DC ZVA zeroes one block: the first 8 words read back as 0.
        mrs     x5, dczid_el0
        and     x5, x5, #0xf
        mov     x6, #4
        lsl     x6, x6, x5                  // block size in bytes
        dc      zva, x19
        ldr     x0, [x19]
        ldr     x1, [x19, #56]
        orr     x0, x0, x1
        adr     x1, msg_zva0
        bl      puts_then_dec
        ldr     x0, [x19, x6]               // the first word after the block is untouched: 8
        adr     x1, msg_zva
        bl      puts_then_dec
        adr     x0, msg_done
        bl      puts
        movz    w0, #0x0008                 // PSCI SYSTEM_OFF (0x84000008)
        movk    w0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

        .include "lib/mmu.S"

        .include "lib/console.S"
msg_off:   .asciz "mmu-on: MMU off, building an identity map\n"
msg_sctlr: .asciz "mmu-on: SCTLR_EL1 & (I|C|M) = "
msg_sum:   .asciz "mmu-on: sum of 0..4095 through the cache = "
msg_zva0:  .asciz "mmu-on: first and last words of the DC ZVA block, ORed = "
msg_zva:   .asciz "mmu-on: word after the DC ZVA block = "
msg_done:  .asciz "mmu-on: done\n"
        .balign 4096
l1_table:
        .skip   4096
