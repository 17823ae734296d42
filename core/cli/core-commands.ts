import type { Command } from 'commander';
import { Container, ContainerModule } from 'inversify';
import { coreModule } from '../di/core-module';
import { validateArgs } from '../plugin/args';
import { Expectation, ScenarioStep } from '../machine/scenario';
import { z } from 'zod';
import { InputError, cut } from '../common/errors';
import { MachineConfigSchema } from '../config/schema';
import { DEFAULT_MAX_INSNS, buildMachine, pluginCatalogue, stepCatalogue, type Machine } from '../machine/machine';
import { describeArgs, formatArgs } from '../plugin/args';
import type { PluginKind, PluginModule } from '../plugin/plugin';
import { CliCommand, defaultConfig, type CliContext } from './cli';
import { machineOutputs, reportDisposeErrors, runWithOutputs } from './run-output';
import { DEFAULT_PLUGIN_TIMEOUT_MS, PLUGIN_TIMEOUT_ENV, parsePluginTimeout, setPluginTimeout } from './watchdog';
import { StatusLine, formatProgress } from './status-line';
import { EXIT_INTERRUPTED, Interrupt, handleSigint } from '../sim/interrupt';

const collect = (v: string, prev: string[]) => [...prev, v];

function parseSeed(v: string): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InputError(`--seed '${cut(v)}': expected an integer from 0 to 4294967295`);
  return n;
}

/** Prints summary sections as an indented block. */
export function formatSummary(sections: { title: string; lines: string[] }[]): string {
  return sections.map((s) => `== ${s.title}\n${s.lines.map((l) => `   ${l}`).join('\n')}`).join('\n') + '\n';
}

interface RunOpts {
  plugin: string[];
  policy?: string;
  topology?: string;
  seed?: string;
  stats?: string;
  trace?: string;
  maxInsns?: string;
  json?: boolean;
  strict?: boolean;
  verbose?: boolean;
  pluginTimeout?: string;
}

/** `--max-insns N`: a positive integer (hex allowed). */
export function parseMaxInsns(v: string): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new InputError(`--max-insns '${cut(v)}': expected a positive integer`);
  return n;
}

export function runMachineCommand(configPath: string, opts: RunOpts, ctx: CliContext): Machine {
  if (opts.pluginTimeout !== undefined) setPluginTimeout(parsePluginTimeout(opts.pluginTimeout));
  const machine = buildMachine(configPath, {
    modules: [...ctx.modules],
    defaults: ctx.defaults,
    plugins: opts.plugin,
    policy: opts.policy,
    topology: opts.topology,
    seed: opts.seed !== undefined ? parseSeed(opts.seed) : undefined,
    maxInsns: opts.maxInsns !== undefined ? parseMaxInsns(opts.maxInsns) : undefined,
    strict: opts.strict,
    trace: opts.trace !== undefined,
    onLog: opts.verbose ? (line) => ctx.io.err(line + '\n') : undefined,
  });
  return machine;
}

