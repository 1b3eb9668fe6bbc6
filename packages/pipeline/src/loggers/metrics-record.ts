import type { AnnealEvent, EventOf, TensorNorms } from '@anneal/core';
import { ConfigError } from '../errors.js';

/** One line of metrics.jsonl. */
export type MetricsRecord =
  | { kind: 'batch'; epoch: number; batch: number; step: number; loss: number; lr: number; hyperparameters?: Record<string, number>; norms?: Record<string, TensorNorms> }
  | ({ kind: 'epoch' } & Omit<EventOf<'epoch:end'>, 'type'>)
  | ({ kind: 'error' } & Omit<EventOf<'error'>, 'type'>);

/** The metrics.jsonl line of an event (`batch:end`, `epoch:end`, `error`). */
export function toRecord(e: EventOf<'batch:end' | 'epoch:end' | 'error'>): MetricsRecord {
  if (e.type === 'batch:end') {
    return { kind: 'batch', epoch: e.epoch, batch: e.batch, step: e.step, loss: e.loss, lr: e.lr, ...(Object.keys(e.hyperparameters).length ? { hyperparameters: { ...e.hyperparameters } } : {}), ...(e.norms ? { norms: structuredClone(e.norms) as Record<string, TensorNorms> } : {}) };
  }
  const { type, ...rest } = structuredClone(e) as AnnealEvent & { type: string };
  return { kind: type === 'error' ? 'error' : 'epoch', ...rest } as MetricsRecord;
}

/** A line of metrics.jsonl that is not a record: its 1-based line number and why. */
export interface DamagedLine {
  line: number;
  reason: string;
}

const isNumber = (v: unknown): boolean => typeof v === 'number' || v === null;

/** Why a parsed line is not a record (the fields the readers of metrics.jsonl rely on), or undefined. */
function recordProblem(r: unknown): string | undefined {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'not a JSON object';
  const { kind, epoch, step } = r as Record<string, unknown>;
  if (kind !== 'batch' && kind !== 'epoch' && kind !== 'error') return `'kind' is ${JSON.stringify(kind)}, not 'batch', 'epoch' or 'error'`;
  if (kind !== 'error' && !(typeof epoch === 'number' && Number.isInteger(epoch))) return `'epoch' of a ${kind} line must be an integer`;
  if (kind === 'batch' && !(typeof step === 'number' && Number.isInteger(step))) return "'step' of a batch line must be an integer";
  if (kind === 'batch' && !isNumber((r as Record<string, unknown>).loss)) return "'loss' of a batch line must be a number";
  return undefined;
}

/**
 * The records of a metrics.jsonl text (blank lines skipped) and its damaged lines (not JSON, or
 * not a record), each with its line number; nothing is thrown.
 */
export function scanRecords(text: string): { records: MetricsRecord[]; damaged: DamagedLine[] } {
  const records: MetricsRecord[] = [];
  const damaged: DamagedLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let r: unknown;
    try {
      r = JSON.parse(raw);
    } catch {
      return void damaged.push({ line: i + 1, reason: 'not a JSON line' });
    }
    const problem = recordProblem(r);
    if (problem) damaged.push({ line: i + 1, reason: problem });
    else records.push(r as MetricsRecord);
  });
  return { records, damaged };
}

/**
 * The records of a metrics.jsonl text (blank lines skipped); `where` names the file in errors.
 * @throws ConfigError `<where>:<line>: not a JSON line; ...` at the first damaged line
 */
export function parseRecords(text: string, where: string): MetricsRecord[] {
  const { records, damaged } = scanRecords(text);
  const first = damaged[0];
  if (first) throw new ConfigError(`${where}:${first.line}: ${first.reason}; the file is damaged (was it edited?)`);
  return records;
}
