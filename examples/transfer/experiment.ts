// Transfer learning on MNIST with Anneal: pre-train a small CNN on digits 0-4, export it, then
// learn digits 5-9 from 10, 50 and 500 images per class from scratch, with frozen features and a
// new head, and by full fine-tuning; plus a linear probe on the PaddleOCR classifier's features.
//
//   npx tsx examples/transfer/experiment.ts [--out runs/transfer] [--results examples/transfer]
//                                           [--sizes 10,50,500] [--seeds 0,1,2] [--no-probe]
//
// Writes <results>/results.md, results.json and charts/accuracy-vs-examples.{svg,png}; the
// pre-trained model and the feature cache go to <out> (not committed).
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFeatures, loadBackbone, TransferError } from '@anneal/transfer';
import { writeFileAtomic } from '@anneal/onnx';
import { fewShot, transferData } from './data.js';
import { featuresAndHead, fineTune, fromScratch, HYPERPARAMETERS, METHODS, type MethodRun } from './methods.js';
import { ocrProbe, type ProbeResult } from './ocr-probe.js';
import { pretrain, CNN, PRETRAIN } from './pretrain.js';
import { renderResults } from './report.js';
import { accuracyTable, summarize, writeAccuracyChart } from './results.js';
import { budgetFor } from './train.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const numbers = (s: string) => s.split(',').map((v) => Number(v.trim()));

const here = dirname(fileURLToPath(import.meta.url));
const settings = {
  out: option('out', 'runs/transfer'),
  results: option('results', relative(process.cwd(), here) || '.'),
  sizes: numbers(option('sizes', '10,50,500')),
  seeds: numbers(option('seeds', '0,1,2')),
  probe: !process.argv.includes('--no-probe'),
  split: { seed: 0, testPerClass: 300 },
};
const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(settings.out, { recursive: true });
  const data = transferData(settings.split);
  const rows = (d: { x: { dims: number[] } }) => d.x.dims[0]!;
  log(`data: pre-train digits 0-4 ${rows(data.pretrainTrain)} train / ${rows(data.pretrainVal)} held out; digits 5-9 (as 0-4) ${rows(data.test)} test / ${rows(data.pool)} pool`);

  log('1. pre-training the CNN on digits 0-4');
  const pre = await pretrain(data, settings.out, log);
  const bb = pre.backbone;
  log(`  held-out accuracy ${(pre.finalValAccuracy * 100).toFixed(2)}% after ${pre.steps} steps (${pre.seconds.toFixed(1)} s); exported ${pre.file}`);
  log(`  loadBackbone cut at '${bb.cutAt}' (${bb.featureDim}-d, pool ${bb.pool}); candidates: ${bb.candidates.slice(0, 4).map((c) => `${c.name} [${c.dims?.join(', ') ?? '?'}]`).join(', ')}`);

  log('2. features of the pool and the test set from the frozen backbone, at two cuts');
  const next = bb.candidates.find((c) => c.name !== bb.cutAt);
  if (!next) throw new TransferError('NO_FEATURE', `${pre.file}: only one candidate feature tensor (${bb.cutAt}); expected the flattened conv output too (check the CNN recipe in pretrain.ts)`);
  const cuts = [
    { method: 'features + head' as const, backbone: bb },
    { method: 'conv features + head' as const, backbone: loadBackbone(pre.file, { at: next.name }) },
  ];
  const cache = join(settings.out, 'features');
  const features = [];
  for (const cut of cuts) {
    const pool = await extractFeatures(cut.backbone, data.pool, { cache, threads: 2 });
    const test = await extractFeatures(cut.backbone, data.test, { cache, threads: 2 });
    for (const [name, f] of [['pool', pool], ['test', test]] as const) {
      log(`  ${cut.method} ('${cut.backbone.cutAt}') ${name}: ${f.dataset.x.dims.join(' x ')}${f.fromCache ? ` from the cache (${f.path})` : ` in ${f.seconds.toFixed(2)} s (${f.examplesPerSecond.toFixed(0)} images/s)`}`);
    }
    features.push({ ...cut, pool, test });
  }

  log('3. learning digits 5-9');
  const runs: MethodRun[] = [];
  for (const n of settings.sizes) {
    for (const seed of settings.seeds) {
      const train = fewShot(data.pool, n, seed);
      const budget = budgetFor(rows(train));
      const inputs = { train, test: data.test, perClass: n, seed, budget };
      const results = [await fromScratch(inputs)];
      // samplePerClass looks only at labels and the seed, so on the pool's features it picks the same rows as on its images
      for (const f of features) results.push(await featuresAndHead(inputs, { train: fewShot(f.pool.dataset, n, seed), test: f.test.dataset }, f.method));
      results.push(await fineTune(inputs, bb));
      runs.push(...results);
      log(`  n=${n}/class seed ${seed} (${budget.epochs} epochs, ${budget.steps} steps, batch ${budget.batchSize}): ${results.map((r) => `${r.method} ${(r.accuracy * 100).toFixed(1)}% (${r.seconds.toFixed(1)} s)`).join(', ')}`);
    }
  }
  const summary = summarize(runs);
  log('');
  log(accuracyTable(summary));
  log('');

  let probe: ProbeResult | undefined;
  if (settings.probe) {
    log('4. linear probe on the PaddleOCR classifier (all ten digits)');
    probe = await ocrProbe(settings.out, log);
  }

  const seconds = (performance.now() - started) / 1000;
  const chartsDir = join(settings.results, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const chart = await writeAccuracyChart(chartsDir, summary);
  const results = {
    generatedBy: 'npx tsx examples/transfer/experiment.ts',
    settings: { ...settings, cnn: CNN, pretrain: PRETRAIN, hyperparameters: HYPERPARAMETERS, methods: METHODS },
    data: { pretrainTrain: rows(data.pretrainTrain), pretrainVal: rows(data.pretrainVal), test: rows(data.test), pool: rows(data.pool) },
    pretrain: { valAccuracyPerEpoch: pre.valAccuracy, valAccuracy: pre.finalValAccuracy, steps: pre.steps, seconds: pre.seconds },
    backbone: { file: pre.file, cutAt: bb.cutAt, feature: bb.feature, featureDim: bb.featureDim, pool: bb.pool, candidates: bb.candidates.slice(0, 5).map((c) => ({ name: c.name, dims: c.dims })) },
    features: features.map((f) => ({
      method: f.method,
      cutAt: f.backbone.cutAt,
      dim: f.pool.dataset.x.dims[1]!,
      pool: { fromCache: f.pool.fromCache, seconds: f.pool.seconds, imagesPerSecond: f.pool.examplesPerSecond },
      test: { fromCache: f.test.fromCache, seconds: f.test.seconds, imagesPerSecond: f.test.examplesPerSecond },
    })),
    summary,
    runs,
    probe: probe && { ...probe, model: relative(process.cwd(), probe.model) },
    seconds,
    machine: { cpus: cpus().length, node: process.version },
  };
  writeFileAtomic(join(settings.results, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileAtomic(join(settings.results, 'results.md'), renderResults(results, summary, runs, relative(settings.results, chart.png)));
  log(`done in ${seconds.toFixed(0)} s: ${join(settings.results, 'results.md')}, results.json, ${chart.svg}, ${chart.png}`);
}

await main();
