import { createMachine, type Machine } from 'kvmsim';
import { CoherenceChecker, Kvm, KvmIoctlError, type ErrnoName, type KvmVm, type Vmm } from 'kvmsim';
import { scriptedCores, type GuestOp, type ScriptedCoreFactory } from './scripted-core';

export interface KvmRig {
  m: Machine;
  vm: KvmVm;
  vmm: Vmm;
  checker: CoherenceChecker;
  cores: ScriptedCoreFactory;
  programs: Map<number, GuestOp[]>;
}

export interface RigOptions {
  policy?: string;
  topology?: string;
  topologyArgs?: Record<string, unknown>;
  kvmArgs?: Record<string, unknown>;
  cpus?: number;
  scenario?: Record<string, unknown>[];
}

/** A machine with the KVM plugin, the checker, and scripted guest cores. */
export function kvmRig(o: RigOptions = {}): KvmRig {
  const programs = new Map<number, GuestOp[]>();
  const sc = scriptedCores(programs);
  const m = createMachine(
    {
      topology: { name: o.topology ?? 'cortex-a72', args: o.topologyArgs ?? {} },
      policy: o.policy ?? 'seed',
      plugins: [{ name: 'kvm-arm64', args: o.kvmArgs ?? {} }, 'checker'],
      machine: { cpus: o.cpus ?? 2 },
      scenario: o.scenario ?? [],
    },
    { modules: [sc.module] },
  );
  sc.attach(m);
  const kvm = m.get<Kvm>(Kvm);
  return { m, vm: kvm.vm, vmm: kvm.vmm, checker: m.get<CoherenceChecker>(CoherenceChecker), cores: sc.factory(), programs };
}

/** The errno an ioctl failed with, or 'ok'. */
export function errnoOf(fn: () => void): ErrnoName | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof KvmIoctlError) return e.errno;
    throw e;
  }
}

export const RAM = 0x4000_0000;
export const MiB = 1024 * 1024;
