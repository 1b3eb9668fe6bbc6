import { describe, expect, it } from 'vitest';
import { ReportError } from './report-error.js';
import { sampleReport } from './report-fixture.js';
import { reportMarkdown } from './report-markdown.js';

const doc = sampleReport();
const names = doc.sections.flatMap((s) => s.charts ?? []).map((c) => c.name);
const files = Object.fromEntries(names.map((n) => [n, { svg: `charts/${n}.svg`, png: `charts/${n}.png` }]));

describe('reportMarkdown', () => {
  const md = reportMarkdown(doc, files);
  const lines = md.split('\n');

  it('starts with the escaped title, subtitle, date and a status summary', () => {
    expect(lines.slice(0, 6)).toEqual([
      '# Run 7 \\<script\\>alert("x")\\</script\\> \\& co',
      '',
      '_ResNet-ish on `digits`, AdamW_',
      '',
      'Generated 2025-01-02T03:04:05Z',
      '',
    ]);
    expect(md).toContain('| Section | Status |\n| --- | --- |\n| Training curves | ✅ ok |\n| Learning rate | ⚠️ warning |');
    expect(md).not.toMatch(/(^|[^\\])<script/); // every < of the text is escaped
  });

  it('gives each section a heading and its status, also when it has no content', () => {
    expect(md).toContain('## Ensembles\n\n**Status:** ⏭️ skipped\n\n## Notes');
    expect(lines.filter((l) => l.startsWith('## '))).toHaveLength(doc.sections.length);
  });

  it('writes charts as relative PNG images with a caption and a link to the SVG', () => {
    const images = [...md.matchAll(/^!\[([^\]]*)\]\(([^)]+)\)$/gm)].map((m) => [m[1], m[2]]);
    expect(images).toHaveLength(names.length);
    expect(images[0]).toEqual(['Loss per epoch', 'charts/loss.png']);
    expect(md).toContain('_Loss per epoch_: mean ± std of the batch losses ([SVG](charts/loss.svg))');
  });

  it('writes a GFM table with numeric columns right-aligned', () => {
    const at = lines.indexOf('| lr | weight decay | val accuracy | state |');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('| ---: | ---: | --- | --- |');
    expect(lines[at + 2]).toBe('| 0.001 | 0 | 0.8865 | complete |');
    expect(lines.slice(at + 2, at + 14).every((l) => l.startsWith('| ') && l.endsWith(' |'))).toBe(true);
    expect(lines[at + 14]).toBe('');
  });

  it('writes findings as nested lists', () => {
    expect(md).toContain(
      '- ⚠️ **warning: lr 1e-1 diverged**\n  - loss x2 after 4 iterations\n  - grad norm 1e4\n  - **Suggestion:** Stay at or below `1e-2`.',
    );
  });

  it('keeps text literal: markup escaped, no accidental headings or lists, pipes escaped in tables', () => {
    expect(md).toContain('A \\<b\\>bold\\</b\\> claim stays plain text.');
    expect(md).toContain('\n\\# not a heading\n');
    expect(md).toContain('\n1\\. not a list\n');
    const table = reportMarkdown({ title: 't', sections: [{ id: 'a', title: 'A', table: { columns: ['a|b'], rows: [['`x|y` | z\nw']] } }] }, {});
    expect(table).toContain('| a\\|b |\n| --- |\n| `x\\|y` \\| z w |');
    expect(md).toContain('## Notes \\| pipes \\& `code|pipe`');
    // numbers read as written: "0.9570" in a cell or "0.5 of ..." opening a paragraph is no list marker
    const numbers = reportMarkdown({ title: 't', sections: [{ id: 'a', title: 'A', paragraphs: ['0.5 of the runs'], table: { columns: ['acc'], rows: [['0.9570'], ['-1']] } }] }, {});
    expect(numbers).toContain('| 0.9570 |\n| -1 |');
    expect(numbers).toContain('\n0.5 of the runs\n');
  });

  it('refuses a chart without files', () => {
    const { grid: _, ...rest } = files;
    expect(() => reportMarkdown(doc, rest)).toThrow(ReportError);
    expect(() => reportMarkdown(doc, rest)).toThrow(/no files given for chart 'grid'/);
  });
});
