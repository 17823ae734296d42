// dma-stale: the same driver as dma-ok.S without the cache maintenance. It shows what a
// non-coherent DMA engine (dma-engine.ts) does to a guest that forgets it.
//
// With the MMU and caches on, it writes a message into a source buffer and old contents into a
// receive buffer (both stay dirty in its L1 D-cache), starts the engine, waits for the completion
// word, then reads the receive buffer straight away. Two things go wrong:
//   no clean before START:  the engine reads memory, where the message never arrived (it is
//                           still in the D-cache), so it copies zeroes into the receive buffer;
//   no invalidate after:    the guest's loads hit the receive buffer's lines cached before the
//                           transfer, so it does not even see those zeroes: it reads its own old
//                           contents. It prints
//   dma-stale: received "old contents of the receive buffer"
// and the coherence checker reports each of those loads as a stale read blamed on the guest:
// the engine wrote the buffer while the guest ran, and the guest skipped the invalidation.
//
// Memory: as dma-ok.S. RAM at 0x40000000 (memslot 0, Normal write-back); a "coherent pool" at
// 0x80000000 (memslot 1, mapped Normal Non-cacheable) holding the completion word the engine
// writes; the engine at 0x0a000000.
        // Addresses are 64 KiB aligned, so one MOVZ builds each.
        .equ    DMA, 0x0a000000             // the engine's registers (dma-engine.ts)
        .equ    SRC, 0x40200000             // source buffer
        .equ    DST, 0x40300000             // receive buffer
        .equ    COPY, 0x40380000            // where the driver copies what it received
        .equ    COMPL, 0x80000000           // completion word, in the non-cacheable pool
        .equ    LEN, 128                    // bytes per transfer: two 64-byte lines
        .text
        .global _start
_start:
        movz    x0, #0x4040, lsl #16        // stack at 0x40400000
        mov     sp, x0
        bl      mmu_on
        // The data, written with cacheable stores: it stays dirty in the D-cache.
        movz    x0, #SRC >> 16, lsl #16
        adr     x1, message
        bl      strcpy
        movz    x0, #DST >> 16, lsl #16
        adr     x1, old
        bl      strcpy
        // Missing here: DC CVAC over both buffers.
        bl      dma_copy                    // DST <- SRC, LEN bytes; w0 = the completion word
        tbz     w0, #1, failed              // not DONE
        // Missing here: DC IVAC over the receive buffer.
        // Copy the message out of the DMA buffer (as a driver hands it on), then print it.
        movz    x0, #COPY >> 16, lsl #16
        movz    x1, #DST >> 16, lsl #16
        bl      strcpy
        adr     x0, msg_received
        bl      puts
        movz    x0, #COPY >> 16, lsl #16
        bl      puts
        adr     x0, msg_end
        bl      puts
        b       off
failed: adr     x0, msg_failed
        bl      puts
off:    movz    w0, #0x0008                 // PSCI SYSTEM_OFF (0x84000008)
        movk    w0, #0x8400, lsl #16
        hvc     #0
1:      b       1b

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

message:      .asciz "hello from the guest, carried by a non-coherent DMA engine"
old:          .asciz "old contents of the receive buffer"
msg_received: .asciz "dma-stale: received \""
msg_end:      .asciz "\"\n"
msg_failed:   .asciz "dma-stale: the engine reported an error\n"
        .balign 4096
l1_table:
        .skip   4096
