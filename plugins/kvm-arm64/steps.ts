import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { z } from 'zod';
import { Address, InputError, Size, drainSlices, cut, formatSize, hex, shown, type Expectation, type ScenarioStep, type StepCheckContext, type StepContext } from '../../core';
import { ERRNO, KvmIoctlError, type ErrnoName } from './errno';
import type { Vmm } from './vmm';
import { describeExit } from './vcpu';
import type { Uart } from '../../devices/uart/pl011';
import { AsmError, assemble } from '../../isa/a64';
import { formatGuestException } from '../../devices/cpu/fault-report';
import { loadGuestImage } from './elf';

/** Instructions a `run` step executes between turns of the event loop (Ctrl-C, progress). */
const RUN_SLICE = 200_000;

const Errno = z.enum(Object.keys(ERRNO) as [ErrnoName, ...ErrnoName[]]).describe('the errno the ioctl must fail with');

/** Runs an ioctl step: a failure is a scenario failure unless `expectErrno` names it. */
function ioctlStep(ctx: StepContext, expectErrno: ErrnoName | undefined, what: string, fn: () => void): boolean {
  return drainSlices(
    ioctlStepSliced(ctx, expectErrno, what, function* () {
      fn();
    }),
  );
}

/** `ioctlStep` for an ioctl that runs in slices (KVM_RUN), passing its progress on. */
function* ioctlStepSliced<Y>(ctx: StepContext, expectErrno: ErrnoName | undefined, what: string, fn: () => Generator<Y, void, void>): Generator<Y, boolean, void> {
  try {
    yield* fn();
  } catch (e) {
    if (!(e instanceof KvmIoctlError)) throw e;
    if (expectErrno === e.errno) {
      ctx.log(`${e.ioctl}: -${e.errno} as expected (${e.why})`);
      return false;
    }
    ctx.fail(expectErrno ? `${e.message}; expected -${expectErrno}` : e.message);
    return false;
  }
  if (expectErrno) {
    ctx.fail(`${what} succeeded; expected it to fail with -${expectErrno}`);
    return false;
  }
  return true;
}

const SetMemslotArgs = z.strictObject({
  slot: z.int().min(0).describe('memslot id'),
  gpa: Address.describe('guest physical address'),
  size: Size.describe('bytes; 0 deletes the slot'),
  readonly: z.boolean().default(false).describe('KVM_MEM_READONLY'),
  log_dirty: z.boolean().default(false).describe('KVM_MEM_LOG_DIRTY_PAGES'),
  device: z.boolean().default(false).describe('back the slot with a VM_PFNMAP mapping (device memory)'),
  userspace_addr: Address.optional().describe('HVA to pass instead of the VMM mapping (for error cases)'),
  expect_errno: Errno.optional(),
});

export class SetMemslotStep implements ScenarioStep<z.infer<typeof SetMemslotArgs>> {
  readonly kind = 'set_memslot';
  readonly description = 'mmap host memory and KVM_SET_USER_MEMORY_REGION (create, move, change flags; size 0 deletes)';
  readonly schema = SetMemslotArgs;
  constructor(private readonly vmm: () => Vmm) {}
  run(a: z.infer<typeof SetMemslotArgs>, ctx: StepContext): void {
    ioctlStep(ctx, a.expect_errno, `KVM_SET_USER_MEMORY_REGION slot ${a.slot}`, () =>
      this.vmm().setMemslot({ slot: a.slot, gpa: a.gpa, size: a.size, readonly: a.readonly, logDirty: a.log_dirty, device: a.device, userspaceAddr: a.userspace_addr }),
    );
  }
}

/**
 * KVM_CHECK_EXTENSION first, as a VMM does: false (logged) when the policy has no locking
 * capability. Error-case scenarios (`expect_errno`) call the ioctl regardless.
 */
function capabilityChecked(vmm: Vmm, expectErrno: ErrnoName | undefined, ctx: StepContext, consequence: string): boolean {
  if (vmm.vm.d.policy.supportsLocking || expectErrno !== undefined) return true;
  ctx.log(`KVM_CAP_ARM_LOCK_USER_MEMORY_REGION not supported by policy '${vmm.vm.d.policy.name}': ${consequence}`);
  return false;
}

