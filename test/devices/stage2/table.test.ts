import { Table } from '../../../devices/stage2/table';

describe('stage-2 Table', () => {
  it('finds valid entries across bitmap words, including bit 31', () => {
    const t = new Table(3, 512);
    for (const i of [0, 31, 32, 63, 300, 511]) t.set(i, 0x1000 * (i + 1) + 3);
    const found: number[] = [];
    for (let i = t.nextValid(0, 511); i !== -1; i = i < 511 ? t.nextValid(i + 1, 511) : -1) found.push(i);
    expect(found).toEqual([0, 31, 32, 63, 300, 511]);
    expect(t.live).toBe(6);
    expect(t.nextValid(1, 30)).toBe(-1);
    expect(t.nextValid(64, 299)).toBe(-1);
    expect(t.nextValid(33, 400)).toBe(63);
    t.clear(31);
    t.clear(31);
    expect(t.live).toBe(5);
    expect(t.nextValid(1, 40)).toBe(32);
  });

  it('tracks child tables and drops them when cleared', () => {
    const root = new Table(1, 1024);
    const child = new Table(2, 512);
    root.setTable(1023, child);
    expect(root.next![1023]).toBe(child);
    expect(root.nextValid(0, 1023)).toBe(1023);
    root.clear(1023);
    expect(root.next![1023]).toBeNull();
    expect(root.live).toBe(0);
  });
});
