// S9: a guest writes with its MMU and caches off, then turns them on and reads back what it
// wrote. KVM traps the SCTLR_EL1 write (HCR_EL2.TVM) and flushes the VM (stage2_flush_vm), so
// no clean line from before hides the non-cacheable write, and no dirty line the VMM left
// behind overwrites it.
        .text
_start:
        adr     x19, marker
        movz    w1, #0x600d
        str     w1, [x19]                   // MMU off: a Device (non-cacheable) store
        bl      mmu_on
        ldr     w20, [x19]                  // now cacheable
        adr     x0, msg
        bl      puts
        mov     w0, w20
        bl      print_hex
        mov     w0, #10
        bl      putc
        movz    w0, #0x0008                 // PSCI SYSTEM_OFF
        movk    w0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

        .include "lib/mmu.S"

putc:   movz    x9, #0x0900, lsl #16
        strb    w0, [x9]
        ret

puts:   mov     x12, x30
        mov     x11, x0
1:      ldrb    w0, [x11], #1
        cbz     w0, 2f
        bl      putc
        b       1b
2:      mov     x30, x12
        ret

// print_hex: w0 as 0x followed by 4 hex digits.
print_hex:
        mov     x13, x30
        mov     w14, w0
        mov     w0, #0x30
        bl      putc
        mov     w0, #0x78
        bl      putc
        mov     w15, #12
1:      lsr     w0, w14, w15
        and     w0, w0, #0xf
        cmp     w0, #10
        b.lt    2f
        add     w0, w0, #0x27               // 'a' - '0' - 10
2:      add     w0, w0, #0x30
        bl      putc
        subs    w15, w15, #4
        b.ge    1b
        mov     x30, x13
        ret

msg:    .asciz  "s9: read back after caches on: "
        .balign 8
marker: .word   0x0bad                      // what the VMM's image holds here
        .balign 4096
l1_table:
        .skip   4096
