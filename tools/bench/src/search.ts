// `npm run bench search`: @anneal/search vs Optuna 3.1 (Debian python3-optuna under /usr/bin/python3).
// - S1-S4, study machinery overhead: 1,000 trials of (x-2)^2 + (y+1)^2 (x, y float in [-10, 10]) with
//   random / TPE sampling, in memory / with a journal file in a fresh temp directory; trials/s =
//   1000 / wall seconds of `optimize` (Optuna: time.perf_counter around study.optimize in its own
//   process), seeded, BENCH_ROUNDS rounds (default 3), medians; one untimed warm-up study per cell
//   on each side. Target (issue 5): at least 2x Optuna in every cell. Optuna's journal fsyncs every
//   append and Anneal's does not, so the journal cells depend on the disk: BENCH_SEARCH_DIR (default
//   the OS temp directory) sets where the journal files go, e.g. /dev/shm to leave the disk out.
// - Q, TPE quality: best value after 100 and 200 trials on Branin and a shifted 2-D quadratic,
//   seeds 1-10, Anneal TpeSampler (default univariate, and multivariate: true) vs Optuna
//   TPESampler (default univariate, and multivariate=True); mean ± std of the best value and of
//   the regret (best - known minimum). Both sides run this at the same time (not timed).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStudy, JournalStorage, MemoryStorage, RandomSampler, TpeSampler, type Sampler, type Storage, type Trial } from '@anneal/search';

const python = '/usr/bin/python3';
const script = join(dirname(fileURLToPath(import.meta.url)), 'optuna-side.py');
const rounds = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 3)) || 3);
const TRIALS = 1000;
const WARMUP = 200;
const SEEDS = Math.max(1, Number(process.env.BENCH_SEEDS ?? 10) || 10); // BENCH_SEEDS=100 for a comparison with small standard errors
const BUDGETS = [100, 200] as const;
/** The issue's Optuna 3.1 figures (trials/s), for reference next to the ones measured here. */
const ISSUE: Record<string, number> = { 'random/memory': 7800, 'random/journal': 700, 'tpe/memory': 130, 'tpe/journal': 105 };
const CELLS = ['random/memory', 'random/journal', 'tpe/memory', 'tpe/journal'] as const;
type Cell = (typeof CELLS)[number];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Why Optuna can't run here, or undefined when it can. */
function optunaUnavailable(): string | undefined {
  const r = spawnSync(python, ['-c', 'import optuna; from optuna.storages import JournalStorage, JournalFileStorage'], { encoding: 'utf8' });
  if (r.error) return `${python} not found`;
  if (r.status !== 0) return `${python} cannot import optuna (apt-get install python3-optuna): ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}

/** Runs optuna-side.py and parses its one JSON line. */
function optunaSide<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`optuna-side.py ${args.join(' ')} exited with ${code}: ${err.trim()}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
    });
  });
}

const speedObjective = (t: Trial) => (t.suggestFloat('x', -10, 10) - 2) ** 2 + (t.suggestFloat('y', -10, 10) + 1) ** 2;

/** Trials/s of one Anneal study of `n` trials. */
async function annealSpeed(cell: Cell, seed: number, n: number, file: string): Promise<number> {
  rmSync(file, { force: true });
  const storage: Storage = cell.endsWith('journal') ? new JournalStorage(file) : new MemoryStorage();
  const sampler: Sampler = cell.startsWith('tpe') ? new TpeSampler({ seed }) : new RandomSampler({ seed });
  const study = await createStudy('overhead', { storage, sampler });
  const t = performance.now();
  await study.optimize(speedObjective, { nTrials: n });
  const seconds = (performance.now() - t) / 1000;
  const complete = (await study.trials(['complete'])).length;
  await study.close();
  if (complete !== n) throw new Error(`search bench: ${cell} finished ${complete} of ${n} trials`);
  return n / seconds;
}

interface TestFunction {
  readonly name: string;
  readonly minimum: number;
  readonly f: (t: Trial) => number;
}

