import type { CsvContent } from "../../src/graph/csv";
import { formatNumber } from "../../src/graph/format";
import { isInsightMessage } from "../../src/protocol/insightPanel";
import { parseHostMessage, type HostMessage } from "../../src/protocol/panel";
import { LossChart } from "../chart/lossChart";
import { produceExport, type ExportFormat } from "../exports/exports";
import { AGG, AGG_WIDTH } from "../../src/runner/process/viewPayload";
import { InsightPanel } from "../insight/insightPanel";
import { buildGraphModel, consumersOf, type GraphModel } from "../model/graphModel";
import { Announcer } from "./announcer";
import { wireControls } from "./controls";
import { byId } from "./dom";
import { Explorer } from "./explorer";
import { RunControls } from "./runControls";
import { StatusBar } from "./statusBar";
import { readTheme, watchTheme } from "./theme";
import { readSavedState, type SavedViewState } from "./viewState";
import type { HostChannel } from "./vscodeApi";
import { Warnings } from "./warnings";
import { decodeNonFinite } from "../../src/protocol/wire";

/**
 * The panel: receives host messages (validated), and wires the parts —
 * run controls, the graph explorer, the loss chart, warnings, what a screen
 * reader hears. Exactly one model's state is shown: `session/reset` forgets the last.
 */
export class App {
  private theme = readTheme();
  private saved: SavedViewState | null;
  private tableShown = false;
  private readonly explorer: Explorer;
  private readonly chart: LossChart;
  private readonly status = new StatusBar();
  private readonly run: RunControls;
  private readonly announcer = new Announcer(byId("announcer"));
  private readonly warnings = new Warnings(byId("warnings"));
  private readonly insight: InsightPanel;

  constructor(private readonly host: HostChannel) {
    this.saved = readSavedState(host.getState());
    document.body.dataset.theme = this.theme.kind;
    this.run = new RunControls((m) => this.host.post(m), (reason) => this.explorer.notice(reason));
    this.explorer = new Explorer(this.theme, {
      revealNode: (node, focusEditor) => this.host.post(focusEditor ? { type: "node/reveal", node, focusEditor } : { type: "node/reveal", node }),
      announcer: this.announcer,
      log: (text) => this.host.log("info", text),
      saveState: (s) => this.saveState(s),
      logScale: () => this.chart.isLogScale,
      tableShown: () => this.tableShown,
    });
    this.chart = new LossChart(byId("loss-chart"), byId("loss-readout"), this.theme, (step) => this.host.post({ type: "history/show", step }));
    if (this.saved) { this.chart.setLogScale(this.saved.logScale); this.setTableShown(this.saved.tableShown); }
    byId<HTMLInputElement>("loss-log").checked = this.chart.isLogScale;
    const ex = this.explorer;
    wireControls(this.run, {
      fit: () => ex.graph.fit(),
      animate: () => ex.animate(),
      toggleTable: () => this.setTableShown(!this.tableShown),
      toggleLogScale: () => { this.chart.setLogScale(!this.chart.isLogScale); byId<HTMLInputElement>("loss-log").checked = this.chart.isLogScale; this.saveState(ex.savedState()); },
      search: () => ex.search.focus(),
      export: (f, csv) => this.export(f, csv),
      move: (d) => ex.move(d),
      activate: () => ex.activate(),
      focusSelected: (delta) => ex.focus(delta),
      collapseSelected: () => ex.collapseSelected(),
      escape: () => ex.escape(),
    });
    watchTheme(document.body, (t) => {
      this.theme = t;
      document.body.dataset.theme = t.kind;
      ex.setTheme(t);
      this.chart.setTheme(t);
    });
    ex.graph.cy.on("viewport", () => this.saveStateSoon());
    this.insight = new InsightPanel(byId("insight-panel"), {
      model: () => ex.current, cy: ex.graph.cy, goTo: (node) => ex.goTo(node), openGroup: (key) => ex.expand(key), revealNode: (node) => this.host.post({ type: "node/reveal", node }),
      post: (m) => this.host.postInsight(m), say: (t) => this.announcer.say(t), log: (level, t) => this.host.log(level, t),
    });
    window.addEventListener("message", (e) => this.receive(decodeNonFinite(e.data)));
    this.host.post({ type: "view/ready" });
  }

