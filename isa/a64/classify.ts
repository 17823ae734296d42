/**
 * The A64 instruction class a word belongs to, from the top-level encoding tables of the Arm
 * ARM (C4.1), for words outside the modelled subset: an UNDEFINED report can then say that the
 * guest ran, say, a CTZ (FEAT_CSSC, beyond the Cortex-A72) the interpreter does not model,
 * rather than only `.inst 0x5ac01820`. Undefined for words no class below covers.
 */
const CLASSES: readonly [mask: number, value: number, name: string][] = [
  [0xffff0000, 0x00000000, 'UDF (permanently undefined)'],
  // Data processing (register).
  [0x1f200000, 0x0b200000, 'ADD/SUB (extended register) with a reserved shift'],
  [0x1fe00000, 0x1a000000, 'add/subtract with carry space (RMIF, SETF: ARMv8.4)'],
  [0x1fe00000, 0x1a400000, 'conditional compare space (reserved o2/o3)'],
  [0x5fe00000, 0x5ac00000, 'data processing, one source, beyond ARMv8.0 (CTZ, CNT, ABS, PAC...)'],
  [0x5fe00000, 0x1ac00000, 'data processing, two sources, beyond ARMv8.0 (PACGA, IRG, SUBP, SMAX...)'],
  [0x1f000000, 0x1b000000, 'data processing, three sources (unallocated)'],
  // Loads and stores.
  [0x3f000000, 0x08000000, 'load/store exclusive or ordered (LDXR, STXR, LDAR, STLR, ...)'],
  [0x3f200c00, 0x38200000, 'atomic memory operation (LDADD, SWP, ...)'],
  [0x0e000000, 0x0c000000, 'SIMD/floating-point load/store'],
  [0x0a000000, 0x08000000, 'load/store'],
  // Branches, exceptions, system.
  [0xffc00000, 0xd5000000, 'system instruction (SYS, SYSL, MSR/MRS of a register not modelled)'],
  [0x1c000000, 0x14000000, 'branch, exception generation or system'],
  [0x1c000000, 0x10000000, 'data processing (immediate)'],
  [0x0e000000, 0x0a000000, 'data processing (register)'],
];

export function instructionClass(word: number): string | undefined {
  const w = word >>> 0;
  // SIMD/FP first: bits 27:25 = 111 is that space whatever else matches.
  if ((w & 0x0e000000) === 0x0e000000) return 'SIMD/floating-point data processing';
  for (const [mask, value, name] of CLASSES) if ((w & mask) >>> 0 === value >>> 0) return name;
  return undefined;
}