const FUNCTIONS: TestFunction[] = [
  {
    name: 'branin',
    minimum: 0.397887,
    f: (t) => {
      const x1 = t.suggestFloat('x1', -5, 10);
      const x2 = t.suggestFloat('x2', 0, 15);
      const b = 5.1 / (4 * Math.PI ** 2);
      return (x2 - b * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    },
  },
  { name: 'quadratic', minimum: 0, f: (t) => (t.suggestFloat('x', -5, 5) - 1.3) ** 2 + (t.suggestFloat('y', -5, 5) + 0.7) ** 2 },
];

/** Best value after each budget, per seed (the same keys as optuna-side.py's quality mode). */
type QualityRuns = Record<string, number[][]>;

async function annealQuality(): Promise<QualityRuns> {
  const out: QualityRuns = {};
  for (const fn of FUNCTIONS) {
    for (const [setting, multivariate] of [['default', false], ['multivariate', true]] as const) {
      const runs: number[][] = [];
      for (let seed = 1; seed <= SEEDS; seed++) {
        const study = await createStudy(fn.name, { sampler: new TpeSampler({ seed, multivariate }) });
        await study.optimize(fn.f, { nTrials: BUDGETS[BUDGETS.length - 1] });
        const values = (await study.trials()).map((t) => t.value ?? Infinity);
        runs.push(BUDGETS.map((b) => Math.min(...values.slice(0, b))));
      }
      out[`${fn.name}/${setting}`] = runs;
    }
  }
  return out;
}

function stats(xs: number[]): { mean: number; std: number; median: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, std, median: median(xs) };
}

const num = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toFixed(4) : v.toExponential(2));

function printQuality(sides: { label: string; runs: QualityRuns }[]): void {
  console.log(`Q TPE quality, seeds 1-${SEEDS}, best value after n trials (lower is better); regret = best - known minimum`);
  console.log('  anneal default = TpeSampler({ seed }) (univariate, as Optuna), anneal multivariate = multivariate: true; optuna default = TPESampler(seed=) (univariate), optuna multivariate = multivariate=True');
  console.log(`  ${'function'.padEnd(10)} ${'sampler'.padEnd(22)} ${'n'.padStart(4)}  ${'best mean ± std'.padEnd(22)} ${'regret mean ± std'.padEnd(22)} regret median`);
  const meanRegret: Record<string, number> = {};
  for (const fn of FUNCTIONS) {
    for (const side of sides) {
      for (const [setting, runs] of Object.entries(side.runs)) {
        if (!setting.startsWith(`${fn.name}/`)) continue;
        BUDGETS.forEach((b, i) => {
          const best = stats(runs.map((r) => r[i]!));
          const regret = stats(runs.map((r) => r[i]! - fn.minimum));
          const label = `${side.label} ${setting.split('/')[1]}`;
          meanRegret[`${fn.name}/${b}/${label}`] = regret.mean;
          console.log(`  ${fn.name.padEnd(10)} ${label.padEnd(22)} ${String(b).padStart(4)}  ${`${num(best.mean)} ± ${num(best.std)}`.padEnd(22)} ${`${num(regret.mean)} ± ${num(regret.std)}`.padEnd(22)} ${num(regret.median)}`);
        });
      }
    }
  }
  if (sides.length < 2) return;
  // verdict: Anneal's default against Optuna's default, and which Anneal setting has the lowest regret
  const labels = sides.flatMap((s) => Object.keys(s.runs).filter((k) => k.startsWith(`${FUNCTIONS[0]!.name}/`)).map((k) => `${s.label} ${k.split('/')[1]}`));
  for (const fn of FUNCTIONS) {
    for (const b of BUDGETS) {
      const a = meanRegret[`${fn.name}/${b}/anneal default`]!;
      const o = meanRegret[`${fn.name}/${b}/optuna default`]!;
      const ranked = labels.map((l) => [l, meanRegret[`${fn.name}/${b}/${l}`]!] as const).sort((x, y) => x[1] - y[1]);
      const verdict = a <= o ? 'no worse than' : `WORSE than (${(a / o).toFixed(2)}x the mean regret of)`;
      console.log(`  ${fn.name} n=${b}: anneal default ${verdict} optuna default (${num(a)} vs ${num(o)}); ranking by mean regret: ${ranked.map(([l, v]) => `${l} ${num(v)}`).join(' < ')}`);
    }
  }
  // geometric mean over functions and budgets of each setting's mean regret relative to Optuna's default
  const rel = labels.map((l) => {
    const logs = FUNCTIONS.flatMap((fn) => BUDGETS.map((b) => Math.log(meanRegret[`${fn.name}/${b}/${l}`]! / meanRegret[`${fn.name}/${b}/optuna default`]!)));
    return [l, Math.exp(logs.reduce((x, y) => x + y, 0) / logs.length)] as const;
  });
  console.log(`  mean regret relative to optuna default (geometric mean over functions and budgets, lower is better): ${rel.map(([l, v]) => `${l} ${v.toFixed(2)}`).join(', ')}`);
}

