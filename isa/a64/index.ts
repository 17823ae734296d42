/**
 * AArch64 (A64) encodings: one table (encodings/, a file per group of the Arm ARM's encoding
 * index) shared by the decoder, the disassembler (GNU objdump syntax) and the assembler (GNU as
 * syntax), plus the `asm` / `disasm` commands.
 */
import { ContainerModule } from 'inversify';
import { CliCommand } from '../../core';
import { asmCommand, disasmCommand } from './cli';

export * from './insn';
export { decode, encode, disassemble, formatInsn, encodingOf } from './decoder';
export { instructionClass } from './classify';
export { ENCODINGS, EncodingError, regName, type Encoding } from './encodings';
export { assemble, checkAssembly, formatListing, formatAsmIssue, AsmError, type AssembleOptions, type AssembleResult, type AsmIssue, type ListingEntry } from './assembler';
export { decodeBitMasks, decodeLogicImm, encodeLogicImm, join64 } from './bits';
export { SysRegs, SYS_REGS, sysReg, sysRegName, parseSysReg, CONDITIONS, conditionCode, BARRIER_OPTIONS, DC_OPS, IC_OPS, type SysRegInfo } from './names';
export { disassembleImage, disassembleElf, parseAddress, addressOption, DEFAULT_BASE } from './cli';

/** The `kvmsim asm` and `kvmsim disasm` commands. */
export const a64CliModule = new ContainerModule(({ bind }) => {
  bind(CliCommand).toConstantValue(asmCommand);
  bind(CliCommand).toConstantValue(disasmCommand);
});
