import { formatNumber } from "../../src/graph/format";
import { ancestry, DEFAULT_MAX_UNITS, groupExtremes, groupTitle, isWithin, opensInto } from "../../src/graph/groupTree";
import { nodeName } from "../../src/graph/nodeName";
import { initialExpansion } from "../../src/graph/visibleUnits";
import { BackwardAnimation } from "../graph/backwardAnimation";
import { groupId, valueId } from "../graph/graphElements";
import { GraphView } from "../graph/graphView";
import { buildVisibleGraph, type ViewMode } from "../graph/visibleGraph";
import type { GraphModel } from "../model/graphModel";
import type { Announcer } from "./announcer";
import { byId } from "./dom";
import { planExpansion, type ExpansionPlan } from "./expansionPlan";
import { neighbourUnit, type Direction } from "./keyboardNav";
import { renderLegend } from "./legend";
import { groupDetails, nodeDetails } from "./nodeDetails";
import { NodeTable } from "./nodeTable";
import { groupsScope, ScopeBar } from "./scopeBar";
import { SearchBox } from "./search";
import type { ThemeColours } from "./theme";
import { placeTooltip } from "./tooltip";
import type { SavedViewState } from "./viewState";

/**
 * The graph side of the panel: which model is shown, how it is opened
 * (groups or a focus view), what is selected, and everything drawn from that —
 * graph, table, scope bar, details, tooltip. Group opening is hierarchical
 * (src/graph/groupTree.ts): every group opens into at most a few dozen
 * things, so any node can be reached by clicking (or Enter) from the top.
 */

const DEFAULT_FOCUS_HOPS = 2;

export type Selection = { kind: "node"; node: number } | { kind: "group"; key: string } | null;

export interface ExplorerHost {
  revealNode(node: number, focusEditor: boolean): void;
  announcer: Announcer;
  log(text: string): void;
  saveState(state: SavedViewState | null): void;
  logScale(): boolean;
  tableShown(): boolean;
}

export class Explorer {
  private model: GraphModel | null = null;
  private mode: ViewMode = { kind: "groups", expanded: new Set() };
  private threshold = 2000;
  private sel: Selection = null;
  /** Groups the user opened, oldest first: the first to close when room is needed. */
  private opened: string[] = [];
  readonly graph: GraphView;
  private readonly table: NodeTable;
  readonly search: SearchBox;
  private readonly scope: ScopeBar;
  private readonly animation: BackwardAnimation;
  private readonly details = byId("details");
  private readonly tooltip = byId("tooltip");
  private readonly legend = byId("legend");

  constructor(theme: ThemeColours, private readonly host: ExplorerHost) {
    const graphEl = byId("graph");
    this.graph = new GraphView(graphEl, theme, {
      hover: (node, unit, at) => this.hover(node, unit, at),
      // A click keeps keyboard focus in the panel (its shortcuts must not type into the model); Enter moves it.
      tapNode: (node) => { this.select({ kind: "node", node }); graphEl.focus({ preventScroll: true }); this.host.revealNode(node, false); },
      tapGroup: (_unit, key) => { graphEl.focus({ preventScroll: true }); this.expand(key); },
      tapBackground: () => this.select(null),
    });
    this.animation = new BackwardAnimation(this.graph.cy);
    this.table = new NodeTable({
      pickNode: (node) => this.goTo(node),
      openGroup: (key) => this.expand(key, true),
      collapseAround: (target) => this.collapseAround(target, true),
    });
    this.search = new SearchBox(() => this.model, (node) => this.goTo(node));
    this.scope = new ScopeBar(byId("scopebar"), {
      collapse: (key) => this.collapse(key),
      resetGrouping: () => { if (this.model) { this.opened = []; this.setMode({ kind: "groups", expanded: initialExpansion(this.model.tree, this.threshold) }); } },
      fewerHops: () => this.focus(-1), moreHops: () => this.focus(1), exitFocus: () => this.exitFocus(),
    });
  }

  get current(): GraphModel | null { return this.model; }
  get busy(): boolean { return this.graph.pendingWrites > 0 || this.table.pending > 0; }

  /** A model with a new shape: lay it out; a saved view state for the same shape restores what was open, the selection and the viewport. */
  setModel(model: GraphModel, saved: SavedViewState | null): void {
    const first = this.model === null;
    this.model = model;
    this.animation.stop();
    this.opened = [];
    this.mode = { kind: "groups", expanded: saved ? new Set(saved.expanded) : initialExpansion(model.tree, this.threshold) };
    const selected = saved?.selected ?? null;
    this.sel = selected !== null && selected < model.topology.op.length ? { kind: "node", node: selected } : null;
    byId("empty-state").hidden = true;
    this.render(first);
    if (saved?.userViewport) this.graph.restoreViewport(saved.zoom, saved.pan);
    this.applySelection();
  }