/** The search bench (see the file comment). */
export async function runSearchBench(): Promise<void> {
  const why = optunaUnavailable();
  const dir = mkdtempSync(join(process.env.BENCH_SEARCH_DIR ?? tmpdir(), 'anneal-search-bench-'));
  try {
    console.log(`search bench: study machinery overhead, ${fmt(TRIALS)} trials of (x-2)^2 + (y+1)^2, x, y in [-10, 10], seeded; medians of ${rounds} round${rounds > 1 ? 's' : ''}; journals in ${dir}`);
    console.log(`  ratio = anneal trials/s / optuna trials/s: higher is better, target >= 2 in every cell`);
    const anneal: Record<string, number[]> = {};
    for (const cell of CELLS) {
      const file = join(dir, `anneal-${cell.replace('/', '-')}.jsonl`);
      await annealSpeed(cell, 0, WARMUP, file); // JIT warm-up, untimed
      anneal[cell] = [];
      for (let r = 0; r < rounds; r++) anneal[cell].push(await annealSpeed(cell, r + 1, TRIALS, file));
    }
    let optuna: { optuna: string; cells: Record<string, number[]> } | undefined;
    if (why) console.log(`optuna: unavailable (${why})`);
    else {
      optuna = await optunaSide<{ optuna: string; cells: Record<string, number[]> }>(['speed', String(rounds), dir]);
      console.log(`optuna ${optuna.optuna} (${python}); its journal fsyncs every append, Anneal's journal does not`);
    }
    const met: boolean[] = [];
    CELLS.forEach((cell, i) => {
      const a = median(anneal[cell]!);
      let line = `S${i + 1} ${cell}: anneal ${fmt(a)} trials/s`;
      if (optuna) {
        const o = median(optuna.cells[cell]!);
        const ok = a >= 2 * o;
        met.push(ok);
        line += ` | optuna ${fmt(o)} trials/s | ratio anneal/optuna ${(a / o).toFixed(2)} (2x target ${ok ? 'met' : 'NOT met'})`;
      }
      line += ` | vs the issue's optuna ${fmt(ISSUE[cell]!)}/s: ${(a / ISSUE[cell]!).toFixed(2)}x`;
      console.log(line);
    });
    if (optuna) console.log(`search bench: 2x target ${met.every(Boolean) ? 'met in every cell' : `NOT met in ${CELLS.filter((_, i) => !met[i]).join(', ')}`}`);

    const [annealRuns, optunaRuns] = await Promise.all([annealQuality(), optuna ? optunaSide<QualityRuns>(['quality', String(SEEDS)]) : Promise.resolve(undefined)]);
    printQuality([{ label: 'anneal', runs: annealRuns }, ...(optunaRuns ? [{ label: 'optuna', runs: optunaRuns }] : [])]);
  } finally {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
