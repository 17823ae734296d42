import type { Command } from 'commander';
import * as fs from 'fs';
import { ContainerModule } from 'inversify';
import * as path from 'path';
import * as zlib from 'zlib';
import { CliCommand, Disposable, InputError, buildMachine, hex, writeFileAtomic, type CliContext } from '../../core';
import { MemorySystem } from '../hierarchy/memory-system';
import { MmioBus, MmioError, type MmioRegion } from '../memory/mmio';
import { CACHEGRIND_DEFAULTS, CachegrindSim, parseCachegrindCache } from './cachegrind-sim';
import { TraceReplayer, formatTotals, type CachegrindTotals } from './replay';
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

/** What a replay found: cachegrind's totals, and with --topology the machine's stats. */
export interface ReplayResult {
  totals: CachegrindTotals;
  /** The machine's stats (replays through a kvmsim topology only). */
  stats?: unknown;
  /** The topology replayed through, or `cachegrind` for cachegrind's own model. */
  topology: string;
  format: 'lackey' | 'binary';
  gzip: boolean;
}

/** The address space a replay through a topology simulates: 256 TiB (48-bit user addresses). */
export const REPLAY_SPACE = 2 ** 48;

/**
 * An MMIO bus that never holds a region: devices that register get a Disposable and are left
 * out, so every trace access is plain cacheable memory, whatever its address.
 */
class NoDevicesBus implements MmioBus {
  readonly regions: readonly MmioRegion[] = [];
  register(): Disposable {
    return Disposable.create(() => {});
  }
  find(): MmioRegion | undefined {
    return undefined;
  }
  overlapping(): MmioRegion | undefined {
    return undefined;
  }
  read(pa: number): number {
    throw new MmioError(`replay: no device at ${hex(pa)} (a replay has no devices)`);
  }
  write(pa: number): void {
    throw new MmioError(`replay: no device at ${hex(pa)} (a replay has no devices)`);
  }
}

const noDevicesModule = () =>
  new ContainerModule(({ rebindSync }) => {
    rebindSync(MmioBus).toConstantValue(new NoDevicesBus());
  });

/**
 * Replays a trace file. With --I1/--D1/--LL (any of them; cachegrind's defaults fill the others)
 * it runs cachegrind's own cache model, whose totals equal cachegrind's exactly; otherwise it
 * feeds the references through a kvmsim topology (default cortex-a72) and its coherent hierarchy.
 */
export async function replayTrace(
  file: string,
  opts: ReplayOpts,
  ctx: Pick<CliContext, 'modules' | 'defaults'>,
  onProgress?: (done: number, total: number) => void,
): Promise<ReplayResult> {
  const geometry = opts.I1 !== undefined || opts.D1 !== undefined || opts.LL !== undefined;
  if (geometry && opts.topology !== undefined) throw new InputError('--topology and --I1/--D1/--LL select a model each; give one or the other');
  // Check everything the user gave before reading a byte of the trace.
  const sim = geometry
    ? new CachegrindSim(
        parseCachegrindCache('--I1', opts.I1 ?? CACHEGRIND_DEFAULTS.I1),
        parseCachegrindCache('--D1', opts.D1 ?? CACHEGRIND_DEFAULTS.D1),
        parseCachegrindCache('--LL', opts.LL ?? CACHEGRIND_DEFAULTS.LL),
      )
    : undefined;
  // Traces hold user virtual addresses; with a topology they must fit the space replayed into.
  const source = openTrace(file, geometry ? {} : { addressLimit: REPLAY_SPACE });
  const writer = opts.saveBinary !== undefined ? new BinaryTraceWriter() : undefined;
  const save = () => {
    if (writer === undefined) return;
    const buf = writer.toBuffer();
    const out = opts.saveBinary!;
    // The folder of the output file is made if missing (writeFileAtomic writes beside the file).
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileAtomic(out, out.endsWith('.gz') ? zlib.gzipSync(buf, { level: 9 }) : buf);
  };
  if (sim !== undefined) {
    for await (const batch of source.refs()) {
      sim.replay(batch);
      if (writer) for (const r of batch) writer.add(r);
      onProgress?.(source.bytesRead, source.totalBytes);
    }
    save();
    return { totals: sim.totals, topology: 'cachegrind', format: source.format, gzip: source.gzip };
  }
  const topology = opts.topology ?? 'cortex-a72';
  // Traces hold user virtual addresses: give the replay a 256 TiB sparse physical space, with
  // no devices in it (the board's MMIO regions are physical addresses, not the program's).
  const machine = buildMachine(
    { name: `replay ${file}`, topology, machine: { cpus: 1, memory: { size: REPLAY_SPACE } } },
    { modules: [...ctx.modules, noDevicesModule()], defaults: ctx.defaults },
  );
  try {
    const replayer = new TraceReplayer(machine.get<MemorySystem>(MemorySystem));
    for await (const batch of source.refs()) {
      replayer.replay(batch);
      if (writer) for (const r of batch) writer.add(r);
      onProgress?.(source.bytesRead, source.totalBytes);
    }
    save();
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
      .description("feed a memory-reference trace (valgrind lackey text or kvmsim binary, optionally gzipped) through cachegrind's cache model or a kvmsim topology")
      .argument('<trace>', 'lackey --trace-mem=yes output, or a .kvtr binary trace; .gz accepted')
      .option('--topology <name>', "kvmsim topology to replay through, with kvmsim's own coherent hierarchy (default cortex-a72)")
      .option('--I1 <size,assoc,line>', "cachegrind's I1 geometry (selects cachegrind's cache model; defaults fill the flags left out)")
      .option('--D1 <size,assoc,line>', "cachegrind's D1 geometry")
      .option('--LL <size,assoc,line>', "cachegrind's unified last-level geometry")
      .option('--json', "print cachegrind's totals as one JSON object")
      .option('--save-binary <file>', 'also write the trace in the compact binary format (gzipped if FILE ends in .gz; folders made as needed)')
      .option('--no-progress', 'no progress bar, even on a terminal')
      .addHelpText(
        'after',
        "\nWith --I1/--D1/--LL the totals equal cachegrind's exactly, given a trace of the same run\n" +
          '(same binary path, environment, working directory and standard streams), e.g.:\n' +
          '  env -i valgrind --tool=lackey --trace-mem=yes --log-file=trace.txt $PWD/prog </dev/null >/dev/null\n' +
          '  env -i valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 --D1=16384,4,32 --LL=1048576,16,64 \\\n' +
          '      --cachegrind-out-file=cg.out $PWD/prog </dev/null >/dev/null\n' +
          '  kvmsim replay trace.txt --I1=32768,8,64 --D1=16384,4,32 --LL=1048576,16,64\n' +
          '\nexamples/traces/small.kvtr.gz is such a trace, of a small C program.\nExamples:\n' +
          '  kvmsim replay examples/traces/small.kvtr.gz --I1=32768,8,64 --D1=16384,4,32 --LL=1048576,16,64\n' +
          '  kvmsim replay examples/traces/small.kvtr.gz --topology neoverse-n1 --json\n',
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
