/**
 * A progress bar for long local jobs, on stderr so that stdout stays for results.
 *
 * On a terminal it redraws one line:  `products  [#####-----] 1,000/2,000  1,234 items/s`.
 * Anywhere else (a pipe, a CI log) it prints a line at every tenth of the way instead.
 */

/** Where the bar is drawn: a terminal redraws in place, anything else gets whole lines. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  /** What is being counted, printed first. */
  readonly label: string;
  readonly total: number;
  /**
   * Width the label is padded to, so that the bars of several phases line up.
   *
   * @default - the label's length
   */
  readonly labelWidth?: number;
  /**
   * Characters between the brackets.
   *
   * @default 20
   */
  readonly barWidth?: number;
  /**
   * @default process.stderr
   */
  readonly stream?: ProgressStream;
  /**
   * Milliseconds since some fixed point; tests replace it.
   *
   * @default performance.now
   */
  readonly clock?: () => number;
}

/** A whole number with thousands separators: 12,345. */
export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

/** Redraws on a terminal are at most this often; the last one always happens. */
const REDRAW_MS = 100;

export class ProgressBar {
  private done = 0;
  private readonly startedAt: number;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private lastTenth = 0;
  private finished = false;
  private readonly stream: ProgressStream;
  private readonly clock: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.clock = options.clock ?? (() => performance.now());
    this.startedAt = this.clock();
    if (this.stream.isTTY === true) this.draw();
  }

  /** Count `count` more done. */
  add(count: number): void {
    this.done += count;
    if (this.stream.isTTY === true) {
      if (this.clock() - this.lastDrawAt >= REDRAW_MS) this.draw();
      return;
    }
    const tenth = this.options.total === 0 ? 10 : Math.floor((this.done * 10) / this.options.total);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** Draw the final state and end the line. Calling it again does nothing. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.stream.isTTY === true) {
      this.draw();
      this.stream.write('\n');
    } else if (this.lastTenth < 10) {
      this.lastTenth = 10;
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** Items per second since the bar was made. */
  rate(): number {
    const seconds = Math.max(this.clock() - this.startedAt, 1) / 1000;
    return this.done / seconds;
  }

  private draw(): void {
    this.lastDrawAt = this.clock();
    // Carriage return, then the line, then erase whatever a longer previous line left.
    this.stream.write(`\r${this.line()}\u001b[K`);
  }

  private line(): string {
    const { label, total, labelWidth = label.length, barWidth = 20 } = this.options;
    const fraction = total === 0 ? 1 : Math.min(this.done / total, 1);
    const counts = `${formatCount(this.done)}/${formatCount(total)}  ${formatCount(this.rate())} items/s`;
    if (this.stream.isTTY !== true) return `${label.padEnd(labelWidth)}  ${Math.floor(fraction * 100)}%  ${counts}`;
    const filled = Math.round(fraction * barWidth);
    return `${label.padEnd(labelWidth)}  [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${counts}`;
  }
}
