import type { Command } from 'commander';
import { ContainerModule } from 'inversify';
import { CliCommand, InputError, buildMachine, isPluginPath, pluginCatalogue, type CliContext } from '../../core';
import { CoherenceChecker } from '../checker/checker';

/** One row of `kvmsim compare`: a policy (on a topology) and what it cost and caused. */
export interface CompareRow {
  policy: string;
  topology: string;
  staleHypervisor: number;
  staleGuest: number;
  contractViolations: number;
  dcLines: number;
  icInvalidations: number;
  stage2Faults: number;
  cycles: number;
  /** Expectations of the scenario that did not hold under this policy. */
  failures: string[];
}

/**
 * What compare runs: a built-in name or a module path (resolved from the working folder, as on
 * the command line), or `null` for the config's own choice (a path relative to the config).
 */
export type CompareChoice = string | null;

/** The policy and topology a config chooses itself, when they are not built-ins (a path). */
function customChoices(config: string, ctx: Pick<CliContext, 'modules' | 'defaults' | 'catalogue'>): { policy?: string; topology?: string } {
  const builtins = new Set(pluginCatalogue(ctx.catalogue()).values());
  const m = buildMachine(config, { modules: [...ctx.modules], defaults: ctx.defaults });
  try {
    const own = (kind: 'policy' | 'topology') => m.plugins.find((p) => p.kind === kind && !builtins.has(p.module))?.name;
    return { policy: own('policy'), topology: own('topology') };
  } finally {
    m.dispose();
  }
}

/**
 * The policies (or topologies) to compare: `spec` is a comma-separated list of names and paths,
 * or `all`; without it, policies default to all and topologies to the config's. `all` is every
 * built-in plus the config's own custom one.
 */
export function compareChoices(kind: 'policy' | 'topology', spec: string | undefined, config: string, ctx: Pick<CliContext, 'modules' | 'defaults' | 'catalogue'>): CompareChoice[] {
  const builtins = [...pluginCatalogue(ctx.catalogue()).values()].filter((p) => p.kind === kind).map((p) => p.name);
  if (spec === undefined && kind === 'topology') return [null];
  if (spec === undefined || spec === 'all') return [...builtins, ...(customChoices(config, ctx)[kind] !== undefined ? [null] : [])];
  const list = spec.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (list.length === 0) throw new InputError(`--${kind} '${spec}': expected names or paths, comma-separated, or 'all'`);
  const bad = list.filter((x) => !isPluginPath(x) && !builtins.includes(x));
  if (bad.length > 0) throw new InputError(`--${kind}: no ${kind} named ${bad.map((b) => `'${b}'`).join(', ')}; built-in: ${builtins.join(', ')} (or give a path to a .ts/.js module)`);
  return list;
}

/** Runs `config` once per policy × topology, with the coherence checker installed. */
export function comparePolicies(config: string, ctx: Pick<CliContext, 'modules' | 'defaults' | 'catalogue'>, policies: CompareChoice[], topologies: CompareChoice[]): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const topology of topologies) {
    for (const policy of policies) {
      // Every run gets the checker: compare is about what the guest saw.
      const m = buildMachine(config, { modules: [...ctx.modules], defaults: ctx.defaults, policy: policy ?? undefined, topology: topology ?? undefined, ensure: ['checker'] });
      try {
        rows.push(row(m));
      } finally {
        m.dispose();
      }
    }
  }
  return rows;
}

function row(m: ReturnType<typeof buildMachine>): CompareRow {
  const r = m.run();
  const checker = m.get<CoherenceChecker>(CoherenceChecker);
  const v = (n: string) => m.stats.value(n) ?? 0;
  return {
    policy: m.plugins.find((p) => p.kind === 'policy')?.name ?? '(none)',
    topology: m.plugins.find((p) => p.kind === 'topology')?.name ?? '(default)',
    staleHypervisor: checker.staleHypervisor,
    staleGuest: checker.staleGuest,
    contractViolations: checker.contractViolations,
    dcLines: v('kvm.cmo.dc_lines'),
    icInvalidations: v('kvm.cmo.ic_inval_all') + v('kvm.cmo.ic_inval_range'),
    stage2Faults: v('kvm.stage2.faults'),
    cycles: r.cycles,
    failures: r.failures,
  };
}

const COLUMNS: [keyof CompareRow, string][] = [
  ['policy', 'policy'],
  ['topology', 'topology'],
  ['staleHypervisor', 'stale (hyp)'],
  ['staleGuest', 'stale (guest)'],
  ['contractViolations', 'violations'],
  ['dcLines', 'D lines'],
  ['icInvalidations', 'I invals'],
  ['stage2Faults', 's2 faults'],
  ['cycles', 'cycles'],
];

export function formatCompare(rows: CompareRow[]): string {
  const cells = rows.map((r) => COLUMNS.map(([k]) => String(r[k])));
  const widths = COLUMNS.map(([, h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  const out = [line(COLUMNS.map(([, h]) => h)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  const verdicts = rows.map((r) => {
    const what = r.contractViolations > 0 ? 'BREAKS THE LOCK CONTRACT' : r.staleHypervisor > 0 ? 'guest saw STALE data/instructions the hypervisor should have cleaned' : 'no hypervisor-blamed stale access';
    return `  ${r.policy}${rows.some((x) => x.topology !== r.topology) ? ` on ${r.topology}` : ''}: ${what}`;
  });
  return [...out, '', 'verdicts:', ...verdicts, ''].join('\n');
}

class CompareCommand implements CliCommand {
  readonly order = 15;
  register(program: Command, ctx: CliContext): void {
    program
      .command('compare')
      .description('run one scenario under every KVM policy (and optionally several topologies) and compare stale accesses and costs')
      .argument('<config>', 'machine config with a scenario')
      .option('--policy <list>', "comma-separated policies, names or .ts/.js paths, or 'all' (default: all, with the config's own)")
      .option('--topology <list>', "comma-separated topologies, names or .ts/.js paths, or 'all' (default: the config's)")
      .option('--json', 'print an array of objects: policy, topology, staleHypervisor, staleGuest, contractViolations, dcLines, icInvalidations, stage2Faults, cycles')
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  kvmsim compare examples/machines/reboot-locked.yaml --topology cortex-a72,neoverse-n1\n' +
          '  kvmsim compare examples/machines/reboot-locked.yaml --policy seed,examples/custom-policy.ts --topology all\n',
      )
      .action((config: string, opts: { policy?: string; topology?: string; json?: boolean }) => {
        const policies = compareChoices('policy', opts.policy, config, ctx);
        const topologies = compareChoices('topology', opts.topology, config, ctx);
        const rows = comparePolicies(config, ctx, policies, topologies);
        if (opts.json) {
          ctx.io.out(JSON.stringify(rows.map(({ failures: _f, ...r }) => r), null, 2) + '\n');
          return;
        }
        ctx.io.out(formatCompare(rows));
      });
  }
}

export const compareCliModule = new ContainerModule(({ bind }) => {
  bind(CliCommand).toConstantValue(new CompareCommand());
});
