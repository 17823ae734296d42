import { z } from 'zod';
import { cut } from '../common/errors';
import { Size } from './units';

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * A map whose keys the user chooses (plugin args, a step's kind). Unlike `z.record`, which
 * trips on a key named `constructor` and drops one named `__proto__`, every key is an ordinary
 * key, `constructor`, `__proto__` and `toString` included; the result has no prototype.
 */
export function userRecord(): z.ZodType<Record<string, unknown>, Record<string, unknown>> {
  return z
    .unknown()
    .superRefine((v, ctx) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        ctx.addIssue({ code: 'invalid_type', expected: 'record', input: v, message: `Invalid input: expected record, received ${kindOf(v)}` } as never);
      }
    })
    .transform((v) => {
      const out = Object.create(null) as Record<string, unknown>;
      for (const k of Object.keys(v as object)) {
        Object.defineProperty(out, k, { value: (v as Record<string, unknown>)[k], enumerable: true, writable: true, configurable: true });
      }
      return out;
    })
    .meta({ type: 'object', additionalProperties: {} }) as unknown as z.ZodType<Record<string, unknown>, Record<string, unknown>>;
}

/**
 * A reference to a plugin: a built-in name (`trace`), or an object naming a built-in or a
 * module path with its args. Paths are relative to the config file.
 */
export const PluginRef = z
  .union([
    z.string().min(1),
    z.strictObject({
      name: z.string().min(1).optional().describe('a built-in plugin (see `kvmsim plugins`)'),
      path: z.string().min(1).optional().describe('a .ts or .js module, relative to this file'),
      args: userRecord().optional().describe("the plugin's args"),
    }),
  ])
  .superRefine((v, ctx) => {
    if (typeof v === 'object' && (v.name === undefined) === (v.path === undefined)) {
      ctx.addIssue({ code: 'custom', message: "expected exactly one of 'name' or 'path'" });
    }
  });
export type PluginRef = z.infer<typeof PluginRef>;

/** One scenario step: an object with exactly one key, the step kind, e.g. `- run: { vcpu: 0 }`. */
export const StepEntry = userRecord().superRefine((v, ctx) => {
    const keys = Object.keys(v);
    if (keys.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a step written as one key naming its kind (e.g. '- run: {vcpu: 0}'), found ${keys.length === 0 ? 'no key' : `keys ${keys.map((k) => `'${cut(k)}'`).join(', ')}`}`,
      });
    }
  });

export const MachineSection = z.strictObject({
  cpus: z.int().min(1).max(64).default(1).describe('guest cores (one VCPU each)'),
  memory: z
    .strictObject({
      size: Size.default(8 * 1024 ** 3).describe('host physical memory; pages are allocated on first touch'),
    })
    .default({ size: 8 * 1024 ** 3 }),
  stats: z.string().min(1).optional().describe('write the run\'s stats here (relative to this file; .json for JSON); --stats overrides'),
  trace: z.string().min(1).optional().describe('write a Chrome trace of the run here (relative to this file); --trace overrides'),
});

export const MachineConfigSchema = z.strictObject({
  name: z.string().optional().describe('a name for reports'),
  description: z.string().optional(),
  seed: z.int().min(0).max(0xffffffff).default(1).describe('seed of every random choice; same seed, same run'),
  topology: PluginRef.optional().describe('cache topology plugin, e.g. cortex-a72'),
  policy: PluginRef.optional().describe('hypervisor cache-maintenance policy plugin, e.g. seed'),
  machine: MachineSection.default({ cpus: 1, memory: { size: 8 * 1024 ** 3 } }),
  plugins: z.array(PluginRef).default([]).describe('plugins installed in order'),
  scenario: z.array(StepEntry).default([]).describe('the steps the VMM takes, and expectations'),
});

export type MachineConfig = z.infer<typeof MachineConfigSchema> & {
  /** Where the config came from: a file path, or `<inline>`. Relative paths resolve against its folder. */
  source: string;
  /** Folder relative paths in the config resolve against. */
  baseDir: string;
};
export const MachineConfig = Symbol.for('kvmsim.MachineConfig');
