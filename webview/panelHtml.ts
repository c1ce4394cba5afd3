/**
 * The panel's whole page, as a pure function so the extension host and the
 * browser harness serve exactly the same HTML. Strict CSP: no inline script or
 * style, the bundle runs only with the nonce, nothing remote.
 */

export interface PanelHtmlOptions {
  /** `webview.cspSource`: where scripts, styles and images may come from. */
  cspSource: string;
  /** A fresh random nonce per page load (from `crypto`). */
  nonce: string;
  /** dist/webview.js as a webview URI. */
  scriptUri: string;
  /** media/panel.css as a webview URI (it imports media/uplot.css next to it). */
  styleUri: string;
  /** Optional separate stylesheet carrying cytoscape's container rule; panel.css has it too. */
  cytoscapeStyleUri?: string;
  /** Page title, for screen readers. */
  title?: string;
  /** Graph renderer: cytoscape's canvas, its WebGL mode (falls back to canvas where WebGL2 is missing), or the panel's choice. */
  renderer?: "auto" | "canvas" | "webgl";
}

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** Keyboard shortcuts, shown in the help dialog and read by the controls (one source of truth). */
export const SHORTCUTS: readonly (readonly [keys: string, action: string])[] = [
  ["Space", "Run / Pause"],
  ["S", "Step (run to the next backward())"],
  ["N", "Run N steps"],
  ["X", "Stop"],
  ["Shift+R", "Restart"],
  ["F", "Fit the graph (and re-fit when the panel resizes)"],
  ["/", "Search nodes by label"],
  ["Arrows", "Move between nodes and groups: along the arrows (to an input, to a consumer) or within a layer"],
  ["Enter", "Open the selected group; on a node, reveal its source line in the editor"],
  ["G", "Focus view around the selected node (+/− hops)"],
  ["C", "Collapse the group around the selection"],
  ["A", "Animate the backward pass"],
  ["L", "Loss chart: log scale"],
  ["T", "Show the node table"],
  ["E", "Export…"],
  ["Esc", "Clear selection / close"],
  ["?", "This help"],
];

