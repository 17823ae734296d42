import { Container, ContainerModule, type ContainerModuleLoadOptions, type ServiceIdentifier } from 'inversify';
import { ConfigError, InputError, KvmsimError, PluginArgError, cut, describeError, shown, type ConfigIssue } from '../common/errors';
import { EventBus } from '../bus/event-bus';
import {
  ConfigDocument,
  formatPath,
  objectConfigDocument,
  parseWith,
  readConfigDocument,
  valueAt,
  zodIssues,
  type DocPath,
} from '../config/document';
import { MachineConfig, MachineConfigSchema, type PluginRef } from '../config/schema';
import { coreModule } from '../di/core-module';
import { validateArgs, parsePluginSpec } from '../plugin/args';
import { Instrumentation } from '../plugin/instrumentation';
import { isPluginPath, loadPluginFromPath } from '../plugin/loader';
import { PluginModule, type PluginKind } from '../plugin/plugin';
import { Clock } from '../sim/clock';
import { drainSlices, driveSlices, type Interrupt } from '../sim/interrupt';
import { Rng } from '../sim/rng';
import { StatsRegistry } from '../sim/stats';
import { TraceRecorder } from '../sim/trace';
import { PluginHost, isThenable, type SummarySection } from './plugin-host';
import { callbackSite, guardProcessExit, inCallback } from '../plugin/callback-marker';
import { checkBoundShapes, type RebindRecord } from './token-shape';
import { MachineContribution } from './contribution';
import { ScenarioStep, type StepContext, type StepLocation } from './scenario';
import { Disposable } from '../common/disposable';

export interface MachineOptions {
  /** Device and built-in plugin modules (the library's createMachine supplies them all). */
  modules?: ContainerModule[];
  /** Extra plugins, as `--plugin` specs: `name,key=value` or `path/to/plugin.ts,key=value`. */
  plugins?: string[];
  /** Overrides the config's policy, topology or seed. */
  policy?: string;
  topology?: string;
  seed?: number;
  /** A subscriber error stops the run instead of being reported and skipped. */
  strict?: boolean;
  /** Record a Chrome trace (see `machine.trace`); installs the `trace` plugin if the config has none. */
  trace?: boolean;
  /** Built-in plugins to install with default args unless the config already installs them. */
  ensure?: string[];
  /** Plugin names used when the config leaves `topology` / `policy` out. */
  defaults?: Partial<Record<Exclude<PluginKind, 'plugin'>, string>>;
  /** Called with every log line as it happens. */
  onLog?: (line: string) => void;
  /** Instruction budget of each `run` step that sets no `max_insns` (default DEFAULT_MAX_INSNS). */
  maxInsns?: number;
}

/** Lines `Machine.log` keeps. */
export const LOG_KEPT = 10_000;

/** Instructions a `run` step executes at most when neither it nor the command line says. */
export const DEFAULT_MAX_INSNS = 10_000_000;

/** A plugin chosen for this machine. */
export interface InstalledPlugin {
  name: string;
  kind: PluginKind;
  args: Record<string, unknown>;
  /** Where it was chosen: `plugins[1]`, `--plugin`, `topology`, ... */
  from: string;
  module: PluginModule<unknown>;
  /** @internal where one of its args was given (its `from` when the arg has no place of its own). */
  argFrom?: (arg: string) => string;
}

export interface RunResult {
  /** True when every expectation held. */
  ok: boolean;
  failures: string[];
  cycles: number;
  events: number;
  steps: number;
  /** Plugin errors reported (and survived) during the run. */
  pluginErrors: string[];
  /** True when a stop was asked for (Ctrl-C) and the scenario did not run to its end. */
  interrupted: boolean;
}

/** What a sliced run tells its driver between slices. */
export interface RunProgress {
  /** Guest instructions retired by the run's steps so far. */
  instructions: number;
  /** VCPU inits (boots and reboots) so far. */
  boots: number;
}

