import cytoscape from "cytoscape";
import { isLeaf, type GraphModel } from "../model/graphModel";
import type { ThemeColours } from "../panel/theme";
import { GradientScale } from "./gradientScale";
import { buildElements, groupId, opId, valueId } from "./graphElements";
import { graphStylesheet } from "./graphStyle";
import { paintFlows } from "./gradientFlow";
import { ValuePainter } from "./valuePainter";
import type { VisibleGraph } from "./visibleGraph";

/**
 * The one cytoscape instance of the panel. Layout happens in `show` (new
 * topology or new expansion); `updateValues` only rewrites labels and colours
 * in one batch, so positions never move on a step.
 */

export interface GraphViewEvents {
  hover(node: number | null, unit: number | null, box: { x1: number; y1: number; x2: number; y2: number } | null): void;
  tapNode(node: number): void;
  tapGroup(unit: number, path: string): void;
  tapBackground(): void;
}

/** Past this many elements, switch to the cheap rendering settings (haystack edges, no arrows). */
const BIG = 1500;
/** Below this zoom, records are unreadable specks. */
const MIN_FIT_ZOOM = 0.3;

export class GraphView {
  readonly cy: cytoscape.Core;
  readonly scale: GradientScale;
  private model: GraphModel | null = null;
  private vg: VisibleGraph | null = null;
  private big = false;
  private readonly painter: ValuePainter;

  constructor(container: HTMLElement, private theme: ThemeColours, events: GraphViewEvents) {
    this.scale = new GradientScale(theme);
    this.cy = cytoscape({
      container,
      style: graphStylesheet(theme, false),
      minZoom: 0.02,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: "single",
      pixelRatio: "auto",
    });
    this.painter = new ValuePainter(this.cy);
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

  /** Replace every element with a fresh layout; the viewport stays unless `fit`. */
  show(model: GraphModel, vg: VisibleGraph, fit: boolean): void {
    this.model = model;
    this.vg = vg;
    this.updateRange(model, vg);
    const els = buildElements(model, vg, this.scale);
    const big = els.length > BIG;
    if (big !== this.big) { this.big = big; this.cy.style(graphStylesheet(this.theme, big)); }
    // Big graphs: draw a texture while panning instead of every label.
    const r = this.cy as unknown as { renderer(): { hideEdgesOnViewport: boolean; textureOnViewport: boolean } };
    Object.assign(r.renderer(), { hideEdgesOnViewport: big, textureOnViewport: big });
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(els);
    });
    this.painter.reset(model, vg, this.scale);
    if (fit) this.fit();
  }

  /** Numbers-only update: colours, NaN marks and labels, never a relayout (see ValuePainter for how it stays cheap). */
  updateValues(model: GraphModel): void {
    this.model = model;
    const vg = this.vg;
    if (!vg) return;
    this.updateRange(model, vg);
    this.painter.update(model, vg, this.scale);
    paintFlows(this.cy, model, this.scale);
  }

  /** Bring every element up to date synchronously (exports). */
  flushValues(): void { this.painter.flushAll(); }

  /** Element writes still queued from the last update (0 when the drawing is current). */
  get pendingWrites(): number { return this.painter.pending; }

  setTheme(theme: ThemeColours): void {
    this.theme = theme;
    this.scale.setTheme(theme);
    this.cy.style(graphStylesheet(theme, this.big));
    if (this.model) this.updateValues(this.model);
  }

  fit(): void {
    this.cy.fit(undefined, 30);
    // A tiny graph fitted to a wide panel would be huge; cap the zoom so records look like records.
    if (this.cy.zoom() > 1.4) { this.cy.zoom(1.4); this.cy.center(); }
    // A huge one would be specks: stay readable and start at the loss, where backward() starts.
    if (this.cy.zoom() < MIN_FIT_ZOOM) {
      this.cy.zoom(MIN_FIT_ZOOM);
      const loss = this.cy.nodes(".loss");
      if (loss.nonempty()) this.cy.center(loss); else this.cy.center();
    }
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
        if (vg.units[u].kind === "group") { ids.add(groupId(u)); continue; }
        ids.add(valueId(i));
        if (i !== node && !isLeaf(m, i) && !vg.compact) ids.add(opId(i));
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
        this.cy.getElementById(vg.units[u].kind === "group" ? groupId(u) : valueId(i)).addClass("flagged");
      }
    });
  }

  /** Select a visible node (keyboard, search) and bring it into view. */
  select(node: number, center = true): void {
    const el = this.cy.getElementById(valueId(node));
    if (el.empty()) return;
    this.cy.nodes(":selected").unselect();
    el.select();
    if (center) {
      const ext = this.cy.extent();
      const p = el.position();
      if (p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2) this.cy.center(el);
    }
  }

  isVisible(node: number): boolean {
    return this.cy.getElementById(valueId(node)).nonempty();
  }

  renderedPositionOf(node: number): { x: number; y: number } | null {
    const el = this.cy.getElementById(valueId(node));
    return el.nonempty() ? el.renderedPosition() : null;
  }

  private updateRange(model: GraphModel, vg: VisibleGraph): void {
    let maxAbs = 0;
    const g = model.values.grad;
    for (let i = 0; i < vg.unitOf.length; i++) if (vg.unitOf[i] >= 0 && Math.abs(g[i]) > maxAbs) maxAbs = Math.abs(g[i]);
    this.scale.setRange(maxAbs);
  }
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
