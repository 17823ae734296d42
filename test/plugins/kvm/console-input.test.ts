/**
 * `kvmsim boot --input`: a guest reading its console sees the typed bytes as it does on QEMU 7.2
 * with the same bytes on stdin; `--prompt` types a line at a time; bad input exits 2.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS, assemble, bootImage, defaultModules, main } from 'kvmsim';
import { captureIo } from '../../helpers';

const FIXTURES = path.join(__dirname, 'fixtures');
const hasQemu = spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status === 0;
const ctx = { modules: defaultModules(), defaults: DEFAULTS };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-input-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function echoGuest(): string {
  const src = path.join(FIXTURES, 'echo-upper.S');
  const out = path.join(dir, 'echo.bin');
  fs.writeFileSync(out, assemble(fs.readFileSync(src, 'utf8'), { base: 0x4008_0000, file: src }).bytes);
  return out;
}

describe('boot --input', () => {
  (hasQemu ? it : it.skip)('feeds the console as QEMU feeds it from stdin', () => {
    const guest = echoGuest();
    const text = 'hello, world: the quick brown fox jumps over the lazy dog 0123456789 and more text than a FIFO holds.';
    const q = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-nographic', '-nodefaults', '-serial', 'stdio', '-kernel', guest], { input: text, encoding: 'utf8', timeout: 20_000 });
    const k = bootImage(guest, { input: text }, ctx);
    expect(k.uart).toBe(q.stdout);
    expect(k.uart).toBe(`>${text.slice(0, -1).toUpperCase()}\n`);
  });

  it('reads a file, or text with escapes; --prompt types a line each time the prompt is printed', () => {
    const guest = echoGuest();
    const file = path.join(dir, 'typed.txt');
    fs.writeFileSync(file, 'from a file.');
    expect(bootImage(guest, { input: file }, ctx).uart).toBe('>FROM A FILE\n');
    expect(bootImage(guest, { input: 'a\\x62c.' }, ctx).uart).toBe('>ABC\n');
    // The guest prints '>' once: only the first line is typed, so the '.' in the second never comes.
    const r = bootImage(guest, { input: 'ab\\ncd.', prompt: '>', maxInsns: '20000' }, ctx);
    expect(r.uart).toBe('>AB\n');
    expect(r.exit).toBe('insn_budget');
  });

  it('refuses --prompt without --input, and a bad escape (exit 2)', async () => {
    const guest = echoGuest();
    const a = captureIo();
    expect(await main(['boot', guest, '--prompt', '=> '], a)).toBe(2);
    expect(a.stderr).toMatch(/--prompt needs --input/);
    const b = captureIo();
    expect(await main(['boot', guest, '--input', 'oops\\q'], b)).toBe(2);
    expect(b.stderr).toMatch(/--input: unknown escape '\\q'/);
  });
});
