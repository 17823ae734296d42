import { ContainerModule } from 'inversify';
import { EventBus, SimEventBus } from '../bus/event-bus';
import { MachineConfig } from '../config/schema';
import { Instrumentation, SimInstrumentation } from '../plugin/instrumentation';
import { Clock, SimClock } from '../sim/clock';
import { Rng, SeededRng } from '../sim/rng';
import { SimStats, StatsRegistry } from '../sim/stats';
import { ChromeTraceRecorder, TraceRecorder } from '../sim/trace';
import { ExpectStep, StatExpectation } from '../machine/expect';
import { Expectation, ScenarioStep } from '../machine/scenario';

/** The services every machine has: clock, RNG, stats, trace, event bus, instrumentation. */
export function coreModule(config: MachineConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(MachineConfig).toConstantValue(config);
    bind(Clock).toConstantValue(new SimClock());
    bind(Rng).toConstantValue(new SeededRng(config.seed));
    bind(StatsRegistry).toConstantValue(new SimStats());
    bind(TraceRecorder).toConstantValue(new ChromeTraceRecorder(config.name ?? 'kvmsim'));
    bind(Instrumentation).toConstantValue(new SimInstrumentation());
    bind(EventBus)
      .toDynamicValue((ctx) => new SimEventBus(ctx.get<Clock>(Clock)))
      .inSingletonScope();
    bind(Expectation).toConstantValue(new StatExpectation());
    bind(ScenarioStep)
      .toDynamicValue((ctx) => new ExpectStep(ctx.getAll<Expectation>(Expectation)))
      .inSingletonScope();
  });
}
