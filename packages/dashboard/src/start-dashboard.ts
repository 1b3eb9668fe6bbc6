import { existsSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { dashboardApp } from './app.js';
import { findClientDir } from './client-files.js';
import { DashboardData } from './dashboard-data.js';
import { DashboardError } from './errors.js';
import { isLoopbackHost } from './host-policy.js';
import { realRoot } from './safe-path.js';

/** The port tried first when none is given (then the next 20, then any free one). */
export const DEFAULT_PORT = 6066;

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The folder whose runs and studies are shown (default `runs`). */
  dir?: string;
  /** The address to listen on (default 127.0.0.1). A non-loopback address needs `allowRemote`. */
  host?: string;
  /** The port; 0 picks a free one. Default: 6066, or the next free port after it. */
  port?: number;
  /** Allow a host other than loopback (anyone who reaches the port can read the runs); a warning is printed. */
  allowRemote?: boolean;
  /** How often the folder is polled for changes while a page is open, in ms (default 1000). */
  pollMs?: number;
  /** Where the built page is (default: this package's dist/client). */
  clientDir?: string;
  /** Told about risky settings (allowRemote on a non-loopback host) and a missing page build. */
  onWarning?: (message: string) => void;
}

/** A running dashboard. */
export interface Dashboard {
  /** What to open in a browser, e.g. `http://127.0.0.1:6066/`. */
  url: string;
  host: string;
  port: number;
  /** The served folder (absolute, symbolic links resolved). */
  dir: string;
  /** Warnings given while starting (also passed to `onWarning`). */
  warnings: string[];
  /** Stops listening, ends open event streams and releases the study journals. */
  close(): Promise<void>;
}

function listen(app: ReturnType<typeof dashboardApp>, host: string, port: number): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }) as Server;
    server.once('listening', () => resolvePromise(server));
    server.once('error', reject);
  });
}

const urlHost = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/**
 * Starts the dashboard: a read-only web page of the runs and studies under `dir` that updates
 * while they train. It listens on 127.0.0.1 unless told otherwise; a non-loopback `host` is
 * refused without `allowRemote` (DashboardError `DASHBOARD_REMOTE`) and warned about with it.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ dir: 'runs', port: 0 });
 * console.log(dashboard.url); // http://127.0.0.1:41231/
 * await dashboard.close();
 * ```
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  if (!isLoopbackHost(host)) {
    if (!options.allowRemote) throw new DashboardError('DASHBOARD_REMOTE', `--host ${host} is not a loopback address: anyone who can reach it could read your runs. Use the default 127.0.0.1 (and an SSH tunnel to view it from elsewhere), or add --allow-remote if that is what you want.`);
    warn(`serving ${host} to the network (--allow-remote): anyone who can reach this port can read every run and study under the folder; the dashboard has no login`);
  }
  const explicitPort = options.port !== undefined;
  const port = options.port ?? DEFAULT_PORT;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new DashboardError('DASHBOARD_OPTION', `port must be an integer in 0..65535, got ${port}`);
  const pollMs = options.pollMs ?? 1000;
  if (!(pollMs >= 50)) throw new DashboardError('DASHBOARD_OPTION', `pollMs must be at least 50, got ${pollMs}`);
  const dir = resolve(options.dir ?? 'runs');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DashboardError('DASHBOARD_DIR', `${options.dir ?? 'runs'}: no such folder; give the folder your runs are written to (anneal dashboard <dir>), or train a run first (anneal fit <config>)`);
  const root = realRoot(dir);
  const clientDir = options.clientDir ?? findClientDir();
  if (!clientDir) warn('the dashboard page is not built (no dist/client): run `npx nx build dashboard`; the JSON API works meanwhile');
  const data = new DashboardData(root, pollMs);
  const app = dashboardApp({ data, clientDir, allowRemote: !!options.allowRemote || !isLoopbackHost(host) });
  let server: Server | undefined;
  const ports = explicitPort ? [port] : [...Array.from({ length: 21 }, (_, i) => port + i), 0];
  for (const p of ports) {
    try {
      server = await listen(app, host, p);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && !explicitPort) continue;
      await data.close();
      throw new DashboardError('DASHBOARD_OPTION', `cannot listen on ${host}:${p}: ${(e as Error).message}${code === 'EADDRINUSE' ? '; choose another --port, or 0 for any free port' : ''}`);
    }
  }
  const bound = (server!.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${bound}/`;
  return {
    url,
    host,
    port: bound,
    dir: root,
    warnings,
    async close() {
      await data.close();
      await new Promise<void>((r) => {
        server!.close(() => r());
        server!.closeAllConnections();
      });
    },
  };
}
