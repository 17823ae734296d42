/**
 * The package as npm users get it: `npm pack` once, install the tarball into a project of its
 * own in a temp folder (offline), and there do what the README's "A plugin in its own project"
 * says — type-check a plugin and the examples' plugins against the installed kvmsim without
 * @types/node, and load them by path, under the installed kvmsim and under this checkout's.
 * Plugins in a plain folder (no node_modules) and a plugin that drags in a second copy of
 * kvmsim are loaded too. Every kvmsim here is a child process running the built JavaScript.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
/** This checkout's CLI (dist/ is built by `npm pack`'s prepare). */
const HERE_CLI = path.join(ROOT, 'bin', 'kvmsim.js');
const REBOOT = path.join(ROOT, 'examples', 'machines', 'reboot-locked.yaml');

let tmp = '';
let proj = '';
let plain = '';
let packedFiles: string[] = [];
/** The installed kvmsim's folder and CLI. */
let installed = '';
let packedCli = '';
const timings: string[] = [];

interface Run {
  status: number | null;
  out: string;
  err: string;
}

/** Child processes must not think they run under jest (the loader leaves .ts to jest then). */
const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
delete env.JEST_WORKER_ID;

function run(cmd: string, args: string[], cwd: string): Run {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  timings.push(`${((Date.now() - t) / 1000).toFixed(1)}s  ${path.basename(cmd)} ${args.map((a) => path.basename(a)).join(' ')}`.slice(0, 140));
  if (r.error) throw r.error;
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function ok(r: Run): Run {
  if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.out}\n${r.err}`);
  return r;
}

/** A fenced block of README.md: the `nth` (from 0) of `lang` after the heading `heading`. */
function readmeBlock(heading: string, lang: string, nth = 0): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no heading '${heading}'`);
  const all = [...readme.slice(at).matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))];
  if (all.length <= nth) throw new Error(`README.md has no ${lang} block ${nth} under '${heading}'`);
  return all[nth][1];
}

/** A stat's value from a `--stats` text file. */
function stat(file: string, name: string): number {
  const m = new RegExp(`^${name.replace(/\./g, '\\.')}\\s+(\\S+)`, 'm').exec(fs.readFileSync(file, 'utf8'));
  if (m === null) throw new Error(`no stat ${name} in ${file}`);
  return Number(m[1]);
}

/**
 * The npm cache holds the dependencies' tarballs but not necessarily the registry's metadata
 * about them, which `npm install --offline` needs to choose versions. A lockfile with this
 * checkout's resolved versions (the ones package-lock.json pins) lets npm take everything from
 * the cache, as `npm ci` does; only the tarball's own entry is new.
 */
