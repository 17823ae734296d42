/**
 * The PL011's receive side and interrupts, as QEMU 7.2 models them: a 16-entry FIFO with
 * UARTLCR_H.FEN (else one entry), UARTFR's RXFE/RXFF, the RX interrupt rising when the FIFO
 * stops being empty and falling when it is emptied, TX raised by every transmitted byte,
 * UARTIMSC masking the line; typed bytes wait for room and none is lost.
 */
import { SimMmioBus } from '../../../devices/memory/mmio';
import { UnwiredIrqLine } from '../../../devices/platform/irq';
import { Pl011 } from '../../../devices/uart/pl011';
import { typeInput, unescapeInput } from '../../../devices/uart/console-input';

const DR = 0x000;
const FR = 0x018;
const LCR_H = 0x02c;
const IMSC = 0x038;
const RIS = 0x03c;
const MIS = 0x040;
const ICR = 0x044;
const RXFE = 1 << 4;
const RXFF = 1 << 6;
const INT_RX = 1 << 4;
const INT_TX = 1 << 5;

function uart(): { u: Pl011; irq: UnwiredIrqLine } {
  const irq = new UnwiredIrqLine();
  return { u: new Pl011(new SimMmioBus(), 0x0900_0000, irq), irq };
}

const drain = (u: Pl011): string => {
  let s = '';
  while ((u.read(FR, 4) & RXFE) === 0) s += String.fromCharCode(u.read(DR, 4));
  return s;
};

describe('PL011 receive', () => {
  it('holds one byte without FIFOs and sixteen with them; the rest waits, in order', () => {
    const { u } = uart();
    u.type('abcdefghijklmnopqrstuvwxyz');
    expect(u.read(FR, 4) & (RXFE | RXFF)).toBe(RXFF); // one entry: full
    expect(String.fromCharCode(u.read(DR, 4))).toBe('a');
    u.write(LCR_H, 4, 0x70); // FEN: sixteen deep, refilled from what waits
    expect(u.inputPending).toBe(25);
    let n = 0;
    while ((u.read(FR, 4) & RXFF) === 0 && n < 100) {
      u.read(DR, 4);
      n++;
    }
    expect(n).toBe(0); // full at once
    expect(drain(u)).toBe('bcdefghijklmnopqrstuvwxyz');
    expect(u.inputPending).toBe(0);
    expect(u.read(FR, 4) & (RXFE | RXFF)).toBe(RXFE);
  });

  it('drops nothing typed while the guest reads: the FIFO refills as it empties', () => {
    const { u } = uart();
    u.write(LCR_H, 4, 0x70);
    const text = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(33 + (i % 90))).join('');
    u.type(text);
    expect(drain(u)).toBe(text);
  });

  it('raises RX when the FIFO stops being empty and lowers it when emptied; TX on every byte sent; IMSC masks the line', () => {
    const { u, irq } = uart();
    u.write(LCR_H, 4, 0x70);
    u.type('xy');
    expect(u.read(RIS, 4) & INT_RX).toBe(INT_RX);
    expect(irq.level).toBe(false); // masked
    u.write(IMSC, 4, INT_RX);
    expect(irq.level).toBe(true);
    expect(u.read(MIS, 4)).toBe(INT_RX);
    u.read(DR, 4);
    expect(irq.level).toBe(true); // one left
    u.read(DR, 4);
    expect(irq.level).toBe(false);
    expect(u.read(RIS, 4) & INT_RX).toBe(0);
    u.write(DR, 4, 0x41);
    expect(u.read(RIS, 4) & INT_TX).toBe(INT_TX);
    expect(irq.level).toBe(false);
    u.write(IMSC, 4, INT_RX | INT_TX);
    expect(irq.level).toBe(true);
    u.write(ICR, 4, INT_TX);
    expect(irq.level).toBe(false);
    expect(u.output).toBe('A');
  });
});

describe('console input', () => {
  it('reads escapes, and refuses unknown ones', () => {
    expect(unescapeInput('a\\nb\\r\\t\\\\\\x41')).toBe('a\nb\r\t\\A');
    expect(() => unescapeInput('\\q')).toThrow(/--input: unknown escape '\\q'/);
  });

  it('with a prompt, types each line when the console prints the prompt', () => {
    const { u } = uart();
    u.write(LCR_H, 4, 0x70);
    const sub = typeInput(u, 'one\ntwo\n', '=> ');
    expect(u.inputPending).toBe(0);
    for (const c of 'U-Boot\n=> ') u.write(DR, 4, c.charCodeAt(0));
    expect(drain(u)).toBe('one\n');
    for (const c of 'echo\n=') u.write(DR, 4, c.charCodeAt(0));
    expect(u.inputPending).toBe(0);
    for (const c of '> ') u.write(DR, 4, c.charCodeAt(0));
    expect(drain(u)).toBe('two\n');
    for (const c of '=> ') u.write(DR, 4, c.charCodeAt(0));
    expect(u.inputPending).toBe(0); // nothing left to type
    sub.dispose();
  });
});
