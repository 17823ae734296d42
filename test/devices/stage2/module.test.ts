import { Container } from 'inversify';
import { EventBus, SimClock, SimEventBus, SimStats, StatsRegistry } from '../../../core';
import { deviceModules } from '../../../devices';
import { Stage2Config, Stage2Mmu, stage2Module } from '../../../devices/stage2';

function container(config?: Stage2Config): Container {
  const c = new Container();
  c.bind(EventBus).toConstantValue(new SimEventBus(new SimClock()));
  c.bind(StatsRegistry).toConstantValue(new SimStats());
  if (config !== undefined) c.bind(Stage2Config).toConstantValue(config);
  c.loadSync(stage2Module);
  return c;
}

describe('stage2Module', () => {
  it('binds one stage 2 per machine, reporting to the machine bus and stats', () => {
    const c = container();
    const s2 = c.get<Stage2Mmu>(Stage2Mmu);
    expect(c.get<Stage2Mmu>(Stage2Mmu)).toBe(s2);
    expect(s2.ipaBits).toBe(40);
    const seen: number[] = [];
    c.get<EventBus>(EventBus).subscribe('stage2.unmap', (e) => seen.push(e.pages));
    s2.map(0, 0, 8192, { r: true, w: true, x: false }, 'normal');
    s2.unmap(0, 8192);
    expect(seen).toEqual([2]);
    expect(c.get<StatsRegistry>(StatsRegistry).value('system.stage2.unmaps')).toBe(1);
  });

  it('takes the IPA size from Stage2Config', () => {
    const s2 = container({ ipaBits: 48 }).get<Stage2Mmu>(Stage2Mmu);
    expect([s2.ipaBits, s2.startLevel, s2.rootEntries]).toEqual([48, 0, 512]);
  });

  it('is one of the device modules', () => {
    expect(deviceModules).toContain(stage2Module);
  });
});
