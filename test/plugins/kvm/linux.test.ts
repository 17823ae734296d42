/**
 * Linux 6.1 (../shared/guests/linux/Image) on `kvmsim boot`, one and two CPUs: the console equals
 * QEMU 7.2's (linux/qemu-7.2/*.out) line for line, apart from the build-date line and two known
 * differences, each with its reason:
 * - the SMCCC lines: KVM answers PSCI_FEATURES(SMCCC_VERSION) and SMCCC_VERSION (1.1) and has a
 *   vendor hypervisor service, so Linux prints "SMC Calling Convention v1.1" and "smccc: KVM:
 *   hypervisor services detected"; QEMU's TCG PSCI has neither (v1.0, no line);
 * - the "Memory:" line: QEMU's own device tree has some 40 more nodes (virtio-mmio, PCIe, flash,
 *   fw-cfg...), whose unflattened copy Linux allocates early: 16 KiB more reserved.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULTS, bootImage, defaultModules } from 'kvmsim';

const DIR = path.join(__dirname, '..', '..', '..', '..', 'shared', 'guests', 'linux');
const present = fs.existsSync(path.join(DIR, 'Image'));
const ctx = { modules: defaultModules(), defaults: DEFAULTS };

const lines = (s: string): string[] => s.replace(/\r/g, '').split('\n').filter((l) => !l.startsWith('Linux version '));
const KNOWN = /^(psci: SMC Calling Convention v1\.[01]|smccc: KVM: hypervisor services detected|Memory: )/;

describe('Linux on kvmsim boot', () => {
  (present ? it.each([['1', 'smp1-poweroff'], ['2', 'smp2-poweroff']]) : it.skip.each([['1', 'smp1-poweroff']]))(
    '--smp %s prints what QEMU 7.2 prints (%s.out) and powers off',
    (smp, ref) => {
      const r = bootImage(path.join(DIR, 'Image'), { append: 'console=ttyAMA0', ram: '256MiB', smp }, ctx);
      expect(r.exit).toBe('system_event shutdown');
      const want = lines(fs.readFileSync(path.join(DIR, 'qemu-7.2', `${ref}.out`), 'utf8'));
      const got = lines(r.uart);
      expect(got.filter((l) => !KNOWN.test(l))).toEqual(want.filter((l) => !KNOWN.test(l)));
      expect(got).toContain('psci: SMC Calling Convention v1.1');
      expect(got).toContain('hello from userspace init');
    },
    300_000,
  );
});
