import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LOG_KEPT, createMachine, main } from 'kvmsim';
import { captureIo } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const DEFAULT = path.join(ROOT, 'examples', 'machines', 'reboot-locked.yaml');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-out-'));

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** Files in `dir` whose names say they are a writer's temporary file. */
const leftovers = (dir: string) => fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));

describe('output files (--stats, --trace, machine.stats)', () => {
  it('creates missing parent folders and keeps the summary (the --help example)', async () => {
    const d = tmp();
    const r = await cli('run', DEFAULT, '--stats', path.join(d, 'out', 'stats.txt'), '--trace', path.join(d, 'out', 'deep', 'trace.json'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('result: ok');
    expect(fs.readFileSync(path.join(d, 'out', 'stats.txt'), 'utf8')).toContain('kvm.cmo.dc_lines');
    expect(JSON.parse(fs.readFileSync(path.join(d, 'out', 'deep', 'trace.json'), 'utf8')).traceEvents.length).toBeGreaterThan(10);
    expect(leftovers(d)).toEqual([]);
  });

  it('refuses a directory, the same file twice and a device, before the run, exit 2', async () => {
    const d = tmp();
    const dirRun = await cli('run', DEFAULT, '--stats', d);
    expect(dirRun.code).toBe(2);
    expect(dirRun.err).toContain(`--stats '${d}': is a directory`);
    expect(dirRun.out).toBe('');
    const same = await cli('run', DEFAULT, '--stats', path.join(d, 'x'), '--trace', path.join(d, 'x'));
    expect(same.code).toBe(2);
    expect(same.err).toMatch(/--trace '.*x' is the same file as --stats/);
    expect(fs.existsSync(path.join(d, 'x'))).toBe(false);
    const dev = await cli('run', DEFAULT, '--stats', '/dev/null');
    expect(dev.code).toBe(2);
    expect(dev.err).toContain("--stats '/dev/null': is not a regular file");
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(leftovers(d)).toEqual([]);
  });

  it('writes through a symlink to its target and leaves the link a link', async () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'real.txt'), 'old');
    fs.symlinkSync('real.txt', path.join(d, 'link.txt'));
    const r = await cli('run', DEFAULT, '--stats', path.join(d, 'link.txt'));
    expect(r.code).toBe(0);
    expect(fs.lstatSync(path.join(d, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(d, 'real.txt'), 'utf8')).toContain('Begin Simulation Statistics');
  });

  it("machine.stats and machine.trace in a config write there, relative to the config; --stats overrides", async () => {
    const d = tmp();
    const config = fs.readFileSync(DEFAULT, 'utf8').replace(/^machine:\n/m, 'machine:\n  stats: out/s.json\n  trace: out/t.json\n');
    expect(config).toContain('stats: out/s.json');
    fs.mkdirSync(path.join(d, 'cfg'));
    const file = path.join(d, 'cfg', 'm.yaml');
    fs.writeFileSync(file, config.replace(/\.\.\/guest\//g, path.join(ROOT, 'examples', 'guest') + '/'));
    expect((await cli('validate', file)).code).toBe(0);
    const r = await cli('run', file);
    expect(r.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(d, 'cfg', 'out', 's.json'), 'utf8'))['kvm.cmo.dc_lines']).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(d, 'cfg', 'out', 't.json'), 'utf8')).traceEvents.length).toBeGreaterThan(10);
    const o = await cli('run', file, '--stats', path.join(d, 'other.txt'));
    expect(o.code).toBe(0);
    expect(fs.existsSync(path.join(d, 'other.txt'))).toBe(true);
  });
});

describe('plugin args on the command line', () => {
  it('a list arg takes a+b or the key repeated; the run --help example runs', async () => {
    const d = tmp();
    for (const spec of ['trace,events=cmo+stale', 'trace,events=cmo,events=stale']) {
      const r = await cli('run', DEFAULT, '--plugin', spec, '--trace', path.join(d, 't.json'));
      expect(r.code).toBe(0);
      const names = new Set(JSON.parse(fs.readFileSync(path.join(d, 't.json'), 'utf8')).traceEvents.filter((e: { ph: string }) => e.ph === 'i').map((e: { name: string }) => e.name));
      expect([...names]).toEqual(['cmo']); // this run has CMOs and no stale access
    }
    const bad = await cli('run', DEFAULT, '--plugin', 'trace,events=cmo+nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--plugin trace,events=cmo\+nope: bad args for plugin 'trace': arg 'events.1'/);
  });

  it('a scalar arg given twice is refused, naming the arg', async () => {
    const r = await cli('run', path.join(ROOT, 'test', 'fixtures', 'configs', 'random.yaml'), '--plugin', 'checker,max_events=1,max_events=2');
    expect(r.code).toBe(2);
    expect(r.err).toContain("arg 'max_events' of plugin 'checker' given 2 times; it takes one value");
  });

  it("an unknown policy lists the policies (not 'policys')", async () => {
    const r = await cli('run', DEFAULT, '--policy', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no policy named 'nope'; built-in policies: .*seed/);
  });

  it('--max-insns sets the budget of run steps that set none', async () => {
    const r = await cli('run', DEFAULT, '--max-insns', '50', '--json');
    const j = JSON.parse(r.out);
    expect(r.code).toBe(1);
    expect(j.failures.join('\n')).toMatch(/exited with insn_budget/);
    expect((await cli('run', DEFAULT, '--max-insns', '0')).code).toBe(2);
  });
});

describe('the trace plugin', () => {
  it('records at most max_events, then says the trace was truncated', async () => {
    const d = tmp();
    const file = path.join(d, 't.json');
    expect((await cli('run', DEFAULT, '--plugin', 'trace,max_events=10', '--trace', file)).code).toBe(0);
    const events = JSON.parse(fs.readFileSync(file, 'utf8')).traceEvents.filter((e: { ph: string }) => e.ph !== 'M');
    expect(events.length).toBeLessThanOrEqual(10 + 2); // the instants and their KVM_RUN slices
    expect(events[events.length - 1]).toMatchObject({ name: 'trace truncated', args: { max_events: 10 } });
    const full = path.join(d, 'full.json');
    expect((await cli('run', DEFAULT, '--trace', full)).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(full, 'utf8')).traceEvents.some((e: { name: string }) => e.name === 'trace truncated')).toBe(false);
  });
});

describe('the run log', () => {
  it('keeps its first LOG_KEPT lines and says the rest are not kept; --verbose sees them all', () => {
    const lines: string[] = [];
    const m = createMachine({ plugins: ['kvm-arm64'], scenario: [{ set_memslot: { slot: 0, gpa: 0x40000000, size: 4096 } }, ...Array.from({ length: LOG_KEPT + 50 }, () => ({ write: { gpa: 0x40000000, string: 'x' } }))] }, { onLog: (l) => lines.push(l) });
    m.run();
    expect(m.log.length).toBe(LOG_KEPT + 1);
    expect(m.log[LOG_KEPT]).toContain('later lines are not kept');
    expect(lines.length).toBeGreaterThan(LOG_KEPT + 40);
    m.dispose();
  });
});
