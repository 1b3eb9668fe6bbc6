import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { integer } from '../options.js';

/** `anneal schedule plot <config>`. */
export function scheduleCommand(program: Command, ctx: CommandContext): void {
  const schedule = program.command('schedule').description('learning-rate and hyperparameter schedules');
  schedule
    .command('plot')
    .description('plot the schedules of a config over its steps (SVG and PNG)')
    .argument('<config>', 'fit config, or a file with `schedules` (and `steps`)')
    .option('--steps <n>', 'steps to plot', integer('--steps'))
    .option('--steps-per-epoch <n>', 'steps per epoch, for interval: epoch schedules', integer('--steps-per-epoch'))
    .option('--out <path>', 'output path without extension', 'schedule')
    .action(async (config: string, o: { steps?: number; stepsPerEpoch?: number; out: string }) => {
      const r = await (await ctx.pipeline()).schedulePlot(config, o);
      ctx.io.out(`${r.steps} steps plotted: ${r.svg}, ${r.png}`);
    });
}
