// `npm run bench search-quality [--quick] [--seeds N] [--trials N] [--workers N] [--samplers a,b] [--functions f,g] [--side anneal|optuna]
//                               [--no-optuna] [--out FILE] [--markdown FILE] [--merge FILE,...] [--report-only] [--reverse]`
// Sampler quality on standard functions (quality-functions.ts; the Optuna side in
// optuna-quality.py mirrors them): every Anneal sampler (quality-samplers.ts) and every Optuna
// 3.1 sampler (Debian python3-optuna) over seeds 1..N (default 30; --quick: 5 seeds, 100 trials),
// best value after 50/100/200 trials (--trials N: runs of N trials, the budgets up to N);
// median best ± bootstrap standard error and mean regret ± standard error. Jobs run in worker
// processes (--workers, default the number of cores), Anneal first, then Optuna. Results accumulate
// in --out (default runs/search-quality.json): a rerun with the same settings only runs the jobs
// missing there, so an interrupted run resumes. An --out file holding other budgets is refused
// (never overwritten); --merge files may hold longer runs (their best values at these budgets are used).
import { fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUALITY_FUNCTIONS } from './quality-functions.js';
import { ANNEAL_SAMPLERS } from './quality-samplers.js';
import { functionTable, type SamplerRuns } from './quality-stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const python = '/usr/bin/python3';
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const seeds = Number(option('seeds') ?? (quick ? 5 : 30));
const trials = option('trials') === undefined ? undefined : Number(option('trials'));
if (trials !== undefined && !(Number.isInteger(trials) && trials >= 1)) throw new Error(`--trials must be a positive integer, got ${option('trials')}`);
/** Best values are recorded after each budget; a run has max(budgets) trials. */
const budgets = ((all: number[]) => (trials === undefined ? all : [...all.filter((b) => b < trials), trials]))(quick ? [50, 100] : [50, 100, 200]);
const workers = Number(option('workers') ?? cpus().length);
const pick = <T extends string>(all: readonly T[], given?: string): T[] => (given ? all.filter((x) => given.split(',').includes(x)) : [...all]);
const functions = pick(QUALITY_FUNCTIONS.map((f) => f.name), option('functions'));
const out = option('out') ?? join('runs', quick ? 'search-quality-quick.json' : 'search-quality.json');
const markdownOut = option('markdown') ?? out.replace(/\.json$/, '.md');
/** Which side runs jobs: 'anneal', 'optuna' or both (default); `--report-only` runs none and renders what --out (and --merge files) hold. */
const side = option('side') ?? 'both';
const merge = (option('merge') ?? '').split(',').filter(Boolean);

interface Job {
  id: number;
  side: 'anneal' | 'optuna';
  sampler: string;
  fn: string;
  seed: number;
  budgets: number[];
}
interface Done {
  best: number[];
  seconds: number;
  /** Trials the run had, when not max(budgets) of its store (a result merged from longer runs). */
  trials?: number;
}
type Store = { budgets: number[]; results: Record<string, Done> };
const keyOf = (j: Pick<Job, 'side' | 'sampler' | 'fn' | 'seed'>) => `${j.side}/${j.sampler}/${j.fn}/${j.seed}`;

function loadStore(): Store {
  if (!existsSync(out)) return { budgets, results: {} };
  const s = JSON.parse(readFileSync(out, 'utf8')) as Store;
  if (s.budgets.join(',') !== budgets.join(',')) throw new Error(`${out} holds runs with budgets ${s.budgets.join('/')}, not ${budgets.join('/')}: pass another --out (and --merge ${out} to report from it)`);
  return s;
}

/** The results of a --merge file at this run's budgets (its budgets must include them all). */
function mergedResults(file: string): Record<string, Done> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Store;
  const at = budgets.map((b) => s.budgets.indexOf(b));
  if (at.some((i) => i < 0)) throw new Error(`--merge ${file} holds budgets ${s.budgets.join('/')}, which do not include ${budgets.join('/')}`);
  const runTrials = Math.max(...s.budgets);
  return Object.fromEntries(Object.entries(s.results).map(([k, r]) => [k, { best: at.map((i) => r.best[i]!), seconds: r.seconds, ...((r.trials ?? runTrials) !== Math.max(...budgets) ? { trials: r.trials ?? runTrials } : {}) }]));
}

function saveStore(store: Store): void {
  mkdirSync(dirname(out) || '.', { recursive: true });
  writeFileSync(`${out}.tmp`, JSON.stringify(store));
  renameSync(`${out}.tmp`, out);
}

function optunaSamplers(): { version: string; samplers: string[] } | string {
  const r = spawnSync(python, [join(here, 'optuna-quality.py')], { input: '{"list": true}\n', encoding: 'utf8' });
  if (r.error) return `${python} not found`;
  if (r.status !== 0) return `${python} cannot run optuna-quality.py (apt-get install python3-optuna python3-cmaes python3-scipy): ${r.stderr.trim().split('\n').pop()}`;
  const info = JSON.parse(r.stdout) as { optuna: string; samplers: string[] };
  return { version: info.optuna, samplers: info.samplers };
}

