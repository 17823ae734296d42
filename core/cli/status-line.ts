/**
 * A one-line progress display on a terminal (stderr): redrawn in place with `\r`, shown only once
 * a run has lasted `delayMs`, at most every `intervalMs`, and erased before anything else is
 * printed. Disabled (a no-op) when the output is not a terminal.
 */
export class StatusLine {
  private readonly start = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    readonly enabled: boolean,
    private readonly delayMs = 1000,
    private readonly intervalMs = 200,
  ) {}

  /** Milliseconds since the line was created (the run started). */
  get elapsedMs(): number {
    return Date.now() - this.start;
  }

  /** Redraws the line with `text()` when it is due. */
  update(text: () => string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.start < this.delayMs || now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.write(`\r${text()}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the line (before other output, and at the end). */
  clear(): void {
    if (!this.drawn) return;
    this.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** `1234567` as `1.23 M`: instruction counts on a status line. */
export function formatCount(n: number): string {
  if (n < 1e4) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

/** What a run's status line says: instructions so far, their rate, the boot it is in, the time. */
export function formatProgress(instructions: number, boots: number, elapsedMs: number): string {
  const s = elapsedMs / 1000;
  return `kvmsim: ${formatCount(instructions)} instructions, ${(instructions / Math.max(s, 1e-3) / 1e6).toFixed(1)} MIPS, boot ${boots}, ${s.toFixed(0)} s`;
}