function seedLockfile(dir: string, tarball: string, integrity: string): void {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; engines: unknown };
  const spec = `file:${path.relative(dir, tarball)}`;
  const packages: Record<string, unknown> = {
    '': { name: 'cmo-counter', version: '1.0.0', dependencies: { kvmsim: spec } },
    'node_modules/kvmsim': { version: pkg.version, resolved: spec, integrity, license: 'MIT', dependencies: pkg.dependencies, bin: { kvmsim: 'bin/kvmsim.js' }, engines: pkg.engines },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev && !v.devOptional) packages[k] = v;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cmo-counter', version: '1.0.0', private: true, dependencies: { kvmsim: spec } }, null, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'cmo-counter', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-pack-')));
  const packed = JSON.parse(ok(run('npm', ['pack', '--pack-destination', tmp, '--json', '--silent'], ROOT)).out) as { filename: string; integrity: string; files: { path: string }[] }[];
  packedFiles = packed[0].files.map((f) => f.path);
  const tarball = path.join(tmp, packed[0].filename);

  proj = path.join(tmp, 'cmo-counter');
  fs.mkdirSync(proj);
  seedLockfile(proj, tarball, packed[0].integrity);
  ok(run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], proj));
  installed = path.join(proj, 'node_modules', 'kvmsim');
  packedCli = path.join(installed, 'bin', 'kvmsim.js');
  // ts-node's peer dependency brings it in; the public types must not need it.
  fs.rmSync(path.join(proj, 'node_modules', '@types', 'node'), { recursive: true, force: true });

  // The README's project: its tsconfig.json, its plugin; plus the examples' plugins, copied.
  fs.writeFileSync(path.join(proj, 'tsconfig.json'), readmeBlock('### A plugin in its own project', 'json'));
  fs.writeFileSync(path.join(proj, 'cmo-counter.ts'), readmeBlock('## Writing a plugin', 'ts'));
  fs.mkdirSync(path.join(proj, 'examples'));
  fs.copyFileSync(path.join(ROOT, 'examples', 'custom-policy.ts'), path.join(proj, 'examples', 'custom-policy.ts'));
  fs.cpSync(path.join(ROOT, 'examples', 'custom-device'), path.join(proj, 'examples', 'custom-device'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'examples', 'guest', 'lib'), path.join(proj, 'examples', 'guest', 'lib'), { recursive: true });

  // A plain folder: no package.json, no node_modules, a tsconfig kvmsim must not read.
  plain = path.join(tmp, 'plain');
  fs.mkdirSync(plain);
  fs.writeFileSync(path.join(plain, 'tsconfig.json'), JSON.stringify({ compilerOptions: { moduleResolution: 'bundler' } }));
  fs.copyFileSync(path.join(proj, 'cmo-counter.ts'), path.join(plain, 'cmo-counter.ts'));
  fs.writeFileSync(
    path.join(plain, 'deps.ts'),
    [
      "import { ContainerModule } from 'inversify';",
      "import { Subject } from 'rxjs';",
      "import { z } from 'zod';",
      "import * as kvmsim from 'kvmsim';",
      'export default kvmsim.definePlugin({',
      "  name: 'deps',",
      '  apiVersion: 1,',
      "  description: 'imports what kvmsim uses, by name',",
      '  args: z.object({ n: z.number().default(1) }),',
      '  containerModule: () => new ContainerModule(() => undefined),',
      '  install(api) {',
      '    const s = new Subject<number>();',
      "    api.log(`same zod ${kvmsim.z === z}, same inversify ${kvmsim.ContainerModule === ContainerModule}, rxjs ${typeof s.next}`);",
      '  },',
      '});',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(plain, 'second-copy.js'),
    `const other = require(${JSON.stringify(path.join(installed, 'dist', 'index.js'))});\n` +
      "module.exports = other.definePlugin({ name: 'second-copy', apiVersion: 1, description: 'uses another kvmsim', install() {} });\n",
  );
}, 120_000);

afterAll(() => {
  if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
  if (timings.length > 0) process.stdout.write(`package.test.ts timings:\n  ${timings.join('\n  ')}\n`);
});

