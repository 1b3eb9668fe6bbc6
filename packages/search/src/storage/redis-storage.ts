import { randomBytes } from 'node:crypto';
import { ClientOfflineError, ConnectionTimeoutError, createClient, ErrorReply, SocketClosedUnexpectedlyError, SocketTimeoutError, type RedisClientType } from 'redis';
import { StorageError, StorageUnavailableError, StudyLostError, TrialStateError } from '../errors.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, Storage, StudyRecord, TrialState } from '../types.js';
import { checkDirections } from './trial-book.js';
import { CLAIM_WAITING, CREATE_STUDY, ENQUEUE_TRIAL, FAIL_STALE, FINISH_TRIAL, HEARTBEAT, SET_FIELD, SET_PARAM, START_TRIAL } from './redis-scripts.js';

/** JSON with object keys sorted, so equal values give equal strings (the scripts compare strings). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const parseAll = <T>(hash: Record<string, string>): Record<string, T> => Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, JSON.parse(v) as T]));

/** Options of {@link RedisStorage.connect}. */
export interface RedisStorageOptions {
  /** Key prefix (default 'anneal'). */
  prefix?: string;
  /** Attempts of the first connection before `connect` fails (default 5, 100 ms apart growing to 1 s). */
  retries?: number;
  /**
   * Once connected, how long commands are retried across a lost connection (Redis restarting, a
   * network cut) before they fail with a StorageUnavailableError: `maxMs` (default 30000) counts from
   * the start of the outage.
   */
  retry?: { maxMs?: number };
}

/** Default bound of the retries across an outage. */
export const REDIS_RETRY_MAX_MS = 30_000;

/** Errors that mean "the server did not answer" (retried), as opposed to an answer (a script's error reply). */
function transient(e: unknown): boolean {
  if (e instanceof ErrorReply) return /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN)\b/.test(e.message);
  if (e instanceof ClientOfflineError || e instanceof SocketClosedUnexpectedlyError || e instanceof ConnectionTimeoutError || e instanceof SocketTimeoutError) return true;
  return /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(String((e as { code?: unknown } | undefined)?.code));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const studyOf = (trialId: string) => trialId.slice(0, trialId.lastIndexOf('#'));

/**
 * Studies in Redis, for workers on any number of machines. Every trial transition is one Lua
 * script (atomic in Redis); heartbeats and staleness use the server's clock. Layout under
 * `prefix` (default 'anneal'): `studies` (hash), `study:<name>:trials` (ids in number order),
 * `:waiting` (FIFO of enqueued/retried ids), `:running` (set), `trial:<id>` (hash of scalar
 * fields) with `:params`, `:dists`, `:inter`, `:uattr`, `:sattr` hashes of JSON values, and
 * `req:<token>` (the answers of claims, kept a day, so a retried script returns the same trial).
 *
 * Outages: the client reconnects for as long as it is open, and a command whose connection is
 * lost is retried with backoff (every script is safe to run twice) until `retry.maxMs` after the
 * outage began, then fails with a StorageUnavailableError. Heartbeats are not retried (the next
 * one replaces a lost one), and after an outage this process fails no other worker's trial as
 * stale until one grace period has passed: the other workers lost the server too, and their
 * heartbeats need that long to arrive. A study this process used that is gone from the server
 * (a restart without persistence) is a StudyLostError.
 *
 * @example
 * const storage = await RedisStorage.connect('redis://10.0.0.5:6379', { retry: { maxMs: 60_000 } });
 */
export class RedisStorage implements Storage {
  /**
   * Studies this process created or read, with the random tag each got when created: a later
   * NO_STUDY / NO_TRIAL of one, or another tag under its name (created again after the server lost
   * it), means the server lost it.
   */
  private readonly seen = new Map<string, string | undefined>();
  /** When the current outage began (undefined while commands succeed). */
  private outageSince: number | undefined;
  /** The last moment the server was known unreachable (or the moment it was reached again). */
  private unreachableAt = -Infinity;
  private closed = false;

