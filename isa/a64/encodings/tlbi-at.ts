/**
 * The SYS instructions of address translation: TLB maintenance (TLBI, op0=1 CRn=8) and the
 * address translation instructions (AT, CRn=7 CRm=8 and 9). Every name GNU objdump gives is
 * decoded (the ARMv8.4 outer-shareable and range forms, and the EL2/EL3 ones, included: a
 * Cortex-A72 at EL1 executes only the ARMv8.0 EL1 ones, the core makes the rest UNDEFINED).
 * SYS words of CRn=8 with no name stay undefined here (objdump prints them as `sys`).
 */
import { bits } from '../bits';
import type { AtInsn, TlbiInsn } from '../insn';
import { EncodingError, encZR, fmt, regName, type Encoding } from './encoding';

/** A TLBI or AT operation: its name and op1/CRm/op2; `takesReg` false when Xt is not used. */
export interface SysOpInfo {
  readonly name: string;
  readonly op1: number;
  readonly crm: number;
  readonly op2: number;
  readonly takesReg: boolean;
}

function ops(op1: number, crm: number, list: string): SysOpInfo[] {
  // `op2:name` pairs; a trailing `-` marks an operation without a register.
  return list.split(' ').map((e) => {
    const [op2, name] = e.split(':');
    return { name: name.replace('-', '').toUpperCase(), op1, crm, op2: Number(op2), takesReg: !name.endsWith('-') };
  });
}

/** Every TLBI operation objdump names (op0=1, CRn=8). */
export const TLBI_OPS: readonly SysOpInfo[] = [
  ...ops(0, 1, '0:vmalle1os- 1:vae1os 2:aside1os 3:vaae1os 5:vale1os 7:vaale1os'),
  ...ops(0, 2, '1:rvae1is 3:rvaae1is 5:rvale1is 7:rvaale1is'),
  ...ops(0, 3, '0:vmalle1is- 1:vae1is 2:aside1is 3:vaae1is 5:vale1is 7:vaale1is'),
  ...ops(0, 5, '1:rvae1os 3:rvaae1os 5:rvale1os 7:rvaale1os'),
  ...ops(0, 6, '1:rvae1 3:rvaae1 5:rvale1 7:rvaale1'),
  ...ops(0, 7, '0:vmalle1- 1:vae1 2:aside1 3:vaae1 5:vale1 7:vaale1'),
  ...ops(4, 0, '1:ipas2e1is 2:ripas2e1is 5:ipas2le1is 6:ripas2le1is'),
  ...ops(4, 1, '0:alle2os- 1:vae2os 4:alle1os- 5:vale2os 6:vmalls12e1os-'),
  ...ops(4, 2, '1:rvae2is 5:rvale2is'),
  ...ops(4, 3, '0:alle2is- 1:vae2is 4:alle1is- 5:vale2is 6:vmalls12e1is-'),
  ...ops(4, 4, '0:ipas2e1os 1:ipas2e1 2:ripas2e1 3:ripas2e1os 4:ipas2le1os 5:ipas2le1 6:ripas2le1 7:ripas2le1os'),
  ...ops(4, 5, '1:rvae2os 5:rvale2os'),
  ...ops(4, 6, '1:rvae2 5:rvale2'),
  ...ops(4, 7, '0:alle2- 1:vae2 4:alle1- 5:vale2 6:vmalls12e1-'),
  ...ops(6, 1, '0:alle3os- 1:vae3os 4:paallos- 5:vale3os'),
  ...ops(6, 2, '1:rvae3is 5:rvale3is'),
  ...ops(6, 3, '0:alle3is- 1:vae3is 5:vale3is'),
  ...ops(6, 4, '3:rpaos 7:rpalos'),
  ...ops(6, 5, '1:rvae3os 5:rvale3os'),
  ...ops(6, 6, '1:rvae3 5:rvale3'),
  ...ops(6, 7, '0:alle3- 1:vae3 4:paall- 5:vale3'),
];

/** Every AT operation objdump names (op0=1, CRn=7, CRm=8 or 9). */
export const AT_OPS: readonly SysOpInfo[] = [
  ...ops(0, 8, '0:s1e1r 1:s1e1w 2:s1e0r 3:s1e0w'),
  ...ops(0, 9, '0:s1e1rp 1:s1e1wp'),
  ...ops(4, 8, '0:s1e2r 1:s1e2w 4:s12e1r 5:s12e1w 6:s12e0r 7:s12e0w'),
  ...ops(6, 8, '0:s1e3r 1:s1e3w'),
];

function sysOpRow<I extends TlbiInsn | AtInsn>(op: I['op'], name: string, mask: number, match: number, crn: number, table: readonly SysOpInfo[]): Encoding<I> {
  const byFields = new Map(table.map((o) => [`${o.op1}/${o.crm}/${o.op2}`, o]));
  const byName = new Map(table.map((o) => [o.name, o]));
  return {
    name,
    mask,
    match,
    keys: [op],
    decode(w) {
      const info = byFields.get(`${bits(w, 18, 16)}/${bits(w, 11, 8)}/${bits(w, 7, 5)}`);
      if (info === undefined) return undefined;
      return { op, word: w, sysOp: info.name, rt: bits(w, 4, 0) } as unknown as I & { word: number };
    },
    format(i) {
      const info = byName.get(i.sysOp)!;
      // objdump leaves Xt out for operations without one, whatever Rt holds.
      return fmt(op.toLowerCase(), info.takesReg ? `${i.sysOp.toLowerCase()}, ${regName(i.rt, true)}` : i.sysOp.toLowerCase());
    },
    encode(i) {
      const info = byName.get(i.sysOp);
      if (info === undefined) throw new EncodingError(`${String(i.sysOp)} is not a ${op} operation`);
      return (0xd5080000 | (info.op1 << 16) | (crn << 12) | (info.crm << 8) | (info.op2 << 5) | encZR(i.rt, true, 'Rt')) >>> 0;
    },
  };
}

/** TLBI: SYS with CRn=8 (L=0). */
export const tlbiRow = sysOpRow<TlbiInsn>('TLBI', 'SYS: TLBI', 0xfff8f000, 0xd5088000, 8, TLBI_OPS);
/** AT: SYS with CRn=7, CRm=8 or 9 (L=0). */
export const atRow = sysOpRow<AtInsn>('AT', 'SYS: AT', 0xfff8fe00, 0xd5087800, 7, AT_OPS);
