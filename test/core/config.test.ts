import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMachine } from 'kvmsim';
import { ConfigError, InputError, parseConfigText, parseSize } from '../../core';
import { testStepsModule } from '../helpers';

/** Builds a machine from YAML text named `bad.yaml`; returns the error message. */
function errorFor(yaml: string): { message: string; error: InputError } {
  try {
    const doc = parseConfigText(yaml, 'bad.yaml', process.cwd());
    createMachine(doc, { modules: [testStepsModule()] }).dispose();
  } catch (e) {
    if (e instanceof InputError) return { message: e.message, error: e };
    throw e;
  }
  throw new Error('config was accepted');
}

describe('config errors name the file, line, column, path, what was found and what was expected', () => {
  const cases: [string, string, RegExp[]][] = [
    ['YAML syntax error', 'seed: 1\nmachine:\n  cpus: [1, 2\n', [/^invalid config: bad\.yaml:\d+:\d+: \(document\): syntax error: /]],
    ['duplicate key', 'seed: 1\nseed: 2\n', [/bad\.yaml:2:1: .*syntax error: Map keys must be unique/]],
    ['unknown top-level key', 'seeed: 4\n', [/bad\.yaml:1:1: seeed: unknown key 'seeed'; expected one of: name, description, seed, topology, policy, machine, plugins, scenario/]],
    ['wrong type', 'seed: lots\n', [/bad\.yaml:1:7: seed: Invalid input: expected number, received string \(found "lots"\)/]],
    ['out of range', 'machine:\n  cpus: 0\n', [/bad\.yaml:2:9: machine\.cpus: Too small: expected number to be >=1 \(found 0\)/]],
    ['bad size', 'machine:\n  memory:\n    size: 12 parsecs\n', [/bad\.yaml:3:11: machine\.memory\.size: expected a size such as 4096, 0x1000 or 64MiB, found "12 parsecs"/]],
    ['unknown nested key', 'machine:\n  cores: 2\n', [/bad\.yaml:2:3: machine\.cores: unknown key 'cores'; expected one of: cpus, memory/]],
    ['unknown step kind', 'scenario:\n  - random_cmos: { count: 1 }\n  - rnu: {}\n', [/bad\.yaml:3:5: scenario\[1\]\.rnu: unknown step 'rnu'; expected one of: expect, lock, munmap, random_cmos, run, set_memslot, unlock, vcpu_init, write/]],
    ['step with two kinds', 'scenario:\n  - random_cmos: { count: 1 }\n    expect: {}\n', [/bad\.yaml:2:5: scenario\[0\]: expected a step written as one key naming its kind .*found keys 'random_cmos', 'expect'/]],
    ['bad step arg', 'scenario:\n  - random_cmos: { count: -3 }\n', [/bad\.yaml:2:27: scenario\[0\]\.random_cmos\.count: Too small: expected number to be >=1 \(found -3\)/]],
    ['unknown step arg', 'scenario:\n  - random_cmos: { count: 1, colour: red }\n', [/bad\.yaml:2:30: scenario\[0\]\.random_cmos\.colour: unknown key 'colour'; expected one of: count/]],
    ['missing step arg', 'scenario:\n  - random_cmos: {}\n', [/bad\.yaml:2:18: scenario\[0\]\.random_cmos\.count: required: Invalid input: expected number/]],
    ['plugin ref with name and path', 'plugins:\n  - { name: trace, path: ./x.ts }\n', [/bad\.yaml:2:5: plugins\[0\]: expected exactly one of 'name' or 'path'/]],
    ['unknown plugin', 'plugins:\n  - tarce\n', [/^bad\.yaml:2:5: plugins\[0\]: no plugin named 'tarce'; built-in plugins: .*trace/]],
    ['bad plugin args', 'plugins:\n  - name: trace\n    args: { event: cmo }\n', [/^bad\.yaml:2:5: plugins\[0\]: plugin 'trace' has no arg 'event'; valid args of 'trace':\n +events +list of "all"/]],
    ['a plugin where a topology goes', 'topology: trace\n', [/^bad\.yaml:1:11: topology: 'trace' is a plugin, not a topology/]],
    ['not a mapping', '- seed: 1\n', [/bad\.yaml:1:1: \(document\): Invalid input: expected object, received array/]],
    ['bad stat expectation', 'scenario:\n  - expect: { stat: { name: x, atleast: 3 } }\n', [/bad\.yaml:2:32: scenario\[0\]\.expect\.stat\.atleast: unknown key 'atleast'/]],
  ];

  it.each(cases)('%s', (_name, yaml, patterns) => {
    const { message, error } = errorFor(yaml);
    for (const p of patterns) expect(message).toMatch(p);
    expect(error.exitCode).toBe(2);
    expect(message).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('collects several problems in one error', () => {
    const { error } = errorFor('seed: -1\nmachine: { cpus: 100 }\n');
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => `${i.line}:${i.path}`)).toEqual(['1:seed', '2:machine.cpus']);
  });

  it('names a file that cannot be read', () => {
    expect(() => createMachine('/nonexistent/machine.yaml')).toThrow("cannot read config '/nonexistent/machine.yaml': no such file");
  });

  it('reads JSON configs with positions too', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-'));
    const file = path.join(dir, 'm.json');
    fs.writeFileSync(file, '{\n  "seed": 3,\n  "machine": { "cpus": "two" }\n}\n');
    expect(() => createMachine(file)).toThrow(/m\.json:3:24: machine\.cpus: Invalid input: expected number, received string/);
  });

  it('accepts sizes with units and addresses in hex', () => {
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('0x1000')).toBe(4096);
    expect(parseSize('2 GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('1_048_576')).toBe(1048576);
    expect(parseSize('3 furlongs')).toBeUndefined();
    const m = createMachine({ machine: { cpus: 2, memory: { size: '64 GiB' } } });
    expect(m.config.machine.memory.size).toBe(64 * 1024 ** 3);
    m.dispose();
  });
});