/** Runs Anneal jobs in `workers` child processes; calls `done` per finished job. */
async function runAnneal(jobs: Job[], done: (job: Job, r: Done) => void): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: Math.min(workers, queue.length) }, () => new Promise<void>((resolve, reject) => {
      const child = fork(join(here, 'quality-worker.ts'), [], { execArgv: ['--conditions=@anneal/source', '--import', 'tsx'] });
      let current: Job | undefined;
      const next = () => {
        current = queue.shift();
        if (current) child.send(current);
        else child.kill();
      };
      child.on('message', (m: { id: number } & Done) => {
        done(current!, m);
        next();
      });
      child.on('exit', (code) => (current ? reject(new Error(`quality worker exited with ${code} during ${keyOf(current)}`)) : resolve()));
      next();
    })),
  );
}

/** Runs Optuna jobs in one python process with a pool of `workers`. */
function runOptuna(jobs: Job[], done: (job: Job, r: Done) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(here, 'optuna-quality.py')], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
    const byId = new Map(jobs.map((j) => [j.id, j]));
    let buffer = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const r = JSON.parse(line) as { id: number } & Done;
        done(byId.get(r.id)!, r);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`optuna-quality.py exited with ${code}: ${err.trim().slice(-2000)}`))));
    child.stdin.end(JSON.stringify({ jobs: jobs.map(({ id, sampler, fn, seed, budgets: b }) => ({ id, sampler, fn, seed, budgets: b })), workers }) + '\n');
  });
}

/** The search-quality bench (see the file comment). */
export async function runSearchQualityBench(): Promise<void> {
  const store = loadStore();
  const optuna = args.includes('--no-optuna') ? 'skipped (--no-optuna)' : optunaSamplers();
  const annealSamplers = pick(Object.keys(ANNEAL_SAMPLERS), option('samplers'));
  const optunaList = typeof optuna === 'string' ? [] : pick(optuna.samplers, option('samplers'));
  const jobs: Job[] = [];
  // seed-major order: an interrupted run has about the same seeds in every cell
  for (let seed = 1; seed <= seeds; seed++) {
    for (const fn of functions) {
      for (const sampler of annealSamplers) jobs.push({ id: jobs.length, side: 'anneal', sampler, fn, seed, budgets });
      for (const sampler of optunaList) jobs.push({ id: jobs.length, side: 'optuna', sampler, fn, seed, budgets });
    }
  }
  for (const file of merge) Object.assign(store.results, mergedResults(file));
  const todo = args.includes('--report-only') ? [] : jobs.filter((j) => !store.results[keyOf(j)] && (side === 'both' || j.side === side));
  // --reverse: last seeds first (a second process can work from the other end)
  if (args.includes('--reverse')) todo.reverse();
  console.log(`search-quality: ${functions.length} functions x ${seeds} seeds, budgets ${budgets.join('/')}; anneal ${annealSamplers.join(', ')}; optuna ${typeof optuna === 'string' ? optuna : `${optuna.version}: ${optunaList.join(', ')}`}; ${todo.length} of ${jobs.length} jobs to run on ${workers} workers (results in ${out})`);
  let finished = 0;
  const started = performance.now();
  const done = (job: Job, r: Done) => {
    store.results[keyOf(job)] = { best: r.best, seconds: r.seconds };
    finished++;
    if (finished % 20 === 0 || finished === todo.length) {
      saveStore(store);
      console.log(`  ${finished}/${todo.length} jobs (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  };
  await runAnneal(todo.filter((j) => j.side === 'anneal'), done);
  if (optunaList.length) await runOptuna(todo.filter((j) => j.side === 'optuna'), done);
  saveStore(store);

  const sections: string[] = [];
  const verdicts: string[] = [];
  for (const fnName of functions) {
    const fn = QUALITY_FUNCTIONS.find((f) => f.name === fnName)!;
    const runs: SamplerRuns[] = [];
    for (const [side, list] of [['anneal', annealSamplers], ['optuna', optunaList]] as const) {
      for (const sampler of list) {
        const best = Array.from({ length: seeds }, (_, i) => store.results[keyOf({ side, sampler, fn: fnName, seed: i + 1 })]?.best).filter((b): b is number[] => !!b);
        if (best.length) runs.push({ side, sampler, best });
      }
    }
    const t = functionTable(fnName, fn.minimum, runs, budgets, 100);
    sections.push(t.markdown);
    if (t.verdict) verdicts.push(`- ${t.verdict}`);
  }
  // runs of max(budgets) trials of the reported functions only
  const seconds = (side: string, sampler: string) => {
    const xs = Object.entries(store.results).filter(([k, v]) => functions.some((fn) => k.startsWith(`${side}/${sampler}/${fn}/`)) && v.trials === undefined).map(([, v]) => v.seconds);
    return xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '-';
  };
  const timing = [...annealSamplers.map((s) => `anneal ${s} ${seconds('anneal', s)} s`), ...optunaList.map((s) => `optuna ${s} ${seconds('optuna', s)} s`)].join(', ');
  const markdown = [
    `## Search quality (npm run bench search-quality${quick ? ' --quick' : ''}${trials !== undefined ? ` --trials ${trials}` : ''})`,
    '',
    `Median best value ± bootstrap standard error and mean regret (best - known minimum) ± standard error over seeds 1-${seeds}, after ${budgets.join(' / ')} trials; lower is better. Optuna ${typeof optuna === 'string' ? `not run: ${optuna}` : optuna.version}.`,
    '',
    ...sections,
    '',
    '### Verdicts at 100 trials (goal: the best Anneal sampler beats the best Optuna sampler on median best beyond the standard errors)',
    '',
    ...verdicts,
    '',
    `Mean seconds per run of ${Math.max(...budgets)} trials: ${timing}.`,
    '',
  ].join('\n');
  writeFileSync(markdownOut, markdown);
  console.log(markdown);
}
