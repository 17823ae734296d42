import fc from 'fast-check';
import { DC_OPS, ENCODINGS, IC_OPS, SP, SYS_REGS, ZR, assemble, decode, decodeLogicImm, disassemble, encode, type InsnFields } from '../../../../isa/a64';
import { HINT_NAMES, PSTATE_FIELDS } from '../../../../isa/a64/names';
import { ignoredBits, loadStoreExclusive } from '../../../../isa/a64/encodings/loads-stores-exclusive';
import type { LoadStoreExclusive } from '../../../../isa/a64/insn';
import { AT_OPS, TLBI_OPS } from '../../../../isa/a64/encodings/tlbi-at';

const zrReg = fc.integer({ min: 0, max: 31 }); // 31 is ZR
const spReg = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(SP));
const bool = fc.boolean();
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
/** A byte offset `k * scale` with k a signed `width`-bit number. */
const scaled = (width: number, scale: number) => fc.integer({ min: -(2 ** (width - 1)), max: 2 ** (width - 1) - 1 }).map((k) => k * scale);

const HINT_OPS = ['NOP', 'YIELD', 'WFE', 'WFI', 'SEV', 'SEVL'] as const;

/** Valid fields of every form of the subset. */
const fields: fc.Arbitrary<InsnFields> = fc.oneof(
  fc.record({ op: pick('MOVZ', 'MOVN', 'MOVK'), sf: bool, rd: zrReg, imm: fc.integer({ min: 0, max: 0xffff }), hw: fc.integer({ min: 0, max: 3 }) }).map(({ hw, ...f }) => ({ ...f, shift: (f.sf ? hw : hw & 1) * 16 })),
  fc
    .record({ op: pick('ADD_IMM', 'ADDS_IMM', 'SUB_IMM', 'SUBS_IMM'), sf: bool, rd: spReg, rn: spReg, imm12: fc.integer({ min: 0, max: 0xfff }), shift: pick<0 | 12>(0, 12) })
    .map(({ imm12, ...f }) => ({ ...f, rd: f.op.includes('S_') && f.rd === SP ? ZR : f.rd, imm: imm12 * 2 ** f.shift })),
  fc.record({ op: pick('ADD_REG', 'ADDS_REG', 'SUB_REG', 'SUBS_REG'), sf: bool, rd: zrReg, rn: zrReg, rm: zrReg, shiftType: pick('lsl', 'lsr', 'asr'), shift: fc.integer({ min: 0, max: 63 }) }).map((f) => ({ ...f, shift: f.sf ? f.shift : f.shift & 31 })),
  fc
    .record({ op: pick('AND_IMM', 'ORR_IMM', 'EOR_IMM', 'ANDS_IMM'), sf: bool, rd: spReg, rn: zrReg, n: fc.integer({ min: 0, max: 1 }), immr: fc.integer({ min: 0, max: 63 }), imms: fc.integer({ min: 0, max: 63 }) })
    .map(({ n, immr, imms, ...f }) => ({ ...f, rd: f.op === 'ANDS_IMM' && f.rd === SP ? ZR : f.rd, v: decodeLogicImm(f.sf ? n : 0, immr, imms, f.sf) }))
    .filter((f) => f.v !== undefined)
    .map(({ v, ...f }) => ({ ...f, immLo: v![0], immHi: v![1] })),
  fc
    .record({ op: pick('AND_REG', 'BIC_REG', 'ORR_REG', 'ORN_REG', 'EOR_REG', 'EON_REG', 'ANDS_REG', 'BICS_REG'), sf: bool, rd: zrReg, rn: zrReg, rm: zrReg, shiftType: pick('lsl', 'lsr', 'asr', 'ror'), shift: fc.integer({ min: 0, max: 63 }) })
    .map((f) => ({ ...f, shift: f.sf ? f.shift : f.shift & 31 })),
  fc.record({ op: pick('SBFM', 'UBFM', 'BFM'), sf: bool, rd: zrReg, rn: zrReg, immr: fc.integer({ min: 0, max: 63 }), imms: fc.integer({ min: 0, max: 63 }) }).map((f) => (f.sf ? f : { ...f, immr: f.immr & 31, imms: f.imms & 31 })),
  fc.record({ op: pick('EXTR'), sf: bool, rd: zrReg, rn: zrReg, rm: zrReg, lsb: fc.integer({ min: 0, max: 63 }) }).map((f) => ({ ...f, lsb: f.sf ? f.lsb : f.lsb & 31 })),
  fc.record({ op: pick('MADD', 'MSUB'), sf: bool, rd: zrReg, rn: zrReg, rm: zrReg, ra: zrReg }),
  fc.record({ op: pick('UDIV', 'SDIV', 'LSLV', 'LSRV', 'ASRV', 'RORV'), sf: bool, rd: zrReg, rn: zrReg, rm: zrReg }),
  fc.record({ op: pick('CSEL', 'CSINC', 'CSINV', 'CSNEG'), sf: bool, rd: zrReg, rn: zrReg, rm: zrReg, cond: fc.integer({ min: 0, max: 15 }) }),
  // Single-register loads and stores: (op, size, signed, sf) as the architecture allows them.
  fc
    .record({
      kind: pick(
        ...([0, 1, 2, 3] as const).flatMap((size) => [
          { op: 'STR' as const, size, signed: false, sf: size === 3 },
          { op: 'LDR' as const, size, signed: false, sf: size === 3 },
          ...(size < 3 ? [{ op: 'LDR' as const, size, signed: true, sf: true }] : []),
          ...(size < 2 ? [{ op: 'LDR' as const, size, signed: true, sf: false }] : []),
        ]),
      ),
      rt: zrReg,
      rn: spReg,
      mode: pick('offset', 'unscaled', 'pre', 'post', 'reg'),
      uimm: fc.integer({ min: 0, max: 0xfff }),
      simm: fc.integer({ min: -256, max: 255 }),
      rm: zrReg,
      extend: pick('uxtw', 'lsl', 'sxtw', 'sxtx'),
      scaled: bool,
    })
    .map(({ kind, uimm, simm, mode, rm, extend, scaled, ...f }) => ({
      ...kind,
      ...f,
      mode,
      imm: mode === 'offset' ? uimm * 2 ** kind.size : mode === 'reg' ? 0 : simm,
      rm: mode === 'reg' ? rm : ZR,
      extend: mode === 'reg' ? extend : 'lsl',
      scaled: mode === 'reg' ? scaled : false,
    })),
  fc
    .record({ kind: pick({ size: 2 as const, signed: false, sf: false }, { size: 3 as const, signed: false, sf: true }, { size: 2 as const, signed: true, sf: true }), rt: zrReg, imm: scaled(19, 4) })
    .map(({ kind, ...f }) => ({ op: 'LDR' as const, ...kind, ...f, rn: ZR, mode: 'literal' as const, rm: ZR, extend: 'lsl' as const, scaled: false })),
  fc
    .record({ op: pick('LDP', 'STP'), size: pick<2 | 3>(2, 3), rt: zrReg, rt2: zrReg, rn: spReg, mode: pick('offset', 'pre', 'post'), k: fc.integer({ min: -64, max: 63 }) })
    .map(({ k, ...f }) => ({ ...f, sf: f.size === 3, imm: k * 2 ** f.size })),
  fc.record({ op: pick('ADR'), rd: zrReg, imm: scaled(21, 1) }),
  fc.record({ op: pick('ADRP'), rd: zrReg, imm: scaled(21, 4096) }),
  fc.record({ op: pick('B', 'BL'), imm: scaled(26, 4) }),
  fc.record({ op: pick('B_COND'), cond: fc.integer({ min: 0, max: 15 }), imm: scaled(19, 4) }),
  fc.record({ op: pick('CBZ', 'CBNZ'), sf: bool, rt: zrReg, imm: scaled(19, 4) }),
  fc.record({ op: pick('TBZ', 'TBNZ'), rt: zrReg, bit: fc.integer({ min: 0, max: 63 }), imm: scaled(14, 4) }),
  fc.record({ op: pick('BR', 'BLR', 'RET'), rn: zrReg }),
  fc.record({ op: pick('SVC', 'HVC', 'SMC', 'BRK'), imm: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ op: pick('ERET') }),
  fc.integer({ min: 0, max: 127 }).map((imm) => ({ op: HINT_OPS[imm] ?? 'NOP', imm })),
  fc.record({ op: pick('DSB', 'DMB', 'ISB'), option: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ cacheOp: pick(...DC_OPS.map((o) => o.name)), rt: zrReg }).map((f) => ({ op: 'DC' as const, ...f })),
  fc.record({ sysOp: pick(...TLBI_OPS.map((o) => o.name)), rt: zrReg }).map((f) => ({ op: 'TLBI' as const, ...f })),
  fc.record({ sysOp: pick(...AT_OPS.map((o) => o.name)), rt: zrReg }).map((f) => ({ op: 'AT' as const, ...f })),
  fc.record({ cacheOp: pick(...IC_OPS.map((o) => o.name)), rt: zrReg }).map((f) => ({ op: 'IC' as const, ...f, rt: f.cacheOp === 'IVAU' ? f.rt : ZR })),
  fc.record({ op: pick('MRS', 'MSR'), sysreg: fc.integer({ min: 0x8000, max: 0xffff }), rt: zrReg }),
  fc.record({ f: pick(...PSTATE_FIELDS), imm: fc.integer({ min: 0, max: 15 }) }).map(({ f, imm }) => ({ op: 'MSR_IMM' as const, field: f.name, imm: Math.min(imm, f.maxImm) })),
  // Data processing beyond the first subset.
  fc
    .record({ op: pick('ADD_EXT', 'ADDS_EXT', 'SUB_EXT', 'SUBS_EXT'), sf: bool, rd: spReg, rn: spReg, rm: zrReg, extend: pick('uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'), shift: fc.integer({ min: 0, max: 4 }) })
    .map((f) => ({ ...f, rd: f.op.includes('S_') && f.rd === SP ? ZR : f.rd })),
  fc.record({ op: pick('ADC', 'ADCS', 'SBC', 'SBCS'), sf: bool, rd: zrReg, rn: zrReg, rm: zrReg }),
  fc.record({ op: pick('CCMN_REG', 'CCMP_REG'), sf: bool, rn: zrReg, rm: zrReg, nzcv: fc.integer({ min: 0, max: 15 }), cond: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ op: pick('CCMN_IMM', 'CCMP_IMM'), sf: bool, rn: zrReg, imm: fc.integer({ min: 0, max: 31 }), nzcv: fc.integer({ min: 0, max: 15 }), cond: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ op: pick('RBIT', 'REV16', 'REV', 'CLZ', 'CLS'), sf: bool, rd: zrReg, rn: zrReg }),
  fc.record({ op: pick('REV32'), sf: fc.constant(true), rd: zrReg, rn: zrReg }),
  fc.record({ op: pick('SMADDL', 'SMSUBL', 'UMADDL', 'UMSUBL'), rd: zrReg, rn: zrReg, rm: zrReg, ra: zrReg }),
  fc.record({ op: pick('SMULH', 'UMULH'), rd: zrReg, rn: zrReg, rm: zrReg }),
  fc.record({ op: pick('CRC32B', 'CRC32H', 'CRC32W', 'CRC32X', 'CRC32CB', 'CRC32CH', 'CRC32CW', 'CRC32CX'), rd: zrReg, rn: zrReg, rm: zrReg }),
) as fc.Arbitrary<InsnFields>;

