import { gridChart, lineChartVegaLite, lrProbeChart, rangeTestChart, type ReportDocument, type ReportSection } from '@anneal/report';
import { bestRun, RECIPE_STEPS, type RecipeState, type RecipeStep } from './recipe.js';
import type { RefinedRun } from './refine.js';
import { describeCurves, epochTable, findingsStatus, reportFindings, runCharts } from './run-report.js';

const sci = (x: number) => x.toExponential(1).replace('.0e', 'e');
const pct = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(2)}%`);

const TITLES: Record<RecipeStep, string> = {
  'initial-loss': '1. Initial loss check',
  overfit: '2. Overfit a small sample',
  'lr-probe': '3a. Learning-rate probe',
  'range-test': '3b. Learning-rate range test',
  grid: '4. Coarse grid: learning rate x weight decay',
  refine: '5. Refine: the best few, longer, without lr decay',
  repeat: '7. Repeat with the doctor’s suggestions',
};

function pending(step: RecipeStep, state: RecipeState): ReportSection {
  return { id: step, title: TITLES[step], status: 'skipped', paragraphs: [state.halted ? `Not run: the recipe stopped at ${state.halted.step}.` : 'Not run yet (the recipe was stopped before this step; `anneal recipe --resume <dir>` continues).'] };
}

function runSection(run: RefinedRun, monitor: string): ReportSection {
  return {
    id: run.label,
    title: `${run.label}: lr ${sci(run.lr)}, weight decay ${run.weightDecay}, ${run.epochs} epochs, ${run.lrSchedule} lr${run.capacity !== 1 ? `, widths x${run.capacity}` : ''}`,
    status: findingsStatus(run.findings),
    paragraphs: [`${run.origin}. ${monitor} ${run.value.toFixed(4)}${run.test?.accuracy !== undefined ? `, test accuracy ${pct(run.test.accuracy)}` : ''}; ${describeCurves(run.curves)}; ${run.seconds.toFixed(1)} s.`, run.findings.length ? 'The doctor’s reading of these curves:' : 'The doctor found nothing to fix in these curves.'],
    findings: reportFindings(run.findings),
    charts: runCharts(`${run.label}-`, run.curves, run.label),
    table: epochTable(run.curves),
  };
}

/**
 * The recipe's report: a summary (best run, its test accuracy, the doctor's findings), then one
 * section per step with its numbers and charts (probe curves, range test, grid heatmap, learning
 * curves of the refined runs with loss bands, accuracies, lr and update/weight ratios).
 *
 * @example await writeReport('runs/recipe', recipeReport(state, { title: 'Recipe', monitor: 'val.accuracy', direction: 'maximize' }));
 */
export function recipeReport(state: RecipeState, options: { title: string; subtitle?: string; monitor: string; direction: 'maximize' | 'minimize' }): ReportDocument {
  const { monitor } = options;
  const best = bestRun(state, options.direction);
  const sections: ReportSection[] = [];
  const summary: string[] = [];
  if (state.halted) summary.push(`The recipe stopped at step ${state.halted.step}: ${state.halted.reason}.`);
  if (best) summary.push(`Best run: ${best.label} (lr ${sci(best.lr)}, weight decay ${best.weightDecay}, ${best.epochs} epochs, ${best.lrSchedule} lr) with ${monitor} ${best.value.toFixed(4)}${best.test?.accuracy !== undefined ? ` and test accuracy ${pct(best.test.accuracy)} (${best.test.count} held-out examples, never used for choices)` : ''}.`);
  summary.push(`Steps done: ${state.done.join(', ') || 'none'}.`);
  sections.push({ id: 'summary', title: 'Summary', status: state.halted ? 'error' : best ? findingsStatus(best.findings) : 'info', paragraphs: summary, findings: best ? reportFindings(best.findings) : undefined });
  for (const step of RECIPE_STEPS) {
    if (!state.done.includes(step)) {
      sections.push(pending(step, state));
      continue;
    }
    if (step === 'initial-loss' && state.initialLoss) {
      const r = state.initialLoss;
      sections.push({ id: step, title: TITLES[step], status: r.ok ? 'ok' : 'warning', paragraphs: [`Fresh model, weight decay off, ${r.examples} training examples: ${r.verdict}.`], bullets: r.causes.length ? r.causes.map((c) => `Likely cause: ${c}`) : undefined, table: { columns: ['observed', 'expected', 'ratio'], rows: [[r.observed.toFixed(4), r.expected.toFixed(4), r.ratio.toFixed(3)]] } });
    } else if (step === 'overfit' && state.overfit) {
      const r = state.overfit;
      const series = [{ name: 'loss per step', points: r.losses.map((l, i) => ({ x: i + 1, y: l })) }, { name: 'loss on the sample', points: r.checks.map((c) => ({ x: c.step, y: c.loss })), mark: 'line+points' as const }];
      const chart = lineChartVegaLite({ title: `Overfitting ${r.examples} examples at lr ${r.lr}`, x: { label: 'step' }, y: { label: 'loss', log: true }, series });
      sections.push({ id: step, title: TITLES[step], status: r.reached ? 'ok' : 'error', paragraphs: [r.verdict + '.'], bullets: r.causes.length ? [...r.causes] : undefined, charts: [{ name: 'overfit', title: `Loss while overfitting ${r.examples} examples`, spec: chart }], table: { columns: ['step', 'loss', 'training accuracy'], rows: r.checks.filter((_, i, a) => i % Math.ceil(a.length / 12) === 0 || i === a.length - 1).map((c) => [c.step, c.loss.toFixed(4), pct(c.accuracy)]) } });
    } else if (step === 'lr-probe' && state.lrProbe) {
      const r = state.lrProbe;
      sections.push({
        id: step,
        title: TITLES[step],
        status: r.kept.length ? 'ok' : 'error',
        paragraphs: [`Each learning rate trained a fresh model for ${r.iterations} steps on all the training data with weight decay ${r.weightDecay}; a rate is kept when its loss fell by 10% or more.`],
        table: { columns: ['lr', 'first loss', 'final loss (last tenth)', 'drop', 'kept'], rows: r.runs.map((x) => [sci(x.lr), x.initial.toFixed(4), x.diverged ? 'diverged' : x.final.toFixed(4), x.diverged ? '' : `${(x.drop * 100).toFixed(0)}%`, x.kept ? 'yes' : 'no']) },
        charts: [{ name: 'lr-probe', title: 'Loss per step for each probed learning rate', spec: lrProbeChart(r.runs.map((x) => ({ lr: x.lr, losses: x.losses, kept: x.kept }))) }],
      });
    } else if (step === 'range-test' && state.rangeTest) {
      const r = state.rangeTest;
      const text = r.suggested !== undefined ? `The smoothed loss falls fastest at lr ${sci(r.suggested)} (the suggestion); it is lowest at ${sci(r.minimum!)}, a tenth of which is ${sci(r.minimumOver10!)}.` : 'No descending stretch was found.';
      sections.push({ id: step, title: TITLES[step], status: r.suggested !== undefined ? 'ok' : 'warning', paragraphs: [`One fresh model trained ${r.lrs.length} steps with the learning rate growing exponentially from ${sci(r.lrs[0] ?? NaN)} to ${sci(r.lrs.at(-1) ?? NaN)}${r.stoppedEarly ? ', stopped when the loss blew up' : ''}. ${text}`], charts: r.lrs.length ? [{ name: 'range-test', title: 'Loss against learning rate (range test)', spec: rangeTestChart({ lrs: r.lrs.slice(0, r.smoothed.length), losses: r.losses.slice(0, r.smoothed.length), smoothed: r.smoothed, suggested: r.suggested, minimum: r.minimum }) }] : undefined });
    } else if (step === 'grid' && state.grid) {
      const g = state.grid;
      const pruned = g.cells.filter((c) => c.state === 'pruned').length;
      sections.push({
        id: step,
        title: TITLES[step],
        status: g.ranking.length ? 'ok' : 'error',
        paragraphs: [`${g.cells.length} cells of ${g.epochs} epochs through an @anneal/search study (grid sampler, median pruning): ${g.ranking.length} complete, ${pruned} pruned, ${g.cells.length - g.ranking.length - pruned} failed.`],
        table: { columns: ['rank', 'lr', 'weight decay', monitor, 'state', 'epochs', 'seconds'], rows: [...g.ranking, ...g.cells.filter((c) => c.state !== 'complete')].map((c, i) => [c.state === 'complete' ? i + 1 : '', sci(c.lr), c.weightDecay, c.value === undefined ? '' : c.value.toFixed(4), c.state, c.epochs, c.seconds.toFixed(1)]) },
        charts: [{ name: 'grid', title: `Grid: ${monitor} by learning rate and weight decay`, spec: gridChart(g.cells.map((c) => ({ lr: c.lr, weightDecay: c.weightDecay, value: c.state === 'complete' ? c.value : undefined, state: c.state })), { metric: monitor, direction: g.direction }) }],
      });
    } else if (step === 'refine' && state.refine) {
      sections.push({ id: step, title: TITLES[step], status: 'info', table: { columns: ['run', 'lr', 'weight decay', 'epochs', monitor, 'test accuracy', 'findings'], rows: state.refine.map((r) => [r.label, sci(r.lr), r.weightDecay, r.epochs, r.value.toFixed(4), pct(r.test?.accuracy), r.findings.map((f) => f.id).join(', ') || 'none']) } });
      for (const run of state.refine) sections.push(runSection(run, monitor));
    } else if (step === 'repeat' && state.repeat) {
      sections.push({ id: step, title: TITLES[step], status: 'info', paragraphs: state.repeat.length ? state.repeat.map((r) => `${r.run.label}: ${r.changes.join('; ')} -> ${monitor} ${r.run.value.toFixed(4)} (${r.improved ? 'better than' : 'not better than'} the run it started from).`) : ['The best run had no finding the recipe can act on.'] });
      for (const round of state.repeat) sections.push(runSection(round.run, monitor));
    }
  }
  return { title: options.title, subtitle: options.subtitle, generatedAt: new Date().toISOString(), sections };
}
