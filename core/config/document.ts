import * as fs from 'fs';
import * as path from 'path';
import { isUtf8 } from 'buffer';
import { isAlias, isMap, isNode, isPair, isScalar, LineCounter, Parser, parseDocument, visit, type CST, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ConfigError, InputError, cut, shown, type ConfigIssue } from '../common/errors';

/** Deepest nesting of lists and maps a config may have (real ones need under 10). */
export const MAX_CONFIG_DEPTH = 64;
/**
 * Most alias expansions (`*name`) a config may make, as the `yaml` package counts them
 * (maxAliasCount): enough for any real config, far too few for a "billion laughs".
 */
export const MAX_ALIAS_COUNT = 1000;

export type DocPath = readonly PropertyKey[];

/** A parsed config file that can say where (line, column) any path inside it is. */
export interface ConfigDocument {
  /** The file name as the user gave it, or `<inline>`. */
  readonly source: string;
  /** Relative paths inside the document resolve against this folder. */
  readonly baseDir: string;
  readonly data: unknown;
  /** 1-based position of the node at `path` (or of the key, for `key: true`). */
  locate(path: DocPath, key?: boolean): { line: number; column: number } | undefined;
  /**
   * Position of line `n` (1-based) of the string at `path`, when it is a literal block scalar
   * (`|`), whose lines are the file's lines; undefined otherwise.
   */
  locateLine?(path: DocPath, n: number): { line: number; column: number } | undefined;
}

/** `scenario[2].run.max_insns` */
export function formatPath(p: DocPath): string {
  let s = '';
  for (const k of p) {
    if (typeof k === 'number') s += `[${k}]`;
    else s += s === '' ? cut(String(k)) : `.${cut(String(k))}`;
  }
  return s;
}

/** Reads a YAML or JSON config. Syntax errors become a ConfigError with line and column. */
export function readConfigDocument(file: string): ConfigDocument {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((e as Error).message);
    throw new InputError(`cannot read config '${file}': ${why}`);
  }
  if (!isUtf8(bytes)) {
    const bad = firstBadUtf8(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, bad - 1) + 1;
    const line = countNewlines(bytes, bad) + 1;
    const column = bytes.subarray(lineStart, bad).toString('utf8').length + 1;
    const byte = `0x${bytes[bad].toString(16).padStart(2, '0')}`;
    throw new ConfigError([{ file, line, column, path: '', message: `not UTF-8 text: byte ${byte} at offset ${bad} is not valid UTF-8 (configs are YAML or JSON text in UTF-8)` }]);
  }
  return parseConfigText(bytes.toString('utf8'), file, path.dirname(path.resolve(file)));
}

/**
 * Parses YAML (JSON is accepted too, as YAML 1.2 is a superset of it). Refuses, with a
 * location, what is not a config: NUL characters, an empty file, nesting deeper than
 * MAX_CONFIG_DEPTH, aliases expanding past MAX_ALIAS_COUNT.
 */
export function parseConfigText(text: string, source: string, baseDir: string): ConfigDocument {
  const at = (offset: number, message: string): ConfigError => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return new ConfigError([{ file: source, line, column, path: '', message }]);
  };
  const nul = text.indexOf('\0');
  if (nul >= 0) throw at(nul, 'a NUL character (\\0) in the file: configs are YAML or JSON text');
  const deep = tooDeep(text);
  if (deep !== undefined) {
    throw at(deep, `nested deeper than ${MAX_CONFIG_DEPTH} levels of lists and maps, the limit for a config`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file: source, line: pos.line, column: pos.col, path: '', message: `syntax error: ${cut(firstLine(e.message))}` };
      }),
    );
  }
  if (doc.contents === null) {
    throw new ConfigError([{ file: source, line: 1, column: 1, path: '', message: 'the file is empty: no config in it (only blank lines or comments)' }]);
  }
  const aliasAt = (): { line?: number; column?: number } => {
    let offset: number | undefined;
    visit(doc, {
      Alias(_k, node) {
        offset = node.range?.[0];
        return visit.BREAK;
      },
    });
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof ReferenceError && /Excessive alias count/.test(e.message)) {
      throw new ConfigError([
        {
          file: source,
          ...aliasAt(),
          path: '',
          message: `aliases (*name) expand to too much: more than ${MAX_ALIAS_COUNT} alias expansions, the limit for a config (the \`yaml\` package's maxAliasCount)`,
        },
      ]);
    }
    if (e instanceof ReferenceError) throw new ConfigError([{ file: source, ...aliasAt(), path: '', message: `syntax error: ${cut(firstLine(e.message))}` }]);
    if (e instanceof RangeError) throw new ConfigError([{ file: source, ...aliasAt(), path: '', message: `aliases (*name) nest lists and maps deeper than ${MAX_CONFIG_DEPTH} levels, the limit for a config` }]);
    throw e;
  }
  if (dataTooDeep(data)) {
    throw new ConfigError([{ file: source, ...aliasAt(), path: '', message: `aliases (*name) nest lists and maps deeper than ${MAX_CONFIG_DEPTH} levels, the limit for a config` }]);
  }
  return new YamlConfigDocument(source, baseDir, doc, lineCounter, data, text);
}

