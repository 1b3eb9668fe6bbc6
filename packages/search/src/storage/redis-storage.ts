import { createClient, type RedisClientType } from 'redis';
import { StorageError, TrialStateError } from '../errors.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, Storage, StudyRecord, TrialState } from '../types.js';
import { checkDirections } from './trial-book.js';
import { CREATE_STUDY, ENQUEUE_TRIAL, FAIL_STALE, FINISH_TRIAL, HEARTBEAT, SET_FIELD, SET_PARAM, START_TRIAL } from './redis-scripts.js';

/** JSON with object keys sorted, so equal values give equal strings (the scripts compare strings). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const parseAll = <T>(hash: Record<string, string>): Record<string, T> => Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, JSON.parse(v) as T]));

/**
 * Studies in Redis, for workers on any number of machines. Every trial transition is one Lua
 * script (atomic in Redis); heartbeats and staleness use the server's clock. Layout under
 * `prefix` (default 'anneal'): `studies` (hash), `study:<name>:trials` (ids in number order),
 * `:waiting` (FIFO of enqueued/retried ids), `:running` (set), `trial:<id>` (hash of scalar
 * fields) with `:params`, `:dists`, `:inter`, `:uattr`, `:sattr` hashes of JSON values.
 *
 * @example
 * const storage = await RedisStorage.connect('redis://10.0.0.5:6379');
 */
