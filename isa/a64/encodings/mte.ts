/**
 * ARMv8.5's memory tagging (FEAT_MTE): the "load/store memory tags" class (STG, STZG, ST2G,
 * STZ2G, LDG, STGM, STZGM, LDGM). A Cortex-A72 has no MTE: decoded and printed, UNDEFINED when
 * executed. (STGP is in the register-pair space, ADDG/SUBG in add/subtract immediate, IRG/GMI/SUBP
 * in data processing (2 source): the rows of those groups own their encodings.)
 */
import { bits, signExtend } from '../bits';
import type { MemoryTag } from '../insn';
import { EncodingError, checkOffset, decSP, encSP, encZR, fmt, regName, type Encoding } from './encoding';

/** By opc: the op2 = 00 form (imm9 = 0 except LDG) and the tag store of the other op2 values. */
const BY_OPC: readonly [MemoryTag['op'], MemoryTag['op']][] = [['STZGM', 'STG'], ['LDG', 'STZG'], ['STGM', 'ST2G'], ['LDGM', 'STZ2G']];
const MODES: readonly (MemoryTag['mode'] | undefined)[] = [undefined, 'post', 'offset', 'pre'];

/** 11011001 opc 1 imm9 op2 Rn Rt. */
export const memoryTag: Encoding<MemoryTag> = {
  name: 'load/store memory tags (FEAT_MTE)',
  mask: 0xff200000,
  match: 0xd9200000,
  keys: ['STG', 'STZG', 'ST2G', 'STZ2G', 'LDG', 'STGM', 'STZGM', 'LDGM'],
  decode(w) {
    const [opc, imm9, op2, rn, rt] = [bits(w, 23, 22), bits(w, 20, 12), bits(w, 11, 10), decSP(bits(w, 9, 5)), bits(w, 4, 0)];
    const imm = signExtend(imm9, 9) * 16;
    if (op2 !== 0) return { op: BY_OPC[opc][1], word: w, mode: MODES[op2]!, rt: rt === 31 ? decSP(rt) : rt, rn, imm };
    const op = BY_OPC[opc][0];
    if (op !== 'LDG' && imm9 !== 0) return undefined;
    return { op, word: w, mode: 'offset', rt, rn, imm };
  },
  format(i) {
    const base = regName(i.rn, true);
    const rt = regName(i.rt, true);
    if (i.op === 'LDG' || i.op === 'STGM' || i.op === 'STZGM' || i.op === 'LDGM') return fmt(i.op.toLowerCase(), `${rt}, ${i.imm === 0 ? `[${base}]` : `[${base}, #${i.imm}]`}`);
    if (i.mode === 'post') return fmt(i.op.toLowerCase(), `${rt}, [${base}], #${i.imm}`);
    if (i.mode === 'pre') return fmt(i.op.toLowerCase(), `${rt}, [${base}, #${i.imm}]!`);
    return fmt(i.op.toLowerCase(), `${rt}, ${i.imm === 0 ? `[${base}]` : `[${base}, #${i.imm}]`}`);
  },
  encode(i) {
    const opc = BY_OPC.findIndex((p) => p.includes(i.op));
    if (opc < 0) throw new EncodingError(`${String(i.op)} is not a memory-tag instruction`);
    const rn = encSP(i.rn, true, 'Rn') << 5;
    if (BY_OPC[opc][0] === i.op) {
      if (i.op !== 'LDG' && i.imm !== 0) throw new EncodingError(`${i.op} takes no offset`);
      if (i.mode !== 'offset') throw new EncodingError(`${i.op} has only the offset form`);
      return (0xd9200000 | (opc << 22) | (checkOffset(i.imm, 9, 16, `${i.op} offset`) << 12) | rn | encZR(i.rt, true, 'Rt')) >>> 0;
    }
    const op2 = MODES.indexOf(i.mode);
    if (op2 < 1) throw new EncodingError(`${i.op} addressing ${String(i.mode)} is not offset, pre or post`);
    // The tag source Xt|SP: register 31 is SP.
    return (0xd9200000 | (opc << 22) | (checkOffset(i.imm, 9, 16, `${i.op} offset`) << 12) | (op2 << 10) | rn | encSP(i.rt, true, 'Rt')) >>> 0;
  },
};
