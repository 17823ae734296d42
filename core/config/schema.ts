import { z } from 'zod';
import { cut } from '../common/errors';
import { Size } from './units';

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
      args: z.record(z.string(), z.unknown()).optional().describe("the plugin's args"),
    }),
  ])
  .superRefine((v, ctx) => {
    if (typeof v === 'object' && (v.name === undefined) === (v.path === undefined)) {
      ctx.addIssue({ code: 'custom', message: "expected exactly one of 'name' or 'path'" });
    }
  });
export type PluginRef = z.infer<typeof PluginRef>;

/** One scenario step: an object with exactly one key, the step kind, e.g. `- run: { vcpu: 0 }`. */
export const StepEntry = z
  .record(z.string(), z.unknown())
  .superRefine((v, ctx) => {
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
