import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStorageConformance, redisServerAvailable, startRedisServer, type RedisServer } from '@anneal/testing';
import { TrialStateError } from '../errors.js';
import { RedisStorage } from './redis-storage.js';

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
