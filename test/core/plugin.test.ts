import * as path from 'path';
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { createMachine } from 'kvmsim';
import { EventBus, InputError, Instrumentation, PluginModule, definePlugin, parsePluginSpec, type PluginApi } from '../../core';
import { testStepsModule } from '../helpers';

const FIX = path.join(__dirname, '..', 'fixtures', 'plugins');
const base = { scenario: [{ random_cmos: { count: 5 } }] };

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('plugin loading', () => {
  it('loads a built-in plugin by name from the config', () => {
    const m = createMachine({ ...base, plugins: ['trace'] }, { modules: [testStepsModule()] });
    expect(m.plugins.map((p) => p.name)).toContain('trace');
    m.run();
    expect(m.trace.events.filter((e) => e.name === 'cmo')).toHaveLength(5);
    m.dispose();
  });

  it('loads a TypeScript plugin by path, relative to the config, with args', () => {
    const m = createMachine(path.join(__dirname, '..', 'fixtures', 'configs', 'with-plugin.yaml'), { modules: [testStepsModule()] });
    const r = m.run();
    expect(r.failures).toEqual([]);
    expect(m.stats.value('mine.cmos')).toBe(12);
    m.dispose();
  });

  it('loads plugins by path from --plugin specs with coerced args', () => {
    const spec = `${path.relative(process.cwd(), path.join(FIX, 'counter-plugin.ts'))},prefix=cli,weight=2,verbose=true`;
    const m = createMachine(base, { modules: [testStepsModule()], plugins: [spec, path.join(FIX, 'js-plugin.js')] });
    m.run();
    expect(m.stats.value('cli.cmos')).toBe(10);
    expect(m.stats.value('test.js_plugin.cmos')).toBe(5);
    expect(m.plugins.find((p) => p.name === 'cmo-counter')!.args).toEqual({ prefix: 'cli', weight: 2, verbose: true });
    m.dispose();
  });

  it('rejects an unknown arg, listing the valid ones', () => {
    const e = errorOf(() => createMachine(base, { modules: [testStepsModule()], plugins: [`${FIX}/counter-plugin.ts,colour=red`] }));
    expect(e.message).toContain("plugin 'cmo-counter' has no arg 'colour'");
    expect(e.message).toMatch(/prefix +string, default "test.counter" — stat name prefix/);
    expect(e.message).toContain('weight');
    expect(e.exitCode).toBe(2);
  });

  it('rejects a bad arg value, saying what was given', () => {
    const e = errorOf(() => createMachine(base, { modules: [testStepsModule()], plugins: [`${FIX}/counter-plugin.ts,weight=heavy`] }));
    expect(e.message).toMatch(/arg 'weight': .*\(got "heavy"\)/);
  });

  it('rejects an incompatible apiVersion', () => {
    const e = errorOf(() => createMachine(base, { plugins: [`${FIX}/future-plugin.ts`] }));
    expect(e.message).toContain("('from-the-future') was written for plugin API version 99, but this kvmsim implements version 1");
  });

  it('rejects a module that is not a plugin, one that throws on load, and a missing path', () => {
    expect(errorOf(() => createMachine(base, { plugins: [`${FIX}/not-a-plugin.ts`] })).message).toContain("is not a valid plugin: missing 'name' (a string)");
    expect(errorOf(() => createMachine(base, { plugins: [`${FIX}/throws-on-load.ts`] })).message).toContain('failed to load: cannot initialise: missing licence key');
    expect(errorOf(() => createMachine(base, { plugins: ['./nowhere/plugin.ts'] })).message).toMatch(/plugin path '\.\/nowhere\/plugin\.ts' does not exist/);
  });

  it('rejects an unknown built-in name, listing the built-ins', () => {
    const e = errorOf(() => createMachine({ plugins: ['tracer'] }));
    expect(e.message).toContain("no plugin named 'tracer'; built-in plugins: ");
    expect(e.message).toContain('trace');
  });

  it('rejects a plugin installed twice', () => {
    expect(errorOf(() => createMachine({ plugins: ['trace'] }, { plugins: ['trace'] })).message).toContain("plugin 'trace' is already installed");
  });

  it('parses --plugin specs', () => {
    expect(parsePluginSpec('trace,events=cmo')).toEqual({ ref: 'trace', args: { events: 'cmo' } });
    expect(() => parsePluginSpec('trace,events')).toThrow("'events' is not key=value");
    expect(() => parsePluginSpec(',a=1')).toThrow('missing plugin name');
  });
});

