import * as fs from 'fs';
import * as path from 'path';
/**
 * A two-pass assembler for the A64 subset, in GNU as syntax: labels (and numeric local labels
 * `1:` / `1b` / `1f`), `//`, `/* *\/` and `#`-line comments, `;` between statements, `=`/.equ/.set
 * constants, and the directives a guest image needs (.word .quad .byte .hword .ascii .asciz
 * .align .balign .p2align .org .skip .inst .global .text), and literal pools (`ldr x0, =value`,
 * written at .ltorg / .pool and at the end: literal-pool.ts). Pass 1 lays out addresses, pass 2
 * encodes through the shared encoding table. Every error names its line.
 */
import { InputError } from '../../core';
import { MASK64, hex } from './bits';
import { handlerFor, Ops, type AsmResult } from './asm-insns';
import { encode } from './decoder';
import { EncodingError } from './encodings';
import { ExprError, evaluate, parseExpr, type EvalContext, type Expr, type Value } from './expr';
import { LiteralPools, type DumpedPool, type PoolEntry } from './literal-pool';
import { parseOperand, splitTopLevel, type ImmOperand, type Operand } from './operands';

export interface AssembleOptions {
  /** Address of the first byte (default 0). */
  base?: number | bigint;
  /** File name used in error messages, and the folder `.include` paths are relative to. */
  file?: string;
  /**
   * Reads a file named by `.include "name"` in `from` (undefined for source given inline).
   * Default: read it from disk relative to the including file's folder (or the working folder).
   */
  include?: (name: string, from: string | undefined) => { file: string; source: string };
}

/** GNU as nests `.include` at most this deep; deeper is surely a cycle. */
const MAX_INCLUDE_DEPTH = 16;

/** Reads `name` relative to the including file's folder (the working folder for inline source). */
export function includeFromDisk(name: string, from: string | undefined): { file: string; source: string } {
  const file = from !== undefined ? path.join(path.dirname(from), name) : name;
  try {
    return { file, source: fs.readFileSync(path.resolve(file), 'utf8') };
  } catch {
    throw new ExprError(`.include "${name}": cannot read ${path.resolve(file)}`);
  }
}

/** One statement that produced bytes, for listings. */
export interface ListingEntry {
  readonly line: number;
  readonly address: bigint;
  readonly bytes: Uint8Array;
  /** The statement's text, without comments. */
  readonly source: string;
  /** True for an instruction (its bytes are one little-endian word). */
  readonly insn: boolean;
}

export interface AssembleResult {
  /** The image, starting at `base`. */
  readonly bytes: Uint8Array;
  readonly base: bigint;
  /** Labels (addresses) and constants (.equ, =), by name. */
  readonly symbols: ReadonlyMap<string, bigint>;
  /** Names declared with .global/.globl. */
  readonly globals: readonly string[];
  readonly listing: readonly ListingEntry[];
}

export interface AsmIssue {
  readonly file?: string;
  readonly line: number;
  readonly message: string;
}

export function formatAsmIssue(i: AsmIssue): string {
  return `${i.file !== undefined ? `${i.file}: ` : ''}line ${i.line}: ${i.message}`;
}

/** Source that does not assemble; lists every problem found, each with its line. Exit code 2. */
export class AsmError extends InputError {
  constructor(readonly issues: readonly AsmIssue[]) {
    super(issues.length === 1 ? formatAsmIssue(issues[0]) : `${issues.length} errors:\n${issues.map((i) => '  ' + formatAsmIssue(i)).join('\n')}`);
  }
  /** Line of the first problem. */
  get line(): number {
    return this.issues[0].line;
  }
}

// ---------------------------------------------------------------- source → statements

interface Statement {
  readonly line: number;
  readonly source: string;
  readonly labels: string[];
  readonly kind: 'none' | 'insn' | 'directive' | 'assign';
  readonly name: string;
  readonly args: string;
  operands?: Operand[];
  /** Offset from base, after any alignment padding of an instruction. */
  offset: number;
  size: number;
  /** Zero bytes inserted before an instruction to align it to 4. */
  pad: number;
  /** `ldr Rt, =value`: its literal pool entry. */
  literal?: PoolEntry;
  /** `.ltorg` / `.pool` (and the end of the section): the pools written there. */
  pools?: DumpedPool[];
}