describe('encode → decode', () => {
  it('returns the same fields for random valid instruction fields of every form', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const word = encode(f);
        expect(decode(word)).toEqual({ ...f, word });
      }),
      { numRuns: 10000 },
    );
  });
});

/** Random words over the table rows: each row's fixed bits, random elsewhere. */
const rowWord = fc.tuple(fc.integer({ min: 0, max: ENCODINGS.length - 1 }), fc.integer({ min: 0, max: 0xffffffff })).map(([i, r]) => ((r & ~ENCODINGS[i].mask) | ENCODINGS[i].match) >>> 0);

describe('decode → encode', () => {
  it('re-encodes every decodable word to itself (logical immediates: to the canonical encoding of the same value)', () => {
    fc.assert(
      fc.property(rowWord, (w) => {
        const d = decode(w);
        if (d.op === 'UNDEFINED') return;
        const again = encode(d);
        expect(decode(again)).toEqual({ ...d, word: again });
        // SMULH/UMULH ignore their Ra field (should be 11111): it re-encodes as 11111.
        if (d.op === 'SMULH' || d.op === 'UMULH') return;
        // The exclusives ignore their must-be-ones Rs/Rt2 (as objdump does); encode writes ones.
        const ignored = loadStoreExclusive.keys.includes(d.op) ? ignoredBits(d.op as LoadStoreExclusive['op']) : 0;
        // V_COPY: DUP (general) and INS (element) ignore some index bits, which decode as 0.
        if (d.op === 'V_COPY') return;
        if (!d.op.endsWith('_IMM') || d.op === 'ADD_IMM' || d.op === 'SUB_IMM' || d.op === 'ADDS_IMM' || d.op === 'SUBS_IMM' || d.op === 'MSR_IMM') expect((again & ~ignored) >>> 0).toBe((w & ~ignored) >>> 0);
      }),
      { numRuns: 10000 },
    );
  });
});