interface ParsedStep {
  step: ScenarioStep;
  args: unknown;
  location: StepLocation;
}

/**
 * A machine: a DI container built from a config, its plugins installed, and a scenario ready to
 * run. Build one with `createMachine` (from the package root), which adds every device and
 * built-in plugin.
 */
export class Machine implements Disposable {
  readonly bus: EventBus;
  readonly stats: StatsRegistry;
  readonly trace: TraceRecorder;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: string[] = [];
  private readonly failures: string[] = [];
  private ended = false;
  private disposed = false;
  private stepsRun = 0;
  private interrupted = false;
  private stoppedEarly: string | undefined;
  private readonly host: PluginHost;
  private readonly pluginErrors: string[] = [];
  private readonly errorSub: Disposable;
  /** @internal process.exit guarded while plugin code runs, until disposal. */
  exitGuard: Disposable = Disposable.NONE;
  /** Instruction budget of each `run` step that sets none. */
  readonly maxInsnsPerRun: number;

  /** @internal use buildMachine / createMachine */
  constructor(
    readonly container: Container,
    readonly config: MachineConfig,
    readonly plugins: readonly InstalledPlugin[],
    private readonly steps: readonly ParsedStep[],
    private readonly onLog?: (line: string) => void,
    maxInsns?: number,
  ) {
    this.maxInsnsPerRun = maxInsns ?? DEFAULT_MAX_INSNS;
    this.bus = container.get<EventBus>(EventBus);
    this.stats = container.get<StatsRegistry>(StatsRegistry);
    this.trace = container.get<TraceRecorder>(TraceRecorder);
    this.clock = container.get<Clock>(Clock);
    this.rng = container.get<Rng>(Rng);
    this.host = new PluginHost({
      container,
      bus: this.bus,
      instrumentation: container.get<Instrumentation>(Instrumentation),
      stats: this.stats,
      trace: this.trace,
      clock: this.clock,
      rng: this.rng,
      log: (source, message) => this.addLog(source, message),
    });
    this.stats.formula('sim.complete', 'whether the run went to its end (0: stopped early by an error, Ctrl-C or the watchdog)', () => (this.stoppedEarly === undefined ? 1 : 0));
    this.errorSub = this.bus.subscribe(
      'plugin.error',
      (e) => {
        const line = `plugin '${e.plugin}' failed while handling '${e.event}': ${e.message}`;
        if (this.pluginErrors.length < 100) this.pluginErrors.push(line);
        this.addLog('machine', line);
      },
      'machine',
    );
  }

  /** A device or service of this machine. */
  get<T>(token: ServiceIdentifier<T>): T {
    const v = this.container.get<T>(token, { optional: true });
    if (v === undefined) throw new InputError(`nothing is bound to ${String(token)} in this machine`);
    return v;
  }

  tryGet<T>(token: ServiceIdentifier<T>): T | undefined {
    return this.container.get<T>(token, { optional: true });
  }

  /** @internal installs the chosen plugins, in order. */
  installPlugins(): void {
    for (const p of this.plugins) {
      if (p.module.install === undefined) continue;
      let d: unknown;
      try {
        d = inCallback(callbackSite(p.name, 'install'), () => p.module.install!(this.host.apiFor(p.name), p.args) as unknown);
      } catch (e) {
        if (e instanceof KvmsimError) throw attribute(e, p);
        throw new InputError(`${p.from}: plugin '${p.name}' failed to install: ${describeError(e)}`);
      }
      if (d === undefined) continue;
      if (Disposable.is(d)) {
        this.host.adopt(p.name, d);
        continue;
      }
      if (isThenable(d)) {
        Promise.resolve(d).catch(() => undefined); // refused below; its rejection is not news
        throw new InputError(
          `${p.from}: plugin '${p.name}': install() returned a Promise (is it async?); install must register its callbacks synchronously and return a Disposable or nothing`,
        );
      }
      throw new InputError(`${p.from}: plugin '${p.name}': install() returned ${describeReturned(d)}; expected a Disposable (an object with a dispose() method) or nothing`);
    }
  }

