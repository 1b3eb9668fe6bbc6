// Opens a written report.html in headless Debian chromium (through playwright-core, which
// downloads no browser of its own) and checks what a reader gets: every chart drawn, no errors,
// nothing fetched but the file itself. Skipped only when no chromium binary is installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium, renderReport } from '@anneal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCharts } from './report-document.js';
import { sampleReport } from './report-fixture.js';
import { writeReport, type WrittenReport } from './write-report.js';

describe.skipIf(!findChromium())('report.html in headless chromium (skipped when no chromium binary is found: apt-get install chromium)', () => {
  const doc = sampleReport();
  let dir = '';
  let written: WrittenReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anneal-report-browser-'));
    written = await writeReport(dir, doc);
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart, logs no error and fetches nothing but the file', async () => {
    const page_ = await renderReport(written.html);
    const { errors, requests, figures, url } = page_;
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
