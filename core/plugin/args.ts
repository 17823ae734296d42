import { z } from 'zod';
import { InputError, cut, shown } from '../common/errors';
import type { ArgsSchema, PluginModule } from './plugin';

/**
 * `name,key=value,...` split into a plugin reference and raw string args. A key given more than
 * once collects its values into a list (`events=cmo,events=stale`); whether the plugin takes a
 * list there is for `validateArgs` to say, which also splits `a+b` for list args.
 */
export interface PluginSpec {
  /** A built-in name, or a path to a .ts/.js module (contains '/' or ends in .ts/.js). */
  ref: string;
  args: Record<string, string | string[]>;
}

export function parsePluginSpec(spec: string): PluginSpec {
  const parts = spec.split(',');
  const ref = parts[0].trim();
  if (ref === '') throw new InputError(`--plugin '${cut(spec)}': missing plugin name or path before the first ','`);
  const args: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const p of parts.slice(1)) {
    if (p.trim() === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw new InputError(`--plugin '${cut(spec)}': '${cut(p)}' is not key=value (a list is written key=a+b, or the key repeated)`);
    const key = p.slice(0, eq).trim();
    const value = p.slice(eq + 1).trim();
    const prev = args[key];
    args[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return { ref, args };
}

/** One arg of a plugin, as `kvmsim plugins` and error messages describe it. */
export interface ArgInfo {
  name: string;
  type: string;
  optional: boolean;
  default?: unknown;
  description: string;
}

type AnyDef = { type: string; innerType?: z.ZodType; defaultValue?: unknown; entries?: Record<string, unknown>; values?: unknown[] };

function def(t: z.ZodType): AnyDef {
  return (t as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** Peels optional/default/nullable wrappers; reports what was peeled. */
function unwrap(t: z.ZodType): { base: z.ZodType; optional: boolean; dflt?: unknown } {
  let optional = false;
  let dflt: unknown;
  let cur = t;
  for (;;) {
    const d = def(cur);
    if (d.type === 'optional' || d.type === 'nullable') optional = true;
    else if (d.type === 'default' || d.type === 'prefault') {
      optional = true;
      dflt = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
    } else break;
    cur = d.innerType!;
  }
  return { base: cur, optional, dflt };
}

function typeName(t: z.ZodType): string {
  const d = def(t);
  switch (d.type) {
    case 'enum':
      return Object.values(d.entries ?? {}).map((v) => JSON.stringify(v)).join(' | ');
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'union':
      return ((d as unknown as { options: z.ZodType[] }).options ?? []).map(typeName).join(' | ');
    case 'pipe':
      return typeName((d as unknown as { in: z.ZodType }).in);
    case 'array':
      return `list of ${typeName((d as unknown as { element: z.ZodType }).element)} (a+b, or the key repeated)`;
    default:
      return d.type;
  }
}

export function describeArgs(schema: ArgsSchema | undefined): ArgInfo[] {
  if (schema === undefined) return [];
  return Object.entries(schema.shape).map(([name, t]) => {
    const { base, optional, dflt } = unwrap(t as z.ZodType);
    const info: ArgInfo = { name, type: typeName(base), optional, description: (t as z.ZodType).description ?? base.description ?? '' };
    if (dflt !== undefined) info.default = dflt;
    return info;
  });
}

export function formatArgs(schema: ArgsSchema | undefined): string {
  const args = describeArgs(schema);
  if (args.length === 0) return '  (takes no args)';
  const w = Math.max(...args.map((a) => a.name.length));
  return args
    .map((a) => {
      const dflt = a.default !== undefined ? `, default ${JSON.stringify(a.default)}` : a.optional ? ', optional' : ', required';
      return `  ${a.name.padEnd(w)}  ${a.type}${dflt}${a.description ? ' — ' + a.description : ''}`;
    })
    .join('\n');
}

/**
 * Turns command-line strings into the types the schema's fields want. A list arg takes `a+b`
 * or the key repeated; a repeated key of a scalar arg stays a list, which the schema refuses.
 */
function coerce(t: z.ZodType, raw: string | string[]): unknown {
  const { base } = unwrap(t);
  const d = def(base);
  if (d.type === 'array') {
    const element = (d as unknown as { element: z.ZodType }).element;
    return (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split('+')).map((v) => coerce(element, v.trim()));
  }
  if (Array.isArray(raw)) return raw;
  switch (d.type) {
    case 'number':
    case 'int': {
      const n = /^-?0x[0-9a-f]+$/i.test(raw) ? parseInt(raw, 16) : Number(raw);
      return raw.trim() === '' || Number.isNaN(n) ? raw : n;
    }
    case 'boolean':
      if (/^(true|on|yes|1)$/i.test(raw)) return true;
      if (/^(false|off|no|0)$/i.test(raw)) return false;
      return raw;
    case 'union':
    case 'literal':
    case 'enum': {
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      const n = Number(raw);
      if (raw.trim() !== '' && !Number.isNaN(n) && !enumHas(d, raw)) return n;
      return raw;
    }
    default:
      return raw;
  }
}

function enumHas(d: AnyDef, raw: string): boolean {
  return Object.values(d.entries ?? {}).includes(raw) || (d.values ?? []).includes(raw);
}

/**
 * Validates args for `plugin`. `fromCli` args are strings and get coerced first. Unknown keys
 * and bad values are errors that list the valid args.
 */
export function validateArgs(plugin: PluginModule<unknown>, raw: Record<string, unknown>, where: string, fromCli = false): Record<string, unknown> {
  const schema = plugin.args;
  const keys = Object.keys(raw);
  const shape: Record<string, z.ZodType> = schema ? (schema.shape as Record<string, z.ZodType>) : {};
  const unknown = keys.filter((k) => !Object.hasOwn(shape, k));
  const help = `valid args of '${plugin.name}':\n${formatArgs(schema)}`;
  if (unknown.length > 0) {
    throw new InputError(`${where}: plugin '${plugin.name}' has no arg${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${cut(k)}'`).join(', ')}; ${help}`);
  }
  if (schema === undefined) return {};
  const input = Object.create(null) as Record<string, unknown>;
  for (const k of keys) {
    const v = raw[k];
    if (fromCli && Array.isArray(v) && def(unwrap(shape[k]).base).type !== 'array') {
      throw new InputError(`${where}: arg '${k}' of plugin '${plugin.name}' given ${v.length} times; it takes one value; ${help}`);
    }
    input[k] = fromCli && (typeof v === 'string' || Array.isArray(v)) ? coerce(shape[k], v as string | string[]) : v;
  }
  const r = schema.safeParse(input);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => {
      const key = i.path.length > 0 ? i.path.join('.') : '(args)';
      const got = i.path.length > 0 ? ` (got ${shown(raw[String(i.path[0])])})` : '';
      return `arg '${key}': ${i.message}${got}`;
    });
    throw new InputError(`${where}: bad args for plugin '${plugin.name}': ${msgs.join('; ')}; ${help}`);
  }
  return r.data as Record<string, unknown>;
}
