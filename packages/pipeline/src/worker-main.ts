import { createPipeline, type Pipeline } from './pipeline.js';

/** What a command's worker process is given (see runCommandWorkers). */
export interface WorkerArgs {
  storage?: string;
  trials?: number;
  parallel?: number;
  out?: string;
  baseDir?: string;
  plugins?: string[];
}

/**
 * The body of a worker entry module (argv = [entry, config file, JSON options]): composes a
 * pipeline with the plugin packages and base folder it was given, runs `work`, and on an error
 * prints it after `errorPrefix` (what the parent keeps) and exits 1.
 */
export async function workerMain(errorPrefix: string, work: (pipeline: Pipeline, configFile: string, args: WorkerArgs) => Promise<unknown>): Promise<void> {
  const [, configFile, json] = process.argv.slice(2);
  const args = JSON.parse(json ?? '{}') as WorkerArgs;
  const pipeline = await createPipeline({ plugins: args.plugins ?? [], baseDir: args.baseDir, io: { out: (s) => console.log(s), err: (s) => console.error(s) } });
  try {
    await work(pipeline, configFile!, args);
  } catch (e) {
    console.error(`${errorPrefix}${(e as Error).name}: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
