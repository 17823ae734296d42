/**
 * Input for a UART, as a script types it: all at once, or line by line, each line when the
 * console has printed a prompt again (so firmware that counts down for a key, such as U-Boot's
 * autoboot, sees no key until its prompt is up). Deterministic: lines go in at the moment the
 * guest finishes printing the prompt, whatever the host does.
 */
import { Disposable, InputError } from '../../core';
import type { Uart } from './pl011';

/**
 * `--input` text: `\n`, `\r`, `\t`, `\\` and `\xNN` stand for those bytes, so a shell needs no
 * `$'...'` quoting.
 */
export function unescapeInput(text: string): string {
  return text.replace(/\\(x([0-9a-fA-F]{2})|.)/g, (m, what: string, hex: string | undefined) => {
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    switch (what) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '\\':
        return '\\';
      default:
        throw new InputError(`--input: unknown escape '${m}' (use \\n, \\r, \\t, \\\\ or \\xNN)`);
    }
  });
}

/** Types `text` into `uart`: at once without a prompt; with one, a line each time the prompt is printed. */
export function typeInput(uart: Uart, text: string, prompt?: string): Disposable {
  if (prompt === undefined || prompt === '') {
    uart.type(text);
    return Disposable.NONE;
  }
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let next = 0;
  let tail = '';
  const sub = uart.onOutput((s) => {
    if (next >= lines.length) return;
    tail = (tail + s).slice(-prompt.length);
    if (tail === prompt) {
      tail = '';
      uart.type(lines[next++]);
    }
  });
  return sub;
}
