/**
 * `kvmsim boot` puts a guest's images where QEMU 7.2's `-kernel` puts them: guests that print x0,
 * their own load address and the word at x0 print the same on both, for an arm64 Image and a
 * raw binary, at several RAM sizes; an ELF gets the tree at the start of RAM and x0 = 0.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS, GUEST_DTB_SIZE, assemble, bootImage, decodeFdt, defaultModules, formatDts, main, placeKernel, readArm64Header } from 'kvmsim';
import { captureIo } from '../../helpers';

const FIXTURES = path.join(__dirname, 'fixtures');
const ROOT = path.join(__dirname, '..', '..', '..');
const hasQemu = spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;
const ctx = { modules: defaultModules(), defaults: DEFAULTS };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-loader-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function build(name: string): string {
  const src = path.join(FIXTURES, `${name}.S`);
  const out = path.join(dir, `${name}.bin`);
  fs.writeFileSync(out, assemble(fs.readFileSync(src, 'utf8'), { base: 0x4008_0000, file: src }).bytes);
  return out;
}

describe('where boot loads a kernel', () => {
  it('reads the arm64 Image header of the Linux Image', () => {
    const linux = path.join(ROOT, '..', 'shared', 'guests', 'linux', 'Image');
    if (!fs.existsSync(linux)) return;
    const h = readArm64Header(fs.readFileSync(linux));
    expect(h).toEqual({ textOffset: 0, imageSize: 0x2d0000, flags: 0xa });
    const p = placeKernel(fs.readFileSync(linux), linux, 0x4000_0000, 256 * 2 ** 20, 2000);
    expect(p).toMatchObject({ kind: 'image', pc: 0x4000_0000, kernelEntry: 0x4020_0000, dtbAddr: 0x4800_0000, kernelEnd: 0x404d_0000 });
  });

  (hasQemu ? it : it.skip)('as QEMU 7.2: an Image at +2 MiB, a raw binary at +0x80000, the tree at RAM + min(RAM/2, 128 MiB)', () => {
    for (const guest of ['where-image', 'where-raw']) {
      const file = build(guest);
      for (const mib of [128, 256, 1024]) {
        const q = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-nographic', '-nodefaults', '-serial', 'stdio', '-m', String(mib), '-kernel', file], { encoding: 'utf8', timeout: 20_000 });
        const k = bootImage(file, { ram: `${mib}MiB` }, ctx);
        expect({ guest, mib, console: k.uart }).toEqual({ guest, mib, console: q.stdout });
        expect(k.ok).toBe(true);
      }
    }
  });

  (hasQemu ? it : it.skip)('runs --bios firmware from the flash at 0 with the tree at the start of RAM, as QEMU 7.2', () => {
    const src = path.join(FIXTURES, 'where-firmware.S');
    const fw = path.join(dir, 'fw.bin');
    fs.writeFileSync(fw, assemble(fs.readFileSync(src, 'utf8'), { base: 0, file: src }).bytes);
    const q = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-nographic', '-nodefaults', '-serial', 'stdio', '-bios', fw], { encoding: 'utf8', timeout: 20_000 });
    const k = bootImage(undefined, { bios: fw }, ctx);
    expect(k.uart).toBe(q.stdout);
    expect(k).toMatchObject({ image: 'firmware', dtb: 0x4000_0000, ok: true });
  });

  it('refuses a kernel given twice, or with --bios, and nothing to boot (exit 2)', async () => {
    const file = build('where-raw');
    for (const [args, msg] of [
      [['boot', file, '--kernel', file], /give the kernel once/],
      [['boot', '--kernel', file, '--bios', file], /--bios .* with a kernel .*fw_cfg/],
      [['boot'], /nothing to boot: give an image \(or --kernel IMAGE\), or --bios FIRMWARE/],
    ] as const) {
      const c = captureIo();
      expect(await main([...args], c)).toBe(2);
      expect(c.stderr).toMatch(msg);
    }
    expect(bootImage(undefined, { kernel: file }, ctx).ok).toBe(true);
  });

  it('gives an ELF the tree at the start of RAM only when it fits below its segments, and x0 = 0', () => {
    const elf = path.join(ROOT, 'examples', 'guest', 'hello.elf');
    const small = placeKernel(fs.readFileSync(elf), elf, 0x4000_0000, 128 * 2 ** 20, 2000);
    expect(small).toMatchObject({ kind: 'elf', x0: 0, dtbAddr: 0x4000_0000 });
    expect(small.pc).toBe(small.kernelEntry);
    // The tree boot passes is 1 MiB, as QEMU's: it does not fit below 0x40080000, and QEMU's
    // load_dtb then loads none either.
    expect(placeKernel(fs.readFileSync(elf), elf, 0x4000_0000, 128 * 2 ** 20, GUEST_DTB_SIZE).dtbAddr).toBeUndefined();
    expect(bootImage(elf, {}, ctx).dtb).toBeUndefined();
  });

  it('passes --append in the tree, and --dtb instead of the generated tree', async () => {
    const file = build('where-raw');
    const dumped = path.join(dir, 'mine.dtb');
    expect(await main(['dtb', '-o', dumped, '--append', 'hello there'], captureIo())).toBe(0);
    expect(formatDts(decodeFdt(fs.readFileSync(dumped)))).toMatch(/bootargs = "hello there";/);
    const k = bootImage(file, { dtb: dumped }, ctx);
    expect(k.uart.split('\n')[2]).toBe('00000000edfe0dd0'); // the FDT magic, read by the guest
  });

  it('refuses a --dtb that is not a device tree, and an image larger than RAM, naming them (exit 2)', async () => {
    const file = build('where-raw');
    const bad = path.join(dir, 'bad.dtb');
    fs.writeFileSync(bad, 'not a tree');
    const c = captureIo();
    expect(await main(['boot', file, '--dtb', bad], c)).toBe(2);
    expect(c.stderr).toMatch(/--dtb '.*bad\.dtb': not a device tree blob: no FDT magic/);
    const big = path.join(dir, 'big.bin');
    fs.writeFileSync(big, new Uint8Array(5 * 2 ** 20));
    const d = captureIo();
    expect(await main(['boot', big, '-m', '4MiB'], d)).toBe(2);
    expect(d.stderr).toMatch(/big\.bin: the image \(0x500000 bytes at 0x40080000\) does not fit in RAM \[0x40000000, \+0x400000\); raise -m/);
  });
});
