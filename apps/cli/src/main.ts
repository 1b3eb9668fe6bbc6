import { createRequire } from 'node:module';
import { Command } from 'commander';
import { commandContext } from './context.js';
import { dashboardCommand } from './commands/dashboard.js';
import { doctorCommand } from './commands/doctor.js';
import { ensembleCommand } from './commands/ensemble.js';
import { evaluateCommand } from './commands/evaluate.js';
import { featuresCommand } from './commands/features.js';
import { finetuneCommand } from './commands/finetune.js';
import { fitCommand } from './commands/fit.js';
import { gradCommand } from './commands/grad.js';
import { inspectCommand } from './commands/inspect.js';
import { pbtCommand } from './commands/pbt.js';
import { predictCommand } from './commands/predict.js';
import { recipeCommand } from './commands/recipe.js';
import { resumeCommand } from './commands/resume.js';
import { scheduleCommand } from './commands/schedule.js';
import { trainCommand } from './commands/train.js';
import { tuneCommand } from './commands/tune.js';
import type { CliIo } from './terminal-io.js';

export type { CliIo };

const consoleIo: CliIo = { out: (s) => console.log(s), err: (s) => console.error(s) };

/** The `anneal` program: argument parsing and printing only; every command composes through @anneal/pipeline. */
export function buildProgram(io: CliIo = consoleIo): Command {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  const program = new Command('anneal')
    .description('Training dynamics for neural networks on ONNX Runtime')
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const ctx = commandContext(io);
  for (const add of [gradCommand, trainCommand, fitCommand, resumeCommand, evaluateCommand, predictCommand, inspectCommand, featuresCommand, finetuneCommand, tuneCommand, pbtCommand, doctorCommand, recipeCommand, ensembleCommand, scheduleCommand]) add(program, ctx);
  dashboardCommand(program, ctx);
  return program;
}

/**
 * Stable `code`s of the typed errors that mean "your input is wrong" (exit 2): configs and plugin
 * options, and every input file format's validation (ONNX models and their tensors, .npy/CSV data
 * and labels, safetensors checkpoints and the Trainer state in them).
 */
const INPUT_ERROR_CODES = new Set(['CONFIG', 'PLUGIN_CONFIG', 'DATA', 'MALFORMED_MODEL', 'INVALID_TENSOR', 'MODEL_NOT_FOUND', 'EXTERNAL_DATA', 'CHECKPOINT_CORRUPT', 'CHECKPOINT_NOT_FOUND', 'CHECKPOINT_STATE', 'RESUME_MISMATCH', 'MODEL_OUTPUT', 'MODEL_LOAD', 'MEMORY_LIMIT', 'FOLDER', 'INFERENCE_METADATA', 'IMAGE_DECODE', 'SHAPE_MISMATCH']);

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage, config or input-file error). */
export async function main(argv: string[], io: CliIo = consoleIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith('commander.')) return err.exitCode ?? 2;
    io.err(`anneal: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
    if (process.env.ANNEAL_DEBUG) io.err(String(err.stack));
    // config and input errors (ConfigError of @anneal/pipeline, PluginConfigError of @anneal/plugin, DataError...) by their stable codes
    return err.code !== undefined && INPUT_ERROR_CODES.has(err.code) ? 2 : 1;
  }
}