  /** Runs every scenario step in order, then ends the run. */
  run(): RunResult {
    return drainSlices(this.runSliced());
  }

  /**
   * `run`, giving the event loop a turn between slices of work (Ctrl-C, timers) and telling
   * `onProgress`; with `interrupt` requested the current step ends at its next slice and the
   * rest of the scenario is skipped.
   */
  runAsync(opts: { interrupt?: Interrupt; onProgress?: (p: RunProgress) => void } = {}): Promise<RunResult> {
    return driveSlices(this.runSliced(opts.interrupt), opts.onProgress);
  }

  /** The scenario as a sliced run: yields progress between slices of its long steps. */
  *runSliced(interrupt?: Interrupt): Generator<RunProgress, RunResult, void> {
    try {
      return yield* this.runSteps(interrupt);
    } catch (e) {
      this.markIncomplete(describeError(e));
      throw e;
    }
  }

  /**
   * Says that the run stopped before its end (an error, Ctrl-C, the watchdog): `sim.complete`
   * reads 0 and the outputs written after say why. The first reason given stays.
   */
  markIncomplete(reason: string): void {
    this.stoppedEarly ??= reason;
  }

  /** Why the run stopped before its end, or undefined when it has not. */
  get incomplete(): string | undefined {
    return this.stoppedEarly;
  }

  private *runSteps(interrupt?: Interrupt): Generator<RunProgress, RunResult, void> {
    let done = 0;
    let boots = 0;
    const inits = this.bus.subscribe('vcpu.init', () => boots++, 'machine');
    try {
      for (let i = this.stepsRun; i < this.steps.length; i++) {
        if (interrupt?.requested) break;
        const s = this.steps[i];
        const ctx = this.stepContext(s, interrupt);
        this.stepsRun++;
        if (s.step.runSliced === undefined) {
          located(s.location, this.config.source, () => s.step.run(s.args, ctx));
          continue;
        }
        const gen = s.step.runSliced(s.args, ctx);
        let inStep = 0;
        for (;;) {
          let r: IteratorResult<number, void>;
          try {
            r = gen.next();
          } catch (e) {
            throw locate(e, s.location, this.config.source);
          }
          if (r.done) break;
          inStep = r.value;
          yield { instructions: done + inStep, boots };
        }
        done += inStep;
      }
    } finally {
      inits.dispose();
    }
    this.interrupted = interrupt?.requested === true;
    if (this.interrupted) this.markIncomplete(`interrupted (${interrupt!.reason})`);
    return this.end(this.interrupted ? `interrupted (${interrupt!.reason})` : 'scenario complete');
  }

  /** @internal checks every step's inputs (files, assembly, images) before anything runs. */
  checkSteps(): void {
    for (const s of this.steps) {
      if (s.step.check === undefined) continue;
      located(s.location, this.config.source, () => s.step.check!(s.args, { location: s.location, baseDir: this.config.baseDir }));
    }
  }

  private stepContext(s: ParsedStep, interrupt: Interrupt | undefined): StepContext {
    return {
      machine: this,
      location: s.location,
      baseDir: this.config.baseDir,
      fail: (message) => {
        this.failures.push(`${s.location.where}: ${message}`);
        this.addLog(s.location.kind, `FAILED ${message}`);
      },
      log: (message) => this.addLog(s.location.kind, message),
      interrupt,
    };
  }

  /** Ends the run: emits `sim.end`, runs at-exit callbacks. Idempotent. */
  end(reason: string): RunResult {
    if (!this.ended) {
      this.ended = true;
      this.bus.emit({ type: 'sim.end', cycles: this.clock.now, reason });
      this.host.runAtExit({ cycles: this.clock.now, reason });
    }
    return {
      ok: this.failures.length === 0,
      failures: [...this.failures],
      cycles: this.clock.now,
      events: this.bus.emitted,
      steps: this.stepsRun,
      pluginErrors: [...this.pluginErrors],
      interrupted: this.interrupted,
    };
  }

