import { optimNames } from '@anneal/optim';
import type { BatchPoint, Divergence, EpochPoint, RatioPoint, RunCurves } from './curves.js';
import { CurvesError } from './errors.js';

/** What metrics.jsonl does not say about a run. */
export interface CurvesInfo {
  /** Epochs the run was configured for. */
  plannedEpochs?: number;
  /**
   * Whether the run ended. Default: true when a divergence was logged or `plannedEpochs` epochs
   * are present; false when fewer than `plannedEpochs` are; true when `plannedEpochs` is unknown
   * (a log read after the fact).
   */
  finished?: boolean;
  /** Classes of a classification run. */
  classes?: number;
}

type Json = Record<string, unknown>;
/** A field path: dotted, or as keys when a key may hold dots (tensor names). */
type Path = string | readonly string[];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

/** Reads fields of one line, throwing a {@link CurvesError} that names the line and field. */
class LineReader {
  constructor(
    readonly line: number,
    readonly record: Json,
  ) {}

  private at(path: Path): unknown {
    let v: unknown = this.record;
    for (const key of typeof path === 'string' ? path.split('.') : path) v = isObject(v) ? v[key] : undefined;
    return v;
  }

  fail(path: Path, problem: string): never {
    throw new CurvesError(this.line, typeof path === 'string' ? path : path.join('.'), problem);
  }

  number(path: Path): number {
    const v = this.at(path);
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `must be a finite number, got ${show(v)}`);
    return v;
  }

  /** A number that JSON may have written as null (NaN or ±Infinity): null becomes NaN. */
  numberOrNull(path: Path): number {
    const v = this.at(path);
    if (v === null) return NaN;
    if (typeof v !== 'number') this.fail(path, `must be a number (or null for a non-finite value), got ${show(v)}`);
    return v;
  }

  optionalNumber(path: Path): number | undefined {
    const v = this.at(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') this.fail(path, `must be a number when present, got ${show(v)}`);
    return v;
  }

  optionalString(path: Path): string | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(path, `must be a string when present, got ${show(v)}`);
    return v;
  }

  optionalObject(path: Path): Json | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(path, `must be an object when present, got ${show(v)}`);
    return v;
  }
}

/** The lr an epoch line carries in its hyperparameters: the base `lr` the Trainer records, else the first group rate. */
function epochLr(hp: Json | undefined): number | undefined {
  if (!hp) return undefined;
  const pick = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const key = Object.keys(hp).find((k) => k.startsWith(optimNames.lr('')));
  return pick(hp['lr']) ?? (key ? pick(hp[key]) : undefined);
}

function readRatios(r: LineReader, step: number): RatioPoint | undefined {
  const norms = r.optionalObject('norms');
  if (!norms) return undefined;
  const ratios: Record<string, number> = {};
  for (const [tensor, n] of Object.entries(norms)) {
    if (!isObject(n)) r.fail(['norms', tensor], `must be an object {grad, weight, update}, got ${show(n)}`);
    const weight = r.numberOrNull(['norms', tensor, 'weight']);
    const update = r.numberOrNull(['norms', tensor, 'update']);
    if (weight > 0 && Number.isFinite(weight) && Number.isFinite(update)) ratios[tensor] = update / weight;
  }
  return { step, ratios };
}

/**
 * Turns the parsed lines of a run folder's `metrics.jsonl` into {@link RunCurves}.
 *
 * Epoch numbers are taken as written: 1-based, as the Trainer logs them (the first epoch is 1);
 * steps are 0-based (the first batch is step 0, an epoch line's step is the batches done by its end).
 *
 * - `batch` lines become batch points (their `norms`, when present, a ratio point of
 *   ‖update‖/‖weight‖ per tensor; tensors with a zero weight norm are skipped). A `null` loss
 *   (how JSON writes NaN/Infinity) marks a divergence at that step.
 * - `epoch` lines become epoch points; the epoch's lr is the lr of its last batch line, else
 *   `hyperparameters.lr` (or the first group rate `hp.lr.*`).
 * - `error` lines mark a divergence (the earliest one, by step, is kept; without a `step`, the
 *   step after the last batch line before it).
 * - Lines of other kinds are ignored.
 *
 * @throws CurvesError naming the 1-based line number and the field, for a line that is not an
 *   object, has no `kind`, or misses a required number.
 * @example
 * ```ts
 * const lines = readFileSync('runs/mnist/metrics.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
 * const curves = curvesFromRecords(lines, { plannedEpochs: 10, classes: 10 });
 * ```
 */
