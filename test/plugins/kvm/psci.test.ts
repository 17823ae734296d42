/**
 * PSCI 1.1 and the SMCCC services as KVM answers them in the kernel (psci.ts, hypercalls.ts): a
 * guest's calls get QEMU 7.2's answers where QEMU implements the call, and KVM's (from
 * arch/arm64/kvm/psci.c and hypercalls.c) for the SMCCC services QEMU's TCG does not have; the
 * VMM's own range still exits to the VMM.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS, assemble, bootImage, defaultModules } from 'kvmsim';

const FIXTURES = path.join(__dirname, 'fixtures');
const hasQemu = spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;
const ctx = { modules: defaultModules(), defaults: DEFAULTS };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-psci-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function build(name: string, source?: string): string {
  const src = path.join(FIXTURES, `${name}.S`);
  const out = path.join(dir, `${name}.bin`);
  fs.writeFileSync(out, assemble(source ?? fs.readFileSync(src, 'utf8'), { base: 0x4008_0000, file: src }).bytes);
  return out;
}

const callThenPrint = (fn: number): string =>
  `movz x0, #${fn & 0xffff}\n movk x0, #${fn >>> 16}, lsl #16\n hvc #0\n mov x9, x0\n bl print_hex\n`;

describe('PSCI and SMCCC calls', () => {
  (hasQemu ? it : it.skip)('answer as QEMU 7.2 answers them', () => {
    const file = build('psci-calls');
    const q = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-smp', '2', '-nographic', '-nodefaults', '-serial', 'stdio', '-kernel', file], { encoding: 'utf8', timeout: 20_000 });
    const k = bootImage(file, { smp: '2' }, ctx);
    expect(k.uart).toBe(q.stdout);
    // VERSION 1.1; FEATURES: CPU_ON yes, SYSTEM_SUSPEND and unallocated no; MIGRATE_INFO_TYPE 2;
    // AFFINITY_INFO: CPU 0 on, CPU 1 off; unallocated PSCI and non-PSCI IDs NOT_SUPPORTED.
    const m1 = 'ffffffffffffffff';
    expect(k.uart.trim().split('\n').map((l) => l.replace(/^0+(?=.)/, ''))).toEqual(['10001', '0', m1, m1, '2', '0', '1', m1, m1]);
  });

  it("answer the SMCCC services KVM has: SMCCC_VERSION 1.1, the KVM vendor service's UID", () => {
    const src = `${callThenPrint(0x8000_0000)}${callThenPrint(0x8600_ff01)} mov x9, x1\n bl print_hex\n${callThenPrint(0x8400_0008)}\n.include "print-hex.inc"\n`;
    const k = bootImage(build('smccc', src), {}, ctx);
    expect(k.uart).toBe('0000000000010001\n00000000b66fb428\n00000000e911c52e\n');
    expect(k.ok).toBe(true);
  });

  it('leave the VMM its own range (OEM service calls): a hypercall exit', () => {
    const k = bootImage(build('vmm-call', `${callThenPrint(0x8300_0042)}\n.include "print-hex.inc"\n`), {}, ctx);
    expect(k.exit).toBe('hypercall');
    expect(k.detail).toMatch(/HVC #0, x0=0x83000042/);
  });
});
