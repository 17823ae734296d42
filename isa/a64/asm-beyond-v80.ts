/**
 * Assembler handlers for the encodings beyond ARMv8.0 (insn.ts, "beyond ARMv8.0"): the LSE
 * atomics and their ST<op> aliases, CAS/CASP, LDAPR, LDAPUR/STLUR, SB, WFET/WFIT, spelled as
 * GNU as accepts them (with `.arch armv8.7-a` or the matching `+lse`/`+rcpc` extensions).
 */
import type { AsmResult, Ops } from './asm-insns';
import { ExprError } from './expr';
import { mopsMnemonic } from './encodings/mops';
import { SYS_V8X_OPS } from './encodings/system-v8x';
import { SP, ZR, type AtomicOpName, type InsnFields } from './insn';
import type { MemOperand } from './operands';

type Handler = (ops: Ops, mnemonic: string) => AsmResult;

const fail = (msg: string): never => {
  throw new ExprError(msg);
};

/** `[Xn|SP]` or `[Xn|SP, #0]`: the only address the atomics take. */
function baseOnly(ops: Ops, i: number): number {
  const m: MemOperand = ops.mem(i);
  if (m.pre || m.index !== undefined || (m.offset !== undefined && ops.ctx.value(m.offset.expr) !== 0n)) fail(`${ops.mnemonic} takes a base register only, [Xn|SP], not '${m.text}'`);
  return m.base.num;
}

const SIZE_OF: Readonly<Record<string, 0 | 1>> = { b: 0, h: 1 };
const ORDERS: readonly [string, boolean, boolean][] = [['', false, false], ['a', true, false], ['l', false, true], ['al', true, true]];

/** The register width of a W/X form: `b`/`h` take W registers, others W (size 2) or X (size 3). */
function sizeFor(ops: Ops, sizeLetter: string, i: number): { size: 0 | 1 | 2 | 3; x: boolean } {
  if (sizeLetter !== '') return { size: SIZE_OF[sizeLetter], x: false };
  const x = ops.reg(i, 'any', 'zr').is64;
  return { size: x ? 3 : 2, x };
}

function ldOp(atomic: AtomicOpName, acquire: boolean, release: boolean, sz: string): Handler {
  return (ops) => {
    ops.expect(3, 'Rs, Rt, [Xn|SP]');
    const { size, x } = sizeFor(ops, sz, 0);
    const w = x ? 'x' : 'w';
    return { op: 'LSE_ATOMIC', atomic, size, acquire, release, rs: ops.reg(0, w, 'zr').num, rt: ops.reg(1, w, 'zr').num, rn: baseOnly(ops, 2) };
  };
}

function stOp(atomic: AtomicOpName, release: boolean, sz: string): Handler {
  return (ops) => {
    ops.expect(2, 'Rs, [Xn|SP]');
    const { size, x } = sizeFor(ops, sz, 0);
    return { op: 'LSE_ATOMIC', atomic, size, acquire: false, release, rs: ops.reg(0, x ? 'x' : 'w', 'zr').num, rt: ZR, rn: baseOnly(ops, 1) };
  };
}

function cas(acquire: boolean, release: boolean, sz: string): Handler {
  return (ops) => {
    ops.expect(3, 'Rs, Rt, [Xn|SP]');
    const { size, x } = sizeFor(ops, sz, 0);
    const w = x ? 'x' : 'w';
    return { op: 'CAS', size, acquire, release, rs: ops.reg(0, w, 'zr').num, rt: ops.reg(1, w, 'zr').num, rn: baseOnly(ops, 2) };
  };
}

function casp(acquire: boolean, release: boolean): Handler {
  return (ops) => {
    ops.expect(5, 'Rs, Rs+1, Rt, Rt+1, [Xn|SP]');
    const sf = ops.reg(0, 'any', 'zr').is64;
    const w = sf ? 'x' : 'w';
    const [rs, rs1, rt, rt1] = [0, 1, 2, 3].map((i) => ops.reg(i, w, 'zr').num);
    if (rs1 !== rs + 1 || rt1 !== rt + 1) fail(`${ops.mnemonic} takes consecutive register pairs (x0, x1, x2, x3, [x4])`);
    return { op: 'CASP', sf, acquire, release, rs, rt, rn: baseOnly(ops, 4) };
  };
}

