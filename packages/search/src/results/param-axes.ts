import { CHART_FONT } from '@anneal/report';
import type { FrozenTrial, ParamValue } from '../types.js';
import { completeTrials, describeTrialCounts, StudyResultsError } from './results-error.js';

/** How a chart draws one parameter: a numeric range (log when every trial asked for log) or a list of choices. */
export type ParamAxis =
  | { readonly kind: 'numeric'; readonly param: string; readonly low: number; readonly high: number; readonly log: boolean; readonly integer: boolean }
  | { readonly kind: 'categorical'; readonly param: string; readonly choices: readonly ParamValue[] };

/** Shared look of the study charts (white background, the report package's fonts). */
export const STUDY_CHART_CONFIG = { font: CHART_FONT, view: { stroke: '#ddd' } } as const;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The complete trials with a finite value, or a StudyResultsError saying what `chart` is missing. */
export function requireCompleteTrials(trials: readonly FrozenTrial[], chart: string): FrozenTrial[] {
  const complete = completeTrials(trials);
  if (complete.length === 0) {
    throw new StudyResultsError(chart, `needs at least 1 complete trial with a finite value, got ${describeTrialCounts(trials)}; run the study (or wait for a trial to complete) first`);
  }
  return complete;
}

/**
 * One axis per parameter of the given trials, in the order the parameters first appear: the
 * union of the distributions' ranges (extended to the values seen) or of their choices.
 */
export function paramAxes(trials: readonly FrozenTrial[], chart: string): ParamAxis[] {
  const axes = new Map<string, ParamAxis>();
  for (const t of trials) {
    for (const [param, d] of Object.entries(t.distributions)) {
      if (!(param in t.params)) continue;
      const v = t.params[param]!;
      const prev = axes.get(param);
      if (prev && (prev.kind === 'categorical') !== (d.kind === 'categorical')) {
        throw new StudyResultsError(chart, `parameter '${param}' is ${d.kind} in trial ${t.number} but ${prev.kind} in an earlier trial; use one distribution per parameter name`);
      }
      if (d.kind === 'categorical') {
        const choices = prev?.kind === 'categorical' ? [...prev.choices] : [];
        for (const c of [...d.choices, v]) if (!choices.includes(c)) choices.push(c);
        axes.set(param, { kind: 'categorical', param, choices });
      } else {
        const x = typeof v === 'number' ? v : d.low;
        const log = d.log === true && (prev?.kind !== 'numeric' || prev.log);
        const low = Math.min(d.low, x, prev?.kind === 'numeric' ? prev.low : Infinity);
        const high = Math.max(d.high, x, prev?.kind === 'numeric' ? prev.high : -Infinity);
        const integer = d.kind === 'int' && (prev?.kind !== 'numeric' || prev.integer);
        axes.set(param, { kind: 'numeric', param, low, high, log: log && low > 0, integer });
      }
    }
  }
  return [...axes.values()];
}

/** A choice as a label: strings as they are, other values as JSON (`true`, `null`, `3`). */
export function choiceLabel(v: ParamValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Where `v` sits on a numeric axis, in [0, 1] (log axes in log space; a single-value axis at 0.5). */
export function axisPosition(axis: Extract<ParamAxis, { kind: 'numeric' }>, v: number): number {
  const t = (x: number) => (axis.log ? Math.log(x) : x);
  return axis.high > axis.low ? (t(v) - t(axis.low)) / (t(axis.high) - t(axis.low)) : 0.5;
}

/** The value at position p in [0, 1] of a numeric axis (the inverse of axisPosition). */
export function axisValue(axis: Extract<ParamAxis, { kind: 'numeric' }>, p: number): number {
  return axis.log ? Math.exp(Math.log(axis.low) + p * (Math.log(axis.high) - Math.log(axis.low))) : axis.low + p * (axis.high - axis.low);
}

/** Powers of ten inside [low, high] (tick values of a log axis), or undefined when there are fewer than two. */
export function decades(low: number, high: number): number[] | undefined {
  const out: number[] = [];
  for (let k = Math.ceil(Math.log10(low) - 1e-9); k <= Math.floor(Math.log10(high) + 1e-9); k++) out.push(Number(`1e${k}`));
  return out.length >= 2 ? out : undefined;
}

/** A short tick label: 4 significant digits, exponent notation for very small or large numbers. */
export function tickLabel(x: number): string {
  const r = Number(x.toPrecision(4));
  return r !== 0 && (Math.abs(r) < 1e-3 || Math.abs(r) >= 1e6) ? r.toExponential() : String(r);
}
