import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SearchError, StorageError } from '../errors.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, Storage, StudyRecord, TrialState } from '../types.js';
import { TrialBook, type EnqueueFixed } from './trial-book.js';

/** One line of the journal. `n` is the writer's nonce (it finds its op's outcome by it), `t` its clock (epoch ms). */
type Op = { n: string; t: number } & (
  | { op: 'createStudy'; study: string; direction: Direction; load: boolean; directions?: Direction[] }
  | { op: 'studyAttr'; study: string; kind: 'user' | 'system'; key: string; value: unknown }
  | { op: 'startTrial'; study: string; worker: string }
  | { op: 'claim'; study: string; worker: string }
  | { op: 'enqueue'; study: string; fixed: EnqueueFixed }
  | { op: 'setParam'; trial: string; name: string; distribution: Distribution; value: ParamValue }
  | { op: 'report'; trial: string; step: number; value: number | string }
  | { op: 'attr'; trial: string; kind: 'user' | 'system'; key: string; value: unknown }
  | { op: 'heartbeat'; trial: string }
  | { op: 'finish'; trial: string; state: 'complete' | 'pruned' | 'fail'; value?: number | string; values?: (number | string)[]; error?: string }
  | { op: 'failStale'; study: string; graceMs: number; retry: boolean }
  | { op: 'repair'; at: number; bytes: number }
);
type OpBody = Op extends infer O ? (O extends Op ? Omit<O, 'n' | 't'> : never) : never;

/** JSON has no NaN/Infinity and drops the sign of -0: objective and intermediate values are written as strings then. */
const encodeNumber = (v: number): number | string => (Number.isFinite(v) && !Object.is(v, -0) ? v : Object.is(v, -0) ? '-0' : String(v));
const decodeNumber = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

