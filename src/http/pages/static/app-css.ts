/** The one stylesheet. Status is never colour alone: every status class pairs with a text label or icon. */
export const APP_CSS = `
:root {
  --bg: #0f1419; --panel: #18202a; --text: #e8edf2; --muted: #9aa8b6; --line: #2a3542;
  --up: #2fb36c; --degraded: #e0a526; --down: #ff6b70; --unknown: #7d8a97; --maintenance: #5b8def; --drill: #b26cf0;
  --flapping: #ff9a52;
  --focus: #ffd166;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font-size: 16px; line-height: 1.4; }
a { color: #8cc8ff; }
a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 8px; top: 8px; background: var(--panel); padding: 6px 10px; z-index: 10; }
.topbar { display: flex; align-items: center; gap: 24px; padding: 8px 16px; background: var(--panel); border-bottom: 1px solid var(--line); }
.topbar .brand { font-weight: 700; color: var(--text); text-decoration: none; }
.topbar nav { display: flex; gap: 16px; flex: 1; }
.topbar .signout { display: flex; gap: 8px; align-items: center; }
.who { color: var(--muted); font-size: 14px; }
main { padding: 16px; }
h1 { font-size: 24px; margin: 0 0 12px; } h2 { font-size: 19px; margin: 20px 0 8px; }
button { background: #2b3a4a; color: var(--text); border: 1px solid #3d5165; border-radius: 4px; padding: 6px 12px; font: inherit; cursor: pointer; }
button:hover { background: #34475a; }
input, select, textarea { background: #0b1015; color: var(--text); border: 1px solid #3d5165; border-radius: 4px; padding: 6px 8px; font: inherit; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
.muted { color: var(--muted); }
.error { color: #ffb4b6; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
.grid { display: grid; gap: 12px; }
.login { max-width: 420px; margin: 10vh auto; }
.login form { display: grid; gap: 8px; }

/* Status badges: colour plus a symbol and a word. */
.status { display: inline-flex; align-items: center; gap: 6px; font-weight: 600; }
.status::before { display: inline-block; width: 1.1em; text-align: center; font-weight: 700; }
.s-up, .s-operational { color: var(--up); } .s-up::before, .s-operational::before { content: "✔"; }
.s-degraded { color: var(--degraded); } .s-degraded::before { content: "▲"; }
.s-flapping { color: var(--flapping); } .s-flapping::before { content: "↕"; }
.s-down, .s-lost { color: var(--down); } .s-down::before, .s-lost::before { content: "✖"; }
.s-unknown { color: var(--unknown); } .s-unknown::before { content: "?"; }
.s-maintenance { color: var(--maintenance); } .s-maintenance::before { content: "⚙"; }
.s-disputed { color: var(--degraded); } .s-disputed::before { content: "⇄"; }
.s-live { color: var(--up); } .s-live::before { content: "✔"; }
.s-pending { color: var(--unknown); } .s-pending::before { content: "…"; }

/* Drills are unmistakable. */
.drill-banner { background: repeating-linear-gradient(45deg, #3b1f57, #3b1f57 12px, #2c1742 12px, #2c1742 24px); border: 2px solid var(--drill);
  color: #f1e4ff; padding: 10px 14px; border-radius: 6px; font-weight: 700; margin-bottom: 12px; }
.drill-banner::before { content: "DRILL · "; letter-spacing: 0.08em; }
.drill-tag { border: 1px solid var(--drill); color: #e2c7ff; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 700; }

/* Wall screens: bigger type when there is room. */
@media (min-width: 1800px) { body { font-size: 18px; } h1 { font-size: 30px; } }
/* ── Watch floor (src/http/pages/watch/index.tsx) ─────────────────────────────────── */
body.watch main { padding: 10px 16px 16px; }
.wf-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 24px; margin-bottom: 10px; }
.wf-head h1 { margin: 0; }
.summary { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 0; }
.sum-group { display: inline-flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
.wf-clock { margin: 0 0 0 auto; font-size: 0.875em; }
.live-state.live-on { color: var(--up); } .live-state.live-on::before { content: "● "; }
.live-state.live-off { color: var(--degraded); } .live-state.live-off::before { content: "○ "; }
.watch-floor .drill-banner { display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: baseline; font-size: 1.1em; }
.drill-banner .drill-detail { font-weight: 500; font-size: 0.9em; }
.wf-grid { display: grid; gap: 14px 18px; grid-template-columns: minmax(0, 1fr);
  grid-template-areas: "functions" "incidents" "map" "passes" "assets"; }
.wf-grid > section { min-width: 0; }
.wf-grid h2 { margin-top: 0; }
.wf-functions { grid-area: functions; } .wf-incidents { grid-area: incidents; } .wf-map { grid-area: map; }
.wf-passes { grid-area: passes; } .wf-assets { grid-area: assets; }
@media (min-width: 1100px) {
  .wf-grid { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); grid-template-areas: "functions incidents" "map passes" "assets assets"; }
  .asset-groups { columns: 3 300px; }
}
@media (min-width: 1700px) {
  .wf-grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) minmax(0, 0.9fr);
    grid-template-areas: "functions functions incidents" "map passes incidents" "assets assets assets"; }
  .asset-groups { columns: 4 300px; }
}
.asset-groups { column-gap: 18px; }
.asset-kind { break-inside: avoid; margin-bottom: 10px; }
.attention { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; margin: 0 0 10px; }
.attention-label { font-weight: 700; }
.attention-item { white-space: nowrap; }
.asset-kind h3 { font-size: 1em; margin: 0 0 4px; }

/* Function tiles: a coloured edge, a symbol and a word. */
.tiles { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; grid-template-columns: repeat(auto-fill, minmax(225px, 1fr)); }
.tile { background: var(--panel); border: 1px solid var(--line); border-left: 10px solid var(--unknown); border-radius: 6px; padding: 8px 12px; }
.tile.st-operational { border-left-color: var(--up); }
.tile.st-degraded { border-left-color: var(--degraded); background: #2a2412; }
.tile.st-lost { border-left-color: var(--down); background: #3a1518; border-color: var(--down); }
.tile-head { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
.tile-name { font-size: 1.05em; margin: 0; min-width: 0; overflow-wrap: break-word; }
.tier { border: 1px solid var(--line); border-radius: 3px; padding: 0 5px; font-size: 0.75em; color: var(--muted); white-space: nowrap; }
.tile-state { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; font-size: 1.3em; margin: 4px 0; }
.redundancy { font-size: 0.7em; }
.redundancy.r-SPOF strong, .redundancy.r-none strong { color: var(--degraded); }
.groups { list-style: none; margin: 0; padding: 0; font-size: 0.8em; color: var(--muted); }
.groups .g-short { color: var(--text); } .groups .g-spof { color: #f3d28a; } .groups .g-below { color: #ffb4b6; }
.tile-foot { margin: 4px 0 0; font-size: 0.75em; }

/* Asset rows. */
table.assets, table.passes { font-size: 0.875em; }
table.assets { table-layout: fixed; }
table.assets th:nth-child(2) { width: 7.5em; } table.assets th:nth-child(3) { width: 5.5em; }
table.assets td:first-child { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
table.assets th, table.assets td, table.passes th, table.passes td { padding: 3px 6px; }
.num { text-align: right; white-space: nowrap; }
.region-row th { background: #121a23; color: var(--muted); font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.05em; }
.asset-row.st-down { background: #3a1518; }
.asset-row.st-degraded { background: #2a2412; }
.asset-row.st-flapping { background: #2e1d10; }
.asset-row .status { white-space: nowrap; }
.warn { color: var(--degraded); font-size: 0.85em; }
table.assets tr.check-note td { white-space: normal; font-size: 0.85em; padding-left: 1.5em; }
.asset-row a.asset-name { color: inherit; }

/* Vantages: where checks run from; a lost one says so in words. */
.wf-vantages { margin-top: 14px; }
table.vantages { font-size: 0.875em; width: auto; min-width: min(100%, 720px); }
table.vantages th, table.vantages td { padding: 3px 8px; text-align: left; }
table.vantages .num { text-align: right; }
.vantage-row.st-lost { background: #3a1518; }
.vantage-lost { color: #ffb4b6; }
table.votes th, table.votes td { padding: 3px 8px; text-align: left; }

/* Incidents and the officer's actions. */
.incidents { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.incident { background: var(--panel); border: 1px solid var(--line); border-left: 6px solid var(--degraded); border-radius: 6px; padding: 8px 12px; }
.incident.sev-critical, .incident.sev-major { border-left-color: var(--down); }
.incident-title { font-size: 1em; margin: 0 0 4px; }
.incident p { margin: 2px 0; font-size: 0.875em; }
.severity { text-transform: uppercase; font-weight: 700; font-size: 0.85em; letter-spacing: 0.05em; border: 1px solid currentColor; border-radius: 3px; padding: 0 4px; }
.severity.sev-critical, .severity.sev-major { color: #ff8a8e; } .severity.sev-minor { color: var(--degraded); } .severity.sev-info { color: var(--muted); }
.visibility { font-size: 0.8em; font-weight: 700; border: 1px dashed currentColor; border-radius: 3px; padding: 0 4px; } .visibility-internal { color: var(--muted); } .visibility-public { color: var(--up); }
.unacked { color: #ffb4b6; font-weight: 700; } .acked { color: var(--up); }
.incident-actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; align-items: center; }
.update-form { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; flex: 1; font-size: 0.875em; }
.update-form input[type="text"] { flex: 1; min-width: 140px; }
button.primary { background: #1f5f99; border-color: #3d8bd0; font-weight: 600; }
button.primary:hover { background: #2670b3; }

/* The world map (inline SVG): land for orientation, dots and links by status. */
.world-map { display: block; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
.map-sea { fill: #0b1a2a; }
.map-land path { fill: #1e2b37; stroke: #33475a; stroke-width: 0.5; }
.map-graticule { fill: none; stroke: #1d3145; stroke-width: 0.5; }
.map-link { fill: none; stroke-width: 1.3; opacity: 0.9; }
.map-link.d-up { stroke: var(--up); } .map-link.d-unknown { stroke: var(--unknown); } .map-link.d-maintenance { stroke: var(--maintenance); }
.map-link.d-degraded { stroke: var(--degraded); stroke-dasharray: 5 2; stroke-width: 1.8; }
.map-link.d-flapping { stroke: var(--flapping); stroke-dasharray: 4 1 1 1; stroke-width: 2; }
.map-link.d-down { stroke: #ff6b70; stroke-dasharray: 2 3; stroke-width: 2.2; }
.map-dot { stroke: #0b1a2a; stroke-width: 1; }
.map-dot.d-up { fill: var(--up); } .map-dot.d-unknown { fill: var(--unknown); } .map-dot.d-maintenance { fill: var(--maintenance); }
.map-dot.d-degraded { fill: var(--degraded); stroke: #fff; r: 5px; }
.map-dot.d-flapping { fill: var(--flapping); stroke: #fff; stroke-width: 1.5; r: 5.5px; }
.map-dot.d-down { fill: #ff6b70; stroke: #fff; stroke-width: 1.5; r: 6px; }
.map-label { font-size: 9px; font-weight: 700; paint-order: stroke; stroke: #0b1a2a; stroke-width: 3px; }
.map-label.d-down { fill: #ff8a8e; } .map-label.d-degraded { fill: var(--degraded); } .map-label.d-flapping { fill: var(--flapping); }
.passes .sat, .passes time { white-space: nowrap; }
.map-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 0.8em; margin: 6px 0 0; }
/* ── Public status pages (/status/{slug}) ─────────────────────────────────── */
.sp { max-width: 1080px; margin: 0 auto; padding: 8px 0 24px; }
.sp-head h1 { font-size: 28px; margin-bottom: 4px; }
.sp-desc { margin: 0 0 6px; color: var(--text); }
.sp-links { margin: 0 0 16px; font-size: 14px; color: var(--muted); }
.sp-banner { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; padding: 16px 20px; border-radius: 6px; color: #fff; font-size: 20px; font-weight: 700; margin-bottom: 20px; }
.sp-banner-sym { font-size: 24px; width: 1.2em; text-align: center; }
.sp-banner-text { flex: 1; }
.sp-banner-time { font-size: 14px; font-weight: 400; }
.sp-ind-none { background: #1f7a4a; } .sp-ind-minor { background: #8a5a00; } .sp-ind-major { background: #a64200; }
.sp-ind-critical { background: #b3261e; } .sp-ind-maintenance { background: #2b5cab; }
.sp-section { margin: 20px 0; }
.sp-comps { list-style: none; margin: 0; padding: 0; }
.sp-top { border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
.sp-top > li + li { border-top: 1px solid var(--line); }
.sp-comp, .sp-group { padding: 12px 16px; }
.sp-group .sp-comps { margin-top: 4px; }
.sp-group .sp-comp { padding: 10px 0 10px 18px; border-left: 2px solid var(--line); }
.sp-comp-head, .sp-group-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 4px 12px; }
.sp-comp-name, .sp-group-name { margin: 0; font-size: 17px; font-weight: 600; }
.sp-group-name { font-size: 18px; }
.sp-status { display: inline-flex; align-items: baseline; gap: 6px; font-weight: 600; }
.sp-sym { display: inline-block; width: 1.1em; text-align: center; }
.sp-st-operational { color: #4cc38a; } .sp-st-degraded_performance { color: #f0b429; } .sp-st-partial_outage { color: #ff9a52; }
.sp-st-major_outage { color: #ff8a8e; } .sp-st-under_maintenance { color: #8fb4ff; } .sp-st-unknown { color: #b8c2cc; }
.sp-bars { display: block; width: 100%; height: 34px; margin-top: 8px; }
.sp-bar { fill: #3a4653; } .sp-bar:hover { opacity: 0.75; }
.sp-bar-ok { fill: #2fb36c; } .sp-bar-minor { fill: #e0a526; } .sp-bar-partial { fill: #e8772e; } .sp-bar-major { fill: #e5484d; } .sp-bar-nodata { fill: #3a4653; }
.sp-bars-legend { display: flex; justify-content: space-between; gap: 8px; font-size: 13px; color: var(--muted); margin-top: 4px; }
.sp-uptime { color: var(--text); font-weight: 600; }
.sp-legend { font-size: 14px; }
.sp-key { white-space: nowrap; margin-right: 6px; }
.sp-key::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; background: #3a4653; }
.sp-key-ok::before { background: #2fb36c; } .sp-key-minor::before { background: #e0a526; } .sp-key-partial::before { background: #e8772e; }
.sp-key-major::before { background: #e5484d; }
.sp-incident, .sp-maint { background: var(--panel); border: 1px solid var(--line); border-left: 6px solid var(--unknown); border-radius: 6px; padding: 12px 16px; margin: 10px 0; }
.sp-impact-minor { border-left-color: var(--degraded); } .sp-impact-major { border-left-color: #e8772e; } .sp-impact-critical { border-left-color: var(--down); }
.sp-maint { border-left-color: var(--maintenance); }
.sp-incident-title { margin: 0 0 4px; font-size: 17px; }
.sp-incident-meta { margin: 0 0 8px; color: var(--muted); font-size: 14px; }
.sp-tag { display: inline-block; border: 1px solid #3d5165; border-radius: 3px; padding: 0 6px; color: var(--text); font-size: 13px; }
.sp-updates { list-style: none; margin: 0; padding: 0; }
.sp-update { padding: 6px 0; border-top: 1px solid var(--line); }
.sp-when { display: block; color: var(--muted); font-size: 13px; }
.sp-day { border-bottom: 1px solid var(--line); padding: 6px 0; }
.sp-day-head { font-size: 15px; margin: 6px 0; color: var(--text); }
.sp-day .sp-incident { margin: 6px 0; }
.sp-day p { margin: 4px 0; }
.sp-foot { margin-top: 24px; font-size: 13px; }
.sp-foot .sp-status { margin-right: 8px; font-weight: 400; }
@media (min-width: 1800px) { .sp { max-width: 1400px; } .sp-bars { height: 40px; } }
@media (max-width: 600px) {
  main { padding: 10px; }
  .sp-head h1 { font-size: 22px; }
  .sp-banner { font-size: 17px; padding: 12px 14px; }
  .sp-comp, .sp-group { padding: 10px 12px; }
  .sp-group .sp-comp { padding-left: 10px; }
  .sp-bars { height: 28px; }
}
/* ── Planner (src/http/pages/planner/) ─────────────────────────────────────────── */
.planner .sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.pl-head { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; margin-bottom: 8px; }
.pl-nav { display: flex; gap: 14px; }
.pl-nav a[aria-current="page"] { color: var(--text); font-weight: 700; text-decoration-thickness: 3px; }
.pl-crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; color: var(--muted); font-size: 0.9em; }
.pl-crumbs li + li::before { content: "›"; margin-right: 4px; }
.pl-exercise-note { border: 1px dashed var(--drill); color: #e2c7ff; background: #1e1530; border-radius: 6px; padding: 6px 10px; margin: 0 0 12px; }
.pl-exercise-note .drill-tag { margin-right: 6px; }
.pl-whatif-note { border-left: 4px solid var(--maintenance); padding: 4px 10px; background: #151f2e; }
.pl-kind { font-size: 0.55em; vertical-align: middle; border: 1px solid var(--line); border-radius: 3px; padding: 1px 6px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.pl-cols { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); margin-bottom: 8px; }
@media (min-width: 1100px) { .pl-cols { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
.pl-cols .panel h2 { margin-top: 0; }
.pl-score-value { font-size: 2.4em; margin: 0; line-height: 1.1; }
.pl-score-value strong { font-size: 1.3em; }
.pl-formula { font-size: 0.9em; color: #c7d2dc; }
.pl-inline-form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; }
.pl-inline-form input[type="number"] { width: 6em; }
.pl-scroll { overflow-x: auto; }
.pl-table { font-size: 0.925em; }
.pl-table caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--muted); }
.pl-table th[scope="row"] { color: var(--text); font-weight: 600; }
.pl-compact th, .pl-compact td { padding: 3px 6px; }
.pl-small { font-size: 0.85em; }
.pl-plain { list-style: none; margin: 0; padding: 0; }
.pl-flag { color: #f3d28a; font-weight: 700; }
.pl-overdue { margin: 0; padding-left: 1.1em; }
.pl-overdue li { margin: 2px 0; }
.pl-summary { list-style: none; display: flex; flex-wrap: wrap; gap: 8px; padding: 0; margin: 8px 0 4px; }
.pl-summary li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
.pl-summary strong { font-size: 1.3em; margin-right: 4px; }
.pl-summary .pl-summary-bad { border-color: var(--down); background: #3a1518; }
.pl-row-breach { background: #2d1416; }
.pl-rto { font-weight: 700; white-space: nowrap; }
.pl-rto-met { color: var(--up); } .pl-rto-met::before { content: "✔ "; }
.pl-rto-breach { color: #ffb4b6; } .pl-rto-breach::before { content: "✖ "; }
.pl-v, .pl-run { font-weight: 700; white-space: nowrap; }
.pl-v-pass { color: var(--up); } .pl-v-pass::before { content: "✔ "; }
.pl-v-fail { color: #ff8a8e; } .pl-v-fail::before { content: "✖ "; }
.pl-v-aborted, .pl-v-aborted_by_guardrail { color: var(--degraded); } .pl-v-aborted::before, .pl-v-aborted_by_guardrail::before { content: "■ "; }
.pl-v-none { color: var(--muted); font-weight: 400; }
.pl-run-running { color: #e2c7ff; } .pl-run-running::before { content: "▶ "; }
.pl-run-completed { color: var(--text); font-weight: 400; }
.pl-run-failed, .pl-run-interrupted { color: #ff8a8e; } .pl-run-aborted { color: var(--degraded); }
.pl-badge { white-space: nowrap; }
.pl-badge.s-none { color: var(--muted); }
.pl-notice { border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.pl-notice-error { border: 1px solid var(--down); background: #3a1518; color: #ffd3d5; }
.pl-notice-info { border: 1px solid var(--maintenance); background: #151f2e; }
.pl-actions { margin-bottom: 12px; }
.pl-actions h2 { margin-top: 0; }
button.pl-primary { background: #5b2f8a; border-color: var(--drill); font-weight: 700; }
button.pl-primary:hover { background: #6c3aa3; }
.pl-dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
.pl-dl dt { color: var(--muted); } .pl-dl dd { margin: 0; }
.pl-steps { padding-left: 1.6em; }
.pl-steps li { margin: 3px 0; }
.pl-steps time { color: var(--muted); font-variant-numeric: tabular-nums; }
.pl-findings li { margin: 4px 0; }
.pl-form { display: grid; gap: 8px; max-width: 640px; margin-top: 12px; }
.pl-form h3 { margin: 0; }
.pl-field { display: grid; gap: 3px; }
.pl-field .error { font-size: 0.9em; }
.pl-map-wrap { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); align-items: start; }
@media (min-width: 1300px) { .pl-map-wrap { grid-template-columns: minmax(0, 3fr) minmax(260px, 1fr); } }
.pl-map { position: relative; }
.pl-map-svg { width: 100%; height: auto; display: block; border-radius: 6px; }
.pl-map-inset { position: absolute; right: 8px; bottom: 8px; width: 200px; height: 100px; opacity: 0.92; }
.pl-legend { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; }
.pl-map-wrap .pl-legend { flex-direction: column; align-items: flex-start; }
.pl-legend li { display: inline-flex; gap: 6px; align-items: center; }
.pl-swatch { flex: none; vertical-align: middle; }
.pl-trend { border-top: 1px solid var(--line); margin-top: 16px; }
.pl-stats { color: #c7d2dc; margin: 4px 0 8px; }
.pl-trend-body { display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr); align-items: start; }
@media (min-width: 1400px) { .pl-trend-body { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); } }
.pl-chart { width: 100%; height: auto; display: block; }
.pl-trend-table { max-height: 340px; overflow-y: auto; }
.pl-tag-gap { margin-left: 6px; }
.pl-empty { font-size: 1.1em; color: var(--muted); }
.planner .s-down, .planner .s-lost { color: #ff7b80; }
.pl-groups li { white-space: nowrap; }
.pl-trend-table td { white-space: nowrap; }
.spof { margin: 2px 0 4px; font-size: 0.85em; } .spof-named { color: #f3d28a; } .spof-below { color: #ffb4b6; font-weight: 600; }
.tile .members { font-size: 0.78em; margin: 4px 0 0; } .tile .members summary { cursor: pointer; color: var(--muted); }
.tile .members ul { list-style: none; margin: 0 0 4px; padding: 0 0 0 10px; }
.tile .members .m-down, .tile .members .m-maintenance { color: #ffb4b6; font-weight: 600; }
.pl-legend li.pl-legend-scale { flex-direction: column; align-items: flex-start; }
.pl-intensity-scale { display: flex; flex-wrap: wrap; gap: 4px 10px; }
.pl-intensity-scale li { gap: 4px; }
.pl-shakemap { border-left: 3px solid #ffd166; padding: 2px 0 2px 10px; margin: 8px 0; }
/* TLP 2.0 colours on black, as FIRST prints them (https://www.first.org/tlp/). */
.marking { background: #000; color: #fff; border-radius: 3px; padding: 0 5px; font-size: 12px; font-weight: 700; white-space: nowrap; }
.marking[data-tlp="RED"] { color: #ff2b2b; } .marking[data-tlp="AMBER"], .marking[data-tlp="AMBER+STRICT"] { color: #ffc000; } .marking[data-tlp="GREEN"] { color: #33ff00; }
.allied-tile .tile-owner { font-size: 0.8em; } .stale-mark { color: #f3d28a; font-weight: 600; }
`;