const LockArgs = z.strictObject({
  slot: z.int().min(0).describe('memslot id'),
  write: z.boolean().default(true).describe('KVM_ARM_LOCK_MEM_WRITE as well as READ'),
  during_run: z.boolean().default(false).describe('issue the ioctl while a VCPU is inside KVM_RUN (another VMM thread)'),
  expect_errno: Errno.optional(),
});

export class LockStep implements ScenarioStep<z.infer<typeof LockArgs>> {
  readonly kind = 'lock';
  readonly description = 'lock a memslot (KVM_CAP_ARM_LOCK_USER_MEMORY_REGION); skipped, as a VMM would, when the capability is missing';
  readonly schema = LockArgs;
  constructor(private readonly vmm: () => Vmm) {}
  run(a: z.infer<typeof LockArgs>, ctx: StepContext): void {
    const vmm = this.vmm();
    if (!capabilityChecked(vmm, a.expect_errno, ctx, `slot ${a.slot} stays unlocked`)) return;
    ioctlStep(ctx, a.expect_errno, `lock slot ${a.slot}`, () => vmm.lock(a.slot, a.write, { vcpuInIoctl: a.during_run }));
  }
}

const UnlockArgs = z
  .strictObject({
    slot: z.int().min(0).optional().describe('memslot id'),
    all: z.boolean().default(false).describe('KVM_ARM_UNLOCK_MEM_ALL'),
    expect_errno: Errno.optional(),
  })
  .refine((a) => a.all || a.slot !== undefined, { message: "give 'slot' or 'all: true'" });

export class UnlockStep implements ScenarioStep<z.infer<typeof UnlockArgs>> {
  readonly kind = 'unlock';
  readonly description = 'unlock one memslot, or all of them';
  readonly schema = UnlockArgs;
  constructor(private readonly vmm: () => Vmm) {}
  run(a: z.infer<typeof UnlockArgs>, ctx: StepContext): void {
    const vmm = this.vmm();
    if (!capabilityChecked(vmm, a.expect_errno, ctx, 'nothing to unlock')) return;
    ioctlStep(ctx, a.expect_errno, 'unlock', () => vmm.unlock(a.slot ?? 0, a.all));
  }
}

const WriteArgs = z
  .strictObject({
    gpa: Address.optional().describe('guest physical address to write at (not with elf)'),
    bytes: z.array(z.int().min(0).max(255)).optional().describe('bytes'),
    words: z.array(z.int().min(0).max(0xffffffff)).optional().describe('32-bit little-endian words (instructions)'),
    string: z.string().optional().describe('text (UTF-8)'),
    fill: z.strictObject({ byte: z.int().min(0).max(255), size: Size }).optional().describe('size bytes of one value'),
    file: z.string().optional().describe('a raw binary image, relative to the config'),
    elf: z.string().optional().describe('an AArch64 ELF executable: its PT_LOAD segments go to their physical addresses'),
    asm: z.string().optional().describe('A64 assembly, assembled at gpa'),
    asm_file: z.string().optional().describe('an A64 assembly source (.S), relative to the config, assembled at gpa'),
    defines: z.record(z.string(), z.int()).optional().describe('symbols (NAME: value) prepended to the assembly as .equ'),
    cpu: z.int().min(0).optional().describe('host core the VMM writes from (default: the VMM thread\'s core)'),
  })
  .refine((a) => [a.bytes, a.words, a.string, a.fill, a.file, a.elf, a.asm, a.asm_file].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of bytes, words, string, fill, file, elf, asm, asm_file',
  })
  .refine((a) => (a.elf === undefined) === (a.gpa !== undefined), { message: "give 'gpa' for everything but 'elf' (an ELF says where it goes)" });

type WriteArgs = z.infer<typeof WriteArgs>;

/** One piece of guest memory a `write` step writes: where, what, and what to call it. */
interface Payload {
  gpa: number;
  bytes: Uint8Array;
  /** Bytes written: `bytes`, then zeros up to this size (an ELF segment's bss); default bytes.length. */
  size?: number;
  source: string;
  /** Said in the log after the size and address (an ELF segment's entry point). */
  note?: string;
}

