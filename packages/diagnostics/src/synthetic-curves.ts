/**
 * Synthetic learning curves for the doctor's specs: noise-free shapes (loss = a + b exp(-t/tau)
 * and variations, at cross-entropy scale: ln(10) = 2.30 at the start) with seeded noise on the
 * batch losses, the epoch means and the validation numbers. Not part of the public API.
 */
import { seededRandom } from '@anneal/data';
import type { BatchPoint, EpochPoint, RatioPoint, RunCurves } from './curves.js';

/** One synthetic run. Steps are 0-based, epochs 1-based: epoch e covers steps [(e - 1) * stepsPerEpoch, e * stepsPerEpoch). */
export interface SyntheticRun {
  readonly seed?: number;
  /** Default 10. */
  readonly epochs?: number;
  /** Default 100. */
  readonly stepsPerEpoch?: number;
  /** Default 10. */
  readonly classes?: number;
  /** Noise-free training loss at a step. */
  readonly loss: (step: number) => number;
  /**
   * Sd of the log-normal noise on batch losses once the loss is below half its initial value.
   * Above, it shrinks linearly to 5% of that at ln(classes), as in real runs where an untrained
   * model's batch losses are all close to ln(classes). Default 0.15.
   */
  readonly noise?: number;
  /** The lr at a step. Default 1e-3. */
  readonly lr?: (step: number) => number;
  /** Noise-free validation loss of an epoch (1-based), given the noise-free training loss at its end. Default 1.1 x train + 0.02. */
  readonly valLoss?: (epoch: number, trainLoss: number) => number;
  /** Relative noise on validation losses and absolute noise on accuracies. Default 0.01. */
  readonly valNoise?: number;
  readonly validation?: boolean;
  readonly accuracy?: boolean;
  /** Include batch points (else epoch points only). Default true. */
  readonly batches?: boolean;
  /** ‖update‖/‖weight‖ of each tensor at a step (noise-free), measured every `ratioEvery` steps. */
  readonly ratios?: Readonly<Record<string, (step: number) => number>>;
  readonly ratioEvery?: number;
  /** The run diverged at this step: no points from it on, and a divergence with this tensor. */
  readonly divergeAt?: number;
  readonly divergedTensor?: string;
  /** Stop after this many epochs (a running run). */
  readonly runningEpochs?: number;
}

/**
 * A plausible accuracy for a cross-entropy loss: chance level at ln(classes), ~0.91 at 0.35,
 * ~0.98 at 0.1 (error = (1 - 1/classes) (loss / ln classes)^1.2).
 */
export function accuracyFromLoss(loss: number, classes: number): number {
  return 1 - (1 - 1 / classes) * Math.min(1, Math.max(0, loss) / Math.log(classes)) ** 1.2;
}

/** Builds the RunCurves of a synthetic run. */
export function syntheticCurves(run: SyntheticRun): RunCurves {
  const rand = seededRandom(run.seed ?? 1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const epochs = run.epochs ?? 10;
  const perEpoch = run.stepsPerEpoch ?? 100;
  const classes = run.classes ?? 10;
  const noise = run.noise ?? 0.15;
  const valNoise = run.valNoise ?? 0.01;
  const lr = run.lr ?? (() => 1e-3);
  const valLoss = run.valLoss ?? ((_e: number, train: number) => 1.1 * train + 0.02);
  const lastEpoch = Math.min(epochs, run.runningEpochs ?? epochs);
  const stopAt = run.divergeAt ?? Infinity;
  const batches: BatchPoint[] = [];
  const epochPoints: EpochPoint[] = [];
  const ratios: RatioPoint[] = [];
  for (let epoch = 1; epoch <= lastEpoch; epoch++) {
    const losses: number[] = [];
    let clean = 0;
    for (let b = 0; b < perEpoch; b++) {
      const step = (epoch - 1) * perEpoch + b;
      if (step >= stopAt) break;
      const sd = noise * Math.min(1, Math.max(0.05, (2 * (Math.log(classes) - run.loss(step))) / Math.log(classes)));
      const loss = run.loss(step) * Math.exp(sd * gauss() - (sd * sd) / 2);
      losses.push(loss);
      clean += run.loss(step);
      batches.push({ step, epoch, loss, lr: lr(step) });
      if (run.ratios && step % (run.ratioEvery ?? 10) === 0) {
        ratios.push({ step, ratios: Object.fromEntries(Object.entries(run.ratios).map(([name, f]) => [name, f(step) * Math.exp(0.3 * gauss())])) });
      }
    }
    if (losses.length < perEpoch) break; // diverged inside this epoch: no epoch point
    const end = epoch * perEpoch;
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const std = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / losses.length);
    const val = valLoss(epoch, run.loss(end - 1)) * (1 + valNoise * gauss());
    epochPoints.push({
      epoch,
      step: end,
      trainLoss: mean,
      trainLossStd: std,
      lr: lr(end - 1),
      ...(run.validation !== false ? { valLoss: val } : {}),
      ...(run.accuracy !== false ? { trainAccuracy: clamp01(accuracyFromLoss(clean / perEpoch, classes) + valNoise * 0.2 * gauss()) } : {}),
      ...(run.accuracy !== false && run.validation !== false ? { valAccuracy: clamp01(accuracyFromLoss(valLoss(epoch, run.loss(end - 1)), classes) + valNoise * 0.2 * gauss()) } : {}),
    });
  }
  const diverged = Number.isFinite(stopAt) && stopAt < epochs * perEpoch;
  return {
    epochs: epochPoints,
    batches: run.batches === false ? [] : batches,
    ratios,
    ...(diverged ? { divergence: { step: stopAt, epoch: Math.floor(stopAt / perEpoch) + 1, message: 'NON_FINITE: the loss is NaN', ...(run.divergedTensor ? { tensor: run.divergedTensor } : {}) } } : {}),
    plannedEpochs: epochs,
    finished: diverged || lastEpoch >= epochs,
    classes,
  };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const LN10 = Math.log(10);

/** A condition's curves and the facts the generator built them from (for evidence checks). */
export interface SyntheticCase {
  readonly run: SyntheticRun;
  readonly curves: RunCurves;
}

const make = (run: SyntheticRun): SyntheticCase => ({ run, curves: syntheticCurves(run) });

/** Healthy: fast exponential decay to a low loss, lr decayed 10x at step 700, validation tracking, ratios ~1e-3. */
export const HEALTHY_DECAY_STEP = 700;
export function healthyRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  const base = (t: number) => 0.03 + (LN10 - 0.03) * Math.exp(-t / 80);
  const lr = (t: number) => (t < HEALTHY_DECAY_STEP ? 1e-3 : 1e-4);
  return make({
    seed,
    loss: (t) => base(t) * (t < HEALTHY_DECAY_STEP ? 1 : 1 - 0.2 * (1 - Math.exp(-(t - HEALTHY_DECAY_STEP) / 20))),
    lr,
    ratios: { 'fc1.weight': (t) => lr(t), 'fc1.bias': (t) => 2 * lr(t), 'fc2.weight': (t) => 0.8 * lr(t) },
    ...overrides,
  });
}