describe('the npm package', () => {
  it('ships dist without the benchmarks, the docs the README cites, and no link out of itself', () => {
    expect(packedFiles).toContain('dist/index.d.ts');
    expect(packedFiles).toContain('docs/reference/kvm-arm64-cmo.md');
    expect(packedFiles.filter((f) => f.startsWith('dist/bench') || f.startsWith('bench/') || f.startsWith('dist-bench/'))).toEqual([]);
    const docs = packedFiles.filter((f) => f.endsWith('.md'));
    for (const doc of docs) {
      const text = fs.readFileSync(path.join(installed, doc), 'utf8');
      expect([doc, text.includes('../shared')]).toEqual([doc, false]);
      for (const m of text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
        if (/^[a-z]+:/.test(m[1])) continue;
        const target = path.resolve(path.dirname(path.join(installed, doc)), m[1]);
        expect([doc, m[1], target.startsWith(installed + path.sep) && fs.existsSync(target)]).toEqual([doc, m[1], true]);
      }
    }
  });

  it("type-checks the README's plugin and the examples' plugins in a project of its own, without @types/node", () => {
    expect(fs.existsSync(path.join(proj, 'node_modules', '@types', 'node'))).toBe(false);
    const r = run(process.execPath, [path.join(proj, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', proj], proj);
    expect(r.out + r.err).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it("loads the project's plugins with another kvmsim (this checkout's), which they use, not their own", () => {
    const stats = path.join(tmp, 'here.txt');
    const r = ok(run(process.execPath, [HERE_CLI, 'run', REBOOT, '--policy', './examples/custom-policy.ts', '--plugin', './cmo-counter.ts,weight=2', '--stats', stats], proj));
    expect(r.out).toMatch(/^ {3}policy +exec-revoke$/m);
    // exec-revoke revokes X instead of invalidating the whole I-cache, as seed would.
    expect(stat(stats, 'kvm.cmo.ic_inval_all')).toBe(0);
    expect(stat(stats, 'kvm.cmo.ic_inval_range')).toBeGreaterThan(0);
    expect(stat(stats, 'plugins.cmo_counter.cmos')).toBeGreaterThan(0);
    expect(stat(stats, 'plugins.cmo_counter.cmos') % 2).toBe(0);
  }, 30_000);

  it("loads the examples' plugins by path from the project with the installed kvmsim", () => {
    const stats = path.join(tmp, 'installed.txt');
    const machines = path.join(installed, 'examples', 'machines');
    const r = ok(run(process.execPath, [packedCli, 'run', path.join(machines, 'reboot-locked.yaml'), '--policy', './examples/custom-policy.ts', '--stats', stats], proj));
    expect(r.out).toMatch(/^ {3}policy +exec-revoke$/m);
    expect(stat(stats, 'kvm.cmo.ic_inval_all')).toBe(0);
    const dma = ok(run(process.execPath, [packedCli, 'run', './examples/custom-device/dma.yaml'], proj));
    expect(dma.out).toMatch(/transfers +1 done, 0 failed/);
    expect(dma.out).toMatch(/^result: ok/m);
    // The package's own copy, inside node_modules, loads too.
    ok(run(process.execPath, [packedCli, 'run', path.join(installed, 'examples', 'custom-device', 'dma-stale.yaml')], proj));
  }, 30_000);

  it("runs a plugin of another checkout (this one, whose 'kvmsim' is itself) with the installed kvmsim", () => {
    // From a folder with no tsconfig.json: the header said exec-revoke, the run was seed's.
    const stats = path.join(tmp, 'other.txt');
    const r = ok(run(process.execPath, [packedCli, 'run', path.join(installed, 'examples', 'machines', 'reboot-locked.yaml'), '--policy', path.join(ROOT, 'examples', 'custom-policy.ts'), '--stats', stats], tmp));
    expect(r.out).toMatch(/^ {3}policy +exec-revoke$/m);
    expect(stat(stats, 'kvm.cmo.ic_inval_all')).toBe(0);
    expect(stat(stats, 'kvm.cmo.ic_inval_range')).toBeGreaterThan(0);
  }, 30_000);

  it('loads plugins from a plain folder with no node_modules: kvmsim, zod, inversify and rxjs are the running copies', () => {
    const stats = path.join(tmp, 'plain.txt');
    const r = ok(run(process.execPath, [HERE_CLI, 'run', REBOOT, '--plugin', './cmo-counter.ts', '--plugin', './deps.ts,n=2', '--stats', stats, '--verbose'], plain));
    expect(r.err).toContain('same zod true, same inversify true, rxjs function');
    expect(stat(stats, 'plugins.cmo_counter.cmos')).toBeGreaterThan(0);
  }, 30_000);

  it("runs the README's commands in the project as written (its install step is the offline one above)", () => {
    const install = readmeBlock('### A plugin in its own project', 'sh', 0);
    expect(install).toMatch(/^npm install \.\.\/kvmsim\/kvmsim-\d+\.\d+\.\d+\.tgz$/m);
    const lines = readmeBlock('### A plugin in its own project', 'sh', 1).split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(2);
    const shEnv = { ...env, PATH: `${path.join(proj, 'node_modules', '.bin')}${path.delimiter}${env.PATH}` };
    for (const line of lines) {
      const r = spawnSync('bash', ['-c', line], { cwd: proj, env: shEnv, encoding: 'utf8', timeout: 60_000 });
      expect({ line, status: r.status, err: r.status === 0 ? '' : r.stderr }).toEqual({ line, status: 0, err: '' });
    }
    expect(stat(path.join(proj, 'stats.txt'), 'plugins.cmo_counter.cmos') % 2).toBe(0);
  }, 60_000);

  it('refuses a plugin that loads a second copy of kvmsim, saying so', () => {
    const r = run(process.execPath, [HERE_CLI, 'run', REBOOT, '--plugin', './second-copy.js'], plain);
    expect(r.status).toBe(2);
    expect(r.err).toContain(`--plugin ./second-copy.js: plugin './second-copy.js' loaded a second copy of kvmsim (${installed}) besides the one running it (${fs.realpathSync(ROOT)})`);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 30_000);
});