export function curvesFromRecords(records: readonly unknown[], info: CurvesInfo = {}): RunCurves {
  const batches: BatchPoint[] = [];
  const ratios: RatioPoint[] = [];
  const epochLines: { line: number; point: Omit<EpochPoint, 'lr'>; hpLr: number | undefined }[] = [];
  const lastLrOfEpoch = new Map<number, { step: number; lr: number }>();
  const divergences: (Divergence & { fromErrorLine: boolean })[] = [];

  records.forEach((record, index) => {
    const line = index + 1;
    if (!isObject(record)) throw new CurvesError(line, '', `expected a JSON object, got ${show(record)}`);
    const r = new LineReader(line, record);
    if (typeof record['kind'] !== 'string') r.fail('kind', `must be a string ('batch', 'epoch', 'error', ...), got ${show(record['kind'])}`);
    switch (record['kind']) {
      case 'batch': {
        const step = r.number('step');
        const epoch = r.number('epoch');
        const loss = r.numberOrNull('loss');
        const lr = r.number('lr');
        if (Number.isFinite(loss)) batches.push({ step, epoch, loss, lr });
        else divergences.push({ step, epoch, message: `non-finite loss at step ${step} (epoch ${epoch})`, fromErrorLine: false });
        const previous = lastLrOfEpoch.get(epoch);
        if (!previous || previous.step <= step) lastLrOfEpoch.set(epoch, { step, lr });
        const ratioPoint = readRatios(r, step);
        if (ratioPoint) ratios.push(ratioPoint);
        break;
      }
      case 'epoch': {
        const epoch = r.number('epoch');
        const step = r.number('step');
        const trainLoss = r.numberOrNull('train.loss.mean');
        const point: Omit<EpochPoint, 'lr'> = {
          epoch,
          step,
          trainLoss,
          trainLossStd: r.optionalNumber('train.loss.std') ?? 0,
          valLoss: r.optionalObject('val') ? r.numberOrNull('val.loss.mean') : undefined,
          trainAccuracy: r.optionalNumber('train.metrics.accuracy'),
          valAccuracy: r.optionalNumber('val.metrics.accuracy'),
        };
        if (!Number.isFinite(trainLoss)) divergences.push({ step, epoch, message: `non-finite mean training loss in epoch ${epoch}`, fromErrorLine: false });
        epochLines.push({ line, point, hpLr: epochLr(r.optionalObject('hyperparameters')) });
        break;
      }
      case 'error': {
        // The Trainer's error event may lack a step: it then happened right after the last logged step.
        const step = r.optionalNumber('step') ?? (batches.length ? Math.max(...batches.map((b) => b.step)) + 1 : 0);
        const epoch = r.optionalNumber('epoch');
        const code = r.optionalString('code');
        const message = r.optionalString('message') ?? '';
        const tensor = r.optionalString('tensor');
        divergences.push({ step, ...(epoch !== undefined ? { epoch } : {}), message: [code, message].filter(Boolean).join(': ') || 'error', ...(tensor ? { tensor } : {}), fromErrorLine: true });
        break;
      }
      default:
        break;
    }
  });

  const epochs: EpochPoint[] = epochLines
    .map(({ point, hpLr }) => {
      const lr = lastLrOfEpoch.get(point.epoch)?.lr ?? hpLr;
      return stripUndefined({ ...point, lr });
    })
    .sort((a, b) => a.epoch - b.epoch);
  batches.sort((a, b) => a.step - b.step);
  ratios.sort((a, b) => a.step - b.step);

  // The earliest divergence wins; at the same step an error line (code, tensor) beats a bare null loss.
  divergences.sort((a, b) => a.step - b.step || Number(b.fromErrorLine) - Number(a.fromErrorLine));
  const first = divergences[0];
  const divergence: Divergence | undefined = first ? stripUndefined({ step: first.step, epoch: first.epoch, message: first.message, tensor: first.tensor }) : undefined;

  const planned = info.plannedEpochs;
  const finished = info.finished ?? (divergence !== undefined || planned === undefined || epochs.length >= planned);
  return stripUndefined({ epochs, batches, ratios, divergence, plannedEpochs: planned, finished, classes: info.classes });
}

/** Drops keys whose value is undefined, so optional fields are absent rather than present-but-undefined. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
