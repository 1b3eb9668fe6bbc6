import { existsSync, readFileSync } from 'node:fs';
import { ofType, type AnnealEvent, type Logger } from '@anneal/core';
import { writeFileAtomic } from '@anneal/onnx';
import { map, share, type Observable, type Subscription } from 'rxjs';
import { ConfigError } from '../errors.js';
import { parseRecords, scanRecords, toRecord, type MetricsRecord } from './metrics-record.js';

/**
 * Keeps metrics.jsonl of a run: one `batch` line per step (with the per-tensor norms on steps
 * that computed them), one `epoch` line per epoch and an `error` line for a non-finite loss. The
 * file is rewritten atomically at every epoch end, right before every
 * checkpoint and at the run's end, so it never lags the checkpoint; a resumed run keeps the
 * lines before its checkpoint and drops the rest.
 *
 * @example
 * const log = metricsJsonl('runs/a/metrics.jsonl'); log.attach(trainer.events$); // ... log.records
 */
export function metricsJsonl(path: string, options: { onWarning?: (message: string) => void } = {}): Logger & { readonly records: readonly MetricsRecord[] } {
  let records: MetricsRecord[] = [];
  const flush = () => {
    writeFileAtomic(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  };
  return {
    get records() {
      return records;
    },
    attach(events$: Observable<AnnealEvent>): Subscription {
      const shared$ = events$.pipe(share());
      const lines$ = shared$.pipe(ofType('batch:end', 'epoch:end', 'error'), map(toRecord));
      // written when an epoch ends, an error is recorded, a checkpoint is about to be written, or the run ends
      const flushes$ = shared$.pipe(ofType('epoch:end', 'error', 'checkpoint:start', 'run:end'));
      const subscription = shared$.pipe(ofType('run:start')).subscribe((e) => {
        if (!e.resumed || !existsSync(path)) return;
        // damaged lines (a torn or edited line) must not block a resume: the valid lines before the checkpoint are kept
        const { records: valid, damaged } = scanRecords(readFileSync(path, 'utf8'));
        records = valid.filter((r) => (r.kind === 'batch' ? r.step < e.step : r.kind === 'epoch' ? r.epoch < e.startEpoch : false));
        if (damaged.length) options.onWarning?.(`${path}: dropped ${damaged.length} damaged line(s) (${damaged.slice(0, 3).map((d) => `line ${d.line}: ${d.reason}`).join('; ')}); the resumed run keeps the ${records.length} valid lines before its checkpoint`);
      });
      // lines first, then flushes: an epoch's own line is in the file its end writes
      subscription.add(lines$.subscribe((r) => records.push(r)));
      subscription.add(flushes$.subscribe(flush));
      return subscription;
    },
    close() {
      flush();
    },
  };
}

/** Reads a run's metrics.jsonl, naming the file and line of a damaged line. */
export function readMetrics(path: string): MetricsRecord[] {
  if (!existsSync(path)) throw new ConfigError(`${path}: no such file; give a run folder written by anneal fit, finetune, tune or recipe`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseRecords(text, path);
}
