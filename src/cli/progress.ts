import { count, duration, type CliOutput } from './io.js';

/**
 * Progress of a long operation (replay, rebuild), on stderr so stdout keeps only the result.
 * - On a terminal: one bar, rewritten in place with \r, with rate and ETA (at most ~10 times a second).
 * - Otherwise (a pipe, a log file, CI): a plain line at every 10 % step, or every 5 s when the step
 *   takes longer (or when the total is unknown).
 * The total may be unknown (null) or only a bound; `done` beyond it is shown as 100 %.
 */
export type ProgressOptions = Readonly<{
  label: string;
  /** Events expected; null when the store cannot count them. */
  total: number | null;
  unit?: string;
  now?: () => number;
  /** Plain mode: the longest pause between lines. */
  everyMs?: number;
  /** Terminal mode: the shortest pause between redraws. */
  redrawMs?: number;
}>;

export type Progress = Readonly<{
  update: (done: number) => void;
  /** The last line (the bar ends with a newline); `note` is appended. */
  finish: (done: number, note?: string) => void;
}>;

const BAR_WIDTH = 24;

/** Whole seconds, rounded up: an ETA in milliseconds is noise. */
const eta = (ms: number | null) => (ms === null ? '?' : ms <= 0 ? '0s' : duration(Math.ceil(ms / 1000) * 1000));

export const progress = (out: CliOutput, opts: ProgressOptions): Progress => {
  const now = opts.now ?? Date.now;
  const unit = opts.unit ?? 'events';
  const everyMs = opts.everyMs ?? 5000;
  const redrawMs = opts.redrawMs ?? 100;
  const tty = out.isTTY === true;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastStep = -1;
  let lastWidth = 0;
  let total = opts.total;

  const figures = (done: number) => {
    const elapsed = Math.max(1, now() - started);
    const rate = (done * 1000) / elapsed;
    const fraction = total === null ? null : total === 0 ? 1 : Math.min(1, done / total);
    const etaMs = total === null || rate <= 0 ? null : (Math.max(0, total - done) / rate) * 1000;
    return { elapsed, rate, fraction, eta: etaMs };
  };

  const describe = (done: number) => {
    const f = figures(done);
    const amount = total === null ? `${count(done)} ${unit}` : `${count(Math.min(done, total))}/${count(total)} ${unit}`;
    const rate = `${count(Math.round(f.rate))}/s`;
    return { f, amount, rate };
  };

  const drawBar = (done: number, final: boolean, note?: string) => {
    const { f, amount, rate } = describe(done);
    let text: string;
    if (f.fraction === null) {
      text = `${opts.label} ${amount} · ${rate} · ${duration(f.elapsed)}`;
    } else {
      const filled = Math.round(f.fraction * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
      const pct = `${Math.floor(f.fraction * 100)}%`.padStart(4);
      const tail = final ? `${duration(f.elapsed)}` : `ETA ${eta(f.eta)}`;
      text = `${opts.label} ${bar} ${pct} ${amount} · ${rate} · ${tail}`;
    }
    if (note) text += ` — ${note}`;
    const columns = out.columns && out.columns > 20 ? out.columns - 1 : 200;
    if (text.length > columns) text = text.slice(0, columns);
    // Pad over what the previous, longer, line left behind.
    const pad = lastWidth > text.length ? ' '.repeat(lastWidth - text.length) : '';
    lastWidth = text.length;
    out.write(`\r${text}${pad}`);
  };

  const plainLine = (done: number, note?: string) => {
    const { f, amount, rate } = describe(done);
    const pct = f.fraction === null ? '' : `${Math.floor(f.fraction * 100)}% `;
    const etaText = f.eta === null || note !== undefined ? '' : `, ETA ${eta(f.eta)}`;
    out.write(`${opts.label}: ${pct}${amount}, ${rate}${etaText}${note ? ` — ${note}` : ''}\n`);
  };

  return {
    update: (done) => {
      const t = now();
      if (tty) {
        if (t - lastDraw < redrawMs) return;
        lastDraw = t;
        drawBar(done, false);
        return;
      }
      const f = figures(done);
      const step = f.fraction === null ? lastStep : Math.floor(f.fraction * 10);
      if (step > lastStep || t - lastDraw >= everyMs) {
        lastStep = Math.max(step, lastStep);
        lastDraw = t;
        plainLine(done);
      }
    },
    finish: (done, note) => {
      // Finished is 100 %: the total was an estimate (events kept coming, or the replay stopped at --until).
      if (total !== null) total = done;
      if (tty) {
        drawBar(done, true, note);
        out.write('\n');
        return;
      }
      plainLine(done, note ?? `done in ${duration(now() - started)}`);
    },
  };
};
