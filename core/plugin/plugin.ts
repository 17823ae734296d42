import type { ContainerModule } from 'inversify';
import { z } from 'zod';
import type { Disposable } from '../common/disposable';
import type { PluginApi } from './api';

/**
 * What a plugin needs besides kvmsim's own API, re-exported so that a plugin imports everything
 * from 'kvmsim' (the same copies the running kvmsim uses): zod for args schemas, inversify's
 * ContainerModule for `containerModule`.
 */
export { z } from 'zod';
export { ContainerModule } from 'inversify';

/**
 * The plugin API version this build implements. A plugin declares the version it was written
 * against; the loader refuses a different major version instead of failing later in odd ways.
 */
export const PLUGIN_API_VERSION = 1;

/**
 * What a plugin is for. `topology` and `policy` plugins fill the config's `topology:` and
 * `policy:` slots (they rebind one DI token each); `plugin` is everything else.
 */
export type PluginKind = 'plugin' | 'topology' | 'policy';

/** A schema for a plugin's args: an object of named, described, mostly scalar fields. */
export type ArgsSchema = z.ZodObject<z.ZodRawShape>;

/**
 * A plugin module's default export. All built-in plugins (topologies, policies, the KVM
 * plugin, the checker, the tracer) are written against this, exactly as third-party ones are.
 */
export interface PluginModule<A = Record<string, unknown>> {
  /** Unique name, used in configs and on the command line. */
  readonly name: string;
  /** The PLUGIN_API_VERSION the plugin was written for. */
  readonly apiVersion: number;
  /** One line for `kvmsim plugins`. */
  readonly description: string;
  readonly kind?: PluginKind;
  /**
   * Built-in plugins this one needs, installed (with default args) before it when the config
   * does not name them: a KVM policy requires the `kvm-arm64` hypervisor plugin.
   */
  readonly requires?: readonly string[];
  /** Validates `args` (from the config or `--plugin name,key=value`). Omit for no args. */
  readonly args?: ArgsSchema;
  /**
   * DI bindings loaded before the machine's devices are built: rebind a token (a topology, a
   * policy) or offer a service that other plugins `api.get()`.
   */
  containerModule?(args: A): ContainerModule;
  /** Registers callbacks; the returned handle (if any) is disposed when the machine is. */
  install?(api: PluginApi, args: A): Disposable | void;
}

/** DI token under which built-in plugin modules are contributed (multi-bound). */
export const PluginModule = Symbol.for('kvmsim.PluginModule');

/** Typed helper: infers `install`'s args from the zod schema. */
export function definePlugin<S extends ArgsSchema = z.ZodObject<{}>>(
  p: Omit<PluginModule<z.infer<S>>, 'args'> & { args?: S },
): PluginModule<z.infer<S>> {
  return p as PluginModule<z.infer<S>>;
}
