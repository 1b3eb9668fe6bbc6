// `anneal dashboard`: the real binary serves a folder, prints its URL and stops on Ctrl-C (SIGINT);
// bad folders, hosts and ports are usage errors (exit 2) that start nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-cli-dashboard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'anneal.mjs');

describe('anneal dashboard', () => {
  it('serves a folder on 127.0.0.1, prints the URL, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, [bin, 'dashboard', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ANNEAL_SOURCE: '1' } });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before printing a URL: ${out}${err}`)));
      });
      const list = await fetch(`${url}api/list`);
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ runs: [], studies: [] });
      expect((await fetch(`${url}api/list`, { method: 'POST' })).status).toBe(405);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(err).toContain('anneal dashboard: stopped');
      await expect(fetch(`${url}api/list`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a non-loopback host without --allow-remote, a missing folder (exit 2) and a bad port', async () => {
    const remote = await runCli(['dashboard', root, '--host', '0.0.0.0', '--port', '0']);
    expect(remote.code).toBe(2);
    expect(remote.err).toMatch(/not a loopback address.*--allow-remote/s);
    const missing = await runCli(['dashboard', join(root, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such folder/);
    const port = await runCli(['dashboard', root, '--port', 'x']);
    expect(port.code).not.toBe(0); // commander's invalid-argument exit code, as for every command's options
    expect(port.err).toMatch(/--port must be an integer/);
  });
});
