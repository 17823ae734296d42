import { SimMmioBus } from '../../../devices/memory/mmio';
import { Pl011 } from '../../../devices/uart/pl011';

describe('PL011 output', () => {
  it('is every character written, read at any point, across many chunks', () => {
    const uart = new Pl011(new SimMmioBus());
    const heard: string[] = [];
    const sub = uart.onOutput((s) => heard.push(s));
    let want = '';
    for (let i = 0; i < 10_000; i++) {
      const ch = String.fromCharCode(32 + (i % 95));
      uart.write(0, 1, ch.charCodeAt(0) | 0x100); // only the low byte is sent
      want += ch;
      if (i === 0 || i === 4095 || i === 4096 || i === 7000) expect(uart.output).toBe(want);
    }
    expect(uart.output).toBe(want);
    expect(uart.output).toBe(want); // a second read, nothing new
    sub.dispose();
    uart.write(0, 1, 10);
    expect(uart.output).toBe(want + '\n');
    expect(heard.join('')).toBe(want);
  });
});
