/**
 * A run that stops early — Ctrl-C, or an error at a step — still prints its summary and writes
 * whole output files, which say that it stopped early (`sim.complete` 0, a first line in the text
 * stats, `otherData.run` in the trace), so they are never mistaken for a finished run's.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from 'kvmsim';
import { captureIo, ensureDistBuilt } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-stop-'));

/** A config whose guest spins for ever (or for `budget` instructions), then powers off. */
function spinner(dir: string, budget = 1e12, after = ''): string {
  const file = path.join(dir, 'spin.yaml');
  fs.writeFileSync(
    file,
    [
      'plugins: [kvm-arm64]',
      'scenario:',
      '  - set_memslot: { slot: 0, gpa: 0x40000000, size: 16MiB }',
      '  - write: { gpa: 0x40080000, asm: "b ." }',
      '  - vcpu_init: {}',
      `  - run: { max_insns: ${budget} }`,
      after,
      '',
    ].join('\n'),
  );
  return file;
}

describe('runs that stop early', () => {
  it('run: Ctrl-C stops at the next slice, prints the summary, writes marked outputs, exit 130', async () => {
    ensureDistBuilt();
    const d = tmp();
    const stats = path.join(d, 'stats.txt');
    const trace = path.join(d, 'trace.json');
    fs.writeFileSync(stats, 'old stats\n');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'kvmsim.js'), 'run', spinner(d), '--stats', stats, '--trace', trace, '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.includes('wrote 4 bytes')) resolve();
      }),
    );
    const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await started;
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      expect(await done).toBe(130);
    } finally {
      child.kill('SIGKILL'); // whatever happened, the spinning guest does not outlive the test
    }
    expect(out).toMatch(/^== machine/);
    expect(out).toMatch(/result: interrupted \(Ctrl-C\) — 4 steps begun, \d+ cycles\n$/);
    const text = fs.readFileSync(stats, 'utf8');
    expect(text).toMatch(/^# kvmsim: this run stopped early: interrupted \(SIGINT\); the stats are what it did until then\n---------- Begin/);
    expect(text).toMatch(/^sim\.complete +0 /m);
    expect(Number(/^system\.cpu0\.insns +(\d+)/m.exec(text)![1])).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(trace, 'utf8')).otherData.run).toBe('stopped early: interrupted (SIGINT)');
    expect(fs.readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('an error at a step: the summary is not printed as a result, the outputs say the run stopped early, exit 2', async () => {
    const d = tmp();
    const stats = path.join(d, 'stats.json');
    fs.writeFileSync(stats, '{"old": 1}\n');
    // The second write goes past the memslot: bad input found when that step runs.
    const config = spinner(d, 1000, '  - write: { gpa: 0x40ff0000, string: "x", cpu: 0 }\n  - set_memslot: { slot: 1, gpa: 0x80000000, size: 4KiB }\n  - write: { gpa: 0x80000000, fill: { byte: 1, size: 1MiB } }');
    const io = captureIo();
    expect(await main(['run', config, '--stats', stats], io)).toBe(2);
    expect(io.stdout).toBe(''); // no summary or result line for a run that did not finish
    expect(io.stderr).toMatch(/kvmsim: error: .*spin\.yaml:\d+:\d+: scenario\[6\] \(write\): write: 1 MiB at 0x80000000 does not fit/);
    const json = JSON.parse(fs.readFileSync(stats, 'utf8')) as Record<string, number>;
    expect(json['sim.complete']).toBe(0);
    expect(json['system.cpu0.insns']).toBeGreaterThan(0);
  });

  it('a run that goes to its end says so: sim.complete 1, no header line', async () => {
    const d = tmp();
    const stats = path.join(d, 'stats.txt');
    const trace = path.join(d, 't.json');
    expect(await main(['run', spinner(d, 1000), '--stats', stats, '--trace', trace], captureIo())).toBe(0);
    const text = fs.readFileSync(stats, 'utf8');
    expect(text.startsWith('---------- Begin Simulation Statistics')).toBe(true);
    expect(text).toMatch(/^sim\.complete +1 /m);
    expect(JSON.parse(fs.readFileSync(trace, 'utf8')).otherData.run).toBe('complete');
  });
});
