import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { EventBus, Rng, ScenarioStep, StatsRegistry, type CliIo, type StepContext } from '../core';

/**
 * A scenario step for core tests, contributed through DI like any other: emits `count` CMO
 * events at random addresses drawn from the machine's seeded RNG, advancing the clock.
 */
export class RandomCmoStep implements ScenarioStep<{ count: number }> {
  readonly kind = 'random_cmos';
  readonly description = 'emit CMO events at random addresses (test step)';
  readonly schema = z.strictObject({ count: z.int().min(1).describe('how many') });
  run(args: { count: number }, ctx: StepContext): void {
    const bus = ctx.machine.get<EventBus>(EventBus);
    const rng = ctx.machine.get<Rng>(Rng).fork('random_cmos');
    const stat = ctx.machine.get<StatsRegistry>(StatsRegistry).counter('test.random_cmos.lines', 'lines flushed by the test step');
    for (let i = 0; i < args.count; i++) {
      const addr = rng.nextInt(1 << 20) * 64;
      const lines = 1 + rng.nextInt(8);
      ctx.machine.clock.advance(lines * 10);
      stat.inc(lines);
      bus.emit({ type: 'cmo', op: 'DC CIVAC', cpu: 0, addr, size: lines * 64, lines, cycles: lines * 10 });
    }
  }
}

export const testStepsModule = (): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(ScenarioStep).toConstantValue(new RandomCmoStep());
  });

/** Captures CLI output. */
export function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTty: false,
    out(s: string) {
      io.stdout += s;
    },
    err(s: string) {
      io.stderr += s;
    },
  };
  return io;
}

const ROOT = path.join(__dirname, '..');

/** Newest modification time of the sources dist/ is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'test' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** bin/kvmsim.js runs dist/: build it when it is missing or older than the sources (for tests that spawn the CLI). */
export function ensureDistBuilt(): void {
  const dist = path.join(ROOT, 'dist', 'index.js');
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestSource(ROOT)) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}
