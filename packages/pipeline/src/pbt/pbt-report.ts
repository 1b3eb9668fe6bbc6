import { writeReport, type ReportChart, type ReportDocument, type ReportSection } from '@anneal/report';
import { pbtScheduleSpec, pbtScoreSpec, pbtSteps, type FrozenTrial, type PbtResult, type PbtStep } from '@anneal/search';
import type { PbtConfig } from '../config/pbt-config.js';
import { formatCell as fmt } from '../tune/format-cell.js';
import { distributionOf } from '../tune/trial.js';
import type { BestRun } from '../tune/tune-report.js';
import type { TestScore } from '../tune/tune.js';

/** What the PBT report shows. */
export interface PbtReportInput {
  config: PbtConfig;
  storage: string;
  trials: readonly FrozenTrial[];
  result: PbtResult;
  bestRun?: BestRun;
  test?: TestScore;
}

/** Rows of intervals: generation, member, where it started from, each hyperparameter, the score. */
function intervalRows(steps: readonly PbtStep[], params: readonly string[]): (string | number)[][] {
  return steps.map((s) => [s.generation, s.member, s.generation === 0 ? 'initial' : s.exploited ? `copied member ${s.parent}` : 'continued', ...params.map((p) => fmt(s.hyperparameters[p])), s.score === undefined ? '' : fmt(s.score)]);
}

/** The report.html / report.md of a PBT run: the best model and its lineage, the schedule charts, the run, every interval. */
export function pbtReport(input: PbtReportInput): ReportDocument {
  const { config, result } = input;
  const params = Object.keys(config.space);
  const best = result.best;
  const columns = ['generation', 'member', 'start', ...params, config.metric];
  const sections: ReportSection[] = [
    {
      id: 'best',
      title: 'Best model',
      status: 'ok',
      paragraphs: [
        `Member ${best.member} after generation ${best.generation}: ${config.metric} ${fmt(best.score)} (${config.direction}).${input.test?.accuracy !== undefined ? ` Its model on the test split (evaluated after training, not used to rank): accuracy ${(input.test.accuracy * 100).toFixed(2)}% on ${input.test.count} examples, loss ${input.test.loss.toFixed(4)}.` : ''}`,
        `The table is its lineage: the intervals the final weights went through across exploits, so its hyperparameter schedule. ${input.bestRun ? `Its run is copied to ${input.bestRun.dir}: model.onnx, lineage.json, and config.json with the final hyperparameters (\`anneal fit\` of it trains those from scratch, not this schedule).` : ''}`,
      ],
      table: { columns, rows: intervalRows(result.lineage, params) },
    },
  ];
  const steps = pbtSteps(input.trials).filter((s) => s.state === 'complete');
  const charts: ReportChart[] = [{ name: 'pbt-scores', title: 'Scores', spec: pbtScoreSpec(steps, config.direction), caption: `Each member's ${config.metric} after each generation; crosses: intervals that started from a better member's copied checkpoint.` }];
  for (const [param, d] of Object.entries(config.space)) {
    const distribution = distributionOf(d);
    if (distribution.kind !== 'categorical') charts.push({ name: `pbt-${param.replace(/[^\w-]/g, '_')}`, title: `${param} schedule`, spec: pbtScheduleSpec(steps, param, distribution, config.direction), caption: `The ${param} each member trained with, per generation; black: the best final model's lineage.` });
  }
  sections.push({ id: 'schedules', title: 'Schedules', status: 'info', charts });
  sections.push({
    id: 'run',
    title: 'Run',
    status: 'info',
    bullets: [
      `${config.population} members x ${config.generations} generations of ${config.epochsPerGeneration} epoch(s); ${result.steps.filter((s) => s.state === 'complete' && s.exploited).length} exploits`,
      `exploit: the bottom ${((config.quantile ?? 0.25) * 100).toFixed(0)}% copy a top member's checkpoint (weights, optimizer and schedule state); explore: factors ${(config.perturbFactors ?? [0.8, 1.2]).join(' / ')}, resample probability ${config.resampleProbability ?? 0.25}`,
      `storage: ${input.storage}; each member's run folder: members/<k>`,
    ],
  });
  sections.push({ id: 'intervals', title: 'Every interval', status: 'info', table: { columns: ['generation', 'member', 'start', ...params, config.metric], rows: intervalRows([...steps].sort((a, b) => a.generation - b.generation || a.member - b.member), params) } });
  return { title: `PBT ${config.name}`, subtitle: `${config.metric}, ${config.direction}`, generatedAt: new Date().toISOString(), sections };
}

/** Writes `<study>/report.html`, `report.md` and the charts (`<study>/charts/pbt-*.svg` and `.png`). */
export async function writePbtReport(dir: string, input: PbtReportInput): Promise<{ html: string; md: string; charts: string[] }> {
  const out = await writeReport(dir, pbtReport(input));
  return { html: out.html, md: out.md, charts: out.charts.map((c) => c.svg) };
}
