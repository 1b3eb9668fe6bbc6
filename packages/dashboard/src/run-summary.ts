import { batchRecords, epochRecords, errorRecords, finite } from './run-records.js';
import type { RunSnapshot } from './run-reader.js';

/** How a run stands: `finished` (summary.json written), `diverged` (an error line), `running` (written to lately), `stopped`, `starting` (no epoch yet). */
export type RunStatus = 'finished' | 'diverged' | 'running' | 'stopped' | 'starting';

/** A run as the list shows it. */
export interface RunListing {
  path: string;
  name: string;
  status: RunStatus;
  /** Epoch lines recorded so far. */
  epochs: number;
  /** The last epoch line's `epoch` field, as the file writes it. */
  lastEpoch?: number;
  /** config.json's train.epochs. */
  plannedEpochs?: number;
  steps: number;
  trainLoss?: number;
  valLoss?: number;
  trainAccuracy?: number;
  valAccuracy?: number;
  updatedAt: number;
  /** The study folder this run is a trial of (`<study>/trials/<n>`). */
  study?: string;
  error?: string;
}

/** A run still being written to within this many milliseconds counts as running. */
export const RUNNING_WITHIN_MS = 10 * 60_000;

/** The list entry of a run snapshot; `updatedAt` is the newest mtime of its files. */
export function summarizeRun(run: RunSnapshot, updatedAt: number, now = Date.now()): RunListing {
  const epochs = epochRecords(run.records);
  const batches = batchRecords(run.records);
  const last = epochs.at(-1);
  const planned = finite((run.config?.train as { epochs?: unknown } | undefined)?.epochs);
  const status: RunStatus = errorRecords(run.records).length
    ? 'diverged'
    : run.summary
      ? 'finished'
      : now - updatedAt > RUNNING_WITHIN_MS
        ? 'stopped'
        : epochs.length
          ? 'running'
          : 'starting';
  const study = /^(.*)\/trials\/[^/]+$/.exec(run.rel)?.[1];
  return {
    path: run.rel,
    name: run.name,
    status,
    epochs: epochs.length,
    ...(last ? { lastEpoch: last.epoch } : {}),
    ...(planned !== undefined ? { plannedEpochs: planned } : {}),
    steps: batches.length,
    ...(last ? { trainLoss: finite(last.train.loss.mean), valLoss: finite(last.val?.loss.mean), trainAccuracy: finite(last.train.metrics.accuracy), valAccuracy: finite(last.val?.metrics.accuracy) } : {}),
    updatedAt,
    ...(study !== undefined ? { study } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
}
