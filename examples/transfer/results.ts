// Step 4: mean ± std over seeds, the Markdown table and the accuracy chart.
import { writeChart, type LineChartSpec } from '@anneal/report';
import { METHODS, type Method, type MethodRun } from './methods.js';

/** One cell of the results table: a method at n examples per class, over the seeds. */
export interface Summary {
  method: Method;
  perClass: number;
  seeds: number;
  /** Mean and sample standard deviation (n - 1) of test accuracy over the seeds. */
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Mean wall-clock seconds per run and optimizer steps per run. */
  seconds: number;
  steps: number;
}

/** Groups runs by (method, n) and summarizes test accuracy over seeds. */
export function summarize(runs: readonly MethodRun[]): Summary[] {
  const out: Summary[] = [];
  const sizes = [...new Set(runs.map((r) => r.perClass))].sort((a, b) => a - b);
  for (const perClass of sizes) {
    for (const method of METHODS) {
      const group = runs.filter((r) => r.method === method && r.perClass === perClass);
      if (!group.length) continue;
      const acc = group.map((r) => r.accuracy);
      const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
      const std = acc.length > 1 ? Math.sqrt(acc.reduce((a, b) => a + (b - mean) ** 2, 0) / (acc.length - 1)) : 0;
      out.push({
        method,
        perClass,
        seeds: group.length,
        mean,
        std,
        min: Math.min(...acc),
        max: Math.max(...acc),
        seconds: group.reduce((a, r) => a + r.seconds, 0) / group.length,
        steps: group[0]!.steps,
      });
    }
  }
  return out;
}

const pct = (v: number, digits = 1) => (v * 100).toFixed(digits);

/** The results table: one row per n, a `mean ± std %` column per method, then seconds per run. */
export function accuracyTable(summary: readonly Summary[]): string {
  const sizes = [...new Set(summary.map((s) => s.perClass))];
  const cell = (m: Method, n: number) => summary.find((s) => s.method === m && s.perClass === n);
  const lines = [
    `| examples per class | steps | ${METHODS.map((m) => `${m} (acc. %)`).join(' | ')} | ${METHODS.map((m) => `${m} (s/run)`).join(' | ')} |`,
    `|---:|---:|${METHODS.map(() => '---:').join('|')}|${METHODS.map(() => '---:').join('|')}|`,
  ];
  for (const n of sizes) {
    const accs = METHODS.map((m) => {
      const s = cell(m, n);
      return s ? `${pct(s.mean)} ± ${pct(s.std)}` : '—';
    });
    const best = Math.max(...METHODS.map((m) => cell(m, n)?.mean ?? -1));
    const marked = accs.map((a, i) => (cell(METHODS[i]!, n)?.mean === best ? `**${a}**` : a));
    const secs = METHODS.map((m) => cell(m, n)?.seconds.toFixed(1) ?? '—');
    lines.push(`| ${n} | ${cell(METHODS[0], n)?.steps ?? '—'} | ${marked.join(' | ')} | ${secs.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Paired differences to scratch (same seed = same training images): mean in points, then each
 * seed's difference, for every other method and n.
 */
export function pairedTable(runs: readonly MethodRun[]): string {
  const others = METHODS.filter((m) => m !== 'scratch');
  const sizes = [...new Set(runs.map((r) => r.perClass))].sort((a, b) => a - b);
  const lines = [`| examples per class | ${others.map((m) => `${m} − scratch (points)`).join(' | ')} |`, `|---:|${others.map(() => '---').join('|')}|`];
  const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;
  for (const n of sizes) {
    const cells = others.map((m) => {
      const diffs = runs
        .filter((r) => r.method === m && r.perClass === n)
        .map((r) => (r.accuracy - runs.find((s) => s.method === 'scratch' && s.perClass === n && s.seed === r.seed)!.accuracy) * 100);
      if (!diffs.length) return '—';
      return `${signed(diffs.reduce((a, b) => a + b, 0) / diffs.length)} (${diffs.map(signed).join(', ')})`;
    });
    lines.push(`| ${n} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Per-seed accuracies, for the appendix of results.md. */
export function runsTable(runs: readonly MethodRun[]): string {
  const lines = ['| method | examples per class | seed | test accuracy % | epochs | steps | final train loss | seconds |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of runs) lines.push(`| ${r.method} | ${r.perClass} | ${r.seed} | ${pct(r.accuracy, 2)} | ${r.epochs} | ${r.steps} | ${r.finalLoss.toFixed(4)} | ${r.seconds.toFixed(2)} |`);
  return lines.join('\n');
}

/** Test accuracy against examples per class (log x), one line per method with a ± std band. */
export function accuracyChartSpec(summary: readonly Summary[]): LineChartSpec {
  return {
    title: `Digits 5-9 after pre-training on 0-4: test accuracy, mean ± std over ${summary[0]?.seeds ?? 0} seeds`,
    x: { label: 'training examples per class (log scale)', log: true },
    y: { label: 'test accuracy (%)' },
    series: METHODS.map((m) => ({
      name: m,
      mark: 'line+points' as const,
      points: summary.filter((s) => s.method === m).map((s) => ({ x: s.perClass, y: s.mean * 100, lo: (s.mean - s.std) * 100, hi: (s.mean + s.std) * 100 })),
    })),
    width: 720,
    height: 400,
  };
}

/** Writes `<dir>/accuracy-vs-examples.svg` and `.png`. */
export async function writeAccuracyChart(dir: string, summary: readonly Summary[]): Promise<{ svg: string; png: string }> {
  return writeChart(`${dir}/accuracy-vs-examples`, accuracyChartSpec(summary));
}
