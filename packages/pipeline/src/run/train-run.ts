import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { ofType, type EventOf } from '@anneal/core';
import { engineBackend } from '@anneal/engine';
import { saveModel, writeFileAtomic } from '@anneal/onnx';
import { filter, first, map, scan, switchMap, type Subscription } from 'rxjs';
import { RUN_IO } from '../tokens.js';
import type { ComposedRun } from './compose.js';
import { splitLine } from './run-data.js';
import { runPaths } from './run-paths.js';

type Score = { loss: number; accuracy?: number; count: number };

/** What a fit run returns (and writes to summary.json). */
export interface FitSummary {
  runDir: string;
  epochs: number;
  steps: number;
  stopped: boolean;
  reason?: string;
  test: Score;
  /** With `callbacks.swa`: epochs averaged, and the test scores of the last weights and of the average before the BatchNorm refresh; `test` is the refreshed average's. */
  swa?: { epochs: number; lastWeights: Score; withoutRefresh?: Score };
  /** With `optimizer.ema`: the test score of the last (not averaged) weights; `test` is the average's. */
  testLastWeights?: Score;
  seconds: number;
  /** Training throughput (batch steps only, validation excluded) and the parallel layout it ran with. */
  throughput: { examplesPerSecond: number; trainSeconds: number; batch: number; workers: number; accumulate: number };
  files: { model: string; metrics: string; checkpoint: string; charts: string[] };
}

/**
 * Loads the SWA average into the run (replacing the trained weights) and recomputes the
 * BatchNorm statistics over the training data; scores the last weights and the stale average first.
 */
async function applySwa(run: ComposedRun): Promise<NonNullable<FitSummary['swa']>> {
  const test = () => run.session.evaluate(run.data.test.epochBatches(0), { weights: run.weights });
  const lastWeights = await test();
  await engineBackend(run.session, { evaluateWith: run.weights }).loadWeights(run.swa!.average());
  const hasBatchNorm = Object.keys(await run.session.runningStatistics()).length > 0;
  const withoutRefresh = hasBatchNorm ? await test() : undefined;
  if (hasBatchNorm) await run.session.refreshBatchNorm(run.data.train.epochBatches(0), { weights: run.weights });
  return { epochs: run.swa!.count, lastWeights, withoutRefresh };
}

/**
 * Training time and examples of the batch steps (validation excluded): each epoch counts from
 * its start to its last batch.
 */
function throughputClock(run: ComposedRun): { total: { ms: number; examples: number }; subscription: Subscription } {
  const events$ = run.trainer.events$;
  const total = { ms: 0, examples: 0 };
  const subscription = events$
    .pipe(
      ofType('epoch:start'),
      switchMap(() => {
        const start = performance.now();
        return events$.pipe(
          ofType('batch:end', 'epoch:end'),
          scan((acc, e) => (e.type === 'epoch:end' ? { ...acc, end: e } : { ...acc, last: performance.now() }), { last: start, end: undefined as EventOf<'epoch:end'> | undefined }),
          first((acc) => acc.end !== undefined),
          map((acc) => ({ ms: acc.last - start, examples: Math.min(run.data.sizes.train, acc.end!.train.loss.count * run.config.data.batchSize) })),
        );
      }),
    )
    .subscribe((epoch) => {
      total.ms += epoch.ms;
      total.examples += epoch.examples;
    });
  return { total, subscription };
}

/**
 * Trains a composed run to the end: attaches its loggers, fits (resuming from the run folder's
 * last checkpoint when asked), applies SWA, exports model.onnx, scores the test split, closes the
 * loggers (charts) and writes summary.json. Runs without a folder write nothing.
 */
export async function trainRun(run: ComposedRun): Promise<FitSummary> {
  const started = performance.now();
  const dir = run.options.dir;
  const paths = dir ? runPaths(dir) : undefined;
  const io = run.container.resolve(RUN_IO);
  const resume = run.options.resume && paths && existsSync(paths.last) ? paths.last : undefined;
  const subscriptions = run.loggers.map((l) => l.attach(run.trainer.events$));
  const clock = throughputClock(run);
  subscriptions.push(clock.subscription);
  // a resumed run reuses the thread counts of the original run, so runtime.json is written before the first checkpoint
  // file (on checkpoint:start, synchronously): a kill can never leave a checkpoint without the thread choice it was made with
  if (paths && !run.options.threads) {
    subscriptions.push(
      run.trainer.events$.pipe(ofType('checkpoint:start'), filter(() => run.session.loopThreads !== undefined), first()).subscribe(() => {
        writeFileAtomic(paths.runtime, JSON.stringify({ intraOp: run.session.intraOpThreads, loop: run.session.loopThreads }) + '\n');
      }),
    );
  }
  io.err(`${run.options.label ?? 'anneal fit'}: ${run.config.name}${dir ? ` -> ${dir}` : ''} (${run.data.sizes.train} train examples, ${run.data.train.batchesPerEpoch} batches per epoch${resume ? `, resuming from ${relative('.', resume)}` : ''})\n  data: ${splitLine(run.data, run.config.data.split)}`);
  let ok = false;
  try {
    const result = await run.trainer.fit({ resume, pauseAfterEpochs: run.options.pauseAfterEpochs });
    const swa = run.swa ? await applySwa(run) : undefined;
    if (paths) saveModel(paths.model, run.options.exportModel ? await run.options.exportModel(run) : await run.session.exportInference(run.model, { weights: run.weights }));
    const test = await run.session.evaluate(run.data.test.epochBatches(0), { weights: run.weights });
    // with a weight average, also the last weights' score, to see what averaging gained
    const current = run.weights === 'average' ? await run.session.evaluate(run.data.test.epochBatches(0)) : undefined;
    ok = true;
    for (const s of subscriptions) s.unsubscribe();
    for (const l of run.loggers) await l.close?.({ ok });
    const charts = run.loggers.flatMap((l) => ('written' in l ? (l as { written: readonly string[] }).written : []));
    const { ms, examples } = clock.total;
    const summary: FitSummary = {
      runDir: dir ?? '',
      epochs: result.epochs,
      steps: result.steps,
      stopped: result.stopped,
      reason: result.reason,
      test: { loss: test.loss, accuracy: test.accuracy, count: test.count },
      ...(current ? { testLastWeights: { loss: current.loss, accuracy: current.accuracy, count: current.count } } : {}),
      ...(swa ? { swa } : {}),
      seconds: (performance.now() - started) / 1000,
      throughput: { examplesPerSecond: ms > 0 ? examples / (ms / 1000) : 0, trainSeconds: ms / 1000, batch: run.config.data.batchSize, ...run.session.parallelism },
      files: { model: paths?.model ?? '', metrics: paths?.metrics ?? '', checkpoint: paths?.last ?? '', charts },
    };
    if (paths) writeFileAtomic(paths.summary, JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } finally {
    if (!ok) {
      for (const s of subscriptions) s.unsubscribe();
      for (const l of run.loggers) await l.close?.({ ok });
    }
    await run.session.release();
  }
}