export function panelHtml(o: PanelHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
  ].join("; ");
  // Cytoscape injects a <style> unless an element with this id exists; a strict CSP would block that injection.
  const cyId = "__________cytoscape_stylesheet";
  const styles = o.cytoscapeStyleUri
    ? `<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">\n  <link id="${cyId}" rel="stylesheet" href="${escapeAttr(o.cytoscapeStyleUri)}">`
    : `<link id="${cyId}" rel="stylesheet" href="${escapeAttr(o.styleUri)}">`;
  const shortcutRows = SHORTCUTS.map(([k, a]) => `<tr><td><kbd>${k}</kbd></td><td>${a}</td></tr>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  ${styles}
  <title>${escapeAttr(o.title ?? "Gradscope")}</title>
</head>
<body data-renderer="${escapeAttr(o.renderer ?? "auto")}">
  <div id="app">
    <header id="toolbar" role="toolbar" aria-label="Run controls">
      <span id="run-state" class="badge" data-state="idle" role="status" aria-live="polite">idle</span>
      <span id="step-counter" aria-live="off">step —</span>
      <span id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></span>
      <span class="sep"></span>
      <button id="btn-run" title="Run / Pause (Space)" aria-label="Run" aria-keyshortcuts="Space"><span class="icon" aria-hidden="true">▶</span><span class="label">Run</span></button>
      <button id="btn-step" title="Step: run to the next backward() (S)" aria-label="Step" aria-keyshortcuts="S"><span class="icon" aria-hidden="true">›</span><span class="label">Step</span></button>
      <span class="run-n"><input id="run-n" type="number" min="1" value="10" aria-label="Steps to run"><button id="btn-run-n" title="Run N steps (N)" aria-label="Run N steps" aria-keyshortcuts="N"><span class="icon" aria-hidden="true">»</span><span class="label">Run N</span></button></span>
      <button id="btn-stop" title="Stop (X)" aria-label="Stop" aria-keyshortcuts="X"><span class="icon" aria-hidden="true">■</span><span class="label">Stop</span></button>
      <button id="btn-restart" title="Restart (Shift+R)" aria-label="Restart" aria-keyshortcuts="Shift+R"><span class="icon" aria-hidden="true">↻</span><span class="label">Restart</span></button>
      <span class="sep"></span>
      <button id="btn-fit" title="Fit the graph (F)" aria-label="Fit" aria-keyshortcuts="F"><span class="icon" aria-hidden="true">⊡</span><span class="label">Fit</span></button>
      <button id="btn-animate" title="Animate the backward pass (A)" aria-label="Animate the backward pass" aria-keyshortcuts="A"><span class="icon" aria-hidden="true">∇</span><span class="label">Animate</span></button>
      <button id="btn-table" title="Show the node table (T)" aria-label="Node table" aria-keyshortcuts="T" aria-pressed="false"><span class="icon" aria-hidden="true">☰</span><span class="label">Table</span></button>
      <select id="export-format" aria-label="Export format" title="Export (E)">
        <option value="" selected>Export…</option>
        <option value="svg">Graph as SVG</option>
        <option value="png">Graph as PNG</option>
        <option value="json">Snapshot as JSON</option>
        <option value="csv-loss">Loss curve as CSV (one row per step)</option>
        <option value="csv-nodes">Nodes as CSV (one row per node)</option>
      </select>
      <span class="grow"></span>
      <span class="search-box">
        <input id="search" type="search" placeholder="Find node… (/)" aria-label="Find node by label" role="combobox" aria-autocomplete="list" aria-haspopup="listbox" aria-expanded="false" aria-controls="search-results" autocomplete="off">
        <ul id="search-results" role="listbox" aria-label="Matching nodes" hidden></ul>
      </span>
      <button id="btn-help" title="Keyboard shortcuts (?)" aria-keyshortcuts="?">?</button>
    </header>
    <div id="error-box" role="alert" hidden></div>
    <main id="main">
      <div id="warnings" role="region" aria-label="Warnings about the model" hidden></div>
      <div id="scopebar" hidden></div>
      <div id="graph-area">
        <div id="graph" tabindex="0" role="application" aria-label="Computation graph. Arrow keys move between nodes and groups; Enter opens a group or reveals a node's source."></div>
        <div id="empty-state">
          <h2 id="empty-title">No run yet</h2>
          <p id="empty-text">Run <b>Gradscope: Visualize Backward Pass</b> on a model file. Each <code>backward()</code> is one step.</p>
        </div>
        <aside id="details" aria-label="Selection details" hidden></aside>
        <div id="tooltip" role="tooltip" hidden></div>
      </div>
      <div id="legend" aria-hidden="true"></div>
    </main>
    <section id="insight-panel" aria-label="Insight: health, gradcheck, what-if, explain"></section>
    <section id="loss-panel" aria-label="Loss curve">
      <div class="loss-head">
        <span>Loss</span><span id="loss-readout"></span>
        <span class="grow"></span>
        <label><input id="loss-log" type="checkbox"> log scale</label>
        <span id="history-hint"></span>
      </div>
      <div id="loss-chart"></div>
    </section>
    <section id="table-panel" class="visually-hidden" aria-label="Nodes of the current graph">
      <table id="node-table">
        <caption id="node-table-caption">Nodes</caption>
        <thead><tr><th scope="col">label</th><th scope="col">op</th><th scope="col">data</th><th scope="col">grad</th><th scope="col">group</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <dialog id="help-dialog" aria-label="Keyboard shortcuts">
      <h2>Keyboard shortcuts</h2>
      <table class="shortcuts">${shortcutRows}</table>
      <p>Click a node to see why it has its gradient and where it was made. Click a collapsed group (▸) to open it; the ▾ buttons above the graph close it again. Red = positive gradient, blue = negative; stronger colour = larger magnitude (log scale).</p>
      <form method="dialog"><button>Close</button></form>
    </dialog>
  </div>
  <script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>`;
}
