// Large-batch training on MNIST (Goyal et al. 2017 at small scale): a batch-16 baseline against
// batch 256 with (a) the unscaled lr, (b) the linear scaling rule, (c) the rule with gradual
// warmup, (d1) LARS and (d2) LAMB; two warmup studies (batch 512; a higher base lr); the sweep
// that set (d); and the throughput of the data-parallel layouts. Every run goes through
// @anneal/pipeline (what `anneal fit` runs) with the YAML configs in configs/.
//
//   npx tsx examples/large-batch/experiment.ts [--seeds 0,1,2] [--quick] [--out runs/large-batch]
//       [--results examples/large-batch] [--only b,c] [--no-sweep] [--no-layouts] [--no-bench]
//
// --quick: seed 0, the issue's six variants only, no sweep, layouts or benchmark; results go to
// <out>/results (not over the committed ones) unless --results is given.
// Writes <results>/results.md, results.json and charts/{main,warmup}.{svg,png}; runs go to <out>.
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentIo } from '@anneal/core';
import { writeFileAtomic } from '@anneal/onnx';
import { createPipeline, type FitConfig, validateFitConfig } from '@anneal/pipeline';
import { writeCharts } from './charts.js';
import { renderResults, type ExperimentResults } from './report.js';
import { runVariant, sharedParts, type RunResult } from './run-variant.js';
import { summarize } from './summary.js';
import { variantTable } from './tables.js';
import { measureLayouts, runParallelBench } from './throughput.js';
import { checkSameSplit, LargeBatchExampleError, SWEEP, unavailable, VARIANTS, variantConfig, withSeed } from './variants.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const quick = flag('quick');
const out = option('out', 'runs/large-batch');
const seeds = option('seeds', quick ? '0' : '0,1,2')
  .split(',')
  .map((s) => Number(s.trim()));
if (seeds.some((s) => !Number.isInteger(s))) throw new LargeBatchExampleError(`--seeds ${option('seeds', '')}: give integers separated by commas, e.g. --seeds 0,1,2`);
const only = option('only', '').split(',').filter(Boolean);
const settings = {
  seeds,
  quick,
  sweep: !quick && !flag('no-sweep'),
  layouts: !quick && !flag('no-layouts'),
  bench: !quick && !flag('no-bench'),
  results: option('results', quick ? join(out, 'results') : relative(process.cwd(), here) || '.'),
};
const variants = VARIANTS.filter((v) => (only.length ? only.includes(v.id) : !quick || v.study === 'main'));
if (!variants.length) throw new LargeBatchExampleError(`--only ${only.join(',')}: no such variant; known: ${VARIANTS.map((v) => v.id).join(', ')}`);
const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = performance.now();
  const loadAverageAtStart = loadavg();
  const pipeline = await createPipeline({ io: silentIo });
  const configs = new Map<string, FitConfig>();
  const skipped = new Map<string, string>();
  for (const v of variants) {
    const config = variantConfig(v.file);
    configs.set(v.id, config);
    const why = unavailable(pipeline, config, v.file);
    if (why) skipped.set(v.id, why);
  }
  checkSameSplit([...configs].map(([id, config]) => ({ file: variants.find((v) => v.id === id)!.file, config })));
  const shared = await sharedParts(pipeline, configs.values().next().value!);
  const data = { train: shared.parts.train.x.dims[0]!, test: shared.parts.test.x.dims[0]! };
  log(`large-batch experiment: ${variants.length} variants x seeds ${seeds.join(', ')}; MNIST ${data.train} train / ${data.test} test; runs in ${out}`);

  const runs: RunResult[] = [];
  const done = new Map<string, RunResult>(); // the studies share the batch-16 baseline: run it once per seed
  for (const v of variants) {
    if (skipped.has(v.id)) {
      log(`- ${v.id}: skipped (${skipped.get(v.id)})`);
      continue;
    }
    for (const seed of seeds) {
      const config = withSeed(configs.get(v.id)!, seed, `configs/${v.file} (seed ${seed})`);
      const key = `${v.file}#${seed}`;
      const earlier = done.get(key);
      const r = earlier ? { ...earlier, id: v.id } : await runVariant(pipeline, v.id, config, join(out, `${v.id}-s${seed}`), shared);
      done.set(key, r);
      runs.push(r);
      log(`- ${v.id} seed ${seed}: ${r.diverged ? `diverged: ${r.diverged}` : `test accuracy ${(r.accuracy * 100).toFixed(2)}%`}, ${r.steps} updates, ${Math.round(r.examplesPerSecond)} examples/s${earlier ? ' (same run as ' + earlier.id + ')' : `, ${r.seconds.toFixed(1)} s`}`);
    }
  }
  const summary = summarize(variants, configs, runs, skipped);
  log('');
  log(variantTable(summary, 'main'));
  log('');

  let sweep: ExperimentResults['sweep'];
  if (settings.sweep) {
    log('sweep for (d1) and (d2), seed 0:');
    sweep = [];
    for (const p of SWEEP) {
      const config = validateFitConfig(p.apply(withSeed(variantConfig(p.file), 0, `configs/${p.file}`)), `configs/${p.file} (sweep: ${p.setting})`);
      const why = unavailable(pipeline, config, p.file);
      if (why) {
        sweep.push({ label: p.label, setting: p.setting, skipped: why });
        continue;
      }
      const r = await runVariant(pipeline, p.id, config, join(out, 'sweep', p.id), shared);
      sweep.push({ label: p.label, setting: p.setting, run: { ...r, lrTrace: [] } });
      log(`  ${p.label} ${p.setting}: ${r.diverged ? 'diverged' : `${(r.accuracy * 100).toFixed(2)}%`}`);
    }
  }

  let layouts: ExperimentResults['layouts'];
  if (settings.layouts) {
    log('throughput of (c) in three layouts:');
    const l = { epochs: 4, rounds: 3 };
    const results = await measureLayouts(pipeline, withSeed(variantConfig('c-warmup.yaml'), 0, 'configs/c-warmup.yaml'), { ...l, out: join(out, 'layouts'), shared, log });
    layouts = { ...l, variant: '(c)', results };
  }

  let bench: ExperimentResults['bench'];
  if (settings.bench) {
    log('tools/bench parallel (about 2 minutes):');
    bench = runParallelBench(root, 3);
    log(bench.output);
  }

  const chartsDir = join(settings.results, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const charts = await writeCharts(chartsDir, summary, seeds.length);
  const results: ExperimentResults = {
    generatedBy: `npx tsx examples/large-batch/experiment.ts${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`,
    settings: { seeds, quick, sweep: settings.sweep, layouts: settings.layouts, bench: settings.bench },
    data,
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart },
    seconds: (performance.now() - started) / 1000,
    summary,
    runs: runs.map((r) => ({ ...r, lrTrace: [] })),
    sweep,
    layouts,
    bench,
    charts: { main: relative(settings.results, charts.main.png), warmup: charts.warmup && relative(settings.results, charts.warmup.png) },
  };
  writeFileAtomic(join(settings.results, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileAtomic(join(settings.results, 'results.md'), renderResults(results));
  log(`done in ${results.seconds.toFixed(0)} s: ${join(settings.results, 'results.md')}, results.json, ${charts.main.png}${charts.warmup ? `, ${charts.warmup.png}` : ''}`);
}

await main();