  private constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
    private readonly url: string,
    private readonly retryMaxMs: number,
  ) {
    // every failed attempt, and the moment the connection is back (a later 'ready' is a reconnection)
    client.on('error', () => this.markUnreachable()).on('ready', () => this.markUnreachable());
  }

  /** Connects (retrying up to `retries` times, 100 ms apart growing to 1 s); once connected, reconnects after any drop until closed. */
  static async connect(url: string, options: RedisStorageOptions = {}): Promise<RedisStorage> {
    const retries = options.retries ?? 5;
    const retryMaxMs = options.retry?.maxMs ?? REDIS_RETRY_MAX_MS;
    if (!URL.canParse(url)) throw new StorageError(url, 'not a valid Redis URL (host, port 0-65535, user:password@ escaped); e.g. redis://127.0.0.1:6379');
    let connected = false;
    const reconnectStrategy = (attempt: number, cause: Error) => (connected ? Math.min(50 * 2 ** attempt, 1000) : attempt >= retries ? cause : Math.min(100 * (attempt + 1), 1000));
    // commands fail at once while disconnected (no offline queue): the storage retries them itself, within its bound
    const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 5000, reconnectStrategy } }) as RedisClientType;
    client.on('error', () => {}); // surfaced by the failing command instead
    try {
      await client.connect();
    } catch (e) {
      throw new StorageError(url, `cannot connect to Redis (${(e as Error).message}); check the URL and that redis-server is running and reachable`);
    }
    connected = true;
    return new RedisStorage(client, options.prefix ?? 'anneal', url, retryMaxMs);
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  private trialKey(id: string): string {
    return this.key('trial', id);
  }

  private studyKeys(study: string): string[] {
    return [this.key('study', study, 'trials'), this.key('study', study, 'waiting'), this.key('study', study, 'running')];
  }

  /** A fresh request key: a retried script finds the answer of its first run there. */
  private requestKey(): string {
    return this.key('req', randomBytes(9).toString('base64url'));
  }

  private markUnreachable(): void {
    this.unreachableAt = Date.now();
  }

  /**
   * Runs a command, retrying it with backoff while the server does not answer, until `retryMaxMs`
   * after the outage began. `retry: false` tries once (heartbeats).
   */
  private async command<T>(what: string, fn: () => Promise<T>, retry = true): Promise<T> {
    let delay = 50;
    for (;;) {
      if (this.closed) throw new StorageError(this.url, `${what}: the Redis storage is closed`);
      try {
        const result = await fn();
        this.outageSince = undefined;
        return result;
      } catch (e) {
        if (this.closed || !transient(e)) throw e;
        const now = Date.now();
        this.markUnreachable();
        this.outageSince ??= now;
        const left = this.outageSince + this.retryMaxMs - now;
        if (!retry) throw new StorageUnavailableError(this.url, `${what}: Redis did not answer (${(e as Error).message}); not retried`);
        if (left <= 0) {
          const seconds = ((now - this.outageSince) / 1000).toFixed(1);
          throw new StorageUnavailableError(this.url, `${what}: Redis did not answer for ${seconds} s (retried up to storage retry.maxMs = ${this.retryMaxMs} ms; last error: ${(e as Error).message}); the study cannot progress from here. Check that redis-server is running and reachable, then start the workers again: the study resumes, and trials left running are failed and retried after the heartbeat grace`);
        }
        await sleep(Math.min(delay, left));
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  /** Runs a script of `study`; `retry: false` tries once. */
  private async run(script: string, keys: string[], args: string[], what: string, study: string, retry = true): Promise<unknown> {
    try {
      return await this.command(what, () => this.client.eval(script, { keys, arguments: args }), retry);
    } catch (e) {
      if (e instanceof StorageError) throw e;
      const message = (e as Error).message ?? String(e);
      if (/\b(NO_STUDY|NO_TRIAL)\b/.test(message) && this.seen.has(study)) throw this.lost(study, what);
      if (/NOT_RUNNING|PARAM_CONFLICT|DISTRIBUTION_CONFLICT|NO_TRIAL|NO_STUDY|STUDY_EXISTS|DIRECTION_MISMATCH/.test(message)) throw new TrialStateError(`${what}: ${message}`);
      throw new StorageError(this.url, `${what} failed: ${message}`);
    }
  }

  private lost(study: string, what: string, again = false): StudyLostError {
    return new StudyLostError(this.url, study, `${what}: study '${study}' is gone from this Redis server, which lost its data (restarted without persistence, flushed, or its keys deleted) while workers used it${again ? ", and a study of that name was created again since (by a worker started after the loss)" : ''}; its trials cannot be recovered from Redis. Enable persistence (appendonly yes) for studies that must survive a restart, and start the study again (the trials' run folders stay on disk)`);
  }

  /** Remembers the tag of a study's stored JSON, or throws StudyLostError when the study this process saw under that name was another. */
  private check(name: string, raw: string, what: string): void {
    const tag = (JSON.parse(raw) as { tag?: string }).tag;
    if (this.seen.has(name) && this.seen.get(name) !== tag) throw this.lost(name, what, true);
    this.seen.set(name, tag);
  }

  async createStudy(name: string, direction: Direction, options: { loadIfExists?: boolean; directions?: readonly Direction[] } = {}): Promise<StudyRecord> {
    const directions = checkDirections(this.url, name, direction, options.directions);
    const record: StudyRecord = { name, direction, ...(directions.length > 1 ? { directions } : {}), userAttrs: {}, systemAttrs: {} };
    const tag = randomBytes(6).toString('base64url');
    const json = canonical(directions.length > 1 ? { name, direction, directions, tag } : { name, direction, tag });
    const stored = (await this.run(CREATE_STUDY, [this.key('studies'), this.requestKey()], [name, directions.join(','), json, options.loadIfExists ? '1' : '0'], `createStudy('${name}')`, name)) as string;
    this.check(name, stored, `createStudy('${name}')`);
    return (await this.getStudy(JSON.parse(stored).name as string)) ?? record;
  }

  async getStudy(name: string): Promise<StudyRecord | undefined> {
    const raw = await this.command(`getStudy('${name}')`, () => this.client.hGet(this.key('studies'), name));
    if (!raw) {
      if (this.seen.has(name)) throw this.lost(name, `getStudy('${name}')`);
      return undefined;
    }
    this.check(name, raw, `getStudy('${name}')`);
    const { direction, directions } = JSON.parse(raw) as { direction: Direction; directions?: Direction[] };
    const [u, s] = await this.command(`getStudy('${name}')`, () => Promise.all([this.client.hGetAll(this.key('study', name, 'uattr')), this.client.hGetAll(this.key('study', name, 'sattr'))]));
    return { name, direction, ...(directions ? { directions } : {}), userAttrs: parseAll(u), systemAttrs: parseAll(s) };
  }

  async listStudies(): Promise<StudyRecord[]> {
    const names = await this.command('listStudies()', () => this.client.hKeys(this.key('studies')));
    return (await Promise.all(names.map((n) => this.getStudy(n)))).filter((s): s is StudyRecord => !!s);
  }

  async setStudyAttr(study: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    await this.command(`setStudyAttr('${study}', '${key}')`, () => this.client.hSet(this.key('study', study, kind === 'user' ? 'uattr' : 'sattr'), key, canonical(value)));
  }

  async startTrial(study: string, worker: string): Promise<FrozenTrial> {
    const [trials, waiting, running] = this.studyKeys(study);
    const id = (await this.run(START_TRIAL, [trials!, waiting!, running!, this.key('studies'), this.requestKey()], [study, worker, this.trialKey('')], `startTrial('${study}')`, study)) as string;
    return this.getTrial(id);
  }

  async claimWaitingTrial(study: string, worker: string): Promise<FrozenTrial | undefined> {
    const [, waiting, running] = this.studyKeys(study);
    const id = (await this.run(CLAIM_WAITING, [waiting!, running!, this.key('studies'), this.requestKey()], [study, worker, this.trialKey('')], `claimWaitingTrial('${study}')`, study)) as string | null;
    return id ? this.getTrial(id) : undefined;
  }

  async enqueueTrial(study: string, fixed: { params?: Record<string, ParamValue>; distributions?: Record<string, Distribution>; retryOf?: number; systemAttrs?: Record<string, unknown> }): Promise<FrozenTrial> {
    const [trials, waiting] = this.studyKeys(study);
    const triples: string[] = [];
    for (const [k, v] of Object.entries(fixed.params ?? {})) triples.push('p', k, canonical(v));
    for (const [k, v] of Object.entries(fixed.distributions ?? {})) triples.push('d', k, canonical(v));
    for (const [k, v] of Object.entries(fixed.systemAttrs ?? {})) triples.push('s', k, canonical(v));
    const id = (await this.run(ENQUEUE_TRIAL, [trials!, waiting!, this.key('studies'), this.requestKey()], [study, this.trialKey(''), fixed.retryOf === undefined ? '' : String(fixed.retryOf), ...triples], `enqueueTrial('${study}')`, study)) as string;
    return this.getTrial(id);
  }

  async setParam(trialId: string, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    await this.run(SET_PARAM, [this.trialKey(trialId)], [name, canonical(value), canonical(distribution)], `setParam('${trialId}', '${name}')`, studyOf(trialId));
  }

  async reportIntermediate(trialId: string, step: number, value: number): Promise<void> {
    await this.run(SET_FIELD, [this.trialKey(trialId)], [':inter', String(step), canonical(value)], `reportIntermediate('${trialId}', ${step})`, studyOf(trialId));
  }

  async setTrialAttr(trialId: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    await this.run(SET_FIELD, [this.trialKey(trialId)], [kind === 'user' ? ':uattr' : ':sattr', key, canonical(value)], `setTrialAttr('${trialId}', '${key}')`, studyOf(trialId));
  }

  /** One attempt: a heartbeat lost in an outage is replaced by the next one. */
  async heartbeat(trialId: string): Promise<void> {
    await this.run(HEARTBEAT, [this.trialKey(trialId)], [], `heartbeat('${trialId}')`, studyOf(trialId), false);
  }

  async finishTrial(trialId: string, state: 'complete' | 'pruned' | 'fail', options: { value?: number; values?: readonly number[]; error?: string } = {}): Promise<FrozenTrial> {
    const values = options.values === undefined ? '' : JSON.stringify(options.values.map((v) => (Number.isFinite(v) ? v : String(v))));
    const token = randomBytes(9).toString('base64url');
    await this.run(FINISH_TRIAL, [this.trialKey(trialId), this.studyKeys(studyOf(trialId))[2]!], [trialId, state, options.value === undefined ? '' : canonical(options.value), options.error ?? '', values, token], `finishTrial('${trialId}', ${state})`, studyOf(trialId));
    return this.getTrial(trialId);
  }

  async getTrial(trialId: string): Promise<FrozenTrial> {
    const [trial] = await this.loadTrials([trialId]);
    // trials are never deleted: one of a study this process used that is missing went with the server's data
    if (!trial && this.seen.has(studyOf(trialId))) throw this.lost(studyOf(trialId), `getTrial('${trialId}')`);
    if (!trial) throw new TrialStateError(`no trial '${trialId}' in ${this.url}`);
    return trial;
  }

  /** Unknown study: [] (a study this process used that is gone: StudyLostError). */
  async getTrials(study: string, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    const what = `getTrials('${study}')`;
    const [raw, ids] = (await this.command(what, () => this.client.multi().hGet(this.key('studies'), study).lRange(this.studyKeys(study)[0]!, 0, -1).execAsPipeline())) as unknown as [string | null, string[]];
    if (!raw && this.seen.has(study)) throw this.lost(study, what);
    if (raw) this.check(study, raw, what);
    const trials = await this.loadTrials(ids);
    return states ? trials.filter((t) => states.includes(t.state)) : trials;
  }

  /**
   * Fails (and retries) the trials silent for `graceMs`, except within `graceMs` of this process
   * losing the server: the other workers lost it too and their heartbeats are on the way. Tried
   * once (none is failed when the server does not answer; the next call tries again), so it never
   * runs the moment a server comes back, before the heartbeats.
   */
  async failStaleTrials(study: string, graceMs: number, options: { retry?: boolean } = {}): Promise<FrozenTrial[]> {
    if (Date.now() - this.unreachableAt < graceMs) return [];
    const [trials, waiting, running] = this.studyKeys(study);
    let ids: string[];
    try {
      ids = (await this.run(FAIL_STALE, [trials!, waiting!, running!, this.key('studies')], [study, this.trialKey(''), String(graceMs), options.retry ? '1' : '0'], `failStaleTrials('${study}')`, study, false)) as string[];
    } catch (e) {
      if (e instanceof StorageUnavailableError) return [];
      throw e;
    }
    return this.loadTrials(ids);
  }

  /** Closes the connection (at once when the server is unreachable: nothing is retried after this). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.isReady) await this.client.close().catch(() => this.client.destroy());
    else this.client.destroy();
  }

  /** Trials by id in one pipeline (6 hashes each). */
  private async loadTrials(ids: readonly string[]): Promise<FrozenTrial[]> {
    if (!ids.length) return [];
    const pipeline = () => {
      const multi = this.client.multi();
      for (const id of ids) {
        const k = this.trialKey(id);
        multi.hGetAll(k).hGetAll(`${k}:params`).hGetAll(`${k}:dists`).hGetAll(`${k}:inter`).hGetAll(`${k}:uattr`).hGetAll(`${k}:sattr`);
      }
      return multi.execAsPipeline();
    };
    const replies = (await this.command(`reading ${ids.length} trial(s)`, pipeline)) as unknown as Record<string, string>[];
    const out: FrozenTrial[] = [];
    for (let i = 0; i < ids.length; i++) {
      const [h, params, dists, inter, uattr, sattr] = replies.slice(i * 6, i * 6 + 6) as Record<string, string>[];
      if (!h || !h.state) continue;
      const num = (v?: string) => (v === undefined || v === '' ? undefined : Number(v));
      out.push({
        id: h.id!,
        number: Number(h.number),
        state: h.state as TrialState,
        params: parseAll<ParamValue>(params!),
        distributions: parseAll<Distribution>(dists!),
        value: h.value === undefined ? undefined : (JSON.parse(h.value) as number),
        ...(h.values === undefined ? {} : { values: (JSON.parse(h.values) as (number | string)[]).map(Number) }),
        intermediate: Object.fromEntries(Object.entries(inter!).map(([k, v]) => [Number(k), JSON.parse(v) as number])),
        startedAt: num(h.startedAt),
        completedAt: num(h.completedAt),
        heartbeatAt: num(h.heartbeatAt),
        worker: h.worker,
        error: h.error,
        retryOf: num(h.retryOf),
        userAttrs: parseAll(uattr!),
        systemAttrs: parseAll(sattr!),
      });
    }
    return out;
  }
}
