// The dashboard's stylesheet, inlined in each page (with the page's CSP nonce): one small file, no build step.
// Colours keep at least 4.5:1 contrast for text; focus is always visible; nothing is told by colour alone.
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #f7f7f8; --panel: #ffffff; --text: #1b1c1f; --muted: #5a5d66; --line: #d9dbe0;
  --link: #1f4fbf; --focus: #c2410c;
  --ok: #1d7a3a; --bad: #b42318; --warn: #8a5a00; --info: #1f4fbf; --idle: #5a5d66; --flight: #6b8fe0;
  --ok-bg: #e3f4e8; --bad-bg: #fde8e6; --warn-bg: #fdf1d6; --info-bg: #e5ecfb; --idle-bg: #eceef1;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #141518; --panel: #1d1f23; --text: #eceef1; --muted: #a6aab3; --line: #353840;
    --link: #8fb0ff; --focus: #ffb067;
    --ok: #6fd18f; --bad: #ff8a80; --warn: #f3c56b; --info: #8fb0ff; --idle: #a6aab3; --flight: #5574c4;
    --ok-bg: #163320; --bad-bg: #3d1a17; --warn-bg: #3a2c0d; --info-bg: #1b2845; --idle-bg: #2a2c31;
  }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--link); }
code, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.92em; overflow-wrap: anywhere; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--panel); color: var(--link); padding: 0.5rem 0.75rem; z-index: 10; border: 2px solid var(--focus); }
.skip-link:focus { top: 0.5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
.site-header { display: flex; align-items: center; gap: 1.5rem; padding: 0.6rem 1.5rem; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 1.1rem; text-decoration: none; color: var(--text); }
.site-header nav { flex: 1; }
.site-header nav a { margin-right: 1rem; }
main { max-width: 78rem; margin: 0 auto; padding: 1.25rem 1.5rem 3rem; }
main:focus { outline: none; }
h1 { font-size: 1.5rem; margin: 0.25rem 0 0.5rem; display: flex; flex-wrap: wrap; align-items: center; gap: 0.6rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 0 0 0.6rem; }
h3 { font-size: 0.95rem; margin: 0.9rem 0 0.4rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: 1rem; }
.grid > .panel { margin: 0; }
.stack { display: grid; gap: 1rem; margin-bottom: 1rem; }
.muted { color: var(--muted); }
.meta { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; margin: 0.25rem 0 0.75rem; color: var(--muted); }
.meta b { color: var(--text); font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-scroll { overflow-x: auto; }
dl.pairs { display: grid; grid-template-columns: minmax(min(7rem, 40%), max-content) minmax(0, 1fr); gap: 0.3rem 1rem; margin: 0; }
dl.pairs dt, dl.pairs dd { min-width: 0; overflow-wrap: break-word; }
dl.pairs dt { color: var(--muted); }
dl.pairs dd { margin: 0; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0.05rem 0.55rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.badge-completed { color: var(--ok); background: var(--ok-bg); }
.badge-completed_with_errors { color: var(--warn); background: var(--warn-bg); }
.badge-failed { color: var(--bad); background: var(--bad-bg); }
.badge-canceled { color: var(--idle); background: var(--idle-bg); }
.badge-running, .badge-ingesting, .badge-pending { color: var(--info); background: var(--info-bg); }
.badge-awaiting_budget, .badge-pilot_failed { color: var(--warn); background: var(--warn-bg); }
.pairs dt.indent { padding-left: 1rem; }
.progress { display: flex; height: 0.75rem; min-width: 8rem; border-radius: 999px; overflow: hidden; background: var(--idle-bg); border: 1px solid var(--line); }
.progress > span { display: block; height: 100%; }
.seg-succeeded { background: var(--ok); }
.seg-failed { background: var(--bad); }
.seg-canceled { background: var(--idle); }
.seg-in-flight { background: var(--flight); }
.progress-text { font-size: 0.82rem; color: var(--muted); margin-top: 0.2rem; }
.legend-item { margin-right: 0.8rem; white-space: nowrap; }
.seg-queued { background: var(--idle-bg); border: 1px solid var(--line); }
.nowrap { white-space: nowrap; }
.legend { display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 2px; margin-right: 0.3rem; vertical-align: -0.05rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
.actions form { margin: 0; }
button, .button { font: inherit; padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); color: var(--text); cursor: pointer; }
button:hover { border-color: var(--muted); }
button.primary { background: var(--link); border-color: var(--link); color: var(--panel); font-weight: 600; }
button.danger, a.button.danger { color: var(--bad); border-color: var(--bad); }
a.button { display: inline-block; text-decoration: none; }
button.link-button { border: none; background: none; color: var(--link); text-decoration: underline; padding: 0.2rem; }
.alert { border: 1px solid var(--bad); background: var(--bad-bg); color: var(--text); padding: 0.6rem 0.9rem; border-radius: 6px; margin: 0 0 1rem; }
.notice { border: 1px solid var(--ok); background: var(--ok-bg); color: var(--text); padding: 0.6rem 0.9rem; border-radius: 6px; margin: 0 0 1rem; }
.pager { display: flex; gap: 1.5rem; margin-top: 0.9rem; }
.login { max-width: 26rem; margin: 3rem auto; }
.login label { display: block; font-weight: 600; margin-bottom: 0.3rem; }
.login input { width: 100%; font: inherit; padding: 0.5rem 0.6rem; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: var(--text); margin-bottom: 0.4rem; }
.login .hint { font-size: 0.85rem; color: var(--muted); margin: 0 0 1rem; }
.error-text { color: var(--bad); font-weight: 600; }
table.confusion td.diagonal { font-weight: 700; background: var(--ok-bg); }
.document-text { font-weight: 400; max-width: 32rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.grid > *, .stack > * { min-width: 0; }
.panel { min-width: 0; overflow-wrap: break-word; }
.panel table { max-width: 100%; }
.insights { margin: 0 0 1rem; }
.field-grid { grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr)); }
.field-card h3 { margin-top: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.6rem; align-items: baseline; }
.field-card h3 .kind { font-weight: 400; font-size: 0.85rem; }
.field-card h4 { font-size: 0.9rem; margin: 0.8rem 0 0.3rem; }
.field-summary, .field-stats { font-size: 0.88rem; margin: 0 0 0.5rem; }
ul.bars { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.15rem; }
.bar-row { display: grid; grid-template-columns: minmax(0, 10rem) minmax(3rem, 1fr) auto; gap: 0.5rem; align-items: center; padding: 0.15rem 0.25rem; border-radius: 4px; color: var(--text); text-decoration: none; }
a.bar-row:hover { background: var(--info-bg); }
a.bar-row:hover .bar-label { text-decoration: underline; }
.bar-label { overflow-wrap: anywhere; font-size: 0.9rem; }
a.bar-row .bar-label { color: var(--link); }
.bar-track { width: 100%; height: 0.8rem; display: block; background: var(--idle-bg); border-radius: 2px; }
.bar-fill { fill: var(--info); }
.bar-value { font-variant-numeric: tabular-nums; font-size: 0.88rem; white-space: nowrap; text-align: right; }
.line-chart { margin: 0; }
.line-chart svg { width: 100%; height: 6rem; display: block; background: var(--idle-bg); border-radius: 4px; }
.line-chart .line { stroke: var(--info); stroke-width: 2; }
.result-title { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.6rem; }
.result-doc-title { font-weight: 400; }
.result-body { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr)); gap: 0.5rem 1.5rem; }
.result-body > * { min-width: 0; }
.filter-form { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 14rem), 1fr)); gap: 0.6rem 1rem; align-items: end; margin: 0.6rem 0; }
.correction-form { display: grid; gap: 0.6rem; max-width: 40rem; margin-top: 0.6rem; }
.form-row { display: flex; flex-direction: column; gap: 0.25rem; min-width: 0; }
.form-row label { font-weight: 600; font-size: 0.88rem; }
.form-row input, .form-row select, .form-row textarea { width: 100%; min-width: 0; font: inherit; padding: 0.4rem 0.55rem; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: var(--text); }
.filter-form > button, .correction-form > button { justify-self: start; }
details.correct { margin-top: 0.75rem; }
details.correct > summary { cursor: pointer; color: var(--link); }
ul.chips { list-style: none; padding: 0; margin: 0 0 0.6rem; display: flex; flex-wrap: wrap; gap: 0.4rem; }
ul.chips li { border: 1px solid var(--line); background: var(--info-bg); border-radius: 999px; padding: 0.1rem 0.7rem; overflow-wrap: anywhere; max-width: 100%; }
.filter-help { font-size: 0.85rem; overflow-wrap: anywhere; }
.line-axis { display: flex; justify-content: space-between; flex-wrap: wrap; gap: 0.2rem 1rem; font-size: 0.82rem; color: var(--muted); margin-top: 0.2rem; }
@media (max-width: 30rem) {
  main { padding: 1rem 0.75rem 2rem; }
  .panel { padding: 0.75rem; }
  .bar-row { grid-template-columns: minmax(0, 7rem) minmax(2rem, 1fr) auto; }
  .site-header { padding: 0.6rem 0.75rem; gap: 0.75rem; flex-wrap: wrap; }
}
`;
