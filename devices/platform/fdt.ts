/**
 * A flattened device tree (Devicetree Specification v0.4, chapter 5): nodes with ordered
 * properties, encoded as the version-17 blob that Linux, U-Boot and kvm-unit-tests read from x0
 * (or from the start of RAM), and as the source text `dtc -I dtb -O dts` prints for it.
 */
import { InputError } from '../../core';

/** A property's value: raw bytes (what the blob holds). */
export type FdtValue = Uint8Array;

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const HEADER_SIZE = 40;
const VERSION = 17;
const LAST_COMP_VERSION = 16;

/** `<a b c>`: 32-bit big-endian cells. */
export function cells(...values: readonly number[]): FdtValue {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new InputError(`device tree cell ${v} is not a 32-bit unsigned integer`);
    dv.setUint32(i * 4, v);
  });
  return out;
}

/** 64-bit values as pairs of cells (high, low), as `#address-cells = <2>` reg entries are. */
export function cells64(...values: readonly number[]): FdtValue {
  return cells(...values.flatMap((v) => [Math.floor(v / 2 ** 32), v % 2 ** 32]));
}

/** `"a"` or `"a", "b"`: NUL-terminated strings. */
export function strings(...values: readonly string[]): FdtValue {
  for (const s of values) if (s.includes('\0')) throw new InputError(`device tree string ${JSON.stringify(s)} contains a NUL`);
  return new TextEncoder().encode(values.map((s) => `${s}\0`).join(''));
}

/** A property with no value (`interrupt-controller;`). */
export const EMPTY: FdtValue = new Uint8Array(0);

/** One node: a name (`cpu@0`), properties in the order they print, children. */
export class FdtNode {
  private readonly props = new Map<string, FdtValue>();
  private readonly kids: FdtNode[] = [];

  constructor(readonly name: string) {
    if (name !== '/' && (name.includes('/') || name.includes('\0'))) throw new InputError(`device tree node name '${name}' may not contain '/' or NUL`);
  }

  get properties(): ReadonlyMap<string, FdtValue> {
    return this.props;
  }

  get children(): readonly FdtNode[] {
    return this.kids;
  }

  /** Sets (or replaces, keeping its place) a property. */
  set(name: string, value: FdtValue): this {
    this.props.set(name, value);
    return this;
  }

  /** The child named `name`, created (appended) when there is none. */
  child(name: string): FdtNode {
    const found = this.kids.find((k) => k.name === name);
    if (found !== undefined) return found;
    const node = new FdtNode(name);
    this.kids.push(node);
    return node;
  }

  /** The node at a path below this one (`cpus/cpu@0`), or undefined. */
  find(path: string): FdtNode | undefined {
    let node: FdtNode | undefined = this;
    for (const part of path.split('/').filter((p) => p !== '')) node = node?.kids.find((k) => k.name === part);
    return node;
  }
}

export interface FdtBlobOptions {
  /** The boot CPU's physical ID (its `reg`), in the header. */
  bootCpuId?: number;
  /** Memory reservation block entries: [address, size]. */
  reserve?: readonly (readonly [number, number])[];
  /** Pad the blob with zeros to this total size (QEMU's trees are 1 MiB, free space included). */
  totalSize?: number;
}

