import { formatValue } from './format-number.js';
import { inlineSvg } from './inline-svg.js';
import {
  splitCode,
  validateReport,
  type ReportChart,
  type ReportDocument,
  type ReportFinding,
  type ReportSection,
} from './report-document.js';
import { ReportError } from './report-error.js';
import { REPORT_CSS } from './report-style.js';

/** Blocks scripts and every fetch: the page may only use its own inline styles and SVG. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * The report as one self-contained HTML page that works offline: inline CSS, each chart's SVG
 * inlined in a `<figure class="chart" data-chart="<name>">` with a caption, a table of contents
 * with each section's status, no script and no external URL (a Content-Security-Policy meta tag
 * blocks any fetch). Every text of the document is escaped. `svgs` maps chart names to their SVG
 * markup (vegaLiteSvg's output); a chart without one is a ReportError.
 *
 * @example
 * ```ts
 * const html = reportHtml(doc, { loss: await vegaLiteSvg(lossSpec, 'loss') });
 * ```
 */
export function reportHtml(doc: ReportDocument, svgs: Readonly<Record<string, string>>): string {
  validateReport(doc);
  const head = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
  ];
  const header = [
    '<header>',
    `<h1>${inline(doc.title)}</h1>`,
    doc.subtitle ? `<p class="subtitle">${inline(doc.subtitle)}</p>` : '',
    doc.generatedAt ? `<p class="generated">Generated ${escapeHtml(doc.generatedAt)}</p>` : '',
    '</header>',
  ];
  const toc = doc.sections.length === 0 ? [] : [
    '<nav class="toc" aria-label="Contents">',
    '<h2>Contents</h2>',
    '<ol>',
    ...doc.sections.map((s) => `<li><a href="#${s.id}">${inline(s.title)}</a>${s.status ? ` ${badge(s.status)}` : ''}</li>`),
    '</ol>',
    '</nav>',
  ];
  const sections = doc.sections.map((s, i) => sectionHtml(s, `sections[${i}] '${s.id}'`, svgs));
  return [...head, '<body>', '<main>', ...header, ...toc, ...sections, '</main>', '</body>', '</html>', '']
    .filter((line) => line !== '')
    .join('\n');
}

function sectionHtml(s: ReportSection, at: string, svgs: Readonly<Record<string, string>>): string {
  const status = s.status ? ` ${badge(s.status)}` : '';
  const parts = [`<section id="${s.id}"${s.status ? ` class="status-${s.status}"` : ''}>`, `<h2>${inline(s.title)}${status}</h2>`];
  for (const p of s.paragraphs ?? []) parts.push(`<p>${inline(p)}</p>`);
  if (s.bullets?.length) parts.push(`<ul>${s.bullets.map((b) => `<li>${inline(b)}</li>`).join('')}</ul>`);
  if (s.table) parts.push(tableHtml(s.table));
  for (const f of s.findings ?? []) parts.push(findingHtml(f));
  for (const [j, c] of (s.charts ?? []).entries()) parts.push(figureHtml(c, `${at}.charts[${j}]`, svgs));
  parts.push('</section>');
  return parts.join('\n');
}

function tableHtml(table: NonNullable<ReportSection['table']>): string {
  const numeric = table.columns.map((_, k) => table.rows.length > 0 && table.rows.every((r) => typeof r[k] === 'number'));
  const cls = (k: number) => (numeric[k] ? ' class="num"' : '');
  const headRow = table.columns.map((c, k) => `<th scope="col"${cls(k)}>${inline(c)}</th>`).join('');
  const bodyRows = table.rows.map((r) => `<tr>${r.map((v, k) => `<td${cls(k)}>${cell(v)}</td>`).join('')}</tr>`);
  return `<div class="table-wrap"><table>\n<thead><tr>${headRow}</tr></thead>\n<tbody>\n${bodyRows.join('\n')}\n</tbody>\n</table></div>`;
}

function findingHtml(f: ReportFinding): string {
  const evidence = f.evidence.length ? `<ul>${f.evidence.map((e) => `<li>${inline(e)}</li>`).join('')}</ul>` : '';
  return [
    `<div class="finding finding-${f.severity}">`,
    `<h3>${badge(f.severity)} ${inline(f.title)}</h3>`,
    evidence,
    `<p class="suggestion"><strong>Suggestion:</strong> ${inline(f.suggestion)}</p>`,
    '</div>',
  ].filter((x) => x !== '').join('\n');
}

function figureHtml(c: ReportChart, at: string, svgs: Readonly<Record<string, string>>): string {
  const svg = svgs[c.name];
  if (svg === undefined) throw new ReportError(at, `no SVG given for chart '${c.name}'; render it (vegaLiteSvg) and pass it under its name.`);
  const caption = `<strong>${inline(c.title)}</strong>${c.caption ? ` — ${inline(c.caption)}` : ''}`;
  return `<figure class="chart" data-chart="${c.name}">\n${inlineSvg(svg, `chart-${c.name}-`, at)}\n<figcaption>${caption}</figcaption>\n</figure>`;
}

function badge(status: string): string {
  return `<span class="badge badge-${status}">${status}</span>`;
}

function cell(v: string | number): string {
  return typeof v === 'number' ? escapeHtml(formatValue(v)) : inline(v);
}

/** Plain text to HTML: escaped, with `code` spans as <code>. */
function inline(text: string): string {
  return splitCode(text).map((p) => (p.code ? `<code>${escapeHtml(p.text)}</code>` : escapeHtml(p.text))).join('');
}

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}
