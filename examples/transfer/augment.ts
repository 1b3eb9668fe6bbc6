// Augmentation on/off on an image-folder fine-tune: MNIST digits rendered to PNG text lines
// (48x192, the digit on the left, as the PaddleOCR classifier reads them) in one folder per class,
// then `anneal finetune` (LP-FT of the PaddleOCR text-direction classifier, a pre-trained
// MobileNetV3) from few images per class, with and without data.augment, over seeds. Also measures
// the augmentation loader alone (images/s with 1 and 2 worker threads) against what the training
// step consumes, and prints one table (written to <out>/results.json and <out>/results.md).
// Usage: node --import ./tools/setup/source-mode.mjs examples/transfer/augment.ts [--out .anneal/augment] [--seeds 3] [--per-class 20] [--epochs 30] [--workers 1,2]
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { loadMnist } from '@anneal/data';
import { createPipeline, type FinetuneSummary } from '@anneal/pipeline';
import { ocrModels } from '@anneal/testing';
import { AugmentedImages, type AugmentOptions, type ImagePreprocess } from '@anneal/transfer';

const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The model's input: gray text lines, inverted (dark digit on white, like printed text), in [-1, 1]. */
export const PREPROCESS: ImagePreprocess = { size: [48, 192], channels: 3, invert: true, mean: [0.5], std: [0.5] };

/**
 * The augmentation of the `on` runs. No flip (digits are not mirror-symmetric); a mild crop that
 * keeps the line's 4:1 shape (the digit moves and scales by up to ~10%), a small rotation (the
 * line turns about its centre, so the digit on the left also moves up or down a few pixels) and
 * brightness/contrast jitter.
 */
export const AUGMENT: AugmentOptions = { crop: { scale: [0.8, 1], ratio: [3.6, 4.4] }, rotate: 5, jitter: { brightness: 0.3, contrast: 0.3 } };

/** Renders `perDigit` MNIST digits per class as 48x192 gray PNG text lines under `<dir>/<name>/`. */
export async function renderDigits(dir: string, perDigit: number): Promise<string> {
  if (existsSync(join(dir, 'nine', `${perDigit - 1}.png`))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const ds = loadMnist({ perDigit });
  const labels = ds.y.data as BigInt64Array;
  const x = ds.x.data as Float32Array;
  const seen = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const d = Number(labels[i]);
    mkdirSync(join(dir, NAMES[d]!), { recursive: true });
    const digit = await sharp(Buffer.from(x.subarray(i * 784, (i + 1) * 784).map((v) => Math.round(v * 255))), { raw: { width: 28, height: 28, channels: 1 } })
      .resize(48, 48, { kernel: 'linear' })
      .toColourspace('b-w') // one channel out (sharp otherwise writes sRGB)
      .raw()
      .toBuffer();
    const line = Buffer.alloc(48 * 192);
    for (let r = 0; r < 48; r++) digit.copy(line, r * 192, r * 48, (r + 1) * 48);
    await sharp(line, { raw: { width: 192, height: 48, channels: 1 } })
      .png()
      .toFile(join(dir, NAMES[d]!, `${seen[d]!++}.png`));
  }
  return dir;
}

/** Settings of one comparison (the command line's). */
export interface Setup {
  images: string;
  perClass: number;
  epochs: number;
  batchSize: number;
}

/** The finetune config of one run: LP-FT of the top 8 blocks, augmented in `workers` threads or (0) not; everything else equal. */
export function config(setup: Setup, seed: number, workers: number): Record<string, unknown> {
  const steps = setup.epochs * Math.ceil((setup.perClass * 10) / setup.batchSize);
  return {
    name: `digits-${armName(workers)}-${seed}`,
    seed,
    mode: 'lp-ft',
    backbone: { path: ocrModels.classifier },
    data: {
      source: { type: 'images', dir: setup.images },
      preprocess: PREPROCESS,
      ...(workers > 0 ? { augment: { ...AUGMENT, workers } } : {}),
      // the test split is the same in every run (split seed 0); the run's seed draws the training
      // examples' order, the head's initialization and every augmentation
      split: { test: 0.5, val: 0, seed: 0, stratify: true },
      trainPerClass: setup.perClass,
      batchSize: setup.batchSize,
    },
    optimizer: { type: 'adam', lr: 0.001 },
    schedules: [{ target: 'lr', schedule: { type: 'cosine', base: 0.001, tMax: steps } }],
    train: { epochs: setup.epochs, threads: 1 },
    probe: { epochs: 20, lr: 0.01 },
    freeze: { unfreezeTop: 8 },
    layerDecay: 0.8,
    cache: { enabled: false },
  };
}