/** Removes comments (keeping line structure) and splits into `;`-separated statements. */
function splitSource(source: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let line = 1;
  let cur = '';
  let inBlock = false;
  let quote: string | undefined;
  const flush = () => {
    for (const part of splitStatements(cur)) if (part.trim() !== '') out.push({ line, text: part.trim() });
    cur = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\n') {
      if (quote !== undefined) quote = undefined; // an unterminated string ends with its line
      flush();
      line++;
      continue;
    }
    if (inBlock) {
      if (c === '*' && source[i + 1] === '/') {
        inBlock = false;
        i++;
        cur += ' ';
      }
      continue;
    }
    if (quote !== undefined) {
      cur += c;
      if (c === '\\' && i + 1 < source.length && source[i + 1] !== '\n') cur += source[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"') {
      quote = c;
      cur += c;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i + 1 < source.length && source[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      inBlock = true;
      i++;
      continue;
    }
    if (c === '#' && cur.trim() === '' && !/[^\s;]/.test(cur)) {
      // '#' first on a line is a comment (GNU's line_comment_chars).
      while (i + 1 < source.length && source[i + 1] !== '\n') i++;
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}

function splitStatements(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === '"') {
      quote = c;
      cur += c;
    } else if (c === "'" && i + 1 < text.length) {
      // A character constant: 'c or 'c' — keep ';' or '"' inside it.
      cur += c + text[i + 1];
      i++;
      if (text[i] === '\\' && i + 1 < text.length) cur += text[++i];
    } else if (c === ';') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const LABEL_RE = /^([A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)\s*:(?!:)/;
const ASSIGN_RE = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(?!=)\s*(.*)$/;

function parseStatement(line: number, text: string): Statement {
  const labels: string[] = [];
  let rest = text;
  for (let m = LABEL_RE.exec(rest); m !== null; m = LABEL_RE.exec(rest)) {
    labels.push(m[1]);
    rest = rest.slice(m[0].length).trim();
  }
  const base = { line, source: text, labels, offset: 0, size: 0, pad: 0 };
  if (rest === '') return { ...base, kind: 'none', name: '', args: '' };
  const assign = ASSIGN_RE.exec(rest);
  if (assign !== null) return { ...base, kind: 'assign', name: assign[1], args: assign[2] };
  const m = /^(\S+)\s*(.*)$/.exec(rest)!;
  const name = m[1].toLowerCase();
  return { ...base, kind: name.startsWith('.') ? 'directive' : 'insn', name, args: m[2].trim() };
}

// ---------------------------------------------------------------- strings

function parseStrings(args: string): Uint8Array {
  const out: number[] = [];
  for (const part of splitTopLevel(args)) {
    if (!/^".*"$/s.test(part) || part.length < 2) throw new ExprError(`expected a "string", got '${part}'`);
    const body = part.slice(1, -1);
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c === '"') throw new ExprError(`unescaped '"' inside ${part}`);
      if (c !== '\\') {
        out.push(...Buffer.from(c, 'utf8'));
        continue;
      }
      const e = body[++i];
      if (e === undefined) throw new ExprError(`string ${part} ends with a lone backslash`);
      const simple: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, '\\': 92, '"': 34, "'": 39 };
      if (e in simple) out.push(simple[e]);
      else if (e === 'x' || e === 'X') {
        const m = /^[0-9a-fA-F]+/.exec(body.slice(i + 1));
        if (m === null) throw new ExprError(`\\x without hex digits in ${part}`);
        out.push(parseInt(m[0].slice(-2), 16));
        i += m[0].length;
      } else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
        out.push(parseInt(m[0], 8) & 0xff);
        i += m[0].length - 1;
      } else out.push(...Buffer.from(e, 'utf8'));
    }
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------- the assembler

const DATA_SIZES: Readonly<Record<string, number>> = {
  '.byte': 1,
  '.hword': 2,
  '.short': 2,
  '.half': 2,
  '.2byte': 2,
  '.word': 4,
  '.long': 4,
  '.int': 4,
  '.4byte': 4,
  '.quad': 8,
  '.xword': 8,
  '.dword': 8,
  '.8byte': 8,
};

const IGNORED = new Set(['.text', '.global', '.globl', '.type', '.size', '.arch', '.cpu', '.file', '.ident', '.local', '.weak', '.hidden', '.p2alignw', '.end']);

const NOP_WORD = 0xd503201f;

type SymbolDef = { kind: 'label'; value: bigint; line: number } | { kind: 'equ'; expr: Expr; dot: bigint; index: number; line: number };

class Assembly {
  readonly base: bigint;
  readonly file?: string;
  readonly issues: AsmIssue[] = [];
  readonly statements: Statement[] = [];
  readonly symbols = new Map<string, SymbolDef>();
  readonly locals = new Map<number, { index: number; address: bigint }[]>();
  readonly globals: string[] = [];
  private resolving = new Set<string>();
  private readonly literals = new LiteralPools();
  /** The statement being processed (for `.` and local labels). */
  private index = 0;
  private dot = 0n;

  constructor(source: string, options: AssembleOptions) {
    const given = options.base ?? 0;
    if (typeof given === 'number' && !Number.isSafeInteger(given)) throw new InputError(`base address ${given} is not an integer address`);
    const base = BigInt(given);
    if (base < 0n || base > MASK64) throw new InputError(`base address ${given} is not a 64-bit address`);
    this.base = base;
    this.file = options.file;
    this.read(source, options.file, options.include ?? includeFromDisk, 0);
  }

  /**
   * Statements carry a location id (an index into `locations`), so that lines of included
   * files are reported with their own file and line.
   */
  private readonly locations: { file?: string; line: number }[] = [];
  private readonly issueOrder = new Map<AsmIssue, number>();

  private read(source: string, file: string | undefined, include: NonNullable<AssembleOptions['include']>, depth: number): void {
    for (const { line, text } of splitSource(source)) {
      const loc = this.locations.length;
      this.locations.push({ file, line });
      try {
        const inc = /^\.include\s+"([^"]+)"$/.exec(text);
        if (inc !== null) {
          if (depth >= MAX_INCLUDE_DEPTH) throw new ExprError(`.include "${inc[1]}": nested more than ${MAX_INCLUDE_DEPTH} deep (an include cycle?)`);
          const r = include(inc[1], file);
          this.read(r.source, r.file, include, depth + 1);
          continue;
        }
        const st = parseStatement(loc, text);
        if (st.kind === 'insn') st.operands = st.args === '' ? [] : splitTopLevel(st.args).map(parseOperand);
        this.statements.push(st);
      } catch (e) {
        this.report(loc, e);
      }
    }
  }

  /** `file: line N` of a location id, for messages. */
  where(loc: number): string {
    const l = this.locations[loc];
    return l === undefined ? `line ${loc}` : l.file !== undefined && l.file !== this.file ? `${l.file} line ${l.line}` : `line ${l.line}`;
  }

  /** The source line of a location id. */
  lineOf(loc: number): number {
    return this.locations[loc]?.line ?? loc;
  }

  report(loc: number, e: unknown): void {
    if (e instanceof ExprError || e instanceof EncodingError) this.issue(loc, e.message);
    else throw e;
  }

  issue(loc: number, message: string): void {
    const l = this.locations[loc];
    const i: AsmIssue = { file: l?.file ?? this.file, line: l?.line ?? loc, message };
    this.issues.push(i);
    this.issueOrder.set(i, loc);
  }

  /** Issues in source order (pass 2 reports after pass 1). */
  sortedIssues(): AsmIssue[] {
    return [...this.issues].sort((a, b) => (this.issueOrder.get(a) ?? 0) - (this.issueOrder.get(b) ?? 0));
  }

  fail(msg: string): never {
    throw new ExprError(msg);
  }

  // -- symbols

  private localValue(n: number, dir: 'b' | 'f'): bigint | undefined {
    const defs = this.locals.get(n) ?? [];
    if (dir === 'b') {
      for (let k = defs.length - 1; k >= 0; k--) if (defs[k].index <= this.index) return defs[k].address;
      return undefined;
    }
    return defs.find((d) => d.index > this.index)?.address;
  }

  private evalContext(): EvalContext {
    return { symbol: (name) => this.symbolValue(name), local: (n, dir) => this.localValue(n, dir), dot: this.dot };
  }

  symbolValue(name: string): Value | undefined {
    const d = this.symbols.get(name);
    if (d === undefined) return undefined;
    if (d.kind === 'label') return { v: d.value, rel: 1 };
    if (this.resolving.has(name)) this.fail(`symbol '${name}' is defined in terms of itself`);
    this.resolving.add(name);
    const [savedIndex, savedDot] = [this.index, this.dot];
    try {
      this.index = d.index;
      this.dot = d.dot;
      return evaluate(d.expr, this.evalContext());
    } finally {
      this.resolving.delete(name);
      [this.index, this.dot] = [savedIndex, savedDot];
    }
  }

  value(e: Expr): Value {
    return evaluate(e, this.evalContext());
  }

  define(name: string, def: SymbolDef): void {
    const prev = this.symbols.get(name);
    if (prev !== undefined) this.fail(`symbol '${name}' is already defined on ${this.where(prev.line)}`);
    this.symbols.set(name, def);
  }

  // -- pass 1: layout

  layout(): void {
    let offset = 0;
    this.statements.forEach((st, index) => {
      this.index = index;
      try {
        st.pad = st.kind === 'insn' ? (4 - ((Number((this.base + BigInt(offset)) & 3n)) % 4)) % 4 : 0;
        offset += st.pad;
        st.offset = offset;
        this.dot = this.base + BigInt(offset);
        for (const label of st.labels) {
          if (/^[0-9]+$/.test(label)) {
            const list = this.locals.get(Number(label)) ?? [];
            list.push({ index, address: this.dot });
            this.locals.set(Number(label), list);
          } else this.define(label, { kind: 'label', value: this.dot, line: st.line });
        }
        st.size = this.sizeOf(st, offset);
        offset += st.size;
      } catch (e) {
        st.size = 0;
        this.report(st.line, e);
      }
    });
    // The literal pools still open are written at the end of the section, as GNU as does.
    if (!this.literals.empty) {
      const loc = this.statements[this.statements.length - 1].line;
      const st: Statement = { line: loc, source: '.ltorg (end of section)', labels: [], kind: 'directive', name: '.ltorg', args: '', offset, size: 0, pad: 0 };
      this.statements.push(st);
      this.index = this.statements.length - 1;
      this.dot = this.base + BigInt(offset);
      st.size = this.sizeOf(st, offset);
    }
  }

  /** `ldr Rt, =value`: a literal pool entry of Rt's size (4 for LDRSW), shared with an equal one. */
  private addLiteral(st: Statement): void {
    const ops = st.operands ?? [];
    const rt = ops[0];
    if ((st.name !== 'ldr' && st.name !== 'ldrsw') || ops.length !== 2 || ops[1].kind !== 'pool' || rt?.kind !== 'reg')
      this.fail(`'=value' (a literal pool load) takes the form ldr Wt/Xt, =value or ldrsw Xt, =value`);
    const text = ops[1].text.slice(1).trim();
    const expr = parseExpr(text);
    let key = `expr:${text}`;
    try {
      const v = this.value(expr);
      if (v.rel === 0) key = `const:${v.v}`;
    } catch (e) {
      if (!(e instanceof ExprError)) throw e; // a forward reference: known by its text
    }
    st.literal = this.literals.add(st.name === 'ldrsw' || !rt.is64 ? 4 : 8, key, expr, this.index, this.dot, st.line);
  }

  /** A pool entry's bytes; an error is reported on its LDR's line. */
  private literalBytes(e: PoolEntry): Uint8Array {
    try {
      return le(this.literalValue(e), e.size);
    } catch (err) {
      this.report(e.line, err);
      return new Uint8Array(e.size);
    }
  }

  /** A pool entry's value, evaluated where its LDR is. */
  private literalValue(e: PoolEntry): bigint {
    const [savedIndex, savedDot] = [this.index, this.dot];
    try {
      this.index = e.index;
      this.dot = e.dot;
      const v = this.value(e.expr).v;
      const bitsN = BigInt(e.size * 8);
      if (v < -(1n << (bitsN - 1n)) || v >= 1n << bitsN) this.fail(`literal pool value ${v} does not fit in ${e.size} bytes`);
      return BigInt.asUintN(e.size * 8, v);
    } finally {
      [this.index, this.dot] = [savedIndex, savedDot];
    }
  }

  /** An absolute value needed during layout (alignment, .org, .skip). */
  private layoutValue(text: string, what: string): bigint {
    try {
      return this.value(parseExpr(text)).v;
    } catch (e) {
      if (e instanceof ExprError && /undefined symbol|no local label/.test(e.message)) this.fail(`${what}: ${e.message} (its value must be known where it is used)`);
      throw e;
    }
  }

  private args(st: Statement, min: number, max: number): string[] {
    const a = st.args === '' ? [] : splitTopLevel(st.args);
    if (a.length < min || a.length > max) this.fail(`${st.name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${a.length}`);
    return a;
  }

  private sizeOf(st: Statement, offset: number): number {
    if (st.kind === 'none') return 0;
    if (st.kind === 'insn') {
      if (st.operands?.some((o) => o.kind === 'pool')) this.addLiteral(st);
      return 4;
    }
    if (st.kind === 'assign') {
      this.define(st.name, { kind: 'equ', expr: parseExpr(st.args), dot: this.dot, index: this.index, line: st.line });
      return 0;
    }
    const d = st.name;
    if (d in DATA_SIZES) return this.args(st, 1, Infinity).length * DATA_SIZES[d];
    switch (d) {
      case '.ascii':
        return parseStrings(st.args).length;
      case '.asciz':
      case '.string':
        return parseStrings(st.args).length + splitTopLevel(st.args).length;
      case '.inst':
        return 4 * this.args(st, 1, Infinity).length;
      case '.equ':
      case '.set': {
        const [name, expr] = this.args(st, 2, 2);
        if (!/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(name)) this.fail(`'${name}' is not a symbol name`);
        this.define(name, { kind: 'equ', expr: parseExpr(expr), dot: this.dot, index: this.index, line: st.line });
        return 0;
      }
      case '.global':
      case '.globl':
        for (const g of this.args(st, 1, Infinity)) this.globals.push(g);
        return 0;
      case '.section': {
        const [name] = this.args(st, 1, Infinity);
        if (name !== '.text' && !name.startsWith('.text.')) this.fail(`only the .text section is supported, not '${name}'`);
        return 0;
      }
      case '.data':
      case '.bss':
      case '.rodata':
        return this.fail(`only the .text section is supported (${d} would start another section)`);
      case '.align':
      case '.p2align':
      case '.balign': {
        const a = this.args(st, 1, 3);
        const n = this.layoutValue(a[0], d);
        let align: bigint;
        if (d === '.balign') {
          if (n < 1n || (n & (n - 1n)) !== 0n) this.fail(`.balign ${n}: alignment must be a power of two`);
          align = n;
        } else {
          if (n < 0n || n > 16n) this.fail(`${d} ${n}: the power of two must be 0 to 16`);
          align = 1n << n;
        }
        const addr = this.base + BigInt(offset);
        const pad = Number((align - (addr % align)) % align);
        const max = a[2] !== undefined && a[2] !== '' ? this.layoutValue(a[2], `${d} maximum`) : undefined;
        return max !== undefined && BigInt(pad) > max ? 0 : pad;
      }
      case '.org': {
        const a = this.args(st, 1, 2);
        const v = this.value(parseExpr(a[0]));
        const target = v.rel === 1 ? v.v - this.base : v.rel === 0 ? v.v : this.fail(`.org ${a[0]}: not an offset or an address`);
        if (target < BigInt(offset)) this.fail(`.org ${a[0]} (offset ${hex(target)}) would move backwards from offset ${hex(offset)}`);
        if (target - BigInt(offset) > 1n << 30n) this.fail(`.org ${a[0]} is more than 1 GiB ahead`);
        return Number(target) - offset;
      }
      case '.skip':
      case '.space': {
        const a = this.args(st, 1, 2);
        const n = this.layoutValue(a[0], d);
        if (n < 0n || n > 1n << 30n) this.fail(`${d} ${n}: size out of range`);
        return Number(n);
      }
      case '.ltorg':
      case '.pool': {
        this.args(st, 0, 0);
        const { pools, size } = this.literals.dump(this.base, offset);
        st.pools = pools;
        return size;
      }
      case '.fill': {
        const a = this.args(st, 1, 3);
        const repeat = this.layoutValue(a[0], '.fill repeat');
        const size = a[1] !== undefined ? this.layoutValue(a[1], '.fill size') : 1n;
        if (repeat < 0n || size < 0n || size > 8n || repeat * size > 1n << 30n) this.fail(`.fill ${st.args}: repeat or size out of range (size at most 8)`);
        return Number(repeat * size);
      }
    }
    if (IGNORED.has(d)) return 0;
    return this.fail(`unknown directive '${d}'`);
  }

  // -- pass 2: bytes

  emit(): { bytes: Uint8Array; listing: ListingEntry[] } {
    const last = this.statements[this.statements.length - 1];
    const total = last === undefined ? 0 : last.offset + last.size;
    const bytes = new Uint8Array(total);
    const listing: ListingEntry[] = [];
    this.statements.forEach((st, index) => {
      if (st.size === 0 && st.kind !== 'insn') return;
      this.index = index;
      this.dot = this.base + BigInt(st.offset);
      try {
        const out = this.bytesOf(st);
        if (out.length !== st.size) throw new Error(`internal: ${this.where(st.line)} sized ${st.size}, emitted ${out.length}`);
        bytes.set(out, st.offset);
        listing.push({ line: this.lineOf(st.line), address: this.dot, bytes: out, source: st.source, insn: st.kind === 'insn' });
      } catch (e) {
        this.report(st.line, e);
      }
    });
    return { bytes, listing };
  }

  private int(text: string, size: number): bigint {
    const v = this.value(parseExpr(text)).v;
    const bitsN = BigInt(size * 8);
    if (v < -(1n << (bitsN - 1n)) || v >= 1n << bitsN) this.fail(`value ${v} does not fit in ${size} byte${size > 1 ? 's' : ''}`);
    return BigInt.asUintN(size * 8, v);
  }

  private bytesOf(st: Statement): Uint8Array {
    if (st.kind === 'insn') return le(this.assembleInsn(st), 4);
    const d = st.name;
    if (d in DATA_SIZES) {
      const size = DATA_SIZES[d];
      return concat(splitTopLevel(st.args).map((a) => le(this.int(a, size), size)));
    }
    switch (d) {
      case '.ascii':
        return parseStrings(st.args);
      case '.asciz':
      case '.string':
        return concat(splitTopLevel(st.args).map((s) => concat([parseStrings(s), new Uint8Array(1)])));
      case '.inst':
        return concat(splitTopLevel(st.args).map((a) => le(this.int(a, 4), 4)));
      case '.align':
      case '.p2align':
      case '.balign': {
        const a = splitTopLevel(st.args);
        if (a[1] !== undefined && a[1] !== '') return new Uint8Array(st.size).fill(Number(this.int(a[1], 1)));
        return codeFill(this.dot, st.size);
      }
      case '.org':
      case '.skip':
      case '.space': {
        const a = splitTopLevel(st.args);
        return new Uint8Array(st.size).fill(a[1] !== undefined ? Number(this.int(a[1], 1)) : 0);
      }
      case '.ltorg':
      case '.pool':
        return concat((st.pools ?? []).flatMap((p) => [new Uint8Array(p.pad), ...p.entries.map((e) => this.literalBytes(e))]));
      case '.fill': {
        const a = splitTopLevel(st.args);
        const size = a[1] !== undefined ? Number(this.value(parseExpr(a[1])).v) : 1;
        const value = a[2] !== undefined ? this.int(a[2], 8) : 0n;
        const one = le(BigInt.asUintN(size * 8, value), size);
        return concat(Array.from({ length: st.size / Math.max(size, 1) }, () => one));
      }
    }
    return new Uint8Array(0);
  }

  private assembleInsn(st: Statement): bigint {
    const handler = handlerFor(st.name) ?? this.fail(`unknown instruction '${st.name}'`);
    let operands = st.operands ?? [];
    const lit = st.literal;
    if (lit !== undefined) {
      // `=value` becomes the address of its pool entry: LDR (literal).
      const target: ImmOperand = { kind: 'imm', expr: parseExpr(`0x${(this.base + BigInt(lit.offset)).toString(16)}`), hash: false, lo12: false, text: '' };
      operands = operands.map((o) => (o.kind === 'pool' ? { ...target, text: o.text } : o));
    }
    const ops = new Ops(operands, { pc: this.dot, value: (e) => this.value(e).v }, st.name);
    const r: AsmResult = handler(ops, st.name);
    if ('raw' in r) return BigInt(r.raw);
    return BigInt(encode(r));
  }

  /** Constants and labels by name; reports constants that cannot be evaluated. */
  symbolTable(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [name, def] of this.symbols) {
      try {
        out.set(name, this.symbolValue(name)!.v);
      } catch (e) {
        this.report(def.line, e);
      }
    }
    for (const g of this.globals) if (!this.symbols.has(g)) this.issue(this.lineOfGlobal(g), `.global ${g}: symbol is never defined`);
    return out;
  }

  private lineOfGlobal(name: string): number {
    return this.statements.find((s) => (s.name === '.global' || s.name === '.globl') && splitTopLevel(s.args).includes(name))?.line ?? 0;
  }
}

