// Opens a written report.html in headless Debian chromium (through playwright-core, which
// downloads no browser of its own) and checks what a reader gets: every chart drawn, no errors,
// nothing fetched but the file itself. Skipped only when no chromium binary is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCharts } from './report-document';
import { sampleReport } from './report-fixture';
import { writeReport, type WrittenReport } from './write-report';

function findChromium(): string | undefined {
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

const executablePath = findChromium();
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

interface FigureInfo {
  name: string | null;
  width: number;
  height: number;
  paths: number;
  texts: number;
}

describe.skipIf(!executablePath)('report.html in headless chromium (skipped when no chromium binary is found: apt-get install chromium)', () => {
  const doc = sampleReport();
  let dir = '';
  let written: WrittenReport;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anneal-report-browser-'));
    written = await writeReport(dir, doc);
    browser = await chromium.launch({ executablePath, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart, logs no error and fetches nothing but the file', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(written.html).href;
    await page.goto(url, { waitUntil: 'load' });

    const figures: FigureInfo[] = await page.$$eval('figure.chart', (els) =>
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
    const page_ = await page.evaluate(() => ({
      title: document.title,
      scripts: document.scripts.length,
      brokenLinks: Array.from(document.querySelectorAll('a[href^="#"]')).filter((a) => !document.getElementById(a.getAttribute('href')?.slice(1) ?? '')).length,
      scrollWidth: document.documentElement.scrollWidth,
      mainWidth: document.querySelector('main')?.getBoundingClientRect().width ?? 0,
      badges: document.querySelectorAll('section h2 .badge').length,
    }));
    await page.close();

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(figures.map((f) => f.name)).toEqual(reportCharts(doc).map((c) => c.name));
    for (const f of figures) {
      expect(f.width, `${f.name} width`).toBeGreaterThan(50);
      expect(f.height, `${f.name} height`).toBeGreaterThan(50);
      expect(f.paths, `${f.name} drawn paths`).toBeGreaterThan(0);
      expect(f.texts, `${f.name} texts`).toBeGreaterThan(2);
    }
    expect(page_.title).toBe(doc.title); // the <script> in the title is text, not code
    expect(page_.scripts).toBe(0);
    expect(page_.brokenLinks).toBe(0);
    expect(page_.badges).toBe(doc.sections.filter((s) => s.status).length);
    expect(page_.mainWidth).toBeLessThanOrEqual(1040);
    expect(page_.scrollWidth).toBeLessThanOrEqual(1366); // no sideways scrolling on a laptop screen
  });
});