  /** Sections for the run summary: the machine's own, then each plugin's. */
  summary(): SummarySection[] {
    const c = this.config;
    const own: SummarySection = {
      title: 'machine',
      lines: [
        `config    ${c.source}${c.name ? ` (${c.name})` : ''}`,
        `seed      ${c.seed}`,
        ...this.plugins.filter((p) => p.kind !== 'plugin').map((p) => `${p.kind.padEnd(9)} ${p.name}`),
        `plugins   ${this.plugins.filter((p) => p.kind === 'plugin').map((p) => p.name).join(', ') || '(none)'}`,
        `steps     ${this.stepsRun} of ${this.steps.length}`,
        `cycles    ${this.clock.now}`,
        `events    ${this.bus.emitted}`,
        ...(this.pluginErrors.length > 0 ? [`plugin errors (the run went on; --strict stops at the first):`, ...this.pluginErrors.slice(0, 5).map((e) => `  ${e}`)] : []),
      ],
    };
    return [own, ...this.host.summary()];
  }

  private addLog(source: string, message: string): void {
    const line = `[${this.clock.now}] ${source}: ${message}`;
    // A long run's memory stays flat: the log keeps its first lines (--verbose prints every one).
    if (this.log.length < LOG_KEPT) this.log.push(line);
    else if (this.log.length === LOG_KEPT) this.log.push(`… later lines are not kept (the log keeps ${LOG_KEPT}; --verbose prints them all)`);
    this.onLog?.(line);
  }

  /**
   * Disposes everything plugins registered, each handle on its own: one that throws is recorded
   * in `disposeErrors` (and the log) as its plugin's failure, and the others are still disposed.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.host.dispose();
      for (const e of this.host.disposeErrors) this.addLog('machine', e);
    } finally {
      this.errorSub.dispose();
      this.exitGuard.dispose();
    }
  }

  /** Plugins' handles that failed to dispose (a throwing dispose()), one line each. */
  get disposeErrors(): readonly string[] {
    return this.host.disposeErrors;
  }
}

/** What a plugin returned, for a message: `42`, `{"dispose":"x"}`, `a function`. */
function describeReturned(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (v === null) return 'null';
  if (typeof v === 'object' && 'dispose' in (v as object)) return `${shown(v)} (its dispose is ${typeof (v as { dispose: unknown }).dispose}, not a function)`;
  return `${typeof v === 'object' ? 'an object ' : `a ${typeof v} `}${shown(v)}`;
}

/**
 * Runs `fn`, saying in any error it raises which step of which file it came from, once. An
 * error already placed in the config (at a plugin's args, or by the step at a line of its own
 * args: `file:line:col: scenario[3].write.asm`) keeps its place.
 */
function located(location: StepLocation, source: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    throw locate(e, location, source);
  }
}

/** Prefixes a step's error with where the step is, unless it already says where it comes from. */
function locate(e: unknown, location: StepLocation, source: string): unknown {
  if (e instanceof KvmsimError && !attributed.has(e) && !e.message.startsWith(location.where) && !e.message.startsWith(`${source}:`)) {
    e.message = `${location.where}: ${e.message}`;
  }
  return e;
}

/** Errors already prefixed with the place in the config (or command line) they come from. */
const attributed = new WeakSet<Error>();

/**
 * Says in a plugin's InputError where that plugin was chosen (`file:line:col: plugins[0]`,
 * `--plugin kvm-arm64,host_cpu=5`), or for a PluginArgError where that arg was given; once,
 * the innermost plugin winning when one plugin's binding resolves another's.
 */
function attribute(e: unknown, p: InstalledPlugin): unknown {
  if (!(e instanceof InputError) || attributed.has(e)) return e;
  if (e instanceof PluginArgError) e.message = `${p.argFrom?.(e.arg) ?? p.from}: plugin '${p.name}': ${e.message}`;
  else if (!e.message.startsWith(p.from)) e.message = `${p.from}: ${e.message}`;
  attributed.add(e);
  return e;
}

