import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** The system chromium (Debian's `chromium`), or undefined when none is installed. */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  return ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p));
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One `figure.chart` as the browser laid it out. */
export interface RenderedFigure {
  name: string | null;
  width: number;
  height: number;
  /** Drawn paths (with real geometry) and non-empty texts inside the chart's SVG. */
  paths: number;
  texts: number;
}

/** What a reader's browser got from a report page. */
export interface RenderedReport {
  url: string;
  /** Console errors, page errors and failed requests. */
  errors: string[];
  /** Every URL the page requested (the page itself included). */
  requests: string[];
  figures: RenderedFigure[];
  title: string;
  scripts: number;
  brokenLinks: number;
  scrollWidth: number;
  mainWidth: number;
  badges: number;
}

/**
 * Opens a report.html from a file:// URL in headless system chromium (driven by playwright-core,
 * which downloads no browser) at 1366x768 and returns what rendered: the charts' boxes and marks,
 * errors, requests and layout facts. Throws when no chromium is installed (check findChromium first).
 *
 * @example const page = await renderReport('runs/x/report.html'); expect(page.errors).toEqual([]);
 */
export async function renderReport(htmlPath: string): Promise<RenderedReport> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no chromium binary found; install it with apt-get install chromium');
  const browser = await chromium.launch({ executablePath, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(htmlPath).href;
    await page.goto(url, { waitUntil: 'load' });
    const figures: RenderedFigure[] = await page.$$eval('figure.chart', (els) =>
      els.map((f) => {
        const svg = f.querySelector(':scope > svg');
        const box = svg?.getBoundingClientRect();
        return {
          name: f.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          paths: svg ? Array.from(svg.querySelectorAll('path')).filter((p) => (p.getAttribute('d') ?? '').length > 8).length : 0,
          texts: svg ? Array.from(svg.querySelectorAll('text')).filter((t) => (t.textContent ?? '').trim() !== '').length : 0,
        };
      }),
    );
    const facts = await page.evaluate(() => ({
      title: document.title,
      scripts: document.scripts.length,
      brokenLinks: Array.from(document.querySelectorAll('a[href^="#"]')).filter((a) => !document.getElementById(a.getAttribute('href')?.slice(1) ?? '')).length,
      scrollWidth: document.documentElement.scrollWidth,
      mainWidth: document.querySelector('main')?.getBoundingClientRect().width ?? 0,
      badges: document.querySelectorAll('section h2 .badge').length,
    }));
    await page.close();
    return { url, errors, requests, figures, ...facts };
  } finally {
    await browser.close();
  }
}
