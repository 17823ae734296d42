/**
 * ARMv8.4's LDAPUR/STLUR (FEAT_LRCPC2): load-acquire RCpc and store-release with an unscaled
 * signed offset. Not implemented by a Cortex-A72: decoded and printed, UNDEFINED when executed.
 * (LDAPR, FEAT_LRCPC, is in the atomic-operation space: atomics.ts.)
 */
import { bits, signExtend } from '../bits';
import type { RcpcUnscaled } from '../insn';
import { EncodingError, checkOffset, decSP, encSP, encZR, fmt, regName, type Encoding } from './encoding';

/** size 011001 opc 0 imm9 00 Rn Rt: opc 0 STLUR, 1 LDAPUR, 2 LDAPURS to X, 3 LDAPURS to W. */
export const rcpcUnscaled: Encoding<RcpcUnscaled> = {
  name: 'LDAPR/STLR (unscaled immediate) (FEAT_LRCPC2)',
  mask: 0x3f200c00,
  match: 0x19000000,
  keys: ['LDAPUR', 'STLUR'],
  decode(w) {
    const size = bits(w, 31, 30) as 0 | 1 | 2 | 3;
    const opc = bits(w, 23, 22);
    // Signed loads exist only narrower than the register: no LDAPURS of 8 bytes, nor of 4 into W.
    if ((opc === 2 && size === 3) || (opc === 3 && size >= 2)) return undefined;
    const signed = opc >= 2;
    return { op: opc === 0 ? 'STLUR' : 'LDAPUR', word: w, size, signed, sf: signed ? opc === 2 : size === 3, rt: bits(w, 4, 0), rn: decSP(bits(w, 9, 5)), imm: signExtend(bits(w, 20, 12), 9) };
  },
  format(i) {
    const suffix = (i.signed ? 's' : '') + (i.size === 0 ? 'b' : i.size === 1 ? 'h' : i.size === 2 && i.signed ? 'w' : '');
    const addr = i.imm === 0 ? `[${regName(i.rn, true)}]` : `[${regName(i.rn, true)}, #${i.imm}]`;
    return fmt(`${i.op === 'STLUR' ? 'stlur' : 'ldapur'}${suffix}`, `${regName(i.rt, i.sf)}, ${addr}`);
  },
  encode(i) {
    let opc: number;
    if (i.op === 'STLUR') {
      if (i.signed) throw new EncodingError('STLUR cannot be signed');
      opc = 0;
    } else opc = i.signed ? (i.sf ? 2 : 3) : 1;
    if (![0, 1, 2, 3].includes(i.size) || (opc === 2 && i.size === 3) || (opc === 3 && i.size >= 2)) throw new EncodingError(`${i.op} of ${2 ** i.size} bytes into ${i.sf ? 'X' : 'W'} does not exist`);
    if (!i.signed && i.sf !== (i.size === 3)) throw new EncodingError(`${i.op} of ${2 ** i.size} bytes takes a ${i.size === 3 ? 'X' : 'W'} register`);
    return ((i.size << 30) | 0x19000000 | (opc << 22) | (checkOffset(i.imm, 9, 1, `${i.op} offset`) << 12) | (encSP(i.rn, true, 'Rn') << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
  },
};
