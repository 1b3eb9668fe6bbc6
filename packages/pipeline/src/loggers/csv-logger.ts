import { existsSync, readFileSync } from 'node:fs';
import { ofType, type AnnealEvent, type EventOf, type Logger } from '@anneal/core';
import { writeFileAtomic } from '@anneal/onnx';
import { share, type Observable, type Subscription } from 'rxjs';

/** Options of {@link csvLogger}. */
export interface CsvLoggerOptions {
  /** Also write one row per step to this file (absent: no per-step file). */
  readonly steps?: string;
}

/** A row: a cell per column name, already formatted. */
type Row = Record<string, string>;

/** A number as a CSV cell: the shortest text that reads back to the same double; `NaN`, `Infinity` and `-Infinity` as JavaScript and pandas read them. */
const cell = (v: number): string => String(v);

/** A field quoted as RFC 4180 asks: when it holds a comma, a quote, a line break or edge spaces (quotes doubled). */
export function quoteCsv(field: string): string {
  return /[",\r\n]|^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** The fields of RFC 4180 text, by line (quoted fields may hold commas, doubled quotes and line breaks; blank lines are skipped). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let started = false; // the line has a character besides its break
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endLine = () => {
    if (started) {
      endField();
      rows.push(row);
    }
    row = [];
    field = '';
    started = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endLine();
    } else {
      started = true;
      if (ch === '"') quoted = true;
      else if (ch === ',') endField();
      else field += ch;
    }
  }
  endLine();
  return rows;
}

/**
 * A CSV table whose columns are the union of its rows' keys, in the order first seen: a key a
 * later row brings becomes a new last column (earlier rows leave it empty), so the whole file is
 * rewritten each time and its header always names every column.
 */
class CsvTable {
  private rows: Row[] = [];
  private readonly columns: string[] = [];

  add(row: Row): void {
    for (const k of Object.keys(row)) if (!this.columns.includes(k)) this.columns.push(k);
    this.rows.push(row);
  }

  /** Keeps the rows `keep` accepts, after reading back a file this logger wrote (on a resumed run). */
  restore(text: string, keep: (row: Row) => boolean): void {
    const [header, ...lines] = parseCsv(text);
    this.rows = [];
    this.columns.length = 0;
    for (const k of header ?? []) this.columns.push(k);
    for (const line of lines) {
      const row: Row = {};
      for (let i = 0; i < Math.min(line.length, this.columns.length); i++) if (line[i] !== '') row[this.columns[i]!] = line[i]!;
      if (keep(row)) this.rows.push(row);
    }
  }

  text(): string {
    if (!this.columns.length) return '';
    const line = (fields: readonly string[]) => fields.map(quoteCsv).join(',') + '\n';
    return line(this.columns) + this.rows.map((r) => line(this.columns.map((c) => r[c] ?? ''))).join('');
  }
}

/** An epoch's row: `epoch`, `step`, `train.loss` (mean of the batch losses), `train.loss.std`, `train.<metric>`, `val.loss`, `val.<metric>`, `lr`, every hyperparameter input (`hp.momentum`), `duration_ms`. */
export function epochRow(e: EventOf<'epoch:end'>): Row {
  const row: Row = { epoch: cell(e.epoch), step: cell(e.step), 'train.loss': cell(e.train.loss.mean), 'train.loss.std': cell(e.train.loss.std) };
  for (const [k, v] of Object.entries(e.train.metrics)) row[`train.${k}`] = cell(v);
  if (e.val) {
    row['val.loss'] = cell(e.val.loss.mean);
    for (const [k, v] of Object.entries(e.val.metrics)) row[`val.${k}`] = cell(v);
  }
  for (const [k, v] of Object.entries(e.hyperparameters)) row[k] = cell(v);
  row.duration_ms = cell(e.durationMs);
  return row;
}

/** A step's row: `step`, `epoch`, `batch`, `loss` (NaN for a skipped batch), `lr`, every scheduled hyperparameter input, and `grad_norm` on steps that computed norms. */
export function stepRow(e: EventOf<'batch:end'>): Row {
  const row: Row = { step: cell(e.step), epoch: cell(e.epoch), batch: cell(e.batch), loss: cell(e.loss), lr: cell(e.lr) };
  for (const [k, v] of Object.entries(e.hyperparameters)) row[k] = cell(v);
  if (e.globalGradNorm !== undefined) row.grad_norm = cell(e.globalGradNorm);
  return row;
}

/**
 * Writes a run's epochs as CSV, one row per epoch (see {@link epochRow} for the columns, named as
 * callbacks monitor them: `val.accuracy`, `train.loss.std`), and with `steps` one row per step in
 * a second file. Each file is rewritten atomically at every epoch end, before every checkpoint
 * and at the run's end; a resumed run keeps the rows before its checkpoint (epochs before its
 * start epoch, steps before its start step) and drops the rest.
 *
 * @example
 * const csv = csvLogger('runs/a/epochs.csv', { steps: 'runs/a/steps.csv' }); csv.attach(trainer.events$);
 */
export function csvLogger(path: string, options: CsvLoggerOptions = {}): Logger {
  const epochs = new CsvTable();
  const steps = options.steps ? new CsvTable() : undefined;
  const flush = () => {
    writeFileAtomic(path, epochs.text());
    if (steps && options.steps) writeFileAtomic(options.steps, steps.text());
  };
  return {
    attach(events$: Observable<AnnealEvent>): Subscription {
      const shared$ = events$.pipe(share());
      const subscription = shared$.pipe(ofType('run:start')).subscribe((e) => {
        if (!e.resumed) return;
        if (existsSync(path)) epochs.restore(readFileSync(path, 'utf8'), (r) => Number(r.epoch) < e.startEpoch);
        if (steps && options.steps && existsSync(options.steps)) steps.restore(readFileSync(options.steps, 'utf8'), (r) => Number(r.step) < e.step);
      });
      if (steps) subscription.add(shared$.pipe(ofType('batch:end')).subscribe((e) => steps.add(stepRow(e))));
      subscription.add(shared$.pipe(ofType('epoch:end')).subscribe((e) => epochs.add(epochRow(e))));
      // rows first, then writes: an epoch's own row is in the file its end writes
      subscription.add(shared$.pipe(ofType('epoch:end', 'checkpoint:start', 'run:end')).subscribe(flush));
      return subscription;
    },
    close() {
      flush();
    },
  };
}
