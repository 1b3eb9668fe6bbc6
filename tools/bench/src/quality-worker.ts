// A worker process of `npm run bench search-quality`: receives jobs {sampler, fn, seed, budgets}
// over IPC, runs the sampler on the function for max(budgets) trials, and sends back the best
// value after each budget and the seconds it took.
import { runSamplerLoop } from '@anneal/search';
import { QUALITY_FUNCTIONS } from './quality-functions.js';
import { ANNEAL_SAMPLERS } from './quality-samplers.js';

interface Job {
  readonly id: number;
  readonly sampler: string;
  readonly fn: string;
  readonly seed: number;
  readonly budgets: readonly number[];
}

process.on('message', (job: Job) => {
  const fn = QUALITY_FUNCTIONS.find((f) => f.name === job.fn)!;
  const make = ANNEAL_SAMPLERS[job.sampler]!;
  const started = performance.now();
  const trials = runSamplerLoop(make(job.seed), fn.space, Math.max(...job.budgets), 'minimize', { value: fn.f });
  const values = trials.map((t) => t.value ?? Infinity);
  const best = job.budgets.map((b) => Math.min(...values.slice(0, b)));
  process.send!({ id: job.id, best, seconds: (performance.now() - started) / 1000 });
});
