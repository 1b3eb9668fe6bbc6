import { formatValue } from './format-number.js';
import { splitCode, validateReport, type ReportDocument, type ReportFinding, type ReportSection, type ReportStatus } from './report-document.js';
import { ReportError } from './report-error.js';

/** Relative paths of a chart's rendered files, as written next to report.md. */
export interface ChartFiles {
  svg: string;
  png: string;
}

const STATUS_MARK: Record<ReportStatus, string> = { ok: '✅', warning: '⚠️', error: '❌', skipped: '⏭️', info: 'ℹ️' };

/**
 * The report as GitHub-flavoured Markdown: a status summary, then each section with its status,
 * paragraphs, bullets, a GFM table (numbers right-aligned), findings as nested lists and charts
 * as images (`chartFiles[name].png`, relative to report.md) with a caption and a link to the SVG.
 * Every text is escaped so it shows as written; `code` spans stay code.
 *
 * @example
 * ```ts
 * const md = reportMarkdown(doc, { loss: { svg: 'charts/loss.svg', png: 'charts/loss.png' } });
 * ```
 */
export function reportMarkdown(doc: ReportDocument, chartFiles: Readonly<Record<string, ChartFiles>>): string {
  validateReport(doc);
  const out: string[] = [`# ${inline(doc.title)}`, ''];
  if (doc.subtitle) out.push(`_${inline(doc.subtitle)}_`, '');
  if (doc.generatedAt) out.push(`Generated ${inline(doc.generatedAt)}`, '');
  const withStatus = doc.sections.filter((s) => s.status);
  if (withStatus.length > 0) {
    out.push('| Section | Status |', '| --- | --- |');
    for (const s of withStatus) out.push(`| ${inline(s.title, true)} | ${statusText(s.status as ReportStatus)} |`);
    out.push('');
  }
  for (const [i, s] of doc.sections.entries()) out.push(...sectionMarkdown(s, `sections[${i}] '${s.id}'`, chartFiles));
  return `${out.join('\n').trimEnd()}\n`;
}

function sectionMarkdown(s: ReportSection, at: string, files: Readonly<Record<string, ChartFiles>>): string[] {
  const out = [`## ${inline(s.title)}`, ''];
  if (s.status) out.push(`**Status:** ${statusText(s.status)}`, '');
  for (const p of s.paragraphs ?? []) out.push(inline(p), '');
  if (s.bullets?.length) out.push(...s.bullets.map((b) => `- ${inline(b)}`), '');
  if (s.table) out.push(...tableMarkdown(s.table), '');
  for (const f of s.findings ?? []) out.push(...findingMarkdown(f), '');
  for (const [j, c] of (s.charts ?? []).entries()) {
    const f = files[c.name];
    if (f === undefined) throw new ReportError(`${at}.charts[${j}]`, `no files given for chart '${c.name}'; pass its { svg, png } paths under its name.`);
    const caption = `_${inline(c.title)}_${c.caption ? `: ${inline(c.caption)}` : ''} ([SVG](${encodeURI(f.svg)}))`;
    out.push(`![${inline(c.title)}](${encodeURI(f.png)})`, '', caption, '');
  }
  return out;
}

function tableMarkdown(table: NonNullable<ReportSection['table']>): string[] {
  const numeric = table.columns.map((_, k) => table.rows.length > 0 && table.rows.every((r) => typeof r[k] === 'number'));
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(table.columns.map((c) => inline(c, true) || ' ')),
    row(numeric.map((n) => (n ? '---:' : '---'))),
    ...table.rows.map((r) => row(r.map((v) => (typeof v === 'number' ? formatValue(v) : inline(v, true))))),
  ];
}

function findingMarkdown(f: ReportFinding): string[] {
  return [
    `- ${STATUS_MARK[f.severity]} **${f.severity}: ${inline(f.title)}**`,
    ...f.evidence.map((e) => `  - ${inline(e)}`),
    `  - **Suggestion:** ${inline(f.suggestion)}`,
  ];
}

function statusText(status: ReportStatus): string {
  return `${STATUS_MARK[status]} ${status}`;
}

/**
 * Plain text as one line of Markdown that shows as written: newlines become spaces, Markdown
 * punctuation is backslash-escaped (and a leading `#`, `-`, `+`, `=` or `1.` that would start a
 * block), `code` spans are kept. In a table cell (`inTable`) pipes are escaped inside code too.
 */
function inline(text: string, inTable = false): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const md = splitCode(flat)
    .map((p) => (p.code ? `\`${inTable ? p.text.replace(/\|/g, '\\|') : p.text}\`` : p.text.replace(/[\\`*_[\]<>|&~]/g, '\\$&')))
    .join('');
  // block syntax only starts a line outside tables: a list marker or heading needs the space after it
  if (inTable) return md;
  return md.replace(/^([#+-]|=+$)/, '\\$&').replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}
