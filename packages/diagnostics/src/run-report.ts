import { accuracyChart, batchLossChart, lineChartVegaLite, lossChart, ratioChart, scheduleChart, type ReportChart, type ReportDocument, type ReportFinding, type ReportSection } from '@anneal/report';
import type { RunCurves } from './curves.js';
import type { Finding } from './findings.js';

/** At most `max` evenly spaced items (long runs would otherwise make huge charts). */
export function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const stride = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * stride)]!);
}

const pct = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | undefined, digits = 4) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));

/** The doctor's findings in the report's shape. */
export function reportFindings(findings: readonly Finding[]): ReportFinding[] {
  return findings.map((f) => ({ severity: f.severity, title: f.title, evidence: [...f.evidence], suggestion: f.suggestion }));
}

/** Status of a section holding these findings. */
export function findingsStatus(findings: readonly Finding[]): 'ok' | 'warning' | 'error' {
  return findings.some((f) => f.severity === 'error') ? 'error' : findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok';
}

/**
 * The charts of one run's curves, names prefixed with `prefix`: mean training loss per epoch
 * with its ±std band (and validation loss), raw per-batch loss with its smoothed line, train and
 * validation accuracy, the learning rate, and update/weight ratios per tensor (when recorded).
 */
export function runCharts(prefix: string, curves: RunCurves, label = ''): ReportChart[] {
  const charts: ReportChart[] = [];
  const at = label ? ` (${label})` : '';
  const batches = curves.batches.filter((b) => Number.isFinite(b.loss));
  const perEpoch = curves.epochs.length && curves.epochs[0]!.step > 0 ? curves.epochs[0]!.step : undefined;
  if (curves.epochs.length) {
    const loss = lossChart(
      curves.epochs.map((e) => ({ epoch: e.epoch, mean: e.trainLoss, std: e.trainLossStd, valLoss: e.valLoss })),
      [],
    );
    loss.title = `Training loss per epoch (mean ± std), validation loss${at}`;
    charts.push({ name: `${prefix}loss`, title: loss.title, spec: lineChartVegaLite(loss), caption: 'The band is one standard deviation of the batch losses within each epoch: a wide band means noisy updates.' });
  }
  if (batches.length >= 2) {
    charts.push({ name: `${prefix}batch-loss`, title: `Loss of every batch${at}`, spec: batchLossChart(thin(batches, 3000).map((b) => ({ step: b.step + 1, loss: b.loss })), { epochSteps: perEpoch, title: `Loss of every batch${at}` }) });
  }
  if (curves.epochs.some((e) => e.trainAccuracy !== undefined || e.valAccuracy !== undefined)) {
    const acc = accuracyChart(curves.epochs.map((e) => ({ epoch: e.epoch, trainAccuracy: e.trainAccuracy, valAccuracy: e.valAccuracy })));
    acc.title = `Accuracy per epoch, train and validation${at}`;
    charts.push({ name: `${prefix}accuracy`, title: acc.title, spec: lineChartVegaLite(acc) });
  }
  if (batches.length >= 2 && batches.some((b) => Number.isFinite(b.lr))) {
    const lr = scheduleChart([{ name: 'lr', values: thin(curves.batches, 3000).map((b) => b.lr) }], { title: `Learning rate per step${at}`, yLabel: 'learning rate' });
    charts.push({ name: `${prefix}lr`, title: lr.title, spec: lineChartVegaLite(lr) });
  }
  if (curves.ratios.length >= 2) {
    charts.push({ name: `${prefix}ratios`, title: `Update / weight ratio per tensor${at}`, spec: ratioChart(thin(curves.ratios, 500), { title: `Update / weight ratio per tensor${at}` }), caption: 'About 1e-3 is typical; far above means the lr is too high for that tensor, far below that it barely learns.' });
  }
  return charts;
}

/** Per-epoch numbers of a run as a table. */
export function epochTable(curves: RunCurves): NonNullable<ReportSection['table']> {
  return {
    columns: ['epoch', 'train loss (mean ± std)', 'val loss', 'train accuracy', 'val accuracy', 'lr'],
    rows: curves.epochs.map((e) => [e.epoch, `${num(e.trainLoss)} ± ${num(e.trainLossStd)}`, num(e.valLoss), pct(e.trainAccuracy), pct(e.valAccuracy), e.lr === undefined ? '' : e.lr.toPrecision(3)]),
  };
}

/** One-line state of a run's curves. */
export function describeCurves(curves: RunCurves): string {
  const last = curves.epochs.at(-1);
  const state = curves.divergence ? `diverged at step ${curves.divergence.step}` : curves.finished ? 'finished' : 'still running';
  const planned = curves.plannedEpochs ? ` of ${curves.plannedEpochs}` : '';
  const acc = last?.valAccuracy !== undefined ? `, last val accuracy ${pct(last.valAccuracy)}` : last?.trainAccuracy !== undefined ? `, last train accuracy ${pct(last.trainAccuracy)}` : '';
  return `${curves.epochs.length}${planned} epochs, ${curves.batches.length} steps, ${state}${last ? `; last train loss ${num(last.trainLoss)}${last.valLoss !== undefined ? `, val loss ${num(last.valLoss)}` : ''}${acc}` : ''}`;
}

/**
 * The report `anneal doctor` writes for one run: the findings with their evidence, then the
 * learning curves and the per-epoch table.
 *
 * @example await writeReport('runs/x/doctor', doctorReport(curves, diagnose(curves), { title: 'Doctor: runs/x' }));
 */
export function doctorReport(curves: RunCurves, findings: readonly Finding[], options: { title: string; subtitle?: string }): ReportDocument {
  return {
    title: options.title,
    subtitle: options.subtitle ?? describeCurves(curves),
    generatedAt: new Date().toISOString(),
    sections: [
      {
        id: 'findings',
        title: 'Diagnosis',
        status: findingsStatus(findings),
        paragraphs: findings.length ? [`${findings.length} finding(s), most severe first.`] : ['No problem found in these curves.'],
        findings: reportFindings(findings),
      },
      { id: 'curves', title: 'Learning curves', status: 'info', charts: runCharts('', curves) },
      { id: 'epochs', title: 'Per-epoch numbers', status: 'info', table: epochTable(curves) },
    ],
  };
}
