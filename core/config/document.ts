import * as fs from 'fs';
import * as path from 'path';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ConfigError, InputError, type ConfigIssue } from '../common/errors';

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
}

/** `scenario[2].run.max_insns` */
export function formatPath(p: DocPath): string {
  let s = '';
  for (const k of p) {
    if (typeof k === 'number') s += `[${k}]`;
    else s += s === '' ? String(k) : `.${String(k)}`;
  }
  return s;
}

/** Reads a YAML or JSON config. Syntax errors become a ConfigError with line and column. */
export function readConfigDocument(file: string): ConfigDocument {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((e as Error).message);
    throw new InputError(`cannot read config '${file}': ${why}`);
  }
  return parseConfigText(text, file, path.dirname(path.resolve(file)));
}

/** Parses YAML (JSON is accepted too, as YAML 1.2 is a superset of it). */
export function parseConfigText(text: string, source: string, baseDir: string): ConfigDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file: source, line: pos.line, column: pos.col, path: '', message: `syntax error: ${firstLine(e.message)}` };
      }),
    );
  }
  return new YamlConfigDocument(source, baseDir, doc, lineCounter);
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
  ) {
    this.data = doc.toJS({ maxAliasCount: 1000 });
  }

  locate(p: DocPath, key = false): { line: number; column: number } | undefined {
    // Walk down as far as the path exists; a missing key is reported at its parent.
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
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
    }
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
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
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
        out.push({ file: doc.source, ...pos, path: formatPath([...full, k]), message: `unknown key '${k}'${hint}` });
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
