import { Container } from 'inversify';
import { InputError, buildMachine, pluginCatalogue } from '../../../core';
import { cacheModule } from '../../../devices/cache';
import { CORTEX_A72, CacheHierarchy, CacheTopology, MemorySystem, NEOVERSE_N1, TINY, hierarchyModule, validateTopology } from '../../../devices/hierarchy';
import { memoryModule } from '../../../devices/memory';
import { topologiesModule } from '../../../plugins/topologies';
import { testMachine } from '../hierarchy/machine';

const modules = [memoryModule, cacheModule, hierarchyModule, topologiesModule];

describe('topology plugins', () => {
  it('are in the catalogue as topologies', () => {
    const c = new Container();
    c.loadSync(topologiesModule);
    const cat = pluginCatalogue(c);
    expect([...cat.keys()]).toEqual(['cortex-a72', 'neoverse-n1', 'tiny']);
    for (const p of cat.values()) expect(p.kind).toBe('topology');
  });

  it('each rebinds CacheTopology', () => {
    for (const [name, t] of [['cortex-a72', CORTEX_A72], ['neoverse-n1', NEOVERSE_N1], ['tiny', TINY]] as const) {
      const m = buildMachine({ topology: name }, { modules });
      expect(m.get<CacheTopology>(CacheTopology)).toEqual(t);
      expect(m.plugins.map((p) => [p.name, p.kind])).toEqual([[name, 'topology']]);
    }
  });

  it('is chosen by default when the config names none', () => {
    const m = buildMachine({}, { modules, defaults: { topology: 'cortex-a72' } });
    expect(m.plugins.map((p) => p.name)).toEqual(['cortex-a72']);
    expect(m.get<MemorySystem>(MemorySystem).topology.name).toBe('cortex-a72');
  });

  it('refuse flag combinations the architecture rules out, naming the rule', () => {
    const build = (args: Record<string, unknown>) => () => buildMachine({ topology: { name: 'cortex-a72', args } }, { modules });
    expect(build({ fwb: true })).toThrow(InputError);
    expect(build({ fwb: true })).toThrow(/topology: topology 'cortex-a72': fwb without idc .*CLIDR_EL1\.LoUU and LoUIS read as 0.*set idc: true/);
    expect(build({ dic: true })).toThrow(/dic without idc .*CTR_EL0\.IDC.*set idc: true/);
    expect(() => validateTopology({ ...NEOVERSE_N1, idc: false })).toThrow(/fwb without idc/);
    // What the parts really are, and what a user may build from them, is accepted.
    for (const args of [{}, { idc: true }, { idc: true, dic: true }, { idc: true, fwb: true }, { idc: true, dic: true, fwb: true }]) expect(build(args)).not.toThrow();
  });

  it('let args override flags and the replacement policy', () => {
    const { ms } = testMachine({ topology: 'cortex-a72', args: { idc: true, dic: true, fwb: true, replacement: 'fifo', ncFetchHitsIcache: true, memoryLatency: 99 } });
    const t = ms.topology;
    expect([t.idc, t.dic, t.fwb, t.replacement, t.ncFetchHitsIcache, t.cost.memory]).toEqual([true, true, true, 'fifo', true, 99]);
    expect((ms as CacheHierarchy).l1d[0].repl.name).toBe('fifo');
    expect(CORTEX_A72.idc).toBe(false); // the preset itself is untouched
  });

  it('reject bad args with the valid ones listed', () => {
    expect(() => buildMachine({ topology: { name: 'tiny', args: { replacement: 'mru' } } }, { modules })).toThrow(InputError);
    expect(() => buildMachine({ topology: { name: 'tiny', args: { idk: true } } }, { modules })).toThrow(/plugin 'tiny' has no arg 'idk'; valid args of 'tiny'/);
    expect(() => buildMachine({}, { modules, topology: 'tiny,dic=maybe' })).toThrow(/arg 'dic'/);
  });

  it('build the shared levels per cluster, per core or for the system', () => {
    const a72 = testMachine({ topology: 'cortex-a72', cpus: 8 }).ms as CacheHierarchy;
    expect(a72.shared.map((l) => l.map((c) => c.name))).toEqual([['system.cluster0.l2', 'system.cluster1.l2']]);
    const n1 = testMachine({ topology: 'neoverse-n1', cpus: 2 }).ms as CacheHierarchy;
    expect(n1.shared.map((l) => l.map((c) => c.name))).toEqual([['system.cpu0.l2', 'system.cpu1.l2'], ['system.slc']]);
    expect(n1.l1d.map((c) => c.parent!.name)).toEqual(['system.cpu0.l2', 'system.cpu1.l2']);
    expect(n1.shared[0].map((c) => c.parent!.name)).toEqual(['system.slc', 'system.slc']);
  });

  it('cortex-a72 clusters are coherent with each other', () => {
    const { ms } = testMachine({ topology: 'cortex-a72', cpus: 8 });
    ms.write('vcpu', 1, 0x40, 4, 7, true);
    ms.dcSetWayAll('DC CISW', 1, 1); // into cluster0's L2
    expect(ms.read('vcpu', 6, 0x40, 4, true)).toBe(7);
    expect(ms.lastLevel).toBe('l2');
  });

  it('validation names the topology and the problem', () => {
    expect(() => validateTopology({ ...TINY, pou: 'l3' })).toThrow(/topology 'tiny': pou 'l3' is not one of its levels \(l2, memory\)/);
    expect(() => validateTopology({ ...TINY, l1i: { ...TINY.l1i, lineSize: 64 } })).toThrow(/topology 'tiny' l1i: line size 64 differs from l1d's 32/);
    expect(() => validateTopology({ ...TINY, l1d: { ...TINY.l1d, size: 96 } })).toThrow(/topology 'tiny' l1d: cache size must be divisible by associativity × line size/);
    expect(() =>
      validateTopology({ ...NEOVERSE_N1, shared: [{ ...NEOVERSE_N1.shared[0], coresPerInstance: 2 }, { ...NEOVERSE_N1.shared[1], coresPerInstance: 3 }] }),
    ).toThrow(/slc: shared by 3 cores, which does not group whole instances/);
  });
});

describe('cache sizes are bounded', () => {
  it('a custom topology with a 1 TiB cache exits 2 naming the level, before the machine is built', async () => {
    const { main } = await import('kvmsim');
    const { captureIo } = await import('../../helpers');
    const fs = await import('fs');
    const os = await import('os');
    const path = await import('path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-topo-'));
    fs.writeFileSync(
      path.join(dir, 'huge.ts'),
      "import { CORTEX_A72, defineTopology } from 'kvmsim';\n" +
        "export default defineTopology({ ...CORTEX_A72, name: 'huge', shared: [{ ...CORTEX_A72.shared[0], size: 2 ** 40 }] });\n",
    );
    fs.writeFileSync(
      path.join(dir, 'm.yaml'),
      'name: huge\ntopology: { path: ./huge.ts }\nmachine: { cpus: 1 }\nplugins: [kvm-arm64]\nscenario:\n  - set_memslot: { slot: 0, gpa: 0x40000000, size: 1MiB }\n',
    );
    for (const cmd of ['validate', 'run']) {
      const io = captureIo();
      expect(await main([cmd, path.join(dir, 'm.yaml')], io)).toBe(2);
      expect(io.stderr).toMatch(/topology 'huge' l2: cache size 1099511627776 bytes \(1 TiB\) is larger than kvmsim simulates \(at most 1 GiB per cache\)/);
      expect(io.stderr).not.toMatch(/\n\s+at /);
    }
    expect(() => validateTopology({ ...TINY, l1d: { ...TINY.l1d, size: 2 ** 31 } })).toThrow(/topology 'tiny' l1d: cache size 2147483648 bytes \(2 GiB\) is larger than/);
  });
});
