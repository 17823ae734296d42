import { z } from 'zod';
import type { Expectation, StepContext } from '../../core';
import { CoherenceChecker } from './checker';

const Blame = z.enum(['hypervisor', 'guest', 'any']);

function count(c: CoherenceChecker, blame: z.infer<typeof Blame>): number {
  return blame === 'hypervisor' ? c.staleHypervisor : blame === 'guest' ? c.staleGuest : c.staleHypervisor + c.staleGuest;
}

function firstStale(c: CoherenceChecker, blame: z.infer<typeof Blame>): string {
  const o = c.observations.find((x) => blame === 'any' || x.blame === blame);
  return o ? ` (first: vcpu${o.vcpu} ${o.access} at PA 0x${o.addr.toString(16)} got ${o.got}, expected ${o.expected} by ${o.writer}, from ${o.level})` : '';
}

/** `expect: { no_stale: true }` or `no_stale: hypervisor`: the guest never saw stale data. */
export class NoStaleExpectation implements Expectation<true | 'hypervisor' | 'guest'> {
  readonly key = 'no_stale';
  readonly description = 'no stale read or fetch so far (true: of any blame; or only hypervisor- / guest-blamed)';
  readonly schema = z.union([z.literal(true), z.enum(['hypervisor', 'guest'])]);
  constructor(private readonly checker: CoherenceChecker) {}
  check(arg: true | 'hypervisor' | 'guest', _ctx: StepContext): string | null {
    const blame = arg === true ? 'any' : arg;
    const n = count(this.checker, blame);
    return n === 0 ? null : `${n} stale read(s)/fetch(es)${blame === 'any' ? '' : ` blamed on the ${blame}`}${firstStale(this.checker, blame)}`;
  }
}

const StaleBound = z.strictObject({
  blame: Blame.default('any'),
  min: z.int().min(0).optional(),
  max: z.int().min(0).optional(),
});

/** `expect: { stale: { blame: hypervisor, min: 1 } }`: bounds on stale observations. */
export class StaleExpectation implements Expectation<z.infer<typeof StaleBound>> {
  readonly key = 'stale';
  readonly description = 'bounds on the number of stale reads/fetches: { blame, min, max }';
  readonly schema = StaleBound;
  constructor(private readonly checker: CoherenceChecker) {}
  check(arg: z.infer<typeof StaleBound>): string | null {
    const n = count(this.checker, arg.blame);
    if (arg.min !== undefined && n < arg.min) return `${n} stale (${arg.blame}), expected at least ${arg.min}`;
    if (arg.max !== undefined && n > arg.max) return `${n} stale (${arg.blame}), expected at most ${arg.max}${firstStale(this.checker, arg.blame)}`;
    return null;
  }
}

/** `expect: { no_violations: true }`: the hypervisor kept its lock contract. */
export class NoViolationsExpectation implements Expectation<true> {
  readonly key = 'no_violations';
  readonly description = 'the hypervisor never unmapped a page of a locked memslot';
  readonly schema = z.literal(true);
  constructor(private readonly checker: CoherenceChecker) {}
  check(): string | null {
    const n = this.checker.contractViolations;
    return n === 0 ? null : `${n} lock-contract violation(s)`;
  }
}
