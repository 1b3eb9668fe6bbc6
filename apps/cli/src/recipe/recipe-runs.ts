import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { trainerRunner, type FitRunner, type ProbeTarget } from '@anneal/diagnostics';
import { writeFileAtomic } from '@anneal/onnx';
import { createContainer } from '../container';
import { composeRun } from '../fit/compose';
import type { FitConfig } from '../fit/config-schema';
import type { RunData } from '../fit/build-data';
import { pluginPackages, registerSchedulerPlugins } from '../fit/plugins';
import { MetricsLog, runPaths } from '../fit/run-dir';
import { requestConfig } from './request-config';

/** A container with the config's scheduler plugins registered. */
async function container(config: FitConfig) {
  const c = createContainer();
  await registerSchedulerPlugins(c, pluginPackages(config));
  return c;
}

/**
 * The probing steps' target for a fit config: fresh train sessions composed exactly as
 * `anneal fit` would (same model, initial weights, loss, optimizer, groups, BatchNorm mode) with
 * the probe's weight decay, over data loaded once.
 */
export function fitProbeTarget(config: FitConfig, data: RunData, threads: FitConfig['train']['threads']): ProbeTarget {
  return {
    loss: { kind: 'cross-entropy', classes: data.classes },
    trainBatches: (epoch) => data.train.epochBatches(epoch),
    async session({ weightDecay }) {
      const probe = { ...config, optimizer: { ...config.optimizer, weightDecay }, schedules: [], callbacks: {}, train: { ...config.train, threads } };
      const run = await composeRun(await container(probe), probe, { checkpointDir: join('runs', '.unused'), data });
      return run.session;
    },
  };
}

/**
 * The recipe's full runs: each a run folder `<dir>/runs/<label>` (config.json, metrics.jsonl,
 * summary.json) that `anneal doctor` can read, trained by the Trainer as `anneal fit` composes it.
 */
export function fitRunner(config: FitConfig, data: RunData, dir: string, threads: FitConfig['train']['threads']): FitRunner {
  return trainerRunner(async (request) => {
    const runConfig = requestConfig(config, request, { batchesPerEpoch: data.train.batchesPerEpoch, threads });
    const paths = runPaths(join(dir, 'runs', request.label));
    mkdirSync(paths.dir, { recursive: true });
    writeFileAtomic(paths.config, JSON.stringify({ ...runConfig, name: request.label }, null, 2) + '\n');
    const run = await composeRun(await container(runConfig), runConfig, { checkpointDir: paths.checkpoints, data, extraCallbacks: [...(request.callbacks ?? [])] });
    const log = new MetricsLog(paths.metrics);
    log.attach(run.trainer.events$);
    let test: { loss: number; accuracy?: number; count: number } | undefined;
    return {
      trainer: run.trainer,
      classes: data.classes,
      async test() {
        test = await run.session.evaluate(data.test.epochBatches(0), { weights: run.weights });
        return test;
      },
      async release() {
        log.flush();
        log.detach();
        writeFileAtomic(paths.summary, JSON.stringify({ runDir: paths.dir, label: request.label, lr: request.lr, weightDecay: request.weightDecay, epochs: request.epochs, lrSchedule: request.lrSchedule, capacity: request.capacity ?? 1, test }, null, 2) + '\n');
        await run.session.release();
      },
    };
  });
}
