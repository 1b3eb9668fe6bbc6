import { createPipeline, type Pipeline } from '@anneal/pipeline';
import { terminalIo, type CliIo } from './terminal-io';

/** What every command gets: where to print, and a pipeline printing there (with bars unless --no-progress). */
export interface CommandContext {
  io: CliIo;
  pipeline(options?: { progress?: boolean }): Promise<Pipeline>;
}

export function commandContext(io: CliIo): CommandContext {
  return { io, pipeline: ({ progress = false } = {}) => createPipeline({ io: terminalIo(io, progress) }) };
}
