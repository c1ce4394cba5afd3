import cytoscape from "cytoscape";
import { chooseView, drawGraph, FOLD_OPS_UNITS, layoutOf, type Drawing, type DrawSource } from "../../src/graph/drawing";
import { groupExtremes } from "../../src/graph/groupTree";
import type { LayoutResult } from "../../src/graph/layeredLayout";
import type { GraphModel } from "../model/graphModel";
import type { ThemeColours } from "../panel/theme";
import { GradientScale } from "./gradientScale";
import { buildElements, groupId, opId, valueId } from "./graphElements";
import { fillColours, graphStylesheet } from "./graphStyle";
import { FillLayer } from "./fillLayer";
import { isUnlit, UNLIT, type UnlitState } from "./backwardAnimation";
import { FLOW_MAX_UNITS, paintFlows } from "./gradientFlow";
import { READABLE_ZOOM, ValuePainter } from "./valuePainter";
import { chooseRenderer, rendererOption, type RendererName } from "./renderer";
import { fitArea, fitBounds, frameBounds, MIN_FIT_ZOOM, ViewportTracker } from "./viewportFit";
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
/** Past this many elements (records; a big drawing's edges are FillLayer's) a drawing is added in slices (addInSlices). */
const CHUNKED_ADD = 1200;
/** Work per slice of addInSlices, ms: long enough to amortise, short enough that input is handled promptly. */
const ADD_SLICE_MS = 40;
/**
 * A drawing with more records than CHUNKED_ADD is virtual: cytoscape holds only the records near the viewport (and
 * any the panel asks for: the selection, a PNG export), FillLayer draws the others whole. Each record costs
 * cytoscape ~0.2–0.3 ms of style work and its first full draw, so opening 5,000 records that are mostly off screen
 * (the fit stops at MIN_FIT_ZOOM) was seconds of work for nothing on screen.
 */
