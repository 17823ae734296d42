import { Disposable, type Machine, type MachineContribution } from '../../core';
import type { MmioBus, MmioRegion } from '../memory/mmio';
import { UnwiredIrqLine, type IrqLine } from '../platform/irq';
import { VIRT } from '../platform/virt-board';

/** The `virt` machine's PL011 (QEMU's `-M virt`). */
export const VIRT_UART_BASE = VIRT.uart.base;
export const PL011_SIZE = 0x1000;

const DR = 0x000;
const RSR_ECR = 0x004;
const FR = 0x018;
const ILPR = 0x020;
const IBRD = 0x024;
const FBRD = 0x028;
const LCR_H = 0x02c;
const CR = 0x030;
const IFLS = 0x034;
const IMSC = 0x038;
const RIS = 0x03c;
const MIS = 0x040;
const ICR = 0x044;
const DMACR = 0x048;
/** UARTFR: transmit FIFO empty (transmission is instant), receive FIFO full / empty. */
const FR_TXFE = 1 << 7;
const FR_RXFF = 1 << 6;
const FR_RXFE = 1 << 4;
/** UARTLCR_H.FEN: FIFOs enabled (16 entries deep, as QEMU's); else a one-character holding register. */
const LCR_FEN = 1 << 4;
const RX_FIFO_DEPTH = 16;
/** UARTRIS bits: transmit and receive. */
const INT_TX = 1 << 5;
const INT_RX = 1 << 4;
/** Characters gathered before they become one flat string of the output. */
const CHUNK = 4096;
/** UARTPeriphID0-3 and UARTPCellID0-3 of an Arm PL011. */
const ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/** A UART whose transmitted characters a run collects and the CLI prints, and that takes typed input. */
export interface Uart {
  readonly name: string;
  /** Everything transmitted so far. */
  readonly output: string;
  /** Called for each transmitted chunk, as it happens. */
  onOutput(listener: (text: string) => void): Disposable;
  /** Bytes arriving on the line, as if typed: received as the receive FIFO has room. */
  type(bytes: string | Uint8Array): void;
  /** Bytes typed and not yet read by the guest. */
  readonly inputPending: number;
}
export const Uart = Symbol.for('kvmsim.Uart');

/**
 * An Arm PrimeCell PL011 as QEMU 7.2 models it: transmission is instant (the flag register
 * always says the transmit FIFO is empty) and raises the TX interrupt; received bytes fill a
 * 16-entry FIFO (one entry with UARTLCR_H.FEN clear), and the RX interrupt rises when the FIFO
 * stops being empty and falls when it is emptied; UARTIMSC masks the combined interrupt line.
 * Unlike QEMU, changing UARTLCR_H.FEN keeps what was received.
 * Typed bytes wait, in order, until the FIFO has room (as QEMU's character backend waits for
 * the device), so nothing typed is lost. Control and baud registers hold what is written; the
 * ID registers identify a PL011.
 */
export class Pl011 implements Uart, MmioRegion, MachineContribution {
  readonly name = 'pl011';
  readonly size = PL011_SIZE;
  /**
   * What was transmitted: whole chunks, then the characters of the chunk being filled. A string
   * grown a character at a time is a rope of one node per character in V8 (some 32 bytes
   * each), so a guest printing for a long run kept many times its output in memory.
   */
  private readonly chunks: string[] = [];
  private pending: number[] = [];
  private joined: string | null = '';
  private readonly listeners: ((text: string) => void)[] = [];
  private readonly regs = new Map<number, number>([
    [CR, 0x300],
    [IFLS, 0x12],
  ]);
  private registration: Disposable | undefined;
  private readonly rxFifo: number[] = [];
  /** Typed bytes the FIFO had no room for yet. */
  private readonly typed: number[] = [];
  private typedHead = 0;
  private intLevel = 0;
  private intEnabled = 0;
  private lcr = 0;

  constructor(
    private readonly mmio: MmioBus,
    readonly base = VIRT_UART_BASE,
    /** The combined interrupt line (UARTINTR). */
    private irq: IrqLine = new UnwiredIrqLine(),
  ) {}