function ldapr(sz: string): Handler {
  return (ops) => {
    ops.expect(2, 'Rt, [Xn|SP]');
    const { size } = sizeFor(ops, sz, 0);
    return { op: 'LDAPR', size, rt: ops.reg(0, size === 3 ? 'x' : 'w', 'zr').num, rn: baseOnly(ops, 1) };
  };
}

/** LDAPUR{B,H,SB,SH,SW} / STLUR{B,H}: Rt, [Xn|SP{, #simm9}]. */
function rcpc(op: 'LDAPUR' | 'STLUR', suffix: string): Handler {
  return (ops) => {
    ops.expect(2, 'Rt, [Xn|SP{, #simm9}]');
    const signed = suffix.startsWith('s');
    const letter = signed ? suffix.slice(1) : suffix;
    const rt = ops.reg(0, signed ? 'any' : letter === '' ? 'any' : 'w', 'zr');
    const size = letter === 'b' ? 0 : letter === 'h' ? 1 : letter === 'w' ? 2 : rt.is64 ? 3 : 2;
    if (letter === 'w' && !rt.is64) fail(`${ops.mnemonic} takes an X register`);
    const m = ops.mem(1);
    if (m.pre || m.index !== undefined) fail(`${ops.mnemonic} takes [Xn|SP{, #simm9}], not '${m.text}'`);
    const imm = m.offset === undefined ? 0 : Number(ops.ctx.value(m.offset.expr));
    return { op, size, signed, sf: rt.is64, rt: rt.num, rn: m.base.num === ZR ? fail('the base cannot be xzr') : m.base.num, imm } as InsnFields;
  };
}

function waitTimeout(op: 'WFET' | 'WFIT'): Handler {
  return (ops) => {
    ops.expect(1, 'Xt');
    return { op, rt: ops.reg(0, 'x', 'zr').num };
  };
}

function ls64(op: 'LD64B' | 'ST64B' | 'ST64BV' | 'ST64BV0'): Handler {
  return (ops) => {
    const withRs = op === 'ST64BV' || op === 'ST64BV0';
    ops.expect(withRs ? 3 : 2, withRs ? 'Xs, Xt, [Xn|SP]' : 'Xt, [Xn|SP]');
    const rs = withRs ? ops.reg(0, 'x', 'zr').num : ZR;
    const k = withRs ? 1 : 0;
    return { op, rs, rt: ops.reg(k, 'x', 'zr').num, rn: baseOnly(ops, k + 1) };
  };
}

/** Xt|SP: the tag source of STG and friends (register 31 is SP there). */
function memoryTag(op: 'STG' | 'STZG' | 'ST2G' | 'STZ2G' | 'LDG' | 'STGM' | 'STZGM' | 'LDGM'): Handler {
  return (ops) => {
    const store = op === 'STG' || op === 'STZG' || op === 'ST2G' || op === 'STZ2G';
    ops.expect(store ? [2, 3] : 2, store ? 'Xt|SP, [Xn|SP{, #imm}] / [Xn|SP, #imm]! / [Xn|SP], #imm' : 'Xt, [Xn|SP{, #imm}]');
    const rt = ops.reg(0, 'x', store ? 'sp' : 'zr').num;
    const m = ops.mem(1);
    if (m.index !== undefined) fail(`${ops.mnemonic} has no register-offset form`);
    const rn = m.base.num;
    if (ops.length === 3) {
      if (m.pre || m.offset !== undefined) fail(`post-index needs [Xn], #imm, not '${m.text}', ...`);
      return { op, mode: 'post', rt, rn, imm: Number(ops.imm(2)) };
    }
    const imm = m.offset === undefined ? 0 : Number(ops.ctx.value(m.offset.expr));
    if (!store && m.pre) fail(`${ops.mnemonic} has no pre-index form`);
    return { op, mode: m.pre ? 'pre' : 'offset', rt, rn, imm };
  };
}

