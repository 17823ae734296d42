/**
 * What the fuzz campaign feeds kvmsim, as a careless user or an attacker would: configs (the
 * examples mutated, and shapes known to have broken parsers), random VMM ioctl scenarios, guest
 * images (random bytes and corrupted ELF headers), traces, and plugins that misbehave. Each input
 * is a set of files and a command line; fast-check makes them from a seed, so a campaign is
 * repeatable.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

export const ROOT = path.join(__dirname, '..', '..');

export interface FuzzInput {
  kind: 'config' | 'scenario' | 'image' | 'trace' | 'plugin';
  /** One line saying what it is, for reports. */
  label: string;
  /** Files to write into the input's own folder, by relative name. */
  files: Record<string, string | Uint8Array>;
  /** The command line, with `@/` standing for the input's folder. */
  argv: string[];
}

const MACHINES = path.join(ROOT, 'examples', 'machines');
const GUEST = path.join(ROOT, 'examples', 'guest');
const exampleConfigs = fs.readdirSync(MACHINES).filter((f) => f.endsWith('.yaml')).map((f) => fs.readFileSync(path.join(MACHINES, f), 'utf8'));
/** Relative paths in the examples point at ../guest; the inputs live elsewhere. */
const absolutise = (yaml: string) => yaml.replace(/\.\.\/guest\//g, `${GUEST}/`);

const PROTO_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** A value of some other type, or an extreme of the same one. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53, 2 ** 64, '', '0x', '64GiB', '1TiB', 'NaN', [], {}),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('x'.repeat(100_000), '\u0000', 'a\u0000b', '../../../etc/passwd', '/dev/full'),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom(...PROTO_KEYS, 'slot', 'size', 'gpa'), fc.integer(), { maxKeys: 3 }),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a parsed config, so a mutation can pick one. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

type Mutation = { op: 'replace' | 'delete' | 'addKey' | 'wrap'; pick: number; value: unknown; key: string };

function mutate(doc: Json, m: Mutation): Json {
  const all = paths(doc).filter((p) => p.length > 0);
  if (all.length === 0) return doc;
  const p = all[m.pick % all.length];
  const parent = p.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown>;
  const last = p[p.length - 1];
  switch (m.op) {
    case 'replace':
      parent[last] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 'addKey':
      if (parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last])) Object.defineProperty(parent[last], m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      else parent[last] = { [m.key]: m.value };
      break;
    case 'wrap':
      parent[last] = [parent[last]];
      break;
  }
  return doc;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('replace' as const, 'delete' as const, 'addKey' as const, 'wrap' as const),
  pick: fc.nat(),
  value: oddValue,
  key: fc.constantFrom(...PROTO_KEYS, 'extra', 'max_insns', 'size', 'stats'),
});

/** Text-level damage: truncation, a NUL, invalid UTF-8, a bad indent. */
const textDamage = fc.oneof(
  fc.constant((t: string) => t),
  fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))),
  fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1)) + '\u0000' + t.slice(n % (t.length + 1))),
  fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1)) + '\n  - ]: {' + t.slice(n % (t.length + 1))),
);

/** Shapes that broke parsers before: each must be a located exit 2. */
const SHAPES: string[] = [
  // billion laughs
  ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n') + '\n',
  'scenario:\n  - constructor: null\n',
  '__proto__: {}\n',
  'constructor: {}\n',
  'scenario:\n  - toString: {}\n',
  'plugins: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n',
  '# only a comment\n',
  '',
  'name: "' + 'n'.repeat(200_000) + '"\nbogus: 1\n',
  'seed: 1\nmachine: { cpus: 1e9 }\n',
  'plugins: [{ name: kvm-arm64, args: { host_cpu: 7 } }]\n',
  'scenario:\n  - write: { gpa: 0x40000000, fill: { byte: 1, size: 64GiB } }\n',
];

const configInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.nat(exampleConfigs.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), textDamage) },
  { weight: 1, arbitrary: fc.tuple(fc.constant(-1), fc.nat(SHAPES.length - 1), textDamage) },
).map(([which, muts, damage]) => {
  let text: string;
  let label: string;
  if (which >= 0) {
    let doc = parse(absolutise(exampleConfigs[which])) as Json;
    for (const m of muts as Mutation[]) doc = mutate(doc, m);
    text = (damage as (t: string) => string)(stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }));
    label = `example ${which} with ${(muts as Mutation[]).map((m) => m.op).join('+')}`;
  } else {
    text = (damage as (t: string) => string)(SHAPES[muts as number]);
    label = `shape ${muts as number}`;
  }
  return { kind: 'config' as const, label, files: { 'm.yaml': text }, argv: ['run', '@/m.yaml', '--stats', '@/out/stats.txt', '--trace', '@/out/trace.json', '--max-insns', '200000'] };
});

const GiB = 2 ** 30;
const addr = fc.oneof(fc.constantFrom(0, 0x4000_0000, 0x4008_0000, 0x0900_0000, 2 ** 39, 2 ** 40 - 4096, 2 ** 40, 2 ** 48, 0x4000_0001), fc.nat(2 ** 20).map((n) => n * 4096));
const size = fc.oneof(fc.constantFrom(0, 4096, 2 ** 21, 64 * 2 ** 20, GiB, 64 * GiB, 4095, 2 ** 40), fc.nat(1024).map((n) => n * 4096));
const step: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ slot: fc.nat(4), gpa: addr, size, readonly: fc.boolean(), log_dirty: fc.boolean(), device: fc.boolean() }).map((a) => ({ set_memslot: a })),
  fc.record({ slot: fc.nat(4), write: fc.boolean() }).map((a) => ({ lock: a })),
  fc.oneof(fc.record({ slot: fc.nat(4) }), fc.constant({ all: true })).map((a) => ({ unlock: a })),
  fc.tuple(addr, fc.oneof(fc.record({ string: fc.string({ maxLength: 64 }) }), fc.record({ fill: fc.record({ byte: fc.nat(255), size }) }), fc.record({ asm: fc.constantFrom('nop\nb .', 'mov x0, #1\nhvc #0', 'ldr x0, [x1]\nwfi', 'bogus x9') }))).map(([gpa, p]) => ({ write: { gpa, ...p } })),
  fc.record({ vcpu: fc.nat(2), entry: addr, power_off: fc.boolean() }).map((a) => ({ vcpu_init: a })),
  fc.record({ vcpu: fc.nat(2), max_insns: fc.integer({ min: 1, max: 20_000 }) }).map((a) => ({ run: a })),
  fc.record({ gpa: addr, size }).map((a) => ({ munmap: a })),
  fc.constantFrom({ expect: { no_stale: true } }, { expect: { exit: 'system_event' } }),
);
const scenarioInput: fc.Arbitrary<FuzzInput> = fc
  .record({ cpus: fc.integer({ min: 1, max: 3 }), policy: fc.constantFrom('seed', 'upstream', 'seed-v5', 'dcache-only', 'eager-at-reset'), topology: fc.constantFrom('cortex-a72', 'neoverse-n1', 'tiny'), steps: fc.array(step, { minLength: 1, maxLength: 12 }) })
  .map((s) => ({
    kind: 'scenario' as const,
    label: `${s.steps.length} steps, ${s.policy} on ${s.topology}`,
    files: { 'm.yaml': stringify({ topology: s.topology, policy: s.policy, machine: { cpus: s.cpus, memory: { size: 8 * GiB } }, plugins: ['kvm-arm64', 'checker'], scenario: s.steps }) },
    argv: ['run', '@/m.yaml', '--stats', '@/out/stats.json'],
  }));

