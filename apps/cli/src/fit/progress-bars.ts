import cliProgress from 'cli-progress';
import type { ProgressSink } from '@anneal/core';

/** Progress bars on stderr (cli-progress), one per epoch, with the summary line printed under it. */
export function progressBars(print: (line: string) => void): ProgressSink {
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(label, total, done) {
      bar?.stop();
      bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} batches | loss {loss} | lr {lr} | {duration_formatted}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
      bar.start(total, done, { loss: '-', lr: '-' });
    },
    update(done, fields) {
      bar?.update(done, { loss: fields.loss.toFixed(4), lr: fields.lr.toExponential(2) });
    },
    stop(summary) {
      bar?.stop();
      bar = undefined;
      print(summary);
    },
  };
}

/** Without a terminal: only the per-epoch summary lines. */
export function summaryLines(print: (line: string) => void): ProgressSink {
  return { start: () => {}, update: () => {}, stop: (summary) => print(summary) };
}

/** A bar for one long task (feature extraction, image decoding): `update(done, total)`, then `stop()`. Silent without a terminal. */
export function taskBar(label: string, enabled: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  if (!enabled) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (!bar) {
        bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} | {eta_formatted} left`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
