import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { defaultModules, DEFAULTS, InputError, main } from 'kvmsim';
import { BinaryTraceWriter, CACHEGRIND_EVENTS, CachegrindSim, openTrace, parseCachegrindCache, parseLackeyLine, replayTrace, type CachegrindTotals, type TraceRef } from 'kvmsim';
import { captureIo } from '../../helpers';

const FIX = path.join(__dirname, 'fixtures');
/** The committed trace of fixtures/small.c (examples/traces/, where replay --help's examples use it). */
const SMALL_TRACE = path.join(__dirname, '..', '..', '..', 'examples', 'traces', 'small.kvtr.gz');
const ctx = { modules: defaultModules(), defaults: DEFAULTS };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-replay-'));

type Geometry = { I1: string; D1: string; LL: string };

/** Geometries the live test runs cachegrind with; the last two mix line sizes. */
const GEOMETRIES: [string, Geometry][] = [
  ['I1 32K/8/64, D1 32K/8/64, LL 1M/16/64', { I1: '32768,8,64', D1: '32768,8,64', LL: '1048576,16,64' }],
  ['I1 32K/8/64, D1 16K/4/32, LL 256K/8/64', { I1: '32768,8,64', D1: '16384,4,32', LL: '262144,8,64' }],
  ['I1 16K/4/64, D1 8K/2/32, LL 128K/8/128', { I1: '16384,4,64', D1: '8192,2,32', LL: '131072,8,128' }],
];

/** cachegrind's `summary:` lines for the committed small.kvtr.gz, made with it (see fixtures/README.md). */
const FIXTURE: [string, Geometry, number[]][] = [
  [GEOMETRIES[0][0], GEOMETRIES[0][1], [1100471, 529, 529, 258117, 13582, 4241, 14647, 1770, 1759]],
  [GEOMETRIES[1][0], GEOMETRIES[1][1], [1100471, 529, 529, 258117, 22939, 4339, 14647, 3505, 1769]],
];

const asTotals = (summary: number[]) => Object.fromEntries(CACHEGRIND_EVENTS.map((k, i) => [k, summary[i]])) as unknown as CachegrindTotals;

async function collect(file: string): Promise<TraceRef[]> {
  const out: TraceRef[] = [];
  for await (const b of openTrace(file).refs()) out.push(...b);
  return out;
}

describe('trace formats', () => {
  it('parses lackey lines and skips valgrind chatter', () => {
    expect(parseLackeyLine('I  0400d7d4,8', 't', 1)).toEqual({ kind: 'I', addr: 0x400d7d4, size: 8 });
    expect(parseLackeyLine(' S 7ff000398,8', 't', 2)).toEqual({ kind: 'S', addr: 0x7ff000398, size: 8 });
    expect(parseLackeyLine(' M 0421ce24,4', 't', 3)).toEqual({ kind: 'M', addr: 0x421ce24, size: 4 });
    expect(parseLackeyLine('==123== Lackey, an example Valgrind tool', 't', 4)).toBeNull();
    expect(() => parseLackeyLine('X 1234,4', 'trace.txt', 9)).toThrow(/^trace\.txt:9: not a lackey --trace-mem line/);
  });

  it('round-trips references through the binary format, plain and gzipped, streamed', async () => {
    const refs: TraceRef[] = [];
    for (let i = 0; i < 40_000; i++) {
      refs.push({ kind: 'I', addr: 0x400000 + (i % 977) * 4, size: 4 });
      if (i % 3 === 0) refs.push({ kind: (['L', 'S', 'M'] as const)[i % 3 === 0 ? (i / 3) % 3 : 0], addr: 0x7ff0_0000_0000 - i * 8, size: i % 7 === 0 ? 100 : 8 });
    }
    const w = new BinaryTraceWriter();
    for (const r of refs) w.add(r);
    const buf = w.toBuffer();
    expect(buf.length).toBeLessThan(refs.length * 4);
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 't.kvtr'), buf);
    fs.writeFileSync(path.join(dir, 't.kvtr.gz'), zlib.gzipSync(buf));
    expect(await collect(path.join(dir, 't.kvtr'))).toEqual(refs);
    expect(await collect(path.join(dir, 't.kvtr.gz'))).toEqual(refs);
  });

  it('reads gzipped lackey text', async () => {
    const dir = tmp();
    const f = path.join(dir, 't.txt.gz');
    fs.writeFileSync(f, zlib.gzipSync('==1== Lackey\nI  00001000,4\n L 00002000,8\n'));
    expect(await collect(f)).toEqual([
      { kind: 'I', addr: 0x1000, size: 4 },
      { kind: 'L', addr: 0x2000, size: 8 },
    ]);
  });

  it('names the file and record of a truncated binary trace', async () => {
    const dir = tmp();
    const f = path.join(dir, 'bad.kvtr');
    fs.writeFileSync(f, Buffer.concat([Buffer.from('KVTRACE1'), Buffer.from([0x10, 0x80])]));
    await expect(collect(f)).rejects.toThrow(/bad\.kvtr: binary trace truncated in record 0 at byte 8/);
    await expect(collect(path.join(dir, 'missing.kvtr'))).rejects.toThrow(InputError);
  });
});

