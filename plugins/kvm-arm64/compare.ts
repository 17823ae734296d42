import type { Command } from 'commander';
import { ContainerModule } from 'inversify';
import { CliCommand, InputError, buildMachine, pluginCatalogue, type CliContext } from '../../core';
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

/** Runs `config` once per policy (and per topology), with the coherence checker installed. */
export function comparePolicies(config: string, ctx: Pick<CliContext, 'modules' | 'defaults' | 'catalogue'>, topologies: string[] | undefined): CompareRow[] {
  const catalogue = [...pluginCatalogue(ctx.catalogue()).values()];
  const policies = catalogue.filter((p) => p.kind === 'policy').map((p) => p.name);
  const rows: CompareRow[] = [];
  for (const topology of topologies ?? [undefined]) {
    for (const policy of policies) {
      // Every run gets the checker: compare is about what the guest saw.
      const m = buildMachine(config, { modules: [...ctx.modules], defaults: ctx.defaults, policy, topology, ensure: ['checker'] });
      try {
        rows.push(row(m, policy));
      } finally {
        m.dispose();
      }
    }
  }
  return rows;
}

function row(m: ReturnType<typeof buildMachine>, policy: string): CompareRow {
  const r = m.run();
  const checker = m.get<CoherenceChecker>(CoherenceChecker);
  const v = (n: string) => m.stats.value(n) ?? 0;
  return {
    policy,
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
      .option('--topology <names>', "comma-separated topologies, or 'all' (default: the config's)")
      .option('--json', 'print an array of objects: policy, topology, staleHypervisor, staleGuest, contractViolations, dcLines, icInvalidations, stage2Faults, cycles')
      .addHelpText('after', '\nExample:\n  kvmsim compare examples/machines/reboot-locked.yaml --topology cortex-a72,neoverse-n1\n')
      .action((config: string, opts: { topology?: string; json?: boolean }) => {
        let topologies: string[] | undefined;
        if (opts.topology !== undefined) {
          const all = [...pluginCatalogue(ctx.catalogue()).values()].filter((p) => p.kind === 'topology').map((p) => p.name);
          topologies = opts.topology === 'all' ? all : opts.topology.split(',').map((s) => s.trim());
          const bad = topologies.filter((t) => !all.includes(t));
          if (bad.length > 0) throw new InputError(`--topology: no topology named ${bad.map((b) => `'${b}'`).join(', ')}; built-in topologies: ${all.join(', ')}`);
        }
        const rows = comparePolicies(config, ctx, topologies);
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