const CHUNK = 1 << 16;
const NEWLINE = 0x0a;
/** How long a partial last line may stay partial before it is taken for a dead writer's (a live writer appends a whole line in one write). */
const TORN_WAIT_MS = 200;
/** Every op line starts with this (`op` is the first key written). */
const OP_START = '{"op":"';

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The op a line holds, or undefined when it is not an op's JSON. */
function parseOp(raw: string): Op | undefined {
  try {
    const op = JSON.parse(raw) as Op;
    return op && typeof op === 'object' && typeof op.op === 'string' ? op : undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link JournalStorage}. */
export interface JournalStorageOptions {
  /** Told when a torn line is repaired or skipped (default: process.emitWarning). */
  onWarning?: (message: string) => void;
}

/**
 * Studies in an append-only JSON-lines file, safe for several processes on one machine (the
 * embedded default for multi-process search; use RedisStorage across machines). Each call
 * appends one operation with a single O_APPEND write and replays what other processes appended
 * since the last read; the state is the replay of the whole log, so conflicts resolve by log
 * order: of two concurrent `startTrial` calls the first line claims the oldest waiting trial and
 * the second gets the next one, a `finish` of a trial the log already shows finished or failed
 * as stale is void (and its writer gets a TrialStateError), and `failStaleTrials` ops replay at
 * their position, so each stale trial is failed and retried exactly once.
 *
 * A line that is not JSON in the middle of the file is a StorageError naming the line; a torn
 * last line (a writer caught mid-write) is read again once completed. A writer appends a whole
 * line in one write, so a last line still partial after 200 ms is a dead writer's (killed
 * mid-write, a full disk, a crash): opening the journal, or appending to it, repairs such a tail
 * with a warning: a `repair` line naming the fragment's byte offset is appended on a new line, and
 * every reader skips the fragment it names. A fragment another process's append was glued to
 * (`{"op":"heartbeat","tri{"op":"finish",...}`) is skipped too, and the glued op replayed. The
 * file is never truncated or rewritten: processes appending at the same time lose nothing.
 *
 * @example
 * const storage = new JournalStorage('runs/search.jsonl');
 * const study = await createStudy('mlp', { storage, loadIfExists: true });
 * await study.optimize(objective, { nTrials: 20 }); // run the same script in 4 processes
 */
export class JournalStorage implements Storage {
  private readonly book: TrialBook;
  private readonly appendFd: number;
  private readonly readFd: number;
  private offset = 0;
  private line = 0;
  private rest: Buffer = Buffer.alloc(0);
  private readonly chunk = Buffer.allocUnsafe(CHUNK);
  private readonly tag = randomBytes(6).toString('base64url');
  private counter = 0;
  /** Outcomes of this instance's own ops, by nonce, until the writer takes them. */
  private readonly outcomes = new Map<string, { ok: true; result: unknown } | { ok: false; error: unknown }>();
  private closed = false;
  /** Set when the log cannot be replayed; every later call rethrows it. */
  private broken?: StorageError;

  private readonly warn: (message: string) => void;

  /** Opens (creating when missing) the journal at `path`, replays it and repairs a torn last line. */
  constructor(
    readonly path: string,
    options: JournalStorageOptions = {},
  ) {
    this.warn = options.onWarning ?? ((m) => process.emitWarning(m, 'JournalStorageWarning'));
    this.book = new TrialBook(`journal ${path}`);
    try {
      this.appendFd = openSync(path, 'a');
      this.readFd = openSync(path, 'r');
    } catch (e) {
      throw new StorageError(path, `cannot open the journal (${(e as Error).message}); check that its directory exists and is writable`);
    }
    this.refresh();
    if (this.rest.length) this.repairTail();
  }

  async createStudy(name: string, direction: Direction, options: { loadIfExists?: boolean; directions?: readonly Direction[] } = {}): Promise<StudyRecord> {
    const body: OpBody = { op: 'createStudy', study: name, direction, load: !!options.loadIfExists };
    if (options.directions && options.directions.length > 1) body.directions = [...options.directions];
    return this.write(body) as StudyRecord;
  }

  async getStudy(name: string): Promise<StudyRecord | undefined> {
    this.refresh();
    return this.book.getStudy(name);
  }

  async listStudies(): Promise<StudyRecord[]> {
    this.refresh();
    return this.book.listStudies();
  }

  async setStudyAttr(study: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    this.write({ op: 'studyAttr', study, kind, key, value });
  }

  async startTrial(study: string, worker: string): Promise<FrozenTrial> {
    return this.write({ op: 'startTrial', study, worker }) as FrozenTrial;
  }

  async claimWaitingTrial(study: string, worker: string): Promise<FrozenTrial | undefined> {
    this.refresh();
    // only write when this replica sees a waiting trial; the op itself re-decides at its log position
    if (!this.book.hasWaiting(study)) return undefined;
    return this.write({ op: 'claim', study, worker }) as FrozenTrial | undefined;
  }

  async enqueueTrial(study: string, fixed: EnqueueFixed): Promise<FrozenTrial> {
    return this.write({ op: 'enqueue', study, fixed }) as FrozenTrial;
  }

  async setParam(trialId: string, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    this.write({ op: 'setParam', trial: trialId, name, distribution, value });
  }

  async reportIntermediate(trialId: string, step: number, value: number): Promise<void> {
    this.write({ op: 'report', trial: trialId, step, value: encodeNumber(value) });
  }

  async setTrialAttr(trialId: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    this.write({ op: 'attr', trial: trialId, kind, key, value });
  }

  async heartbeat(trialId: string): Promise<void> {
    this.write({ op: 'heartbeat', trial: trialId });
  }

  async finishTrial(trialId: string, state: 'complete' | 'pruned' | 'fail', options: { value?: number; values?: readonly number[]; error?: string } = {}): Promise<FrozenTrial> {
    const body: OpBody = { op: 'finish', trial: trialId, state };
    if (options.value !== undefined) body.value = encodeNumber(options.value);
    if (options.values !== undefined) body.values = options.values.map(encodeNumber);
    if (options.error !== undefined) body.error = options.error;
    return this.write(body) as FrozenTrial;
  }

  async getTrial(trialId: string): Promise<FrozenTrial> {
    this.refresh();
    return this.book.getTrial(trialId);
  }

  async getTrials(study: string, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    this.refresh();
    return this.book.getTrials(study, states);
  }

  async failStaleTrials(study: string, graceMs: number, options: { retry?: boolean } = {}): Promise<FrozenTrial[]> {
    this.refresh();
    // only write when this replica sees something stale; the op itself re-decides at its log position
    if (!this.book.hasStale(study, graceMs, Date.now())) return [];
    return this.write({ op: 'failStale', study, graceMs, retry: !!options.retry }) as FrozenTrial[];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.appendFd);
    closeSync(this.readFd);
  }

  /** Appends one op, replays up to (at least) it and returns its outcome or throws its error. */
  private write(body: OpBody): unknown {
    if (this.closed) throw new StorageError(this.path, 'the journal storage is closed');
    // the file ended mid-line when last read: start on a new line unless its writer completes it
    if (this.rest.length) this.repairTail();
    const n = `${this.tag}${(this.counter++).toString(36)}`;
    const line = JSON.stringify({ ...body, n, t: Date.now() }) + '\n';
    try {
      writeSync(this.appendFd, line);
    } catch (e) {
      throw new StorageError(this.path, `cannot append to the journal (${(e as Error).message})`);
    }
    this.refresh();
    const outcome = this.outcomes.get(n);
    this.outcomes.delete(n);
    if (!outcome) throw new StorageError(this.path, `the operation just appended (${body.op}) was not found when reading the journal back; is another program truncating or rewriting the file?`);
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  /** Reads the bytes appended since the last read and replays the complete lines. */
  private refresh(): void {
    if (this.closed) throw new StorageError(this.path, 'the journal storage is closed');
    if (this.broken) throw this.broken;
    try {
      this.readAppended();
    } catch (e) {
      if (e instanceof StorageError) this.broken = e;
      throw e;
    }
  }

  private readAppended(): void {
    const parts: Buffer[] = this.rest.length ? [this.rest] : [];
    for (;;) {
      let got: number;
      try {
        got = readSync(this.readFd, this.chunk, 0, CHUNK, this.offset);
      } catch (e) {
        throw new StorageError(this.path, `cannot read the journal (${(e as Error).message})`);
      }
      if (got === 0) break;
      this.offset += got;
      parts.push(Buffer.from(this.chunk.subarray(0, got)));
      if (got < CHUNK) break;
    }
    if (parts.length === 0 || (parts.length === 1 && parts[0] === this.rest)) return;
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const base = this.offset - data.length; // file offset of data[0]
    let start = 0;
    for (;;) {
      const stop = data.indexOf(NEWLINE, start);
      if (stop < 0) break;
      if (stop > start) {
        const raw = data.toString('utf8', start, stop);
        const op = parseOp(raw) ?? this.unglue(raw, this.line + 1);
        if (!op) {
          // not an op: a torn fragment if the next line is a repair naming it; wait for that line when it is not complete yet
          const next = data.indexOf(NEWLINE, stop + 1);
          if (next < 0) break;
          const repair = parseOp(data.toString('utf8', stop + 1, next));
          if (repair?.op !== 'repair' || repair.at !== base + start) {
            this.line++;
            throw new StorageError(`${this.path}:${this.line}`, `line ${this.line} of the journal is not valid JSON (${raw.slice(0, 80)}${raw.length > 80 ? '...' : ''}); the file was edited or damaged: restore it from a copy or delete that line`);
          }
          this.line++;
          this.warn(`${this.path}:${this.line}: skipped a torn line of ${stop - start} bytes (a writer stopped in the middle of it; repaired by the line after it)`);
        } else {
          this.line++;
          this.replay(op);
        }
      } else this.line++;
      start = stop + 1;
    }
    this.rest = data.subarray(start);
  }

  /**
   * A torn fragment with a whole op appended right after it (its writer had not seen the tear):
   * the op, with a warning; undefined when the line holds no whole op.
   */
  private unglue(raw: string, line: number): Op | undefined {
    for (let p = raw.indexOf(OP_START, 1); p > 0; p = raw.indexOf(OP_START, p + 1)) {
      const op = parseOp(raw.slice(p));
      if (op && typeof op.n === 'string') {
        this.warn(`${this.path}:${line}: skipped a torn fragment of ${Buffer.byteLength(raw.slice(0, p))} bytes (a writer stopped in the middle of a line) that the next operation was appended to; that operation is kept`);
        return op;
      }
    }
    return undefined;
  }

  /**
   * The file ends mid-line (or with a line that is not an op): waits up to TORN_WAIT_MS for its
   * writer to complete it, then appends a `repair` line naming it, on a new line.
   */
  private repairTail(): void {
    for (let waited = 0; this.rest.length && waited < TORN_WAIT_MS; waited += 20) {
      sleepSync(20);
      this.refresh();
    }
    if (!this.rest.length) return;
    const at = this.offset - this.rest.length;
    const marker = JSON.stringify({ op: 'repair', at, bytes: this.rest.length, n: `repair-${this.tag}`, t: Date.now() });
    try {
      writeSync(this.appendFd, `${this.rest[this.rest.length - 1] === NEWLINE ? '' : '\n'}${marker}\n`);
    } catch (e) {
      throw new StorageError(this.path, `cannot append to the journal to repair its torn last line (${(e as Error).message})`);
    }
    this.refresh();
  }

  private replay(op: Op): void {
    const mine = typeof op.n === 'string' && op.n.startsWith(this.tag);
    try {
      const result = this.apply(op);
      if (mine) this.outcomes.set(op.n, { ok: true, result });
    } catch (e) {
      if (e instanceof StorageError) throw e;
      if (!(e instanceof SearchError)) throw new StorageError(`${this.path}:${this.line}`, `cannot replay line ${this.line} (${(e as Error).message}); the file was written by another program or version`);
      if (mine) this.outcomes.set(op.n, { ok: false, error: e });
      // someone else's op that lost a race (or was invalid) is void
    }
  }

  private apply(op: Op): unknown {
    const b = this.book;
    switch (op.op) {
      case 'createStudy':
        return b.createStudy(op.study, op.direction, op.load, op.directions);
      case 'studyAttr':
        return b.setStudyAttr(op.study, op.key, op.value, op.kind);
      case 'startTrial':
        return b.startTrial(op.study, op.worker, op.t);
      case 'claim':
        return b.claimWaitingTrial(op.study, op.worker, op.t);
      case 'enqueue':
        return b.enqueueTrial(op.study, op.fixed);
      case 'setParam':
        return b.setParam(op.trial, op.name, op.distribution, op.value);
      case 'report':
        return b.reportIntermediate(op.trial, op.step, decodeNumber(op.value));
      case 'attr':
        return b.setTrialAttr(op.trial, op.key, op.value, op.kind);
      case 'heartbeat':
        return b.heartbeat(op.trial, op.t);
      case 'finish':
        return b.finishTrial(op.trial, op.state, { value: op.value === undefined ? undefined : decodeNumber(op.value), values: op.values?.map(decodeNumber), error: op.error }, op.t);
      case 'failStale':
        return b.failStaleTrials(op.study, op.graceMs, op.retry, op.t);
      case 'repair':
        return undefined; // read with the torn line before it
      default:
        throw new StorageError(`${this.path}:${this.line}`, `unknown operation ${JSON.stringify((op as { op?: unknown }).op)} on line ${this.line}; the file was written by another program or a newer version`);
    }
  }
}
