/** The guest exceptions the memory path raises: fault status codes and what ESR_EL1 / FAR_EL1 will say. */

/** Fault status codes (ESR_ELx.ISS.{D,I}FSC). */
export const FSC = {
  addressSize: (level: number) => 0x00 + level,
  translation: (level: number) => 0x04 + level,
  accessFlag: (level: number) => 0x08 + level,
  permission: (level: number) => 0x0c + level,
  EXTERNAL: 0x10,
  externalOnWalk: (level: number) => 0x14 + level,
  ALIGNMENT: 0x21,
} as const;

/** A guest exception the memory path raised: what ESR_EL1 and FAR_EL1 will say. */
export interface GuestFault {
  /** An instruction abort (a fetch), else a data abort. */
  instruction: boolean;
  /** The fault status code (DFSC / IFSC). */
  fsc: number;
  /** ISS.WnR: a write (stores, DC ZVA, and every cache-maintenance instruction). */
  wnr: boolean;
  /** ISS.CM: a cache-maintenance instruction faulted. */
  cm: boolean;
  /** ISS.S1PTW: the fault is on a stage-1 table walk. */
  s1ptw: boolean;
  /** FAR_EL1: the faulting virtual address. */
  va: number;
  /** For humans: `translation fault, level 1, on a read at VA 0x...`. */
  description: string;
}
