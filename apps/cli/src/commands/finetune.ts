import type { Command } from 'commander';
import type { FinetuneSummary } from '@anneal/pipeline';
import type { CommandContext } from '../context.js';
import { parseDevice } from '../options.js';

/** The summary block printed at the end of `anneal finetune`. */
export function formatFinetuneSummary(s: FinetuneSummary): string {
  const lines = [`backbone: ${s.backbone.path} cut at ${s.backbone.cutAt}${s.backbone.featureDim ? ` (${s.backbone.featureDim}-d)` : ''}`];
  for (const p of s.phases) {
    lines.push(`${p.phase === 'features' ? 'head on features' : 'fine-tuning'}: ${p.epochs} epochs, ${p.steps} steps, ${p.trainable} trained tensors${p.frozen ? ` (${p.frozen} frozen)` : ''}: test accuracy ${((p.test.accuracy ?? 0) * 100).toFixed(2)}%, loss ${p.test.loss.toFixed(4)} (${p.runDir})`);
  }
  lines.push(`model.onnx (backbone + head) with plain ONNX Runtime: test accuracy ${(s.exported.accuracy * 100).toFixed(2)}% on ${s.exported.count} examples`);
  lines.push(`model:   ${s.exported.model}`);
  lines.push(`done in ${s.seconds.toFixed(1)} s -> ${s.runDir}`);
  return lines.join('\n');
}

/** `anneal finetune <config>`. */
export function finetuneCommand(program: Command, ctx: CommandContext): void {
  program
    .command('finetune')
    .description('transfer learning from a pre-trained ONNX backbone: head on cached features, fine-tuning with freezing and layer-wise lr decay, or LP-FT; writes one backbone + head model')
    .argument('<config>', 'finetune config (.json, .yaml)')
    .option('--out <dir>', 'run folder (default runs/<name>, or runs/<name>-N when taken)')
    .option('--device <device>', 'override train.device: cpu, cuda, cuda:<id> or wasm', parseDevice)
    .option('--no-progress', 'no progress bars')
    .action(async (config: string, o: { out?: string; device?: ReturnType<typeof parseDevice>; progress: boolean }) => {
      const pipeline = await ctx.pipeline({ progress: o.progress });
      ctx.io.out(formatFinetuneSummary(await pipeline.finetune(config, { out: o.out, device: o.device })));
    });
}
