import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatSummary } from './fit.js';
import { formatFinetuneSummary } from './finetune.js';

/** `anneal resume <run-dir>`: fit and finetune runs alike. */
export function resumeCommand(program: Command, ctx: CommandContext): void {
  program
    .command('resume')
    .description('continue a run (killed or stopped) from its last checkpoint; the result equals an uninterrupted run')
    .argument('<run-dir>', 'the run folder anneal fit or anneal finetune wrote (a finetune run keeps its finished phases)')
    .option('--no-progress', 'no progress bars')
    .action(async (dir: string, o: { progress: boolean }) => {
      const pipeline = await ctx.pipeline({ progress: o.progress });
      const { isFinetuneRun } = await import('@anneal/pipeline');
      if (isFinetuneRun(dir)) ctx.io.out(formatFinetuneSummary(await pipeline.resumeFinetune(dir)));
      else ctx.io.out(formatSummary(await pipeline.resume(dir)));
    });
}
