/**
 * The differential generator's `beyond-v80` group: encodings of later architecture versions
 * (LSE atomics, CAS/CASP, LDAPR, LDAPUR/STLUR, SB, WFET/WFIT, LS64, DSB nXS, BC.cond, the PAuth
 * branches and LDRAA/LDRAB, MTE's tag loads and stores, DC CVAP/CVADP, MTE's DC operations, CFP/DVP/CPP RCTX, TME, MOPS) that a Cortex-A72 does not
 * implement. Each must be UNDEFINED on both QEMU (`-cpu cortex-a72`) and kvmsim: the harness's
 * synchronous-exception vector skips an EC=0 exception and counts it in the scratch buffer's last
 * word (harness.ts), so the state printed after the sequence shows how many were taken and that
 * none changed a register or memory.
 */
import { encode, type Rng } from '../../index';
import { SYS_V8X_OPS } from '../../isa/a64/encodings/system-v8x';
import { BASES, FREE, type GenInsn } from './generate';

export const BEYOND_V80_FORMS = [
  'LSE_ATOMIC', 'CAS', 'CASP', 'LDAPR', 'LDAPUR', 'STLUR', 'SB', 'WFET', 'WFIT', 'LS64', 'DSB_NXS', 'BC_COND',
  'BRA', 'BLRA', 'RETA', 'ERETA', 'LDRA', 'MTE', 'SYS_V8X', 'TME', 'MOPS',
] as const;

const MTE_OPS = ['STG', 'STZG', 'ST2G', 'STZ2G', 'LDG', 'STGM', 'STZGM', 'LDGM'] as const;

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
    case 'LS64': {
      const op = pick(['LD64B', 'ST64B', 'ST64BV', 'ST64BV0'] as const);
      return g({ op, rs: op === 'ST64BV' || op === 'ST64BV0' ? reg() : 31, rt: reg(), rn });
    }
    case 'DSB_NXS':
      return g({ op: 'DSB_NXS', option: rng.nextInt(4) });
    case 'BC_COND':
      // Never taken (UNDEFINED): the target is the next instruction either way.
      return g({ op: 'BC_COND', cond: rng.nextInt(16), imm: 4 });
    case 'BRA':
    case 'BLRA': {
      const zero = bool();
      return g({ op: form, key: bool() ? 'B' : 'A', zero, rn: reg(), rm: zero ? 31 : rng.nextInt(16) === 0 ? 32 : pick(FREE) });
    }
    case 'RETA':
    case 'ERETA':
      return g({ op: form, key: bool() ? 'B' : 'A', zero: true, rn: 31, rm: 31 });
    case 'LDRA':
      return g({ op: 'LDRA', key: bool() ? 'B' : 'A', rt: reg(), rn, imm: (rng.nextInt(1024) - 512) * 8, writeback: bool() });
    case 'SYS_V8X':
      return g({ op: 'SYS_V8X', operation: pick(SYS_V8X_OPS)[1], rt: pick(BASES) });
    case 'MOPS': {
      // Three different registers, none of them a memory base (FREE has neither x27 nor x28).
      const pool = FREE;
      const a = pick(pool);
      const b = pick(pool.filter((r) => r !== a));
      const c = pick(pool.filter((r) => r !== a && r !== b));
      const op = pick(['CPY', 'CPYF', 'SET', 'SETG'] as const);
      const set = op === 'SET' || op === 'SETG';
      return g({ op, stage: pick(['P', 'M', 'E'] as const), options: rng.nextInt(set ? 4 : 16), rd: a, rs: set && rng.nextInt(8) === 0 ? 31 : b, rn: c });
    }
    case 'TME': {
      const op = pick(['TSTART', 'TTEST', 'TCOMMIT', 'TCANCEL'] as const);
      return g({ op, rt: op === 'TSTART' || op === 'TTEST' ? reg() : 31, imm: op === 'TCANCEL' ? rng.nextInt(0x10000) : 0 });
    }
    case 'MTE': {
      const op = pick(MTE_OPS);
      if (op === 'LDG') return g({ op, mode: 'offset', rt: reg(), rn, imm: (rng.nextInt(512) - 256) * 16 });
      if (op === 'STGM' || op === 'STZGM' || op === 'LDGM') return g({ op, mode: 'offset', rt: reg(), rn, imm: 0 });
      return g({ op, mode: pick(['offset', 'pre', 'post'] as const), rt: rng.nextInt(16) === 0 ? 32 : pick(FREE), rn, imm: (rng.nextInt(512) - 256) * 16 });
    }
  }
  throw new Error(`beyond-v80: unknown form ${form}`);
}