describe("cachegrind's cache model", () => {
  const sim = (I1: string, D1: string, LL: string) => new CachegrindSim(parseCachegrindCache('--I1', I1), parseCachegrindCache('--D1', D1), parseCachegrindCache('--LL', LL));
  const I = (addr: number, size = 4): TraceRef => ({ kind: 'I', addr, size });
  const L = (addr: number, size = 8): TraceRef => ({ kind: 'L', addr, size });
  const S = (addr: number, size = 8): TraceRef => ({ kind: 'S', addr, size });
  const M = (addr: number, size = 8): TraceRef => ({ kind: 'M', addr, size });

  it('starts with every tag 0, so line 0 hits; then LRU within a set', () => {
    const s = sim('1024,2,64', '1024,2,64', '4096,4,64');
    s.replay([L(0), L(0x1000)]);
    expect(s.totals).toMatchObject({ Dr: 2, D1mr: 1, DLmr: 1 });
    // D1 set 0 holds 0x1000 (MRU) and 0; 0x2000 evicts the LRU one (line 0), 0x1000 still hits.
    s.replay([L(0x2000), L(0x1000), L(0)]);
    expect(s.totals).toMatchObject({ Dr: 5, D1mr: 3 });
  });

  it('counts a straddling access once, missing if either line misses, and looks both up', () => {
    const s = sim('1024,2,64', '1024,2,64', '4096,4,64');
    s.replay([L(0x1000 + 60, 8)]);
    expect(s.totals).toMatchObject({ Dr: 1, D1mr: 1, DLmr: 1 });
    s.replay([L(0x1040), L(0x1000)]);
    expect(s.totals).toMatchObject({ Dr: 3, D1mr: 1, DLmr: 1 });
  });

  it('writes allocate and write nothing back; M is one read', () => {
    const s = sim('1024,2,64', '1024,2,64', '4096,4,64');
    s.replay([S(0x1000), L(0x1008), M(0x2000), S(0x2000)]);
    expect(s.totals).toEqual({ Ir: 0, I1mr: 0, ILmr: 0, Dr: 2, D1mr: 1, DLmr: 1, Dw: 2, D1mw: 1, DLmw: 1 });
    // Dirty lines evicted from D1 cost nothing at LL: the LL misses stay the stores' own.
    for (let i = 0; i < 8; i++) s.replay([S(0x10000 + i * 1024)]);
    expect(s.totals).toMatchObject({ Dw: 10, D1mw: 9, DLmw: 9, DLmr: 1 });
  });

  it('looks LL up on L1 misses only, at its own line size; fetches hit lines data brought in', () => {
    const s = sim('1024,2,64', '1024,2,32', '8192,4,128');
    // Two D1 lines (32 B) in one LL line (128 B): the second D1 miss hits LL.
    s.replay([L(0x4000), L(0x4020)]);
    expect(s.totals).toMatchObject({ Dr: 2, D1mr: 2, DLmr: 1 });
    // An instruction fetch from the same LL line misses I1 and hits the unified LL.
    s.replay([I(0x4040)]);
    expect(s.totals).toMatchObject({ Ir: 1, I1mr: 1, ILmr: 0 });
    // A D1 hit does not refresh LL; a D1-straddling access at LL sees one 128-byte line.
    s.replay([L(0x4000), L(0x5000 + 28, 8)]);
    expect(s.totals).toMatchObject({ Dr: 4, D1mr: 3, DLmr: 2 });
  });

  it('clamps data sizes to the smallest line size, as cachegrind does with large helper accesses', () => {
    const s = sim('1024,2,64', '1024,2,32', '8192,4,64');
    // FXSAVE-sized: 512 bytes would span 16 lines; cachegrind simulates its first 32 bytes.
    s.replay([S(0x8000, 512), L(0x8000 + 32)]);
    expect(s.totals).toMatchObject({ Dw: 1, D1mw: 1, Dr: 1, D1mr: 1, DLmr: 0 });
  });

  it("checks geometry with cachegrind's rules, naming the flag", () => {
    const bad: [string, string, RegExp][] = [
      ['--D1', '24576,4,64', /^--D1=24576,4,64: the number of sets.*must be a whole power of two \(got 96\)/],
      ['--LL', '12582912,16,64', /^--LL=12582912,16,64: the number of sets/],
      ['--D1', '1024,32,64', /number of sets.*\(got 0\.5\)/],
      ['--I1', '16384,4,8', /^--I1=16384,4,8: line size must be at least 16 bytes, got 8/],
      ['--I1', '16384,4,0', /line size must be a power of two of at least 16 bytes, got 0/],
      ['--D1', '64,1,64', /cache size \(64\) must be larger than the line size \(64\)/],
      ['--D1', '16384,0,64', /associativity must be at least 1/],
      ['--LL', '1M,16,64', /^--LL=1M,16,64: expected SIZE,ASSOC,LINE/],
      ['--LL', '4294967296,16,64', /too large/],
    ];
    for (const [flag, v, re] of bad) {
      expect(() => parseCachegrindCache(flag, v)).toThrow(InputError);
      expect(() => parseCachegrindCache(flag, v)).toThrow(re);
    }
    // Sizes need not be powers of two; a fully associative cache has one set.
    expect(parseCachegrindCache('--LL', '12582912,24,64')).toEqual({ size: 12582912, assoc: 24, lineSize: 64 });
    expect(parseCachegrindCache('--D1', '128,2,64')).toEqual({ size: 128, assoc: 2, lineSize: 64 });
    expect(parseCachegrindCache('--I1', '12288,3,64').assoc).toBe(3);
  });
});

