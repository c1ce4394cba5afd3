import type cytoscape from "cytoscape";
import type { Drawing } from "../../src/graph/drawing";
import { isUnlit, UNLIT, type UnlitState } from "./backwardAnimation";

/**
 * The gradient colours of a big drawing's records, painted on a canvas of
 * our own beneath cytoscape's. A numbers-only step mostly changes colours;
 * written into cytoscape, every changed colour costs a style recalculation
 * and invalidates its layer textures, so the next frame redraws every element
 * one by one (~50–110 ms at 2k nodes here). On this canvas the same step is a
 * few thousand fillRects (~1–3 ms) and cytoscape does not redraw at all.
 *
 * The edges of a big drawing are this layer's too, drawn before the fills
 * (so a line ends at a record's edge) in one stroke per style: cytoscape never
 * gets them as elements, which was ~40% of opening a 5k-node view (edge style,
 * endpoint geometry and drawing). Cytoscape still draws the records' borders,
 * text, selection and highlights (its nodes are transparent in this mode:
 * graphStyle.ts `layerFills`), and this layer redraws whenever cytoscape renders
 * (pan, zoom, resize), from the same viewport, so the two never drift apart.
 */

/** What a unit's fill looks like (NaN marks and the backward animation's unlit state come from classes), edges, and the borders of records cytoscape does not hold. */
export interface FillColours { nan: string; unlit: string; edge: string; highlight: string; border: string; param: string; loss: string; nanBorder: string; hc: boolean }

/** A record's border look, as the stylesheet draws it (graphStyle.ts): computed, input (dashed), param (double), loss, NaN, group (double). */
const enum Look { Computed, Input, Param, Loss, Nan, Group }

export class FillLayer {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private x = new Float64Array(0);
  private y = new Float64Array(0);
  private w = new Float64Array(0);
  private h = new Float64Array(0);
  private fills: string[] = [];
  private ids: string[] = [];
  private els: (cytoscape.NodeSingular | null)[] = [];
  private active = false;
  /** Edges as segments between record centres: x1 y1 x2 y2 per edge; intoGroup edges are lighter. */
  private seg = new Float64Array(0);
  private segInto = new Uint8Array(0);
  private segEnds: [string, string][] = [];
  /** Highlighted path (element ids) or null: edges with both ends on it are highlighted, the rest dimmed. */
  private path: ReadonlySet<string> | null = null;
  private pending = 0;
  /** Each unit's border look, and whether it is NaN now (for records cytoscape does not hold). */
  private looks = new Uint8Array(0);
  private nans = new Uint8Array(0);

