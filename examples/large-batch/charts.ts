// The charts of results.md, through @anneal/report's line charts (SVG + PNG).
import { writeChart, type ChartSeries, type LineChartSpec, type WrittenChart } from '@anneal/report';
import type { VariantSummary } from './summary.js';
import type { Study } from './variants.js';

const ran = (s: VariantSummary) => !s.skipped && s.perEpoch.length > 0;

/** Test accuracy (%) after each epoch, one series per variant of the study, with a ± std band over the seeds (cut at 0 and 100). */
export function accuracyPerEpoch(summary: readonly VariantSummary[], study: Study, title: string, fromEpoch = 1): LineChartSpec {
  const series: ChartSeries[] = summary
    .filter((s) => s.study === study && ran(s))
    .map((s) => ({
      name: s.label,
      mark: 'line+points',
      points: s.perEpoch.flatMap((p, i) => (i + 1 >= fromEpoch && Number.isFinite(p.mean) ? [{ x: i + 1, y: p.mean * 100, lo: Math.max(0, p.mean - p.std) * 100, hi: Math.min(1, p.mean + p.std) * 100 }] : [])),
    }));
  return { title, x: { label: 'epoch', integer: true }, y: { label: 'test accuracy (%)' }, series, width: 560, height: 360 };
}

/** The lr fed to each update over the first `epochs` epochs (first seed), log scale, one series per variant of the study. */
export function lrPerUpdate(summary: readonly VariantSummary[], study: Study, title: string, epochs: number): LineChartSpec {
  const series: ChartSeries[] = summary
    .filter((s) => s.study === study && ran(s))
    .map((s) => ({ name: s.label, mark: 'line', points: s.lrTrace.filter(([x]) => x <= epochs).map(([x, y]) => ({ x, y })) }));
  return { title, x: { label: 'epoch (fractional: update / updates per epoch)' }, y: { label: 'lr (log scale)', log: true }, series, width: 560, height: 360 };
}

/**
 * Writes `<dir>/main.{svg,png}` (the variants: accuracy per epoch, the same from epoch 5
 * on, and the lr per update) and `<dir>/warmup.{svg,png}` (the two warmup studies).
 */
export async function writeCharts(dir: string, summary: readonly VariantSummary[], seeds: number): Promise<{ main: WrittenChart; warmup?: WrittenChart }> {
  const over = `mean ± std over ${seeds} seed${seeds > 1 ? 's' : ''}`;
  const main = await writeChart(`${dir}/main`, {
    title: 'MNIST MLP: batch 16 vs batch 256 (16x)',
    columns: 2,
    charts: [
      accuracyPerEpoch(summary, 'main', `test accuracy per epoch, ${over}`),
      accuracyPerEpoch(summary, 'main', 'the same from epoch 5 on', 5),
      lrPerUpdate(summary, 'main', 'lr per update, first 6 epochs (LARS/LAMB: the global lr; (a) lies under the baseline, (d1) under (c))', 6),
    ],
  });
  const studies = (['32x', 'lr 0.05'] as const).filter((st) => summary.some((s) => s.study === st && ran(s)));
  if (!studies.length) return { main };
  const warmup = await writeChart(`${dir}/warmup`, {
    title: 'Where warmup matters: 32x the batch, or a higher base lr',
    columns: 2,
    charts: studies.flatMap((st) => [
      accuracyPerEpoch(summary, st, `${st === '32x' ? 'batch 512 vs 16, lr 0.02 tuned at 16' : 'batch 256 vs 16, lr 0.05 tuned at 16'}: test accuracy, ${over}`),
      lrPerUpdate(summary, st, `${st}: lr per update, first 6 epochs`, 6),
    ]),
  });
  return { main, warmup };
}
