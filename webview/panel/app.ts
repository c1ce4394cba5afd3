import { parseHostMessage, type HostMessage } from "../../src/protocol/panel";
import { LossChart } from "../chart/lossChart";
import { produceExport, type ExportFormat } from "../exports/exports";
import { BackwardAnimation } from "../graph/backwardAnimation";
import { groupGradients } from "../graph/graphElements";
import { GraphView } from "../graph/graphView";
import { buildVisibleGraph, groupingOf, initialExpansion, pathPrefixes, visibleCount, type ViewMode } from "../graph/visibleGraph";
import { buildGraphModel, nodeName, type GraphModel } from "../model/graphModel";
import { wireControls } from "./controls";
import { renderBanner, type BannerActions, type BannerState } from "./banner";
import { byId } from "./dom";
import { neighbour } from "./keyboardNav";
import { renderLegend } from "./legend";
import { groupDetails, nodeDetails } from "./nodeDetails";
import { NodeTable } from "./nodeTable";
import { SearchBox } from "./search";
import { StatusBar } from "./statusBar";
import { placeTooltip } from "./tooltip";
import { readTheme, watchTheme } from "./theme";
import { readSavedState, type SavedViewState } from "./viewState";
import type { HostChannel } from "./vscodeApi";

/** Past threshold × this, expanding a group is refused (search or focus instead): cytoscape needs ~1 s per 1,000 records here. */
const HARD_CAP_FACTOR = 1.25;
const DEFAULT_FOCUS_HOPS = 2;

/** The panel: receives host messages, owns the view state, and wires the parts together. */
export class App {
  private model: GraphModel | null = null;
  private mode: ViewMode = { kind: "groups", expanded: new Set() };
  private threshold = 2000;
  private selected: number | null = null;
  private tableShown = false;
  private theme = readTheme();
  private saved: SavedViewState | null;
  private readonly graph: GraphView;
  private readonly chart: LossChart;
  private readonly table: NodeTable;
  private readonly status = new StatusBar();
  private readonly search: SearchBox;
  private readonly animation: BackwardAnimation;
  private readonly details = byId("details");
  private readonly tooltip = byId("tooltip");
  private readonly banner = byId("banner");
  private readonly legend = byId("legend");

  constructor(private readonly host: HostChannel) {
    this.saved = readSavedState(host.getState());
    document.body.dataset.theme = this.theme.kind;
    this.graph = new GraphView(byId("graph"), this.theme, {
      hover: (node, unit, at) => this.hover(node, unit, at),
      tapNode: (node) => { this.select(node); this.host.post({ type: "node/reveal", node }); },
      tapGroup: (_unit, path) => this.expand(path),
      tapBackground: () => this.select(null),
    });
    this.animation = new BackwardAnimation(this.graph.cy);
    this.chart = new LossChart(byId("loss-chart"), byId("loss-readout"), this.theme, (step) => this.host.post({ type: "history/show", step }));
    this.table = new NodeTable((node) => this.goTo(node));
    this.search = new SearchBox(() => this.model, (node) => this.goTo(node));
    if (this.saved) { this.chart.setLogScale(this.saved.logScale); this.setTableShown(this.saved.tableShown); }
    byId<HTMLInputElement>("loss-log").checked = this.chart.isLogScale;
    wireControls((m) => this.host.post(m), {
      isRunning: () => this.status.state === "running",
      fit: () => this.graph.fit(),
      animate: () => { const vg = this.graph.visible; if (vg) this.animation.play(vg); },
      toggleTable: () => this.setTableShown(!this.tableShown),
      toggleLogScale: () => { this.chart.setLogScale(!this.chart.isLogScale); byId<HTMLInputElement>("loss-log").checked = this.chart.isLogScale; this.saveState(); },
      search: () => this.search.focus(),
      export: (f) => this.export(f),
      move: (d) => this.move(d),
      reveal: () => { if (this.selected !== null) this.host.post({ type: "node/reveal", node: this.selected }); },
      focusSelected: (delta) => this.focus(delta),
      collapseSelectedGroup: () => this.collapseSelectedGroup(),
      escape: () => { this.select(null); if (this.mode.kind === "focus") this.exitFocus(); },
    });
    watchTheme(document.body, (t) => {
      this.theme = t;
      document.body.dataset.theme = t.kind;
      this.graph.setTheme(t);
      this.chart.setTheme(t);
      renderLegend(this.legend, this.graph.scale);
    });
    this.graph.cy.on("viewport", () => this.saveStateSoon());
    window.addEventListener("message", (e) => this.receive(e.data));
    this.host.post({ type: "view/ready" });
  }

  /** The cytoscape instance, for tests and the benchmark (read-only use). */
  get cy() { return this.graph.cy; }

  /** True while step values are still being written into the graph (tests wait for it). */
  get busy(): boolean { return this.graph.pendingWrites > 0 || this.table.pending > 0; }