/** The version-17 blob of `root`. Property names are shared in the strings block, as dtc shares them. */
export function encodeFdt(root: FdtNode, opts: FdtBlobOptions = {}): Uint8Array {
  const strOffsets = new Map<string, number>();
  const strParts: string[] = [];
  let strSize = 0;
  const nameOffset = (name: string): number => {
    let off = strOffsets.get(name);
    if (off === undefined) {
      off = strSize;
      strOffsets.set(name, off);
      strParts.push(`${name}\0`);
      strSize += new TextEncoder().encode(name).length + 1;
    }
    return off;
  };
  const words: number[] = [];
  const pushBytes = (b: Uint8Array): void => {
    const padded = new Uint8Array(Math.ceil(b.length / 4) * 4);
    padded.set(b);
    const dv = new DataView(padded.buffer);
    for (let i = 0; i < padded.length; i += 4) words.push(dv.getUint32(i));
  };
  const walk = (node: FdtNode, isRoot: boolean): void => {
    words.push(FDT_BEGIN_NODE);
    pushBytes(new TextEncoder().encode(`${isRoot ? '' : node.name}\0`));
    for (const [name, value] of node.properties) {
      words.push(FDT_PROP, value.length, nameOffset(name));
      pushBytes(value);
    }
    for (const k of node.children) walk(k, false);
    words.push(FDT_END_NODE);
  };
  walk(root, true);
  words.push(FDT_END);

  const reserve = [...(opts.reserve ?? []), [0, 0] as const];
  const rsvOff = Math.ceil(HEADER_SIZE / 8) * 8;
  const structOff = rsvOff + reserve.length * 16;
  const structSize = words.length * 4;
  const stringsOff = structOff + structSize;
  const stringsBytes = new TextEncoder().encode(strParts.join(''));
  const total = Math.max(stringsOff + stringsBytes.length, opts.totalSize ?? 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const header = [FDT_MAGIC, total, structOff, stringsOff, rsvOff, VERSION, LAST_COMP_VERSION, opts.bootCpuId ?? 0, stringsBytes.length, structSize];
  header.forEach((v, i) => dv.setUint32(i * 4, v));
  reserve.forEach(([addr, size], i) => {
    dv.setBigUint64(rsvOff + i * 16, BigInt(addr));
    dv.setBigUint64(rsvOff + i * 16 + 8, BigInt(size));
  });
  words.forEach((w, i) => dv.setUint32(structOff + i * 4, w));
  out.set(stringsBytes, stringsOff);
  return out;
}

/** Reads a blob back (for tests, and `kvmsim dtb --check`): the root node. */
export function decodeFdt(blob: Uint8Array): FdtNode {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const bad = (why: string): never => {
    throw new InputError(`not a device tree blob: ${why}`);
  };
  if (blob.length < HEADER_SIZE || dv.getUint32(0) !== FDT_MAGIC) bad('no FDT magic 0xd00dfeed');
  const structOff = dv.getUint32(8);
  const stringsOff = dv.getUint32(12);
  const dec = new TextDecoder();
  const cstr = (at: number): [string, number] => {
    let end = at;
    while (end < blob.length && blob[end] !== 0) end++;
    if (end >= blob.length) bad(`unterminated string at offset ${at}`);
    return [dec.decode(blob.subarray(at, end)), end + 1];
  };
  let p = structOff;
  const word = (): number => {
    if (p + 4 > blob.length) bad('truncated structure block');
    const w = dv.getUint32(p);
    p += 4;
    return w;
  };
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  for (;;) {
    const token = word();
    if (token === FDT_BEGIN_NODE) {
      const [name, next] = cstr(p);
      p = (next + 3) & ~3;
      const node = stack.length === 0 ? new FdtNode(name === '' ? '/' : name) : stack[stack.length - 1].child(name);
      if (stack.length === 0) root = node;
      stack.push(node);
    } else if (token === FDT_PROP) {
      const len = word();
      const [name] = cstr(stringsOff + word());
      if (stack.length === 0) bad('a property outside every node');
      stack[stack.length - 1].set(name, blob.slice(p, p + len));
      p = (p + len + 3) & ~3;
    } else if (token === FDT_END_NODE) {
      if (stack.pop() === undefined) bad('an end of node without a node');
    } else if (token === 4 /* FDT_NOP */) {
      continue;
    } else if (token === FDT_END) {
      break;
    } else bad(`token 0x${token.toString(16)} at offset ${p - 4}`);
  }
  if (root === undefined || stack.length !== 0) bad('unbalanced nodes');
  return root!;
}

/** A value as dtc prints it: strings when it is printable NUL-terminated text, else cells, else bytes. */
function formatValue(v: FdtValue): string {
  if (v.length === 0) return '';
  const text = new TextDecoder().decode(v);
  const printable = v[v.length - 1] === 0 && v[0] !== 0 && /^([\x20-\x7e]+\0)+$/.test(text) && !text.includes('\0\0');
  if (printable) return ` = "${text.slice(0, -1).split('\0').join('\\0')}"`;
  if (v.length % 4 === 0) {
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const cs: string[] = [];
    for (let i = 0; i < v.length; i += 4) cs.push(`0x${dv.getUint32(i).toString(16).padStart(2, '0')}`);
    return ` = <${cs.join(' ')}>`;
  }
  return ` = [${[...v].map((b) => b.toString(16).padStart(2, '0')).join(' ')}]`;
}

/** Source text as `dtc -I dtb -O dts` prints the blob of `root` (no memory reservations). */
export function formatDts(root: FdtNode): string {
  const lines = ['/dts-v1/;', ''];
  const walk = (node: FdtNode, depth: number, isRoot: boolean): void => {
    const ind = '\t'.repeat(depth);
    lines.push(`${ind}${isRoot ? '/' : node.name} {`);
    for (const [name, value] of node.properties) lines.push(`${ind}\t${name}${formatValue(value)};`);
    for (const k of node.children) {
      lines.push('');
      walk(k, depth + 1, false);
    }
    lines.push(`${ind}};`);
  };
  walk(root, 0, true);
  return `${lines.join('\n')}\n`;
}
