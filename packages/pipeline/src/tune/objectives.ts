import { existsSync, statSync } from 'node:fs';
import { ofType, type AnnealEvent } from '@anneal/core';
import type { Observable, Subscription } from 'rxjs';
import { isEpochMetric, type Objective } from '../config/tune-config.js';
import { ConfigError } from '../errors.js';

/** What a trial measured besides its epoch metrics, for objectives such as `params` or `step-ms`. */
export interface TrialMeasures {
  /** Trainable parameters of the trial's model. */
  params: number;
  /** Median over epochs of each epoch's batch time / its batches (ms); undefined when no epoch ran. */
  stepMs?: number;
  /** Size of the exported model.onnx (bytes). */
  modelBytes?: number;
}

/** The median of a list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Step time of a run from its batch throughput: each epoch counts from its start to its last
 * batch (validation excluded, as the fit summary's throughput), divided by its batches; `median()`
 * is the median over the epochs (robust to the first epoch's warm-up and to a noisy one).
 */
export function stepTimeClock(events$: Observable<AnnealEvent>): { median(): number | undefined; subscription: Subscription } {
  const perEpoch: number[] = [];
  let start = 0;
  let last = 0;
  let batches = 0;
  const subscription = events$.pipe(ofType('epoch:start', 'batch:end', 'epoch:end')).subscribe((e) => {
    const t = performance.now();
    if (e.type === 'epoch:start') {
      start = last = t;
      batches = 0;
    } else if (e.type === 'batch:end') {
      last = t;
      batches++;
    } else if (batches > 0) perEpoch.push((last - start) / batches);
  });
  return { median: () => median(perEpoch), subscription };
}

/** Bytes of a model file (and of its external data file `<model>.data`, when there is one). */
export function modelBytes(path: string): number {
  return statSync(path).size + (existsSync(`${path}.data`) ? statSync(`${path}.data`).size : 0);
}

/** Total element count of a set of tensors (a model's trainable parameters). */
export function parameterCount(tensors: Readonly<Record<string, { dims: readonly number[] }>>): number {
  return Object.values(tensors).reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
}

/**
 * The value of each objective for a trial: epoch metrics from `epochMetric` (the last epoch's),
 * measured sources from `measures`. Throws ConfigError for a metric the run did not produce.
 */
export function objectiveValues(objectives: readonly Objective[], epochMetric: (metric: string) => number | undefined, measures: TrialMeasures): number[] {
  return objectives.map((o) => {
    const value = isEpochMetric(o.metric) ? epochMetric(o.metric) : o.metric === 'params' ? measures.params : o.metric === 'step-ms' ? measures.stepMs : measures.modelBytes;
    if (value === undefined) {
      if (isEpochMetric(o.metric)) throw new ConfigError(`metric '${o.metric}' was not produced by the run; use val.<metric> or train.<metric> of the config's metrics (e.g. val.accuracy, val.loss)`);
      throw new ConfigError(`objective '${o.metric}' could not be measured (no epoch trained, or no model.onnx written)`);
    }
    return value;
  });
}
