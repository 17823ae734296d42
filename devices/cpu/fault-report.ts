import { hex, hexWord } from '../../core';
import { vaHex } from './stage1-walker';
import { disassemble } from '../../isa/a64/decoder';
import type { GuestException } from './guest-interface';

const EC_NAMES: Record<number, string> = {
  0x00: 'unknown reason (undefined instruction)',
  0x15: 'SVC from AArch64',
  0x21: 'instruction abort, same EL',
  0x22: 'PC alignment fault',
  0x25: 'data abort, same EL',
  0x3c: 'BRK from AArch64',
};

/**
 * The report of an unexpected exception, as lines: what happened, the instruction (word and
 * disassembly), ESR/ELR/FAR, where it was taken, and the PCs that ran before it.
 */
export function formatGuestException(e: GuestException): string[] {
  const lines = [`${e.what} (after ${e.retired} instructions)`];
  lines.push(e.word === null ? `instruction  ${hex(e.pc)}: not fetched` : `instruction  ${hex(e.pc)}: ${hexWord(e.word)}  ${disassemble(e.word, e.pc).replace(/\t/g, ' ')}`);
  if (e.memoryWord !== undefined) {
    lines.push(`stale fetch  memory holds ${hexWord(e.memoryWord)} (${disassemble(e.memoryWord, e.pc).replace(/\t/g, ' ')}) there: the word executed came from a stale I-cache line`);
  }
  lines.push(`ESR_EL1      ${hexWord(e.esr)} (EC ${hex(e.ec)}: ${EC_NAMES[e.ec] ?? 'other'})`);
  lines.push(`ELR_EL1      ${vaHex(e.elr)}`);
  lines.push(`FAR_EL1      ${e.far === null ? 'UNKNOWN (not set by this exception)' : vaHex(e.far)}`);
  lines.push(`VBAR_EL1     ${e.vbar === 0 ? '0: no vector table, the VCPU stopped' : `${hex(e.vbar)} (the guest's vector table)`}`);
  if (e.recent.length > 0) {
    lines.push(`ran before   ${e.recent.map(hex).join(' ')}`);
  }
  return lines;
}
