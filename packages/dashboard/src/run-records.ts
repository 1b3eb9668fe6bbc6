import type { MetricsRecord } from '@anneal/pipeline';

/** An `epoch` line of metrics.jsonl. */
export type EpochRecord = Extract<MetricsRecord, { kind: 'epoch' }>;
/** A `batch` line of metrics.jsonl. */
export type BatchRecord = Extract<MetricsRecord, { kind: 'batch' }>;
/** An `error` line of metrics.jsonl. */
export type ErrorRecord = Extract<MetricsRecord, { kind: 'error' }>;

/** The epoch lines, in file order. */
export const epochRecords = (records: readonly MetricsRecord[]): EpochRecord[] => records.filter((r): r is EpochRecord => r.kind === 'epoch');
/** The batch lines, in file order. */
export const batchRecords = (records: readonly MetricsRecord[]): BatchRecord[] => records.filter((r): r is BatchRecord => r.kind === 'batch');
/** The error lines (a non-finite loss), in file order. */
export const errorRecords = (records: readonly MetricsRecord[]): ErrorRecord[] => records.filter((r): r is ErrorRecord => r.kind === 'error');

/** A finite number, or undefined (JSON writes NaN and Infinity as null). */
export const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
