import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@anneal/onnx';
import { ConfigError, PipelineError } from './errors.js';
import type { ConfigSource, Pipeline } from './pipeline.js';

/** How the worker processes of a command ended. */
export interface WorkersEnded {
  /** Workers that exited with an error (code not 0, or a signal). */
  readonly failed: number;
  /** The last error line of each worker (after its error prefix), if it printed one. */
  readonly errors: readonly (string | undefined)[];
}

/**
 * Forks `count` worker processes on this machine (`anneal tune --parallel`, `anneal pbt
 * --parallel`) and waits until all have exited. Each runs `entry` (a module URL: compiled, or a
 * source file that worker-boot.mjs at the package root loads through tsx) with `args` after it,
 * in `cwd`; stdout is inherited, stderr passed through to this process's, and the last line
 * starting with `errorPrefix` (what a worker prints before exiting 1) kept for the error.
 *
 * @example
 * const ended = await runWorkers(new URL('./tune-worker.js', import.meta.url).href, [configFile, json], 3, baseDir, WORKER_ERROR);
 */
export async function runWorkers(entry: string, args: readonly string[], count: number, cwd: string, errorPrefix: string): Promise<WorkersEnded> {
  const boot = fileURLToPath(new URL('../worker-boot.mjs', import.meta.url));
  const workers = Array.from({ length: count }, () => fork(boot, [entry, ...args], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], cwd }));
  const seen = workers.map((w) => forwardErrors(w, errorPrefix));
  const codes = await Promise.all(workers.map((w) => new Promise<number>((r) => w.once('close', (code) => r(code ?? 1)))));
  return { failed: codes.filter((code) => code !== 0).length, errors: seen.map((s) => s.last) };
}

/** The URL of a worker entry module beside `from` (`import.meta.url` of its caller): `.ts` when running the sources, else `.js`. */
export const workerEntry = (name: string, from: string) => new URL(`./${name}.${from.endsWith('.ts') ? 'ts' : 'js'}`, from).href;

/** Passes a worker's stderr through to this process's and keeps its last error (the line its entry prints before exiting 1). */
function forwardErrors(worker: ChildProcess, prefix: string): { last?: string } {
  const seen: { last?: string } = {};
  let partial = '';
  worker.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    process.stderr.write(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith(prefix)) seen.last = line.slice(prefix.length);
  });
  return seen;
}

/**
 * The error of a run whose every worker exited with an error: how many said which error, the
 * first one's words, and whether running again resumes it (not when its study is lost).
 */
export function workersFailed(lines: readonly (string | undefined)[], what: string, code: string): PipelineError {
  const said = lines.filter((l): l is string => !!l);
  const counts = new Map<string, number>();
  for (const l of said) counts.set(l.slice(0, l.indexOf(':')), (counts.get(l.slice(0, l.indexOf(':'))) ?? 0) + 1);
  const names = [...counts].map(([name, n]) => `${n} x ${name}`).join(', ');
  const first = said[0];
  const next = counts.has('StudyLostError') ? 'the study cannot be resumed from this storage (see the error)' : 'fix the cause and run the same command again: the study resumes';
  return new PipelineError(code, `all ${lines.length} worker processes exited with an error${first ? ` (${names}; the first: ${first})` : ' (printed above)'}; ${what}; ${next}`);
}

/** What {@link runCommandWorkers} needs of the command that starts them. */
export interface CommandWorkers {
  /** The worker entry module's name beside `from` (see workerEntry). */
  entry: string;
  from: string;
  /** The command's config: a file, or an object written to `<dir>/<command>.json` (`resolved` is what is written) for the workers to read. */
  source: ConfigSource<Record<string, unknown>>;
  resolved: Record<string, unknown>;
  command: 'tune' | 'pbt';
  /** The run folder. */
  dir: string;
  parallel: number;
  /** What else a worker needs (storage, budget...), passed as JSON beside the folder, base folder and plugin packages. */
  options: Record<string, unknown>;
  errorPrefix: string;
  /** Ends the error when every worker failed: what did not happen. */
  unfinished: string;
  code: string;
  /** Logged when some (not all) workers failed. */
  someFailed: (failed: number) => string;
}

/**
 * Runs a command's work in `parallel` worker processes on this machine (`anneal tune --parallel`,
 * `anneal pbt --parallel`): each composes its own pipeline (so in-code plugin descriptors are
 * refused: only packages travel) and reads the config from a file. Throws when every worker
 * failed; logs when some did.
 */
export async function runCommandWorkers(pipeline: Pipeline, w: CommandWorkers): Promise<void> {
  if (pipeline.inCodePlugins > 0) throw new ConfigError(`parallel ${w.parallel}: worker processes cannot see the ${pipeline.inCodePlugins} plugin descriptor(s) this pipeline was given in code; export them from a package and name it (createPipeline({ plugins: ['<package>'] }) or the config's plugins), or run with parallel: 1`);
  const configFile = typeof w.source === 'string' ? resolve(w.source) : join(w.dir, `${w.command}.json`);
  if (typeof w.source !== 'string') writeFileAtomic(configFile, JSON.stringify(w.resolved, null, 2) + '\n');
  const args = [configFile, JSON.stringify({ ...w.options, out: resolve(w.dir), baseDir: pipeline.baseDir, plugins: pipeline.pluginPackageNames })];
  const { failed, errors } = await runWorkers(workerEntry(w.entry, w.from), args, w.parallel, pipeline.baseDir, w.errorPrefix);
  if (failed === w.parallel) throw workersFailed(errors, w.unfinished, w.code);
  if (failed) pipeline.io.err(w.someFailed(failed));
}
