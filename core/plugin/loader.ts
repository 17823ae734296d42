import * as fs from 'fs';
import * as path from 'path';
import { InputError, describeError } from '../common/errors';
import { PLUGIN_API_VERSION, type PluginModule } from './plugin';

/** True when `ref` names a module file rather than a built-in plugin. */
export function isPluginPath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.(ts|js|cjs|mjs)$/.test(ref);
}

let tsNodeRegistered = false;

function registerTsNode(): void {
  if (tsNodeRegistered) return;
  tsNodeRegistered = true;
  // Jest transforms .ts itself; elsewhere ts-node compiles user plugins on the fly.
  if (process.env.JEST_WORKER_ID !== undefined) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('ts-node').register({
    transpileOnly: true,
    compilerOptions: { module: 'commonjs', experimentalDecorators: true, emitDecoratorMetadata: true },
  });
}

/** Loads a plugin module from a file path (relative to `baseDir`) and checks its shape. */
export function loadPluginFromPath(ref: string, baseDir: string, where: string): PluginModule<unknown> {
  const abs = path.resolve(baseDir, ref);
  if (!fs.existsSync(abs)) {
    throw new InputError(`${where}: plugin path '${ref}' does not exist (looked for ${abs})`);
  }
  if (abs.endsWith('.ts')) registerTsNode();
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(abs);
  } catch (e) {
    throw new InputError(`${where}: plugin '${ref}' failed to load: ${describeError(e)}`);
  }
  const m = (mod as { default?: unknown }).default ?? mod;
  return checkPluginModule(m, `${where}: plugin '${ref}'`);
}

/** Checks that `m` looks like a PluginModule of a compatible API version. */
export function checkPluginModule(m: unknown, what: string): PluginModule<unknown> {
  if (typeof m !== 'object' || m === null) throw new InputError(`${what} does not export a plugin object (default export with name, apiVersion, description, install)`);
  const p = m as Partial<PluginModule<unknown>>;
  const missing: string[] = [];
  if (typeof p.name !== 'string' || p.name === '') missing.push("'name' (a string)");
  if (typeof p.apiVersion !== 'number') missing.push("'apiVersion' (a number)");
  if (typeof p.description !== 'string') missing.push("'description' (a string)");
  if (typeof p.install !== 'function' && typeof p.containerModule !== 'function') missing.push("'install' or 'containerModule' (a function)");
  if (missing.length > 0) throw new InputError(`${what} is not a valid plugin: missing ${missing.join(', ')}`);
  if (p.apiVersion !== PLUGIN_API_VERSION) {
    throw new InputError(`${what} ('${p.name}') was written for plugin API version ${p.apiVersion}, but this kvmsim implements version ${PLUGIN_API_VERSION}`);
  }
  if (p.args !== undefined && typeof (p.args as { safeParse?: unknown }).safeParse !== 'function') {
    throw new InputError(`${what} ('${p.name}'): 'args' must be a zod object schema`);
  }
  return p as PluginModule<unknown>;
}