type Guard = <R>(fn: () => R) => R;
const GUARDED = new Set<PropertyKey>(['toDynamicValue', 'toResolvedValue', 'toFactory', 'toProvider']);

/**
 * `module` with every value factory it binds guarded by `guard`: a plugin's bindings are
 * resolved lazily (at install, at a step, from another plugin), and an error one raises must
 * still say which plugin's config it comes from.
 */
function guardedModule(module: ContainerModule, guard: Guard, bound: (id: ServiceIdentifier) => void): ContainerModule {
  const wrap = <B extends object>(builder: B): B =>
    new Proxy(builder, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function') return v;
        if (!GUARDED.has(prop)) return (v as (...a: unknown[]) => unknown).bind(target);
        return (factory: (...a: unknown[]) => unknown, ...rest: unknown[]) =>
          (v as (...a: unknown[]) => unknown).call(target, (...a: unknown[]) => guard(() => factory(...a)), ...rest);
      },
    });
  return new ContainerModule((options: ContainerModuleLoadOptions) =>
    module.load({
      ...options,
      bind: ((id: ServiceIdentifier) => (bound(id), wrap(options.bind(id)))) as ContainerModuleLoadOptions['bind'],
      rebindSync: ((id: ServiceIdentifier) => (bound(id), wrap(options.rebindSync(id)))) as ContainerModuleLoadOptions['rebindSync'],
      rebind: (async (id: ServiceIdentifier) => (bound(id), wrap(await options.rebind(id)))) as ContainerModuleLoadOptions['rebind'],
    }),
  );
}

/** Where config sections sit, for messages. */
function where(doc: ConfigDocument, p: DocPath): string {
  const pos = doc.locate(p);
  const file = pos ? `${doc.source}:${pos.line}:${pos.column}` : doc.source;
  return p.length > 0 ? `${file}: ${formatPath(p)}` : file;
}

const PLURAL: Record<PluginKind, string> = { plugin: 'plugins', topology: 'topologies', policy: 'policies' };

/** Every built-in plugin contributed by the loaded modules, by name. */
export function pluginCatalogue(container: Container): Map<string, PluginModule<unknown>> {
  const all = container.getAll<PluginModule<unknown>>(PluginModule, { optional: true }) ?? [];
  const map = new Map<string, PluginModule<unknown>>();
  for (const p of all) {
    if (map.has(p.name)) throw new Error(`two built-in plugins are named '${p.name}'`);
    map.set(p.name, p);
  }
  return map;
}

/** Builds a machine from a config file path, a config object, or a parsed document. */
export function buildMachine(input: string | ConfigDocument | Record<string, unknown>, options: MachineOptions = {}): Machine {
  // process.exit from plugin code (a containerModule factory, install, a callback) is refused
  // from here until the machine is disposed.
  const exitGuard = guardProcessExit();
  try {
    const machine = build(input, options);
    machine.exitGuard = exitGuard;
    return machine;
  } catch (e) {
    exitGuard.dispose();
    throw e;
  }
}

