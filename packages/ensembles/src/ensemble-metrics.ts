import type { CombineRule } from './ensemble-model';
import { EnsembleError } from './errors';

/** Accuracy and mean negative log-likelihood. */
export interface Score {
  readonly accuracy: number;
  readonly nll: number;
}

/** Per-member and ensemble scores on one labelled set. */
export interface EnsembleMetrics {
  readonly members: readonly Score[];
  readonly ensemble: Score;
  /** The members' scores averaged, and the best member by accuracy. */
  readonly meanMember: Score;
  readonly bestMember: Score & { readonly index: number };
}

const softmaxRow = (x: Float32Array, at: number, c: number, out: Float64Array) => {
  let max = -Infinity;
  for (let j = 0; j < c; j++) max = Math.max(max, x[at + j]!);
  let sum = 0;
  for (let j = 0; j < c; j++) sum += out[j] = Math.exp(x[at + j]! - max);
  for (let j = 0; j < c; j++) out[j]! /= sum;
};
const argmax = (row: ArrayLike<number>, c: number) => {
  let best = 0;
  for (let j = 1; j < c; j++) if (row[j]! > row[best]!) best = j;
  return best;
};
const EPS = 1e-12;

/**
 * Scores each member and their combination from the members' logits (each [N * C], row-major):
 * `mean-probability` averages softmax probabilities, `mean-logit` the logits, `vote` counts each
 * member's argmax (lowest class on ties; its NLL is that of the mean probabilities).
 *
 * @example
 * const m = ensembleMetrics([logitsA, logitsB], labels, 10, 'mean-probability');
 * m.ensemble.accuracy - m.meanMember.accuracy; // the ensemble's gain
 */
export function ensembleMetrics(memberLogits: readonly Float32Array[], labels: ArrayLike<number | bigint>, classes: number, combine: CombineRule = 'mean-probability'): EnsembleMetrics {
  const k = memberLogits.length;
  const n = labels.length;
  if (k < 1) throw new EnsembleError('memberLogits', 'no members');
  memberLogits.forEach((l, i) => {
    if (l.length !== n * classes) throw new EnsembleError(`memberLogits[${i}]`, `has ${l.length} values, expected ${n} x ${classes}`);
  });
  const correct = new Array<number>(k).fill(0);
  const nll = new Array<number>(k).fill(0);
  let ensCorrect = 0;
  let ensNll = 0;
  const p = new Float64Array(classes);
  const mean = new Float64Array(classes);
  const logitMean = new Float32Array(classes);
  const votes = new Float64Array(classes);
  for (let r = 0; r < n; r++) {
    const y = Number(labels[r]);
    mean.fill(0);
    logitMean.fill(0);
    votes.fill(0);
    for (let i = 0; i < k; i++) {
      const at = r * classes;
      softmaxRow(memberLogits[i]!, at, classes, p);
      const pred = argmax(p, classes);
      if (pred === y) correct[i]!++;
      nll[i]! -= Math.log(Math.max(p[y]!, EPS));
      votes[pred]! += 1;
      for (let j = 0; j < classes; j++) {
        mean[j]! += p[j]! / k;
        logitMean[j]! += memberLogits[i]![at + j]! / k;
      }
    }
    if (combine === 'mean-logit') {
      softmaxRow(logitMean, 0, classes, p);
      if (argmax(p, classes) === y) ensCorrect++;
      ensNll -= Math.log(Math.max(p[y]!, EPS));
    } else {
      if (argmax(combine === 'vote' ? votes : mean, classes) === y) ensCorrect++;
      ensNll -= Math.log(Math.max(mean[y]!, EPS));
    }
  }
  const members = correct.map((c, i) => ({ accuracy: c / n, nll: nll[i]! / n }));
  const bestIndex = members.reduce((b, m, i) => (m.accuracy > members[b]!.accuracy ? i : b), 0);
  return {
    members,
    ensemble: { accuracy: ensCorrect / n, nll: ensNll / n },
    meanMember: { accuracy: members.reduce((a, m) => a + m.accuracy, 0) / k, nll: members.reduce((a, m) => a + m.nll, 0) / k },
    bestMember: { ...members[bestIndex]!, index: bestIndex },
  };
}
