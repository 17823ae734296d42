import { Disposable, type Machine, type MachineContribution } from '../../core';
import type { MmioBus, MmioRegion } from '../memory/mmio';
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
/** UARTFR: transmit FIFO empty, receive FIFO empty (nothing is ever received). */
const FR_TXFE = 1 << 7;
const FR_RXFE = 1 << 4;
/** Characters gathered before they become one flat string of the output. */
const CHUNK = 4096;
/** UARTPeriphID0-3 and UARTPCellID0-3 of an Arm PL011. */
const ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/** A UART whose transmitted characters a run collects and the CLI prints. */
export interface Uart {
  readonly name: string;
  /** Everything transmitted so far. */
  readonly output: string;
  /** Called for each transmitted chunk, as it happens. */
  onOutput(listener: (text: string) => void): Disposable;
}
export const Uart = Symbol.for('kvmsim.Uart');

/**
 * An Arm PrimeCell PL011 as far as a guest printing to a console needs: the data register
 * transmits, the flag register says "room to send, nothing received", control and baud
 * registers hold what is written, the ID registers identify a PL011.
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

  constructor(
    private readonly mmio: MmioBus,
    readonly base = VIRT_UART_BASE,
  ) {}

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
        return 0; // no input: RXFE stays set
      case FR:
        return FR_TXFE | FR_RXFE;
      case RIS:
      case MIS:
        return 0;
      case RSR_ECR:
      case ILPR:
      case IBRD:
      case FBRD:
      case LCR_H:
      case CR:
      case IFLS:
      case IMSC:
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
      if (this.listeners.length === 0) return;
      const ch = String.fromCharCode(code);
      for (const l of [...this.listeners]) l(ch);
      return;
    }
    if (offset === ICR || offset === FR) return; // write-1-to-clear / read-only
    if (offset < 0xfe0) this.regs.set(offset, value >>> 0);
  }

  dispose(): void {
    this.registration?.dispose();
    this.registration = undefined;
  }
}
