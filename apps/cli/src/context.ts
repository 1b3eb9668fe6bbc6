import type { Pipeline } from '@anneal/pipeline';
import { terminalIo, type CliIo } from './terminal-io.js';

/** What every command gets: where to print, and a pipeline printing there (with bars unless --no-progress). */
export interface CommandContext {
  io: CliIo;
  pipeline(options?: { progress?: boolean }): Promise<Pipeline>;
}

/** The context of the commands; @anneal/pipeline (ONNX Runtime and all) is loaded when a command runs, so `--help` starts fast. */
export function commandContext(io: CliIo): CommandContext {
  return { io, pipeline: async ({ progress = false } = {}) => (await import('@anneal/pipeline')).createPipeline({ io: terminalIo(io, progress) }) };
}
