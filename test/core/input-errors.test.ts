import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from 'kvmsim';
import { describeError, shown } from '../../core';
import { captureIo } from '../helpers';

/** Hostile or broken input: every case exits 2 with a located message and no stack trace. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-input-'));
let n = 0;
function file(content: string | Buffer, name = `c${n++}.yaml`): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** `validate FILE` must exit 2 with a message matching every pattern, and no stack trace. */
async function refused(f: string, ...patterns: RegExp[]): Promise<string> {
  const r = await cli('validate', f);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toContain('internal error');
  for (const p of patterns) expect(r.err).toMatch(p);
  expect(r.code).toBe(2);
  return r.err;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('configs that are not configs', () => {
  it('a YAML alias bomb is refused at the alias limit', async () => {
    const lol = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [x, y] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f'], ['h', 'g']]) lol.push(`${x}: &${x} [${Array(9).fill(`*${y}`).join(', ')}]`);
    const f = file(lol.join('\n') + '\n');
    await refused(f, new RegExp(`^kvmsim: error: invalid config: ${esc(f)}:2:\\d+: \\(document\\): aliases \\(\\*name\\) expand to too much: more than 1000 alias expansions, the limit`));
  });

  it('a few aliases are fine', async () => {
    const f = file('description: &d hello\nname: *d\n');
    expect((await cli('validate', f)).code).toBe(0);
  });

  it('nesting past the depth limit says so, where it starts, and the limit', async () => {
    const f = file('seed: ' + '['.repeat(20000) + ']'.repeat(20000) + '\n');
    await refused(f, new RegExp(`${esc(f)}:1:\\d+: \\(document\\): nested deeper than 64 levels of lists and maps, the limit for a config`));
    const err = await refused(file('seed: ' + '['.repeat(65) + ']'.repeat(65) + '\n'), /nested deeper than 64 levels/);
    expect(err).not.toContain('syntax error');
    // Block nesting counts too, as do aliases that nest what they copy.
    await refused(file('- '.repeat(70) + 'x\n'), /:1:\d+: .*nested deeper than 64 levels/);
    const chain = ['a0: &a0 ' + '['.repeat(40) + ']'.repeat(40), 'a1: &a1 ' + '['.repeat(40) + '*a0' + ']'.repeat(40)];
    await refused(file(chain.join('\n') + '\n'), /:2:\d+: \(document\): aliases \(\*name\) nest lists and maps deeper than 64 levels/);
  });

  it('an empty or comment-only file says it is empty, at 1:1', async () => {
    for (const content of ['', '# only a comment\n\n# and another\n', '\n\n']) {
      const f = file(content);
      await refused(f, new RegExp(`^kvmsim: error: invalid config: ${esc(f)}:1:1: \\(document\\): the file is empty: no config in it`));
    }
  });

  it('NUL bytes and invalid UTF-8 are refused at the first bad byte', async () => {
    const nul = file('seed: 1\nname: "a\u0000b"\n');
    await refused(nul, new RegExp(`${esc(nul)}:2:9: \\(document\\): a NUL character`));
    const latin1 = file(Buffer.concat([Buffer.from('seed: 1\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await refused(latin1, new RegExp(`${esc(latin1)}:2:10: \\(document\\): not UTF-8 text: byte 0xe9 at offset 17`));
    const after = file(Buffer.concat([Buffer.from('name: é'), Buffer.from([0xc3, 0x28])]));
    await refused(after, new RegExp(`${esc(after)}:1:8: .*byte 0xc3`));
    // Well-formed UTF-8 (and a BOM) is fine.
    expect((await cli('validate', file('\ufeffname: café ☕ 🚀\n'))).code).toBe(0);
  });
});

describe('long values are cut in messages', () => {
  it('a 200 KB string is echoed as its first 200 characters and its length', async () => {
    const long = 'x'.repeat(200_000);
    for (const yaml of [`seed: "${long}"\n`, `machine: { memory: { size: "${long}" } }\n`, `plugins: ["${long}"]\n`, `? ${long}\n: 1\n`, `scenario:\n  - ? ${long}\n    : {}\n`]) {
      const r = await cli('validate', file(yaml));
      expect(r.code).toBe(2);
      expect(r.err.length).toBeLessThan(2000);
      expect(r.err).toMatch(/x{199}… \(20000\d chars\)/);
      expect(r.err).not.toContain('x'.repeat(201));
    }
  });

  it('so are long command-line values', async () => {
    const plain = file('seed: 1\n');
    for (const argv of [['--seed', '9'.repeat(100_000) + 'x'], ['--plugin', 'trace,' + 'k'.repeat(100_000)], ['--plugin', 'p'.repeat(100_000)]]) {
      const r = await cli('run', plain, ...argv);
      expect(r.code).toBe(2);
      expect(r.err.length).toBeLessThan(2000);
      expect(r.err).toMatch(/… \(1000\d\d chars\)/);
    }
  });

  it('shown() cuts, and renders what JSON cannot', () => {
    expect(shown('abc')).toBe('"abc"');
    expect(shown('y'.repeat(500))).toBe(`"${'y'.repeat(199)}… (502 chars)`);
    expect(shown(undefined)).toBe('nothing');
    expect(shown(10n)).toBe('10n');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shown(cyclic)).toBe('[object Object]');
  });
});

describe('describeError renders what was thrown', () => {
  it('Errors by message; plain objects as JSON; other values by String; long ones cut', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError({ code: 3, why: 'no' })).toBe('{"code":3,"why":"no"}');
    expect(describeError('plain string')).toBe('plain string');
    expect(describeError(42)).toBe('42');
    expect(describeError(null)).toBe('null');
    expect(describeError(undefined)).toBe('nothing');
    class Oops {
      constructor(readonly code = 7) {}
    }
    expect(describeError(new Oops())).toBe('Oops {"code":7}');
    expect(describeError({ big: 'z'.repeat(1000) })).toMatch(/… \(1010 chars\)$/);
    expect(describeError('w'.repeat(300))).toBe(`${'w'.repeat(200)}… (300 chars)`);
  });

  it('a plugin throwing a plain object names what it threw, not [object Object]', async () => {
    const plugin = file(
      `import { definePlugin } from '${path.join(__dirname, '..', '..', 'core').replace(/\\/g, '/')}';\n` +
        "export default definePlugin({ name: 'throws-object', apiVersion: 1, description: 'x', install() { throw { code: 'EOOPS', detail: 42 }; } });\n",
      'throws-object.ts',
    );
    const cfg = file(`plugins:\n  - path: ${plugin}\n`);
    const r = await cli('validate', cfg);
    expect(r.err).toMatch(new RegExp(`${esc(cfg)}:2:5: plugins\\[0\\]: plugin 'throws-object' failed to install: \\{"code":"EOOPS","detail":42\\}`));
    expect(r.err).not.toContain('[object Object]');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
  });
});

describe('keys named like Object.prototype members are ordinary keys', () => {
  const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
  const STEPS = 'expect, lock, munmap, run, set_memslot, unlock, vcpu_init, write';

  it.each(NAMES)('a step named %s is an unknown step, whatever its value', async (name) => {
    for (const value of ['null', '{}', '1', '[]']) {
      const f = file(`scenario:\n  - ${name}: ${value}\n`);
      await refused(f, new RegExp(`^kvmsim: error: invalid config: ${esc(f)}:2:5: scenario\\[0\\]\\.${name}: unknown step '${name}'; expected one of: ${STEPS}\\n$`));
    }
  });

  it.each(NAMES)('a key named %s is an unknown key, at the top, in a section, in step args, in expect', async (name) => {
    await refused(file(`${name}: { seed: 3 }\n`), new RegExp(`:1:1: ${name}: unknown key '${name}'; expected one of: name, description, seed,`));
    await refused(file(`machine: { ${name}: null }\n`), new RegExp(`:1:12: machine\\.${name}: unknown key '${name}'; expected one of: cpus, memory`));
    await refused(file(`scenario:\n  - run: { ${name}: null }\n`), new RegExp(`:2:12: scenario\\[0\\]\\.run\\.${name}: unknown key '${name}'; expected one of: vcpu,`));
    await refused(file(`scenario:\n  - expect: { ${name}: 1 }\n`), new RegExp(`:2:15: scenario\\[0\\]\\.expect\\.${name}: unknown key '${name}'; expected one of: stat,`));
  });

  it.each(NAMES)('a plugin arg or plugin named %s is unknown, in a config and on the command line', async (name) => {
    const f = file(`plugins:\n  - name: trace\n    args: { ${name}: null }\n`);
    await refused(f, new RegExp(`^kvmsim: error: ${esc(f)}:2:5: plugins\\[0\\]: plugin 'trace' has no arg '${name}'; valid args of 'trace':`));
    await refused(file(`plugins:\n  - ${name}\n`), new RegExp(`:2:5: plugins\\[0\\]: no plugin named '${name}'; built-in plugins:`));
    await refused(file(`topology: ${name}\n`), new RegExp(`:1:11: topology: no topology named '${name}'`));
    const plain = file('seed: 1\n');
    for (const [spec, message] of [
      [`trace,${name}=1`, `--plugin trace,${name}=1: plugin 'trace' has no arg '${name}'`],
      [name, `--plugin ${name}: no plugin named '${name}'`],
    ]) {
      const r = await cli('run', plain, '--plugin', spec);
      expect(r.err).toContain(`kvmsim: error: ${message}`);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(2);
    }
  });

  it('steps and plugin args that are not maps say what they are', async () => {
    await refused(file('scenario:\n  - null\n'), /:2:5: scenario\[0\]: Invalid input: expected record, received null/);
    await refused(file('scenario:\n  - [run]\n'), /:2:5: scenario\[0\]: Invalid input: expected record, received array/);
    await refused(file('plugins:\n  - name: trace\n    args: [1]\n'), /:3:11: plugins\[0\]\.args: Invalid input: expected record, received array/);
  });
});

describe('errors from a plugin say where in the config (or which --plugin) it came from', () => {
  const FIXTURES = path.join(__dirname, '..', 'fixtures', 'plugins');

  it('a plugin arg refused once the machine is known names file:line:col of that arg', async () => {
    const f = file('machine: { cpus: 2 }\nplugins:\n  - name: kvm-arm64\n    args: { backing: thp, host_cpu: 5 }\n');
    await refused(f, new RegExp(`^kvmsim: error: ${esc(f)}:4:37: plugins\\[0\\]\\.args\\.host_cpu: plugin 'kvm-arm64': host_cpu 5 does not exist: machine\\.cpus is 2, so the host cores are 0\\.\\.1\\n$`));
  });

  it('... or the --plugin argument that gave it', async () => {
    const r = await cli('run', file('seed: 1\n'), '--plugin', 'kvm-arm64,host_cpu=5');
    expect(r.err).toBe("kvmsim: error: --plugin kvm-arm64,host_cpu=5: plugin 'kvm-arm64': host_cpu 5 does not exist: machine.cpus is 1, so the host cores are 0..0\n");
    expect(r.code).toBe(2);
  });

  it('an InputError from a plugin binding or install is prefixed with the plugin position, once', async () => {
    const plugin = path.join(FIXTURES, 'lazy-widget.ts');
    const f = file(`seed: 1\nplugins:\n  - trace\n  - path: ${plugin}\n`);
    await refused(f, new RegExp(`^kvmsim: error: ${esc(f)}:4:5: plugins\\[1\\]: widget: no such widget\\n$`));
    const installs = path.join(FIXTURES, 'picky.ts');
    const g = file(`plugins:\n  - path: ${installs}\n`);
    await refused(g, new RegExp(`^kvmsim: error: ${esc(g)}:2:5: plugins\\[0\\]: picky: needs a uart\\n$`));
    const r = await cli('run', file('seed: 1\n'), '--plugin', installs);
    expect(r.err).toBe(`kvmsim: error: --plugin ${installs}: picky: needs a uart\n`);
  });
});

describe('step errors name file:line:col and the path inside the step', () => {
  const head = 'plugins:\n  - kvm-arm64\nscenario:\n  - set_memslot: { slot: 0, gpa: 0x40000000, size: 64MiB }\n';

  it('a line of inline assembly written as a literal block is a line of the config', async () => {
    const f = file(head + '  - write:\n      gpa: 0x40000000\n      asm: |\n        nop\n        frob x0\n');
    await refused(f, new RegExp(`^kvmsim: error: ${esc(f)}:9:9: scenario\\[1\\]\\.write\\.asm: line 2: unknown instruction 'frob'\\n$`));
    const quoted = file(head + '  - write: { gpa: 0x40000000, asm: "nop\\nfrob x0" }\n');
    await refused(quoted, new RegExp(`^kvmsim: error: ${esc(quoted)}:5:36: scenario\\[1\\]\\.write\\.asm: line 2: unknown instruction 'frob'\\n$`));
  });

  it('a file a step cannot read, or an .include inline assembly cannot, is placed at that arg', async () => {
    const f = file(head + '  - write: { gpa: 0x40000000, asm_file: nope.S }\n');
    await refused(f, new RegExp(`^kvmsim: error: ${esc(f)}:5:41: scenario\\[1\\]\\.write\\.asm_file: cannot read assembly 'nope\\.S'`));
    const inc = file(head + '  - write: { gpa: 0x40000000, asm: ".include \\"nope.S\\"" }\n');
    await refused(inc, new RegExp(`^kvmsim: error: ${esc(inc)}:5:36: scenario\\[1\\]\\.write\\.asm: \\.include "nope\\.S": cannot read ${esc(path.join(dir, 'nope.S'))}\\n$`));
  });

  it('an expectation echoes a long expected string cut', async () => {
    const r = await cli('run', file(head + `  - expect: { uart: "${'q'.repeat(5000)}" }\n`));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/expect uart: output "" does not contain "q{199}… \(5002 chars\)/);
    expect(r.out).not.toContain('q'.repeat(201));
  });
});

describe('a config broken everywhere', () => {
  it('lists its first 20 problems and says how many more', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-many-'));
    const file = path.join(d, 'm.yaml');
    fs.writeFileSync(file, 'scenario:\n' + Array.from({ length: 50 }, (_, i) => `  - run: { vcpu: -${i + 1} }`).join('\n') + '\n');
    const io = captureIo();
    expect(await main(['validate', file], io)).toBe(2);
    expect(io.stderr).toMatch(/^kvmsim: error: invalid config \(50 problems\):\n/);
    expect(io.stderr.split('\n').filter((l) => l.startsWith(`  ${file}:`))).toHaveLength(20);
    expect(io.stderr).toContain('  … and 30 more (mend these first)');
  });
});