const armName = (workers: number) => (workers === 0 ? 'plain' : `augment-${workers}w`);

/** Every PNG under the class folders (with its class id), in a fixed order. */
function listImages(dir: string): { files: string[]; labels: number[] } {
  const files: string[] = [];
  const labels: number[] = [];
  NAMES.forEach((name, label) => {
    for (const f of readdirSync(join(dir, name)).sort()) {
      files.push(join(dir, name, f));
      labels.push(label);
    }
  });
  return { files, labels };
}

/** What the augmentation loader produces alone (no training): wall-clock images/s, and CPU time per image of the whole process (all its threads). */
export interface LoaderSpeed {
  workers: number;
  imagesPerSecond: number;
  cpuMsPerImage: number;
}

/** Times the augmentation loader alone over `epochs` epochs of `files` after a warm-up epoch. */
export async function loaderSpeed(files: string[], labels: number[], workers: number, batchSize: number, epochs = 2): Promise<LoaderSpeed> {
  const data = AugmentedImages.create({ sources: files, labels, preprocess: PREPROCESS, augment: AUGMENT, batchSize, seed: 0, workers });
  try {
    for await (const _ of data.epoch(0)); // warm-up: workers started, modules compiled
    const [start, cpu] = [performance.now(), process.cpuUsage()];
    for (let e = 1; e <= epochs; e++) for await (const _ of data.epoch(e));
    const used = process.cpuUsage(cpu);
    const images = epochs * files.length;
    return { workers, imagesPerSecond: images / ((performance.now() - start) / 1000), cpuMsPerImage: (used.user + used.system) / 1000 / images };
  } finally {
    await data.close();
  }
}

/** One fine-tuning run. */
export interface Row {
  seed: number;
  /** Augmentation worker threads; 0: no augmentation. */
  workers: number;
  accuracy: number;
  /** Images/s of the fine-tuning phase's steps (validation excluded; waits for batches included). */
  imagesPerSecond: number;
  trainSeconds: number;
  /** Augmented runs: seconds training waited for the loader's batches (FinetuneSummary.augment). */
  waitSeconds?: number;
  /** CPU seconds of the whole run (all threads of the process: features, probe, compile, steps, augmentation workers, test). */
  cpuSeconds: number;
  /** The augmentation loader alone, measured just before this seed's runs. */
  loader?: LoaderSpeed[];
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / Math.max(1, v.length - 1));
const pm = (v: number[], digits: number) => `${mean(v).toFixed(digits)} ± ${sd(v).toFixed(digits)}`;

