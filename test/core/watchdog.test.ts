/**
 * The plugin watchdog, in a real kvmsim process (bin/kvmsim.js, the built JavaScript): a plugin
 * callback that never returns is stopped after --plugin-timeout, naming plugin and callback,
 * with the summary printed and the outputs written. No timing is asserted beyond "well under
 * the default limit".
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureDistBuilt } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'kvmsim.js');
const LOOPS = path.join(ROOT, 'test', 'fixtures', 'plugins', 'loops-on-cmo.js');
const REBOOT = path.join(ROOT, 'examples', 'machines', 'reboot-locked.yaml');

/** Child processes must not think they run under jest. */
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.JEST_WORKER_ID;

beforeAll(ensureDistBuilt, 180_000);

describe('the plugin watchdog', () => {
  it('stops a plugin callback that loops forever, names it, prints the summary and writes --stats; exit 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-watchdog-'));
    const stats = path.join(dir, 'stats.txt');
    const t = Date.now();
    const r = spawnSync(process.execPath, [CLI, 'run', REBOOT, '--plugin', LOOPS, '--plugin-timeout', '500', '--stats', stats], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
    const wall = Date.now() - t;
    expect(r.error).toBeUndefined();
    expect(r.stderr).toMatch(/^kvmsim: error: plugin 'loops-on-cmo': callback onCmo ran for more than 500 ms; stopped\n/);
    expect(r.stderr).not.toContain('debugger');
    expect(r.stderr).not.toContain('internal error');
    expect(r.stdout).toContain('== machine');
    expect(r.stdout).toMatch(/result: stopped — plugin 'loops-on-cmo': callback onCmo ran for more than 500 ms; stopped\n$/);
    expect(r.status).toBe(1);
    const text = fs.readFileSync(stats, 'utf8');
    expect(text).toMatch(/^# kvmsim: this run stopped early: plugin 'loops-on-cmo': callback onCmo ran for more than 500 ms; stopped;/);
    expect(text).toMatch(/^sim\.complete +0 /m);
    expect(wall).toBeLessThan(8_000); // the default limit is 10 s
  }, 60_000);

  it('takes its limit from KVMSIM_PLUGIN_TIMEOUT and refuses a bad one with exit 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', REBOOT, '--plugin', LOOPS], { cwd: ROOT, env: { ...env, KVMSIM_PLUGIN_TIMEOUT: '300' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toMatch(/callback onCmo ran for more than 300 ms; stopped/);
    expect(r.status).toBe(1);
    const bad = spawnSync(process.execPath, [CLI, 'run', REBOOT, '--plugin-timeout', 'soon'], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
    expect(bad.stderr).toBe("kvmsim: error: --plugin-timeout 'soon': expected a positive number of milliseconds\n");
    expect(bad.status).toBe(2);
  }, 60_000);

  it('leaves a run whose plugins behave alone', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', REBOOT, '--plugin-timeout', '500'], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toMatch(/result: ok/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);
});

describe('the plugin watchdog under boot', () => {
  it('stops the boot, ends the console line, prints the sections and writes --stats; exit 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-watchdog-'));
    const stats = path.join(dir, 'stats.json');
    const hello = path.join(ROOT, 'examples', 'guest', 'hello.elf');
    const r = spawnSync(process.execPath, [CLI, 'boot', hello, '--plugin', LOOPS, '--plugin-timeout', '300', '--stats', stats], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toMatch(/^kvmsim: error: plugin 'loops-on-cmo': callback onCmo ran for more than 300 ms; stopped\n== kvm\n/);
    expect(r.stdout === '' || r.stdout.endsWith('\n')).toBe(true);
    expect(r.status).toBe(1);
    expect(JSON.parse(fs.readFileSync(stats, 'utf8'))['sim.complete']).toBe(0);
  }, 60_000);
});
