// dma-ok: a driver that uses the non-coherent DMA engine (dma-engine.ts) correctly.
//
// With the MMU and caches on, it writes a message into a source buffer and old contents into a
// receive buffer (both sit dirty in its L1 D-cache), then does what a driver for a non-coherent
// device must do:
//   before START: DC CVAC over both buffers, so memory (where the engine reads) holds the
//                 message and no dirty line can be evicted later over what the engine writes;
//   after DONE:   DC IVAC over the receive buffer, so the next loads miss and read memory,
//                 where the engine wrote, instead of the lines cached before the transfer.
// It then copies the received bytes out of the buffer and prints them:
//   dma-ok: received "hello from the guest, carried by a non-coherent DMA engine"
//
// Memory: RAM at 0x40000000 (memslot 0, Normal write-back); a "coherent pool" at 0x80000000
// (memslot 1, mapped Normal Non-cacheable, like Linux's dma_alloc_coherent memory on a
// non-coherent system) holding the completion word the engine writes; the engine at 0x0a000000.
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
        // Hand both buffers to the device: clean them to the PoC.
        movz    x0, #SRC >> 16, lsl #16
        mov     x1, #LEN
        bl      dcache_clean_poc
        movz    x0, #DST >> 16, lsl #16
        mov     x1, #LEN
        bl      dcache_clean_poc
        bl      dma_copy                    // DST <- SRC, LEN bytes; w0 = the completion word
        tbz     w0, #1, failed              // not DONE
        // Take the receive buffer back from the device: invalidate it before reading it.
        movz    x0, #DST >> 16, lsl #16
        mov     x1, #LEN
        bl      dcache_inval_poc
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

// dcache_clean_poc: DC CVAC over [x0, x0 + x1), then DSB: dirty lines reach memory.
dcache_clean_poc:
        mrs     x3, ctr_el0
        ubfx    x3, x3, #16, #4             // CTR_EL0.DminLine: log2 of the line size in words
        mov     x4, #4
        lsl     x3, x4, x3                  // line size in bytes
        add     x1, x0, x1
        sub     x4, x3, #1
        bic     x0, x0, x4                  // down to a line boundary
1:      dc      cvac, x0
        add     x0, x0, x3
        cmp     x0, x1
        b.lo    1b
        dsb     sy
        ret

// dcache_inval_poc: DC IVAC over [x0, x0 + x1), then DSB: no cached copy of the range remains.
// (Under a hypervisor DC IVAC is performed as DC CIVAC; the lines are clean, so that is the same.)
dcache_inval_poc:
        mrs     x3, ctr_el0
        ubfx    x3, x3, #16, #4
        mov     x4, #4
        lsl     x3, x4, x3
        add     x1, x0, x1
        sub     x4, x3, #1
        bic     x0, x0, x4
1:      dc      ivac, x0
        add     x0, x0, x3
        cmp     x0, x1
        b.lo    1b
        dsb     sy
        ret

        .include "driver.S"
        .include "../guest/lib/console.S"

message:      .asciz "hello from the guest, carried by a non-coherent DMA engine"
old:          .asciz "old contents of the receive buffer"
msg_received: .asciz "dma-ok: received \""
msg_end:      .asciz "\"\n"
msg_failed:   .asciz "dma-ok: the engine reported an error\n"
        .balign 4096
l1_table:
        .skip   4096
