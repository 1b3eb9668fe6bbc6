/** What the training configs are made from. */
export interface TrainingConfigOptions {
  name: string;
  dataset: 'mnist' | 'iris';
  epochs: number;
  perDigit: number;
  threads?: number;
  trials: number;
}

/**
 * The fit config of a training project: an MLP on MNIST digits (or Iris), with a stratified
 * test and validation split, Adam and accuracy.
 *
 * @example fitConfig({ name: 'digits', dataset: 'mnist', epochs: 5, perDigit: 100, trials: 10 });
 */
export function fitConfig(o: TrainingConfigOptions): string {
  const train = `train: { epochs: ${o.epochs}${o.threads ? `, threads: ${o.threads}` : ''} }`;
  const mnist = o.dataset === 'mnist';
  return `# \`nx run <project>:train\` runs \`anneal fit ${o.name}.fit.yaml --out runs/${o.name}\` (cached: it runs
# again only when this file, the data files it names or the installed Anneal change);
# \`nx run <project>:evaluate\` scores the model on the test split. The fields: docs/cli.md of Anneal.
name: ${o.name}
seed: 1
data:
  source: ${mnist ? `{ type: mnist, perDigit: ${o.perDigit} }   # or { type: csv, path: data/train.csv, label: class } / { type: npy, x: data/x.npy, y: data/y.npy }` : '{ type: iris }'}
  split: { test: 0.2, val: ${mnist ? 0.1 : 0.2}, seed: 0, stratify: true }
  batchSize: ${mnist ? 32 : 16}
model: { type: mlp, hidden: [${mnist ? 64 : 16}] }
optimizer: { type: adam, lr: ${mnist ? 0.003 : 0.01} }
metrics: [accuracy]
${train}
`;
}

/**
 * The tune config of a training project: TPE over the fit config's learning rate and hidden
 * width, median pruning on validation accuracy.
 *
 * @example tuneConfig({ name: 'digits', dataset: 'mnist', epochs: 5, perDigit: 100, trials: 10 });
 */
export function tuneConfig(o: TrainingConfigOptions): string {
  const widths = o.dataset === 'mnist' ? '[[32], [64], [128]]' : '[[8], [16], [32]]';
  return `# \`nx run <project>:tune\` runs \`anneal tune ${o.name}.tune.yaml --out runs/${o.name}-study --force\`
# (cached like train; a fresh study whenever this file, the base config or its data change).
name: ${o.name}-study
base: ${o.name}.fit.yaml
space:
  optimizer.lr: { type: float, low: 1.0e-4, high: 3.0e-2, log: true }
  model.hidden: { type: categorical, choices: ${widths} }
metric: val.accuracy
direction: maximize
trials: ${o.trials}
sampler: { type: tpe }
pruner: { type: median }
`;
}
