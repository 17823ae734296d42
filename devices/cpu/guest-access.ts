/** What a guest memory operation returns, and the access kinds as indices. */
import type { AccessKind } from '../../core';

/** What a guest memory operation did. */
export const AccessStatus = {
  OK: 0,
  /** A guest exception (data / instruction abort) is due; see `fault`. */
  FAULT: 1,
  /** Stage 2 sent the access to the VMM; see `mmio`. */
  MMIO: 2,
  /** The hypervisor skipped the instruction. */
  SKIP: 3,
  /** Stop the VCPU with an error; see `exitDetail`. */
  EXIT: 4,
} as const;
export type AccessStatus = (typeof AccessStatus)[keyof typeof AccessStatus];

/** Access kinds as indices (tables of the translation cache). */
export const READ = 0;
export const WRITE = 1;
export const EXEC = 2;
export type AccessIndex = 0 | 1 | 2;
/** The access kinds by index, as the bus names them. */
export const KIND_NAMES: readonly AccessKind[] = ['read', 'write', 'exec'];
