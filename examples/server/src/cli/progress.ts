/**
 * @module cli/progress
 * Progress of long work on stderr (stdout carries the data): a bar redrawn in place on a terminal,
 * plain lines every few seconds otherwise (logs, CI), and a last line when done.
 */

/** Where progress goes: stderr, or a test's stand-in. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** One piece of long work. */
export interface Progress {
  /** Sets the amount done (and the total, when it became known). */
  update(done: number, total?: number, note?: string): void;
  /** Clears the bar and prints the final line. */
  done(message: string): void;
  /** Clears the bar without a message (before printing something else). */
  clear(): void;
}

const BAR_WIDTH = 24;

const formatCount = (n: number) => Math.round(n).toLocaleString('en-US');

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? `${formatCount(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  label: string;
  /** What is counted: `rows`, `bytes`… @default 'items' */
  unit?: string;
  total?: number;
  stream?: ProgressStream;
  /** Redraws at most this often on a terminal. @default 100 */
  redrawMs?: number;
  /** A plain line at most this often elsewhere. @default 5000 */
  lineEveryMs?: number;
  /** Show nothing but the final line. */
  quiet?: boolean;
  now?: () => number;
}

/** Formats `done` for display in `unit`. */
function amount(n: number, unit: string): string {
  if (unit !== 'bytes') return `${formatCount(n)} ${unit}`;
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Starts reporting progress. */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const unit = options.unit ?? 'items';
  const tty = stream.isTTY === true && !options.quiet;
  const started = now();
  let total = options.total;
  let doneCount = 0;
  let note = '';
  let lastDraw = -Infinity;
  let drawn = false;

  const describe = () => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = unit === 'bytes' ? `${amount(doneCount / seconds, 'bytes')}/s` : formatRate(doneCount / seconds);
    const share = total ? Math.min(1, doneCount / total) : undefined;
    const parts = [options.label];
    if (share !== undefined) parts.push(`${(share * 100).toFixed(0).padStart(3)}%`);
    parts.push(total ? `${amount(doneCount, unit)} of ${amount(total, unit)}` : amount(doneCount, unit), rate);
    if (note) parts.push(note);
    return { text: parts.join(' · '), share };
  };

  const draw = (force = false) => {
    const t = now();
    if (options.quiet) return;
    if (tty) {
      if (!force && t - lastDraw < (options.redrawMs ?? 100)) return;
      const { text, share } = describe();
      const bar = share === undefined ? '' : `[${'#'.repeat(Math.round(share * BAR_WIDTH)).padEnd(BAR_WIDTH, '-')}] `;
      const line = `${bar}${text}`.slice(0, Math.max(20, (stream.columns ?? 100) - 1));
      stream.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else {
      if (!force && t - lastDraw < (options.lineEveryMs ?? 5000)) return;
      stream.write(`${describe().text}\n`);
    }
    lastDraw = t;
  };

  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };

  // Plain output starts quiet: short work prints only its final line.
  if (!tty) lastDraw = started;

  return {
    update(value, newTotal, newNote) {
      doneCount = value;
      if (newTotal !== undefined) total = newTotal;
      if (newNote !== undefined) note = newNote;
      draw();
    },
    done(message) {
      clear();
      stream.write(`${message}\n`);
    },
    clear,
  };
}
