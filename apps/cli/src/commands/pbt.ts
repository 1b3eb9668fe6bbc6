import type { Command } from 'commander';
import type { PbtSummary } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { integer } from '../options.js';

const fmt = (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : JSON.stringify(v));

/** The block printed at the end of `anneal pbt`: the best model, the schedule it followed, where it is. */
export function formatPbtSummary(s: PbtSummary): string {
  const params = Object.keys(s.best.hyperparameters);
  const lines = [
    `pbt ${s.study} (${s.storage}): ${s.population} members x ${s.generations} generations of ${s.epochsPerGeneration} epoch(s), ${s.exploits} exploits, ${s.seconds.toFixed(1)} s`,
    `best: member ${s.best.member}, ${s.metric} ${s.best.score.toFixed(4)}${s.best.test?.accuracy !== undefined ? `; test accuracy ${(s.best.test.accuracy * 100).toFixed(2)}% on ${s.best.test.count} examples` : ''}`,
    'its schedule (lineage, generation by generation):',
    ...s.lineage.map((l) => `  generation ${l.generation}: member ${l.member}${l.exploited ? ` (copied member ${l.parent})` : ''} ${params.map((p) => `${p}=${fmt(l.hyperparameters[p])}`).join(' ')} -> ${l.score === null ? 'NaN' : l.score.toFixed(4)}`),
  ];
  if (s.bestRun) lines.push(`best model: ${s.bestRun.model} (config with the final hyperparameters: ${s.bestRun.config})`);
  lines.push(`report: ${s.report.html}`);
  return lines.join('\n');
}

/** `anneal pbt <config>`. */
export function pbtCommand(program: Command, ctx: CommandContext): void {
  program
    .command('pbt')
    .description('population-based training over a fit config: members train side by side, the worst copy the checkpoints of the best (weights, optimizer and schedule state) and perturb their hyperparameters; intervals trained by parallel worker processes or workers on other machines (same result); lineage, schedules, best model and report; re-running resumes')
    .argument('<config>', 'pbt config (.json, .yaml)')
    .option('--storage <spec>', 'journal file path, or redis://host:port for workers on many machines, which must then all see the run folder (--out: checkpoints and member runs) on a shared mount (default runs/<name>/study.jsonl)')
    .option('--worker', 'train intervals only, against the shared storage and run folder (start one per process/machine beside the run)')
    .option('--parallel <n>', 'worker processes on this machine', integer('--parallel'))
    .option('--out <dir>', 'run folder (default runs/<name>; re-running resumes the run)')
    .option('--force', 'start afresh: delete the run folder first when it holds a PBT run (study.jsonl or summary.json) instead of resuming it')
    .action(async (config: string, o: { storage?: string; worker?: boolean; parallel?: number; out?: string; force?: boolean }) => {
      const summary = await (await ctx.pipeline()).pbt(config, { storage: o.storage, worker: o.worker, parallel: o.parallel, out: o.out, replace: o.force });
      if (summary) ctx.io.out(formatPbtSummary(summary));
    });
}
