// The dashboard server over real HTTP on 127.0.0.1: what it lists and shows, and what it refuses
// (paths leaving the folder in every spelling, other methods, foreign Host headers, remote hosts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from './start-dashboard.js';
import { DashboardError } from './errors.js';
import { runRecords, writeMetrics, writeRun, writeStudy } from './test-fixtures.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'dash-server-')));
const root = join(base, 'runs');
const client = join(base, 'client');
const SECRET = 'TOP-SECRET-CONTENT';
let dashboard: Dashboard;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the path sent exactly as written (no client-side normalization). */
function raw(path: string, options: { method?: string; host?: string; timeoutMs?: number } = {}): Promise<Reply> {
  const url = new URL(dashboard.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(url.port), path, method: options.method ?? 'GET', headers: { host: options.host ?? url.host }, timeout: options.timeoutMs ?? 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer (was something read that blocks?)`)));
    req.on('error', reject);
    req.end();
  });
}

const json = async (path: string) => {
  const r = await raw(path);
  expect(r.status, `${path}: ${r.body}`).toBe(200);
  return JSON.parse(r.body);
};

beforeAll(async () => {
  writeRun(join(root, 'done'), 'done-run', { epochs: 4, finished: true, normsEvery: 4 });
  writeRun(join(root, 'live'), 'live-run', { epochs: 2, planned: 6 });
  await writeStudy(join(root, 'study'), 'study-1', 6);
  for (const n of [0, 1, 2]) writeRun(join(root, 'study', 'trials', String(n)), `study-1-trial-${n}`, { epochs: 2, finished: true });
  writeFileSync(join(base, 'secret.txt'), SECRET);
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'config.json'), SECRET);
  execFileSync('mkfifo', [join(base, 'fifo')]);
  execFileSync('mkfifo', [join(root, 'pipe.jsonl')]);
  symlinkSync(join(base, 'secret.txt'), join(root, 'done', 'leak.txt'));
  symlinkSync(join(base, 'fifo'), join(root, 'done', 'leak-fifo.json'));
  symlinkSync(join(base, 'outside'), join(root, 'leak-dir'));
  writeFileSync(join(root, 'done', 'picture.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  mkdirSync(join(client, 'assets'), { recursive: true });
  writeFileSync(join(client, 'index.html'), '<!doctype html><title>dash</title>');
  writeFileSync(join(client, 'assets', 'app.js'), 'console.log(1)');
  dashboard = await startDashboard({ dir: root, port: 0, pollMs: 100, clientDir: client });
});

afterAll(async () => {
  await dashboard?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('dashboard server: what it shows', () => {
  it('listens on 127.0.0.1 and lists the runs (trials too) and studies under the folder', async () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const list = await json('/api/list');
    expect(list.runs.map((r: { path: string }) => r.path).sort()).toEqual(['done', 'live', 'study/trials/0', 'study/trials/1', 'study/trials/2']);
    const done = list.runs.find((r: { path: string }) => r.path === 'done');
    expect(done).toMatchObject({ name: 'done-run', status: 'finished', epochs: 4, plannedEpochs: 4, lastEpoch: 4, steps: 32 });
    expect(list.runs.find((r: { path: string }) => r.path === 'live')).toMatchObject({ status: 'running', epochs: 2, plannedEpochs: 6 });
    expect(list.runs.find((r: { path: string }) => r.path === 'study/trials/1').study).toBe('study');
    expect(list.studies).toEqual([expect.objectContaining({ path: 'study', name: 'study-1', direction: 'maximize', trials: { total: 6, complete: 4, pruned: 2 } })]);
  });

  it('shows a run: its charts, the doctor’s findings and its scores, without absolute paths of the machine', async () => {
    const view = await json('/api/run?path=done');
    expect(view.charts.map((c: { name: string }) => c.name)).toEqual(['loss', 'batch-loss', 'accuracy', 'metrics', 'lr', 'hyperparameters', 'ratios']);
    expect(Array.isArray(view.findings)).toBe(true);
    expect(view.findingsError).toBeUndefined();
    expect(view.result.test).toEqual({ loss: 0.4, accuracy: 0.9, count: 30 });
    expect(JSON.stringify(view)).not.toContain('/somewhere/secret');
  });

  it('overlays runs for comparison and shows a study with its trials and charts', async () => {
    const compare = await json('/api/compare?path=done&path=live');
    expect(compare.charts.map((c: { name: string }) => c.name)).toEqual(['compare-loss', 'compare-accuracy']);
    expect(JSON.stringify(compare.charts[0].spec)).toMatch(/done-run.*live-run/);
    const study = await json('/api/study?path=study');
    const s = study.studies[0];
    expect(s.charts.map((c: { name: string; error?: string }) => [c.name, c.error])).toEqual([['history', undefined], ['parallel', undefined], ['importance', undefined], ['curves', undefined]]);
    expect(s.trials.map((t: { state: string }) => t.state)).toEqual(['complete', 'complete', 'pruned', 'complete', 'complete', 'pruned']);
    expect(s.trials.slice(0, 4).map((t: { run?: string }) => t.run)).toEqual(['study/trials/0', 'study/trials/1', 'study/trials/2', undefined]);
  });

  it('serves the built page with a strict content security policy', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await raw('/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    expect((await raw('/assets/nope.js')).status).toBe(404);
  });

  it('serves run files inertly: JSON as JSON, an SVG sandboxed so its script cannot run', async () => {
    const config = await raw('/api/file?path=done/config.json');
    expect(config.status).toBe(200);
    expect(JSON.parse(config.body).name).toBe('done-run');
    const svg = await raw('/api/file?path=done/picture.svg');
    expect(svg.headers['content-security-policy']).toMatch(/^sandbox/);
  });

  it('streams a change event when a run’s metrics.jsonl is replaced atomically', async () => {
    const url = new URL(dashboard.url);
    const got = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(url.port), path: '/api/events', headers: { host: url.host } }, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('event: hello') && !text.includes('written')) {
            text += 'written';
            writeMetrics(join(root, 'live'), runRecords({ epochs: 3 }));
          }
          if (/event: change\ndata: .*"live"/.test(text)) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      setTimeout(() => reject(new Error('no change event within 5 s')), 5000).unref();
      req.end();
    });
    expect(got).toContain('"paths":["live"]');
    expect((await json('/api/run?path=live')).run.epochs).toBe(3);
  });
});

describe('dashboard server: what it refuses', () => {
  it('refuses every spelling of a path out of the folder with 403 or 404, never with its content', async () => {
    const attempts = [
      '/api/run?path=..',
      '/api/run?path=../secret.txt',
      '/api/file?path=../secret.txt',
      '/api/file?path=%2e%2e/secret.txt',
      '/api/file?path=%2E%2E%2Fsecret.txt',
      '/api/file?path=done/..%2f..%2fsecret.txt',
      '/api/file?path=%252e%252e%252fsecret.txt',
      `/api/file?path=${encodeURIComponent(join(base, 'secret.txt'))}`,
      '/api/file?path=/etc/passwd',
      '/api/file?path=..%5csecret.txt',
      '/api/file?path=done/leak.txt',
      '/api/file?path=leak-dir/config.json',
      '/api/run?path=leak-dir',
      '/api/study?path=../outside',
      '/api/compare?path=done&path=../outside',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/../../secret.txt',
      '/%2e%2e/%2e%2e/secret.txt',
    ];
    for (const path of attempts) {
      const r = await raw(path);
      expect([403, 404], `${path} -> ${r.status} ${r.body}`).toContain(r.status);
      expect(r.body, path).not.toContain(SECRET);
    }
    expect((await raw('/api/file?path=../secret.txt')).status).toBe(403);
    expect((await raw('/api/file?path=%2e%2e/secret.txt')).status).toBe(403);
    expect((await raw('/api/file?path=done/leak.txt')).status).toBe(403);
  });

  it('never opens what it refuses: a symlink to a FIFO outside, or a FIFO inside, is answered at once', async () => {
    // reading a FIFO with no writer would block: an answer proves the file was never read
    expect((await raw('/api/file?path=done/leak-fifo.json', { timeoutMs: 3000 })).status).toBe(403);
    expect((await raw('/api/file?path=pipe.jsonl', { timeoutMs: 3000 })).status).toBe(404);
  });

  it('is read-only: every method but GET and HEAD gets 405 and writes nothing', async () => {
    const before = readdirSync(root, { recursive: true }).sort();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of ['/api/list', '/api/run?path=done', '/api/file?path=done/config.json', '/']) {
        const r = await raw(path, { method });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.allow).toBe('GET, HEAD');
      }
    }
    expect((await raw('/api/list', { method: 'HEAD' })).status).toBe(200);
    expect(readdirSync(root, { recursive: true }).sort()).toEqual(before);
  });

  it('answers only requests addressed to a loopback name (DNS rebinding)', async () => {
    expect((await raw('/api/list', { host: 'evil.example' })).status).toBe(403);
    expect((await raw('/api/list', { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw('/api/list', { host: `localhost:${new URL(dashboard.url).port}` })).status).toBe(200);
  });

  it('refuses a non-loopback host without allowRemote, and warns with it', async () => {
    await expect(startDashboard({ dir: root, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'DASHBOARD_REMOTE' });
    await expect(startDashboard({ dir: root, host: '192.168.1.10', port: 0 })).rejects.toBeInstanceOf(DashboardError);
    const warnings: string[] = [];
    const remote = await startDashboard({ dir: root, host: '0.0.0.0', port: 0, allowRemote: true, onWarning: (m) => warnings.push(m) });
    try {
      expect(warnings.join('\n')).toMatch(/anyone who can reach this port/);
      expect(remote.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    } finally {
      await remote.close();
    }
  });

  it('refuses a missing folder and a bad port with a DashboardError', async () => {
    await expect(startDashboard({ dir: join(base, 'nope') })).rejects.toMatchObject({ code: 'DASHBOARD_DIR' });
    await expect(startDashboard({ dir: root, port: 70000 })).rejects.toMatchObject({ code: 'DASHBOARD_OPTION' });
    await expect(startDashboard({ dir: root, port: Number(new URL(dashboard.url).port) })).rejects.toThrow(/in use|EADDRINUSE/);
  });
});
