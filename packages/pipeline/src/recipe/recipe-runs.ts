import { join } from 'node:path';
import { trainerRunner, type FitRunner, type ProbeTarget } from '@anneal/diagnostics';
import { silentIo } from '@anneal/core';
import { ensureDir, writeFileAtomic } from '@anneal/onnx';
import type { FitConfig } from '../config/fit-config.js';
import type { Pipeline } from '../pipeline.js';
import { composeRun, createRunContainer } from '../run/compose.js';
import type { RunData } from '../run/run-data.js';
import { runPaths } from '../run/run-paths.js';
import { requestConfig } from './request-config.js';

/**
 * The probing steps' target for a fit config: fresh train sessions composed exactly as
 * `anneal fit` would (same model, initial weights, loss, optimizer, groups, BatchNorm mode) with
 * the probe's weight decay, over data loaded once.
 */
export function fitProbeTarget(pipeline: Pipeline, config: FitConfig, data: RunData, threads: FitConfig['train']['threads']): ProbeTarget {
  return {
    loss: { kind: 'cross-entropy', classes: data.classes },
    trainBatches: (epoch) => data.train.epochBatches(epoch),
    async session({ weightDecay }) {
      const probe: FitConfig = { ...config, optimizer: { ...config.optimizer, weightDecay }, schedules: [], callbacks: [], loggers: [], train: { ...config.train, threads } };
      const run = await composeRun(await createRunContainer(pipeline.container, probe, { provide: { data }, io: silentIo, baseDir: pipeline.baseDir }));
      return run.session;
    },
  };
}

/**
 * The recipe's full runs: each a run folder `<dir>/runs/<label>` (config.json, metrics.jsonl,
 * summary.json) that `anneal doctor` can read, trained by the Trainer as `anneal fit` composes it.
 */
export function fitRunner(pipeline: Pipeline, config: FitConfig, data: RunData, dir: string, threads: FitConfig['train']['threads']): FitRunner {
  return trainerRunner(async (request) => {
    const runConfig = requestConfig(config, request, { batchesPerEpoch: data.train.batchesPerEpoch, threads });
    const paths = runPaths(join(dir, 'runs', request.label));
    ensureDir(paths.dir);
    writeFileAtomic(paths.config, JSON.stringify({ ...runConfig, name: request.label }, null, 2) + '\n');
    // a normal run folder (metrics.jsonl through the run's own logger; no progress lines)
    const run = await composeRun(await createRunContainer(pipeline.container, runConfig, { dir: paths.dir, provide: { data }, callbacks: [...(request.callbacks ?? [])], io: silentIo, baseDir: pipeline.baseDir }));
    const subscriptions = run.loggers.map((l) => l.attach(run.trainer.events$));
    let test: { loss: number; accuracy?: number; count: number } | undefined;
    return {
      trainer: run.trainer,
      classes: data.classes,
      async test() {
        test = await run.session.evaluate(data.test.epochBatches(0), { weights: run.weights });
        return test;
      },
      async release() {
        for (const s of subscriptions) s.unsubscribe();
        for (const l of run.loggers) await l.close?.({ ok: true });
        writeFileAtomic(paths.summary, JSON.stringify({ runDir: paths.dir, label: request.label, lr: request.lr, weightDecay: request.weightDecay, epochs: request.epochs, lrSchedule: request.lrSchedule, capacity: request.capacity ?? 1, test }, null, 2) + '\n');
        await run.session.release();
      },
    };
  });
}