/** True when `data` (aliases expanded) nests deeper than MAX_CONFIG_DEPTH; no recursion. */
function dataTooDeep(data: unknown): boolean {
  const seen = new Map<object, number>();
  const stack: [unknown, number][] = [[data, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > MAX_CONFIG_DEPTH) return true;
    if ((seen.get(v) ?? -1) >= depth) continue; // shared through an alias, already walked as deep
    seen.set(v, depth);
    for (const c of Object.values(v)) stack.push([c, depth + 1]);
  }
  return false;
}

/** Offset of the first list or map nested deeper than MAX_CONFIG_DEPTH, read without recursion. */
function tooDeep(text: string): number | undefined {
  const stack: [CST.Token | undefined, number][] = [];
  for (const token of new Parser().parse(text)) stack.push([token, 0]);
  while (stack.length > 0) {
    const [t, depth] = stack.pop()!;
    if (t === undefined) continue;
    switch (t.type) {
      case 'document':
        stack.push([t.value, depth]);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > MAX_CONFIG_DEPTH) return t.offset;
        for (const it of t.items as { key?: CST.Token | null; value?: CST.Token }[]) {
          stack.push([it.value, depth + 1]);
          if (it.key) stack.push([it.key, depth + 1]);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence. */
function firstBadUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i; // cut short at the end of the file
    let cp = c & (0xff >> (n + 2));
    for (let j = 1; j <= n; j++) {
      const cc = b[i + j];
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}

function countNewlines(b: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 0x0a) n++;
  return n;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

class YamlConfigDocument implements ConfigDocument {
  readonly data: unknown;
  constructor(
    readonly source: string,
    readonly baseDir: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    data: unknown,
    private readonly text: string,
  ) {
    this.data = data;
  }

  locateLine(p: DocPath, n: number): { line: number; column: number } | undefined {
    const node = this.nodeAt(p);
    if (!node.exact || !isScalar(node.node) || node.node.type !== 'BLOCK_LITERAL' || !node.node.range || n < 1) return undefined;
    // The block's lines start on the line after its `|` header.
    const header = this.lines.linePos(node.node.range[0]).line;
    const line = header + n;
    const start = this.lines.lineStarts[line - 1];
    if (start === undefined || start >= node.node.range[1]) return undefined;
    const indent = /^[ ]*/.exec(this.text.slice(start, start + 200))![0].length;
    return { line, column: indent + 1 };
  }

  private nodeAt(p: DocPath): { node: unknown; keyNode: unknown; exact: boolean } {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    let depth = 0;
    for (const k of p) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(k));
        if (pair === undefined) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isNode(node) && 'items' in (node as object) && typeof k === 'number') {
        const items = (node as unknown as { items: unknown[] }).items;
        if (k >= items.length) break;
        keyNode = undefined;
        node = items[k];
      } else break;
      depth++;
    }
    return { node, keyNode, exact: depth === p.length };
  }

  locate(p: DocPath, key = false): { line: number; column: number } | undefined {
    // Walk down as far as the path exists; a missing key is reported at its parent.
    const { node, keyNode } = this.nodeAt(p);
    const target = key && keyNode !== undefined ? keyNode : node;
    const range = isNode(target) ? (target as YamlNode).range : undefined;
    if (!range) return undefined;
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  }
}

/** A document for a config given as an object in code (no positions). */
export function objectConfigDocument(data: unknown, source = '<inline>', baseDir = process.cwd()): ConfigDocument {
  return { source, baseDir, data, locate: () => undefined };
}