export class RedisStorage implements Storage {
  private constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
    private readonly url: string,
  ) {}

  /** Connects (retrying up to `retries` times, 100 ms apart growing to 1 s, also after a dropped connection). */
  static async connect(url: string, options: { prefix?: string; retries?: number } = {}): Promise<RedisStorage> {
    const retries = options.retries ?? 5;
    if (!URL.canParse(url)) throw new StorageError(url, 'not a valid Redis URL (host, port 0-65535, user:password@ escaped); e.g. redis://127.0.0.1:6379');
    const client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: (attempt: number, cause: Error) => (attempt >= retries ? cause : Math.min(100 * (attempt + 1), 1000)) } }) as RedisClientType;
    client.on('error', () => {}); // surfaced by the failing command instead
    try {
      await client.connect();
    } catch (e) {
      throw new StorageError(url, `cannot connect to Redis (${(e as Error).message}); check the URL and that redis-server is running and reachable`);
    }
    return new RedisStorage(client, options.prefix ?? 'anneal', url);
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

  private async run(script: string, keys: string[], args: string[], what: string): Promise<unknown> {
    try {
      return await this.client.eval(script, { keys, arguments: args });
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (/NOT_RUNNING|PARAM_CONFLICT|DISTRIBUTION_CONFLICT|NO_TRIAL|STUDY_EXISTS|DIRECTION_MISMATCH/.test(message)) throw new TrialStateError(`${what}: ${message}`);
      throw new StorageError(this.url, `${what} failed: ${message}`);
    }
  }

  async createStudy(name: string, direction: Direction, options: { loadIfExists?: boolean; directions?: readonly Direction[] } = {}): Promise<StudyRecord> {
    const directions = checkDirections(this.url, name, direction, options.directions);
    const record: StudyRecord = { name, direction, ...(directions.length > 1 ? { directions } : {}), userAttrs: {}, systemAttrs: {} };
    const json = canonical(directions.length > 1 ? { name, direction, directions } : { name, direction });
    const stored = (await this.run(CREATE_STUDY, [this.key('studies')], [name, directions.join(','), json, options.loadIfExists ? '1' : '0'], `createStudy('${name}')`)) as string;
    return (await this.getStudy(JSON.parse(stored).name as string)) ?? record;
  }

  async getStudy(name: string): Promise<StudyRecord | undefined> {
    const raw = await this.client.hGet(this.key('studies'), name);
    if (!raw) return undefined;
    const { direction, directions } = JSON.parse(raw) as { direction: Direction; directions?: Direction[] };
    const [u, s] = await Promise.all([this.client.hGetAll(this.key('study', name, 'uattr')), this.client.hGetAll(this.key('study', name, 'sattr'))]);
    return { name, direction, ...(directions ? { directions } : {}), userAttrs: parseAll(u), systemAttrs: parseAll(s) };
  }

  async listStudies(): Promise<StudyRecord[]> {
    const names = await this.client.hKeys(this.key('studies'));
    return (await Promise.all(names.map((n) => this.getStudy(n)))).filter((s): s is StudyRecord => !!s);
  }

  async setStudyAttr(study: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    await this.client.hSet(this.key('study', study, kind === 'user' ? 'uattr' : 'sattr'), key, canonical(value));
  }

  async startTrial(study: string, worker: string): Promise<FrozenTrial> {
    const [trials, waiting, running] = this.studyKeys(study);
    const id = (await this.run(START_TRIAL, [trials!, waiting!, running!], [study, worker, this.trialKey('')], `startTrial('${study}')`)) as string;
    return this.getTrial(id);
  }

  async enqueueTrial(study: string, fixed: { params?: Record<string, ParamValue>; distributions?: Record<string, Distribution>; retryOf?: number; systemAttrs?: Record<string, unknown> }): Promise<FrozenTrial> {
    const [trials, waiting] = this.studyKeys(study);
    const triples: string[] = [];
    for (const [k, v] of Object.entries(fixed.params ?? {})) triples.push('p', k, canonical(v));
    for (const [k, v] of Object.entries(fixed.distributions ?? {})) triples.push('d', k, canonical(v));
    for (const [k, v] of Object.entries(fixed.systemAttrs ?? {})) triples.push('s', k, canonical(v));
    const id = (await this.run(ENQUEUE_TRIAL, [trials!, waiting!], [study, this.trialKey(''), fixed.retryOf === undefined ? '' : String(fixed.retryOf), ...triples], `enqueueTrial('${study}')`)) as string;
    return this.getTrial(id);
  }

  async setParam(trialId: string, name: string, distribution: Distribution, value: ParamValue): Promise<void> {
    await this.run(SET_PARAM, [this.trialKey(trialId)], [name, canonical(value), canonical(distribution)], `setParam('${trialId}', '${name}')`);
  }

  async reportIntermediate(trialId: string, step: number, value: number): Promise<void> {
    await this.run(SET_FIELD, [this.trialKey(trialId)], [':inter', String(step), canonical(value)], `reportIntermediate('${trialId}', ${step})`);
  }

  async setTrialAttr(trialId: string, key: string, value: unknown, kind: 'user' | 'system'): Promise<void> {
    await this.run(SET_FIELD, [this.trialKey(trialId)], [kind === 'user' ? ':uattr' : ':sattr', key, canonical(value)], `setTrialAttr('${trialId}', '${key}')`);
  }

  async heartbeat(trialId: string): Promise<void> {
    await this.run(HEARTBEAT, [this.trialKey(trialId)], [], `heartbeat('${trialId}')`);
  }

  async finishTrial(trialId: string, state: 'complete' | 'pruned' | 'fail', options: { value?: number; values?: readonly number[]; error?: string } = {}): Promise<FrozenTrial> {
    const study = trialId.slice(0, trialId.lastIndexOf('#'));
    const values = options.values === undefined ? '' : JSON.stringify(options.values.map((v) => (Number.isFinite(v) ? v : String(v))));
    await this.run(FINISH_TRIAL, [this.trialKey(trialId), this.studyKeys(study)[2]!], [trialId, state, options.value === undefined ? '' : canonical(options.value), options.error ?? '', values], `finishTrial('${trialId}', ${state})`);
    return this.getTrial(trialId);
  }

  async getTrial(trialId: string): Promise<FrozenTrial> {
    const [trial] = await this.loadTrials([trialId]);
    if (!trial) throw new TrialStateError(`no trial '${trialId}' in ${this.url}`);
    return trial;
  }

  async getTrials(study: string, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    const ids = await this.client.lRange(this.studyKeys(study)[0]!, 0, -1);
    const trials = await this.loadTrials(ids);
    return states ? trials.filter((t) => states.includes(t.state)) : trials;
  }

  async failStaleTrials(study: string, graceMs: number, options: { retry?: boolean } = {}): Promise<FrozenTrial[]> {
    const [trials, waiting, running] = this.studyKeys(study);
    const ids = (await this.run(FAIL_STALE, [trials!, waiting!, running!], [study, this.trialKey(''), String(graceMs), options.retry ? '1' : '0'], `failStaleTrials('${study}')`)) as string[];
    return this.loadTrials(ids);
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.quit();
  }

  /** Trials by id in one pipeline (6 hashes each). */
  private async loadTrials(ids: readonly string[]): Promise<FrozenTrial[]> {
    if (!ids.length) return [];
    const multi = this.client.multi();
    for (const id of ids) {
      const k = this.trialKey(id);
      multi.hGetAll(k).hGetAll(`${k}:params`).hGetAll(`${k}:dists`).hGetAll(`${k}:inter`).hGetAll(`${k}:uattr`).hGetAll(`${k}:sattr`);
    }
    const replies = (await multi.execAsPipeline()) as unknown as Record<string, string>[];
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
