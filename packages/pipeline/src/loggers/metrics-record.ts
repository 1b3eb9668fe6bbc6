import type { AnnealEvent, EventOf, TensorNorms } from '@anneal/core';

/** One line of metrics.jsonl. */
export type MetricsRecord =
  | { kind: 'batch'; epoch: number; batch: number; step: number; loss: number; lr: number; hyperparameters?: Record<string, number>; norms?: Record<string, TensorNorms> }
  | ({ kind: 'epoch' } & Omit<EventOf<'epoch:end'>, 'type'>)
  | ({ kind: 'error' } & Omit<EventOf<'error'>, 'type'>);

/** The metrics.jsonl line of an event (`batch:end`, `epoch:end`, `error`). */
export function toRecord(e: EventOf<'batch:end' | 'epoch:end' | 'error'>): MetricsRecord {
  if (e.type === 'batch:end') {
    return { kind: 'batch', epoch: e.epoch, batch: e.batch, step: e.step, loss: e.loss, lr: e.lr, ...(Object.keys(e.hyperparameters).length ? { hyperparameters: { ...e.hyperparameters } } : {}), ...(e.norms ? { norms: structuredClone(e.norms) as Record<string, TensorNorms> } : {}) };
  }
  const { type, ...rest } = structuredClone(e) as AnnealEvent & { type: string };
  return { kind: type === 'error' ? 'error' : 'epoch', ...rest } as MetricsRecord;
}

/** The records of a metrics.jsonl text (blank lines skipped); `where` names the file in errors. */
export function parseRecords(text: string, where: string): MetricsRecord[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim())
    .map(({ line, i }) => {
      try {
        return JSON.parse(line) as MetricsRecord;
      } catch {
        throw new Error(`${where}:${i + 1}: not a JSON line; the file is damaged (was it edited?)`);
      }
    });
}