/** Reads a file a `write` step names; `where` is that arg's place in the config, when known. */
function readInput(baseDir: string, file: string, what: string, where?: string): Uint8Array {
  const abs = path.resolve(baseDir, file);
  try {
    return fs.readFileSync(abs);
  } catch {
    throw new InputError(`${where ?? 'write'}: cannot read ${what} '${cut(file)}' (looked for ${cut(abs)})`);
  }
}

/** Assembles a step's `asm` or `asm_file` at `gpa`, with its defines and `.include`s. */
function assemblePayload(a: WriteArgs, ctx: StepCheckContext): Uint8Array {
  let src: string;
  let name: string;
  if (a.asm_file !== undefined) {
    src = Buffer.from(readInput(ctx.baseDir, a.asm_file, 'assembly', ctx.location.at?.(['asm_file']))).toString('utf8');
    name = a.asm_file;
  } else {
    src = a.asm!;
    name = ctx.location.at?.(['asm']) ?? `${ctx.location.where} asm`;
  }
  const defines = Object.entries(a.defines ?? {})
    .map(([k, v]) => `.equ ${k}, ${v}\n`)
    .join('');
  // Defines go on the first line, so the assembler's line numbers still match the source.
  // .include paths are relative to the including file, which is relative to the config.
  const include = (inc: string, from: string | undefined) => {
    // Inline assembly includes relative to the config's folder (baseDir), not to its `name`.
    const top = from === undefined || from === name;
    const file = path.join(!top ? path.dirname(from) : a.asm_file !== undefined ? path.dirname(a.asm_file) : '.', inc);
    try {
      return { file, source: fs.readFileSync(path.resolve(ctx.baseDir, file), 'utf8') };
    } catch {
      throw new InputError(`${top && a.asm !== undefined ? name : `write: ${from ?? name}`}: .include "${inc}": cannot read ${path.resolve(ctx.baseDir, file)}`);
    }
  };
  try {
    return assemble(defines.replace(/\n/g, '; ') + src, { base: a.gpa!, file: name, include }).bytes;
  } catch (e) {
    // A line of inline assembly written as a literal block (`asm: |`) is a line of the config.
    const at = ctx.location.at;
    if (!(e instanceof AsmError) || a.asm === undefined || at === undefined) throw e;
    throw new AsmError(e.issues.map((i) => (i.file === name ? { ...i, file: `${at(['asm'], i.line)}` } : i)));
  }
}

/**
 * What a `write` step writes, loaded from its files, assembled or decoded. A `fill` is left
 * out: it has no input to check, and its bytes are made only when it runs.
 */
function loadPayloads(a: WriteArgs, ctx: StepCheckContext): Payload[] {
  if (a.elf !== undefined) {
    const image = loadGuestImage(readInput(ctx.baseDir, a.elf, 'ELF', ctx.location.at?.(['elf'])), a.elf, 0);
    if (image.kind !== 'elf') throw new InputError(`${ctx.location.at?.(['elf']) ?? 'write'}: '${cut(a.elf)}' is not an ELF file (use file: for a raw image)`);
    // The bss (memsz beyond the file's bytes) is written as zeros by the VMM, page by page.
    return image.segments.map((seg) => ({ gpa: seg.addr, bytes: seg.data, size: seg.memsz, source: a.elf!, note: `ELF segment, entry ${hex(image.entry)}` }));
  }
  const gpa = a.gpa!;
  if (a.bytes) return [{ gpa, bytes: Uint8Array.from(a.bytes), source: 'bytes' }];
  if (a.words) {
    const bytes = new Uint8Array(a.words.length * 4);
    const dv = new DataView(bytes.buffer);
    a.words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    return [{ gpa, bytes, source: 'words' }];
  }
  if (a.string !== undefined) return [{ gpa, bytes: new TextEncoder().encode(a.string), source: 'string' }];
  if (a.asm !== undefined || a.asm_file !== undefined) return [{ gpa, bytes: assemblePayload(a, ctx), source: a.asm_file ?? 'inline assembly' }];
  if (a.file !== undefined) return [{ gpa, bytes: readInput(ctx.baseDir, a.file, 'image', ctx.location.at?.(['file'])), source: a.file }];
  return [];
}

export class WriteStep implements ScenarioStep<WriteArgs> {
  readonly kind = 'write';
  readonly description = "the VMM writes guest memory through its cacheable mapping (it may stay dirty in the host core's caches)";
  readonly schema = WriteArgs;
  constructor(private readonly vmm: () => Vmm) {}