/** lr too low: tau = 1.5x the run, so the curve is nearly a straight line and ends near 1.2. */
export function lrTooLowRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return make({ seed, loss: (t) => 0.05 + 2.25 * Math.exp(-t / 1500), lr: () => 1e-4, ...overrides });
}

/** lr too high: the loss drops within ~50 steps, then bounces around 0.35 (noisy) at a constant lr. */
export function lrTooHighRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return make({ seed, loss: (t) => 0.35 + 1.95 * Math.exp(-t / 20), noise: 0.35, lr: () => 0.05, valLoss: (_e, train) => 1.05 * train + 0.02, ...overrides });
}

/** Decayed too early: the lr drops 10x at step 100 while the loss still falls fast; then a step down and a plateau near 0.41. */
export const EARLY_DECAY_STEP = 100;
export function decayedTooEarlyRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  const falling = (t: number) => 0.1 + 2.2 * Math.exp(-t / 60);
  const atDecay = falling(EARLY_DECAY_STEP);
  return make({
    seed,
    loss: (t) => {
      if (t < EARLY_DECAY_STEP) return falling(t);
      const u = t - EARLY_DECAY_STEP;
      return atDecay * (0.85 + 0.15 * Math.exp(-u / 15)) * (1 - 0.08 * (1 - Math.exp(-u / 400)));
    },
    lr: (t) => (t < EARLY_DECAY_STEP ? 0.1 : 0.01),
    ...overrides,
  });
}

/** Overfitting: 20 epochs of 50 steps; the training loss goes to ~0, validation loss bottoms at epoch 6 (0.31) then rises to ~0.56. */
export const OVERFIT_BEST_EPOCH = 6;
export function overfittingRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return make({
    seed,
    epochs: 20,
    stepsPerEpoch: 50,
    loss: (t) => 0.004 + (LN10 - 0.004) * Math.exp(-t / 100),
    valLoss: (e) => 0.3 + 2.0 * Math.exp(-(e - 0.5)) + 0.005 * Math.max(0, e - OVERFIT_BEST_EPOCH) ** 1.5,
    ...overrides,
  });
}

/** Underfitting: a cosine-decayed lr, the loss levels off at 0.6 (accuracy ~0.82), validation close behind. */
export function underfittingRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return make({
    seed,
    loss: (t) => 0.6 + 1.7 * Math.exp(-t / 100),
    lr: (t) => 0.005 * (1 + Math.cos((Math.PI * t) / 1000)),
    valLoss: (_e, train) => 1.03 * train + 0.01,
    ...overrides,
  });
}

/** Train longer: a fast first drop, then a slow steady component still falling ~7%/epoch at the end. */
export function trainLongerRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return make({ seed, loss: (t) => 0.05 + 1.5 * Math.exp(-t / 30) + 0.75 * Math.exp(-t / 500), valLoss: (_e, train) => 1.1 * train + 0.03, ...overrides });
}

/** Exploding: healthy descent to 0.2 by step 500, then the loss climbs back to ~3.1. */
export const EXPLODE_STEP = 500;
export function explodingRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return make({
    seed,
    loss: (t) => 0.2 + 2.1 * Math.exp(-t / 50) + (t < EXPLODE_STEP ? 0 : 3 * (1 - Math.exp(-(t - EXPLODE_STEP) / 150))),
    lr: () => 0.5,
    ...overrides,
  });
}

/** Non-finite: a healthy start, then NaN at step 612 located in fc1.weight. */
export const NAN_STEP = 612;
export function nonFiniteRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return healthyRun(seed, { divergeAt: NAN_STEP, divergedTensor: 'fc1.weight', ...overrides });
}

/** Update ratios: fc1.weight at 3e-2 (too high), fc2.weight at 2e-5 and fc2.bias at 5e-5 (too low), fc1.bias healthy. */
export const RATIOS = { 'fc1.weight': 3e-2, 'fc1.bias': 1e-3, 'fc2.weight': 2e-5, 'fc2.bias': 5e-5 } as const;
export function updateRatioRun(seed = 1, overrides: Partial<SyntheticRun> = {}): SyntheticCase {
  return healthyRun(seed, { ratios: Object.fromEntries(Object.entries(RATIOS).map(([name, r]) => [name, () => r])), ...overrides });
}
