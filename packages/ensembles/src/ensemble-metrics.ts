import { VOTE_TIE_TOLERANCE, type CombineRule } from './combine-outputs.js';
import { EnsembleError } from './errors.js';
import { checkWeights } from './weights.js';

/** Accuracy (fraction correct) and mean negative log-likelihood (nats) on one labelled set. */
export interface Score {
  readonly accuracy: number;
  readonly nll: number;
}

/** Per-member and ensemble scores on one labelled set. */
export interface EnsembleMetrics {
  readonly members: readonly Score[];
  /** The ensemble under the requested combine rule (= `byRule[combine]`). */
  readonly ensemble: Score;
  /** The ensemble under every combine rule. */
  readonly byRule: Readonly<Record<CombineRule, Score>>;
  /** The members' scores averaged (unweighted). */
  readonly meanMember: Score;
  /** The most accurate member (ties: lower NLL, then lower index). */
  readonly bestMember: Score & { readonly index: number };
  /** ensemble − meanMember (accuracy above 0 and nll below 0 mean the ensemble is better). */
  readonly gainOverMeanMember: Score;
  /** ensemble − bestMember. */
  readonly gainOverBestMember: Score;
}

/** log softmax of row `at` of x, in float64. */
function logSoftmax(x: ArrayLike<number>, at: number, c: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < c; j++) max = Math.max(max, x[at + j]!);
  let sum = 0;
  for (let j = 0; j < c; j++) sum += Math.exp(x[at + j]! - max);
  const lse = max + Math.log(sum);
  for (let j = 0; j < c; j++) out[j] = x[at + j]! - lse;
}

/** Index of the first maximum (ONNX ArgMax's rule). */
function argmax(row: ArrayLike<number>, at: number, c: number): number {
  let best = 0;
  for (let j = 1; j < c; j++) if (row[at + j]! > row[at + best]!) best = j;
  return best;
}

const diff = (a: Score, b: Score): Score => ({ accuracy: a.accuracy - b.accuracy, nll: a.nll - b.nll });

function checkInputs(memberLogits: readonly Float32Array[], labels: ArrayLike<number | bigint>, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new EnsembleError('classes', `is ${classes}; pass the number of classes, a positive integer`);
  if (memberLogits.length < 1) throw new EnsembleError('memberLogits', 'no members; pass one logits array [N * C] per member');
  memberLogits.forEach((l, i) => {
    if (l.length !== labels.length * classes) throw new EnsembleError(`memberLogits[${i}]`, `has ${l.length} values, expected ${labels.length} x ${classes} (N labels x C classes, row-major)`);
  });
  for (let r = 0; r < labels.length; r++) {
    const y = Number(labels[r]);
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new EnsembleError(`labels[${r}]`, `is ${labels[r]}, outside the classes 0..${classes - 1}`);
  }
}

/**
 * Scores each member and their combination from the members' logits (each [N * C], row-major),
 * with the same rules as {@link ensembleModel} (weights normalized to sum 1):
 * - `mean-probability`: argmax and NLL of the weighted mean of the members' softmax;
 * - `mean-logit`: argmax and NLL of the softmax of the weighted mean logits;
 * - `vote`: the class with the most (weighted) votes, ties to the higher mean probability, then the
 *   lower class; its NLL is that of the mean probabilities (votes are not a distribution).
 * Member predictions are the first maximum of their logits, as ONNX ArgMax.
 *
 * @throws EnsembleError for logits of the wrong length, labels outside 0..C-1, bad weights.
 * @example
 * const m = ensembleMetrics([logitsA, logitsB, logitsC], labels, 10, 'mean-probability');
 * console.log(m.gainOverMeanMember.accuracy, m.gainOverBestMember.nll);
 */
export function ensembleMetrics(
  memberLogits: readonly Float32Array[],
  labels: ArrayLike<number | bigint>,
  classes: number,
  combine: CombineRule = 'mean-probability',
  weights?: readonly number[],
): EnsembleMetrics {
  checkInputs(memberLogits, labels, classes);
  const k = memberLogits.length;
  const n = labels.length;
  const { weights: w, total } = checkWeights(weights, k);
  const scale = w.map((x) => x / total);
  const correct = new Array<number>(k).fill(0);
  const nll = new Array<number>(k).fill(0);
  const ens = { 'mean-probability': { correct: 0, nll: 0 }, 'mean-logit': { correct: 0, nll: 0 }, vote: { correct: 0, nll: 0 } };
  const logp = new Float64Array(classes);
  const meanP = new Float64Array(classes);
  const meanLogit = new Float64Array(classes);
  const votes = new Float64Array(classes);
  for (let r = 0; r < n; r++) {
    const y = Number(labels[r]);
    const at = r * classes;
    meanP.fill(0);
    meanLogit.fill(0);
    votes.fill(0);
    memberLogits.forEach((l, i) => {
      logSoftmax(l, at, classes, logp);
      const pred = argmax(l, at, classes);
      if (pred === y) correct[i]!++;
      nll[i]! -= logp[y]!;
      votes[pred]! += w[i]!;
      for (let j = 0; j < classes; j++) {
        meanP[j]! += scale[i]! * Math.exp(logp[j]!);
        meanLogit[j]! += scale[i]! * l[at + j]!;
      }
    });
    const probNll = -Math.log(meanP[y]!);
    if (argmax(meanP, 0, classes) === y) ens['mean-probability'].correct++;
    ens['mean-probability'].nll += probNll;
    logSoftmax(meanLogit, 0, classes, logp);
    if (argmax(meanLogit, 0, classes) === y) ens['mean-logit'].correct++;
    ens['mean-logit'].nll -= logp[y]!;
    const top = Math.max(...votes) - VOTE_TIE_TOLERANCE * total;
    let pick = -1;
    for (let j = 0; j < classes; j++) if (votes[j]! >= top && (pick < 0 || meanP[j]! > meanP[pick]!)) pick = j;
    if (pick === y) ens.vote.correct++;
    ens.vote.nll += probNll;
  }
  const members = correct.map((c, i) => ({ accuracy: c / n, nll: nll[i]! / n }));
  const score = (rule: CombineRule): Score => ({ accuracy: ens[rule].correct / n, nll: ens[rule].nll / n });
  const byRule = { 'mean-probability': score('mean-probability'), 'mean-logit': score('mean-logit'), vote: score('vote') };
  const bestIndex = members.reduce((b, m, i) => (m.accuracy > members[b]!.accuracy || (m.accuracy === members[b]!.accuracy && m.nll < members[b]!.nll) ? i : b), 0);
  const meanMember = { accuracy: members.reduce((a, m) => a + m.accuracy, 0) / k, nll: members.reduce((a, m) => a + m.nll, 0) / k };
  const bestMember = { ...members[bestIndex]!, index: bestIndex };
  const ensemble = byRule[combine];
  return { members, ensemble, byRule, meanMember, bestMember, gainOverMeanMember: diff(ensemble, meanMember), gainOverBestMember: diff(ensemble, bestMember) };
}