  check(a: WriteArgs, ctx: StepCheckContext): void {
    // Where the bytes go is known only when the step runs (memslots are made by earlier steps);
    // a size no computer of this one's memory could hold is refused now, before any work.
    // (Zeros over untouched pages allocate none, so a zero fill or a bss is not limited so.)
    const sizes = a.fill ? [a.fill.byte === 0 ? 0 : a.fill.size] : loadPayloads(a, ctx).map((p) => p.bytes.length);
    for (const size of sizes) {
      if (size > os.totalmem()) {
        throw new InputError(`write: ${formatSize(size)} is more than this computer's memory (${(os.totalmem() / 2 ** 30).toFixed(1)} GiB); the VMM's writes allocate every page they touch`);
      }
    }
  }

  run(a: WriteArgs, ctx: StepContext): void {
    const vmm = this.vmm();
    if (a.fill) {
      const { byte, size } = a.fill;
      const source = `fill ${hex(byte)}`;
      this.writeAs(a.cpu, () => vmm.fill(a.gpa!, size, byte, source));
      ctx.log(`wrote ${size} bytes (${source}) at ${hex(a.gpa!)}`);
      return;
    }
    const payloads = loadPayloads(a, ctx);
    // Every piece is checked before the first is written, so a bad one leaves memory untouched.
    for (const p of payloads) vmm.checkWrite(p.gpa, Math.max(p.size ?? 0, p.bytes.length), p.bytes.length);
    for (const p of payloads) {
      this.writeAs(a.cpu, () => vmm.write(p.gpa, p.bytes, p.source, p.size));
      ctx.log(`wrote ${Math.max(p.size ?? 0, p.bytes.length)} bytes (${p.source}) at ${hex(p.gpa)}${p.note ? ` (${p.note})` : ''}`);
    }
  }

  /** Runs `fn` with the VMM writing from host core `cpu` (when given). */
  private writeAs(cpu: number | undefined, fn: () => void): void {
    const vmm = this.vmm();
    const prev = vmm.hostCpu;
    if (cpu !== undefined) vmm.hostCpu = cpu;
    try {
      fn();
    } finally {
      vmm.hostCpu = prev;
    }
  }
}

const MunmapArgs = z.strictObject({
  gpa: Address.describe('guest physical address of the first page'),
  size: Size.describe('bytes, whole pages, inside one memslot'),
});

export class MunmapStep implements ScenarioStep<z.infer<typeof MunmapArgs>> {
  readonly kind = 'munmap';
  readonly description = "the VMM unmaps the host memory behind a guest range: KVM's MMU notifier unmaps it from stage 2";
  readonly schema = MunmapArgs;
  constructor(private readonly vmm: () => Vmm) {}
  run(a: z.infer<typeof MunmapArgs>, ctx: StepContext): void {
    this.vmm().munmap(a.gpa, a.size);
    ctx.log(`munmap of guest [0x${a.gpa.toString(16)}, +0x${a.size.toString(16)})`);
  }
}

const VcpuInitArgs = z.strictObject({
  vcpu: z.int().min(0).default(0),
  entry: Address.default(0x4008_0000).describe('PC at reset (KVM_SET_ONE_REG)'),
  x0: Address.default(0).describe('x0 at reset (e.g. the DTB address)'),
  power_off: z.boolean().default(false).describe('KVM_ARM_VCPU_POWER_OFF'),
  expect_errno: Errno.optional(),
});

export class VcpuInitStep implements ScenarioStep<z.infer<typeof VcpuInitArgs>> {
  readonly kind = 'vcpu_init';
  readonly description = 'KVM_ARM_VCPU_INIT (a reset when the VCPU has run: the policy acts) and set PC/x0';
  readonly schema = VcpuInitArgs;
  constructor(private readonly vmm: () => Vmm) {}
  run(a: z.infer<typeof VcpuInitArgs>, ctx: StepContext): void {
    ioctlStep(ctx, a.expect_errno, `KVM_ARM_VCPU_INIT vcpu ${a.vcpu}`, () => this.vmm().vcpuInit(a.vcpu, a.entry, a.x0, { powerOff: a.power_off }));
  }
}