describe('plugin API', () => {
  it('gives a plugin every callback family, each returning a Disposable that undoes it', () => {
    let api!: PluginApi;
    const probe = definePlugin({
      name: 'probe',
      apiVersion: 1,
      description: 'captures its api',
      install(a) {
        api = a;
      },
    });
    const m = createMachine({}, { modules: [pluginModule(probe)], plugins: ['probe'] });
    const bus = m.get<EventBus>(EventBus);
    const inst = m.get<Instrumentation>(Instrumentation);
    const before = bus.subscriberCount();
    const handles = [
      api.onVcpuInit(() => {}),
      api.onVcpuReset(() => {}),
      api.onVcpuRun(() => {}),
      api.onVcpuExit(() => {}),
      api.onStage2Fault(() => {}),
      api.onStage2Map(() => {}),
      api.onStage2Unmap(() => {}),
      api.onCmo(() => {}),
      api.onMemslotChange(() => {}),
      api.onUserspaceWrite(() => {}),
      api.onStale(() => {}),
      api.on('sim.end', () => {}),
      api.onMemoryAccess(() => {}, { kinds: ['read'], range: { start: 0, end: 4096 } }),
      api.onInstruction(() => {}),
      api.onAtExit(() => {}),
      api.addSummary('probe', () => ['hello']),
    ];
    expect(bus.subscriberCount()).toBe(before + 14);
    expect(inst.memHooks).not.toBeNull();
    expect(inst.insnHooks).not.toBeNull();
    expect(m.summary().map((s) => s.title)).toContain('probe');
    for (const h of handles) h.dispose();
    expect(bus.subscriberCount()).toBe(before);
    expect(inst.memHooks).toBeNull();
    expect(inst.insnHooks).toBeNull();
    expect(m.summary().map((s) => s.title)).not.toContain('probe');
    m.dispose();
  });

  it('disposing the machine removes everything plugins registered', () => {
    const m = createMachine({ ...base, plugins: ['trace'] }, { modules: [testStepsModule()], plugins: [`${FIX}/counter-plugin.ts`] });
    const bus = m.get<EventBus>(EventBus);
    expect(bus.subscriberCount()).toBeGreaterThan(0);
    m.dispose();
    expect(bus.subscriberCount()).toBe(0);
  });

  it('filters memory accesses by kind, agent and range', () => {
    const inst = createMachine({}).get<Instrumentation>(Instrumentation);
    const seen: number[] = [];
    const d = inst.onMemoryAccess((a) => seen.push(a.addr), { kinds: ['write'], agents: ['host'], range: { start: 0x1000, end: 0x2000 } });
    const access = (agent: 'vcpu' | 'host', kind: 'read' | 'write', addr: number) =>
      inst.fireMemoryAccess({ agent, cpu: 0, kind, addr, data: new Uint8Array(8), cacheable: true, level: 'l1d' });
    access('host', 'write', 0x1000);
    access('host', 'write', 0x0ffc); // overlaps the range's first bytes
    access('host', 'write', 0x2000);
    access('host', 'read', 0x1800);
    access('vcpu', 'write', 0x1800);
    d.dispose();
    access('host', 'write', 0x1000);
    expect(seen).toEqual([0x1000, 0x0ffc]);
  });

  it('delivers write-backs (agent cache) only to hooks that ask for them', () => {
    const inst = createMachine({}).get<Instrumentation>(Instrumentation);
    const all: string[] = [];
    const wb: string[] = [];
    inst.onMemoryAccess((a) => all.push(a.agent));
    inst.onMemoryAccess((a) => wb.push(a.agent), { agents: ['cache'] });
    for (const agent of ['vcpu', 'cache'] as const) inst.fireMemoryAccess({ agent, cpu: -1, kind: 'write', addr: 0, data: new Uint8Array(64), cacheable: true, level: 'memory' });
    expect(all).toEqual(['vcpu']);
    expect(wb).toEqual(['cache']);
  });

  it('reports a throwing data-plane callback as plugin.error naming the plugin', () => {
    const noisy = definePlugin({
      name: 'noisy',
      apiVersion: 1,
      description: 'throws from a memory hook',
      install(api) {
        return api.onMemoryAccess(() => {
          throw new Error('hook failed');
        });
      },
    });
    const m = createMachine({}, { modules: [pluginModule(noisy)], plugins: ['noisy'] });
    const errors: string[] = [];
    m.bus.subscribe('plugin.error', (e) => errors.push(`${e.plugin}: ${e.event}: ${e.message}`));
    m.get<Instrumentation>(Instrumentation).fireMemoryAccess({ agent: 'vcpu', cpu: 0, kind: 'read', addr: 0, data: new Uint8Array(4), cacheable: false, level: 'memory' });
    expect(errors).toEqual(['noisy: memory access: hook failed']);
    m.dispose();
  });

  it('lets plugins offer services to other plugins through DI', () => {
    interface Greeter {
      greet(who: string): string;
    }
    const Greeter = Symbol('Greeter');
    const provider = definePlugin({
      name: 'greeter-provider',
      apiVersion: 1,
      description: 'offers a Greeter',
      args: z.object({ greeting: z.string().default('hello') }),
      containerModule: (args) =>
        new ContainerModule(({ bind }) => {
          bind<Greeter>(Greeter).toConstantValue({ greet: (w) => `${args.greeting}, ${w}` });
        }),
    });
    let heard = '';
    const consumer = definePlugin({
      name: 'greeter-consumer',
      apiVersion: 1,
      description: 'uses a Greeter',
      install(api) {
        heard = api.get<Greeter>(Greeter).greet('kvm');
        expect(api.tryGet(Symbol('Unbound'))).toBeUndefined();
        expect(() => api.get(Symbol('Unbound'))).toThrow("plugin 'greeter-consumer': nothing is bound to Symbol(Unbound)");
      },
    });
    const m = createMachine(
      { plugins: [{ name: 'greeter-provider', args: { greeting: 'hi' } }, 'greeter-consumer'] },
      { modules: [pluginModule(provider), pluginModule(consumer)] },
    );
    expect(heard).toBe('hi, kvm');
    m.dispose();
  });
});

function pluginModule(p: PluginModule<never> | PluginModule<Record<string, unknown>> | object): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(PluginModule).toConstantValue(p);
  });
}

describe('DI tokens', () => {
  it('are registered symbols with a kvmsim. prefix, the same in every copy of kvmsim', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('kvmsim') as Record<string, unknown>;
    const tokens = Object.entries(lib).filter(([, v]) => typeof v === 'symbol') as [string, symbol][];
    expect(tokens.map(([k]) => k)).toEqual(expect.arrayContaining(['MmioBus', 'KvmPolicy', 'CacheTopology', 'EventBus', 'Kvm', 'PluginModule']));
    for (const [name, token] of tokens) expect([name, token]).toEqual([name, Symbol.for(`kvmsim.${name}`)]);
  });
});

describe('what a plugin imports from kvmsim', () => {
  it('includes zod and inversify\'s ContainerModule, the copies kvmsim itself uses', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('kvmsim') as Record<string, unknown>;
    expect(lib.z).toBe(z);
    expect(lib.ContainerModule).toBe(ContainerModule);
  });
});