  /**
   * `virtual`: ids of records not (yet) in cytoscape (graphView.ts: a big drawing holds only the records near the
   * viewport). This layer draws them whole: fill and border, NaN and dimmed states included.
   */
  constructor(private readonly cy: cytoscape.Core, private readonly container: HTMLElement, private colours: FillColours, private readonly virtual: ReadonlyMap<string, unknown>) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "gs-fill-layer";
    this.canvas.setAttribute("aria-hidden", "true");
    Object.assign(this.canvas.style, { position: "absolute", left: "0", top: "0", pointerEvents: "none", zIndex: "0" });
    const ctx = this.canvas.getContext("2d", { alpha: true });
    if (!ctx) throw new Error("no 2d canvas");
    this.ctx = ctx;
    // Cytoscape's own canvases sit in the first child of the container (z-index 1–3): ours goes under them.
    const host = (container.firstElementChild as HTMLElement | null) ?? container;
    host.insertBefore(this.canvas, host.firstChild);
    cy.on("render", () => { if (this.active) this.draw(); });
    cy.on("resize", () => { if (this.active) this.draw(); });
    cy.on("gradscope:lit", () => this.requestDraw());
  }

  get enabled(): boolean { return this.active; }

  setColours(c: FillColours): void { this.colours = c; if (this.active) this.draw(); }

  /**
   * A fresh drawing whose records this layer fills (ids[u] is unit u's element, fills[u] its colour),
   * or null: cytoscape fills them itself (small drawings), and this layer is blank.
   */
  reset(d: Drawing | null, ids: string[], fills: string[], nans: boolean[] = []): void {
    this.active = d !== null;
    if (!d) { this.clear(); this.fills = []; this.ids = []; this.els = []; return; }
    const n = ids.length;
    this.x = new Float64Array(n); this.y = new Float64Array(n);
    this.w = new Float64Array(n); this.h = new Float64Array(n);
    this.looks = new Uint8Array(n);
    this.nans = Uint8Array.from(nans, (b) => (b ? 1 : 0));
    for (const node of d.nodes) {
      if (node.kind === "op") continue;
      this.x[node.unit] = node.x; this.y[node.unit] = node.y; this.w[node.unit] = node.w; this.h[node.unit] = node.h;
      this.looks[node.unit] = node.kind === "group" ? Look.Group : node.role === "loss" ? Look.Loss : node.role === "param" ? Look.Param : node.role === "input" ? Look.Input : Look.Computed;
    }
    this.ids = ids;
    this.fills = fills.slice();
    this.els = new Array(n).fill(null);
    const at = new Map<string, { x: number; y: number }>();
    for (const node of d.nodes) at.set(node.id, node);
    this.seg = new Float64Array(d.edges.length * 4);
    this.segInto = new Uint8Array(d.edges.length);
    this.segEnds = [];
    let k = 0;
    for (const e of d.edges) {
      const a = at.get(e.source), b = at.get(e.target);
      if (!a || !b) continue;
      this.seg[k * 4] = a.x; this.seg[k * 4 + 1] = a.y; this.seg[k * 4 + 2] = b.x; this.seg[k * 4 + 3] = b.y;
      this.segInto[k] = e.intoGroup ? 1 : 0;
      this.segEnds.push([e.source, e.target]);
      k++;
    }
    this.seg = this.seg.subarray(0, k * 4);
    this.path = null;
    this.draw();
  }

  /** The edges along a highlighted path (null: none). */
  setPath(ids: ReadonlySet<string> | null): void { this.path = ids; if (this.active) this.requestDraw(); }

  /** Edges drawn by this layer (big drawings). */
  get edgeCount(): number { return this.active ? this.segEnds.length : 0; }

  /** Elements by unit, for per-element states (dim, unlit, nan); looked up lazily. */
  private el(u: number, id: string): cytoscape.NodeSingular | null {
    let e = this.els[u];
    if (e === null || e.removed()) { const got = this.cy.getElementById(id); e = got.empty() ? null : (got as cytoscape.NodeSingular); this.els[u] = e; }
    return e;
  }

  fillOf(u: number): string | undefined { return this.active ? this.fills[u] : undefined; }

  setFill(u: number, fill: string): void { this.fills[u] = fill; }

  /** A unit's NaN mark (drawn here while cytoscape does not hold its record). */
  setNan(u: number, nan: boolean): boolean {
    const v = nan ? 1 : 0;
    if (this.nans[u] === v) return false;
    this.nans[u] = v;
    return true;
  }

  /** The record under a model position (topmost), or null. */
  idAt(px: number, py: number): string | null {
    if (!this.active) return null;
    for (let u = this.ids.length - 1; u >= 0; u--) {
      if (Math.abs(px - this.x[u]) <= this.w[u] / 2 && Math.abs(py - this.y[u]) <= this.h[u] / 2) return this.ids[u];
    }
    return null;
  }

  /** Draw in the coming frame (several changes in one task draw once). */
  requestDraw(): void {
    if (!this.active || this.pending) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  private clear(): void {
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Redraw every on-screen fill for the current viewport. */
  draw(): void {
    if (this.pending) { cancelAnimationFrame(this.pending); this.pending = 0; }
    const cw = this.container.clientWidth, ch = this.container.clientHeight;
    const pr = window.devicePixelRatio || 1;
    const W = Math.max(1, Math.round(cw * pr)), H = Math.max(1, Math.round(ch * pr));
    if (this.canvas.width !== W || this.canvas.height !== H) {
      this.canvas.width = W; this.canvas.height = H;
      this.canvas.style.width = `${cw}px`; this.canvas.style.height = `${ch}px`;
    }
    const ctx = this.ctx;
    this.clear();
    const zoom = this.cy.zoom(), pan = this.cy.pan();
    ctx.setTransform(zoom * pr, 0, 0, zoom * pr, pan.x * pr, pan.y * pr);
    // The visible model rectangle (with a margin for the records' half sizes).
    const x1 = -pan.x / zoom, y1 = -pan.y / zoom, x2 = (cw - pan.x) / zoom, y2 = (ch - pan.y) / zoom;
    // Sub-pixel corners are invisible: plain rectangles when zoomed out.
    const round = zoom >= 0.35;
    this.drawEdges(x1, y1, x2, y2);
    let last = "";
    const n = this.fills.length;
    /** Records cytoscape does not hold, whose borders this layer draws: unit × 2 + dimmed, by look. */
    const bordered: number[][] = [[], [], [], [], [], []];
    const virtual = this.virtual, path = this.path;
    const unlit = this.cy.scratch(UNLIT) as UnlitState | undefined;
    for (let u = 0; u < n; u++) {
      let f = this.fills[u];
      const hw = this.w[u] / 2, hh = this.h[u] / 2, cx = this.x[u], cy = this.y[u];
      if (cx + hw < x1 || cx - hw > x2 || cy + hh < y1 || cy - hh > y2) continue;
      let alpha = 1;
      if (virtual.has(this.ids[u])) {
        const nan = this.nans[u] === 1, dim = path !== null && !path.has(this.ids[u]);
        if (nan) f = this.colours.nan;
        if (isUnlit(unlit, this.ids[u])) f = this.colours.unlit;
        if (dim) alpha = 0.25;
        bordered[nan ? Look.Nan : this.looks[u]].push(u * 2 + (dim ? 1 : 0));
      } else {
        const e = this.el(u, this.ids[u]);
        if (!e) continue;
        if (e.hasClass("nan")) f = this.colours.nan;
        if (e.hasClass("unlit")) f = this.colours.unlit;
        if (e.hasClass("dim")) alpha = 0.25;
      }
      if (f !== last) { ctx.fillStyle = f; last = f; }
      if (alpha !== 1) ctx.globalAlpha = alpha;
      if (round) {
        const r = Math.min(hw / 2, hh / 2, 8);
        ctx.beginPath();
        ctx.roundRect(cx - hw, cy - hh, hw * 2, hh * 2, r);
        ctx.fill();
      } else ctx.fillRect(cx - hw, cy - hh, hw * 2, hh * 2);
      if (alpha !== 1) ctx.globalAlpha = 1;
    }
    this.drawBorders(bordered, round, zoom);
  }

  /** Borders of the records cytoscape does not hold, one stroke per look (as graphStyle.ts draws them). */
  private drawBorders(bordered: number[][], round: boolean, zoom: number): void {
    const ctx = this.ctx, c = this.colours;
    const thin = c.hc ? 2 : 1;
    const looks: { colour: string; width: number; double?: boolean; dash?: number[] }[] = [
      { colour: c.border, width: thin }, { colour: c.border, width: thin, dash: [6, 3] }, { colour: c.param, width: 3, double: true },
      { colour: c.loss, width: 3 }, { colour: c.nanBorder, width: 4 }, { colour: c.border, width: 3, double: true },
    ];
    const outline = (u: number, inset: number) => {
      const hw = this.w[u] / 2 - inset, hh = this.h[u] / 2 - inset, cx = this.x[u], cy = this.y[u];
      if (hw <= 0 || hh <= 0) return;
      if (round) ctx.roundRect(cx - hw, cy - hh, hw * 2, hh * 2, Math.max(0, Math.min(hw / 2, hh / 2, 8)));
      else ctx.rect(cx - hw, cy - hh, hw * 2, hh * 2);
    };
    for (let k = 0; k < looks.length; k++) {
      const list = bordered[k];
      if (list.length === 0) continue;
      const look = looks[k];
      // Under ~3 screen px the two lines of a double border would blur to nothing: one line, as wide as the border.
      const double = look.double === true && look.width * zoom >= 3;
      ctx.strokeStyle = look.colour;
      ctx.setLineDash(look.dash ?? []);
      for (const dim of [0, 1]) {
        ctx.beginPath();
        let any = false;
        for (const v of list) {
          if ((v & 1) !== dim) continue;
          const u = v >> 1;
          // A double border: two thin lines, at the edge and inside it.
          if (double) { outline(u, -look.width / 3); outline(u, look.width / 3); } else outline(u, 0);
          any = true;
        }
        if (!any) continue;
        ctx.lineWidth = double ? look.width / 3 : look.width;
        ctx.globalAlpha = dim ? 0.25 : 1;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }
    ctx.setLineDash([]);
  }

  /** Edges crossing the visible rectangle, one stroke per look: plain, into a group (lighter), on the path, off it (dim). */
  private drawEdges(x1: number, y1: number, x2: number, y2: number): void {
    const ctx = this.ctx, s = this.seg, path = this.path;
    const m = this.segEnds.length;
    const looks = [
      { into: 0, on: false, colour: this.colours.edge, alpha: path ? 0.25 : 1, width: 1.2 },
      { into: 1, on: false, colour: this.colours.edge, alpha: path ? 0.25 * 0.55 : 0.55, width: 1.2 },
      ...(path ? [{ into: -1, on: true, colour: this.colours.highlight, alpha: 1, width: 2.5 }] : []),
    ];
    for (const look of looks) {
      ctx.beginPath();
      let any = false;
      for (let k = 0; k < m; k++) {
        const onPath = path !== null && path.has(this.segEnds[k][0]) && path.has(this.segEnds[k][1]);
        if (look.on ? !onPath : onPath || this.segInto[k] !== look.into) continue;
        const ax = s[4 * k], ay = s[4 * k + 1], bx = s[4 * k + 2], by = s[4 * k + 3];
        if (Math.max(ax, bx) < x1 || Math.min(ax, bx) > x2 || Math.max(ay, by) < y1 || Math.min(ay, by) > y2) continue;
        ctx.moveTo(ax, ay);
        ctx.lineTo(bx, by);
        any = true;
      }
      if (!any) continue;
      ctx.strokeStyle = look.colour;
      ctx.globalAlpha = look.alpha;
      ctx.lineWidth = look.width;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }
}
