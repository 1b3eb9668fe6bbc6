export { packageDir, ocrModels, randn } from './fixtures';
export { describeSchedulerConformance, type SchedulerConformanceCases } from './scheduler-conformance';
export { maxRelativeError } from './compare';