  /** Wires UARTINTR to an interrupt controller's line (the VMM's KVM_IRQ_LINE), at its current level. */
  connectIrq(line: IrqLine): Disposable {
    const before = this.irq;
    this.irq = line;
    line.set((this.intLevel & this.intEnabled) !== 0);
    return Disposable.create(() => {
      if (this.irq === line) this.irq = before;
    });
  }

  type(bytes: string | Uint8Array): void {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    for (const x of b) this.typed.push(x);
    this.receive();
  }

  get inputPending(): number {
    return this.typed.length - this.typedHead + this.rxFifo.length;
  }

  /** Moves typed bytes into the FIFO while it has room. */
  private receive(): void {
    const depth = (this.lcr & LCR_FEN) !== 0 ? RX_FIFO_DEPTH : 1;
    while (this.typedHead < this.typed.length && this.rxFifo.length < depth) {
      this.rxFifo.push(this.typed[this.typedHead++]);
      if (this.rxFifo.length === 1) this.raise(INT_RX);
    }
    if (this.typedHead === this.typed.length && this.typedHead > 0) {
      this.typed.length = 0;
      this.typedHead = 0;
    }
  }

  private raise(bits: number): void {
    this.intLevel |= bits;
    this.update();
  }

  private update(): void {
    const level = (this.intLevel & this.intEnabled) !== 0;
    if (level !== this.irq.level) this.irq.set(level);
  }

  private flags(): number {
    const depth = (this.lcr & LCR_FEN) !== 0 ? RX_FIFO_DEPTH : 1;
    return FR_TXFE | (this.rxFifo.length === 0 ? FR_RXFE : 0) | (this.rxFifo.length >= depth ? FR_RXFF : 0);
  }

  private readData(): number {
    const c = this.rxFifo.shift() ?? 0;
    if (this.rxFifo.length === 0) {
      this.intLevel &= ~INT_RX;
      this.update();
    }
    this.receive();
    return c;
  }

  onMachineBuilt(_machine: Machine): void {
    this.registration ??= this.mmio.register(this);
  }

  get output(): string {
    if (this.joined === null) {
      if (this.pending.length > 0) {
        this.chunks.push(String.fromCharCode(...this.pending));
        this.pending = [];
      }
      // One flat string; kept as the only chunk so the next read joins only what came since.
      this.joined = this.chunks.join('');
      this.chunks.length = 0;
      this.chunks.push(this.joined);
    }
    return this.joined;
  }

  onOutput(listener: (text: string) => void): Disposable {
    this.listeners.push(listener);
    return Disposable.create(() => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    });
  }

  read(offset: number, _size: number): number {
    if (offset >= 0xfe0 && offset < 0x1000) return ID[(offset - 0xfe0) >> 2];
    switch (offset) {
      case DR:
        return this.readData();
      case FR:
        return this.flags();
      case RIS:
        return this.intLevel;
      case MIS:
        return this.intLevel & this.intEnabled;
      case IMSC:
        return this.intEnabled;
      case LCR_H:
        return this.lcr;
      case RSR_ECR:
      case ILPR:
      case IBRD:
      case FBRD:
      case CR:
      case IFLS:
      case DMACR:
        return this.regs.get(offset) ?? 0;
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    if (offset === DR) {
      const code = value & 0xff;
      this.pending.push(code);
      if (this.pending.length === CHUNK) {
        this.chunks.push(String.fromCharCode(...this.pending));
        this.pending = [];
      }
      this.joined = null;
      this.raise(INT_TX);
      if (this.listeners.length === 0) return;
      const ch = String.fromCharCode(code);
      for (const l of [...this.listeners]) l(ch);
      return;
    }
    switch (offset) {
      case ICR:
        this.intLevel &= ~value;
        this.update();
        return;
      case IMSC:
        this.intEnabled = value & 0x7ff;
        this.update();
        return;
      case LCR_H:
        // QEMU empties the receive FIFO when FEN changes; here what was received is kept (the
        // depth only limits what comes next), so bytes typed before a guest set its line up
        // are not lost to a timing no real line would have.
        this.lcr = value & 0xff;
        this.receive();
        return;
      case FR:
        return; // read-only
    }
    if (offset < 0xfe0) this.regs.set(offset, value >>> 0);
  }

  dispose(): void {
    this.registration?.dispose();
    this.registration = undefined;
  }
}
