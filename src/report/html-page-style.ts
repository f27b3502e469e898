/**
 * The one stylesheet of the HTML report, hashed into its Content-Security-Policy: light and dark from the
 * reader's colour scheme, evidence that keeps its whitespace and wraps long lines, visible badges for control
 * characters, and a print layout without the filters. No fonts, images or anything else fetched.
 */
export const HTML_PAGE_STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #5b6470; --line: #d5dae0; --panel: #f5f7f9; --code: #eef1f4;
  --incident: #111111; --incident-fg: #ffffff; --red: #b42318; --orange: #c4560c; --yellow: #a67c00; --grey: #6b7280; --blue: #1d4ed8; --cc: #8a1c7c; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111418; --fg: #e3e7ec; --muted: #9aa4b1; --line: #2f3740; --panel: #1a1f25; --code: #222a33;
    --incident: #f2f2f2; --incident-fg: #111111; --red: #f06b5d; --orange: #f08a3c; --yellow: #e0b43a; --grey: #9aa4b1; --blue: #7aa2ff; --cc: #f08bd9; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 78rem; padding: 1rem 1.25rem 3rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0.25rem 0; overflow-wrap: anywhere; }
h4 { font-size: 0.95rem; margin: 0.9rem 0 0.3rem; }
a { color: var(--blue); }
code, pre, .mono { font-family: ui-monospace, "Cascadia Mono", Consolas, "DejaVu Sans Mono", monospace; font-size: 0.88em; }
code { background: var(--code); padding: 0 0.25em; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--code); padding: 0.5rem 0.6rem; margin: 0.25rem 0 0; border-radius: 4px; white-space: pre-wrap;
  overflow-wrap: anywhere; word-break: break-all; max-height: 24rem; overflow: auto; }
.cc { display: inline-block; padding: 0 0.2em; margin: 0 0.05em; border: 1px solid var(--cc); border-radius: 3px; color: var(--cc);
  font-family: ui-monospace, Consolas, monospace; font-size: 0.8em; line-height: 1.2; white-space: nowrap; }
.muted, .meta { color: var(--muted); }
[hidden] { display: none !important; }
table { border-collapse: collapse; margin: 0.25rem 0 0.75rem; font-size: 0.92em; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.wide { width: 100%; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.9rem; margin: 0.5rem 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.cards > div { min-width: 14rem; }
.badge { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 999px; border: 1px solid currentColor; font-size: 0.8rem;
  font-weight: 600; white-space: nowrap; }
.badge.label-incident { background: var(--incident); color: var(--incident-fg); border-color: var(--incident); }
.badge.label-3d-forensic, .badge.label-3d, .badge.severity-critical { color: var(--red); }
.badge.label-14d, .badge.severity-high { color: var(--orange); }
.badge.label-60d, .badge.severity-medium { color: var(--yellow); }
.badge.label-next-upgrade, .badge.label-unrated, .badge.severity-low, .badge.severity-info { color: var(--grey); }
.badge.status-new, .badge.status-reopened { color: var(--red); }
.badge.status-fixed { color: var(--grey); text-decoration: line-through; }
.filters { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; padding: 0.5rem 0.75rem;
  background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 0.75rem; }
.filters label { display: inline-flex; gap: 0.35rem; align-items: center; }
.filters select, .filters input, .filters button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 0.15rem 0.35rem; }
article.finding, article.incident { border: 1px solid var(--line); border-left-width: 5px; border-radius: 6px; padding: 0.6rem 0.9rem; margin: 0 0 0.9rem; }
/* A report of thousands of findings: the browser lays out only the ones near the screen. */
article.finding { content-visibility: auto; contain-intrinsic-size: auto 28rem; }
article.finding:target, article.incident:target { outline: 2px solid var(--blue); }
article.severity-critical { border-left-color: var(--red); }
article.severity-high { border-left-color: var(--orange); }
article.severity-medium { border-left-color: var(--yellow); }
article.severity-low, article.severity-info { border-left-color: var(--grey); }
article.incident { border-left-color: var(--incident); }
.finding > header { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: baseline; }
.finding > header h3 { flex-basis: 100%; }
.risk { font-weight: 700; font-variant-numeric: tabular-nums; }
ol.evidence { padding-left: 1.4rem; margin: 0.25rem 0; }
ol.evidence > li { margin-bottom: 0.5rem; }
details.why { margin-top: 0.6rem; }
details.why > summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: 0.85em; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --panel: #f2f2f2; --code: #f2f2f2; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .filters { display: none !important; }
  pre { max-height: none; overflow: visible; }
  article.finding { content-visibility: visible; }
  article.finding, article.incident, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  details::details-content { content-visibility: visible; display: block; }
}
`;
