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
        : `invalid config (${issues.length} problems):\n${issues.map((i) => '  ' + formatIssue(i)).join('\n')}`,
    );
  }
}

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

export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
