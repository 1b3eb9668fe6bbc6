import type { RunCurves } from '../curves.js';
import type { DoctorContext } from '../doctor-context.js';
import type { DoctorRule } from '../doctor.js';
import { formatValue as v, type Finding } from '../findings.js';

const ID = 'diverged';
const SUGGESTION = 'Lower the learning rate ~10x, add gradient clipping (e.g. max global norm 1), and check the data for NaN/Inf values.';

/** The last finite batch losses before `step`, oldest first. */
function lossesBefore(curves: RunCurves, step: number, count: number): number[] {
  return curves.batches.filter((b) => b.step < step && Number.isFinite(b.loss)).slice(-count).map((b) => b.loss);
}

function nonFinite(curves: RunCurves, ctx: DoctorContext): Finding | undefined {
  const d = curves.divergence;
  const badBatch = curves.batches.find((b) => !Number.isFinite(b.loss));
  const badEpoch = curves.epochs.find((e) => !Number.isFinite(e.trainLoss));
  const step = d?.step ?? badBatch?.step ?? badEpoch?.step;
  if (step === undefined) return undefined;
  const epoch = d?.epoch ?? badBatch?.epoch ?? badEpoch?.epoch ?? ctx.epochOf(step);
  const evidence = [d ? `The run logged a non-finite loss at step ${step} (epoch ${epoch}): ${d.message}.` : `The loss became non-finite at step ${step} (epoch ${epoch}).`];
  if (d?.tensor) evidence.push(`The first non-finite tensor was ${d.tensor}.`);
  const before = lossesBefore(curves, step, 5);
  if (before.length) evidence.push(`The last finite losses before it: ${before.map(v).join(', ')}.`);
  return { id: ID, severity: 'error', title: 'Training diverged: the loss became non-finite', evidence, suggestion: SUGGESTION, steps: [step, step], epochs: [epoch, epoch], action: { lrFactor: 0.1 } };
}

function explosion(ctx: DoctorContext): Finding | undefined {
  const t = ctx.trend;
  if (!t) return undefined;
  // The lowest de-noised loss before the last tenth of the run, against the loss at the end.
  const tailStart = t.stepAt(0.9);
  let minIndex = -1;
  for (let i = 0; i < t.steps.length && t.steps[i]! < tailStart; i++) if (minIndex < 0 || t.smooth[i]! < t.smooth[minIndex]!) minIndex = i;
  if (minIndex < 0) return undefined;
  const min = t.smooth[minIndex]!;
  const minStep = Math.round(t.steps[minIndex]!);
  const final = t.final;
  const { explosionFactor } = ctx.thresholds;
  const climbed = final > explosionFactor * min && final - min > 0.25 * (t.initial - min);
  const aboveStart = final > 1.25 * t.initial && t.initial > 0;
  if (!climbed && !aboveStart) return undefined;
  const end = Math.round(t.end);
  const evidence = [`The ${t.source === 'batch' ? 'smoothed batch' : 'epoch mean'} loss fell to ${v(min)} at step ${minStep} (epoch ${ctx.epochOf(minStep)}), then climbed to ${v(final)} (${v(final / min)}x its minimum) by step ${end}.`];
  if (aboveStart) evidence.push(`It ended above the loss at the start of training (${v(t.initial)}).`);
  return { id: ID, severity: 'error', title: 'Training diverged: the loss exploded', evidence, suggestion: SUGGESTION, steps: [minStep, end], action: { lrFactor: 0.1 } };
}

/**
 * A spike that kills the network: some early batch loss shot above `spikeFactor` (10) times the
 * first loss, and the run then never got meaningfully below where it started (the de-noised loss
 * ends above 90% of the first loss). Typical of SGD with a far too large lr: one huge update
 * pushes the ReLUs dead or the logits into saturation and the model sits at chance from then on.
 */
function spikeThenStuck(curves: RunCurves, ctx: DoctorContext): Finding | undefined {
  const t = ctx.trend;
  const batches = curves.batches.filter((b) => Number.isFinite(b.loss));
  if (!t || batches.length < 10) return undefined;
  const first = batches[0]!.loss;
  const spikeFactor = 10;
  let peak = batches[0]!;
  for (const b of batches) if (b.loss > peak.loss) peak = b;
  if (!(first > 0 && peak.loss > spikeFactor * first && t.final > 0.9 * first)) return undefined;
  const end = Math.round(t.end);
  return {
    id: ID,
    severity: 'error',
    title: 'Training diverged: the loss exploded, then the model stopped learning',
    evidence: [
      `The batch loss shot from ${v(first)} at the first step to ${v(peak.loss)} at step ${peak.step} (epoch ${peak.epoch}), ${v(peak.loss / first)}x the start.`,
      `After that it never got meaningfully below the start: the smoothed loss ends at ${v(t.final)} by step ${end} (${v(t.final / first)}x the first loss), the level of a model that predicts nothing.`,
    ],
    suggestion: `${SUGGESTION} The spike most likely killed the units (dead ReLUs) or saturated the outputs; restarting with a lower lr or a warmup is needed, more training will not recover it.`,
    steps: [peak.step, end],
    epochs: [peak.epoch, peak.epoch],
    action: { lrFactor: 0.1 },
  };
}

/**
 * `diverged` (error): the run logged a divergence or a non-finite loss, or the de-noised
 * training loss ended far above its minimum (`explosionFactor` times it, and back up by a
 * quarter of the drop) or above the initial loss, or it spiked 10x above the first loss early and
 * then stayed at the starting level. Suggests a ~10x lower lr, clipping, a data check.
 */
export const divergedRule: DoctorRule = {
  id: ID,
  check(curves, ctx) {
    const finding = nonFinite(curves, ctx) ?? explosion(ctx) ?? spikeThenStuck(curves, ctx);
    return finding ? [finding] : [];
  },
};
