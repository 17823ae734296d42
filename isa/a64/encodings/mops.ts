/**
 * ARMv8.8's memory copy and set instructions (FEAT_MOPS): CPYF, CPY, SET and SETG (with MTE) in
 * every variant, the prologue/main/epilogue triples a compiler emits for memcpy and memset. A
 * Cortex-A72 has none: decoded and printed as objdump does, UNDEFINED when executed.
 */
import { bits } from '../bits';
import type { MemoryCopySet } from '../insn';
import { EncodingError, checkReg, checkUnsigned, fmt, regName, type Encoding } from './encoding';

const STAGES: readonly MemoryCopySet['stage'][] = ['P', 'M', 'E'];
/** CPY's op2: bits 1:0 say which side is unprivileged, bits 3:2 which is non-temporal. */
const CPY_ACCESS = ['', 'wt', 'rt', 't'];
const CPY_TEMPORAL = ['', 'wn', 'rn', 'n'];
const SET_OPTIONS = ['', 't', 'n', 'tn'];

export function mopsMnemonic(i: MemoryCopySet): string {
  const base = `${i.op.toLowerCase()}${i.stage.toLowerCase()}`;
  if (i.op === 'CPY' || i.op === 'CPYF') return base + CPY_ACCESS[i.options & 3] + CPY_TEMPORAL[i.options >> 2];
  return base + SET_OPTIONS[i.options];
}

/** Three distinct registers, none 31 (Rs may be XZR in SET: the value stored). */
function registersValid(op: MemoryCopySet['op'], rd: number, rs: number, rn: number): boolean {
  const set = op === 'SET' || op === 'SETG';
  return rd !== 31 && rn !== 31 && (set || rs !== 31) && rd !== rs && rd !== rn && rs !== rn;
}

/** 00 011 o0 01 op1 0 Rs op2 01 Rn Rd: op1 0-2 CPY{F}{P,M,E} (o0 = 1 CPY), 3 SET (o0 = 1 SETG). */
export const memoryCopySet: Encoding<MemoryCopySet> = {
  name: 'memory copy and set (FEAT_MOPS)',
  mask: 0xfb200c00,
  match: 0x19000400,
  keys: ['CPY', 'CPYF', 'SET', 'SETG'],
  decode(w) {
    const [o0, op1, rs, op2, rn, rd] = [bits(w, 26, 26), bits(w, 23, 22), bits(w, 20, 16), bits(w, 15, 12), bits(w, 9, 5), bits(w, 4, 0)];
    const set = op1 === 3;
    const op = set ? (o0 ? 'SETG' : 'SET') : o0 ? 'CPY' : 'CPYF';
    const stage = STAGES[set ? op2 >> 2 : op1];
    if (stage === undefined || !registersValid(op, rd, rs, rn)) return undefined;
    return { op, word: w, stage, options: set ? op2 & 3 : op2, rd, rs, rn };
  },
  format(i) {
    const x = (r: number) => regName(r, true);
    if (i.op === 'SET' || i.op === 'SETG') return fmt(mopsMnemonic(i), `[${x(i.rd)}]!, ${x(i.rn)}!, ${x(i.rs)}`);
    return fmt(mopsMnemonic(i), `[${x(i.rd)}]!, [${x(i.rs)}]!, ${x(i.rn)}!`);
  },
  encode(i) {
    const set = i.op === 'SET' || i.op === 'SETG';
    const stage = STAGES.indexOf(i.stage);
    if (stage < 0) throw new EncodingError(`MOPS stage ${String(i.stage)} is not P, M or E`);
    checkUnsigned(i.options, set ? 2 : 4, `${i.op} options`);
    [i.rd, i.rs, i.rn].forEach((r, k) => checkReg(r, ['Rd', 'Rs', 'Rn'][k]));
    if (!registersValid(i.op, i.rd, i.rs, i.rn)) throw new EncodingError(`${mopsMnemonic(i)} needs three different registers, none SP or XZR${set ? ' (but the value, Xs, may be XZR)' : ''}`);
    const o0 = i.op === 'CPY' || i.op === 'SETG' ? 1 << 26 : 0;
    const op1 = set ? 3 : stage;
    const op2 = set ? (stage << 2) | i.options : i.options;
    return (0x19000400 | o0 | (op1 << 22) | (i.rs << 16) | (op2 << 12) | (i.rn << 5) | i.rd) >>> 0;
  },
};