const MATERIALISE_ZOOM = MIN_FIT_ZOOM;
/** Records wanted at once up to this many are added in one batch; more are added in slices (addInSlices). */
const SYNC_ADD = 150;
interface CyRenderer { render(options?: unknown): void; flushRenderedStyleQueue(): void }
const noRender = (): void => {};

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
  private readonly fills: FillLayer;
  /** A big drawing's edges, drawn by FillLayer, not added to cytoscape. */
  private layerEdges: cytoscape.ElementDefinition[] = [];
  /** A virtual drawing's records not in cytoscape yet, by id (FillLayer draws them). */
  private readonly virtual = new Map<string, cytoscape.ElementDefinition>();
  /** The drawing's records by id (positions and sizes without asking cytoscape). */
  private drawn = new Map<string, { x: number; y: number; w: number; h: number }>();
  /** States that records added later must carry: the highlighted path (null: none) and flagged ids. */
  private pathIds: ReadonlySet<string> | null = null;
  private flagged = new Set<string>();
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
    this.fills = new FillLayer(this.cy, container, fillColours(theme), this.virtual);
    this.painter = new ValuePainter(this.cy, this.fills);
    // A PNG is cytoscape's own drawing: in a big drawing it must fill the records itself for the moment.
    const png = this.cy.png.bind(this.cy);
    (this.cy as { png: typeof png }).png = ((opts: Parameters<typeof png>[0]) => {
      if (!this.big) return png(fitScale(this.cy, opts));
      this.materialise([...this.virtual.keys()]);
      this.painter.syncCytoscapeFills();
      this.cy.style(graphStylesheet(this.theme, true, false));
      const edges = this.cy.add(this.layerEdges);
      try { return png(fitScale(this.cy, opts)); } finally { edges.remove(); this.cy.style(graphStylesheet(this.theme, true)); }
    }) as typeof png;
    // Tests and tools read the colour a record shows (in a big drawing it is not in cytoscape's data), and where a
    // record is drawn (a big drawing's cytoscape holds only the records near the viewport).
    this.cy.scratch("gradscope", { fillOf: (id: string) => this.fillOf(id), positionOf: (id: string) => { const n = this.drawn.get(id); return n ? { x: n.x, y: n.y } : null; },
      valueRecords: () => this.current?.nodes.filter((n) => n.kind === "value").length ?? 0 });
    this.tracker = new ViewportTracker(this.cy, container, () => this.onResize());
    let opFrame = 0;
    this.cy.on("viewport", () => {
      if (this.opLabelsPending && !opFrame) opFrame = requestAnimationFrame(() => { opFrame = 0; this.writeOpLabels(); });
    });
    this.cy.on("viewport resize", () => this.materialiseSoon());
    // Further out than MATERIALISE_ZOOM, a record FillLayer draws joins cytoscape when the pointer reaches it.
    this.cy.on("mousemove", (e) => {
      if (e.target !== this.cy || this.virtual.size === 0) return;
      const id = this.fills.idAt(e.position.x, e.position.y);
      if (id !== null && this.virtual.has(id)) this.materialise([id]);
    });
    this.cy.on("mouseover", "node", (e) => {
      // The old drawing while a new view waits for its task: its unit numbers are not the new view's.
      if (this.pendingDraw) return;
      const d = e.target.data();
      events.hover(typeof d.node === "number" ? d.node : null, typeof d.unit === "number" ? d.unit : null, e.target.renderedBoundingBox({ includeLabels: false }));
    });
    this.cy.on("mouseout", "node", () => events.hover(null, null, null));
    this.cy.on("tap", "node", (e) => {
      const d = e.target.data();
      if (e.target.hasClass("group")) events.tapGroup(d.unit, d.path);
      else if (typeof d.node === "number") events.tapNode(d.node);
    });
    this.cy.on("tap", (e) => {
      if (e.target !== this.cy) return;
      const id = this.virtual.size ? this.fills.idAt(e.position.x, e.position.y) : null;
      if (id !== null && this.virtual.has(id)) {
        this.materialise([id]);
        this.cy.getElementById(id).emit("tap");
      } else events.tapBackground();
    });
  }

  /** The newest view (one whose drawing may still be waiting for its task: see show). */
  get visible(): VisibleGraph | null { return this.pendingDraw?.vg ?? this.vg; }
  /** The drawing on screen, or null while a new view waits for its own (it would not match `visible`). */
  get drawing(): Drawing | null { return this.pendingDraw ? null : this.current; }
  get source(): DrawSource | null { return this.pendingDraw?.src ?? this.src; }
  /** True until the user zooms or pans by hand: resizes and new layouts re-fit. */
  get autoFit(): boolean { return !this.tracker.userOwned; }

  /**
   * Replace every element with a fresh layout. Fits when asked to, or while the viewport is still the panel's own.
   * A big view (more records than CHUNKED_ADD) is laid out now and drawn in the next task: each half is ~50–90 ms
   * at 5k records here, and input is handled between them. Until then the old drawing stays whole and usable, and
   * what callers ask of the new one (select, frame, flag, viewport) waits for it (afterDraw).
   */
  show(model: GraphModel, vg: VisibleGraph, fit: boolean): void {
    this.cancelPendingDraw();
    const layout = layoutOf(vg), src = sourceOf(model, vg);
    const choice = this.choose(src, layout);
    const d = drawGraph(src, layout, choice.orientation, choice.detail, choice.maxSpan);
    const pending = { vg, src, timer: 0, latest: null as GraphModel | null, apply: () => {} };
    pending.apply = () => {
      if (this.pendingDraw === pending) { clearTimeout(pending.timer); this.pendingDraw = null; }
      this.model = model;
      this.vg = vg;
      this.layout = layout;
      this.src = src;
      this.updateRange(model, vg);
      if (fit) this.tracker.userOwned = false;
      this.draw(d);
      // A step that arrived meanwhile: its numbers over the drawing's.
      if (pending.latest) this.updateValues(pending.latest);
      const after = [...this.afterDraw.values()];
      this.afterDraw.clear();
      for (const fn of after) fn();
    };
    if (vg.units.length <= CHUNKED_ADD) return pending.apply();
    this.pendingDraw = pending;
    pending.timer = window.setTimeout(pending.apply, 0);
  }

  /** A big view's drawing waiting for its task (see show), and what was asked of it meanwhile. */
  private pendingDraw: { vg: VisibleGraph; src: DrawSource; timer: number; latest: GraphModel | null; apply(): void } | null = null;
  private readonly afterDraw = new Map<string, () => void>();

  /** Draw a waiting view now (exports need the drawing on screen). */
  private flushPendingDraw(): void {
    this.pendingDraw?.apply();
  }

  private cancelPendingDraw(): void {
    if (this.pendingDraw) clearTimeout(this.pendingDraw.timer);
    this.pendingDraw = null;
    this.afterDraw.clear();
  }

  /** While a drawing waits, a call about the new view runs once it is drawn (the latest call of each kind). */
  private deferred(kind: string, fn: () => void): boolean {
    if (!this.pendingDraw) return false;
    this.afterDraw.set(kind, fn);
    return true;
  }

  /** The same, and while records are being added in slices, once they are all in (afterAdd). */
  private deferredOrAdding(kind: string, fn: () => void): boolean {
    if (this.deferred(kind, fn)) return true;
    if (!this.adding) return false;
    this.afterAdd.set(kind, fn);
    return true;
  }

  /** Replace the elements with a drawing's (fitted first while the viewport is the panel's: the zoom decides what is drawn). */
  private draw(d: Drawing): void {
    const m = this.model!, src = this.src!;
    this.current = d;
    if (this.autoFit) this.fitNow();
    const els = buildElements(m, src, d, this.scale);
    const big = els.length > BIG;
    // Level of detail: a big drawing too far out to read starts without text (cytoscape measures every label it is
    // given, ~0.1 ms each); records get theirs when the user zooms in to read them (ValuePainter, writeOpLabels).
    const lod = big && this.cy.zoom() < READABLE_ZOOM;
    if (lod) {
      for (const el of els) if (el.group === "nodes") { el.data.full = el.data.label; el.data.label = ""; }
    }
    this.opLabelsPending = lod;
    // Big graphs: draw a texture while panning instead of every label.
    const r = this.cy as unknown as { renderer(): { hideEdgesOnViewport: boolean; textureOnViewport: boolean } };
    Object.assign(r.renderer(), { hideEdgesOnViewport: big, textureOnViewport: big });
    // Big drawings: FillLayer draws the edges; cytoscape only gets them for a PNG export.
    this.layerEdges = big ? els.filter((e) => e.group === "edges") : [];
    this.cancelAdd();
    this.virtual.clear();
    this.pathIds = null;
    this.flagged.clear();
    this.drawn = new Map(d.nodes.map((n) => [n.id, n]));
    const toAdd = big ? els.filter((e) => e.group !== "edges") : els;
    const virtual = toAdd.length > CHUNKED_ADD;
    this.cy.batch(() => {
      // The old elements go before a change of stylesheet, which would restyle them.
      this.cy.elements().remove();
      if (big !== this.big) { this.big = big; this.cy.style(graphStylesheet(this.theme, big)); }
      if (!virtual) this.cy.add(toAdd);
    });
    if (!virtual) this.painter.reset(src, d, this.scale, big, !lod);
    else {
      // Virtual: the records near the viewport now, others as the viewport reaches them (FillLayer draws them meanwhile).
      for (const e of toAdd) this.virtual.set(e.data.id!, e);
      this.painter.reset(src, d, this.scale, big, !lod);
      this.materialiseInView();
    }
  }

  /** Bring these records into cytoscape now (those it already holds are left alone). */
  private materialise(ids: Iterable<string>): void {
    const defs: cytoscape.ElementDefinition[] = [];
    for (const id of ids) {
      const e = this.virtual.get(id);
      if (!e) continue;
      this.virtual.delete(id);
      defs.push(this.withStates(e));
    }
    if (defs.length === 0) return;
    this.cy.batch(() => { this.cy.add(defs); });
    this.painter.refresh();
  }

  /** A record as added now: with the states set since the drawing was made (path, dim, flagged). */
  private withStates(e: cytoscape.ElementDefinition): cytoscape.ElementDefinition {
    const id = e.data.id!;
    let extra = "";
    if (this.pathIds) extra += this.pathIds.has(id) ? " path" : " dim";
    if (this.flagged.has(id)) extra += " flagged";
    if (isUnlit(this.cy.scratch(UNLIT) as UnlitState | undefined, id)) extra += " unlit";
    return extra ? { ...e, classes: `${e.classes ?? ""}${extra}` } : e;
  }

  private viewFrame = 0;
  private materialiseSoon(): void {
    if (this.virtual.size === 0 || this.viewFrame) return;
    this.viewFrame = requestAnimationFrame(() => { this.viewFrame = 0; this.materialiseInView(); });
  }

  /** Add the records in (or near) the viewport that cytoscape does not hold yet: at once if few, else in slices. */
  private materialiseInView(): void {
    if (this.virtual.size === 0 || this.cy.zoom() < MATERIALISE_ZOOM) return;
    const ext = this.cy.extent();
    const mx = ext.w * 0.25, my = ext.h * 0.25;
    const x1 = ext.x1 - mx, x2 = ext.x2 + mx, y1 = ext.y1 - my, y2 = ext.y2 + my;
    const queued = this.adding?.ids;
    const want: string[] = [];
    for (const id of this.virtual.keys()) {
      if (queued?.has(id)) continue;
      const n = this.drawn.get(id);
      if (!n || n.x + n.w / 2 < x1 || n.x - n.w / 2 > x2 || n.y + n.h / 2 < y1 || n.y - n.h / 2 > y2) continue;
      want.push(id);
    }
    if (want.length === 0) return;
    if (want.length <= SYNC_ADD && !this.adding) this.materialise(want);
    else this.addInSlices(want);
  }

  /**
   * A big drawing's records are added in slices of ~ADD_SLICE_MS, each followed by a macrotask boundary, so
   * input (wheel, clicks, keys) is handled between slices instead of after one multi-second task. Cytoscape's
   * style work for a slice is done in the slice (flushRenderedStyleQueue); its drawing is paused until the last
   * slice (redrawing every record added so far after each slice would make the whole quadratic), while FillLayer
   * shows the records arriving, nearest the viewport's centre first, with a progress line.
   */
  private adding: { els: string[]; ids: Set<string>; next: number; timer: number } | null = null;
  private readonly afterAdd = new Map<string, () => void>();
  private progress: HTMLElement | null = null;

  private addInSlices(ids: string[]): void {
    const ext = this.cy.extent();
    const cx = (ext.x1 + ext.x2) / 2, cyy = (ext.y1 + ext.y2) / 2;
    const dist = (id: string) => { const n = this.drawn.get(id)!; return Math.abs(n.x - cx) + Math.abs(n.y - cyy); };
    const sorted = ids.slice().sort((a, b) => dist(a) - dist(b));
    if (this.adding) {
      // Already adding: these go after what is queued (the viewport moved on).
      for (const id of sorted) { this.adding.els.push(id); this.adding.ids.add(id); }
      return;
    }
    const els = sorted;
    const job = { els, ids: new Set(els), next: 0, timer: 0 };
    this.adding = job;
    const r = (this.cy as unknown as { renderer(): CyRenderer }).renderer();
    r.render = noRender; // paused: an own property over the prototype's method, deleted when done
    const slice = () => {
      job.timer = 0;
      if (this.adding !== job) return;
      const t0 = performance.now();
      while (job.next < els.length && performance.now() - t0 < ADD_SLICE_MS) {
        const part: cytoscape.ElementDefinition[] = [];
        for (const id of els.slice(job.next, job.next + 100)) {
          const e = this.virtual.get(id);
          if (!e) continue; // added meanwhile (materialise)
          this.virtual.delete(id);
          part.push(this.withStates(e));
        }
        this.cy.add(part);
        r.flushRenderedStyleQueue();
        job.next += 100;
      }
      this.fills.draw();
      if (job.next < els.length) {
        this.showProgress(Math.min(job.next, els.length), els.length);
        job.timer = window.setTimeout(slice, 0);
        return;
      }
      this.finishAdd();
    };
    slice();
  }

  private showProgress(done: number, total: number): void {
    if (!this.progress) {
      const p = document.createElement("div");
      p.className = "gs-draw-progress";
      p.setAttribute("aria-hidden", "true"); // the table and the announcer speak for the graph
      Object.assign(p.style, { position: "absolute", left: "8px", bottom: "8px", zIndex: "5", padding: "2px 8px", font: "12px var(--vscode-font-family, sans-serif)", background: "var(--vscode-editorWidget-background, rgba(0,0,0,.6))", color: "var(--vscode-foreground, #ccc)", borderRadius: "3px", pointerEvents: "none" });
      this.container.appendChild(p);
      this.progress = p;
    }
    this.progress.textContent = `Drawing ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} records…`;
  }

  private finishAdd(): void {
    this.adding = null;
    const r = (this.cy as unknown as { renderer(): CyRenderer }).renderer();
    delete (r as Partial<CyRenderer>).render;
    this.progress?.remove();
    this.progress = null;
    this.cy.forceRender();
    this.painter.refresh();
    const after = [...this.afterAdd.values()];
    this.afterAdd.clear();
    for (const fn of after) fn();
  }

  private cancelAdd(): void {
    if (!this.adding) return;
    if (this.adding.timer) clearTimeout(this.adding.timer);
    this.adding = null;
    this.afterAdd.clear();
    const r = (this.cy as unknown as { renderer(): CyRenderer }).renderer();
    delete (r as Partial<CyRenderer>).render;
    this.progress?.remove();
    this.progress = null;
  }

  /** Op circles added without text (lod): write the text of those on screen once it can be read. */
  private opLabelsPending = false;
  private writeOpLabels(): void {
    if (!this.opLabelsPending || this.cy.zoom() < READABLE_ZOOM) return;
    const ext = this.cy.extent();
    let left = 0;
    this.cy.batch(() => {
      this.cy.nodes(".op").forEach((n) => {
        if (n.data("label") !== "") return;
        const p = n.position();
        if (p.x < ext.x1 - 100 || p.x > ext.x2 + 100 || p.y < ext.y1 - 60 || p.y > ext.y2 + 60) { left++; return; }
        n.data("label", n.data("full"));
      });
    });
    this.opLabelsPending = left > 0;
  }

  /** The colour an element (value record or group box) shows now. */
  fillOf(id: string): string | undefined {
    const el = this.cy.getElementById(id);
    if (el.empty()) {
      const e = this.virtual.get(id);
      return e ? (this.painter.fillOf(e.data.unit) ?? e.data.fill) : undefined;
    }
    const u = el.data("unit");
    return typeof u === "number" ? (this.painter.fillOf(u) ?? el.data("fill")) : el.data("fill");
  }

  /** Orientation from the panel's shape (top to bottom beside an editor), detail from the graph area's size. */
  private choose(src: DrawSource, layout: LayoutResult) {
    const panel = document.documentElement;
    return chooseView(src, layout, fitArea(this.container, PLAN_SLACK), panel.clientHeight > panel.clientWidth ? "TB" : "LR");
  }

  /** The panel changed size: re-fit (and re-choose the drawing) unless the user owns the viewport. */
  private onResize(): void {
    if (!this.autoFit || !this.src || !this.layout || !this.current) return;
    if (this.src.units.units.length <= REDRAW_ON_RESIZE_MAX) {
      const choice = this.choose(this.src, this.layout);
      if (choice.orientation !== this.current.orientation || choice.detail !== this.current.detail || choice.maxSpan !== this.current.maxSpan)
        this.draw(drawGraph(this.src, this.layout, choice.orientation, choice.detail, choice.maxSpan));
    }
    this.fitNow();
  }

  /** Numbers-only update: colours, NaN marks and labels, never a relayout (see ValuePainter for how it stays cheap). */
  updateValues(model: GraphModel): void {
    if (this.pendingDraw) { this.pendingDraw.latest = model; return; }
    this.model = model;
    const vg = this.vg, d = this.current;
    if (!vg || !d) return;
    this.src = sourceOf(model, vg);
    this.updateRange(model, vg);
    this.painter.update(this.src, d, this.scale);
    // Only small drawings carry gradient-flow edges (graphElements.ts): no need to scan thousands of edges for them.
    if (vg.units.length <= FLOW_MAX_UNITS) paintFlows(this.cy, model, this.scale);
  }

  /** Bring every element up to date synchronously (exports), text included. */
  flushValues(): void {
    this.flushPendingDraw();
    this.painter.flushAll();
    if (this.opLabelsPending) this.cy.batch(() => this.cy.nodes(".op").forEach((n) => { if (n.data("label") === "") n.data("label", n.data("full")); }));
    this.opLabelsPending = false;
  }

  /** Element writes still queued from the last update (0 when the drawing is current). */
  get pendingWrites(): number {
    return (this.pendingDraw?.vg.units.length ?? 0) + this.painter.pending + (this.adding ? Math.max(0, this.adding.els.length - this.adding.next) : 0);
  }

  /** Forget the last model: no elements, the viewport back to the panel. */
  clear(): void {
    this.cancelPendingDraw();
    this.cancelAdd();
    this.virtual.clear();
    this.model = this.vg = this.src = this.layout = this.current = null;
    this.painter.clear();
    this.cy.elements().remove();
    this.tracker.userOwned = false;
  }

  setTheme(theme: ThemeColours): void {
    this.theme = theme;
    this.scale.setTheme(theme);
    this.fills.setColours(fillColours(theme));
    this.cy.style(graphStylesheet(theme, this.big));
    // A drawing waiting for its task is drawn with the new theme; its model is not this.model yet.
    if (this.model && !this.pendingDraw) this.updateValues(this.model);
  }

  /** A reload restores the user's own zoom and pan (and keeps them theirs). */
  restoreViewport(zoom: number, pan: { x: number; y: number }): void {
    if (this.deferred("viewport", () => this.restoreViewport(zoom, pan))) return;
    this.cy.viewport({ zoom, pan });
    this.tracker.userOwned = true;
  }

  /** The Fit command: the panel owns the viewport again (resizes re-fit), and the drawing is re-chosen for the space. */
  fit(): void {
    if (this.deferred("fit", () => this.fit())) return;
    this.tracker.userOwned = false;
    this.onResize();
  }

  /** The drawing for a file (SVG export): the same units and orientation, with the richest records, since a file has no panel to fit. */
  fileDrawing(): Drawing | null {
    this.flushPendingDraw();
    if (!this.src || !this.layout || !this.current) return null;
    return drawGraph(this.src, this.layout, this.current.orientation, this.src.units.units.length > FOLD_OPS_UNITS ? "folded" : "full", this.current.maxSpan);
  }

  /** Bring these elements (what a group just opened into) into view. */
  frame(ids: string[]): void {
    if (this.deferred("frame", () => this.frame(ids))) return;
    // From the drawing (records carry their text inside): cytoscape need not hold them.
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (const id of ids) {
      const n = this.drawn.get(id);
      if (!n) continue;
      x1 = Math.min(x1, n.x - n.w / 2); x2 = Math.max(x2, n.x + n.w / 2);
      y1 = Math.min(y1, n.y - n.h / 2); y2 = Math.max(y2, n.y + n.h / 2);
    }
    if (x1 > x2) return;
    frameBounds(this.cy, this.container, { x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 });
  }

  private fitNow(): void {
    const d = this.current;
    if (!d) return;
    const loss = d.nodes.find((n) => n.role === "loss");
    fitBounds(this.cy, this.container, d.bounds, loss ?? null);
  }

  /** Emphasise the node's paths to the loss (everything else dims); null clears. */
  highlightPathsToLoss(node: number | null): void {
    if (this.deferredOrAdding("highlightPathsToLoss", () => this.highlightPathsToLoss(node))) return;
    const m = this.model, vg = this.vg;
    this.cy.batch(() => {
      this.cy.elements().removeClass("path dim");
      this.fills.setPath(null);
      this.pathIds = null;
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
      this.fills.setPath(ids);
      this.pathIds = ids;
      this.cy.nodes().forEach((n) => { n.addClass(ids.has(n.id()) ? "path" : "dim"); });
      this.cy.edges().forEach((e) => { e.addClass(ids.has(e.source().id()) && ids.has(e.target().id()) ? "path" : "dim"); });
      this.cy.getElementById(valueId(node)).removeClass("dim").addClass("path");
    });
  }

  /** Mark nodes the host asked to highlight (e.g. those created by the editor's current line). */
  flag(nodes: number[]): void {
    if (this.deferredOrAdding("flag", () => this.flag(nodes))) return;
    const vg = this.vg;
    this.cy.batch(() => {
      this.cy.nodes(".flagged").removeClass("flagged");
      this.flagged.clear();
      if (!vg) return;
      for (const i of nodes) {
        const u = i < vg.unitOf.length ? vg.unitOf[i] : -1;
        if (u < 0) continue;
        const unit = vg.units[u];
        const id = unit.kind === "group" ? groupId(unit.group) : valueId(i);
        this.flagged.add(id);
        this.cy.getElementById(id).addClass("flagged");
      }
    });
  }

  /** Select an element (a node's record or a group's box) and bring it into view. */
  selectElement(id: string, center = true): void {
    if (this.deferredOrAdding("select", () => this.selectElement(id, center))) return;
    this.materialise([id]);
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

  /** The node has its own record in the drawing (cytoscape may not hold it yet: it is added when needed). */
  isVisible(node: number): boolean {
    const vg = this.visible;
    if (!vg || node < 0 || node >= vg.unitOf.length) return false;
    const u = vg.unitOf[node];
    return u >= 0 && vg.units[u].kind === "node";
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

/**
 * cytoscape ignores maxWidth/maxHeight when a scale is given: a big graph (9.6k × 96k px at 5k nodes) at scale 2
 * asked for a 19k × 192k canvas and came out empty ("data:,"). Lower the scale so the image fits them.
 */
function fitScale<O extends { full?: boolean; scale?: number; maxWidth?: number; maxHeight?: number } | undefined>(cy: cytoscape.Core, opts: O): O {
  if (!opts?.full || opts.scale === undefined || (!opts.maxWidth && !opts.maxHeight)) return opts;
  const bb = cy.elements().boundingBox();
  const scale = Math.min(opts.scale, (opts.maxWidth ?? Infinity) / Math.max(1, bb.w), (opts.maxHeight ?? Infinity) / Math.max(1, bb.h));
  return { ...opts, scale };
}
