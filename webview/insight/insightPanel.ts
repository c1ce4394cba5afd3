import type cytoscape from "cytoscape";
import { formatNumber as fmt } from "../../src/graph/format";
import { nodeName } from "../../src/graph/nodeName";
import type { SourceLocation } from "../../src/protocol/graph";
import type { InsightRequest, InsightResponse } from "../../src/protocol/insight";
import { HOST_IDS, parseInsightHostMessage, type InsightHostMessage, type InsightViewMessage } from "../../src/protocol/insightPanel";
import { NodeKind, OP } from "../../src/protocol/ops";
import type { GraphModel } from "../model/graphModel";
import { byId, h } from "../panel/dom";
import { FindingBadges } from "./badges";
import { HealthView } from "./healthView";
import { LayerDashboard } from "./layerDashboard";
import { explanation, gradcheckTable, MovedHalo, whatIfResult } from "./toolsView";

/**
 * The Insight section of the panel (issue 10): a tab list — Health, Gradcheck,
 * What-if, Explain — below the graph. Health lists the run's findings (badges
 * on the graph and table too); the other tabs ask the host about the node
 * selected in the graph, for the step on screen. Messages are `insight/*`
 * (src/protocol/insightPanel.ts), validated on arrival.
 */

export interface InsightHost {
  model(): GraphModel | null;
  cy: cytoscape.Core;
  /** Select the node in the graph (opening a focus view if it is hidden in a group). */
  goTo(node: number): void;
  /** Open a group (a layer) in the graph. */
  openGroup(key: string): void;
  /** Reveal a node's source line in the editor (focus stays in the panel). */
  revealNode(node: number): void;
  post(message: InsightViewMessage): void;
  say(text: string): void;
  log(level: "info" | "warn", text: string): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const TABS = ["health", "gradcheck", "whatif", "explain", "layers"] as const;
type Tab = (typeof TABS)[number];
const TAB_TEXT: Record<Tab, string> = { health: "Health", gradcheck: "Gradcheck", whatif: "What-if", explain: "Explain", layers: "Layers" };

export class InsightPanel {
  private tab: Tab = "health";
  private selected: number | null = null;
  private nextId = 1;
  /** The request each tab waits for; older answers are dropped. */
  private pending = new Map<Tab, number>();
  private readonly health: HealthView;
  private readonly badges: FindingBadges;
  private readonly halo: MovedHalo;
  private readonly layers: LayerDashboard;
  private readonly buttons = new Map<Tab, HTMLButtonElement>();
  private readonly toggle: HTMLButtonElement;
  private expanded = false;
  private readonly panes = new Map<Tab, HTMLElement>();
  private readonly toolbars = new Map<Tab, HTMLElement>();
  private readonly results = new Map<Tab, HTMLElement>();

