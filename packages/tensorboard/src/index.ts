export { TensorBoardError, type TensorBoardErrorCode } from './errors.js';
export { crc32c, maskCrc32c } from './crc32c.js';
export { frameRecord, readRecords, type RecordRead } from './tfrecord.js';
export { encodeEvent, decodeEvent, type TensorBoardEvent, type SummaryValue, type SessionLog, type SessionStatus } from './event.js';
export { EventEncoder, FILE_VERSION } from './event-encoder.js';
export { readEvents, scalarSeries, type ScalarPoint } from './read-events.js';
export { dropEventsAfter, eventFileName, EventFileWriter, hostName, isEventFileName, listEventFiles, readEventFile, type DroppedEvents } from '#event-files';
export { batchScalars, batchStep, epochScalars, type BatchScalarOptions } from './scalars.js';
export { tensorboardLogger, type TensorBoardLoggerOptions } from './tensorboard-logger.js';
