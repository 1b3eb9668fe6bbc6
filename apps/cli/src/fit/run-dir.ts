import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Observable, Subscription } from 'rxjs';
import type { AnnealEvent, EventOf, TensorNorms } from '@anneal/core';
import { writeFileAtomic } from '@anneal/onnx';

/** The files of a run folder. */
export function runPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'config.json'),
    runtime: join(dir, 'runtime.json'),
    metrics: join(dir, 'metrics.jsonl'),
    checkpoints: join(dir, 'checkpoints'),
    last: join(dir, 'checkpoints', 'last.safetensors'),
    model: join(dir, 'model.onnx'),
    charts: join(dir, 'charts'),
    summary: join(dir, 'summary.json'),
  };
}

/** One line of metrics.jsonl. */
export type MetricsRecord =
  | { kind: 'batch'; epoch: number; batch: number; step: number; loss: number; lr: number; hyperparameters?: Record<string, number>; norms?: Record<string, TensorNorms> }
  | ({ kind: 'epoch' } & Omit<EventOf<'epoch:end'>, 'type'>)
  | ({ kind: 'error' } & Omit<EventOf<'error'>, 'type'>);

/**
 * Keeps metrics.jsonl of a run: one `batch` line per step (with the per-tensor norms on steps
 * that computed them), one `epoch` line per epoch and an `error` line for a non-finite loss. The
 * file is rewritten atomically at every epoch end and right before every checkpoint, so it
 * never lags the checkpoint; on resume the lines from the checkpoint's step on are dropped.
 */
export class MetricsLog {
  private records: MetricsRecord[] = [];
  private subscription: Subscription | undefined;

  constructor(private readonly path: string) {}

  /** Loads the existing log, keeping batch lines before `step` and epoch lines before `epoch`. */
  resumeAt(step: number, epoch: number): void {
    if (!existsSync(this.path)) return;
    const lines = readFileSync(this.path, 'utf8').split('\n').filter(Boolean);
    this.records = lines.map((l) => JSON.parse(l) as MetricsRecord).filter((r) => (r.kind === 'batch' ? r.step < step : r.kind === 'epoch' ? r.epoch < epoch : false));
  }

  attach(events$: Observable<AnnealEvent>): void {
    this.subscription = events$.subscribe((e) => {
      if (e.type === 'batch:end') {
        this.records.push({ kind: 'batch', epoch: e.epoch, batch: e.batch, step: e.step, loss: e.loss, lr: e.lr, ...(Object.keys(e.hyperparameters).length ? { hyperparameters: { ...e.hyperparameters } } : {}), ...(e.norms ? { norms: structuredClone(e.norms) as Record<string, TensorNorms> } : {}) });
      } else if (e.type === 'error') {
        const { type: _type, ...rest } = e;
        this.records.push({ kind: 'error', ...rest });
        this.flush();
      } else if (e.type === 'epoch:end') {
        const { type: _type, ...rest } = e;
        this.records.push({ kind: 'epoch', ...structuredClone(rest) });
        this.flush();
      } else if (e.type === 'checkpoint:start' || e.type === 'run:end') this.flush(); // before the checkpoint, so the log never lags it
    });
  }

  get all(): readonly MetricsRecord[] {
    return this.records;
  }

  flush(): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    writeFileAtomic(this.path, this.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  detach(): void {
    this.subscription?.unsubscribe();
  }
}