function build(input: string | ConfigDocument | Record<string, unknown>, options: MachineOptions): Machine {
  const doc: ConfigDocument =
    typeof input === 'string' ? readConfigDocument(input) : isConfigDocument(input) ? input : objectConfigDocument(input);
  const parsed = parseWith(doc, MachineConfigSchema);
  const config: MachineConfig = { ...parsed, source: doc.source, baseDir: doc.baseDir };
  if (options.seed !== undefined) config.seed = options.seed >>> 0;

  const container = new Container({ defaultScope: 'Singleton' });
  container.loadSync(coreModule(config), ...(options.modules ?? []));
  const catalogue = pluginCatalogue(container);

  const chosen: InstalledPlugin[] = [];
  const choose = (ref: PluginRef | string, from: string, p: DocPath | null, kind: PluginKind, fromCli: boolean) => {
    const loc = p === null ? from : where(doc, p);
    const argFrom = (arg: string) => {
      const at: DocPath | null = p === null ? null : [...p, 'args', arg];
      return at !== null && valueAt(doc.data, at) !== undefined ? where(doc, at) : loc;
    };
    let name: string | undefined;
    let path: string | undefined;
    let rawArgs: Record<string, unknown> = {};
    if (typeof ref === 'string') {
      if (fromCli) {
        const spec = parsePluginSpec(ref);
        rawArgs = spec.args;
        if (isPluginPath(spec.ref)) path = spec.ref;
        else name = spec.ref;
      } else if (isPluginPath(ref)) path = ref;
      else name = ref;
    } else {
      name = ref.name;
      path = ref.path;
      rawArgs = ref.args ?? {};
    }
    let module: PluginModule<unknown>;
    if (path !== undefined) {
      module = loadPluginFromPath(path, fromCli ? process.cwd() : doc.baseDir, loc);
    } else {
      const m = catalogue.get(name!);
      if (m === undefined) {
        const same = [...catalogue.values()].filter((x) => (x.kind ?? 'plugin') === kind).map((x) => x.name);
        throw new InputError(`${loc}: no ${kind} named '${cut(name!)}'; built-in ${PLURAL[kind]}: ${same.join(', ') || '(none)'} (or give a path to a .ts/.js module)`);
      }
      module = m;
    }
    const actual = module.kind ?? 'plugin';
    if (actual !== kind) {
      throw new InputError(`${loc}: '${module.name}' is a ${actual}, not a ${kind}`);
    }
    // Named by the user after another plugin pulled it in: keep its place (before the plugin
    // that needs it), take the user's args.
    const pulledIn = chosen.findIndex((c) => c.name === module.name && c.from.startsWith('required by '));
    if (pulledIn >= 0) {
      chosen[pulledIn] = { name: module.name, kind, args: validateArgs(module, rawArgs, loc, fromCli), from: loc, module, argFrom };
      return;
    }
    if (chosen.some((c) => c.name === module.name)) {
      throw new InputError(`${loc}: plugin '${module.name}' is already installed (from ${chosen.find((c) => c.name === module.name)!.from})`);
    }
    const args = validateArgs(module, rawArgs, loc, fromCli);
    for (const dep of module.requires ?? []) {
      if (chosen.some((c) => c.name === dep) || dep === module.name) continue;
      const m = catalogue.get(dep);
      if (m === undefined) throw new InputError(`${loc}: plugin '${module.name}' requires '${dep}', which is not a built-in plugin`);
      choose(dep, `required by '${module.name}'`, null, m.kind ?? 'plugin', false);
    }
    chosen.push({ name: module.name, kind, args, from: loc, module, argFrom });
  };

  for (const kind of ['topology', 'policy'] as const) {
    const cli = options[kind];
    if (cli !== undefined) choose(cli, `--${kind}`, null, kind, true);
    else if (config[kind] !== undefined) choose(config[kind]!, kind, [kind], kind, false);
    else {
      const dflt = options.defaults?.[kind];
      if (dflt !== undefined && catalogue.has(dflt)) choose(dflt, `default ${kind}`, null, kind, false);
    }
  }
  config.plugins.forEach((ref, i) => choose(ref, `plugins[${i}]`, ['plugins', i], 'plugin', false));
  for (const spec of options.plugins ?? []) choose(spec, `--plugin ${cut(spec)}`, null, 'plugin', true);
  // Asking for a trace without naming a recorder gets the built-in one.
  const tracing = options.trace === true || config.machine.trace !== undefined;
  const ensure = [...(options.ensure ?? []), ...(tracing && catalogue.has('trace') ? ['trace'] : [])];
  for (const name of ensure) if (!chosen.some((c) => c.name === name)) choose(name, `--${name}`, null, catalogue.get(name)?.kind ?? 'plugin', false);

  const rebinds: RebindRecord[] = [];
  for (const p of chosen) {
    if (p.module.containerModule === undefined) continue;
    const site = callbackSite(p.name, 'containerModule');
    const guard: Guard = (fn) => {
      try {
        return inCallback(site, fn);
      } catch (e) {
        throw attribute(e, p);
      }
    };
    try {
      const module = inCallback(site, () => p.module.containerModule!(p.args) as unknown);
      if (module === null || typeof module !== 'object' || typeof (module as ContainerModule).load !== 'function') {
        throw new InputError(`${p.from}: plugin '${p.name}': containerModule() returned ${describeReturned(module)}; expected a ContainerModule (import it from 'kvmsim')`);
      }
      container.loadSync(guardedModule(module as ContainerModule, guard, (id) => rebinds.push({ id, plugin: p })));
    } catch (e) {
      // A plugin rejecting its args says what is wrong; anything else is the plugin's failure.
      if (e instanceof InputError) throw attribute(e, p);
      throw new InputError(`${p.from}: plugin '${p.name}' failed to load its container module: ${describeError(e)}`);
    }
  }

  // A core token rebound to something that is not one (a CacheTopology rebound to 42) is the
  // rebinding plugin's fault, said now rather than deep inside a device later.
  checkBoundShapes(container, rebinds, (e, p) => attribute(e, p as InstalledPlugin));

  const steps = parseSteps(doc, config, container);
  const machine = new Machine(container, config, chosen, steps, options.onLog, options.maxInsns);
  machine.bus.strict = options.strict ?? false;
  if (tracing) machine.trace.enable();
  machine.checkSteps();
  for (const c of container.getAll<MachineContribution>(MachineContribution, { optional: true }) ?? []) c.onMachineBuilt?.(machine);
  machine.installPlugins();
  return machine;
}

