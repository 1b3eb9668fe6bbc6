export { packageDir, ocrModels, speechModels, randn } from './fixtures';
export { describeSchedulerConformance, type SchedulerConformanceCases } from './scheduler-conformance';
export { maxRelativeError } from './compare';
export { startRedisServer, redisServerAvailable, type RedisServer } from './redis-server';
export { describeSamplerConformance, samplerConformanceChecks, SAMPLER_CONFORMANCE_SPACE, type SamplerConformanceCheck, type SamplerConformanceOptions } from './sampler-conformance';
export { findChromium, renderReport, type RenderedFigure, type RenderedReport } from './report-browser';
