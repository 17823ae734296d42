// The driver routines both DMA guests share (.include "driver.S"): program the engine and wait,
// copy a string, and the identity map with the coherent pool mapped Non-cacheable.
// dma_copy: programs SRC, DST, LEN and COMPL, writes START and waits for the completion word.
// Returns it in w0 (bit 1 DONE, bit 2 ERROR). The word is Non-cacheable: every load reads memory.
dma_copy:
        movz    x9, #DMA >> 16, lsl #16
        movz    x10, #COMPL >> 16, lsl #16
        str     wzr, [x10]                  // no completion yet
        movz    x11, #SRC >> 16, lsl #16
        str     x11, [x9, #0x00]            // SRC (one 64-bit store)
        movz    x11, #DST >> 16, lsl #16
        str     x11, [x9, #0x08]            // DST
        mov     x11, #LEN
        str     x11, [x9, #0x10]            // LEN
        str     x10, [x9, #0x18]            // COMPL
        mov     w11, #1
        str     w11, [x9, #0x20]            // CTRL.START
1:      ldr     w0, [x10]
        cbz     w0, 1b
        ret

// strcpy: copies the NUL-terminated string at x1 to x0.
strcpy:
1:      ldrb    w2, [x1], #1
        strb    w2, [x0], #1
        cbnz    w2, 1b
        ret

// mmu_on: identity map with 1 GiB blocks (39-bit VA, level-1 table): [0, 1 GiB) Device-nGnRnE and
// execute-never (the PL011, the DMA engine), [1 GiB, 2 GiB) Normal write-back (RAM), [2 GiB,
// 3 GiB) Normal Non-cacheable (the coherent pool); then MMU, D- and I-caches on.
mmu_on:
        adr     x0, l1_table
        movz    x1, #0x0401                 // block, AF, AttrIndx 0 (Device)
        movk    x1, #0x0060, lsl #48        // PXN | UXN
        str     x1, [x0]
        movz    x1, #0x0705                 // block, AF, inner shareable, AttrIndx 1 (Normal WB)
        movk    x1, #0x4000, lsl #16        // output address 0x40000000
        str     x1, [x0, #8]
        movz    x1, #0x0709                 // block, AF, inner shareable, AttrIndx 2 (Normal NC)
        movk    x1, #0x8000, lsl #16        // output address 0x80000000
        movk    x1, #0x0060, lsl #48        // PXN | UXN
        str     x1, [x0, #16]
        dc      ivac, x0                    // no stale line may hide the table written with caches off
        dsb     sy
        movz    x1, #0xff00                 // MAIR: attr0 Device-nGnRnE, attr1 Normal WB RW-allocate,
        movk    x1, #0x0044, lsl #16        //       attr2 Normal Non-cacheable
        msr     mair_el1, x1
        movz    x1, #0x3519                 // T0SZ=25, IRGN0=ORGN0=WB, SH0=inner
        movk    x1, #0x0080, lsl #16        // EPD1: no TTBR1 walks
        movk    x1, #0x0002, lsl #32        // IPS: 40 bits
        msr     tcr_el1, x1
        msr     ttbr0_el1, x0
        isb
        mrs     x1, sctlr_el1
        orr     x1, x1, #0x1                // M
        orr     x1, x1, #0x4                // C
        orr     x1, x1, #0x1000             // I
        msr     sctlr_el1, x1
        isb
        ret