function isConfigDocument(x: unknown): x is ConfigDocument {
  return typeof x === 'object' && x !== null && typeof (x as ConfigDocument).locate === 'function' && 'data' in x;
}

/** The scenario step kinds this machine understands, by kind. */
export function stepCatalogue(container: Container): Map<string, ScenarioStep> {
  const all = container.getAll<ScenarioStep>(ScenarioStep, { optional: true }) ?? [];
  return new Map(all.map((s) => [s.kind, s]));
}

function parseSteps(doc: ConfigDocument, config: MachineConfig, container: Container): ParsedStep[] {
  const catalogue = stepCatalogue(container);
  const issues: ConfigIssue[] = [];
  const out: ParsedStep[] = [];
  config.scenario.forEach((entry, index) => {
    const kind = Object.keys(entry)[0];
    const p: DocPath = ['scenario', index, kind];
    const step = catalogue.get(kind);
    if (step === undefined) {
      const pos = doc.locate(p, true);
      issues.push({
        file: doc.source,
        ...pos,
        path: formatPath(p),
        message: `unknown step '${cut(kind)}'; expected one of: ${[...catalogue.keys()].sort().join(', ')}`,
      });
      return;
    }
    const r = step.schema.safeParse(entry[kind] ?? {});
    if (!r.success) {
      issues.push(...zodIssues(doc, r.error, p, step.schema));
      return;
    }
    const pos = doc.locate(['scenario', index]);
    const at = pos ? `${doc.source}:${pos.line}:${pos.column}` : doc.source;
    const inside = (rel: readonly PropertyKey[], line?: number): string => {
      const full: DocPath = [...p, ...rel];
      const q = (line !== undefined ? doc.locateLine?.(full, line) : undefined) ?? doc.locate(full);
      return `${q ? `${doc.source}:${q.line}:${q.column}` : doc.source}: ${formatPath(full)}`;
    };
    out.push({ step, args: r.data, location: { index, kind, where: `${at}: scenario[${index}] (${kind})`, at: inside } });
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}