class RunCommand implements CliCommand {
  readonly order = 10;
  register(program: Command, ctx: CliContext): void {
    program
      .command('run')
      .description('run a machine config: build the machine, install plugins, run the scenario, print a summary')
      .argument('<config>', 'machine config (YAML or JSON)')
      .option('-p, --plugin <spec>', 'add a plugin: NAME or PATH.ts/.js, then ,key=value args (a list: key=a+b) (repeatable)', collect, [])
      .option('--policy <name>', "override the config's KVM cache-maintenance policy (a name or a .ts/.js path)")
      .option('--topology <name>', "override the config's cache topology (a name or a .ts/.js path)")
      .option('--seed <n>', "override the config's seed")
      .option('--stats <file>', "write stats to FILE (JSON if it ends in .json, else aligned text); overrides the config's machine.stats")
      .option('--trace <file>', "write a Chrome trace (open it in Perfetto) to FILE; overrides the config's machine.trace")
      .option('--max-insns <n>', `instruction budget of each run step that sets no max_insns (default ${DEFAULT_MAX_INSNS.toLocaleString('en-US')})`)
      .option('--json', 'print the result as one JSON object instead of the summary')
      .option('--strict', 'stop at the first plugin error instead of reporting it and going on')
      .option('-v, --verbose', 'print the run log to stderr as it happens')
      .option('--plugin-timeout <ms>', `stop the run when one plugin callback runs longer than MS (default ${DEFAULT_PLUGIN_TIMEOUT_MS}, or $${PLUGIN_TIMEOUT_ENV})`)
      .addHelpText(
        'after',
        '\nCtrl-C stops the run at the next slice of instructions, prints the summary and writes the outputs\n' +
          '(marked as stopped early: sim.complete 0), exit 130; a second Ctrl-C exits at once.\n' +
          '\nExamples:\n' +
          '  kvmsim run examples/machines/reboot-locked.yaml\n' +
          '  kvmsim run examples/machines/reboot-locked.yaml --plugin trace,events=cmo+stale --trace out/trace.json\n' +
          '  kvmsim run examples/machines/reboot-locked.yaml --policy examples/custom-policy.ts --stats out/stats.txt\n' +
          '  kvmsim run examples/custom-device/dma.yaml --strict --max-insns 1000000\n',
      )
      .action(async (config: string, opts: RunOpts) => {
        const machine = runMachineCommand(config, opts, ctx);
        // The status line goes to stderr: only when both it and stdout are a terminal.
        const status = new StatusLine((s) => ctx.io.err(s), ctx.io.isTty && Boolean(process.stderr.isTTY) && !opts.json);
        const interrupt = new Interrupt();
        await runWithOutputs(
          machine,
          machineOutputs(machine, opts),
          async () => {
            const sigint = handleSigint(interrupt, { onFirst: () => status.clear() });
            try {
              return await machine.runAsync({ interrupt, onProgress: (p) => status.update(() => formatProgress(p.instructions, p.boots, status.elapsedMs)) });
            } finally {
              status.clear();
              sigint.dispose();
            }
          },
          (result) => {
            if (opts.json) {
              ctx.io.out(JSON.stringify({ ...result, summary: machine.summary(), stats: machine.stats.toJSON() }, null, 2) + '\n');
            } else {
              ctx.io.out(formatSummary(machine.summary()));
              if (result.interrupted) ctx.io.out(`result: interrupted (Ctrl-C) — ${result.steps} steps begun, ${result.cycles} cycles\n`);
              else if (result.ok) ctx.io.out(`result: ok — ${result.steps} steps, ${result.cycles} cycles\n`);
              else ctx.io.out(`result: FAILED — ${result.failures.length} expectation(s) did not hold:\n${result.failures.map((f) => `  - ${f}`).join('\n')}\n`);
            }
            if (result.interrupted) ctx.setExitCode(EXIT_INTERRUPTED);
            else if (!result.ok) ctx.setExitCode(1);
          },
          {
            warn: (line) => ctx.io.err(line),
            stopped: (message) => {
              if (opts.json) ctx.io.out(JSON.stringify({ ok: false, stopped: message, cycles: machine.clock.now, events: machine.bus.emitted, summary: machine.summary(), stats: machine.stats.toJSON() }, null, 2) + '\n');
              else ctx.io.out(formatSummary(machine.summary()) + `result: stopped — ${message}\n`);
            },
          },
        );
      });
  }
}

class ValidateCommand implements CliCommand {
  readonly order = 20;
  register(program: Command, ctx: CliContext): void {
    program
      .command('validate')
      .description('check a machine config (schema, plugins and their args, scenario steps) without running it')
      .argument('<config...>', 'one or more machine configs')
      .addHelpText(
        'after',
        '\nChecks everything a run would load — the schema, plugins and their args, step args, files,\n' +
          'assembly (with its .include files) and ELF images — and exits 2 at the first problem.\n' +
          '\nExamples:\n' +
          '  kvmsim validate examples/machines/reboot-locked.yaml\n' +
          '  kvmsim validate examples/machines/s1-first-boot.yaml examples/custom-device/dma.yaml\n',
      )
      .action((configs: string[]) => {
        for (const config of configs) {
          const m = buildMachine(config, { modules: [...ctx.modules], defaults: ctx.defaults });
          const kinds = m.plugins.map((p) => `${p.kind} ${p.name}`).join(', ');
          ctx.io.out(`${config}: ok — ${m.config.scenario.length} steps; ${kinds || 'no plugins'}\n`);
          m.dispose();
          reportDisposeErrors(m, (line) => ctx.io.err(line));
        }
      });
  }
}

/** A contribution (a step kind, an expectation) and the plugin it comes with (none: the core or a device). */
export interface Contributed<T> {
  item: T;
  plugin?: string;
}

/**
 * Everything bound to `token` that a config can use: the core's and the devices', plus what
 * each built-in plugin's container module adds (found by loading each plugin, with its
 * requirements and default args, into a scratch container). Keyed by `keyOf`.
 */
export function contributions<T>(ctx: CliContext, token: symbol, keyOf: (t: T) => string): Map<string, Contributed<T>> {
  const all = (c: Container) => c.getAll<T>(token, { optional: true }) ?? [];
  const out = new Map<string, Contributed<T>>();
  for (const item of all(ctx.catalogue())) out.set(keyOf(item), { item });
  const plugins = pluginCatalogue(ctx.catalogue());
  const load = (c: Container, p: PluginModule<unknown>, seen: Set<string>) => {
    if (seen.has(p.name)) return;
    seen.add(p.name);
    for (const dep of p.requires ?? []) {
      const d = plugins.get(dep);
      if (d) load(c, d, seen);
    }
    if (p.containerModule) c.loadSync(p.containerModule(validateArgs(p, {}, p.name)));
  };
  for (const p of plugins.values()) {
    if (p.containerModule === undefined) continue;
    const c = new Container({ defaultScope: 'Singleton' });
    c.loadSync(coreModule(defaultConfig()), ...ctx.modules);
    try {
      load(c, p, new Set());
    } catch {
      continue; // a plugin whose defaults do not load alone contributes nothing listable
    }
    for (const item of all(c)) if (!out.has(keyOf(item))) out.set(keyOf(item), { item, plugin: p.name });
  }
  return out;
}

