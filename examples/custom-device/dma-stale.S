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

        .include "driver.S"
        .include "../guest/lib/console.S"

message:      .asciz "hello from the guest, carried by a non-coherent DMA engine"
old:          .asciz "old contents of the receive buffer"
msg_received: .asciz "dma-stale: received \""
msg_end:      .asciz "\"\n"
msg_failed:   .asciz "dma-stale: the engine reported an error\n"
        .balign 4096
l1_table:
        .skip   4096