  constructor(private readonly root: HTMLElement, private readonly host: InsightHost) {
    const tablist = h("div", { class: "insight-tabs", role: "tablist", "aria-label": "Insight" });
    for (const t of TABS) {
      const b = h("button", { role: "tab", id: `insight-tab-${t}`, "aria-controls": `insight-pane-${t}`, "aria-selected": "false", tabindex: "-1" }, TAB_TEXT[t]);
      b.addEventListener("click", () => (this.expanded && this.tab === t ? this.setExpanded(false) : this.show(t, true)));
      b.addEventListener("keydown", (e) => this.onTabKey(e, t));
      this.buttons.set(t, b);
      tablist.append(b);
      const pane = h("div", { role: "tabpanel", id: `insight-pane-${t}`, "aria-labelledby": `insight-tab-${t}`, class: "insight-pane", hidden: "" });
      this.panes.set(t, pane);
    }
    // Collapsed by default (one row): the graph keeps its room until there is something to show.
    this.toggle = h("button", { class: "insight-toggle", "aria-expanded": "false", "aria-controls": TABS.map((t) => `insight-pane-${t}`).join(" "), title: "Show or hide the Insight panes" }, "▸ Insight");
    this.toggle.addEventListener("click", () => this.setExpanded(!this.expanded));
    root.append(h("div", { class: "insight-head" }, this.toggle, tablist), ...this.panes.values());
    this.health = new HealthView(this.panes.get("health")!, {
      reveal: (node, loc) => this.reveal(node, loc),
      setBreakOn: (breakOn) => this.host.post({ type: "insight/breakOn", breakOn }),
    });
    for (const t of ["gradcheck", "whatif", "explain", "layers"] as const) {
      const bar = h("div", { class: "insight-toolbar" });
      const result = h("div", { class: "insight-result", "aria-live": "polite" });
      this.toolbars.set(t, bar);
      this.results.set(t, result);
      this.panes.get(t)!.append(bar, result);
    }
    this.layers = new LayerDashboard(this.results.get("layers")!, (path) => this.host.openGroup(path));
    const refresh = h("button", { class: "insight-action", id: "insight-layers-refresh" }, "Refresh");
    refresh.addEventListener("click", () => this.requestLayers());
    this.toolbars.get("layers")!.append(refresh, h("span", { class: "muted" }, " Per layer: activations, gradients, saturated / dead share, and log10(update / data) over steps (≈ −3 is healthy). Follows each new step while shown."));
    const graphArea = byId("graph-area");
    this.badges = new FindingBadges(host.cy, graphArea, byId<HTMLTableElement>("node-table").tBodies[0], () => host.model());
    this.halo = new MovedHalo(host.cy, graphArea, () => host.model());
    host.cy.on("select unselect", "node", () => this.onSelection());
    this.show("health", false);
    this.setExpanded(false);
    this.renderToolbars();
  }

  /** An `insight/*` message from the host: validated here, dropped (and logged) when bad. */
  receive(raw: unknown): void {
    const v = parseInsightHostMessage(raw);
    if (!v.ok) { this.host.log("warn", `dropped ${v.error}`); return; }
    this.handle(v.message);
  }

  /** A new run: forget findings, answers, colours. */
  reset(): void {
    this.health.clear();
    this.badges.set([]);
    this.pending.clear();
    this.selected = null;
    this.halo.set(null);
    for (const [t, r] of this.results) if (t !== "layers") r.replaceChildren();
    this.layers.clear();
    this.updateHealthTab();
    this.renderToolbars();
  }

  /** A new step (or graph) is on screen: answers about the old one are stale; what-if colours go. */
  onModel(): void {
    this.halo.set(null);
    if (this.expanded && this.tab === "layers" && !this.pending.has("layers")) this.requestLayers();
    this.badges.redraw();
    this.renderToolbars();
  }

  private handle(msg: InsightHostMessage): void {
    switch (msg.type) {
      case "insight/findings": {
        const before = this.health.all.length;
        this.health.set(msg.findings);
        this.badges.set(msg.findings);
        this.updateHealthTab();
        if (msg.findings.length > before) {
          if (!this.expanded) this.show("health", false);
          const f = msg.findings[msg.findings.length - 1];
          this.host.say(`Health: ${msg.findings.length} finding${msg.findings.length > 1 ? "s" : ""}; newest: ${f.label}, ${f.detail}`);
        }
        return;
      }
      case "insight/break":
        this.health.setBreak(msg.hit);
        if (msg.hit) {
          this.show("health", false);
          this.host.say(`Paused at a training breakpoint: ${msg.hit.message}`);
          const m = this.host.model();
          if (m && msg.hit.node >= 0 && msg.hit.node < m.topology.op.length) { this.host.goTo(msg.hit.node); this.goToSoon(msg.hit.node); }
        }
        return;
      case "insight/breakOn": this.health.setBreakOn(msg.breakOn); return;
      case "insight/response": return this.answered(msg.response);
    }
  }