  /** Same shape, new numbers: never a relayout. */
  updateValues(next: GraphModel): void {
    this.model = next;
    this.graph.updateValues(next);
    this.table.updateValues(next);
    renderLegend(this.legend, this.graph.scale);
    this.refreshDetails();
  }

  /** Forget the model entirely (a new run starts). */
  clear(): void {
    this.model = null;
    this.sel = null;
    this.opened = [];
    this.mode = { kind: "groups", expanded: new Set() };
    this.animation.stop();
    this.graph.clear();
    this.table.clear();
    this.scope.render({ kind: "none" });
    this.details.hidden = true;
    this.tooltip.hidden = true;
  }

  setTheme(theme: ThemeColours): void {
    this.graph.setTheme(theme);
    renderLegend(this.legend, this.graph.scale);
  }

  /** A new threshold regroups the current graph, unless the user already chose what to open. */
  setThreshold(threshold: number): void {
    const m = this.model;
    const untouched = m && this.mode.kind === "groups" && sameSet(this.mode.expanded, initialExpansion(m.tree, this.threshold));
    this.threshold = threshold;
    if (m && untouched) this.setMode({ kind: "groups", expanded: initialExpansion(m.tree, threshold) });
  }

  /** Rebuild the visible graph for the current mode: the only place a layout happens. */
  private render(fit: boolean): void {
    const m = this.model;
    if (!m) return;
    const vg = buildVisibleGraph(m, this.mode);
    // The element under the pointer may be gone: its card goes too.
    this.tooltip.hidden = true;
    this.graph.show(m, vg, fit);
    const modeText = this.mode.kind === "focus" ? `focus on ${nodeName(m.topology, this.mode.center)}` : vg.units.length < m.topology.op.length ? "grouped" : "all";
    const groupGrad = this.graph.source?.groupGrad ?? groupExtremes(m.tree, m.values.grad);
    // A big view's rows are built in slices of their own tasks (NodeTable.show).
    this.table.show(m, vg, modeText, groupGrad);
    renderLegend(this.legend, this.graph.scale);
    this.renderScope();
    this.refreshDetails();
    this.host.saveState(this.savedState());
  }

  private setMode(mode: ViewMode): void {
    this.mode = mode;
    this.render(false);
    this.applySelection();
  }

  /** The view's unit budget: the threshold, with room for one group's contents (DEFAULT_MAX_UNITS) even when the threshold is tiny. */
  private budget(): number {
    return Math.max(Math.round(this.threshold * 1.25), DEFAULT_MAX_UNITS + 50);
  }

  private plan(key: string): ExpansionPlan | null {
    const m = this.model;
    if (!m || this.mode.kind !== "groups") return null;
    return planExpansion(m.tree, this.mode.expanded, this.opened, key, this.budget());
  }

  /** Open a group (click, Enter, → in the table); other open groups close first if the view would grow past its budget. */
  expand(key: string, fromTable = false): void {
    const m = this.model;
    const p = this.plan(key);
    if (!m || !p) return;
    const g = m.tree.index.get(key)!;
    if (p.refused) { this.notice(`${groupTitle(m.tree, g)} would show ${p.count.toLocaleString("en-US")} nodes: use search (/) or the focus view (G).`); return; }
    this.opened = this.opened.filter((k) => p.expanded.has(k) && k !== key).concat(key);
    this.sel = null;
    this.setMode({ kind: "groups", expanded: p.expanded });
    this.frameInside(g);
    const into = opensInto(m.tree, g);
    this.notice(`Opened ${m.tree.name[g]}: ${into.groups ? `${into.groups} groups${into.splitBy ? ` ${into.splitBy}` : ""}${into.nodes ? ` and ${into.nodes} nodes` : ""}` : `${into.nodes} nodes`}` +
      (p.closed.length ? `; closed ${p.closed.map((k) => m.tree.name[m.tree.index.get(k)!]).join(", ")} to make room.` : "."));
    if (fromTable) this.table.focusRow((row) => { const n = Number(row.dataset.node); return n >= 0 ? isWithin(m.tree, m.tree.groupOf[n], g) : row.dataset.group !== undefined && isWithin(m.tree, m.tree.index.get(row.dataset.group) ?? 0, g); });
  }

  /** Show what group g opened into, wherever the layout put it. */
  private frameInside(g: number): void {
    const m = this.model, vg = this.graph.visible;
    if (!m || !vg) return;
    const ids: string[] = [];
    for (const unit of vg.units) {
      if (isWithin(m.tree, unit.kind === "node" ? m.tree.groupOf[unit.node] : unit.group, g)) ids.push(unit.kind === "node" ? valueId(unit.node) : groupId(unit.group));
    }
    this.graph.frame(ids);
  }

