/**
 * Embeds kvmsim through its public entry (the README's own snippet runs in test/docs).
 */
import * as path from 'path';
import { createMachine } from 'kvmsim';

describe('embedding kvmsim as a library (README)', () => {
  it('builds a machine from a config file, subscribes to the bus, runs, reads stats', () => {
    const config = path.join(__dirname, 'fixtures', 'configs', 'random.yaml');
    const machine = createMachine(config, { seed: 7 });
    let cmos = 0;
    machine.bus.subscribe('cmo', () => cmos++, 'my-app');
    const result = machine.run();
    machine.dispose();
    expect(result.ok).toBe(true);
    expect(cmos).toBe(50);
    expect(result.cycles).toBeGreaterThan(0);
  });

  it('builds a machine from a config object', () => {
    const machine = createMachine({ name: 'inline', seed: 3, plugins: ['trace'] }, { trace: true });
    const result = machine.run();
    expect(result.ok).toBe(true);
    expect(machine.trace.toJSON().traceEvents.some((e) => e.name === 'sim.end')).toBe(true);
    machine.dispose();
  });
});
