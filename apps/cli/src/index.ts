// The `anneal` command, and the functions behind it for scripts and experiments that drive runs
// the way the CLI does (the examples in examples/ use only this entry point).
export { buildProgram, main, type CliIo } from './main';
export { createContainer, OPTIMIZERS, SCHEDULERS, type OptimizerDescriptor } from './container';
export { fitConfigSchema, type FitConfig } from './fit/config-schema';
export { loadFitConfig, validateFitConfig } from './fit/load-config';
export { buildData, dataLoaders, loadSource, splitParts, type DataParts, type RunData } from './fit/build-data';
export type { ComposedRun } from './fit/compose';
export { fitCommand, freshRunDir, resumeCommand, runFit, type FitIo, type FitSummary, type RunExtras } from './fit/fit-command';
export { evaluateCommand, predictCommand, scoreModelFile } from './fit/evaluate-command';
export { runPaths, type MetricsRecord } from './fit/run-dir';
export { ensembleExportCommand, ensembleSnapshotCommand, ensembleTrainCommand, type EnsembleSummary } from './ensemble/ensemble-command';
export { modelLogits } from './ensemble/member-logits';
export { evaluateFinetune, finetuneCommand, isFinetuneRun, resumeFinetune, type FinetuneSummary } from './transfer/finetune-command';
