/**
 * `npm run test:isa -- --seed S --count N [--length L] [--per-image P] [--groups a,b] [--exclude F,G] [--json]`:
 * a differential campaign of N generated instructions (sequences of L, P sequences per image)
 * on QEMU and on kvmsim. Prints the counts by group and by form, throughput, and every
 * difference (seed, sequence, first differing field, the sequence disassembled); exits 1 on any.
 */
import { formatDifference, runCampaign, type CampaignOptions } from './campaign';
import { GROUP_NAMES, type Group } from './generate';

function parseArgs(argv: string[]): CampaignOptions & { json: boolean } {
  const a: CampaignOptions & { json: boolean } = { seed: 1, count: 10_000, length: 20, perImage: 200, json: false };
  const num = (opt: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < 0) throw new Error(`test:isa: ${opt} takes a whole number, got '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i];
    const v = argv[i + 1];
    if (opt === '--json') {
      a.json = true;
      continue;
    }
    if (opt === '--seed') a.seed = num(opt, v);
    else if (opt === '--count') a.count = num(opt, v);
    else if (opt === '--length') a.length = Math.max(1, num(opt, v));
    else if (opt === '--per-image') a.perImage = Math.max(1, num(opt, v));
    else if (opt === '--groups') {
      const gs = (v ?? '').split(',').filter(Boolean);
      for (const g of gs) if (!(GROUP_NAMES as string[]).includes(g)) throw new Error(`test:isa: unknown group '${g}' (${GROUP_NAMES.join(', ')})`);
      a.groups = gs as Group[];
    } else if (opt === '--exclude') a.exclude = (v ?? '').split(',').filter(Boolean);
    else throw new Error(`test:isa: unknown option '${opt}' (--seed S --count N --length L --per-image P --groups G,.. --exclude FORM,.. --json)`);
    i++;
  }
  return a;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const tty = Boolean(process.stderr.isTTY) && !args.json;
  const r = await runCampaign({ ...args, progress: tty ? (d, t) => process.stderr.write(`\r  image ${d}/${t}`) : undefined });
  if (tty) process.stderr.write('\n');
  const rate = Math.round(r.instructions / (r.ms / 1000));
  if (args.json) {
    process.stdout.write(JSON.stringify({ seed: args.seed, ...r, instructionsPerSecond: rate }, null, 2) + '\n');
  } else {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`seed ${args.seed}: ${r.instructions} instructions in ${r.sequences} sequences, ${r.images} images`);
    w('by group:');
    for (const [g, n] of Object.entries(r.groups)) w(`  ${g.padEnd(12)} ${n}`);
    w('by form:');
    const forms = Object.entries(r.forms).sort((x, y) => x[0].localeCompare(y[0]));
    for (let i = 0; i < forms.length; i += 4) w('  ' + forms.slice(i, i + 4).map(([f, n]) => `${f.padEnd(13)} ${String(n).padStart(6)}`).join('   '));
    w(`${(r.ms / 1000).toFixed(1)} s: ${rate} instructions/s (QEMU ${(r.qemuMs / 1000).toFixed(1)} s, kvmsim ${(r.kvmsimMs / 1000).toFixed(1)} s, overlapping)`);
    for (const d of r.differences) w(formatDifference(d).join('\n'));
    w(`${r.differences.length} difference${r.differences.length === 1 ? '' : 's'}`);
  }
  return r.differences.length === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
