import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ContainerModule } from 'inversify';
import { createMachine, main } from 'kvmsim';
import { InputError, Instrumentation, PluginModule, definePlugin } from '../../core';
import { captureIo } from '../helpers';

/** Plugins that misbehave: each is refused or reported naming the plugin, never a crash. */

const CONFIGS = path.join(__dirname, '..', 'fixtures', 'configs');
const MISBEHAVES = path.join(__dirname, '..', 'fixtures', 'plugins', 'misbehaves.ts');
const RANDOM = path.join(CONFIGS, 'random.yaml');

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

const run = (mode: string, ...more: string[]) => cli('run', RANDOM, '--plugin', `${MISBEHAVES},mode=${mode}`, ...more);

function refused(r: { code: number; out: string; err: string }, ...patterns: RegExp[]): void {
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toContain('internal error');
  expect(r.out).not.toContain('result:');
  for (const p of patterns) expect(r.err).toMatch(p);
  expect(r.code).toBe(2);
}

describe('what a plugin returns from install', () => {
  it('a number, or an object whose dispose is not a function, is refused naming the plugin', async () => {
    refused(await run('return-number'), /^kvmsim: error: --plugin .*misbehaves\.ts,mode=return-number: plugin 'misbehaves': install\(\) returned a number 42; expected a Disposable/);
    refused(await run('return-bad-dispose'), /plugin 'misbehaves': install\(\) returned \{"dispose":"x"\} \(its dispose is string, not a function\); expected a Disposable/);
  });

  it('a Promise (an async install) is refused at once, and its later rejection goes nowhere', async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      refused(await run('async-install'), /plugin 'misbehaves': install\(\) returned a Promise \(is it async\?\)/);
      await new Promise((r) => setTimeout(r, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('disposal', () => {
  it('a throwing dispose is reported as that plugin\'s, the result stands, and the other handles are disposed', async () => {
    const r = await run('throwing-dispose');
    expect(r.code).toBe(0);
    expect(r.out).toContain('result: ok');
    expect(r.err).toMatch(/^kvmsim: warning: plugin 'misbehaves' failed while disposing: cannot let go$/m);
    expect(r.err).not.toContain('internal error');
    // The result comes before the warning, which comes after the run.
  });
});

describe('what a plugin binds', () => {
  it('a core token rebound to a value without its methods is refused naming the plugin and the token', async () => {
    refused(await run('rebind-topology-number'), /misbehaves\.ts,mode=rebind-topology-number: plugin 'misbehaves' binds CacheTopology to 42, which is not a CacheTopology: it is not an object/);
    refused(await run('rebind-topology-empty'), /plugin 'misbehaves' binds CacheTopology to \{\}, which is not a CacheTopology: it has no name, l1i, l1d/);
    refused(await run('rebind-memory'), /plugin 'misbehaves' binds MemorySystem to \{\}, which is not a MemorySystem: it has no write\(\), fetch\(\)/);
    refused(await run('rebind-policy'), /plugin 'misbehaves' binds KvmPolicy to 42, which is not a KvmPolicy/);
    refused(await run('rebind-cores'), /plugin 'misbehaves' binds GuestCoreFactory to "an interpreter", which is not a GuestCoreFactory: it is not an object/);
    refused(await run('rebind-bus'), /plugin 'misbehaves' binds EventBus to \{\}, which is not a EventBus: it has no on\(\), subscribe\(\)/);
  });
});

describe('process.exit in plugin code', () => {
  it('in a callback it is reported as the plugin\'s error and the run goes on; --strict stops the run', async () => {
    const exit = process.exit;
    const r = await run('exit-in-callback');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/plugin 'misbehaves' failed while handling 'cmo': called process\.exit\(0\) in its onCmo callback; a plugin must not end the process/);
    expect(r.out).toContain('result: ok');
    const s = await run('exit-in-callback', '--strict');
    expect(s.code).toBe(1);
    expect(s.err).toMatch(/^kvmsim: error: .*random\.yaml:7:5: scenario\[0\] \(random_cmos\): plugin 'misbehaves' failed while handling 'cmo': called process\.exit\(0\) in its onCmo callback/);
    expect(process.exit).toBe(exit);
  });

  it('in an rxjs subscriber of api.events() it is reported the same way', async () => {
    const r = await run('exit-in-stream');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/plugin 'misbehaves' failed while handling 'cmo': called process\.exit\(4\) in its events\('cmo'\) callback/);
  });

  it('in install it is refused as the plugin failing to install', async () => {
    refused(await run('exit-in-install'), /plugin 'misbehaves' failed to install: called process\.exit\(3\) in its install callback/);
  });
});

describe('async callbacks', () => {
  it('a callback returning a Promise is reported at once, naming the plugin', async () => {
    const r = await run('async-callback');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/plugin 'misbehaves' failed while handling 'cmo': returned a Promise: plugin callbacks must be synchronous/);
    const s = await run('async-callback', '--strict');
    expect(s.code).toBe(1);
    expect(s.out).not.toContain('result:');
  });
});

describe('in the library', () => {
  const pluginModule = (p: PluginModule<never>) => new ContainerModule(({ bind }) => void bind(PluginModule).toConstantValue(p));

  it('one throwing dispose does not keep the other plugins\' handles, or its own other ones, from being disposed', () => {
    const holds = definePlugin({
      name: 'holds',
      apiVersion: 1,
      description: 'two subscriptions, one handle that throws',
      install(api) {
        api.onCmo(() => undefined);
        api.onMemoryAccess(() => undefined);
        return { dispose: () => { throw new Error('no'); } };
      },
    });
    const m = createMachine({}, { modules: [pluginModule(holds as PluginModule<never>)], plugins: ['holds', `${MISBEHAVES},mode=throwing-dispose`] });
    expect(m.bus.subscriberCount('cmo')).toBe(2);
    m.dispose();
    expect(m.bus.subscriberCount('cmo')).toBe(0);
    expect(m.get<Instrumentation>(Instrumentation).memHooks).toBeNull();
    expect(m.disposeErrors).toEqual(["plugin 'misbehaves' failed while disposing: cannot let go", "plugin 'holds' failed while disposing: no"]);
  });

  it('a containerModule() that returns something else than a ContainerModule is refused naming the plugin', () => {
    const odd = definePlugin({ name: 'odd', apiVersion: 1, description: 'returns 7 for a module', containerModule: () => 7 as unknown as ContainerModule });
    expect(() => createMachine({}, { modules: [pluginModule(odd as PluginModule<never>)], plugins: ['odd'] })).toThrow(
      new InputError("--plugin odd: plugin 'odd': containerModule() returned a number 7; expected a ContainerModule (import it from 'kvmsim')"),
    );
  });

  it('process.exit is guarded only while a machine lives, and only inside plugin code', () => {
    const exit = process.exit;
    const m = createMachine({});
    expect(process.exit).not.toBe(exit);
    m.dispose();
    expect(process.exit).toBe(exit);
  });
});

describe('validate', () => {
  it('says when a plugin fails to dispose, and still exits 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-misbehaves-'));
    const f = path.join(dir, 'c.yaml');
    fs.writeFileSync(f, `plugins:\n  - path: ${JSON.stringify(MISBEHAVES)}\n    args: { mode: throwing-dispose }\n`);
    const r = await cli('validate', f);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/c\.yaml: ok/);
    expect(r.err).toBe("kvmsim: warning: plugin 'misbehaves' failed while disposing: cannot let go\n");
  });
});
