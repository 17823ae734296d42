/** The stage-2 MMU: a 4 KiB-granule IPA -> PA table, one per VM. */
export * from './stage2-mmu';
export { Stage2PageTable, DEFAULT_IPA_BITS, MIN_IPA_BITS, MAX_IPA_BITS } from './page-table';
export type { Stage2Attr } from './descriptor';
export { stage2Module } from './module';
