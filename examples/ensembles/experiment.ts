// Ensembles and weight averaging on MNIST with Anneal, run through @anneal/pipeline (what the CLI runs):
// (1) independent members in three regimes (constant high lr, cosine to 0, Adam + dropout),
// (2) snapshot ensembles with and without dropout, (3) EMA against the raw weights of a noisy
// run, (4) SWA's average with four sets of BatchNorm statistics.
//
//   npx tsx examples/ensembles/experiment.ts [--out runs/ensembles] [--quick] [--groups 5]
//                                            [--results examples/ensembles]
//
// Writes <results>/results.md, results.json and charts/members-vs-ensemble.{svg,png}; the runs go
// to a fresh folder <out> (or <out>-1, ...). --quick: one seed group per regime, results in <out>.
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@anneal/onnx';
import { createPipeline, freshRunDir, validateFitConfig } from '@anneal/pipeline';
import { emaRun, quietIo, swaRun } from './averaging.js';
import { exampleConfig, withSeed } from './configs.js';
import { memberGroup, snapshotRun } from './members.js';
import { writeResultsChart, type Results } from './report.js';
import { renderResults } from './results-md.js';
import { inPool } from './run-pool.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const groups = Number(option('groups', quick ? '1' : '5'));
if (!Number.isInteger(groups) || groups < 1) throw new Error(`--groups ${option('groups', '')}: give a positive integer (seed groups per regime)`);
const out = freshRunDir(option('out', 'runs/ensembles'));
const settings = {
  quick,
  out,
  results: option('results', quick ? out : relative(process.cwd(), here) || '.'),
  members: 5,
  parallel: 2,
  /** Member groups: base seeds 0, 100, 200, ... (members b .. b+4). */
  memberSeeds: Array.from({ length: groups }, (_, g) => 100 * g),
  /** Single runs (snapshot, EMA, SWA): seeds 0 .. groups-1. */
  runSeeds: Array.from({ length: groups }, (_, g) => g),
};

const MEMBER_REGIMES: Record<string, { file: string; label: string }> = {
  noisy: { file: 'members-noisy.yaml', label: 'SGD 0.1 constant' },
  converged: { file: 'members-converged.yaml', label: 'SGD 0.1, cosine to 0' },
  'adam-dropout': { file: 'members-adam-dropout.yaml', label: 'Adam 3e-3 constant, dropout 0.5' },
};
const SNAPSHOT_REGIMES: Record<string, { file: string; label: string; cycles: number }> = {
  dropout: { file: 'snapshot-dropout.yaml', label: 'dropout 0.5, 5 x 8 epochs', cycles: 5 },
  plain: { file: 'snapshot-plain.yaml', label: 'no dropout, 5 x 8 epochs', cycles: 5 },
  'digits-5000': { file: 'snapshot-5000.yaml', label: '5,000 digits, dropout 0.3, 5 x 4 epochs', cycles: 5 },
};
const EMA = { file: 'ema-noisy.yaml', decays: [0.99, 0.998] };
const SWA_REGIMES: Record<string, { file: string; label: string }> = {
  'wd-0.01': { file: 'swa-bn.yaml', label: 'lr 0.1, weight decay 0.01' },
  'wd-0.03': { file: 'swa-bn-strong-decay.yaml', label: 'lr 0.05, weight decay 0.03' },
};