describe('replay agrees with cachegrind', () => {
  it.each(FIXTURE)('committed small.kvtr.gz with %s, exactly', async (_name, geometry, summary) => {
    const r = await replayTrace(SMALL_TRACE, geometry, ctx);
    expect(r.topology).toBe('cachegrind');
    expect(r.totals).toEqual(asTotals(summary));
  });

  it('refuses --topology together with cachegrind geometry flags; bad geometry exits 2 naming the flag', async () => {
    await expect(replayTrace(SMALL_TRACE, { topology: 'tiny', I1: '1024,2,64' }, ctx)).rejects.toThrow('give one or the other');
    await expect(replayTrace(SMALL_TRACE, { D1: '24576,4,64' }, ctx)).rejects.toThrow(InputError);
    const io = captureIo();
    expect(await main(['replay', SMALL_TRACE, '--D1=16384,4,48'], io)).toBe(2);
    expect(io.stderr).toContain('--D1=16384,4,48');
  });

  it('--save-binary makes missing folders and writes a trace that replays the same', async () => {
    const dir = tmp();
    const text = path.join(dir, 't.txt');
    const lines: string[] = ['==1== Lackey'];
    for (let i = 0; i < 3000; i++) lines.push(`I  ${(0x401000 + (i % 400) * 3).toString(16)},3`, ` ${'LSM'[i % 3]} ${(0x4c0000 + ((i * 72) % 40000)).toString(16)},8`);
    fs.writeFileSync(text, lines.join('\n') + '\n');
    const out = path.join(dir, 'no', 'such', 'dir', 't.kvtr');
    const a = await replayTrace(text, { ...FIXTURE[0][1], saveBinary: out }, ctx);
    const b = await replayTrace(out, FIXTURE[0][1], ctx);
    expect(a.totals.Ir).toBe(3000);
    expect(b.totals).toEqual(a.totals);
    expect(b.format).toBe('binary');
  });

  /**
   * Lackey and cachegrind trace the same instructions of the same run, but only an identical
   * run gives identical counts: glibc's start-up code scans the environment (the instruction
   * count depends on its size), stdio probes what stdout is (a terminal, a pipe or /dev/null
   * take different paths), and the stack's addresses depend on the environment's bytes, which
   * on Debian include PWD (its valgrind wrapper is a shell script, which sets it) as well as
   * argv[0]. So both tools run the same absolute binary path with `env -i`, the same working
   * directory and /dev/null for stdin, stdout and stderr, and write to files.
   */
  const which = (t: string) => spawnSync('which', [t], { encoding: 'utf8' });
  const tools = ['valgrind', 'gcc'].every((t) => which(t).status === 0);
  const PROGRAMS = ['small', 'matmul', 'hashwalk'];
  (tools || process.env.CI ? describe : describe.skip)('live: lackey + replay vs cachegrind, built and traced here', () => {
    let dir = '';
    beforeAll(() => void (dir = tmp()));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const valgrind = tools ? which('valgrind').stdout.trim() : 'valgrind';
    const run = (args: string[]) => execFileSync(valgrind, args, { cwd: dir, env: {}, stdio: 'ignore' });
    it.each(PROGRAMS)('%s.c: all nine counters equal for every geometry', async (prog) => {
      const exe = path.join(dir, prog);
      execFileSync('gcc', ['-O1', '-static', '-o', exe, path.join(FIX, `${prog}.c`)]);
      const trace = path.join(dir, `${prog}.lackey`);
      run(['--tool=lackey', '--trace-mem=yes', `--log-file=${trace}`, exe]);
      const binary = path.join(dir, 'bin', `${prog}.kvtr`);
      for (const [i, [name, g]] of GEOMETRIES.entries()) {
        const out = path.join(dir, `${prog}.cg.${i}`);
        run(['--tool=cachegrind', '--cache-sim=yes', `--I1=${g.I1}`, `--D1=${g.D1}`, `--LL=${g.LL}`, `--cachegrind-out-file=${out}`, exe]);
        const summary = /^summary: (.*)$/m.exec(fs.readFileSync(out, 'utf8'))![1].trim().split(/\s+/).map(Number);
        // The lackey text is read once (saving the binary trace), the binary one after that.
        const r = i === 0 ? await replayTrace(trace, { ...g, saveBinary: binary }, ctx) : await replayTrace(binary, g, ctx);
        expect([name, r.totals]).toEqual([name, asTotals(summary)]);
      }
    }, 60_000);
  });
});

