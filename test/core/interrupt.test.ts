import { EXIT_INTERRUPTED, Interrupt, drainSlices, driveSlices, handleSigint } from '../../core';

describe('Interrupt and sliced runs', () => {
  it('the first SIGINT requests a stop, the second exits 130 at once', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const interrupt = new Interrupt();
    const first = jest.fn();
    const h = handleSigint(interrupt, { onFirst: first });
    try {
      process.emit('SIGINT');
      expect(interrupt.requested).toBe(true);
      expect(interrupt.reason).toBe('SIGINT');
      expect(first).toHaveBeenCalledTimes(1);
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT');
      expect(exit).toHaveBeenCalledWith(EXIT_INTERRUPTED);
    } finally {
      h.dispose();
      exit.mockRestore();
    }
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('driveSlices gives the event loop a turn between slices; drainSlices runs them back to back', async () => {
    const interrupt = new Interrupt();
    function* run(): Generator<number, string, void> {
      for (let i = 0; ; i++) {
        if (interrupt.requested) return `stopped after ${i}`;
        yield i;
      }
    }
    setImmediate(() => interrupt.request());
    const seen: number[] = [];
    expect(await driveSlices(run(), (i) => seen.push(i))).toMatch(/^stopped after [1-9]\d*$/);
    expect(seen[0]).toBe(0);
    function* three(): Generator<void, number, void> {
      yield;
      yield;
      return 3;
    }
    expect(drainSlices(three())).toBe(3);
  });
});
