import * as fs from 'fs';
import * as path from 'path';
import { InputError, cut, describeError } from '../common/errors';
import { PLUGIN_API_VERSION, type PluginModule } from './plugin';

/** True when `ref` names a module file rather than a built-in plugin. */
export function isPluginPath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.(ts|js|cjs|mjs)$/.test(ref);
}

// ---------------------------------------------------------------- one kvmsim per process

/** The folder of the kvmsim package this module belongs to (the one holding its package.json). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'kvmsim') return dir;
    } catch {
      // no package.json here: keep looking
    }
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..');
  }
}

interface KvmsimInstance {
  readonly root: string;
}

/**
 * Every copy of kvmsim loaded in this process adds itself here, so the loader can tell when a
 * plugin brought in a second one: that copy's tokens and classes are not the ones the running
 * machine uses, and what the plugin binds would silently be ignored.
 */
const INSTANCES_KEY = Symbol.for('kvmsim.instances');
const THIS_INSTANCE: KvmsimInstance = { root: packageRoot() };
const registry = globalThis as unknown as Record<symbol, KvmsimInstance[] | undefined>;
const instances: KvmsimInstance[] = (registry[INSTANCES_KEY] ??= []);
instances.push(THIS_INSTANCE);

/**
 * What a plugin loaded by path gets when it imports these: the copy the running kvmsim uses,
 * whatever is (or is not) installed next to the plugin. `kvmsim` itself for every module the
 * plugin loads; the libraries whose objects cross the plugin API (schemas, container modules,
 * observables) for the plugin's own files.
 */
const SHARED_DEPS = ['zod', 'inversify', 'rxjs', 'reflect-metadata'];

/** Plugin files that loaded a second copy of kvmsim, and its folder (refused again if re-loaded). */
const secondCopies = new Map<string, string>();

/** Files loaded (directly or not) by a plugin loaded by path; the roots are the plugin files. */
const pluginFiles = new Set<string>();
const pluginRoots = new Set<string>();

interface ModuleLike {
  filename?: string | null;
}
type ResolveFilename = (request: string, parent: ModuleLike | undefined, isMain: boolean, options?: unknown) => string;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NodeModule = require('module') as { _resolveFilename: ResolveFilename };
let resolveHooked = false;

function packageOf(request: string): string {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function inNodeModules(file: string): boolean {
  return file.split(path.sep).includes('node_modules');
}

/**
 * Resolves `kvmsim` (and the libraries of SHARED_DEPS) to the running copy for modules a plugin
 * loaded by path brings in, so a plugin in its own project, in another checkout of kvmsim or in
 * a plain folder uses the very tokens and classes the machine is built from.
 */
function hookResolve(): void {
  if (resolveHooked) return;
  resolveHooked = true;
  const original = NodeModule._resolveFilename;
  NodeModule._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    const from = parent?.filename;
    if (typeof from !== 'string' || !pluginFiles.has(from)) return original.call(this, request, parent, isMain, options);
    const pkg = packageOf(request);
    if (pkg === 'kvmsim') {
      const rest = request.slice(pkg.length);
      const target = rest === '' ? path.join(__dirname, '..', '..', 'index') : rest === '/package.json' ? path.join(THIS_INSTANCE.root, 'package.json') : null;
      if (target !== null) return original.call(this, target, module as ModuleLike, false, undefined);
      // Anything else under 'kvmsim/' is not part of its exports: let Node say so.
    } else if (SHARED_DEPS.includes(pkg) && (pluginRoots.has(from) || !inNodeModules(from))) {
      return original.call(this, request, module as ModuleLike, false, undefined);
    }
    const resolved = original.call(this, request, parent, isMain, options);
    if (path.isAbsolute(resolved)) pluginFiles.add(resolved);
    return resolved;
  };
}

let tsNodeRegistered = false;

function registerTsNode(): void {
  if (tsNodeRegistered) return;
  tsNodeRegistered = true;
  // Jest transforms .ts itself; elsewhere ts-node compiles user plugins on the fly.
  if (process.env.JEST_WORKER_ID !== undefined) return;
  // The plugin's own tsconfig.json (whatever its module, moduleResolution or target) is not
  // read: plugins are compiled the one way this loader requires them, as CommonJS. .ts files in
  // node_modules are compiled too (a plugin may be an installed package, or kvmsim's examples).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('ts-node').register({
    transpileOnly: true,
    skipProject: true,
    skipIgnore: true,
    compilerOptions: {
      module: 'commonjs',
      moduleResolution: 'node10',
      target: 'ES2022',
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      useDefineForClassFields: false,
    },
  });
}

/** Loads a plugin module from a file path (relative to `baseDir`) and checks its shape. */
export function loadPluginFromPath(ref: string, baseDir: string, where: string): PluginModule<unknown> {
  const abs = path.resolve(baseDir, ref);
  if (!fs.existsSync(abs)) {
    throw new InputError(`${where}: plugin path '${cut(ref)}' does not exist (looked for ${cut(abs)})`);
  }
  if (abs.endsWith('.ts')) registerTsNode();
  hookResolve();
  let mod: unknown;
  const before = instances.length;
  const file = fs.realpathSync(abs);
  try {
    pluginFiles.add(file);
    pluginRoots.add(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file);
  } catch (e) {
    throw new InputError(`${where}: plugin '${cut(ref)}' failed to load: ${describeError(e)}`);
  }
  const copy = instances.slice(before).find((i) => i !== THIS_INSTANCE)?.root ?? secondCopies.get(file);
  if (copy !== undefined) {
    secondCopies.set(file, copy);
    throw new InputError(
      `${where}: plugin '${ref}' loaded a second copy of kvmsim (${copy}) besides the one running it (${THIS_INSTANCE.root}); ` +
        `refused, since what it binds or subclasses would not be the running kvmsim's. Import it as 'kvmsim' (a plugin loaded by path gets the running copy for that), not by a path into a kvmsim folder`,
    );
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
