import type { WaitInfo } from '../index.js';
import { type Output, paint } from './context.js';
import { escapeControl } from './escape.js';
import { describeHolder, displayPath, formatDuration } from './format.js';

/** How often the terminal line is redrawn, so the durations it shows move. */
const REDRAW_MS = 1000;

/**
 * Tells the user what `locksmith` is waiting for, through the core's `onWait` hook (called once per lock
 * that has to be waited for, with its holder when known).
 * On a terminal: one line on stderr, redrawn in place every second and erased when the wait ends.
 * Elsewhere (a log, a pipe): one line each time a wait starts, never redrawn.
 */
export class WaitLine {
  readonly #out: Output;
  readonly #quiet: boolean;
  #current: WaitInfo | undefined;
  #started = 0;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(out: Output, quiet: boolean) {
    this.#out = out;
    this.#quiet = quiet;
  }

  /** Pass as `onWait`. */
  readonly onWait = (info: WaitInfo): void => {
    if (this.#quiet) return;
    this.#current = info;
    this.#started = Date.now();
    if (!this.#out.isTTY) {
      this.#out.write(`${this.#text(Date.now())}\n`);
      return;
    }
    this.#draw();
    this.#timer ??= setInterval(() => this.#draw(), REDRAW_MS);
  };

  /** The wait is over (acquired or given up): erase the terminal line. Safe to call more than once. */
  done(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#out.write('\r\x1b[2K');
    this.#drawn = false;
  }

  /** The part that changes comes first, so a narrow terminal cuts the end of the holder's command. */
  #text(now: number): string {
    const info = this.#current!;
    const waited = formatDuration(now - this.#started);
    // The holder's host name and command line are what it wrote in the lock file: escaped.
    return escapeControl(
      `locksmith: waiting ${waited} for ${displayPath(info.lockfilePath)}, ${describeHolder(info.holder, now)}`,
    );
  }

  #draw(): void {
    let text = this.#text(Date.now());
    // A line wider than the terminal wraps, and `\r` would then redraw only its last row.
    // A pseudo-terminal may report 0 columns (no size set): assume the classic 80 then.
    const width = (this.#out.columns || 80) - 1;
    if (text.length > width) text = `${text.slice(0, Math.max(0, width - 1))}…`;
    this.#out.write(`\r\x1b[2K${paint(this.#out, 'yellow', text)}`);
    this.#drawn = true;
  }
}
