/**
 * A differential campaign: images of generated sequences, each booted on QEMU (a child process,
 * running while kvmsim runs the same image in-process) and on kvmsim (`bootImage`, as `kvmsim
 * boot` does), their consoles compared sequence by sequence.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULTS, bootImage, defaultModules } from '../../index';
import { GROUP_NAMES, sequenceAt, type GenOptions, type Group, type Sequence } from './generate';
import { FP_FIELD, IMAGE_BASE, buildImage, listing, wrapElf } from './harness';

export interface CampaignOptions extends GenOptions {
  seed: number;
  /** Generated instructions in all (rounded up to whole sequences). */
  count: number;
  /** Sequences per image. */
  perImage?: number;
  /** Called after each image. */
  progress?: (done: number, total: number) => void;
  qemuTimeoutMs?: number;
}

export interface Difference {
  seed: number;
  sequence: number;
  /** What differs first: `x5`, `nzcv`, `mem+0x18`, `exception`, `output`. */
  what: string;
  qemu: string;
  kvmsim: string;
  /** The initial value of that register, when it is one. */
  initial?: string;
  listing: string[];
}

export interface CampaignResult {
  instructions: number;
  sequences: number;
  images: number;
  /** Generated instructions by group (index set-ups apart, as `ldst-setup`), and by form. */
  groups: Record<string, number>;
  forms: Record<string, number>;
  differences: Difference[];
  ms: number;
  qemuMs: number;
  kvmsimMs: number;
}

/** The harness's field numbers: 00 NZCV, 01-1f x0-x30, 20-2f the scratch buffer's words. */
export function fieldName(n: number): string {
  if (n >= FP_FIELD) return n === FP_FIELD + 64 ? 'fpsr' : n === FP_FIELD + 65 ? 'fpcr' : `v${(n - FP_FIELD) >> 1}.${(n - FP_FIELD) & 1 ? 'hi' : 'lo'}`;
  if (n >= 48) return `exception${(n - 48) >> 1}.${n & 1 ? 'elr' : 'esr'}`;
  return n === 0 ? 'nzcv' : n <= 31 ? `x${n - 1}` : `mem+0x${((n - 32) * 8).toString(16).padStart(2, '0')}`;
}

export function runQemu(elf: string, timeoutMs: number): Promise<{ out: string; error?: string }> {
  return new Promise((resolve) => {
    const p = spawn('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-nographic', '-nic', 'none', '-kernel', elf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      resolve({ out, error: e.message });
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? { out } : { out, error: signal ? `killed (${signal}) after ${timeoutMs} ms` : `exit status ${code}: ${err.trim()}` });
    });
  });
}

/** The console split into sequences: index → the lines after its `S` line. */
function splitOutput(out: string): Map<number, string[]> {
  const seqs = new Map<number, string[]>();
  let cur: string[] | undefined;
  for (const line of out.replace(/\r/g, '').split('\n')) {
    if (line.startsWith('S')) {
      cur = [];
      seqs.set(parseInt(line.slice(1), 16), cur);
    } else if (cur && line !== '') cur.push(line);
  }
  return seqs;
}

/** Fields a sequence printed (those that changed), by number; undefined if it printed something else. */
function fields(lines: string[]): Map<number, string> | undefined {
  const m = new Map<number, string>();
  for (const l of lines) {
    const f = /^([0-9a-f]{2}) ([0-9a-f]{16})$/.exec(l);
    if (!f) return l === 'END' ? m : undefined;
    m.set(parseInt(f[1], 16), f[2]);
  }
  return m;
}

