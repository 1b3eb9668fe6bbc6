import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStorageConformance, redisServerAvailable, startRedisServer, type RedisServer } from '@anneal/testing';
import { createClient } from 'redis';
import { StorageUnavailableError, StudyLostError, TrialStateError } from '../errors.js';
import { RedisStorage } from './redis-storage.js';
import { CREATE_STUDY, ENQUEUE_TRIAL, FINISH_TRIAL, START_TRIAL } from './redis-scripts.js';

const available = redisServerAvailable();

describe.skipIf(!available)('RedisStorage against a real redis-server', () => {
  let server: RedisServer;
  const opened: RedisStorage[] = [];
  const connect = async (prefix = 'test') => {
    const s = await RedisStorage.connect(server.url, { prefix });
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    for (const s of opened) await s.close();
    await server?.stop();
  });

  it('numbers trials densely and uniquely when three clients start 60 trials at once', async () => {
    const clients = await Promise.all([connect('dense'), connect('dense'), connect('dense')]);
    await clients[0]!.createStudy('s', 'minimize');
    await expect(clients[1]!.createStudy('s', 'maximize', { loadIfExists: true })).rejects.toThrow(/DIRECTION_MISMATCH/);
    const started = await Promise.all(Array.from({ length: 60 }, (_, i) => clients[i % 3]!.startTrial('s', `w${i % 3}`)));
    expect(started.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(new Set(started.map((t) => t.id)).size).toBe(60);
    expect((await clients[2]!.getTrials('s')).map((t) => t.number)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('keeps values exact, refuses conflicting params and finishing twice', async () => {
    const s = await connect('exact');
    await s.createStudy('q', 'minimize');
    const t = await s.startTrial('q', 'w');
    await s.setParam(t.id, 'lr', { kind: 'float', low: 1e-5, high: 1, log: true }, 0.1 + 0.2);
    await s.setParam(t.id, 'lr', { log: true, high: 1, low: 1e-5, kind: 'float' }, 0.1 + 0.2); // same value, keys reordered: fine
    await expect(s.setParam(t.id, 'lr', { kind: 'float', low: 1e-5, high: 1, log: true }, 0.3)).rejects.toThrow(TrialStateError);
    await s.setParam(t.id, 'opt', { kind: 'categorical', choices: ['sgd', null, true] }, null);
    await s.reportIntermediate(t.id, 3, 1 / 3);
    const done = await s.finishTrial(t.id, 'complete', { value: Math.PI / 7 });
    expect(done.params).toEqual({ lr: 0.1 + 0.2, opt: null });
    expect(done.value).toBe(Math.PI / 7);
    expect(done.intermediate).toEqual({ 3: 1 / 3 });
    expect(done.distributions.opt).toEqual({ kind: 'categorical', choices: ['sgd', null, true] });
    await expect(s.finishTrial(t.id, 'fail')).rejects.toThrow(/NOT_RUNNING:complete/);
    await expect(s.reportIntermediate(t.id, 4, 0)).rejects.toThrow(TrialStateError);
  });

  it('fails a stale running trial and retries it exactly once, even when two workers check at once', async () => {
    const [a, b] = await Promise.all([connect('stale'), connect('stale')]);
    await a.createStudy('h', 'minimize');
    const dead = await a.startTrial('h', 'dead-worker');
    await a.setParam(dead.id, 'x', { kind: 'int', low: 0, high: 9 }, 7);
    const alive = await a.startTrial('h', 'alive-worker');
    await new Promise((r) => setTimeout(r, 120));
    await a.heartbeat(alive.id);
    const [fa, fb] = await Promise.all([a.failStaleTrials('h', 60, { retry: true }), b.failStaleTrials('h', 60, { retry: true })]);
    expect([...fa, ...fb].map((t) => t.number)).toEqual([dead.number]);
    const failed = await a.getTrial(dead.id);
    expect(failed.state).toBe('fail');
    expect(failed.error).toMatch(/worker lost: no heartbeat for \d+ ms/);
    // the retry is claimed by exactly one of two workers asking at once, with the same params
    const [ra, rb] = await Promise.all([a.startTrial('h', 'w1'), b.startTrial('h', 'w2')]);
    const retry = [ra, rb].find((t) => t.retryOf === dead.number)!;
    expect(retry).toBeDefined();
    expect(retry.params).toEqual({ x: 7 });
    expect([ra, rb].filter((t) => t.retryOf !== undefined)).toHaveLength(1);
    expect((await a.getTrials('h', ['fail'])).map((t) => t.number)).toEqual([dead.number]);
    // a worker that comes back late cannot finish its failed trial
    await expect(a.finishTrial(dead.id, 'complete', { value: 1 })).rejects.toThrow(/NOT_RUNNING:fail/);
  });

  it('claims enqueued trials in order, each once', async () => {
    const [a, b] = await Promise.all([connect('queue'), connect('queue')]);
    await a.createStudy('e', 'maximize');
    for (let i = 0; i < 5; i++) await a.enqueueTrial('e', { params: { k: i }, distributions: { k: { kind: 'int', low: 0, high: 9 } } });
    const claimed = await Promise.all(Array.from({ length: 7 }, (_, i) => (i % 2 ? a : b).startTrial('e', `w${i}`)));
    const fromQueue = claimed.filter((t) => t.params.k !== undefined).map((t) => t.params.k);
    expect([...fromQueue].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(claimed.filter((t) => t.params.k === undefined)).toHaveLength(2);
    await a.setStudyAttr('e', 'owner', { team: 'x' }, 'user');
    expect((await b.getStudy('e'))?.userAttrs).toEqual({ owner: { team: 'x' } });
  });

  it('names the URL when Redis is unreachable', async () => {
    await expect(RedisStorage.connect('redis://127.0.0.1:1')).rejects.toThrow(/redis:\/\/127\.0\.0\.1:1: cannot connect to Redis/);
  });
});

describe.skipIf(!available)('RedisStorage conformance', () => {
  let server: RedisServer;
  let n = 0;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  // a fresh key prefix per test: an empty storage on the same server
  describeStorageConformance('RedisStorage', async () => {
    const storage = await RedisStorage.connect(server.url, { prefix: `conf${n++}` });
    return { storage, cleanup: () => storage.close() };
  });
});

describe.skipIf(!available)('RedisStorage across Redis outages', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('retries commands across a 3 s restart that keeps the data: they complete once the server is back, each once', async () => {
    const server = await startRedisServer({ persist: true });
    const s = await RedisStorage.connect(server.url, { prefix: 'outage', retry: { maxMs: 20_000 } });
    try {
      await s.createStudy('o', 'minimize');
      const t = await s.startTrial('o', 'w');
      const silent = await s.startTrial('o', 'w2');
      await server.down();
      // failing stale trials is tried once: it never waits for the server and runs the moment it is back, before the heartbeats
      const asked = Date.now();
      expect(await s.failStaleTrials('o', 1)).toEqual([]);
      expect(Date.now() - asked).toBeLessThan(1000);
      const heartbeat = s.heartbeat(t.id).then(() => 'ok', (e: unknown) => e);
      const pending = Promise.all([s.reportIntermediate(t.id, 1, 0.5), s.startTrial('o', 'w'), s.enqueueTrial('o', { params: { x: 1 } })]);
      await sleep(3000);
      await server.up();
      const [, started, enqueued] = await pending;
      // a heartbeat is tried once: the next one replaces it
      expect(await heartbeat).toBeInstanceOf(StorageUnavailableError);
      expect((await s.finishTrial(t.id, 'complete', { value: 1 })).intermediate).toEqual({ 1: 0.5 });
      expect((await s.getTrials('o')).map((x) => [x.number, x.state])).toEqual([
        [0, 'complete'],
        [1, 'running'],
        [started.number, 'running'],
        [enqueued.number, 'waiting'],
      ]);
      expect([started.number, enqueued.number].sort()).toEqual([2, 3]);
      // within one grace period of the outage, no trial is failed as stale (the other workers' heartbeats are on the way):
      // the silent trial's last heartbeat is over 3 s old, but this process reached the server again less than 2.5 s ago
      expect(await s.failStaleTrials('o', 2500)).toEqual([]);
      await sleep(300);
      expect((await s.failStaleTrials('o', 250)).map((x) => x.number)).toContain(silent.number);
    } finally {
      await s.close();
      await server.stop();
    }
  }, 30_000);

  it('fails with a StorageUnavailableError once an outage outlasts retry.maxMs, and works again after', async () => {
    const server = await startRedisServer();
    const s = await RedisStorage.connect(server.url, { prefix: 'bound', retry: { maxMs: 800 } });
    try {
      await s.createStudy('b', 'minimize');
      await server.down();
      const started = Date.now();
      const error = await s.startTrial('b', 'w').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as StorageUnavailableError).code).toBe('STORAGE_UNAVAILABLE');
      expect((error as Error).message).toMatch(/startTrial\('b'\): Redis did not answer for [\d.]+ s \(retried up to storage retry\.maxMs = 800 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(700);
      await server.up();
      // the server came back empty: the study this storage used is reported lost, not recreated
      await expect(s.getTrials('b')).rejects.toBeInstanceOf(StudyLostError);
    } finally {
      await s.close();
      await server.stop();
    }
  }, 30_000);

  it('says the study is lost after a restart without persistence, for every operation, and never recreates it', async () => {
    const server = await startRedisServer();
    const s = await RedisStorage.connect(server.url, { prefix: 'lost' });
    const other = await RedisStorage.connect(server.url, { prefix: 'lost' });
    try {
      await s.createStudy('l', 'maximize');
      const t = await s.startTrial('l', 'w');
      await server.down();
      await server.up();
      for (const op of [() => s.startTrial('l', 'w'), () => s.getTrials('l'), () => s.reportIntermediate(t.id, 1, 1), () => s.setParam(t.id, 'x', { kind: 'int', low: 0, high: 3 }, 1), () => s.finishTrial(t.id, 'complete', { value: 1 }), () => s.failStaleTrials('l', 1), () => s.enqueueTrial('l', {}), () => s.getTrial(t.id)]) {
        const e = await op().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(StudyLostError);
        expect((e as Error).message).toMatch(/study 'l' is gone from this Redis server, which lost its data \(restarted without persistence/);
      }
      // a storage that never saw the study: unknown study, as before
      expect(await other.getTrials('l')).toEqual([]);
      await expect(other.startTrial('l', 'w')).rejects.toThrow(/NO_STUDY/);
      expect(await other.listStudies()).toEqual([]);
      // a worker started after the loss creates the study again: the process that used the lost one still says it is lost
      await other.createStudy('l', 'maximize', { loadIfExists: true });
      await expect(s.getTrials('l')).rejects.toThrow(/study 'l' is gone from this Redis server, .*, and a study of that name was created again since/);
      await expect(s.getStudy('l')).rejects.toBeInstanceOf(StudyLostError);
      expect(await other.getTrials('l')).toEqual([]);
    } finally {
      await Promise.all([s.close(), other.close()]);
      await server.stop();
    }
  }, 30_000);

  it('runs every creating script at most once per request, so a retry after a lost reply changes nothing', async () => {
    const server = await startRedisServer();
    const raw = createClient({ url: server.url });
    await raw.connect();
    try {
      const studies = 'r:studies';
      const keys = ['r:study:s:trials', 'r:study:s:waiting', 'r:study:s:running'];
      const json = JSON.stringify({ direction: 'minimize', name: 's' });
      const create = () => raw.eval(CREATE_STUDY, { keys: [studies, 'r:req:c1'], arguments: ['s', 'minimize', json, '0'] });
      expect(await create()).toBe(json);
      expect(await create()).toBe(json); // the same request again: not STUDY_EXISTS
      await expect(raw.eval(CREATE_STUDY, { keys: [studies, 'r:req:c2'], arguments: ['s', 'minimize', json, '0'] })).rejects.toThrow(/STUDY_EXISTS/);
      const start = (req: string) => raw.eval(START_TRIAL, { keys: [...keys, studies, `r:req:${req}`], arguments: ['s', 'w', 'r:trial:'] });
      expect([await start('a'), await start('a'), await start('b'), await start('a')]).toEqual(['s#0', 's#0', 's#1', 's#0']);
      const enqueue = (req: string) => raw.eval(ENQUEUE_TRIAL, { keys: [keys[0]!, keys[1]!, studies, `r:req:${req}`], arguments: ['s', 'r:trial:', '', 'p', 'x', '1'] });
      expect([await enqueue('e'), await enqueue('e')]).toEqual(['s#2', 's#2']);
      expect(await raw.lRange(keys[0]!, 0, -1)).toEqual(['s#0', 's#1', 's#2']);
      expect(await raw.lRange(keys[1]!, 0, -1)).toEqual(['s#2']);
      const finish = (token: string, state = 'complete') => raw.eval(FINISH_TRIAL, { keys: ['r:trial:s#0', keys[2]!], arguments: ['s#0', state, '1', '', '', token] });
      expect([await finish('f1'), await finish('f1')]).toEqual([1, 1]);
      await expect(finish('f2')).rejects.toThrow(/NOT_RUNNING:complete/);
      await expect(finish('f1', 'fail')).rejects.toThrow(/NOT_RUNNING:complete/);
    } finally {
      await raw.close();
      await server.stop();
    }
  });
});