const log = (line: string) => console.log(line);
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(out, { recursive: true });
  const pipeline = await createPipeline({ io: quietIo });
  log(`runs -> ${out}; results -> ${settings.results}; ${groups} seed group(s) per regime`);

  log('1. independent members');
  const members = [];
  for (const [regime, r] of Object.entries(MEMBER_REGIMES)) {
    const base = exampleConfig(r.file);
    for (const seed of settings.memberSeeds) {
      const g = await memberGroup(regime, withSeed(base, seed, r.file), join(out, 'members', regime, `seed-${seed}`), settings.members, settings.parallel, log);
      log(`  ${regime} seed ${seed}: mean member ${pct(g.meanMember.accuracy)}, best ${pct(g.bestMember.accuracy)}, ensemble ${pct(g.ensemble.accuracy)} (${g.seconds.toFixed(1)} s)`);
      members.push(g);
    }
  }

  log('2. snapshot ensembles');
  const snapshotTasks = Object.entries(SNAPSHOT_REGIMES).flatMap(([regime, r]) =>
    settings.runSeeds.map((seed) => async () => {
      const s = await snapshotRun(regime, withSeed(exampleConfig(r.file), seed, r.file), join(out, 'snapshots', regime, `seed-${seed}`), r.cycles, () => {});
      log(`  ${regime} seed ${seed}: last snapshot ${pct(s.snapshots[s.snapshots.length - 1]!.accuracy)}, last ${s.lastM.map((e) => `${e.m} ${pct(e.accuracy)}`).join(', ')} (${s.seconds.toFixed(1)} s)`);
      return s;
    }),
  );
  const snapshots = await inPool(snapshotTasks, settings.parallel);

  log('3. EMA against the raw weights');
  const emaBase = exampleConfig(EMA.file);
  const emaTasks = settings.runSeeds.flatMap((seed) =>
    EMA.decays.map((decay) => async () => {
      const config = validateFitConfig({ ...withSeed(emaBase, seed, EMA.file), optimizer: { ...emaBase.optimizer, ema: { ...emaBase.optimizer.ema!, decay } } }, `${EMA.file} (decay ${decay})`);
      const e = await emaRun(pipeline, config, join(out, 'ema', `decay-${decay}`, `seed-${seed}`));
      log(`  seed ${seed} decay ${decay}: EMA ${pct(e.ema.accuracy)} (NLL ${e.ema.nll.toFixed(3)}), raw ${pct(e.raw.accuracy)} (NLL ${e.raw.nll.toFixed(3)})`);
      return e;
    }),
  );
  const ema = await inPool(emaTasks, settings.parallel);

  log('4. SWA and the BatchNorm statistics');
  const swaTasks = Object.entries(SWA_REGIMES).flatMap(([regime, r]) =>
    settings.runSeeds.map((seed) => async () => {
      const s = await swaRun(pipeline, withSeed(exampleConfig(r.file), seed, r.file), join(out, 'swa', regime, `seed-${seed}`));
      log(`  ${regime} seed ${seed}: last ${pct(s.last.accuracy)}; average with last stats ${pct(s.lastStats.accuracy)}, initial ${pct(s.initialStats.accuracy)}, averaged ${pct(s.averagedStats.accuracy)}, refreshed ${pct(s.refreshed.accuracy)} (${s.seconds.toFixed(1)} s)`);
      return { regime, ...s };
    }),
  );
  const swa = await inPool(swaTasks, settings.parallel);

  const emaConfig = exampleConfig(EMA.file);
  const results: Results = {
    settings,
    regimes: {
      members: Object.fromEntries(Object.entries(MEMBER_REGIMES).map(([k, v]) => [k, v.label])),
      snapshots: Object.fromEntries(Object.entries(SNAPSHOT_REGIMES).map(([k, v]) => [k, v.label])),
      swa: Object.fromEntries(Object.entries(SWA_REGIMES).map(([k, v]) => [k, v.label])),
      ema: `MLP 784-256-256-10, SGD momentum 0.9 at a constant lr ${emaConfig.optimizer.lr}, batch ${emaConfig.data.batchSize}, ${emaConfig.train.epochs} epochs on 1,800 digits; EMA with warmup`,
    },
    members,
    snapshots,
    ema,
    swa,
    seconds: (performance.now() - started) / 1000,
    machine: { cpus: cpus().length, node: process.version },
  };
  mkdirSync(join(settings.results, 'charts'), { recursive: true });
  writeFileAtomic(join(settings.results, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const chart = await writeResultsChart(join(settings.results, 'charts'), results);
  writeFileAtomic(join(settings.results, 'results.md'), renderResults(results, relative(settings.results, chart.png)));
  log(`wrote ${join(settings.results, 'results.md')}, results.json and ${chart.png} in ${results.seconds.toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