/** The results as Markdown tables (mean ± sample sd over seeds). */
export function table(rows: Row[], arms: number[]): string {
  const plain = rows.filter((x) => x.workers === 0);
  const trained = (r: Row) => Math.round(r.imagesPerSecond * r.trainSeconds);
  const lines = ['| augmentation | test accuracy % | per seed | training images/s | time waiting for batches | extra CPU ms per trained image |', '|---|---:|---|---:|---:|---:|'];
  for (const workers of arms) {
    const r = rows.filter((x) => x.workers === workers);
    const acc = r.map((x) => 100 * x.accuracy);
    const waiting = workers > 0 ? `${pm(r.map((x) => (100 * (x.waitSeconds ?? NaN)) / x.trainSeconds), 1)}%` : '-';
    // the run's CPU time beyond the same seed's un-augmented run, per image trained on
    const extra = workers > 0 ? pm(r.map((x) => (1000 * (x.cpuSeconds - plain.find((p) => p.seed === x.seed)!.cpuSeconds)) / trained(x)), 2) : '-';
    lines.push(`| ${workers === 0 ? 'off' : `on, ${workers} worker${workers > 1 ? 's' : ''}`} | ${pm(acc, 1)} | ${acc.map((a) => a.toFixed(1)).join(', ')} | ${pm(r.map((x) => x.imagesPerSecond), 0)} | ${waiting} | ${extra} |`);
  }
  lines.push('', '| augmentation loader alone | images/s | CPU ms per image | x the images/s the step consumes (off) |', '|---|---:|---:|---:|');
  for (const workers of [1, 2]) {
    const speeds = plain.map((p) => ({ speed: p.loader!.find((l) => l.workers === workers)!, step: p.imagesPerSecond }));
    lines.push(`| ${workers} worker${workers > 1 ? 's' : ''} | ${pm(speeds.map((s) => s.speed.imagesPerSecond), 0)} | ${pm(speeds.map((s) => s.speed.cpuMsPerImage), 2)} | ${pm(speeds.map((s) => s.speed.imagesPerSecond / s.step), 1)} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('augment.ts')) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '.anneal/augment' },
      seeds: { type: 'string', default: '3' },
      'per-class': { type: 'string', default: '20' },
      'per-digit': { type: 'string', default: '150' },
      epochs: { type: 'string', default: '30' },
      'batch-size': { type: 'string', default: '20' },
      workers: { type: 'string', default: '1,2' },
    },
  });
  const out = resolve(values.out!);
  const setup: Setup = { images: await renderDigits(join(out, 'digits'), Number(values['per-digit'])), perClass: Number(values['per-class']), epochs: Number(values.epochs), batchSize: Number(values['batch-size']) };
  const arms = [0, ...values.workers!.split(',').map(Number)];
  console.log(`${availableParallelism()} cores; ${setup.perClass} training images per class, ${Number(values['per-digit']) / 2} test images per class, ${setup.epochs} epochs of batch ${setup.batchSize}; arms: ${arms.map(armName).join(', ')}`);
  const all = listImages(setup.images);
  rmSync(join(out, 'runs'), { recursive: true, force: true });
  const pipeline = await createPipeline({ io: { out: console.log, err: console.error } });
  const rows: Row[] = [];
  for (let seed = 0; seed < Number(values.seeds); seed++) {
    // the loader alone, just before the runs it is compared with (the machine's load changes)
    const loader = [await loaderSpeed(all.files, all.labels, 1, setup.batchSize), await loaderSpeed(all.files, all.labels, 2, setup.batchSize)];
    console.log(`augmentation loader alone: ${loader.map((l) => `${l.workers} worker(s) ${l.imagesPerSecond.toFixed(0)} images/s, ${l.cpuMsPerImage.toFixed(2)} CPU ms/image`).join('; ')}`);
    for (const workers of arms) {
      const cpu = process.cpuUsage();
      const s: FinetuneSummary = await pipeline.finetune(config(setup, seed, workers), { out: join(out, 'runs', `${armName(workers)}-${seed}`) });
      const used = process.cpuUsage(cpu);
      const ft = s.phases.find((p) => p.phase === 'finetune')!;
      rows.push({ seed, workers, accuracy: s.exported.accuracy, imagesPerSecond: ft.throughput.examplesPerSecond, trainSeconds: ft.throughput.trainSeconds, waitSeconds: s.augment?.waitSeconds, cpuSeconds: (used.user + used.system) / 1e6, ...(workers === 0 ? { loader } : {}) });
      console.log(JSON.stringify(rows.at(-1)));
    }
    // every draw is a function of (seed, epoch, index): the worker count never changes the model
    const augmented = rows.filter((r) => r.seed === seed && r.workers > 0);
    if (augmented.some((r) => r.accuracy !== augmented[0]!.accuracy)) throw new Error(`seed ${seed}: augmented runs with different worker counts differ in accuracy`);
  }
  const md = table(rows, arms);
  console.log(`\n${md}`);
  writeFileSync(join(out, 'results.json'), JSON.stringify({ setup, augment: AUGMENT, rows }, null, 2) + '\n');
  writeFileSync(join(out, 'results.md'), md + '\n');
}