export const contributedSteps = (ctx: CliContext) => contributions<ScenarioStep>(ctx, ScenarioStep, (s) => s.kind);
export const contributedExpectations = (ctx: CliContext) => contributions<Expectation>(ctx, Expectation, (e) => e.key);

/** The full config schema, with every contributed step kind, as JSON Schema. */
export function configJsonSchema(ctx: CliContext): unknown {
  const expectations = [...contributedExpectations(ctx).values()].map((o) => o.item);
  const expectShape: Record<string, z.ZodType> = {};
  for (const e of expectations) expectShape[e.key] = e.schema.optional().describe(e.description);
  const steps = [...contributedSteps(ctx).values()]
    .map((o) => (o.item.kind === 'expect' ? { ...o.item, schema: z.strictObject(expectShape) as z.ZodType } : o.item))
    .sort((a, b) => a.kind.localeCompare(b.kind));
  const step = steps.length > 0 ? z.union(steps.map((s) => z.strictObject({ [s.kind]: s.schema }).describe(s.description))) : z.never();
  const full = MachineConfigSchema.extend({ scenario: z.array(step).optional().describe('the steps the VMM takes, and expectations') });
  const schema = z.toJSONSchema(full, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $id: 'https://kvmsim.dev/schema/machine-config.json', title: 'kvmsim machine config', ...schema };
}

class SchemaCommand implements CliCommand {
  readonly order = 30;
  register(program: Command, ctx: CliContext): void {
    program
      .command('schema')
      .description('print the JSON Schema of machine configs (point your editor at it for completion)')
      .addHelpText(
        'after',
        '\nExample:\n' +
          '  kvmsim schema > kvmsim.schema.json    then put "# yaml-language-server: $schema=kvmsim.schema.json" atop a config\n',
      )
      .action(() => {
        ctx.io.out(JSON.stringify(configJsonSchema(ctx), null, 2) + '\n');
      });
  }
}

const KIND_TITLES: Record<PluginKind, string> = { topology: 'Topologies (config `topology:`, or --topology)', policy: 'Policies (config `policy:`, or --policy)', plugin: 'Plugins (config `plugins:`, or --plugin NAME,key=value)' };

class PluginsCommand implements CliCommand {
  readonly order = 40;
  register(program: Command, ctx: CliContext): void {
    program
      .command('plugins')
      .description('list built-in plugins, topologies and policies with their args')
      .option('--json', 'print as JSON')
      .addHelpText('after', '\nExamples:\n  kvmsim plugins\n  kvmsim plugins --json\n')
      .action((opts: { json?: boolean }) => {
        const all = [...pluginCatalogue(ctx.catalogue()).values()];
        if (opts.json) {
          ctx.io.out(JSON.stringify(all.map((p) => ({ name: p.name, kind: p.kind ?? 'plugin', description: p.description, apiVersion: p.apiVersion, args: describeArgs(p.args) })), null, 2) + '\n');
          return;
        }
        const out: string[] = [];
        for (const kind of ['topology', 'policy', 'plugin'] as const) {
          const ps = all.filter((p: PluginModule<unknown>) => (p.kind ?? 'plugin') === kind).sort((a, b) => a.name.localeCompare(b.name));
          if (ps.length === 0) continue;
          out.push(KIND_TITLES[kind]);
          for (const p of ps) {
            out.push(`  ${p.name}`);
            out.push(`    ${p.description}`);
            if (p.args !== undefined && describeArgs(p.args).length > 0) out.push(formatArgs(p.args).replace(/^ {2}/gm, '      '));
          }
          out.push('');
        }
        const steps = [...contributedSteps(ctx).values()].sort((a, b) => a.item.kind.localeCompare(b.item.kind));
        if (steps.length > 0) {
          out.push('Scenario steps (config `scenario:`, each written `- kind: { args }`)');
          for (const s of steps) out.push(`  ${s.item.kind.padEnd(13)} ${s.item.kind === 'expect' ? 'checks that must hold at this point (below)' : s.item.description}${s.plugin ? ` [${s.plugin}]` : ''}`);
          out.push('');
        }
        const checks = [...contributedExpectations(ctx).values()].sort((a, b) => a.item.key.localeCompare(b.item.key));
        if (checks.length > 0) {
          out.push('Expectations (inside `- expect: { ... }`; a failed one makes the run exit 1)');
          for (const e of checks) out.push(`  ${e.item.key.padEnd(13)} ${e.item.description}${e.plugin ? ` [${e.plugin}]` : ''}`);
          out.push('');
        }
        ctx.io.out(out.join('\n'));
      });
  }
}

/** The core's commands: run, validate, schema, plugins. */
export const coreCliModule = new ContainerModule(({ bind }) => {
  bind(CliCommand).toConstantValue(new RunCommand());
  bind(CliCommand).toConstantValue(new ValidateCommand());
  bind(CliCommand).toConstantValue(new SchemaCommand());
  bind(CliCommand).toConstantValue(new PluginsCommand());
});