function le(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** GNU as pads code with zero bytes up to a word boundary, then NOPs. */
function codeFill(address: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const zeros = Math.min(size, Number((4n - (address % 4n)) % 4n));
  for (let at = zeros; at + 4 <= size; at += 4) out.set(le(BigInt(NOP_WORD), 4), at);
  return out;
}

function run(source: string, options: AssembleOptions): { result?: AssembleResult; issues: AsmIssue[] } {
  const asm = new Assembly(source, options);
  if (asm.issues.length === 0) asm.layout();
  if (asm.issues.length > 0) return { issues: asm.sortedIssues() };
  const { bytes, listing } = asm.emit();
  const symbols = asm.symbolTable();
  if (asm.issues.length > 0) return { issues: asm.sortedIssues() };
  return { result: { bytes, base: asm.base, symbols, globals: asm.globals, listing }, issues: [] };
}

/**
 * Assembles `source` (GNU as syntax) into a flat image at `options.base`. Throws AsmError (an
 * InputError: exit code 2) listing every problem with its line.
 */
export function assemble(source: string, options: AssembleOptions = {}): AssembleResult {
  const { result, issues } = run(source, options);
  if (result === undefined) throw new AsmError(issues);
  return result;
}

/** The problems in `source`, each with its line; empty when it assembles. Never throws for bad source. */
export function checkAssembly(source: string, options: AssembleOptions = {}): AsmIssue[] {
  return run(source, options).issues;
}

/** A listing: address, bytes (instruction words as one hex word), and the source statement. */
export function formatListing(result: AssembleResult): string {
  const lines: string[] = [];
  const width = result.base + BigInt(result.bytes.length) > 0xffffffffn ? 16 : 8;
  for (const e of result.listing) {
    const addr = e.address.toString(16).padStart(width, '0');
    if (e.insn) {
      const w = new DataView(e.bytes.buffer, e.bytes.byteOffset, 4).getUint32(0, true);
      lines.push(`${addr}  ${w.toString(16).padStart(8, '0')}      ${String(e.line).padStart(4)}  ${e.source}`);
      continue;
    }
    for (let i = 0; i < Math.max(e.bytes.length, 1); i += 8) {
      const chunk = [...e.bytes.subarray(i, i + 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      const a = (e.address + BigInt(i)).toString(16).padStart(width, '0');
      lines.push(i === 0 ? `${a}  ${chunk.padEnd(23)}  ${String(e.line).padStart(4)}  ${e.source}` : `${a}  ${chunk}`);
      if (i >= 24 && e.bytes.length > 40) {
        lines.push(`${' '.repeat(width)}  ... (${e.bytes.length} bytes)`);
        break;
      }
    }
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}
