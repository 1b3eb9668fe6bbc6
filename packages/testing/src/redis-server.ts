import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server started for a test: loopback only, a free port, a temp dir, no persistence unless asked. */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGKILL after 2 s) and removes its temp dir. */
  stop(): Promise<void>;
  /**
   * Stops the server (an outage): SIGTERM by default, or `'SIGKILL'` for a crash (a persistent
   * server loses nothing either way: its append-only file is fsynced on every write); the port
   * and the temp dir stay for {@link RedisServer.up}.
   */
  down(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the server again on the same port and dir: with `persist` it reloads its data, without it comes back empty. */
  up(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Keep the data across a restart (appendonly yes, fsync always); default false (`--save ''`, no AOF). */
  persist?: boolean;
}

/** Whether a `redis-server` binary is on PATH (Debian package redis-server). */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1', () => {
      s.write('PING\r\n');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
  });
}

/**
 * Starts a real redis-server on 127.0.0.1 at a free port with a temp working dir (no persistence
 * unless `persist`), and waits until it answers PING. `down()` / `up()` stop and restart it on the
 * same port: an outage, with the data kept (`persist`) or lost.
 *
 * @example
 * const redis = await startRedisServer({ persist: true });
 * try { ...use redis.url...; await redis.down(); await redis.up(); } finally { await redis.stop(); }
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const port = await freePort();
  const persistence = options.persist ? ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'] : ['--save', '', '--appendonly', 'no'];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const up = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...persistence, '--protected-mode', 'yes'], { stdio: 'ignore' });
    child = c;
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    for (let i = 0; i < 200; i++) {
      if (await ping(port)) return;
      if (c.exitCode !== null) throw new Error(`redis-server exited with code ${c.exitCode} before answering on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    c.kill('SIGKILL');
    throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 10 s`);
  };
  const down = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  await up();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    up,
    down,
    async stop() {
      await down('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
