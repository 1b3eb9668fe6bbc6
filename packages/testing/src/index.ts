export { packageDir, ocrModels, randn } from './fixtures';
export { describeSchedulerConformance, type SchedulerConformanceCases } from './scheduler-conformance';
export { maxRelativeError } from './compare';
export { startRedisServer, redisServerAvailable, type RedisServer } from './redis-server';
export { describeSamplerConformance, samplerConformanceChecks, SAMPLER_CONFORMANCE_SPACE, type SamplerConformanceCheck, type SamplerConformanceOptions, type SamplerDescriptorCases } from './sampler-conformance';
export { findChromium, renderReport, type RenderedFigure, type RenderedReport } from './report-browser';

// conformance suites, one per extension point, and what they share
export { describeDescriptorContract, descriptorContractChecks, type ConformanceCheck, type DescriptorContractCases, type IndependenceProbe } from './descriptor-contract';
export { describeOptimizerConformance, optimizerConformanceChecks, OPTIMIZER_CONFORMANCE_PARAMS, type OptimizerConformanceCases, type OptimizerReference, type ReferenceHyperparameters, type ReferenceParam } from './optimizer-conformance';
export { describeCallbackConformance, callbackConformanceChecks, type CallbackConformanceCases } from './callback-conformance';
export { describeMetricConformance, metricConformanceChecks, type MetricBatch, type MetricConformanceCases } from './metric-conformance';
export { describeLoggerConformance, loggerConformanceChecks, type LoggerConformanceCases } from './logger-conformance';
export { describePrunerConformance, prunerConformanceChecks, prunerQueries, type PrunerConformanceCases, type PrunerQuery } from './pruner-conformance';
export { describeStorageConformance, type StorageDescriptorCases } from './storage-conformance';
export { describeDataSourceConformance, dataSourceConformanceChecks, type DataSourceConformanceCases } from './data-source-conformance';
export { describeModelConformance, modelConformanceChecks, type ModelConformanceCases } from './model-conformance';
export { describeLossConformance, lossConformanceChecks, type LossConformanceCases } from './loss-conformance';
export { describeGradientRuleConformance, gradientRuleConformanceChecks, type GradientRuleConformanceCases, type GradientTestModel } from './gradient-rule-conformance';

// fixtures of the suites: the boring model, in-memory checkpoints, an event stream of every type
export { boringModel, BoringBackend, BoringNonFiniteError, type BoringModel, type BoringModelOptions } from './boring-model';
export { runBoring, poisonedBatches, boringLr, type BoringRunConfig, type BoringRunOutcome } from './boring-run';
export { memoryCheckpoints, type StoredCheckpoint } from './memory-checkpoints';
export { conformanceEvents, ANNEAL_EVENT_TYPES } from './event-catalog';
