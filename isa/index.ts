/**
 * The instruction set as its own layer: A64 decoding, the encoding table, names, the assembler,
 * the disassembler, the AArch64 ELF reader, and the `asm` / `disasm` commands. Depends only on
 * core/; the devices (the A64 core) build on it.
 */
import type { ContainerModule } from 'inversify';
import { a64CliModule } from './a64';

/** The ISA layer's DI modules. */
export const isaModules: readonly ContainerModule[] = [a64CliModule];

export { a64CliModule, assemble, checkAssembly, decode, disassemble, encode, formatInsn, type AssembleResult, type Insn } from './a64';
export * from './a64/elf';
