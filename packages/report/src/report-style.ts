/** The stylesheet inlined into report.html: a readable single column, no web fonts, no URLs. */
export const REPORT_CSS = `
:root { --fg: #1d1f23; --muted: #5b6270; --line: #dde1e7; --bg: #ffffff; --panel: #f6f7f9;
  --ok: #1a7f37; --warning: #9a6700; --error: #cf222e; --skipped: #6e7781; --info: #0969da; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.9rem; }
.subtitle { margin: 0; color: var(--muted); font-size: 1.1rem; }
.generated { margin: .25rem 0 0; color: var(--muted); font-size: .85rem; }
h2 { font-size: 1.35rem; margin: 0 0 .75rem; display: flex; align-items: center; gap: .6rem; flex-wrap: wrap; }
nav.toc { margin: 1.5rem 0 2rem; padding: 1rem 1.25rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
nav.toc h2 { font-size: 1rem; margin-bottom: .5rem; }
nav.toc ol { margin: 0; padding-left: 1.4rem; }
nav.toc li { margin: .15rem 0; }
nav.toc a { color: var(--fg); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section { padding: 1.5rem 0; border-top: 1px solid var(--line); }
section > p, section > ul { max-width: 75ch; }
code { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: .9em;
  background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0 .25em; }
.badge { display: inline-block; font-size: .72rem; font-weight: 700; letter-spacing: .04em; text-transform: uppercase;
  padding: .1rem .5rem; border-radius: 999px; color: #fff; vertical-align: middle; }
.badge-ok { background: var(--ok); } .badge-warning { background: var(--warning); } .badge-error { background: var(--error); }
.badge-skipped { background: var(--skipped); } .badge-info { background: var(--info); }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: .9rem; min-width: 50%; }
th, td { padding: .35rem .75rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #fafbfc; }
.finding { margin: 1rem 0; padding: .75rem 1rem; border: 1px solid var(--line); border-left: 4px solid var(--info); border-radius: 6px; }
.finding-error { border-left-color: var(--error); } .finding-warning { border-left-color: var(--warning); }
.finding h3 { margin: 0 0 .4rem; font-size: 1rem; display: flex; gap: .5rem; align-items: center; }
.finding ul { margin: .25rem 0; padding-left: 1.25rem; color: var(--muted); }
.finding .suggestion { margin: .4rem 0 0; }
figure.chart { margin: 1.25rem 0; padding: .75rem; border: 1px solid var(--line); border-radius: 8px; background: #fff; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: .5rem; color: var(--muted); font-size: .9rem; }
figcaption strong { color: var(--fg); }
@media print { nav.toc { display: none; } section { break-inside: avoid-page; } main { max-width: none; } }
`;
