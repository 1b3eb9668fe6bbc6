/** A progress bar a front end draws (the CLI with cli-progress); `update` on a stopped bar does nothing. */
export interface ProgressBar {
  /** Moves the bar to `done` of its total; `fields` are short labelled values shown beside it (loss, lr). */
  update(done: number, fields?: Readonly<Record<string, string>>): void;
  stop(): void;
}

/**
 * Where a run reports to humans: result lines to `out`, diagnostics and progress to `err`, and
 * progress bars when the front end can draw them (a terminal). User code passes its own (or
 * {@link silentIo}); loggers and long tasks only ever print through it.
 *
 * @example
 * const io: RunIo = { out: console.log, err: console.error };
 */
export interface RunIo {
  out(line: string): void;
  err(line: string): void;
  /** A new bar with `total` steps starting at `done`; absent when nothing can be drawn (no terminal). */
  bar?(label: string, total: number, done?: number): ProgressBar;
}

/** A {@link RunIo} that prints nothing. */
export const silentIo: RunIo = { out: () => {}, err: () => {} };

/** A bar from `io`, or one that does nothing when `io` cannot draw. */
export function progressBar(io: RunIo, label: string, total: number, done = 0): ProgressBar {
  return io.bar?.(label, total, done) ?? { update: () => {}, stop: () => {} };
}
