import type { DoctorRule } from '../doctor.js';
import { formatPercent as pct, formatValue as v, type Finding } from '../findings.js';
import { earlyDecay } from './decayed-too-early.js';
import { divergedRule } from './diverged.js';
import { earlyPlateau } from './lr-too-high.js';
import { slowDescent } from './lr-too-low.js';

const ID = 'underfitting';
const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/**
 * `underfitting` (warning): the training loss plateaued (less than `plateauImprovement` from
 * 50-70% of the run to its last 20%) with a low training accuracy (below `targetAccuracy`; without accuracies,
 * a loss above `highLossFraction` of the initial one) and validation close to training (the model
 * is not overfitting: it lacks capacity). Quiet when the run diverged or an lr rule explains the
 * curve (lr-too-low, lr-too-high, decayed-too-early): fix the lr first. Suggests a bigger model.
 */
export const underfittingRule: DoctorRule = {
  id: ID,
  check(curves, ctx) {
    const t = ctx.trend;
    if (!t || !ctx.judgeShape || !(t.end > t.start)) return [];
    if (divergedRule.check(curves, ctx).length || slowDescent(ctx)?.fires || earlyPlateau(ctx)?.fires || earlyDecay(ctx)?.fires) return [];
    const th = ctx.thresholds;
    // Wide windows (20% of the run each: 50-70% and 80-100%): noise must not hide a plateau.
    const plateauStep = t.stepAt(0.5);
    const plateauLevel = t.levelBetween(plateauStep, t.stepAt(0.7));
    const endLevel = t.levelBetween(t.stepAt(0.8), t.end + 1);
    const improvement = 1 - endLevel / plateauLevel;
    if (!(improvement < th.plateauImprovement)) return [];
    const last = curves.epochs[curves.epochs.length - 1];
    const evidence = [`The training loss plateaued: ${v(plateauLevel)} over 50-70% of the run -> ${v(endLevel)} over the last 20% (steps ${Math.round(plateauStep)}-${Math.round(t.end)}, ${improvement >= 0 ? '-' : '+'}${pct(Math.abs(improvement))}).`];
    const trainAcc = ctx.finalTrainAccuracy;
    if (trainAcc !== undefined) {
      if (trainAcc >= th.targetAccuracy) return [];
      evidence.push(`Training accuracy ended at ${v(trainAcc)}, below the target ${v(th.targetAccuracy)}.`);
      const valAcc = last?.valAccuracy;
      if (finite(valAcc)) {
        if (trainAcc - valAcc > th.underfitAccuracyGap) return [];
        evidence.push(`Validation accuracy ${v(valAcc)} is close (gap ${v(trainAcc - valAcc)}): the model is not overfitting; it fits the training data poorly.`);
      }
    } else {
      if (!(endLevel > th.highLossFraction * t.initial)) return [];
      evidence.push(`The final training loss ${v(endLevel)} is ${pct(endLevel / t.initial)} of the initial ${v(t.initial)}: far above 0.`);
      const valLoss = last?.valLoss;
      if (finite(valLoss) && last) {
        if (valLoss > last.trainLoss * (1 + th.underfitLossGap)) return [];
        evidence.push(`Validation loss ${v(valLoss)} is close to the training loss ${v(last.trainLoss)}.`);
      }
    }
    const finding: Finding = {
      id: ID,
      severity: 'warning',
      title: 'Underfitting: training and validation both plateaued at a low level',
      evidence,
      suggestion: 'Use a bigger model (wider or deeper layers), and train it as long; if a bigger model plateaus at the same level, check the inputs and labels.',
      steps: [Math.round(plateauStep), Math.round(t.end)],
      action: { biggerModel: true },
    };
    return [finding];
  },
};
