/**
 * Every example machine runs, and every expectation it states holds: each config encodes the
 * verdict the spec gives for its scenario under its policy. `compare` shows the policies side
 * by side as the README says.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compareChoices, comparePolicies, createMachine, defaultModules, DEFAULTS, main, type CompareRow } from 'kvmsim';
import { Container } from 'inversify';
import { coreModule, defaultConfig } from '../../core';
import { captureIo } from '../helpers';

const DIR = path.join(__dirname, '..', '..', 'examples', 'machines');
const configs = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

const ctx = {
  modules: defaultModules(),
  defaults: DEFAULTS,
  catalogue() {
    const c = new Container({ defaultScope: 'Singleton' });
    c.loadSync(coreModule(defaultConfig()), ...defaultModules());
    return c;
  },
};

describe('example machines', () => {
  it('includes the scenarios the issue names', () => {
    for (const name of ['reboot-locked', 's1-first-boot', 's2-dcache-only', 's3-rewrite-after-init', 's5-dic-host', 's7-two-vcpus', 's8-lock-unlock', 's9-guest-mmu-on', 'fwb-host', 'dic-host']) {
      expect(configs).toContain(`${name}.yaml`);
    }
  });

  it.each(configs)('%s runs and its expectations hold', (file) => {
    const m = createMachine(path.join(DIR, file));
    const r = m.run();
    expect(r.failures).toEqual([]);
    m.dispose();
  });

  it('npm start: reboot-locked prints both banners and a summary with no stale access', async () => {
    const io = captureIo();
    const code = await main(['run', path.join(DIR, 'reboot-locked.yaml')], io);
    expect(code).toBe(0);
    expect(io.stdout).toContain('| kvmsim guest v2 (code v2)');
    expect(io.stdout).toMatch(/policy +seed/);
    expect(io.stdout).toContain('stale reads/fetches  0 (hypervisor-blamed 0, guest-blamed 0)');
  });

  it('the default machine is deterministic: two runs give byte-identical stats and traces', async () => {
    const os = await import('os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-det-'));
    const outs: Buffer[][] = [];
    for (const tag of ['a', 'b']) {
      const stats = path.join(dir, `stats-${tag}.json`);
      const trace = path.join(dir, `trace-${tag}.json`);
      expect(await main(['run', path.join(DIR, 'reboot-locked.yaml'), '--stats', stats, '--trace', trace], captureIo())).toBe(0);
      outs.push([fs.readFileSync(stats), fs.readFileSync(trace)]);
    }
    expect(outs[0][0].equals(outs[1][0])).toBe(true);
    expect(outs[0][1].equals(outs[1][1])).toBe(true);
    const trace = JSON.parse(outs[0][1].toString());
    const runs = trace.traceEvents.filter((e: { ph: string; name: string }) => e.ph === 'X' && e.name.startsWith('KVM_RUN'));
    expect(runs.length).toBeGreaterThan(2);
    expect(JSON.parse(outs[0][0].toString())['kvm.pending_ops.performed']).toBe(2);
  });

  it('compare: dcache-only sees stale instructions on reboot-locked, seed none', () => {
    const config = path.join(DIR, 'reboot-locked.yaml');
    const rows = comparePolicies(config, ctx, compareChoices('policy', undefined, config, ctx), [null]);
    const by = (p: string) => rows.find((r) => r.policy === p) as CompareRow;
    expect(rows.map((r) => r.policy).sort()).toEqual(['dcache-only', 'eager-at-reset', 'seed', 'seed-v5', 'upstream']);
    expect(by('seed').staleHypervisor).toBe(0);
    expect(by('dcache-only').staleHypervisor).toBeGreaterThan(0);
    expect(by('dcache-only').failures.join('\n')).toContain('kvmsim guest v2 (code v1)');
    for (const r of rows) expect(r.contractViolations).toBe(0);
    // What the seed patch costs: the whole locked slot flushed, where upstream cleans only what faults in.
    expect(by('seed').dcLines).toBeGreaterThan(by('upstream').dcLines);
  });

  it("compare keeps a config's own policy and topology (paths), and takes paths on the command line", async () => {
    const config = path.join(__dirname, '..', 'fixtures', 'configs', 'custom-choices.yaml');
    const own = comparePolicies(config, ctx, compareChoices('policy', undefined, config, ctx), compareChoices('topology', undefined, config, ctx));
    expect(own.map((r) => r.policy)).toEqual(['upstream', 'seed', 'seed-v5', 'dcache-only', 'eager-at-reset', 'exec-revoke']);
    expect(new Set(own.map((r) => r.topology))).toEqual(new Set(['my-dic-topology']));
    // On a DIC host even dcache-only is correct: the rows really ran on the custom topology.
    for (const r of own) expect([r.policy, r.failures]).toEqual([r.policy, []]);
    const all = compareChoices('topology', 'all', config, ctx);
    expect(all).toEqual(['cortex-a72', 'neoverse-n1', 'tiny', null]);
    const io = captureIo();
    const code = await main(['compare', config, '--policy', 'seed,examples/custom-policy.ts', '--topology', 'tiny,test/fixtures/plugins/my-topology.ts', '--json'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const rows = JSON.parse(io.stdout) as CompareRow[];
    expect(rows.map((r) => `${r.policy}@${r.topology}`)).toEqual(['seed@tiny', 'exec-revoke@tiny', 'seed@my-dic-topology', 'exec-revoke@my-dic-topology']);
    const bad = captureIo();
    expect(await main(['compare', config, '--topology', 'nope'], bad)).toBe(2);
    expect(bad.stderr).toContain("--topology: no topology named 'nope'; built-in: cortex-a72, neoverse-n1, tiny");
  });

  it('compare --json prints the documented fields, per topology', async () => {
    const io = captureIo();
    expect(await main(['compare', path.join(DIR, 's3-rewrite-after-init.yaml'), '--topology', 'cortex-a72,neoverse-n1', '--json'], io)).toBe(0);
    const rows = JSON.parse(io.stdout) as CompareRow[];
    expect(rows).toHaveLength(10);
    expect(Object.keys(rows[0]).sort()).toEqual(['contractViolations', 'cycles', 'dcLines', 'icInvalidations', 'policy', 'stage2Faults', 'staleGuest', 'staleHypervisor', 'topology'].sort());
    const eager = (t: string) => rows.find((r) => r.policy === 'eager-at-reset' && r.topology === t)!;
    expect(eager('cortex-a72').staleHypervisor).toBeGreaterThan(0); // cleaned before the VMM's writes
    expect(eager('neoverse-n1').staleHypervisor).toBe(0); // FWB: the guest's accesses are cacheable
    expect((await main(['compare', path.join(DIR, 's3-rewrite-after-init.yaml'), '--topology', 'cortex-z9'], captureIo()))).toBe(2);
  });

  it('a policy of your own loads by path (examples/custom-policy.ts)', () => {
    const m = createMachine(path.join(DIR, 'reboot-locked.yaml'), { policy: path.join(__dirname, '..', '..', 'examples', 'custom-policy.ts') });
    expect(m.plugins.find((p) => p.kind === 'policy')!.name).toBe('exec-revoke');
    const r = m.run();
    expect(r.failures).toEqual([]);
    // It invalidates the I-cache page by page on exec faults, never all of it.
    expect(m.stats.value('kvm.cmo.ic_inval_all')).toBe(0);
    expect(m.stats.value('kvm.cmo.ic_inval_range')).toBeGreaterThan(1);
    m.dispose();
  });
});

describe('kvmsim boot', () => {
  const GUESTS = path.join(__dirname, '..', '..', 'examples', 'guest');

  it('boots an ELF and a raw image, printing the console, exit 0 at SYSTEM_OFF', async () => {
    for (const image of ['hello.elf', 'hello.bin']) {
      const io = captureIo();
      expect(await main(['boot', path.join(GUESTS, image)], io)).toBe(0);
      expect(io.stdout).toBe(fs.readFileSync(path.join(GUESTS, 'hello.expected'), 'utf8'));
      expect(io.stderr).toMatch(/kvmsim: system_event shutdown: PSCI SYSTEM_OFF at PC 0x/);
    }
  });

  it('stops with a reason and exit 1 when the budget runs out; bad images exit 2', async () => {
    const io = captureIo();
    expect(await main(['boot', path.join(GUESTS, 'sieve.bin'), '--max-insns', '1000'], io)).toBe(1);
    expect(io.stderr).toContain('insn_budget');
    const bad = captureIo();
    expect(await main(['boot', path.join(__dirname, '..', 'fixtures', 'configs', 'random.yaml')], bad)).toBe(1); // raw text: undefined instructions
    expect(bad.stderr).toMatch(/undefined instruction at PC=0x40080000, word=0x/);
    const missing = captureIo();
    expect(await main(['boot', 'no/such/image.elf'], missing)).toBe(2);
    expect(missing.stderr).toContain("cannot read image 'no/such/image.elf'");
  });
});