const helloElf = fs.readFileSync(path.join(GUEST, 'hello.elf'));
const imageInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((b) => ({ name: 'random.bin', bytes: b, label: `${b.length} random bytes` })),
  fc.array(fc.tuple(fc.nat(127), fc.nat(255)), { minLength: 1, maxLength: 8 }).map((flips) => {
    const b = Uint8Array.from(helloElf);
    for (const [at, v] of flips) b[at] = v;
    return { name: 'bad.elf', bytes: b, label: `hello.elf with ${flips.length} header bytes changed` };
  }),
  fc.nat(helloElf.length).map((n) => ({ name: 'cut.elf', bytes: helloElf.subarray(0, n), label: `hello.elf cut at ${n}` })),
).map((img) => ({ kind: 'image' as const, label: img.label, files: { [img.name]: img.bytes }, argv: ['boot', `@/${img.name}`, '--max-insns', '100000', '--stats', '@/out/stats.txt'] }));

const traceLine = fc.oneof(
  fc.tuple(fc.constantFrom('I  ', ' L ', ' S ', ' M '), fc.nat(2 ** 32), fc.constantFrom(1, 2, 4, 8, 16, 0, 2 ** 53, 3)).map(([k, a, s]) => `${k}${a.toString(16).padStart(8, '0')},${s}`),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('==1== lackey', '', 'I  zz,4', ' L 0x10', 'x'.repeat(5000)),
);
const traceInput: fc.Arbitrary<FuzzInput> = fc
  .record({ lines: fc.array(traceLine, { maxLength: 200 }), gzip: fc.boolean(), cut: fc.option(fc.nat(), { nil: undefined }), geometry: fc.constantFrom([], ['--I1=32768,8,64', '--D1=32768,8,64', '--LL=1048576,16,64'], ['--D1=16384,4,32'], ['--LL=3,1,64'], ['--I1=1099511627776,8,64'], ['--topology', 'tiny']) })
  .map((t) => {
    let bytes: Uint8Array = Buffer.from(t.lines.join('\n') + '\n');
    if (t.gzip) bytes = zlib.gzipSync(bytes);
    if (t.cut !== undefined) bytes = bytes.subarray(0, t.cut % (bytes.length + 1));
    const name = t.gzip ? 'trace.txt.gz' : 'trace.txt';
    return { kind: 'trace' as const, label: `${t.lines.length} lines${t.gzip ? ', gzip' : ''}${t.cut !== undefined ? ', cut' : ''} ${t.geometry.join(' ')}`, files: { [name]: bytes }, argv: ['replay', `@/${name}`, ...t.geometry] };
  });

/** Plugins that misbehave, as plain JavaScript (no compile step). */
const PLUGINS: Record<string, string> = {
  'throws-in-install': "throw new Error('install failed')",
  'returns-number': 'return 42',
  'returns-bad-disposable': "return { dispose: 'x' }",
  'returns-promise': 'return Promise.resolve()',
  'throwing-dispose': "return { dispose() { throw new Error('dispose failed') } }",
  'throws-on-cmo': "return api.onCmo(() => { throw new Error('cmo') })",
  'throws-non-error': 'return api.onCmo(() => { throw { reason: 42 } })',
  'exits-in-callback': 'return api.onCmo(() => process.exit(0))',
  'bad-stat-name': "api.stats.counter('not a name', 'x'); return undefined",
};
const pluginInput: fc.Arbitrary<FuzzInput> = fc.tuple(fc.constantFrom(...Object.keys(PLUGINS)), fc.boolean()).map(([name, strict]) => ({
  kind: 'plugin' as const,
  label: `${name}${strict ? ' --strict' : ''}`,
  files: { [`${name}.js`]: `module.exports = { name: '${name}', apiVersion: 1, description: 'misbehaves', install(api) { ${PLUGINS[name]} } };\n` },
  argv: ['run', path.join(MACHINES, 'reboot-locked.yaml'), '--plugin', `@/${name}.js`, '--stats', '@/out/stats.txt', ...(strict ? ['--strict'] : [])],
}));

export const fuzzInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  { weight: 5, arbitrary: configInput },
  { weight: 3, arbitrary: scenarioInput },
  { weight: 1, arbitrary: imageInput },
  { weight: 1, arbitrary: traceInput },
  { weight: 1, arbitrary: pluginInput },
);

/** `count` inputs from `seed`, always the same ones. */
export function fuzzInputs(seed: number, count: number): FuzzInput[] {
  return fc.sample(fuzzInput, { seed, numRuns: count });
}
