export { packageDir, ocrModels, speechModels, randn } from './fixtures.js';
export { describeSchedulerConformance, type SchedulerConformanceCases } from './scheduler-conformance.js';
export { maxRelativeError } from './compare.js';
export { startRedisServer, redisServerAvailable, type RedisServer, type RedisServerOptions } from './redis-server.js';
export { describeSamplerConformance, samplerConformanceChecks, SAMPLER_CONFORMANCE_SPACE, type SamplerConformanceCheck, type SamplerConformanceOptions, type SamplerDescriptorCases } from './sampler-conformance.js';
export { findChromium, renderReport, type RenderedFigure, type RenderedReport } from './report-browser.js';

// conformance suites, one per extension point, and what they share
export { describeDescriptorContract, descriptorContractChecks, type ConformanceCheck, type DescriptorContractCases, type IndependenceProbe } from './descriptor-contract.js';
export { describeOptimizerConformance, optimizerConformanceChecks, OPTIMIZER_CONFORMANCE_PARAMS, type OptimizerConformanceCases, type OptimizerReference, type ReferenceHyperparameters, type ReferenceParam } from './optimizer-conformance.js';
export { describeCallbackConformance, callbackConformanceChecks, type CallbackConformanceCases } from './callback-conformance.js';
export { describeMetricConformance, metricConformanceChecks, type MetricBatch, type MetricConformanceCases } from './metric-conformance.js';
export { describeLoggerConformance, loggerConformanceChecks, type LoggerConformanceCases } from './logger-conformance.js';
export { describePrunerConformance, prunerConformanceChecks, prunerQueries, type PrunerConformanceCases, type PrunerQuery } from './pruner-conformance.js';
export { describeStorageConformance, type StorageDescriptorCases } from './storage-conformance.js';
export { describeDataSourceConformance, dataSourceConformanceChecks, type DataSourceConformanceCases } from './data-source-conformance.js';
export { describeModelConformance, modelConformanceChecks, type ModelConformanceCases } from './model-conformance.js';
export { describeLossConformance, lossConformanceChecks, type LossConformanceCases } from './loss-conformance.js';
export { describeGradientRuleConformance, gradientRuleConformanceChecks, type GradientRuleConformanceCases, type GradientTestModel } from './gradient-rule-conformance.js';

// fixtures of the suites: the boring model, in-memory checkpoints, an event stream of every type
export { boringModel, BoringBackend, BoringNonFiniteError, type BoringModel, type BoringModelOptions } from './boring-model.js';
export { runBoring, poisonedBatches, boringLr, type BoringRunConfig, type BoringRunOutcome } from './boring-run.js';
export { memoryCheckpoints, type StoredCheckpoint } from './memory-checkpoints.js';
export { conformanceEvents, ANNEAL_EVENT_TYPES } from './event-catalog.js';
