/**
 * The differential generator's `beyond-v80` group: encodings of later architecture versions
 * (LSE atomics, CAS/CASP, LDAPR, LDAPUR/STLUR, SB, WFET/WFIT) that a Cortex-A72 does not
 * implement. Each must be UNDEFINED on both QEMU (`-cpu cortex-a72`) and kvmsim: the harness's
 * synchronous-exception vector skips an EC=0 exception and counts it in the scratch buffer's last
 * word (harness.ts), so the state printed after the sequence shows how many were taken and that
 * none changed a register or memory.
 */
import { encode, type Rng } from '../../index';
import { BASES, FREE, type GenInsn } from './generate';

export const BEYOND_V80_FORMS = ['LSE_ATOMIC', 'CAS', 'CASP', 'LDAPR', 'LDAPUR', 'STLUR', 'SB', 'WFET', 'WFIT'] as const;

const ATOMICS = ['ADD', 'CLR', 'EOR', 'SET', 'SMAX', 'SMIN', 'UMAX', 'UMIN', 'SWP'] as const;

export function beyondV80Insn(rng: Rng, form: string): GenInsn {
  const pick = <T>(xs: readonly T[]): T => xs[rng.nextInt(xs.length)];
  const reg = () => (rng.nextInt(16) === 0 ? 31 : pick(FREE));
  const bool = () => rng.nextInt(2) === 1;
  const size = () => rng.nextInt(4) as 0 | 1 | 2 | 3;
  const rn = pick(BASES);
  const even = () => 2 * rng.nextInt(13);
  const g = (fields: Parameters<typeof encode>[0]): GenInsn => ({ word: encode(fields), form, group: 'beyond-v80' });
  switch (form) {
    case 'LSE_ATOMIC':
      return g({ op: 'LSE_ATOMIC', atomic: pick(ATOMICS), size: size(), acquire: bool(), release: bool(), rs: reg(), rt: reg(), rn });
    case 'CAS':
      return g({ op: 'CAS', size: size(), acquire: bool(), release: bool(), rs: reg(), rt: reg(), rn });
    case 'CASP':
      return g({ op: 'CASP', sf: bool(), acquire: bool(), release: bool(), rs: even(), rt: even(), rn });
    case 'LDAPR':
      return g({ op: 'LDAPR', size: size(), rt: reg(), rn });
    case 'LDAPUR': {
      const signed = bool();
      const sz = signed ? (rng.nextInt(3) as 0 | 1 | 2) : size();
      const sf = signed ? sz === 2 || bool() : sz === 3;
      return g({ op: 'LDAPUR', size: sz, signed, sf, rt: reg(), rn, imm: rng.nextInt(512) - 256 });
    }
    case 'STLUR': {
      const sz = size();
      return g({ op: 'STLUR', size: sz, signed: false, sf: sz === 3, rt: reg(), rn, imm: rng.nextInt(512) - 256 });
    }
    case 'SB':
      return g({ op: 'SB' });
    case 'WFET':
    case 'WFIT':
      return g({ op: form, rt: reg() });
  }
  throw new Error(`beyond-v80: unknown form ${form}`);
}