describe('replay: bad traces exit 2 with one located message', () => {
  async function replay(...argv: string[]) {
    const io = captureIo();
    const t0 = Date.now();
    const code = await main(['replay', ...argv, '--no-progress'], io);
    return { code, out: io.stdout, err: io.stderr, ms: Date.now() - t0 };
  }
  const expectInputError = (r: { code: number; err: string }, message: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err).not.toContain('internal error');
    expect(r.err.match(/kvmsim: error/g)).toHaveLength(1);
  };
  /** A gzipped lackey trace that does not compress to nothing (random addresses). */
  const gzTrace = () => {
    let s = 0x12345;
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      lines.push(`I  ${s.toString(16).padStart(8, '0')},4`);
    }
    return zlib.gzipSync(lines.join('\n') + '\n');
  };

  it('a truncated gzip trace names the file and the byte where it ends', async () => {
    const dir = tmp();
    const gz = gzTrace();
    const f = path.join(dir, 'cut.txt.gz');
    fs.writeFileSync(f, gz.subarray(0, gz.length >> 1));
    expectInputError(await replay(f), new RegExp(`^kvmsim: error: .*cut\\.txt\\.gz: the gzip data is truncated: it ends at byte ${gz.length >> 1}, after \\d+ bytes decompressed\\n$`));
    expectInputError(await replay(f, '--I1=32768,8,64'), /cut\.txt\.gz: the gzip data is truncated/);
  });

  it('a corrupt gzip trace names the file and a byte offset, once', async () => {
    const dir = tmp();
    const gz = Buffer.from(gzTrace());
    for (let i = 1000; i < 1100; i++) gz[i] ^= 0xa5;
    const f = path.join(dir, 'bad.txt.gz');
    fs.writeFileSync(f, gz);
    expectInputError(await replay(f), /^kvmsim: error: .*bad\.txt\.gz: corrupt gzip data \(.+\) in compressed bytes 0 to 65536, after \d+ bytes decompressed\n$/);
  });

  it('an overlong line is refused at its line number, in bounded time and memory', async () => {
    const dir = tmp();
    const f = path.join(dir, 'long.txt');
    fs.writeFileSync(f, Buffer.concat([Buffer.from('I  00001000,4\n'), Buffer.alloc(64 << 20, 0x41)]));
    const rss = process.memoryUsage().rss;
    const r = await replay(f);
    expectInputError(r, /long\.txt:2: line longer than 4096 bytes/);
    expect(r.ms).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 << 20);
  });

  it('a huge access size is refused naming the line, at once', async () => {
    const dir = tmp();
    const f = path.join(dir, 'huge.txt');
    fs.writeFileSync(f, 'I  00001000,4\n L 00001000,9007199254740992\n');
    const r = await replay(f);
    expectInputError(r, /huge\.txt:2: access size 9007199254740992 is out of range \(1 to 4096 bytes/);
    expect(r.ms).toBeLessThan(5_000);
    expectInputError(await replay(f, '--I1=32768,8,64'), /huge\.txt:2: access size/);
    const w = new BinaryTraceWriter();
    w.add({ kind: 'L', addr: 0x1000, size: 1 << 20 });
    fs.writeFileSync(path.join(dir, 'huge.kvtr'), w.toBuffer());
    expectInputError(await replay(path.join(dir, 'huge.kvtr')), /huge\.kvtr: record 0 at byte 8: access size 1048576 is out of range/);
  });

  it('an empty trace, or one with no references, is bad input', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'empty.txt'), '');
    fs.writeFileSync(path.join(dir, 'empty.gz'), zlib.gzipSync(''));
    fs.writeFileSync(path.join(dir, 'chatter.txt'), '==1== Lackey, an example Valgrind tool\n');
    fs.writeFileSync(path.join(dir, 'header.kvtr'), new BinaryTraceWriter().toBuffer());
    expectInputError(await replay(path.join(dir, 'empty.txt')), /empty\.txt: the trace is empty \(0 bytes\)/);
    expectInputError(await replay(path.join(dir, 'empty.gz')), /empty\.gz: the trace is empty \(the gzip data decompresses to 0 bytes\)/);
    expectInputError(await replay(path.join(dir, 'chatter.txt'), '--D1=32768,8,64'), /chatter\.txt: the trace holds no memory references/);
    expectInputError(await replay(path.join(dir, 'header.kvtr')), /header\.kvtr: the binary trace holds no records/);
  });

  it('with a topology, trace addresses are plain cacheable memory, even where the board has devices', async () => {
    const dir = tmp();
    const f = path.join(dir, 'uart.txt');
    // 0x09000000 is the virt board's PL011; a program's virtual address there is just memory.
    fs.writeFileSync(f, 'I  09000000,4\n L 09000000,8\n S 09000ff8,16\n M 7ffffffff000,8\n');
    for (const topology of [[], ['--topology', 'cortex-a72']]) {
      const r = await replay(f, ...topology, '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ Ir: 1, Dr: 2, Dw: 1 });
    }
    const beyond = path.join(dir, 'beyond.txt');
    fs.writeFileSync(beyond, 'I  00001000,4\n L ffffffffff00,8\n L 1000000000000,8\n');
    expectInputError(await replay(beyond), /beyond\.txt:3: access of 8 bytes at 0x1000000000000 is beyond the replayed address space \[0x0, 0x1000000000000\)/);
  });
});