/** Compares one image's consoles; the first difference of each sequence that differs. */
export function compareImage(q: string, k: string, seqs: readonly Sequence[], first: number, bodies: number[], seed: number): Difference[] {
  if (q === k) return [];
  const qs = splitOutput(q);
  const ks = splitOutput(k);
  const diffs: Difference[] = [];
  for (let i = 0; i < seqs.length; i++) {
    const a = qs.get(i) ?? [];
    const b = ks.get(i) ?? [];
    if (a.join('\n') === b.join('\n')) continue;
    const fa = fields(a);
    const fb = fields(b);
    const d: Difference = { seed, sequence: first + i, what: 'output', qemu: a.join(' | ') || '(nothing)', kvmsim: b.join(' | ') || '(nothing)', listing: listing(seqs[i], bodies[i]) };
    if (fa && fb) {
      const initial = (n: number) => (n >= FP_FIELD ? fpInitial(seqs[i], n - FP_FIELD) : n === 0 ? BigInt(seqs[i].nzcv) : n <= 31 ? seqs[i].regs[n - 1] : n < 48 ? scratchWord(seqs[i], n - 32) : 0n).toString(16).padStart(16, '0');
      for (let n = 0; n < FP_FIELD + 66; n++) {
        if (fa.get(n) === fb.get(n)) continue;
        Object.assign(d, { what: fieldName(n), qemu: fa.get(n) ?? `${initial(n)} (unchanged)`, kvmsim: fb.get(n) ?? `${initial(n)} (unchanged)`, initial: initial(n) });
        break;
      }
    } else if (a[0] === 'X' || b[0] === 'X') d.what = 'exception';
    diffs.push(d);
    if (a.length === 0 || b.length === 0 || d.what === 'exception') break; // the rest of the image did not run on one side
  }
  if (diffs.length === 0) diffs.push({ seed, sequence: first, what: 'output', qemu: q.slice(-300), kvmsim: k.slice(-300), listing: [] });
  return diffs;
}

function fpInitial(s: Sequence, k: number): bigint {
  return k < 64 ? s.vregs[k] : BigInt(k === 64 ? s.fpsr : s.fpcr);
}

function scratchWord(s: Sequence, w: number): bigint {
  let v = 0n;
  for (let j = 7; j >= 0; j--) v = (v << 8n) | BigInt(s.scratch[w * 8 + j]);
  return v;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const perImage = opts.perImage ?? 50;
  const nSeq = Math.ceil(opts.count / opts.length);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvmsim-isa-'));
  const res: CampaignResult = { instructions: 0, sequences: 0, images: 0, groups: {}, forms: {}, differences: [], ms: 0, qemuMs: 0, kvmsimMs: 0 };
  for (const g of GROUP_NAMES) res.groups[g] = 0;
  const t0 = Date.now();
  const images = Math.ceil(nSeq / perImage);
  try {
    const prepare = (img: number) => {
      const first = img * perImage;
      const seqs = Array.from({ length: Math.min(perImage, nSeq - first) }, (_, i) => sequenceAt(opts.seed, first + i, opts));
      const image = buildImage(seqs);
      const elf = path.join(dir, `isa-${img}.elf`);
      fs.writeFileSync(elf, wrapElf(image.bytes, IMAGE_BASE));
      return { first, seqs, image, elf };
    };
    let next = images > 0 ? prepare(0) : undefined;
    for (let img = 0; img < images; img++) {
      const { first, seqs, image, elf } = next!;
      const tq = Date.now();
      const qemu = runQemu(elf, opts.qemuTimeoutMs ?? 30_000).then((r) => ((res.qemuMs += Date.now() - tq), r));
      const tk = Date.now();
      const k = bootImage(elf, { maxInsns: String(50_000_000) }, { modules: defaultModules(), defaults: DEFAULTS });
      res.kvmsimMs += Date.now() - tk;
      // The next image is generated and assembled while QEMU runs this one.
      next = img + 1 < images ? prepare(img + 1) : undefined;
      const q = await qemu;
      if (q.error !== undefined) throw new Error(`qemu on ${elf}: ${q.error}`);
      fs.rmSync(elf, { force: true });
      let kout = k.uart;
      if (!k.ok) kout += `\nkvmsim: ${k.exit}: ${k.detail} at PC 0x${k.pc.toString(16)}\n`;
      res.differences.push(...compareImage(q.out, kout, seqs, first, image.bodies, opts.seed));
      for (const s of seqs) {
        for (const i of s.insns) {
          const g = i.setup ? 'ldst-setup' : i.group;
          res.groups[g] = (res.groups[g] ?? 0) + 1;
          if (!i.setup) res.forms[i.form] = (res.forms[i.form] ?? 0) + 1;
          res.instructions++;
        }
      }
      res.sequences += seqs.length;
      res.images++;
      opts.progress?.(img + 1, images);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  res.ms = Date.now() - t0;
  return res;
}

export function formatDifference(d: Difference): string[] {
  return [
    `DIFF seed ${d.seed} sequence ${d.sequence}: ${d.what}: qemu ${d.qemu}, kvmsim ${d.kvmsim}${d.initial !== undefined ? ` (initially ${d.initial})` : ''}`,
    ...d.listing,
  ];
}

export type { Group };