describe('disassemble → assemble', () => {
  it('assembles the disassembly of a decodable word back to the same instruction', () => {
    fc.assert(
      fc.property(rowWord, fc.integer({ min: 0, max: 0x3fffffff }).map((k) => BigInt(k) * 4n), (w, pc) => {
        const d = decode(w);
        if (d.op === 'UNDEFINED') return;
        // GNU as refuses to write a read-only register; so does kvmsim's assembler.
        if (d.op === 'MSR' && SYS_REGS.get(d.sysreg)?.readOnly) return;
        // A TLBI without a register: objdump leaves Rt out whatever it holds, GNU as writes 31.
        if (d.op === 'TLBI' && d.rt !== ZR && !TLBI_OPS.find((o) => o.name === d.sysOp)!.takesReg) return;
        const text = disassemble(w, pc);
        const again = new DataView(assemble(text, { base: pc }).bytes.buffer).getUint32(0, true);
        expect({ text, fields: decode(again) }).toEqual({ text, fields: { ...d, word: again } });
      }),
      { numRuns: 10000 },
    );
  });

  it('knows every hint name objdump prints', () => {
    for (const [imm, name] of HINT_NAMES) expect(decode(new DataView(assemble(name).bytes.buffer).getUint32(0, true))).toMatchObject({ imm });
  });
});