  /** Close a group (its box comes back); what was open inside it is remembered for when it opens again. */
  collapse(key: string, fromTable = false): void {
    const m = this.model;
    if (!m || this.mode.kind !== "groups" || !this.mode.expanded.has(key)) return;
    const expanded = new Set(this.mode.expanded);
    expanded.delete(key);
    this.opened = this.opened.filter((k) => k !== key);
    this.sel = { kind: "group", key };
    this.setMode({ kind: "groups", expanded });
    this.notice(`Collapsed ${m.tree.name[m.tree.index.get(key)!]}.`);
    if (fromTable) this.table.focusRow((row) => row.dataset.group === key);
  }

  /** Collapse the innermost open group around a node or a group box (C, ← in the table). */
  collapseAround(target: { node: number } | { group: string }, fromTable = false): void {
    const m = this.model;
    if (!m || this.mode.kind !== "groups") return;
    const start = "node" in target ? m.tree.groupOf[target.node] : m.tree.parent[m.tree.index.get(target.group) ?? 0];
    const open = ancestry(m.tree, start).filter((a) => (this.mode as { expanded: ReadonlySet<string> }).expanded.has(m.tree.key[a]));
    if (open.length === 0) { this.notice("Nothing to collapse: this is the top level."); return; }
    this.collapse(m.tree.key[open[open.length - 1]], fromTable);
  }

  collapseSelected(): void {
    const s = this.sel;
    if (!s) { this.notice("Select a node or group first (click it, or use the arrow keys)."); return; }
    this.collapseAround(s.kind === "node" ? { node: s.node } : { group: s.key });
  }

  /** Focus view (G, + / −) around the selected node. */
  focus(hopsDelta: number): void {
    const center = this.mode.kind === "focus" ? this.mode.center : this.sel?.kind === "node" ? this.sel.node : null;
    if (center === null) { this.notice("Select a node first (click it, or search with /)."); return; }
    const hops = Math.max(1, Math.min(12, (this.mode.kind === "focus" ? this.mode.hops : DEFAULT_FOCUS_HOPS) + hopsDelta));
    this.sel = { kind: "node", node: center };
    this.mode = { kind: "focus", center, hops, maxNodes: this.budget() };
    this.render(true);
    this.applySelection();
  }

  exitFocus(): void {
    const m = this.model;
    if (!m) return;
    this.mode = { kind: "groups", expanded: initialExpansion(m.tree, this.threshold) };
    this.opened = [];
    this.render(true);
    this.applySelection();
  }

  /** Esc: clear the selection, and leave a focus view. */
  escape(): void {
    this.select(null);
    if (this.mode.kind === "focus") this.exitFocus();
  }

  /** Show a node wherever it is: select it if visible, else open a focus view around it. */
  goTo(node: number): void {
    if (!this.graph.isVisible(node)) {
      this.mode = { kind: "focus", center: node, hops: DEFAULT_FOCUS_HOPS, maxNodes: this.budget() };
      this.render(true);
    }
    this.select({ kind: "node", node });
    byId("graph").focus();
  }

  /** Enter: a node reveals its source line and hands focus to the editor; a group opens. */
  activate(): void {
    const s = this.sel;
    if (s?.kind === "node") this.host.revealNode(s.node, true);
    else if (s?.kind === "group") this.expand(s.key);
  }

  /** Arrow keys: move between drawn units in the drawing's directions. */
  move(dir: Direction): void {
    const m = this.model, vg = this.graph.visible, d = this.graph.drawing;
    if (!m || !vg || !d || vg.units.length === 0) return;
    const from = this.selectedUnit();
    const to = from === null ? 0 : neighbourUnit(m, vg, d, from, dir);
    if (to === null) return;
    const unit = vg.units[to];
    this.select(unit.kind === "node" ? { kind: "node", node: unit.node } : { kind: "group", key: m.tree.key[unit.group] });
    const s = this.sel;
    if (s) this.host.announcer.say(this.describeSelection(s));
  }

  select(s: Selection): void {
    this.sel = s;
    this.applySelection();
    this.host.saveState(this.savedState());
  }

  animate(): void {
    const vg = this.graph.visible;
    if (vg) this.animation.play(vg);
  }

  private applySelection(): void {
    const s = this.sel, m = this.model;
    if (!s || !m) this.graph.cy.nodes(":selected").unselect();
    else this.graph.selectElement(s.kind === "node" ? valueId(s.node) : groupId(m.tree.index.get(s.key) ?? -1));
    this.graph.highlightPathsToLoss(s?.kind === "node" ? s.node : null);
    this.refreshDetails();
    this.renderScope();
  }

