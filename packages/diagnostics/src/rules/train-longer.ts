import type { DoctorRule } from '../doctor.js';
import { formatPercent as pct, formatValue as v, type Finding } from '../findings.js';
import { leastSquaresSlope } from '../smooth.js';
import { earlyDecay } from './decayed-too-early.js';
import { earlyPlateau } from './lr-too-high.js';
import { slowDescent } from './lr-too-low.js';
import { validationDecline } from './overfitting.js';

const ID = 'train-longer';
const RECENT = 4;
const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Relative improvement per epoch of a loss over the given epochs (positive = falling). */
function fallRate(epochs: readonly number[], losses: readonly number[]): number {
  return -leastSquaresSlope(epochs, losses) / mean(losses);
}

/**
 * `train-longer` (info): a finished run (of at least `minEpochPoints` epochs) whose training loss
 * and validation (loss falling `improvingRate` per epoch, or without a validation loss, accuracy
 * rising) were still improving over the last epochs since the last lr decay, the last epoch
 * included. Without validation: the training loss still falling and not converged. Quiet when
 * overfitting or an lr rule (lr-too-low, lr-too-high, decayed-too-early) fires. Suggests more
 * epochs, from the recent rate: 50% more below 2.5% per epoch, up to twice as many from 5%.
 */
export const trainLongerRule: DoctorRule = {
  id: ID,
  check(curves, ctx) {
    if (!curves.finished || curves.divergence) return [];
    // Judge the trend at the current lr: only the epochs after the one the lr last decayed in (its step down is no trend).
    const lastDecay = ctx.lr.decays[ctx.lr.decays.length - 1];
    const perEpoch = ctx.stepsPerEpoch ?? 0;
    if (curves.epochs.length < ctx.thresholds.minEpochPoints) return [];
    const points = curves.epochs.filter((e) => Number.isFinite(e.trainLoss) && (!lastDecay || e.step - perEpoch >= lastDecay.step + perEpoch / 2));
    if (points.length < 3) return [];
    if (validationDecline(curves, ctx)?.fires || slowDescent(ctx)?.fires || earlyPlateau(ctx)?.fires || earlyDecay(ctx)?.fires) return [];
    const th = ctx.thresholds;
    const recent = points.slice(-RECENT);
    const epochs = recent.map((e) => e.epoch);
    const first = recent[0]!;
    const last = recent[recent.length - 1]!;
    const trainRate = fallRate(epochs, recent.map((e) => e.trainLoss));
    if (!(trainRate >= th.improvingRate)) return [];
    const span = `epochs ${first.epoch}-${last.epoch}`;
    const evidence = [`The training loss still fell ${pct(trainRate)} per epoch over ${span} (${v(first.trainLoss)} -> ${v(last.trainLoss)}).`];

    // The last epoch must still improve too (not only a one-time step down, e.g. after an lr decay).
    const lastStepImproves = (values: readonly number[]) => values[values.length - 1]! <= values[values.length - 2]! * (1 - th.improvingRate / 2);
    let rate = trainRate;
    const hasValLoss = recent.every((e) => finite(e.valLoss));
    // Validation accuracy only when there is no validation loss: near 100% it moves by noise.
    const hasValAcc = !hasValLoss && recent.every((e) => finite(e.valAccuracy));
    if (hasValLoss || hasValAcc) {
      const valRate = hasValLoss ? fallRate(epochs, recent.map((e) => e.valLoss!)) : NaN;
      const accSlope = hasValAcc ? leastSquaresSlope(epochs, recent.map((e) => e.valAccuracy!)) : NaN;
      if (valRate >= th.improvingRate && lastStepImproves(recent.map((e) => e.valLoss!))) {
        evidence.push(`The validation loss still fell ${pct(valRate)} per epoch (${v(first.valLoss!)} -> ${v(last.valLoss!)}), with no sign of overfitting.`);
        rate = valRate;
      } else if (accSlope >= th.improvingRate / 10 && recent[recent.length - 1]!.valAccuracy! > recent[recent.length - 2]!.valAccuracy!) {
        evidence.push(`Validation accuracy still rose ${v(accSlope)} per epoch (${v(first.valAccuracy!)} -> ${v(last.valAccuracy!)}), with no sign of overfitting.`);
        rate = Math.min(trainRate, accSlope * 10);
      } else return [];
    } else {
      if (ctx.converged || !lastStepImproves(recent.map((e) => e.trainLoss))) return [];
      evidence.push('There is no validation data: check for overfitting when training longer.');
    }
    // epochs are 1-based: the last epoch's number is the count of epochs trained
    const total = curves.plannedEpochs ?? last.epoch;
    const extra = Math.ceil(total * Math.min(1, Math.max(0.5, rate / 0.05)));
    const finding: Finding = {
      id: ID,
      severity: 'info',
      title: 'Still improving at the end: train longer',
      evidence,
      suggestion: `Train ~${extra} more epochs (~${total + extra} in total), stretching the lr schedule to the new length.`,
      epochs: [first.epoch, last.epoch],
      action: { epochsFactor: (total + extra) / total },
    };
    return [finding];
  },
};
