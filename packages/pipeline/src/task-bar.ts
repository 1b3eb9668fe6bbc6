import type { ProgressBar, RunIo } from '@anneal/core';

/** A bar for one long task whose total is known at its first update (feature extraction, decoding): `update(done, total)`, then `stop()`. Silent when `io` draws no bars. */
export function taskBar(io: RunIo, label: string): { update: (done: number, total: number) => void; stop: () => void } {
  let bar: ProgressBar | undefined;
  return {
    update(done, total) {
      bar ??= io.bar?.(label, total, 0);
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