  /** Every message is validated; a bad one is dropped and logged, and the view carries on. */
  receive(raw: unknown): void {
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
      case "session/state": this.status.setState(msg.state, msg.step, msg.file, msg.error); return;
      case "graph/set": {
        if (this.model && this.model.topology.hash === msg.topology.hash && this.model.topology.op.length === msg.topology.op.length) {
          this.updateValues(msg.values, msg.updates, msg.step, msg.loss);
          return;
        }
        this.setGraph(buildGraphModel(msg.topology, msg.values, msg.updates, msg.step, msg.loss));
        return;
      }
      case "step/update": this.updateValues(msg.values, msg.updates, msg.step, msg.loss); return;
      case "loss/set": this.chart.set(msg.from, msg.losses, msg.stride); return;
      case "loss/append": this.chart.append(msg.from, msg.losses); return;
      case "history/available": this.chart.setAvailable(msg.steps); byId("history-hint").textContent = msg.steps.length ? `${msg.steps.length} steps in history (click the curve)` : ""; return;
      case "nodes/highlight": this.graph.flag(msg.nodes); return;
      case "config/set": this.setThreshold(msg.collapseThreshold); return;
      case "export/request": this.export(msg.format); return;
    }
  }

  /** A new threshold regroups the current graph, unless the user already chose what to expand. */
  private setThreshold(threshold: number): void {
    const m = this.model;
    const untouched = m && this.mode.kind === "groups" && sameSet(this.mode.expanded, initialExpansion(m, this.threshold));
    this.threshold = threshold;
    if (m && untouched) this.setMode({ kind: "groups", expanded: initialExpansion(m, threshold) });
  }

  private setGraph(model: GraphModel): void {
    const first = this.model === null;
    this.model = model;
    this.animation.stop();
    const saved = this.saved && this.saved.hash === model.topology.hash ? this.saved : null;
    this.saved = null;
    const expanded = saved ? new Set(saved.expanded) : initialExpansion(model, this.threshold);
    this.mode = { kind: "groups", expanded };
    this.selected = saved?.selected ?? null;
    if (this.selected !== null && this.selected >= model.topology.op.length) this.selected = null;
    byId("empty-state").hidden = true;
    this.status.setStep(model.step);
    this.render(first && !saved);
    if (saved) { this.graph.cy.viewport({ zoom: saved.zoom, pan: saved.pan }); }
    if (this.selected !== null) this.select(this.selected);
  }

  private updateValues(values: GraphModel["values"], updates: GraphModel["updates"], step: number, loss: number): void {
    const m = this.model;
    if (!m) { this.host.log("warn", "step/update before any graph/set: ignored"); return; }
    const n = m.topology.op.length;
    if (values.data.length !== n || values.grad.length !== n) { this.host.log("warn", `step/update with ${values.data.length} values for a ${n}-node graph: ignored`); return; }
    const next: GraphModel = { ...m, values, updates, step, loss };
    this.model = next;
    this.status.setStep(step);
    this.graph.updateValues(next);
    this.table.updateValues(next);
    renderLegend(this.legend, this.graph.scale);
    this.refreshDetails();
  }

  /** Rebuild the visible graph for the current mode: the only place a layout happens. */
  private render(fit: boolean): void {
    const m = this.model;
    if (!m) return;
    const vg = buildVisibleGraph(m, this.mode);
    this.graph.show(m, vg, fit);
    const modeText = this.mode.kind === "focus" ? `focus on ${nodeName(m, this.mode.center)}` : vg.units.length < m.topology.op.length ? "grouped" : "all";
    this.table.show(m, vg, modeText);
    renderLegend(this.legend, this.graph.scale);
    this.renderBanner();
    this.refreshDetails();
    this.saveState();
  }

  private setMode(mode: ViewMode): void {
    this.mode = mode;
    this.render(false);
  }

  private expand(path: string): void {
    const m = this.model;
    if (!m || this.mode.kind !== "groups") return;
    const expanded = new Set(this.mode.expanded);
    expanded.add(path);
    const count = visibleCount(m, expanded);
    if (count > this.nodeBudget()) {
      this.flash(`Expanding ${path} would show ${count.toLocaleString("en-US")} nodes. Use search (/) or the focus view (G) instead.`);
      return;
    }
    this.setMode({ kind: "groups", expanded });
  }

  /** The most nodes one view may materialise. */
  private nodeBudget(): number {
    return Math.round(Math.max(this.threshold, 1000) * HARD_CAP_FACTOR);
  }

  private collapseSelectedGroup(): void {
    const m = this.model;
    if (!m || this.selected === null || this.mode.kind !== "groups") return;
    const { paths, groupOf } = groupingOf(m);
    const g = groupOf[this.selected];
    if (g < 0) return;
    const prefixes = pathPrefixes(paths[g]);
    const expanded = new Set(this.mode.expanded);
    expanded.delete(prefixes[prefixes.length - 1]);
    this.selected = null;
    this.setMode({ kind: "groups", expanded });
  }

  private focus(hopsDelta: number): void {
    const center = this.mode.kind === "focus" ? this.mode.center : this.selected;
    if (center === null) { this.flash("Select a node first (click it, or search with /)."); return; }
    const hops = Math.max(1, Math.min(12, (this.mode.kind === "focus" ? this.mode.hops : DEFAULT_FOCUS_HOPS) + hopsDelta));
    this.setMode({ kind: "focus", center, hops, maxNodes: this.nodeBudget() });
    this.graph.fit();
    this.select(center);
  }

  private exitFocus(): void {
    const m = this.model;
    if (!m) return;
    this.setMode({ kind: "groups", expanded: initialExpansion(m, this.threshold) });
    this.graph.fit();
  }

  /** Show a node wherever it is: select it if visible, else open a focus view around it. */
  private goTo(node: number): void {
    if (!this.graph.isVisible(node)) {
      this.setMode({ kind: "focus", center: node, hops: DEFAULT_FOCUS_HOPS, maxNodes: this.nodeBudget() });
      this.graph.fit();
    }
    this.select(node);
    byId("graph").focus();
  }

  private select(node: number | null): void {
    this.selected = node;
    if (node === null) this.graph.cy.nodes(":selected").unselect();
    else this.graph.select(node);
    this.graph.highlightPathsToLoss(node);
    this.refreshDetails();
    this.saveStateSoon();
  }

  private move(dir: "left" | "right" | "up" | "down"): void {
    const m = this.model;
    if (!m) return;
    if (this.selected === null || !this.graph.isVisible(this.selected)) {
      const first = this.graph.cy.nodes(".value").first();
      if (first.nonempty()) this.select(first.data("node"));
      return;
    }
    const next = neighbour(this.graph.cy, m, this.selected, dir);
    if (next !== null) this.select(next);
  }

  private hover(node: number | null, unit: number | null, at: { x1: number; y1: number; x2: number; y2: number } | null): void {
    const m = this.model, vg = this.graph.visible;
    if (!m || !vg || at === null || (node === null && unit === null)) {
      this.tooltip.hidden = true;
      this.graph.highlightPathsToLoss(this.selected);
      return;
    }
    const u = vg.units[unit ?? -1];
    if (u && u.kind === "group") {
      this.tooltip.replaceChildren(groupDetails(u.path, u.count, Math.abs(groupGradients(m, vg).get(unit!) ?? 0)));
    } else if (node !== null) {
      this.tooltip.replaceChildren(nodeDetails(m, node));
      this.graph.highlightPathsToLoss(node);
    }
    placeTooltip(this.tooltip, byId("main"), at);
  }

  private refreshDetails(): void {
    const m = this.model;
    if (!m || this.selected === null || this.selected >= m.topology.op.length) { this.details.hidden = true; return; }
    this.details.replaceChildren(nodeDetails(m, this.selected));
    this.details.hidden = false;
  }

  private renderBanner(): void {
    const m = this.model, vg = this.graph.visible;
    if (!m || !vg) return;
    const state: BannerState = this.mode.kind === "focus"
      ? { kind: "focus", centerName: nodeName(m, this.mode.center), hops: this.mode.hops, limitedTo: vg.truncated ? this.mode.maxNodes : null }
      : { kind: "groups", nodes: m.topology.op.length, collapsedGroups: vg.units.filter((u) => u.kind === "group").length, regrouped: !sameSet(this.mode.expanded, initialExpansion(m, this.threshold)) };
    renderBanner(this.banner, state, this.bannerActions);
  }

  private readonly bannerActions: BannerActions = {
    fewerHops: () => this.focus(-1),
    moreHops: () => this.focus(1),
    exitFocus: () => this.exitFocus(),
    resetGrouping: () => { if (this.model) this.setMode({ kind: "groups", expanded: initialExpansion(this.model, this.threshold) }); },
  };

  private flash(text: string): void {
    renderBanner(this.banner, { kind: "notice", text }, this.bannerActions);
    this.host.log("info", text);
  }

  private setTableShown(shown: boolean): void {
    this.tableShown = shown;
    this.table.setShown(shown);
    byId("app").classList.toggle("table-shown", shown);
    byId("btn-table").setAttribute("aria-pressed", String(shown));
    this.saveStateSoon();
  }

  private export(format: ExportFormat): void {
    try {
      this.graph.flushValues();
      const { data, suggestedName } = produceExport(format, { cy: this.graph.cy, theme: this.theme, model: this.model, lossCsv: this.chart.csv() });
      this.host.post({ type: "export/save", format, data, suggestedName });
    } catch (err) {
      this.host.log("warn", `export ${format} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private saveTimer = 0;
  private saveStateSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.saveState(), 200);
  }

  private saveState(): void {
    const m = this.model;
    if (!m) return;
    const state: SavedViewState = {
      hash: m.topology.hash, zoom: this.graph.cy.zoom(), pan: this.graph.cy.pan(), selected: this.selected,
      // A focus view is not restored; a reload comes back to the grouping it started from.
      expanded: [...(this.mode.kind === "groups" ? this.mode.expanded : initialExpansion(m, this.threshold))], logScale: this.chart.isLogScale, tableShown: this.tableShown,
    };
    this.host.setState(state);
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
