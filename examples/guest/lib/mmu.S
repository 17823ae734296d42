// The identity map the example guests share (.include "lib/mmu.S"); the including guest
// provides a 4 KiB-aligned, 4 KiB l1_table.
// mmu_on: identity map with 1 GiB blocks (39-bit VA, level-1 table): [0, 1 GiB) Device-nGnRnE and
// execute-never (the PL011), [1 GiB, 2 GiB) Normal write-back; then MMU, D- and I-caches on.
mmu_on:
        adr     x0, l1_table
        movz    x1, #0x0401                 // block, AF, AttrIndx 0 (Device)
        movk    x1, #0x0060, lsl #48        // PXN | UXN
        str     x1, [x0]
        movz    x1, #0x0705                 // block, AF, inner shareable, AttrIndx 1 (Normal WB)
        movk    x1, #0x4000, lsl #16        // output address 0x40000000
        str     x1, [x0, #8]
        dc      ivac, x0                    // no stale line may hide the table written with caches off
        dsb     sy
        movz    x1, #0xff00                 // MAIR: attr0 Device-nGnRnE, attr1 Normal WB RW-allocate
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
