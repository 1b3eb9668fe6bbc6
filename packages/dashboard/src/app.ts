import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { DataRequestError, type DashboardData } from './dashboard-data.js';
import { contentType } from './file-types.js';
import { hostHeaderAllowed } from './host-policy.js';
import { readRegularFile } from './read-file.js';
import { resolveInside } from './safe-path.js';

/** The page's policy: its own scripts and data only (Vega runs through its expression interpreter, no eval). */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** Run files are shown inert: an SVG or HTML file in a run folder cannot run script on the dashboard's origin. */
const FILE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

/** How often an idle event stream gets a comment line, so proxies and browsers keep it open. */
const KEEPALIVE_MS = 15_000;

/** Options of {@link dashboardApp}. */
export interface DashboardAppOptions {
  data: DashboardData;
  /** The built page (index.html, assets/); undefined serves an explanation instead. */
  clientDir?: string;
  allowRemote: boolean;
}

const flag = (v: string | undefined) => v === '1' || v === 'true';

function fail(c: Context, e: unknown): Response {
  if (e instanceof DataRequestError) return c.json({ error: e.message }, e.status);
  return c.json({ error: (e as Error).message }, 500);
}

/**
 * The dashboard's HTTP app (Hono): the page and its assets, a JSON API and an event stream, GET
 * (and HEAD) only. Every response carries a strict CSP, nosniff and no-referrer; a request whose
 * Host header is not a loopback name is refused unless `allowRemote` (DNS rebinding); any other
 * method is 405. API paths name folders by `?path=` relative to the served folder, checked by
 * resolveInside before anything is read.
 */
export function dashboardApp(options: DashboardAppOptions): Hono {
  const { data, clientDir, allowRemote } = options;
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (!hostHeaderAllowed(c.req.header('host'), allowRemote)) {
      return c.json({ error: `Host '${c.req.header('host') ?? ''}' refused: this dashboard answers requests to localhost / 127.0.0.1 / [::1] only (start it with --host and --allow-remote to serve other names)` }, 403);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.json({ error: `${c.req.method} is not allowed: the dashboard is read-only (GET only)` }, 405, { Allow: 'GET, HEAD' });
    }
    await next();
    c.header('Content-Security-Policy', c.res.headers.get('Content-Security-Policy') ?? PAGE_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    if (!c.res.headers.get('Cache-Control')) c.header('Cache-Control', 'no-store');
  });

  const page = (c: Context, rel: string) => {
    if (!clientDir) return c.text('The dashboard page is not built: run `npx nx build dashboard` (the API under /api/ works without it).', 503);
    const resolved = resolveInside(clientDir, rel);
    if (!resolved.ok) return c.json({ error: `${rel}: refused (${resolved.reason})` }, resolved.status);
    const body = readRegularFile(resolved.path);
    if (!body || body === 'too-large') return c.json({ error: `${rel}: not found` }, 404);
    return c.body(new Uint8Array(body), 200, { 'Content-Type': contentType(resolved.path).type, ...(rel.startsWith('assets/') ? { 'Cache-Control': 'public, max-age=31536000, immutable' } : {}) });
  };
  app.get('/', (c) => page(c, 'index.html'));
  app.get('/assets/:file', (c) => page(c, `assets/${c.req.param('file')}`));

  app.get('/api/list', async (c) => {
    try {
      return c.json(await data.list());
    } catch (e) {
      return fail(c, e);
    }
  });
  app.get('/api/run', async (c) => {
    try {
      return c.json(await data.run(c.req.query('path'), { logLoss: flag(c.req.query('log')) }));
    } catch (e) {
      return fail(c, e);
    }
  });
  app.get('/api/compare', (c) => {
    try {
      return c.json(data.compare(c.req.queries('path') ?? [], { logLoss: flag(c.req.query('log')) }));
    } catch (e) {
      return fail(c, e);
    }
  });
  app.get('/api/study', async (c) => {
    try {
      return c.json(await data.study(c.req.query('path')));
    } catch (e) {
      return fail(c, e);
    }
  });
  app.get('/api/file', (c) => {
    const rel = c.req.query('path');
    if (rel === undefined) return c.json({ error: 'give the file as ?path=<file relative to the dashboard folder>' }, 400);
    const resolved = resolveInside(data.root, rel);
    if (!resolved.ok) return c.json({ error: `${rel}: refused (${resolved.reason})` }, resolved.status);
    const body = readRegularFile(resolved.path);
    if (body === 'too-large') return c.json({ error: `${rel}: too large to show` }, 413);
    if (!body) return c.json({ error: `${rel}: not a regular file` }, 404);
    const { type, download } = contentType(resolved.path);
    return c.body(new Uint8Array(body), 200, { 'Content-Type': type, 'Content-Security-Policy': FILE_CSP, ...(download ? { 'Content-Disposition': 'attachment' } : {}) });
  });

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let unsubscribe = () => {};
      const closed = new Promise<void>((resolve) => stream.onAbort(() => resolve()));
      unsubscribe = data.feed.subscribe((change) => void stream.writeSSE({ event: 'change', data: JSON.stringify(change) }).catch(() => {}));
      await stream.writeSSE({ event: 'hello', data: '{}', retry: 2000 });
      while (!stream.aborted && !stream.closed) {
        await Promise.race([stream.sleep(KEEPALIVE_MS), closed]);
        if (stream.aborted || stream.closed) break;
        await stream.write(': keep-alive\n\n');
      }
      unsubscribe();
    }),
  );

  app.notFound((c) => c.json({ error: `${c.req.path}: no such page or API` }, 404));
  return app;
}
