import { ReportError } from './report-error.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';

/** A chart of a report section; `name` is its file stem (`charts/<name>.svg`), unique in the report. */
export interface ReportChart {
  /** File stem: letters, digits, `_` and `-` only. */
  name: string;
  title: string;
  spec: VegaLiteSpec;
  caption?: string;
}

/** A diagnosis: what was seen (evidence) and what to do about it. */
export interface ReportFinding {
  severity: 'error' | 'warning' | 'info';
  title: string;
  evidence: string[];
  suggestion: string;
}

/** Status of a report section, shown as a badge next to its title and in the contents. */
export type ReportStatus = 'ok' | 'warning' | 'error' | 'skipped' | 'info';

/**
 * One section of a report. Every text is plain text (escaped on output); a `code` span in
 * backticks is shown as code. Everything but `id` and `title` is optional, in this order.
 */
export interface ReportSection {
  /** Anchor of the section: letters, digits, `_` and `-` only, unique in the report. */
  id: string;
  title: string;
  status?: ReportStatus;
  paragraphs?: string[];
  bullets?: string[];
  table?: { columns: string[]; rows: (string | number)[][] };
  findings?: ReportFinding[];
  charts?: ReportChart[];
}

/**
 * A report: what reportHtml, reportMarkdown and writeReport turn into report.html and report.md.
 *
 * @example
 * ```ts
 * const doc: ReportDocument = {
 *   title: 'Run 7', generatedAt: new Date().toISOString(),
 *   sections: [{ id: 'loss', title: 'Loss', status: 'ok', charts: [{ name: 'loss', title: 'Loss', spec }] }],
 * };
 * ```
 */
export interface ReportDocument {
  title: string;
  subtitle?: string;
  generatedAt?: string;
  sections: ReportSection[];
}

const NAME = /^[\w-]+$/;
const STATUSES = new Set<string>(['ok', 'warning', 'error', 'skipped', 'info']);
const SEVERITIES = new Set<string>(['error', 'warning', 'info']);

/**
 * Checks what the writers rely on and throws a ReportError naming the place otherwise: section
 * ids and chart names are `[\w-]+` and unique, statuses and severities are known, every table
 * row has one cell per column.
 */
export function validateReport(doc: ReportDocument): void {
  const ids = new Set<string>();
  const charts = new Map<string, string>();
  for (const [i, s] of doc.sections.entries()) {
    const at = `sections[${i}] '${s.id}'`;
    if (!NAME.test(s.id)) throw new ReportError(at, 'the section id must be letters, digits, _ or - (it is the anchor in the contents).');
    if (ids.has(s.id)) throw new ReportError(at, 'another section has the same id; give each section its own id.');
    ids.add(s.id);
    if (s.status !== undefined && !STATUSES.has(s.status)) {
      throw new ReportError(at, `status '${String(s.status)}' is not one of ok, warning, error, skipped, info.`);
    }
    for (const [j, f] of (s.findings ?? []).entries()) {
      if (!SEVERITIES.has(f.severity)) {
        throw new ReportError(`${at}.findings[${j}]`, `severity '${String(f.severity)}' is not one of error, warning, info.`);
      }
    }
    if (s.table) {
      for (const [r, row] of s.table.rows.entries()) {
        if (row.length !== s.table.columns.length) {
          throw new ReportError(`${at}.table.rows[${r}]`, `has ${row.length} cells but the table has ${s.table.columns.length} columns.`);
        }
      }
    }
    for (const [j, c] of (s.charts ?? []).entries()) {
      const where = `${at}.charts[${j}]`;
      if (!NAME.test(c.name)) throw new ReportError(where, `chart name '${c.name}' must be letters, digits, _ or - (it is the file name).`);
      const other = charts.get(c.name);
      if (other !== undefined) {
        throw new ReportError(where, `chart name '${c.name}' is already used by ${other}; chart files would overwrite each other, so give each chart its own name.`);
      }
      charts.set(c.name, where);
    }
  }
}

/** Every chart of the report in document order. */
export function reportCharts(doc: ReportDocument): ReportChart[] {
  return doc.sections.flatMap((s) => s.charts ?? []);
}

/** Splits text into plain parts and `code` spans (backticks removed), in order. */
export function splitCode(text: string): { text: string; code: boolean }[] {
  const out: { text: string; code: boolean }[] = [];
  let at = 0;
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), code: false });
    out.push({ text: m[1], code: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), code: false });
  return out;
}
