/**
 * `kvmsim boot --smp N`: secondaries wait powered off for PSCI CPU_ON (KVM_ARM_VCPU_POWER_OFF,
 * as QEMU does with KVM), the VCPUs take turns of `--quantum` instructions, and a guest that
 * starts its second CPU prints what it prints on QEMU 7.2 with -smp 2; twice the same.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootSession, DEFAULTS, assemble, bootImage, defaultModules, drainSlices, main } from 'kvmsim';
import { captureIo } from '../../helpers';

const FIXTURES = path.join(__dirname, 'fixtures');
const hasQemu = spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;
const ctx = { modules: defaultModules(), defaults: DEFAULTS };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-smp-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function guest(): string {
  const src = path.join(FIXTURES, 'smp-hello.S');
  const out = path.join(dir, 'smp.bin');
  fs.writeFileSync(out, assemble(fs.readFileSync(src, 'utf8'), { base: 0x4008_0000, file: src }).bytes);
  return out;
}

describe('boot --smp', () => {
  (hasQemu ? it : it.skip)('starts a secondary with PSCI CPU_ON as QEMU 7.2 does', () => {
    const file = guest();
    const q = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-smp', '2', '-nographic', '-nodefaults', '-serial', 'stdio', '-kernel', file], { encoding: 'utf8', timeout: 20_000 });
    const k = bootImage(file, { smp: '2' }, ctx);
    expect(k.uart).toBe(q.stdout);
    expect(k.uart).toBe('0000000000000000\n0000000000000056\nfffffffffffffffc\n'); // SUCCESS, 0x55 + 1, ALREADY_ON
    expect(k.ok).toBe(true);
  });

  it('gives the same run for the same quantum, and the same console for another', () => {
    const file = guest();
    const a = bootImage(file, { smp: '2' }, ctx);
    const b = bootImage(file, { smp: '2' }, ctx);
    expect(b).toEqual(a);
    const c = bootImage(file, { smp: '2', quantum: '7' }, ctx);
    expect(c.uart).toBe(a.uart);
    expect(c.instructions).toBeLessThan(a.instructions); // CPU 0 spins less before CPU 1 runs
  });

  it('gives each VCPU its stats; one CPU answers CPU_ON with INVALID_PARAMETERS', () => {
    const file = guest();
    const s = new BootSession(file, { smp: '2', maxInsns: '200000' }, ctx);
    drainSlices(s.run());
    const stats = s.machine.stats.toJSON() as Record<string, number>;
    expect(stats['kvm.vcpu1.runs']).toBeGreaterThan(0);
    expect(stats['system.cpu1.insns']).toBeGreaterThan(0);
    s.dispose();
    const one = bootImage(file, { maxInsns: '20000' }, ctx);
    expect(one.uart).toBe('fffffffffffffffe\n'); // -2: no VCPU 1
  });

  it('refuses a bad --smp or --quantum (exit 2)', async () => {
    const file = guest();
    const a = captureIo();
    expect(await main(['boot', file, '--smp', '9'], a)).toBe(2);
    expect(a.stderr).toMatch(/--smp '9': expected 1 to 8 CPUs on a GICv2 machine \(--gic-version 3 takes more\)/);
    const b = captureIo();
    expect(await main(['boot', file, '--quantum', '0'], b)).toBe(2);
    expect(b.stderr).toMatch(/--quantum '0': expected a positive number/);
  });
});
