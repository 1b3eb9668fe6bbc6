// Population-based training against a TPE study of the same compute on MNIST, and a
// multi-objective study (validation accuracy vs parameter count), through the engine API.
//
//   npx tsx examples/pbt/experiment.ts [--seeds 3] [--out runs/pbt-example] [--results examples/pbt] [--quick] [--render]
//
// For each seed: PBT with 12 members x 12 one-epoch intervals (lr and momentum explored), and a
// TPE study of 12 trials x 12 epochs (lr, momentum and a constant or cosine lr schedule, fixed
// per trial): 144 epochs each. The better run is chosen by validation accuracy and compared on
// the test digits. Then a 30-trial MOTPE study of hidden width and lr (3 epochs each). Studies and
// PBT runs are stored in journal files under --out; results.md, results.json and the charts go to
// --results.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStudy, JournalStorage, paretoFront, PopulationBasedTraining, TpeSampler, writeParetoChart, writePbtCharts, type Distribution, type Trial } from '@anneal/search';
import { mnistData, mnistMember, MnistMlp, type MnistData } from './mnist-member.js';
import { renderResults, type ExperimentResults, type SeedResult } from './results-md.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback);
const quick = args.includes('--quick');
const seeds = Array.from({ length: Number(option('seeds', quick ? '1' : '3')) }, (_, i) => i + 1);
const out = option('out', 'runs/pbt-example');
const resultsDir = option('results', quick ? out : 'examples/pbt');
const POPULATION = quick ? 4 : 12;
const GENERATIONS = quick ? 3 : 12;
const MO_TRIALS = quick ? 6 : 30;
const PBT_SPACE: Record<string, Distribution> = { lr: { kind: 'float', low: 1e-3, high: 0.5, log: true }, momentum: { kind: 'float', low: 0, high: 0.99 } };

async function pbtRun(data: MnistData, seed: number): Promise<SeedResult['pbt']> {
  const tests = new Map<string, number>();
  const storage = new JournalStorage(join(out, `pbt-seed-${seed}.jsonl`));
  const started = performance.now();
  const result = await new PopulationBasedTraining({
    name: 'pbt', storage, directory: join(out, `pbt-seed-${seed}`), population: POPULATION, generations: GENERATIONS, direction: 'maximize', seed, space: PBT_SPACE,
    createMember: (i) => mnistMember(data, { hidden: 128, init: 1000 * seed + i, shuffle: 1000 * seed + i }, tests, i),
  }).run();
  if (seed === seeds[0]) await writePbtCharts(join(resultsDir, 'charts'), await storage.getTrials('pbt'), PBT_SPACE, 'maximize');
  await storage.close();
  return {
    val: result.best.score!,
    test: tests.get(`${result.best.member}/${result.best.generation}`)!,
    lrSchedule: result.lineage.map((s) => s.hyperparameters.lr as number),
    momentumSchedule: result.lineage.map((s) => s.hyperparameters.momentum as number),
    exploits: result.steps.filter((s) => s.exploited).length,
    seconds: (performance.now() - started) / 1000,
  };
}

async function tpeRun(data: MnistData, seed: number): Promise<SeedResult['tpe']> {
  const storage = new JournalStorage(join(out, `tpe-seed-${seed}.jsonl`));
  const study = await createStudy('tpe', { storage, direction: 'maximize', sampler: new TpeSampler({ seed, nStartupTrials: Math.ceil(POPULATION / 3) }) });
  const started = performance.now();
  await study.optimize(async (trial: Trial) => {
    const lr = trial.suggestFloat('lr', 1e-3, 0.5, { log: true });
    const momentum = trial.suggestFloat('momentum', 0, 0.99);
    const schedule = trial.suggestCategorical('schedule', ['constant', 'cosine'] as const);
    const mlp = await MnistMlp.create(data, { hidden: 128, init: 1000 * seed + trial.number, shuffle: 1000 * seed + trial.number });
    const total = GENERATIONS * mlp.stepsPerEpoch;
    let val = 0;
    for (let e = 0; e < GENERATIONS; e++) {
      const at = (k: number) => (schedule === 'cosine' ? 0.5 * lr * (1 + Math.cos((Math.PI * (e * mlp.stepsPerEpoch + k)) / total)) : lr);
      await mlp.epoch(at, momentum);
      val = await mlp.accuracy('val');
      await trial.report(val, e + 1); // step = epochs trained (1-based), as pruningCallback reports
    }
    await trial.setUserAttr('test', await mlp.accuracy('test'));
    await mlp.session.release();
    return val;
  }, { nTrials: POPULATION });
  const best = (await study.bestTrial())!;
  await study.close();
  return { val: best.value!, test: best.userAttrs.test as number, params: best.params as Record<string, number | string>, seconds: (performance.now() - started) / 1000 };
}