  private selectedUnit(): number | null {
    const s = this.sel, m = this.model, vg = this.graph.visible;
    if (!s || !m || !vg) return null;
    if (s.kind === "node") return vg.unitOf[s.node] >= 0 ? vg.unitOf[s.node] : null;
    const g = m.tree.index.get(s.key);
    const u = vg.units.findIndex((unit) => unit.kind === "group" && unit.group === g);
    return u >= 0 ? u : null;
  }

  private describeSelection(s: NonNullable<Selection>): string {
    const m = this.model!;
    if (s.kind === "node") return `${nodeName(m.topology, s.node)}: data ${formatNumber(m.values.data[s.node])}, grad ${formatNumber(m.values.grad[s.node])}`;
    const g = m.tree.index.get(s.key)!;
    return `group ${groupTitle(m.tree, g)}, ${m.tree.count[g]} nodes. Enter opens it.`;
  }

  private hover(node: number | null, unit: number | null, at: { x1: number; y1: number; x2: number; y2: number } | null): void {
    const m = this.model, vg = this.graph.visible, src = this.graph.source;
    if (!m || !vg || !src || at === null || (node === null && unit === null)) {
      this.tooltip.hidden = true;
      this.graph.highlightPathsToLoss(this.sel?.kind === "node" ? this.sel.node : null);
      return;
    }
    const u = unit !== null ? vg.units[unit] : undefined;
    if (u && u.kind === "group") {
      this.tooltip.replaceChildren(groupDetails(m, u.group, Math.abs(src.groupGrad[u.group]), this.clickDoes(m.tree.key[u.group])));
    } else if (node !== null) {
      this.tooltip.replaceChildren(nodeDetails(m, node));
      this.graph.highlightPathsToLoss(node);
    }
    placeTooltip(this.tooltip, byId("graph-area"), at);
  }

  /** Exactly what a click on a collapsed group will do: the card never promises more. */
  private clickDoes(key: string): string {
    const m = this.model!, p = this.plan(key);
    if (!p) return "";
    if (p.refused) return `Too big to open here (${p.count.toLocaleString("en-US")} nodes): use search (/) or the focus view (G).`;
    const into = opensInto(m.tree, m.tree.index.get(key)!);
    const what = into.groups > 0 ? `${into.groups} groups${into.splitBy ? ` (${into.splitBy})` : ""}${into.nodes ? ` and ${into.nodes} nodes` : ""}` : `its ${into.nodes} nodes`;
    return `Click to open it into ${what}.` + (p.closed.length ? ` ${p.closed.length} other open group${p.closed.length > 1 ? "s" : ""} will close to make room.` : "");
  }

  private refreshDetails(): void {
    const m = this.model, s = this.sel, src = this.graph.source;
    if (!m || !s) { this.details.hidden = true; return; }
    if (s.kind === "node") {
      if (s.node >= m.topology.op.length) { this.details.hidden = true; return; }
      this.details.replaceChildren(nodeDetails(m, s.node));
    } else {
      const g = m.tree.index.get(s.key);
      if (g === undefined || !src) { this.details.hidden = true; return; }
      this.details.replaceChildren(groupDetails(m, g, Math.abs(src.groupGrad[g]), this.clickDoes(s.key).replace(/^Click/, "Click or press Enter")));
    }
    this.details.hidden = false;
  }

  private renderScope(): void {
    const m = this.model, vg = this.graph.visible;
    if (!m || !vg) { this.scope.render({ kind: "none" }); return; }
    if (this.mode.kind === "focus") {
      this.scope.render({ kind: "focus", centerName: nodeName(m.topology, this.mode.center), hops: this.mode.hops, limitedTo: vg.truncated ? this.mode.maxNodes : null });
      return;
    }
    const s = this.sel;
    // The open groups around the selection, else around the group opened last.
    const at = s?.kind === "node" ? m.tree.groupOf[s.node] : s?.kind === "group" ? m.tree.parent[m.tree.index.get(s.key) ?? 0] : m.tree.index.get(this.opened[this.opened.length - 1] ?? "") ?? 0;
    this.scope.render(groupsScope(m.tree, vg, this.mode.expanded, at, !sameSet(this.mode.expanded, initialExpansion(m.tree, this.threshold))));
  }

  /** A short note in the scope bar, spoken too. */
  notice(text: string): void {
    this.scope.say(text);
    this.host.announcer.say(text);
    this.host.log(text);
  }

  savedState(): SavedViewState | null {
    const m = this.model;
    if (!m) return null;
    return {
      hash: m.topology.hash, zoom: this.graph.cy.zoom(), pan: this.graph.cy.pan(), selected: this.sel?.kind === "node" ? this.sel.node : null,
      // A focus view is not restored; a reload comes back to the grouping it started from.
      expanded: [...(this.mode.kind === "groups" ? this.mode.expanded : initialExpansion(m.tree, this.threshold))],
      logScale: this.host.logScale(), tableShown: this.host.tableShown(), userViewport: !this.graph.autoFit,
    };
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
