import type { Direction, FrozenTrial, ParamValue } from '../types.js';
import { completeTrials, StudyResultsError } from './results-error.js';

/** A cell of a trials table: a number, a text, or null for "nothing here". */
export type TrialsTableCell = string | number | null;

/** Rows of trials as a table (see trialsTable). */
export interface TrialsTable {
  /** `number`, `state`, `value`, `duration` (seconds), then one column per parameter. */
  readonly columns: string[];
  readonly rows: TrialsTableCell[][];
  /** Number of the best complete trial (lowest number among ties), when there is one. */
  readonly best?: number;
}

/** Options of formatTrialsTable. */
export interface FormatTrialsTableOptions {
  /** Show at most this many rows (the first ones in the chosen order); the rest are counted in a footer. */
  limit?: number;
  /** `number` (default) or `value`: best first, then pruned with a value, then trials without one. */
  sortBy?: 'number' | 'value';
}

/** Columns before the parameters. */
const FIXED = ['number', 'state', 'value', 'duration'] as const;

/**
 * The trials as table rows, sorted by number: `number`, `state`, `value` (null without one),
 * `duration` in seconds (null while running), then one column per parameter in the order the
 * parameters first appear. A conditional parameter a trial did not ask for is null; categorical
 * choices that are not numbers or strings are shown as text (`true`, `null`). `best` is the
 * number of the best complete trial for `direction`.
 *
 * @example
 * ```ts
 * const { columns, rows } = trialsTable(await storage.getTrials('study'), 'minimize');
 * // columns: ['number', 'state', 'value', 'duration', 'lr', 'optimizer']
 * ```
 */
export function trialsTable(trials: readonly FrozenTrial[], direction: Direction): TrialsTable {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const params: string[] = [];
  const seen = new Set<string>();
  for (const t of sorted) for (const name of Object.keys(t.params)) if (!seen.has(name)) (seen.add(name), params.push(name));
  const rows = sorted.map((t): TrialsTableCell[] => [
    t.number,
    t.state,
    t.value ?? null,
    t.startedAt !== undefined && t.completedAt !== undefined ? (t.completedAt - t.startedAt) / 1000 : null,
    ...params.map((p) => (p in t.params ? cell(t.params[p]!) : null)),
  ]);
  const best = bestTrial(trials, direction);
  return { columns: [...FIXED, ...params], rows, ...(best ? { best: best.number } : {}) };
}

/**
 * The trials as aligned plain text for a terminal: a header, one line per trial (numbers right
 * aligned, text left aligned, blanks for missing values), the best complete trial marked with `*`
 * and named in a footer.
 *
 * @example
 * ```ts
 * console.log(formatTrialsTable(trials, 'minimize', { sortBy: 'value', limit: 10 }));
 * //   number  state     value   duration  lr        optimizer
 * // *      7  complete  0.0812  12.4s     0.00312   adam
 * // ...
 * ```
 */
export function formatTrialsTable(trials: readonly FrozenTrial[], direction: Direction, options: FormatTrialsTableOptions = {}): string {
  const { limit, sortBy = 'number' } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new StudyResultsError('trials table', `limit must be an integer >= 0, got ${limit}`);
  const table = trialsTable(trials, direction);
  let rows = table.rows;
  if (sortBy === 'value') {
    const sign = direction === 'minimize' ? 1 : -1;
    const rank = (r: TrialsTableCell[]) => (r[2] === null ? 2 : r[1] === 'complete' ? 0 : 1);
    rows = [...rows].sort((a, b) => rank(a) - rank(b) || (rank(a) < 2 ? sign * ((a[2] as number) - (b[2] as number)) : 0) || (a[0] as number) - (b[0] as number));
  }
  const shown = limit === undefined ? rows : rows.slice(0, limit);
  const text = [table.columns, ...shown.map((r) => r.map((c, i) => (i === 3 ? formatDuration(c) : formatCell(c))))];
  const numeric = table.columns.map((_, i) => shown.some((r) => typeof r[i] === 'number') && shown.every((r) => typeof r[i] !== 'string'));
  const widths = table.columns.map((_, i) => Math.max(...text.map((r) => r[i]!.length)));
  const lines = text.map((r, k) => {
    const mark = k > 0 && table.best !== undefined && shown[k - 1]![0] === table.best ? '*' : ' ';
    return `${mark} ${r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  });
  if (shown.length < rows.length) lines.push(`  ... ${rows.length - shown.length} more trial${rows.length - shown.length === 1 ? '' : 's'}`);
  const best = table.best === undefined ? undefined : table.rows.find((r) => r[0] === table.best);
  lines.push(best ? `* best trial: ${best[0]} (value ${formatCell(best[2])}, ${direction})` : `no complete trial yet (${trials.length} trial${trials.length === 1 ? '' : 's'})`);
  return lines.join('\n');
}

/** The best complete trial for `direction` (the lowest number among ties), or undefined. */
export function bestTrial(trials: readonly FrozenTrial[], direction: Direction): FrozenTrial | undefined {
  let best: FrozenTrial | undefined;
  for (const t of completeTrials(trials)) {
    if (!best || (direction === 'minimize' ? t.value! < best.value! : t.value! > best.value!)) best = t;
  }
  return best;
}

function cell(v: ParamValue): TrialsTableCell {
  return typeof v === 'number' || typeof v === 'string' ? v : String(v);
}

/** Numbers with 6 significant digits (0.00312, 4.43815e-5, 12345.7), null as blank. */
function formatCell(c: TrialsTableCell): string {
  if (c === null) return '';
  if (typeof c === 'string') return c;
  if (Number.isInteger(c) && Math.abs(c) < 1e15) return String(c);
  const rounded = Number(c.toPrecision(6));
  return rounded !== 0 && (Math.abs(rounded) < 1e-4 || Math.abs(rounded) >= 1e9) ? rounded.toExponential() : String(rounded);
}

/** Seconds as `12.4s`, `3m05s` or `2h07m`. */
function formatDuration(c: TrialsTableCell): string {
  if (typeof c !== 'number') return formatCell(c);
  if (c < 60) return `${Number(c.toPrecision(3))}s`;
  const s = Math.round(c);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
