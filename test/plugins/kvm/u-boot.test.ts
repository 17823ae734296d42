/**
 * U-Boot 2023.01 for QEMU's virt board (../shared/guests/u-boot/u-boot.bin) on `kvmsim boot
 * --bios`: it relocates itself, counts down autoboot on the generic timer, reaches its prompt and
 * answers `version`, `mw`/`md`, `crc32` and `poweroff` as on QEMU 7.2
 * (u-boot/qemu-7.2/prompt-commands.out), typed a line at each prompt. The lines that differ come
 * from devices QEMU's board has and kvmsim does not model: the device count, the CFI flash, and
 * fw_cfg (QEMU's `load` of a kernel through it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULTS, bootImage, defaultModules } from 'kvmsim';

const DIR = path.join(__dirname, '..', '..', '..', '..', 'shared', 'guests', 'u-boot');
const present = fs.existsSync(path.join(DIR, 'u-boot.bin'));
const ctx = { modules: defaultModules(), defaults: DEFAULTS };
const TYPED = 'version\\nmw.l 0x41000000 0x12345678 4; md.l 0x41000000 4\\ncrc32 0x41000000 0x10\\npoweroff\\n';

/** From the first `=> ` on: the commands and their answers. */
const session = (s: string): string[] => {
  const l = s.replace(/\r/g, '').split('\n');
  return l.slice(l.findIndex((x) => x.startsWith('=> '))).filter((x) => x !== '=> ');
};

describe('U-Boot on kvmsim boot --bios', () => {
  (present ? it : it.skip)(
    'reaches the prompt and answers the commands as on QEMU 7.2',
    () => {
      const r = bootImage(undefined, { bios: path.join(DIR, 'u-boot.bin'), ram: '256MiB', input: TYPED, prompt: '=> ' }, ctx);
      expect(r.exit).toBe('system_event shutdown');
      const qemu = fs.readFileSync(path.join(DIR, 'qemu-7.2', 'prompt-commands.out'), 'utf8');
      expect(session(r.uart)).toEqual(session(qemu));
      const banner = (s: string) => s.replace(/\r/g, '').split('\n').filter((x) => /^(U-Boot 20|DRAM:|In:|Out:|Err:|Hit any key)/.test(x));
      expect(banner(r.uart)).toEqual(banner(qemu));
      expect(r.uart).toMatch(/Flash: 0 Bytes/); // no CFI flash modelled
    },
    600_000,
  );
});
