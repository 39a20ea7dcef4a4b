/**
 * How a demo run shows where it is: on a terminal, a cli-progress bar (rows done, rate, ETA,
 * alerts so far) with log lines printed above it; otherwise, or with --quiet, plain lines at most
 * every few seconds. Updates are pushed by the phases as work completes (nothing polls).
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly alerts: number;
}

export interface Progress {
  /** A line for the log (above the bar on a terminal). */
  log(line: string): void;
  /** Starts counting rows towards `total`. */
  start(total: number): void;
  update(state: ProgressState): void;
  /** Ends the bar (idempotent). */
  stop(): void;
}

function formatRate(rowsPerSecond: number): string {
  return rowsPerSecond >= 100 ? String(Math.round(rowsPerSecond)) : rowsPerSecond.toFixed(1);
}

/** Plain lines: `log` lines as they come, a progress line at most every `everyMs`, and one at the end. */
export function lineProgress(print: (line: string) => void, options: { everyMs?: number; logs?: boolean; now?: () => number } = {}): Progress {
  const everyMs = options.everyMs ?? 2000;
  const now = options.now ?? Date.now;
  let startedAt = 0;
  let lastLine = 0;
  let last: ProgressState | undefined;
  let running = false;
  const line = (s: ProgressState): string => {
    const seconds = Math.max(0.001, (now() - startedAt) / 1000);
    const rate = s.done / seconds;
    const eta = rate > 0 && s.done < s.total ? ` ETA ${Math.ceil((s.total - s.done) / rate)} s,` : '';
    return `  … ${s.done}/${s.total} rows through the pipeline (${((100 * s.done) / Math.max(1, s.total)).toFixed(1)} %), ${formatRate(rate)} rows/s,${eta} alerts ${s.alerts}`;
  };
  return {
    log: (text) => {
      if (options.logs ?? true) print(text);
    },
    start: () => {
      startedAt = now();
      lastLine = startedAt;
      running = true;
    },
    update: (s) => {
      last = s;
      if (running && now() - lastLine >= everyMs) {
        lastLine = now();
        print(line(s));
      }
    },
    stop: () => {
      if (running && last) print(line(last));
      running = false;
    },
  };
}

/** A cli-progress bar on `stream` (a terminal). */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const multi = new MultiBar(
    {
      stream,
      format: '  {bar} {value}/{total} rows | {rate} rows/s | ETA {etaText} | alerts {alerts}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 200,
      fps: 8,
    },
    Presets.shades_classic,
  );
  let bar: SingleBar | undefined;
  let startedAt = 0;
  return {
    log: (text) => {
      if (bar) multi.log(`${text}\n`);
      else stream.write(`${text}\n`);
    },
    start: (total) => {
      startedAt = Date.now();
      bar = multi.create(total, 0, { rate: '0', alerts: 0, etaText: '…' });
    },
    update: (s) => {
      if (!bar) return;
      const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
      const rate = s.done / seconds;
      if (s.total !== bar.getTotal()) bar.setTotal(s.total);
      bar.update(s.done, { rate: formatRate(rate), alerts: s.alerts, etaText: rate > 0 ? `${Math.ceil(Math.max(0, s.total - s.done) / rate)}s` : '…' });
    },
    stop: () => {
      if (bar) multi.stop();
      bar = undefined;
    },
  };
}
