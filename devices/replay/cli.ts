import type { Command } from 'commander';
import { ContainerModule } from 'inversify';
import { CliCommand, InputError, PluginModule, buildMachine, writeFileAtomic, type CliContext } from '../../core';
import { MemorySystem } from '../hierarchy/memory-system';
import { defineTopology } from '../hierarchy/topology-plugin';
import { CACHEGRIND_DEFAULTS, cachegrindTopology, parseCachegrindGeometry } from './cachegrind-topology';
import { TraceReplayer, formatTotals } from './replay';
import * as zlib from 'zlib';
import { BinaryTraceWriter, openTrace } from './trace-format';

interface ReplayOpts {
  saveBinary?: string;
  topology?: string;
  I1?: string;
  D1?: string;
  LL?: string;
  json?: boolean;
  progress?: boolean;
}

/** Replays a trace file; resolves to cachegrind's totals and the machine's stats. */
export async function replayTrace(file: string, opts: ReplayOpts, ctx: Pick<CliContext, 'modules' | 'defaults'>, onProgress?: (done: number, total: number) => void) {
  const geometry = opts.I1 !== undefined || opts.D1 !== undefined || opts.LL !== undefined;
  if (geometry && opts.topology !== undefined) throw new InputError('--topology and --I1/--D1/--LL select a topology each; give one or the other');
  const modules = [...ctx.modules];
  let topology = opts.topology ?? 'cortex-a72';
  if (geometry) {
    const t = cachegrindTopology(
      parseCachegrindGeometry('--I1', opts.I1 ?? CACHEGRIND_DEFAULTS.I1),
      parseCachegrindGeometry('--D1', opts.D1 ?? CACHEGRIND_DEFAULTS.D1),
      parseCachegrindGeometry('--LL', opts.LL ?? CACHEGRIND_DEFAULTS.LL),
    );
    modules.push(new ContainerModule(({ bind }) => void bind(PluginModule).toConstantValue(defineTopology(t))));
    topology = 'cachegrind';
  }
  const source = openTrace(file);
  // Traces hold user virtual addresses: give the replay a 256 TiB sparse physical space.
  const machine = buildMachine({ name: `replay ${file}`, topology, machine: { cpus: 1, memory: { size: 2 ** 48 } } }, { modules, defaults: ctx.defaults });
  try {
    const replayer = new TraceReplayer(machine.get<MemorySystem>(MemorySystem));
    const writer = opts.saveBinary !== undefined ? new BinaryTraceWriter() : undefined;
    for await (const batch of source.refs()) {
      replayer.replay(batch);
      if (writer) for (const r of batch) writer.add(r);
      onProgress?.(source.bytesRead, source.totalBytes);
    }
    if (writer) {
      const buf = writer.toBuffer();
      writeFileAtomic(opts.saveBinary!, opts.saveBinary!.endsWith('.gz') ? zlib.gzipSync(buf, { level: 9 }) : buf);
    }
    machine.end('trace replayed');
    return { totals: replayer.totals, stats: machine.stats.toJSON(), topology, format: source.format, gzip: source.gzip };
  } finally {
    machine.dispose();
  }
}

class ReplayCommand implements CliCommand {
  readonly order = 50;
  register(program: Command, ctx: CliContext): void {
    program
      .command('replay')
      .description('feed a memory-reference trace (valgrind lackey text or kvmsim binary, optionally gzipped) through a cache topology')
      .argument('<trace>', 'lackey --trace-mem=yes output, or a .kvtr binary trace; .gz accepted')
      .option('--topology <name>', 'topology to replay through (default cortex-a72)')
      .option('--I1 <size,assoc,line>', 'cachegrind-like I1 geometry (selects the cachegrind topology)')
      .option('--D1 <size,assoc,line>', 'cachegrind-like D1 geometry')
      .option('--LL <size,assoc,line>', 'cachegrind-like last-level geometry')
      .option('--json', "print cachegrind's totals as one JSON object")
      .option('--save-binary <file>', 'also write the trace in the compact binary format (gzipped if FILE ends in .gz)')
      .option('--no-progress', 'no progress bar, even on a terminal')
      .addHelpText(
        'after',
        '\nCompare with cachegrind one to one:\n' +
          '  valgrind --tool=lackey --trace-mem=yes --log-file=trace.txt ./prog\n' +
          '  valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 --LL=1048576,16,64 ./prog\n' +
          '  kvmsim replay trace.txt --I1=32768,8,64 --D1=32768,8,64 --LL=1048576,16,64\n',
      )
      .action(async (file: string, opts: ReplayOpts) => {
        let bar: { start(total: number, v: number): void; update(v: number): void; stop(): void } | undefined;
        if (ctx.io.isTty && opts.progress !== false && !opts.json) {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { SingleBar, Presets } = require('cli-progress') as typeof import('cli-progress');
          bar = new SingleBar({ format: 'replay [{bar}] {percentage}% | {value}/{total} bytes', stream: process.stderr }, Presets.shades_classic);
        }
        let started = false;
        const r = await replayTrace(file, opts, ctx, (done, total) => {
          if (bar === undefined) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        });
        if (started) bar?.stop();
        if (opts.json) ctx.io.out(JSON.stringify(r.totals) + '\n');
        else ctx.io.out(`topology: ${r.topology}; trace: ${r.format}${r.gzip ? ' (gzip)' : ''}\n\n${formatTotals(r.totals)}`);
      });
  }
}

export const replayCliModule = new ContainerModule(({ bind }) => {
  bind(CliCommand).toConstantValue(new ReplayCommand());
});
