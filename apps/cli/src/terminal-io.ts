import cliProgress from 'cli-progress';
import type { ProgressBar, RunIo } from '@anneal/core';

/** Where the CLI prints: results to `out`, diagnostics to `err`. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * The RunIo of a command: lines to the CLI's out/err and, when `progress` is on and stderr is a
 * terminal, progress bars drawn by cli-progress (cleared when done, so only summary lines stay).
 */
export function terminalIo(io: CliIo, progress: boolean): RunIo {
  const bars = progress && process.stderr.isTTY === true;
  return {
    out: io.out,
    err: io.err,
    ...(bars
      ? {
          bar(label: string, total: number, done = 0): ProgressBar {
            const fields = new Set<string>();
            let bar: cliProgress.SingleBar | undefined = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} {fields}| {duration_formatted}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
            bar.start(total, done, { fields: '' });
            return {
              update(value, extra = {}) {
                for (const k of Object.keys(extra)) fields.add(k);
                bar?.update(value, { fields: [...fields].map((k) => `${k} ${extra[k] ?? '-'} `).join('') });
              },
              stop() {
                bar?.stop();
                bar = undefined;
              },
            };
          },
        }
      : {}),
  };
}
