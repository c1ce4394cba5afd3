import cytoscape from "cytoscape";
import { chooseView, drawGraph, FOLD_OPS_UNITS, layoutOf, type Drawing, type DrawSource } from "../../src/graph/drawing";
import { groupExtremes } from "../../src/graph/groupTree";
import type { LayoutResult } from "../../src/graph/layeredLayout";
import type { GraphModel } from "../model/graphModel";
import type { ThemeColours } from "../panel/theme";
import { GradientScale } from "./gradientScale";
import { buildElements, groupId, opId, valueId } from "./graphElements";
import { graphStylesheet } from "./graphStyle";
import { FLOW_MAX_UNITS, paintFlows } from "./gradientFlow";
import { ValuePainter } from "./valuePainter";
import { chooseRenderer, rendererOption, type RendererName } from "./renderer";
import { fitArea, fitBounds, frameElements, ViewportTracker } from "./viewportFit";
import type { VisibleGraph } from "./visibleGraph";

/**
 * The one cytoscape instance of the panel. `show` lays out (new topology or
 * new expansion) and draws with the orientation and record detail that fit
 * the panel; `updateValues` only rewrites labels and colours, so positions
 * never move on a step. While the user has not zoomed or panned, a resize
 * re-fits, re-choosing orientation and detail when the panel's shape asks for it.
 */

export interface GraphViewEvents {
  hover(node: number | null, unit: number | null, box: { x1: number; y1: number; x2: number; y2: number } | null): void;
  tapNode(node: number): void;
  tapGroup(unit: number, key: string): void;
  tapBackground(): void;
}

/** Past this many elements, switch to the cheap rendering settings (haystack edges, no arrows). */
const BIG = 1500;
/** A resize redraws (new orientation or detail) only up to this many units; bigger views just re-fit. */
const REDRAW_ON_RESIZE_MAX = 2000;
/** The chooser plans with this much less room on each side than the fit uses, so a "readable" choice never fits under zoom 1. */
const PLAN_SLACK = 4;

export class GraphView {
  readonly cy: cytoscape.Core;
  readonly scale: GradientScale;
  private model: GraphModel | null = null;
  private vg: VisibleGraph | null = null;
  private src: DrawSource | null = null;
  private layout: LayoutResult | null = null;
  private current: Drawing | null = null;
  private big = false;
  private readonly painter: ValuePainter;
  private readonly tracker: ViewportTracker;
  /** The renderer actually in use (WebGL falls back to canvas). */
  readonly renderer: RendererName;

  constructor(private readonly container: HTMLElement, private theme: ThemeColours, events: GraphViewEvents) {
    this.scale = new GradientScale(theme);
    const make = (renderer: RendererName) => cytoscape({
      container,
      style: graphStylesheet(theme, false),
      minZoom: 0.02,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: "single",
      pixelRatio: "auto",
      renderer: rendererOption(renderer),
    } as cytoscape.CytoscapeOptions);
    let renderer = chooseRenderer(document.body.dataset.renderer);
    let cy: cytoscape.Core;
    try {
      cy = make(renderer);
    } catch {
      // A WebGL context can still fail after the probe (lost, blocked): draw with canvas.
      container.replaceChildren();
      renderer = "canvas";
      cy = make(renderer);
    }
    this.cy = cy;
    this.renderer = renderer;
    container.dataset.rendererUsed = renderer;
    this.painter = new ValuePainter(this.cy);
    this.tracker = new ViewportTracker(this.cy, container, () => this.onResize());
    this.cy.on("mouseover", "node", (e) => {
      const d = e.target.data();
      events.hover(typeof d.node === "number" ? d.node : null, typeof d.unit === "number" ? d.unit : null, e.target.renderedBoundingBox({ includeLabels: false }));
    });
    this.cy.on("mouseout", "node", () => events.hover(null, null, null));
    this.cy.on("tap", "node", (e) => {
      const d = e.target.data();
      if (e.target.hasClass("group")) events.tapGroup(d.unit, d.path);
      else if (typeof d.node === "number") events.tapNode(d.node);
    });
    this.cy.on("tap", (e) => { if (e.target === this.cy) events.tapBackground(); });
  }