const RunArgs = z.strictObject({
  vcpu: z.int().min(0).default(0),
  max_insns: z.int().min(1).optional().describe('instruction budget for this step (default: run --max-insns, else 10,000,000)'),
  expect_errno: Errno.optional(),
});

export class RunStep implements ScenarioStep<z.infer<typeof RunArgs>> {
  readonly kind = 'run';
  readonly description = 'KVM_RUN in a loop (MMIO emulated by the VMM) until another exit or the instruction budget';
  readonly schema = RunArgs;
  constructor(private readonly vmm: () => Vmm) {}
  run(a: z.infer<typeof RunArgs>, ctx: StepContext): void {
    drainSlices(this.runSliced(a, ctx));
  }

  *runSliced(a: z.infer<typeof RunArgs>, ctx: StepContext): Generator<number, void, void> {
    const vmm = this.vmm();
    if (a.expect_errno !== undefined) vmm.vcpu(a.vcpu); // KVM_CREATE_VCPU, so KVM_RUN itself can fail
    yield* ioctlStepSliced(ctx, a.expect_errno, `KVM_RUN vcpu ${a.vcpu}`, function* () {
      const r = yield* vmm.runSliced(a.vcpu, a.max_insns ?? ctx.machine.maxInsnsPerRun, RUN_SLICE, ctx.interrupt);
      ctx.log(`vcpu${a.vcpu}: ${r.retired} instructions, exit ${r.last.reason} (${describeExit(r.last)}) at PC 0x${r.last.pc.toString(16)}`);
      const first = vmm.vcpu(a.vcpu).core.firstFault;
      if (first && (r.last.reason === 'guest_fault' || r.last.reason === 'undefined_instruction')) {
        for (const line of formatGuestException(first)) ctx.log(`vcpu${a.vcpu}: first unexpected exception: ${line}`);
      }
    });
  }
}

const UartCheck = z.union([
  z.string().describe('the UART output contains this'),
  z.strictObject({ contains: z.string().optional(), equals: z.string().optional(), not_contains: z.string().optional() }),
]);

export class UartExpectation implements Expectation<z.infer<typeof UartCheck>> {
  readonly key = 'uart';
  readonly description = 'the UART output so far: contains a string, or { contains, equals, not_contains }';
  readonly schema = UartCheck;
  constructor(private readonly uart: () => Uart) {}
  check(arg: z.infer<typeof UartCheck>): string | null {
    const out = this.uart().output;
    const c = typeof arg === 'string' ? { contains: arg } : arg;
    const tail = JSON.stringify(out.length > 200 ? '…' + out.slice(-200) : out);
    if (c.contains !== undefined && !out.includes(c.contains)) return `output ${tail} does not contain ${shown(c.contains)}`;
    if (c.equals !== undefined && out !== c.equals) return `output ${tail} is not ${shown(c.equals)}`;
    if (c.not_contains !== undefined && out.includes(c.not_contains)) return `output ${tail} contains ${shown(c.not_contains)}`;
    return null;
  }
}

const ExitReason = z.enum(['mmio', 'system_event', 'hypercall', 'insn_budget', 'interrupted', 'wfi', 'undefined_instruction', 'guest_fault', 'internal_error']);
const ExitCheck = z.union([ExitReason, z.strictObject({ vcpu: z.int().min(0).optional(), reason: ExitReason, event: z.enum(['shutdown', 'reset']).optional() })]);

export class ExitExpectation implements Expectation<z.infer<typeof ExitCheck>> {
  readonly key = 'exit';
  readonly description = 'the last run step ended with this exit reason (and PSCI event)';
  readonly schema = ExitCheck;
  constructor(private readonly vmm: () => Vmm) {}
  check(arg: z.infer<typeof ExitCheck>): string | null {
    const c = typeof arg === 'string' ? { reason: arg } : arg;
    const last = this.vmm().lastRun(c.vcpu);
    if (last === undefined) return 'no run step has happened';
    const e = last.last;
    if (e.reason !== c.reason) return `vcpu${last.vcpu} exited with ${e.reason} (${describeExit(e)}), expected ${c.reason}`;
    if (c.event !== undefined && (e.reason !== 'system_event' || e.event !== c.event)) return `exit event is ${describeExit(e)}, expected ${c.event}`;
    return null;
  }
}
