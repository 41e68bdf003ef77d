/** The one stylesheet. Status is never colour alone: every status class pairs with a text label or icon. */
export const APP_CSS = `
:root {
  --bg: #0f1419; --panel: #18202a; --text: #e8edf2; --muted: #9aa8b6; --line: #2a3542;
  --up: #2fb36c; --degraded: #e0a526; --down: #e5484d; --unknown: #7d8a97; --maintenance: #5b8def; --drill: #b26cf0;
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
.s-down, .s-lost { color: var(--down); } .s-down::before, .s-lost::before { content: "✖"; }
.s-unknown { color: var(--unknown); } .s-unknown::before { content: "?"; }
.s-maintenance { color: var(--maintenance); } .s-maintenance::before { content: "⚙"; }

/* Drills are unmistakable. */
.drill-banner { background: repeating-linear-gradient(45deg, #3b1f57, #3b1f57 12px, #2c1742 12px, #2c1742 24px); border: 2px solid var(--drill);
  color: #f1e4ff; padding: 10px 14px; border-radius: 6px; font-weight: 700; margin-bottom: 12px; }
.drill-banner::before { content: "DRILL · "; letter-spacing: 0.08em; }
.drill-tag { border: 1px solid var(--drill); color: #e2c7ff; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 700; }

/* Wall screens: bigger type when there is room. */
@media (min-width: 1800px) { body { font-size: 18px; } h1 { font-size: 30px; } }
`;
