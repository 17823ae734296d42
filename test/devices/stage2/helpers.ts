import { SimClock, SimEventBus, SimStats, type SimEvent } from '../../../core';
import { Stage2PageTable } from '../../../devices/stage2';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const PAGE = 4 * KiB;

export const R = { r: true, w: false, x: false };
export const RW = { r: true, w: true, x: false };
export const RX = { r: true, w: false, x: true };
export const RWX = { r: true, w: true, x: true };

/** A stage 2 on a fresh bus and stats registry, recording every stage-2 event. */
export function makeStage2(ipaBits?: number) {
  const bus = new SimEventBus(new SimClock());
  const stats = new SimStats();
  const s2 = new Stage2PageTable(bus, stats, ipaBits);
  const events: SimEvent<'stage2.map' | 'stage2.unmap' | 'stage2.fault'>[] = [];
  bus.subscribe('stage2.map', (e) => events.push(e));
  bus.subscribe('stage2.unmap', (e) => events.push(e));
  bus.subscribe('stage2.fault', (e) => events.push(e));
  return { s2, bus, stats, events };
}