function pacBranch(op: 'BRA' | 'BLRA', key: 'A' | 'B', zero: boolean): Handler {
  return (ops) => {
    ops.expect(zero ? 1 : 2, zero ? 'Xn' : 'Xn, Xm|SP');
    return { op, key, zero, rn: ops.reg(0, 'x', 'zr').num, rm: zero ? ZR : ops.reg(1, 'x', 'sp').num };
  };
}

function pacLoad(key: 'A' | 'B'): Handler {
  return (ops) => {
    ops.expect(2, 'Xt, [Xn|SP{, #simm}]{!}');
    const m = ops.mem(1);
    if (m.index !== undefined) fail(`${ops.mnemonic} has no register-offset form`);
    const imm = m.offset === undefined ? 0 : Number(ops.ctx.value(m.offset.expr));
    return { op: 'LDRA', key, rt: ops.reg(0, 'x', 'zr').num, rn: m.base.num, imm, writeback: m.pre };
  };
}

const NXS_OPTIONS = ['oshnxs', 'nshnxs', 'ishnxs', 'synxs'];

/** `dsb ishnxs` (FEAT_XS) beside the ARMv8.0 options `base` handles. */
export function withNxs(base: Handler): Handler {
  return (ops, mnemonic) => {
    const o = ops.list[0];
    const option = ops.length === 1 && o.kind === 'imm' && !o.hash && o.expr.k === 'sym' ? NXS_OPTIONS.indexOf(o.expr.name.toLowerCase()) : -1;
    return option < 0 ? base(ops, mnemonic) : { op: 'DSB_NXS', option };
  };
}

/** `dc cvap, Xt`, `dc gva, Xt`... (SYS_V8X_OPS) beside the DC operations `base` handles. */
export function withSysV8x(base: Handler): Handler {
  return (ops, mnemonic) => {
    const o = ops.list[0];
    const name = ops.length === 2 && o.kind === 'imm' && !o.hash && o.expr.k === 'sym' ? `${mnemonic.toLowerCase()} ${o.expr.name.toLowerCase()}` : '';
    if (!SYS_V8X_OPS.some((op) => op[1] === name)) return base(ops, mnemonic);
    return { op: 'SYS_V8X', operation: name, rt: ops.reg(1, 'x', 'zr').num };
  };
}

const noSuchOp: Handler = (ops, mnemonic) => fail(`${mnemonic} takes rctx, Xt`);

/** bc.eq / bc.ne ...: BC.cond (FEAT_HBC). */
export function bcCond(cond: number): Handler {
  return (ops) => {
    ops.expect(1, 'label');
    return { op: 'BC_COND', cond, imm: ops.offset(0) };
  };
}

/** `[Xd]!`: a base register with writeback and nothing else. */
function writebackBase(ops: Ops, i: number): number {
  const m = ops.mem(i);
  if (!m.pre || m.offset !== undefined || m.index !== undefined) fail(`operand ${i + 1} of ${ops.mnemonic} must be [Xn]!, not '${m.text}'`);
  return m.base.num;
}

/** `Xn!`. */
function writebackReg(ops: Ops, i: number): number {
  const o = ops.at(i);
  if (o.kind !== 'reg!') return fail(`operand ${i + 1} of ${ops.mnemonic} must be an X register written back, like x2!, not '${o.text}'`);
  if (!o.reg.is64 || o.reg.num === SP) fail(`operand ${i + 1} of ${ops.mnemonic} must be an X register, not '${o.reg.text}'`);
  return o.reg.num;
}

function mops(op: 'CPY' | 'CPYF' | 'SET' | 'SETG', stage: 'P' | 'M' | 'E', options: number): Handler {
  return (ops) => {
    if (op === 'SET' || op === 'SETG') {
      ops.expect(3, '[Xd]!, Xn!, Xs');
      return { op, stage, options, rd: writebackBase(ops, 0), rn: writebackReg(ops, 1), rs: ops.reg(2, 'x', 'zr').num };
    }
    ops.expect(3, '[Xd]!, [Xs]!, Xn!');
    return { op, stage, options, rd: writebackBase(ops, 0), rs: writebackBase(ops, 1), rn: writebackReg(ops, 2) };
  };
}