  /** An answer: shown in the tab that asked (older answers for a tab are dropped); the host's own Check Gradients answers with ids from HOST_IDS. */
  private answered(r: InsightResponse): void {
    if (r.id >= HOST_IDS && r.kind === "gradcheck") { this.pending.set("gradcheck", r.id); this.show("gradcheck", false); }
    const tab = [...this.pending].find(([, id]) => id === r.id)?.[0];
    if (!tab) return;
    const out = this.results.get(tab)!;
    const goTo = (n: number) => this.host.goTo(n);
    const m = this.host.model();
    switch (r.kind) {
      case "error":
        out.replaceChildren(h("p", { class: "insight-error", role: "alert" }, r.message));
        if (tab === "whatif") this.halo.set(null);
        if (tab === "layers") this.pending.delete("layers");
        this.host.say(r.message);
        return;
      case "gradcheck":
        out.replaceChildren(gradcheckTable(r, m, goTo));
        this.host.say(`Gradcheck: ${r.rows.filter((x) => x.flagged).length} of ${r.rows.length} flagged.`);
        return;
      case "what-if":
        out.replaceChildren(whatIfResult(r, m, goTo));
        this.halo.set(r.moved);
        this.host.say(`What-if: predicted ΔL ${fmt(r.predicted)}, actual ${fmt(r.actual)}.`);
        return;
      case "explain":
        out.replaceChildren(explanation(r, m, goTo));
        this.host.say(r.zero?.detail ?? `${r.paths.length} paths shown; gradient ${fmt(r.gradient)}.`);
        return;
      case "layer-stats":
        this.pending.delete("layers");
        this.layers.show(r);
        return;
    }
  }

  private requestLayers(): void {
    const m = this.host.model();
    if (!m) return;
    const id = this.nextId++;
    this.pending.set("layers", id);
    this.host.post({ type: "insight/request", request: { kind: "layer-stats", id, step: Math.max(1, m.step), hash: m.topology.hash, bins: 16, historySteps: 50 } });
  }

  /** Asks the host about the step on screen (its number and shape travel with the question). */
  private request(tab: Tab, req: DistributiveOmit<InsightRequest, "id" | "step" | "hash">): void {
    const m = this.host.model();
    if (!m) return;
    const id = this.nextId++;
    this.pending.set(tab, id);
    this.results.get(tab)!.replaceChildren(h("p", { class: "muted" }, "Working…"));
    this.host.post({ type: "insight/request", request: { ...req, id, step: Math.max(1, m.step), hash: m.topology.hash } as InsightRequest });
  }

  /**
   * Select a node even when the graph that holds it is still being drawn (a pause arrives
   * with its step): re-select for a few frames unless the user selected something else.
   */
  private goToSoon(node: number, frames = 60): void {
    const selected = this.host.cy.nodes(":selected");
    if (selected.empty()) this.host.goTo(node);
    else if (!selected.map((e) => e.id()).includes(`n${node}`)) return;
    if (frames > 0) requestAnimationFrame(() => this.goToSoon(node, frames - 1));
  }

  private reveal(node: number, location: SourceLocation | undefined): void {
    const m = this.host.model();
    if (m && node >= 0 && node < m.topology.op.length) {
      this.host.goTo(node);
      this.host.revealNode(node);
    } else if (location) {
      this.host.post({ type: "insight/reveal", file: location.file, line: location.line });
    }
  }

  private updateHealthTab(): void {
    const n = this.health.all.length;
    const b = this.buttons.get("health")!;
    b.textContent = n ? `Health (${n})` : "Health";
    b.dataset.findings = String(n);
  }

  /** Tabs as in ARIA's pattern: one tab stop, ←/→ move and show. */
  private onTabKey(e: KeyboardEvent, t: Tab): void {
    const i = TABS.indexOf(t);
    const next = e.key === "ArrowRight" ? TABS[(i + 1) % TABS.length] : e.key === "ArrowLeft" ? TABS[(i + TABS.length - 1) % TABS.length] : null;
    if (!next) return;
    e.preventDefault();
    e.stopPropagation();
    this.show(next, true);
  }

  /** Open the Insight section on tab t. */
  show(t: Tab, focus: boolean): void {
    this.tab = t;
    this.expanded = true;
    this.layout();
    if (focus) this.buttons.get(t)!.focus();
    if (t === "layers" && !this.pending.has("layers")) this.requestLayers();
    this.root.dataset.tab = t;
  }

