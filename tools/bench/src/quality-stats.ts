/** Statistics and the Markdown table of `npm run bench search-quality`. */
import { seededRandom } from '@anneal/data';

/** Median of a list (the mean of the two middle values for even lengths). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Standard error of the median: standard deviation of 2000 seeded bootstrap medians. */
export function medianStandardError(xs: readonly number[]): number {
  const rand = seededRandom(12345);
  const medians: number[] = [];
  for (let b = 0; b < 2000; b++) medians.push(median(xs.map(() => xs[Math.floor(rand() * xs.length)]!)));
  const mean = medians.reduce((a, v) => a + v, 0) / medians.length;
  return Math.sqrt(medians.reduce((a, v) => a + (v - mean) ** 2, 0) / (medians.length - 1));
}

/** Mean and its standard error. */
export function meanWithError(xs: readonly number[]): { mean: number; se: number } {
  const mean = xs.reduce((a, v) => a + v, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, se: sd / Math.sqrt(xs.length) };
}

/** A compact number: 4 significant digits, exponent form outside [1e-3, 1e5). */
export function fmt(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
}

/** One sampler's runs on one function: best value after each budget, per seed. */
export interface SamplerRuns {
  readonly side: 'anneal' | 'optuna';
  readonly sampler: string;
  readonly best: readonly (readonly number[])[];
}

/** The summary of one cell: median best ± SE, mean regret ± SE. */
export interface Cell {
  readonly median: number;
  readonly medianSe: number;
  readonly regret: number;
  readonly regretSe: number;
}

export function cell(values: readonly number[], minimum: number): Cell {
  const r = meanWithError(values.map((v) => v - minimum));
  return { median: median(values), medianSe: medianStandardError(values), regret: r.mean, regretSe: r.se };
}

/** The Markdown section of one function: a row per sampler, columns per budget; and the verdict at `goal` trials. */
export function functionTable(fn: string, minimum: number, runs: readonly SamplerRuns[], budgets: readonly number[], goal: number): { markdown: string; verdict: string; beats: boolean | undefined } {
  const header = `| sampler | ${budgets.map((b) => `median best @${b} | mean regret @${b}`).join(' | ')} |`;
  const rule = `|---|${budgets.map(() => '---:|---:').join('|')}|`;
  const cells = runs.map((r) => ({ r, cells: budgets.map((_, i) => cell(r.best.map((b) => b[i]!), minimum)) }));
  const rows = cells.map(({ r, cells: cs }) => `| ${r.side} ${r.sampler}${r.best.length !== runs[0]!.best.length ? ` (${r.best.length} seeds)` : ''} | ${cs.map((c) => `${fmt(c.median)} ± ${fmt(c.medianSe)} | ${fmt(c.regret)} ± ${fmt(c.regretSe)}`).join(' | ')} |`);
  const gi = budgets.indexOf(goal);
  let verdict = '';
  let beats: boolean | undefined;
  if (gi >= 0) {
    const bestOf = (side: 'anneal' | 'optuna') => cells.filter((c) => c.r.side === side).sort((a, b) => a.cells[gi]!.median - b.cells[gi]!.median)[0];
    const a = bestOf('anneal');
    const o = bestOf('optuna');
    if (a && o) {
      const ca = a.cells[gi]!;
      const co = o.cells[gi]!;
      beats = ca.median + ca.medianSe < co.median - co.medianSe;
      const tie = ca.median <= co.median;
      verdict = `${fn} @${goal}: best anneal ${a.r.sampler} ${fmt(ca.median)} ± ${fmt(ca.medianSe)} vs best optuna ${o.r.sampler} ${fmt(co.median)} ± ${fmt(co.medianSe)}: ${beats ? 'BEATS beyond the standard errors' : tie ? 'better or equal but within the standard errors' : 'WORSE'}`;
    }
  }
  return { markdown: [`### ${fn} (minimum ${fmt(minimum)}, ${runs[0]?.best.length ?? 0} seeds)`, '', header, rule, ...rows, '', verdict ? `Goal: ${verdict}.` : ''].join('\n'), verdict, beats };
}