  /** The cytoscape instance, for tests and the benchmark (read-only use). */
  get cy() { return this.explorer.graph.cy; }

  /** True while step values are still being written into the graph (tests wait for it). */
  get busy(): boolean { return this.explorer.busy; }

  /** Every message is validated; a bad one is dropped and logged, and the view carries on. */
  receive(raw: unknown): void {
    if (isInsightMessage(raw)) { this.insight.receive(raw); return; }
    const v = parseHostMessage(raw);
    if (!v.ok) { this.host.log("warn", `dropped ${v.error}`); return; }
    try {
      this.handle(v.message);
    } catch (err) {
      this.host.log("error", `failed to handle ${v.message.type}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }

  private handle(msg: HostMessage): void {
    switch (msg.type) {
      case "session/reset": this.reset(msg.title ?? msg.file); return;
      case "session/state": this.status.setState(msg.state, msg.step, msg.file, msg.error); this.run.setState(msg.state); return;
      case "model/warning": this.warnings.add(msg.message, msg.file, msg.line); return;
      case "graph/set": {
        const m = this.explorer.current;
        if (m && m.topology.hash === msg.topology.hash && m.topology.op.length === msg.topology.op.length) {
          this.updateValues(msg.values, msg.updates, msg.step, msg.loss);
          return;
        }
        this.setGraph(buildGraphModel(msg.topology, msg.values, msg.updates, msg.step, msg.loss));
        return;
      }
      case "step/update": this.updateValues(msg.values, msg.updates, msg.step, msg.loss); return;
      case "view/update": this.applyView(msg); return;
      case "loss/set": this.chart.set(msg.from, msg.losses, msg.stride); return;
      case "loss/append": this.chart.append(msg.from, msg.losses); return;
      case "history/available": this.chart.setAvailable(msg.steps); byId("history-hint").textContent = msg.steps.length ? `${msg.steps.length} steps in history (click the curve)` : ""; return;
      case "nodes/highlight": this.explorer.graph.flag(msg.nodes); return;
      case "config/set": this.explorer.setThreshold(msg.collapseThreshold); return;
      case "export/request": this.export(msg.format, msg.csv ?? "loss"); return;
    }
  }

  /** A run starts: forget the last model — graph, selection, loss curve, history, warnings, error, saved view. */
  private reset(title: string | undefined): void {
    this.explorer.clear();
    this.chart.clear();
    byId("history-hint").textContent = "";
    this.warnings.clear();
    this.insight.reset();
    this.announcer.reset();
    this.status.setStep(null);
    this.status.clearError();
    this.saved = null;
    this.host.setState(undefined);
    byId("empty-state").hidden = false;
    byId("empty-title").textContent = title ? `Starting ${title.split(/[\\/]/).pop()}…` : "Starting…";
    byId("empty-text").textContent = "The graph appears at the first backward() call.";
  }

  private setGraph(model: GraphModel): void {
    const saved = this.saved && this.saved.hash === model.topology.hash ? this.saved : null;
    this.saved = null;
    this.explorer.setModel(model, saved);
    this.insight.onModel();
    this.status.setStep(model.step);
    this.announcer.progress(progressText(model.step, model.loss));
  }

  private updateValues(values: GraphModel["values"], updates: GraphModel["updates"], step: number, loss: number): void {
    const m = this.explorer.current;
    if (!m) { this.host.log("warn", "step/update before any graph/set: ignored"); return; }
    const n = m.topology.op.length;
    if (values.data.length !== n || values.grad.length !== n) { this.host.log("warn", `step/update with ${values.data.length} values for a ${n}-node graph: ignored`); return; }
    this.explorer.updateValues({ ...m, values, updates, step, loss, groupGrad: undefined });
    this.insight.onModel();
    this.status.setStep(step);
    this.announcer.progress(progressText(step, loss));
  }

  /** A step's numbers for what this view shows (the runner computed them): drawn nodes' values, collapsed groups' aggregates; other nodes keep theirs. */
  private applyView(msg: Extract<HostMessage, { type: "view/update" }>): void {
    // The runner sends the next update once this one is drawn (or dropped): a slow panel gets fewer steps, never a backlog.
    this.ackWhenDrawn(msg.step);
    const m = this.explorer.current;
    if (!m || m.topology.hash !== msg.hash || msg.nodes.length !== msg.data.length || msg.nodes.length !== msg.grad.length || msg.agg.length !== msg.groups.length * AGG_WIDTH) return;
    const n = m.topology.op.length, size = m.tree.size;
    const data = m.values.data.slice(), grad = m.values.grad.slice();
    for (let j = 0; j < msg.nodes.length; j++) {
      const i = msg.nodes[j];
      if (i < n) { data[i] = msg.data[j]; grad[i] = msg.grad[j]; }
    }
    // A group is coloured by its gradient of largest magnitude, NaN when it holds a non-finite number (as groupExtremes does).
    const groupGrad = new Float64Array(size);
    for (let j = 0; j < msg.groups.length; j++) {
      const g = msg.groups[j], a = j * AGG_WIDTH;
      if (g < size) groupGrad[g] = msg.agg[a + AGG.nonFinite] > 0 ? NaN : msg.agg[a + AGG.extremeGrad] || 0;
    }
    this.explorer.updateValues({ ...m, values: { data, grad }, updates: msg.updates, step: msg.step, loss: msg.loss, groupGrad });
    this.insight.onModel();
    this.status.setStep(msg.step);
    this.announcer.progress(progressText(msg.step, msg.loss));
  }

  /** Posts view/ack after the frame that shows the update has painted (a task after the animation frame, once values are written). */
  private ackWhenDrawn(step: number): void {
    const drawn = () => (this.explorer.busy ? requestAnimationFrame(drawn) : setTimeout(() => this.host.post({ type: "view/ack", step }), 0));
    requestAnimationFrame(drawn);
  }

  /** Tells the host what this view shows (drawn nodes, open groups, the selection and its neighbours) when that changes. */
  private subscribed = "";
  private subscribe(state: SavedViewState): void {
    const m = this.explorer.current, vg = this.explorer.graph.source?.units;
    if (!m || !vg || m.topology.hash !== state.hash) return;
    const nodes = new Set<number>();
    for (const u of vg.units) if (u.kind === "node") nodes.add(u.node);
    const sel = state.selected;
    if (sel !== null && sel < m.topology.op.length) {
      nodes.add(sel);
      if (m.topology.in0[sel] >= 0) nodes.add(m.topology.in0[sel]);
      if (m.topology.in1[sel] >= 0) nodes.add(m.topology.in1[sel]);
      for (const c of consumersOf(m, sel)) nodes.add(c);
    }
    const list = [...nodes].sort((a, b) => a - b);
    const expanded = [...state.expanded].sort();
    const key = `${state.hash}|${expanded.join("\u0000")}|${list.join(",")}`;
    if (key === this.subscribed) return;
    this.subscribed = key;
    this.host.post({ type: "view/subscribe", hash: state.hash, expanded, nodes: list });
  }

  private setTableShown(shown: boolean): void {
    this.tableShown = shown;
    byId("table-panel").classList.toggle("visually-hidden", !shown);
    byId("app").classList.toggle("table-shown", shown);
    byId("btn-table").setAttribute("aria-pressed", String(shown));
    this.saveStateSoon();
  }

  private export(format: ExportFormat, csv: CsvContent): void {
    // After a view/update this view holds only what it shows: every node's numbers come from the host's snapshot.
    if ((format === "json" || (format === "csv" && csv === "nodes")) && this.explorer.current?.groupGrad) {
      this.host.post({ type: "export/fromHost", format: format === "json" ? "json" : "csv-nodes" });
      return;
    }
    try {
      const g = this.explorer.graph;
      g.flushValues();
      const { data, suggestedName } = produceExport(format, csv, {
        cy: g.cy, theme: this.theme, scale: g.scale, model: this.explorer.current, drawing: format === "svg" ? g.fileDrawing() : null, source: g.source, loss: this.chart.points(),
      });
      this.host.post(format === "csv" ? { type: "export/save", format, data, suggestedName, csv } : { type: "export/save", format, data, suggestedName });
    } catch (err) {
      this.host.log("warn", `export ${format} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private saveState(state: SavedViewState | null): void {
    if (!state) return;
    this.host.setState(state);
    this.subscribe(state);
  }

  private saveTimer = 0;
  private saveStateSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.saveState(this.explorer.savedState()), 200);
  }
}

function progressText(step: number, loss: number): string {
  return `step ${step}, loss ${formatNumber(loss)}`;
}
