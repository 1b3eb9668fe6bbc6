// Test helper (not shipped): trains a real run or study in a separate process, as `anneal fit`
// and `anneal tune` would, so a spec can watch the dashboard follow it live. Started by
// trainInBackground with `node --conditions=@anneal/source --import tsx`, argv = [this file, JSON job].
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the child process trains: a fit config into `dir`, or a tune config into study folder `dir`. */
export interface TrainJob {
  kind: 'fit' | 'tune';
  config: Record<string, unknown>;
  dir: string;
  /** A fit pauses this long after each epoch (a callback of the run), so a page can see every epoch arrive however fast the machine trains. */
  epochPauseMs?: number;
}

/** A training process started by {@link trainInBackground}. */
export interface TrainingProcess {
  child: ChildProcess;
  /** Resolves with the exit code when the process ends. */
  done: Promise<number | null>;
  output: () => string;
}

/** Starts `job` in a new Node process (TypeScript sources through tsx) and returns at once. */
export function trainInBackground(job: TrainJob): TrainingProcess {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--conditions=@anneal/source', '--import', 'tsx', self, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve(code))), output: () => output };
}

async function run(job: TrainJob): Promise<void> {
  const { createPipeline } = await import('@anneal/pipeline');
  const { defineCallback } = await import('@anneal/core');
  const { z } = await import('zod');
  const pause = job.epochPauseMs ?? 0;
  const epochPause = defineCallback({
    id: 'test-epoch-pause',
    description: 'waits after each epoch (dashboard specs)',
    options: z.strictObject({}),
    create: () => ({ key: 'test-epoch-pause', onEpochEnd: () => new Promise<void>((r) => setTimeout(r, pause)) }),
  });
  const pipeline = await createPipeline({ plugins: [epochPause] });
  const config = pause && job.kind === 'fit' ? { ...job.config, callbacks: [...((job.config.callbacks as unknown[]) ?? []), { type: 'test-epoch-pause' }] } : job.config;
  if (job.kind === 'fit') await pipeline.fit(config as never, { dir: job.dir });
  else await pipeline.tune(job.config, { out: job.dir });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run(JSON.parse(process.argv[2]!) as TrainJob);
}