  get visible(): VisibleGraph | null { return this.vg; }
  get drawing(): Drawing | null { return this.current; }
  get source(): DrawSource | null { return this.src; }
  /** True until the user zooms or pans by hand: resizes and new layouts re-fit. */
  get autoFit(): boolean { return !this.tracker.userOwned; }

  /** Replace every element with a fresh layout. Fits when asked to, or while the viewport is still the panel's own. */
  show(model: GraphModel, vg: VisibleGraph, fit: boolean): void {
    this.model = model;
    this.vg = vg;
    this.layout = layoutOf(vg);
    this.src = sourceOf(model, vg);
    this.updateRange(model, vg);
    if (fit) this.tracker.userOwned = false;
    const choice = this.choose();
    this.draw(drawGraph(this.src, this.layout, choice.orientation, choice.detail, choice.maxSpan));
    if (this.autoFit) this.fitNow();
  }

  private draw(d: Drawing): void {
    const m = this.model!, src = this.src!;
    this.current = d;
    const els = buildElements(m, src, d, this.scale);
    const big = els.length > BIG;
    if (big !== this.big) { this.big = big; this.cy.style(graphStylesheet(this.theme, big)); }
    // Big graphs: draw a texture while panning instead of every label.
    const r = this.cy as unknown as { renderer(): { hideEdgesOnViewport: boolean; textureOnViewport: boolean } };
    Object.assign(r.renderer(), { hideEdgesOnViewport: big, textureOnViewport: big });
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(els);
    });
    this.painter.reset(src, d, this.scale);
  }

  /** Orientation from the panel's shape (top to bottom beside an editor), detail from the graph area's size. */
  private choose() {
    const panel = document.documentElement;
    return chooseView(this.src!, this.layout!, fitArea(this.container, PLAN_SLACK), panel.clientHeight > panel.clientWidth ? "TB" : "LR");
  }

  /** The panel changed size: re-fit (and re-choose the drawing) unless the user owns the viewport. */
  private onResize(): void {
    if (!this.autoFit || !this.src || !this.layout || !this.current) return;
    if (this.src.units.units.length <= REDRAW_ON_RESIZE_MAX) {
      const choice = this.choose();
      if (choice.orientation !== this.current.orientation || choice.detail !== this.current.detail || choice.maxSpan !== this.current.maxSpan)
        this.draw(drawGraph(this.src, this.layout, choice.orientation, choice.detail, choice.maxSpan));
    }
    this.fitNow();
  }

  /** Numbers-only update: colours, NaN marks and labels, never a relayout (see ValuePainter for how it stays cheap). */
  updateValues(model: GraphModel): void {
    this.model = model;
    const vg = this.vg, d = this.current;
    if (!vg || !d) return;
    this.src = sourceOf(model, vg);
    this.updateRange(model, vg);
    this.painter.update(this.src, d, this.scale);
    // Only small drawings carry gradient-flow edges (graphElements.ts): no need to scan thousands of edges for them.
    if (vg.units.length <= FLOW_MAX_UNITS) paintFlows(this.cy, model, this.scale);
  }

  /** Bring every element up to date synchronously (exports). */
  flushValues(): void { this.painter.flushAll(); }

  /** Element writes still queued from the last update (0 when the drawing is current). */
  get pendingWrites(): number { return this.painter.pending; }

  /** Forget the last model: no elements, the viewport back to the panel. */
  clear(): void {
    this.model = this.vg = this.src = this.layout = this.current = null;
    this.painter.clear();
    this.cy.elements().remove();
    this.tracker.userOwned = false;
  }

  setTheme(theme: ThemeColours): void {
    this.theme = theme;
    this.scale.setTheme(theme);
    this.cy.style(graphStylesheet(theme, this.big));
    if (this.model) this.updateValues(this.model);
  }

  /** A reload restores the user's own zoom and pan (and keeps them theirs). */
  restoreViewport(zoom: number, pan: { x: number; y: number }): void {
    this.cy.viewport({ zoom, pan });
    this.tracker.userOwned = true;
  }

  /** The Fit command: the panel owns the viewport again (resizes re-fit), and the drawing is re-chosen for the space. */
  fit(): void {
    this.tracker.userOwned = false;
    this.onResize();
  }

  /** The drawing for a file (SVG export): the same units and orientation, with the richest records, since a file has no panel to fit. */
  fileDrawing(): Drawing | null {
    if (!this.src || !this.layout || !this.current) return null;
    return drawGraph(this.src, this.layout, this.current.orientation, this.src.units.units.length > FOLD_OPS_UNITS ? "folded" : "full", this.current.maxSpan);
  }

  /** Bring these elements (what a group just opened into) into view. */
  frame(ids: string[]): void {
    let els = this.cy.collection();
    for (const id of ids) els = els.union(this.cy.getElementById(id));
    frameElements(this.cy, this.container, els);
  }

  private fitNow(): void {
    const d = this.current;
    if (!d) return;
    const loss = d.nodes.find((n) => n.role === "loss");
    fitBounds(this.cy, this.container, d.bounds, loss ?? null);
  }

  /** Emphasise the node's paths to the loss (everything else dims); null clears. */
  highlightPathsToLoss(node: number | null): void {
    const m = this.model, vg = this.vg;
    this.cy.batch(() => {
      this.cy.elements().removeClass("path dim");
      if (node === null || !m || !vg) return;
      const onPath = downstreamToRoot(m, node);
      const ids = new Set<string>();
      for (const i of onPath) {
        const u = vg.unitOf[i];
        if (u < 0) continue;
        const unit = vg.units[u];
        if (unit.kind === "group") { ids.add(groupId(unit.group)); continue; }
        ids.add(valueId(i));
        if (i !== node) ids.add(opId(i));
      }
      this.cy.nodes().forEach((n) => { n.addClass(ids.has(n.id()) ? "path" : "dim"); });
      this.cy.edges().forEach((e) => { e.addClass(ids.has(e.source().id()) && ids.has(e.target().id()) ? "path" : "dim"); });
      this.cy.getElementById(valueId(node)).removeClass("dim").addClass("path");
    });
  }

  /** Mark nodes the host asked to highlight (e.g. those created by the editor's current line). */
  flag(nodes: number[]): void {
    const vg = this.vg;
    this.cy.batch(() => {
      this.cy.nodes(".flagged").removeClass("flagged");
      if (!vg) return;
      for (const i of nodes) {
        const u = i < vg.unitOf.length ? vg.unitOf[i] : -1;
        if (u < 0) continue;
        const unit = vg.units[u];
        this.cy.getElementById(unit.kind === "group" ? groupId(unit.group) : valueId(i)).addClass("flagged");
      }
    });
  }

  /** Select an element (a node's record or a group's box) and bring it into view. */
  selectElement(id: string, center = true): void {
    const el = this.cy.getElementById(id);
    if (el.empty()) return;
    this.cy.nodes(":selected").unselect();
    el.select();
    if (center) {
      const ext = this.cy.extent();
      const p = el.position();
      if (p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2) this.cy.center(el);
    }
  }

  select(node: number, center = true): void { this.selectElement(valueId(node), center); }

  isVisible(node: number): boolean {
    return this.cy.getElementById(valueId(node)).nonempty();
  }

  private updateRange(model: GraphModel, vg: VisibleGraph): void {
    let maxAbs = 0;
    const g = model.values.grad;
    for (let i = 0; i < vg.unitOf.length; i++) if (vg.unitOf[i] >= 0 && Math.abs(g[i]) > maxAbs) maxAbs = Math.abs(g[i]);
    this.scale.setRange(maxAbs);
  }
}

function sourceOf(m: GraphModel, vg: VisibleGraph): DrawSource {
  return { topology: m.topology, values: m.values, tree: m.tree, units: vg, groupGrad: m.groupGrad ?? groupExtremes(m.tree, m.values.grad) };
}

/** The node and every node after it on some path to the root. */
export function downstreamToRoot(m: GraphModel, node: number): number[] {
  const out = [node];
  const seen = new Uint8Array(m.topology.op.length);
  seen[node] = 1;
  for (let h = 0; h < out.length; h++) {
    const v = out[h];
    for (let e = m.consumerStart[v]; e < m.consumerStart[v + 1]; e++) {
      const c = m.consumerList[e];
      if (!seen[c] && m.reachesRoot[c]) { seen[c] = 1; out.push(c); }
    }
  }
  return out;
}