/** The value at `p` inside `data`, if any. */
export function valueAt(data: unknown, p: DocPath): unknown {
  let cur = data;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    // Only the value's own keys: `toString` or `constructor` in a path is a key, not a method.
    if (!Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

function describeValue(v: unknown): string {
  return shown(v);
}

/**
 * Turns zod issues into located config issues. `prefix` is where the validated value sits in
 * the document (for step args validated on their own).
 */
export function zodIssues(doc: ConfigDocument, error: z.ZodError, prefix: DocPath = [], schema?: z.ZodType): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of flattenUnions(error.issues)) {
    const rel = issue.path as PropertyKey[];
    const full = [...prefix, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as unknown as { keys: string[] }).keys;
      const valid = schema ? schemaKeysAt(schema, rel) : [];
      const hint = valid.length > 0 ? `; expected one of: ${valid.join(', ')}` : '';
      for (const k of keys) {
        const pos = doc.locate([...full, k], true);
        out.push({ file: doc.source, ...pos, path: formatPath([...full, k]), message: `unknown key '${cut(k)}'${hint}` });
      }
      continue;
    }
    const pos = doc.locate(full);
    const found = valueAt(doc.data, full);
    let message = issue.message;
    if (issue.code === 'invalid_type' && found === undefined) message = `required: ${message.replace(/, received undefined$/, '')}`;
    else if (!/found /.test(message)) message += ` (found ${describeValue(found)})`;
    out.push({ file: doc.source, ...pos, path: formatPath(full), message });
  }
  return out;
}

/**
 * A value matching no branch of a union gets zod's bare "Invalid input"; report instead the
 * issues of the branch that got furthest (deepest path, then fewest issues), which is almost
 * always the one the user meant.
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const branches = issue.code === 'invalid_union' ? (issue as unknown as { errors: z.core.$ZodIssue[][] }).errors : undefined;
    if (branches && branches.length > 0) {
      const depth = (b: z.core.$ZodIssue[]) => Math.max(...b.map((i) => i.path.length + (i.code === 'invalid_type' && i.path.length === 0 ? -1 : 0)));
      const best = [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0];
      out.push(...flattenUnions(best, path));
    } else out.push({ ...issue, path } as z.core.$ZodIssue);
  }
  return out;
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; shape?: Record<string, z.ZodType> };
const defOf = (t: z.ZodType): Def => (t as unknown as { _zod: { def: Def } })._zod.def;

/** The keys an object schema accepts at `p` (through wrappers, arrays, pipes and unions). */
export function schemaKeysAt(schema: z.ZodType, p: DocPath): string[] {
  const objects = (t: z.ZodType | undefined, depth: number): z.ZodType[] => {
    if (t === undefined || depth > 20) return [];
    const d = defOf(t);
    switch (d.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'readonly':
        return objects(d.innerType, depth + 1);
      case 'pipe':
        return objects(d.in, depth + 1);
      case 'union':
        return (d.options ?? []).flatMap((o) => objects(o, depth + 1));
      case 'object':
        return [t];
      default:
        return [];
    }
  };
  let cur: z.ZodType[] = [schema];
  for (const k of p) {
    const next: z.ZodType[] = [];
    for (const t of cur) {
      for (const o of typeof k === 'number' ? [] : objects(t, 0)) {
        const f = (defOf(o).shape ?? {})[String(k)];
        if (f) next.push(f);
      }
      if (typeof k === 'number') {
        const arr = unwrapArray(t);
        if (arr) next.push(arr);
      }
    }
    cur = next;
  }
  return [...new Set(cur.flatMap((t) => objects(t, 0)).flatMap((o) => Object.keys(defOf(o).shape ?? {})))];
}

function unwrapArray(t: z.ZodType): z.ZodType | undefined {
  let d = defOf(t);
  while (d.innerType && d.type !== 'array') d = defOf(d.innerType);
  return d.type === 'array' ? d.element : undefined;
}

/** Validates `doc.data` (or the value at `prefix`) against `schema`, throwing a located ConfigError. */
export function parseWith<T>(doc: ConfigDocument, schema: z.ZodType<T>, prefix: DocPath = [], value: unknown = doc.data): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ConfigError(zodIssues(doc, r.error, prefix, schema));
  return r.data;
}