async function multiObjective(data: MnistData): Promise<ExperimentResults['multiObjective']> {
  const storage = new JournalStorage(join(out, 'multi-objective.jsonl'));
  const study = await createStudy('accuracy-vs-size', { storage, directions: ['maximize', 'minimize'], sampler: new TpeSampler({ seed: 1, nStartupTrials: 10 }) });
  await study.optimize(async (trial: Trial) => {
    const hidden = trial.suggestInt('hidden', 4, 512, { log: true });
    const lr = trial.suggestFloat('lr', 1e-2, 0.5, { log: true });
    const mlp = await MnistMlp.create(data, { hidden, init: trial.number, shuffle: trial.number });
    for (let e = 0; e < 3; e++) await mlp.epoch(() => lr, 0.9);
    const accuracy = await mlp.accuracy('val');
    await mlp.session.release();
    return [accuracy, mlp.parameters];
  }, { nTrials: MO_TRIALS });
  const trials = await study.trials();
  await writeParetoChart(join(resultsDir, 'charts'), trials, study.directions, { objectiveNames: ['validation accuracy', 'parameters'] });
  const front = paretoFront(trials, study.directions).map((t) => ({ trial: t.number, hidden: t.params.hidden as number, lr: t.params.lr as number, accuracy: t.values![0]!, parameters: t.values![1]! }));
  await study.close();
  return { trials: trials.length, front: front.sort((a, b) => a.parameters - b.parameters) };
}

async function main(): Promise<void> {
  if (args.includes('--render')) {
    // re-render results.md from results.json (after editing the text template)
    writeFileSync(join(resultsDir, 'results.md'), renderResults(JSON.parse(readFileSync(join(resultsDir, 'results.json'), 'utf8')) as ExperimentResults));
    return;
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  mkdirSync(join(resultsDir, 'charts'), { recursive: true });
  const perSeed: SeedResult[] = [];
  for (const seed of seeds) {
    const data = mnistData(seed);
    const pbt = await pbtRun(data, seed);
    console.log(`seed ${seed} PBT: val ${pbt.val.toFixed(4)} test ${pbt.test.toFixed(4)} (${pbt.seconds.toFixed(0)} s)`);
    const tpe = await tpeRun(data, seed);
    console.log(`seed ${seed} TPE: val ${tpe.val.toFixed(4)} test ${tpe.test.toFixed(4)} ${JSON.stringify(tpe.params)} (${tpe.seconds.toFixed(0)} s)`);
    perSeed.push({ seed, pbt, tpe });
  }
  const multi = await multiObjective(mnistData(1));
  console.log(`multi-objective: ${multi.front.length} trials on the Pareto front of ${multi.trials}`);
  const results: ExperimentResults = { settings: { population: POPULATION, generations: GENERATIONS, epochsPerMethod: POPULATION * GENERATIONS, moTrials: MO_TRIALS, quick }, perSeed, multiObjective: multi };
  writeFileSync(join(resultsDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(resultsDir, 'results.md'), renderResults(results));
  console.log(`wrote ${join(resultsDir, 'results.md')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
