import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from 'kvmsim';
import { captureIo } from '../helpers';

const CONFIGS = path.join(__dirname, '..', 'fixtures', 'configs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-cli-'));

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('kvmsim CLI', () => {
  it('--help lists the commands, examples and exit codes', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['run', 'validate', 'schema', 'plugins']) expect(r.out).toContain(c);
    expect(r.out).toContain('Exit codes: 0 success, 1 an expectation');
    expect((await cli('run', '--help')).out).toContain('--plugin <spec>');
  });

  it('plugins lists built-ins with their args', async () => {
    const r = await cli('plugins');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/trace\n +records control-plane events/);
    expect(r.out).toMatch(/events +list of "all" \| "vcpu.init" .*, default \["all"\]/);
    const j = JSON.parse((await cli('plugins', '--json')).out);
    expect(j.find((p: { name: string }) => p.name === 'trace').args[0]).toMatchObject({ name: 'events', default: ['all'] });
  });

  it('schema prints a JSON Schema that includes every step kind', async () => {
    const r = await cli('schema');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.type).toBe('object');
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['seed', 'machine', 'plugins', 'scenario', 'topology', 'policy']));
    expect(JSON.stringify(s.properties.scenario)).toContain('"expect"');
    expect(s.additionalProperties).toBe(false);
  });

  it('validate accepts a good config and rejects a bad one with exit code 2', async () => {
    const ok = await cli('validate', path.join(CONFIGS, 'random.yaml'));
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/random\.yaml: ok — 2 steps; topology cortex-a72, plugin kvm-arm64, policy seed, plugin random-cmos-step, plugin trace/);
    const dir = tmp();
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'seed: 1\nmachine:\n  cpus: many\n');
    const r = await cli('validate', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^kvmsim: error: invalid config: .*bad\.yaml:3:9: machine\.cpus: /);
    expect(r.err).not.toContain('    at ');
  });

  it('run prints a summary and exits 0; a failed expectation exits 1', async () => {
    const r = await cli('run', path.join(CONFIGS, 'random.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('== machine');
    expect(r.out).toMatch(/result: ok — 2 steps, \d+ cycles/);
    const f = await cli('run', path.join(CONFIGS, 'failing.yaml'));
    expect(f.code).toBe(1);
    expect(f.out).toMatch(/result: FAILED — 1 expectation\(s\) did not hold:\n  - .*failing\.yaml:6:5: scenario\[1\] \(expect\): expect stat: test\.random_cmos\.lines = \d+, expected at most 1/);
  });

  it('a throwing plugin is reported and the run goes on; under --strict it stops with exit 1', async () => {
    const plugin = path.join(__dirname, '..', 'fixtures', 'plugins', 'throws-on-cmo.ts');
    const lenient = await cli('run', path.join(CONFIGS, 'random.yaml'), '--plugin', plugin, '--json');
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.out).ok).toBe(true);
    expect(JSON.parse(lenient.out).pluginErrors[0]).toBe("plugin 'throws-on-cmo' failed while handling 'cmo': cannot count this CMO");
    const strict = await cli('run', path.join(CONFIGS, 'random.yaml'), '--plugin', plugin, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/^kvmsim: error: .*plugin 'throws-on-cmo' failed while handling 'cmo': cannot count this CMO/);
  });

  it('run --json prints one JSON object', async () => {
    const r = await cli('run', path.join(CONFIGS, 'random.yaml'), '--json');
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(true);
    expect(j.stats['test.random_cmos.lines']).toBeGreaterThanOrEqual(50);
  });

  it('bad input exits 2: unknown option value, bad seed, bad plugin spec, missing config', async () => {
    expect((await cli('run', path.join(CONFIGS, 'random.yaml'), '--seed', 'abc')).err).toContain("--seed 'abc': expected an integer");
    expect((await cli('run', path.join(CONFIGS, 'random.yaml'), '--plugin', 'trace,events')).code).toBe(2);
    expect((await cli('run', 'no/such/config.yaml')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('same config and seed give byte-identical stats and trace; another seed differs', async () => {
    const dir = tmp();
    const files = (tag: string) => [path.join(dir, `stats-${tag}.txt`), path.join(dir, `trace-${tag}.json`)];
    const run = async (tag: string, seed: string) => {
      const [stats, trace] = files(tag);
      const r = await cli('run', path.join(CONFIGS, 'random.yaml'), '--seed', seed, '--stats', stats, '--trace', trace);
      expect(r.code).toBe(0);
      return [fs.readFileSync(stats), fs.readFileSync(trace)];
    };
    const [s1, t1] = await run('a', '7');
    const [s2, t2] = await run('b', '7');
    const [s3, t3] = await run('c', '8');
    expect(s1.equals(s2)).toBe(true);
    expect(t1.equals(t2)).toBe(true);
    expect(t1.equals(t3)).toBe(false);
    expect(s1.toString()).toMatch(/^test\.random_cmos\.lines +\d+ +# lines flushed by the test step$/m);
    expect(s3.length).toBeGreaterThan(0);
    const trace = JSON.parse(t1.toString());
    expect(trace.traceEvents.filter((e: { name: string }) => e.name === 'cmo')).toHaveLength(50);
    expect(trace.traceEvents[0]).toMatchObject({ ph: 'M', name: 'process_name' });
  });

  it('--stats FILE.json writes JSON; a bad config leaves existing output files untouched', async () => {
    const dir = tmp();
    const stats = path.join(dir, 'stats.json');
    expect((await cli('run', path.join(CONFIGS, 'random.yaml'), '--stats', stats)).code).toBe(0);
    const before = fs.readFileSync(stats, 'utf8');
    expect(JSON.parse(before)['test.random_cmos.lines']).toBeGreaterThan(0);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'seed: [\n');
    expect((await cli('run', bad, '--stats', stats)).code).toBe(2);
    expect(fs.readFileSync(stats, 'utf8')).toBe(before);
  });
});
