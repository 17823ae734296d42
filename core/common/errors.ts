/**
 * Errors a user can act on. The CLI prints `message` (never a stack) and exits with `exitCode`:
 * 2 for bad input (config, plugin, arguments, guest image), 1 for a run that failed.
 */
export class KvmsimError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: a config, a plugin path or spec, plugin args, an image. Exit code 2. */
export class InputError extends KvmsimError {
  override readonly exitCode = 2;
}

/**
 * A plugin refusing the value of one of its args once it sees the machine (`host_cpu` 5 on a
 * 2-core machine). The machine says where that arg was given: `file:line:col:
 * plugins[0].args.host_cpu`, or `--plugin kvm-arm64,host_cpu=5`. Exit code 2.
 */
export class PluginArgError extends InputError {
  constructor(
    readonly arg: string,
    message: string,
  ) {
    super(message);
  }
}

/** One problem found in a config file, located precisely. */
export interface ConfigIssue {
  /** File name as given by the user, or `<inline>` for an object built in code. */
  file: string;
  /** 1-based line and column, when the file has a source position for the path. */
  line?: number;
  column?: number;
  /** Path inside the document, e.g. `scenario.steps[2].run.max_insns`. */
  path: string;
  message: string;
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file;
  return `${where}: ${i.path === '' ? '(document)' : i.path}: ${i.message}`;
}

/** A config that does not validate; lists every issue found. Exit code 2. */
export class ConfigError extends InputError {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      issues.length === 1
        ? `invalid config: ${formatIssue(issues[0])}`
        : `invalid config (${issues.length} problems):\n${issues
            .slice(0, MAX_ISSUES_SHOWN)
            .map((i) => '  ' + formatIssue(i))
            .join('\n')}${issues.length > MAX_ISSUES_SHOWN ? `\n  … and ${issues.length - MAX_ISSUES_SHOWN} more (mend these first)` : ''}`,
    );
  }
}

/** Problems of a config listed in one error; a file broken everywhere says how many more. */
export const MAX_ISSUES_SHOWN = 20;

/** A plugin subscriber threw while running under --strict. Exit code 1. */
export class PluginFailure extends KvmsimError {
  constructor(
    readonly plugin: string,
    readonly event: string,
    readonly error: unknown,
  ) {
    super(`plugin '${plugin}' failed while handling '${event}': ${describeError(error)}`);
  }
}

/** Longest user value (or text from one) echoed in a message; longer ones are cut. */
export const MAX_SHOWN = 200;

/** `s`, or its first `max` characters and how long it was: `xxxx… (200000 chars)`. */
export function cut(s: string, max = MAX_SHOWN): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/**
 * A user value as messages echo it: JSON for strings, numbers, lists and plain objects,
 * `String()` otherwise, cut to MAX_SHOWN characters. Every message that repeats a value from a
 * config, an argument or a file goes through here, so a 200 KB string never lands on stderr.
 */
export function shown(value: unknown, max = MAX_SHOWN): string {
  if (value === undefined) return 'nothing';
  let s: string | undefined;
  if (typeof value === 'bigint') s = `${value}n`;
  else if (typeof value === 'function') s = `[function ${value.name || '(anonymous)'}]`;
  else if (typeof value === 'symbol') s = value.toString();
  else {
    try {
      s = JSON.stringify(value);
    } catch {
      s = undefined; // a cycle, or a throwing toJSON
    }
    if (s === undefined) s = safeString(value);
  }
  return cut(s, max);
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * What went wrong, for a message: an Error's message; for anything else thrown (`throw {code:
 * 3}`, `throw 'no'`), JSON for plain objects and lists, `String()` otherwise; cut when long.
 */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return cut(e);
  if (e !== null && typeof e === 'object') {
    const proto = Object.getPrototypeOf(e) as object | null;
    if (proto === Object.prototype || proto === null || Array.isArray(e)) return shown(e);
    const s = safeString(e);
    // A class instance with no toString of its own says only `[object Object]`: show its fields.
    if (s === '[object Object]') return `${(e as { constructor?: { name?: string } }).constructor?.name ?? 'object'} ${shown(e)}`;
    return cut(s);
  }
  return shown(e);
}