  private setExpanded(on: boolean): void {
    this.expanded = on;
    this.layout();
    if (on && this.tab === "layers" && !this.pending.has("layers")) this.requestLayers();
  }

  private layout(): void {
    for (const x of TABS) {
      const b = this.buttons.get(x)!, on = x === this.tab;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      this.panes.get(x)!.hidden = !on || !this.expanded;
    }
    this.toggle.setAttribute("aria-expanded", String(this.expanded));
    this.toggle.textContent = this.expanded ? "▾ Insight" : "▸ Insight";
    this.root.classList.toggle("collapsed", !this.expanded);
  }

  private onSelection(): void {
    const sel = this.host.cy.nodes(":selected").filter((n) => /^n\d+$/.test(n.id()));
    this.selected = sel.length ? Number(sel[0].id().slice(1)) : null;
    this.renderToolbars();
  }

  /** Each tool's controls for the current selection (or what to select). */
  private renderToolbars(): void {
    const m = this.host.model(), s = this.selected;
    const valid = m !== null && s !== null && s < m.topology.op.length;
    const name = valid ? nodeName(m!.topology, s!) : "";
    const isLeaf = valid && m!.topology.op[s!] === OP.leaf;

    const gc = this.toolbars.get("gradcheck")!;
    const checkOne = h("button", { class: "insight-action", "aria-disabled": String(!isLeaf), title: isLeaf ? `Check ∂loss/∂${name} by central differences` : "Select an input or parameter in the graph" }, isLeaf ? `Check ${name}` : "Check selected");
    checkOne.addEventListener("click", () => { if (isLeaf) this.request("gradcheck", { kind: "gradcheck", node: s! }); });
    const hasParams = m !== null && Array.prototype.some.call(m.topology.kind, (k: number) => k === NodeKind.param);
    const checkAll = h("button", { class: "insight-action", id: "insight-check-all", "aria-disabled": String(m === null) }, hasParams || m === null ? "Check all parameters" : "Check all inputs");
    checkAll.addEventListener("click", () => this.request("gradcheck", { kind: "gradcheck" }));
    gc.replaceChildren(checkAll, checkOne);

    const wi = this.toolbars.get("whatif")!;
    if (!isLeaf) wi.replaceChildren(h("p", { class: "muted" }, "Select an input or parameter in the graph, then set its value: the recorded graph replays and the loss answers."));
    else {
      const input = h("input", { type: "number", step: "any", id: "insight-whatif-value", "aria-label": `New value of ${name}`, value: String(m!.values.data[s!]) });
      const apply = h("button", { class: "insight-action" }, "Replay");
      const reset = h("button", { class: "insight-action", title: "Back to the recorded step" }, "Reset");
      const run = () => { const v = Number(input.value); if (input.value.trim() !== "" && !Number.isNaN(v)) this.request("whatif", { kind: "what-if", node: s!, value: v }); };
      apply.addEventListener("click", run);
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") run(); e.stopPropagation(); });
      reset.addEventListener("click", () => { this.pending.delete("whatif"); this.halo.set(null); this.results.get("whatif")!.replaceChildren(); input.value = String(m!.values.data[s!]); });
      wi.replaceChildren(h("label", { for: "insight-whatif-value" }, `${name} = `), input, apply, reset, h("span", { class: "muted" }, ` recorded ${fmt(m!.values.data[s!])}, grad ${fmt(m!.values.grad[s!])}`));
    }

    const ex = this.toolbars.get("explain")!;
    if (!valid) ex.replaceChildren(h("p", { class: "muted" }, "Select a node in the graph to see the paths its gradient comes from."));
    else {
      const go = h("button", { class: "insight-action", id: "insight-explain" }, `Explain ∂loss/∂${name}`);
      go.addEventListener("click", () => this.request("explain", { kind: "explain", node: s!, k: 8 }));
      ex.replaceChildren(go);
    }
  }
}