const ATOMICS: readonly AtomicOpName[] = ['ADD', 'CLR', 'EOR', 'SET', 'SMAX', 'SMIN', 'UMAX', 'UMIN'];

export const BEYOND_V80_HANDLERS: ReadonlyMap<string, Handler> = (() => {
  const m = new Map<string, Handler>();
  for (const sz of ['', 'b', 'h']) {
    for (const [order, acquire, release] of ORDERS) {
      for (const a of ATOMICS) m.set(`ld${a.toLowerCase()}${order}${sz}`, ldOp(a, acquire, release, sz));
      m.set(`swp${order}${sz}`, ldOp('SWP', acquire, release, sz));
      m.set(`cas${order}${sz}`, cas(acquire, release, sz));
      if (sz === '') m.set(`casp${order}`, casp(acquire, release));
    }
    for (const a of ATOMICS) for (const l of ['', 'l']) m.set(`st${a.toLowerCase()}${l}${sz}`, stOp(a, l === 'l', sz));
    m.set(`ldapr${sz}`, ldapr(sz));
    m.set(`stlur${sz}`, rcpc('STLUR', sz));
    m.set(`ldapur${sz}`, rcpc('LDAPUR', sz));
  }
  for (const s of ['sb', 'sh', 'sw']) m.set(`ldapur${s}`, rcpc('LDAPUR', s));
  m.set('sb', (ops) => {
    ops.expect(0, 'no operands');
    return { op: 'SB' };
  });
  for (const op of ['LD64B', 'ST64B', 'ST64BV', 'ST64BV0'] as const) m.set(op.toLowerCase(), ls64(op));
  for (const op of ['STG', 'STZG', 'ST2G', 'STZ2G', 'LDG', 'STGM', 'STZGM', 'LDGM'] as const) m.set(op.toLowerCase(), memoryTag(op));
  for (const key of ['A', 'B'] as const) {
    const k = key.toLowerCase();
    m.set(`bra${k}`, pacBranch('BRA', key, false));
    m.set(`bra${k}z`, pacBranch('BRA', key, true));
    m.set(`blra${k}`, pacBranch('BLRA', key, false));
    m.set(`blra${k}z`, pacBranch('BLRA', key, true));
    m.set(`reta${k}`, (ops) => (ops.expect(0, 'no operands'), { op: 'RETA', key, zero: true, rn: ZR, rm: ZR }));
    m.set(`ereta${k}`, (ops) => (ops.expect(0, 'no operands'), { op: 'ERETA', key, zero: true, rn: ZR, rm: ZR }));
    m.set(`ldra${k}`, pacLoad(key));
  }
  for (const op of ['cfp', 'dvp', 'cpp']) m.set(op, withSysV8x(noSuchOp));
  m.set('tstart', (ops) => (ops.expect(1, 'Xt'), { op: 'TSTART', rt: ops.reg(0, 'x', 'zr').num, imm: 0 }));
  m.set('ttest', (ops) => (ops.expect(1, 'Xt'), { op: 'TTEST', rt: ops.reg(0, 'x', 'zr').num, imm: 0 }));
  m.set('tcommit', (ops) => (ops.expect(0, 'no operands'), { op: 'TCOMMIT', rt: ZR, imm: 0 }));
  m.set('tcancel', (ops) => (ops.expect(1, '#imm16'), { op: 'TCANCEL', rt: ZR, imm: ops.small(0, 0, 0xffff, 'TCANCEL reason') }));
  for (const stage of ['P', 'M', 'E'] as const) {
    for (let options = 0; options < 16; options++) {
      for (const op of ['CPY', 'CPYF'] as const) m.set(mopsMnemonic({ op, stage, options, rd: 0, rs: 0, rn: 0 }), mops(op, stage, options));
      if (options < 4) for (const op of ['SET', 'SETG'] as const) m.set(mopsMnemonic({ op, stage, options, rd: 0, rs: 0, rn: 0 }), mops(op, stage, options));
    }
  }
  m.set('wfet', waitTimeout('WFET'));
  m.set('wfit', waitTimeout('WFIT'));
  return m;
})();

