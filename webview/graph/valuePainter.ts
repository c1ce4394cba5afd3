import type cytoscape from "cytoscape";
import { fittedLines, groupId, valueId, type Drawing, type DrawSource } from "../../src/graph/drawing";
import type { FillLayer } from "./fillLayer";
import type { GradientScale } from "./gradientScale";

/**
 * Writes step values into cytoscape without freezing the panel. Every data
 * write costs cytoscape a style recalculation, so: only elements whose colour
 * bucket, NaN mark or label text changed are touched; labels are rewritten
 * only where they can be read (on screen, at a zoom where text is drawn) and
 * caught up when the viewport moves; and the writes run in per-frame chunks,
 * on-screen elements first. A newer step replaces whatever is still queued.
 * In a big drawing the colours are not cytoscape's at all: they go to the
 * FillLayer, all at once, and only labels and NaN marks reach cytoscape.
 */

/** Element writes per frame: ~0.2 ms each in cytoscape, so a frame stays near 16 ms. */
const WRITES_PER_FRAME = 80;
/** Labels below this on-screen font size are not drawn by cytoscape (min-zoomed-font-size), so not worth writing. */
export const READABLE_ZOOM = 0.55;

/** label null: not computed (zoomed out too far to read it); it is when the user zooms in. */
interface Drawn { fill: string; label: string | null; nan: boolean }

export class ValuePainter {
  private drawn: Drawn[] = [];
  private ids: string[] = [];
  private target: Drawn[] = [];
  private queue: number[] = [];
  private frame = 0;
  private latest: { src: DrawSource; d: Drawing; scale: GradientScale } | null = null;
  private labelsStale = false;
  /** Big drawings: colours are painted by this layer (fillLayer.ts), not written into cytoscape. */
  private layer: FillLayer | null = null;
  /** What each element's data(fill) holds (in layer mode it lags behind: only a PNG export needs it). */
  private cyFill: string[] = [];

  constructor(private readonly cy: cytoscape.Core, private readonly fillLayer: FillLayer) {
    cy.on("viewport", () => this.refresh());
  }

  /** Catch up in the coming frame with what the viewport now shows (or what elements arrived: a drawing added in slices). */
  refresh(): void {
    this.schedule(() => {
      if (this.labelsStale && this.cy.zoom() >= READABLE_ZOOM) this.computeLabels();
      this.enqueueChanged();
    });
  }

  /** The text of the latest step, now that it can be read. */
  private computeLabels(): void {
    const l = this.latest;
    if (!l) return;
    this.target = computeTargets(l.src, l.d, l.scale, true);
    this.labelsStale = false;
  }

  /** Pending writes: 0 once everything on screen matches the latest step. */
  get pending(): number { return this.queue.length; }

  /** A fresh set of elements was added with these values already drawn (the drawing's own text: no second formatting pass). */
  reset(src: DrawSource, d: Drawing, scale: GradientScale, useLayer: boolean, labelsDrawn: boolean): void {
    this.cancel();
    this.ids = src.units.units.map((u) => (u.kind === "group" ? groupId(u.group) : valueId(u.node)));
    const lines: string[] = new Array(this.ids.length);
    for (const n of d.nodes) if (n.kind !== "op") lines[n.unit] = n.lines.join("\n");
    const { data, grad } = src.values;
    this.target = src.units.units.map((unit, u) => {
      const g = unit.kind === "group" ? src.groupGrad[unit.group] : grad[unit.node];
      const nan = unit.kind === "group" ? Number.isNaN(g) : Number.isNaN(data[unit.node]) || Number.isNaN(g);
      return { fill: scale.fill(g), label: lines[u], nan };
    });
    // Added without text (too far out to read): the labels are written when the user zooms in.
    this.drawn = this.target.map((t) => ({ ...t, label: labelsDrawn ? t.label : "" }));
    this.cyFill = this.target.map((t) => t.fill);
    this.latest = { src, d, scale };
    this.labelsStale = false;
    this.layer = useLayer ? this.fillLayer : null;
    this.fillLayer.reset(useLayer ? d : null, this.ids, this.cyFill, this.target.map((t) => t.nan));
  }

  /** The colour a unit's record shows now (whoever paints it). */
  fillOf(u: number): string | undefined { return this.drawn[u]?.fill; }

  /** Layer mode: bring cytoscape's own data(fill) up to date (before it draws the records itself, for a PNG). */
  syncCytoscapeFills(): void {
    this.cy.batch(() => {
      for (let u = 0; u < this.drawn.length; u++) {
        const f = this.drawn[u].fill;
        if (this.cyFill[u] === f) continue;
        this.cy.getElementById(this.ids[u]).data("fill", f);
        this.cyFill[u] = f;
      }
    });
  }

  /** The elements are gone (a new model starts). */
  clear(): void {
    this.cancel();
    this.ids = [];
    this.target = [];
    this.drawn = [];
    this.cyFill = [];
    this.layer = null;
    this.fillLayer.reset(null, [], []);
  }

  update(src: DrawSource, d: Drawing, scale: GradientScale): void {
    this.latest = { src, d, scale };
    // Zoomed out, labels are not drawn: formatting thousands of numbers a step would be wasted.
    const withLabels = this.cy.zoom() >= READABLE_ZOOM;
    this.target = computeTargets(src, d, scale, withLabels);
    this.labelsStale = !withLabels;
    this.paintLayer();
    this.enqueueChanged();
    // The first chunk goes out now, so what the user looks at updates in this frame.
    this.flush();
  }

  /** Layer mode: every changed colour goes to the fill layer now, drawn in the coming frame; cytoscape is not touched. */
  private paintLayer(): void {
    const layer = this.layer;
    if (!layer) return;
    let changed = false;
    for (let u = 0; u < this.target.length; u++) {
      const f = this.target[u].fill, d = this.drawn[u];
      if (layer.setNan(u, this.target[u].nan)) changed = true;
      if (f === d.fill) continue;
      d.fill = f;
      layer.setFill(u, f);
      changed = true;
    }
    if (changed) layer.requestDraw();
  }

  /** Write everything now, readable or not (before an export, which must show the current numbers). */
  flushAll(): void {
    this.cancel();
    if (this.labelsStale) this.computeLabels();
    this.paintLayer();
    this.cy.batch(() => {
      for (let u = 0; u < this.target.length; u++) {
        const t = this.target[u], d = this.drawn[u];
        if (t.fill === d.fill && (t.label === null || t.label === d.label) && t.nan === d.nan) continue;
        const el = this.cy.getElementById(this.ids[u]);
        // Not in cytoscape (a big drawing holds the records near the viewport): written when it is added.
        if (el.empty()) continue;
        if (this.layer) { if (t.label !== null && t.label !== d.label) el.data("label", t.label); }
        else { el.data(t.label === null ? { fill: t.fill } : { fill: t.fill, label: t.label }); this.cyFill[u] = t.fill; }
        el.toggleClass("nan", t.nan);
        this.drawn[u] = { ...t, label: t.label ?? d.label };
      }
    });
  }

  private enqueueChanged(): void {
    const ext = this.cy.extent();
    const readable = this.cy.zoom() >= READABLE_ZOOM;
    const onScreen: number[] = [], offScreen: number[] = [];
    for (let u = 0; u < this.target.length; u++) {
      const t = this.target[u], d = this.drawn[u];
      const colourChanged = t.fill !== d.fill || t.nan !== d.nan;
      const labelChanged = t.label !== null && t.label !== d.label;
      if (!colourChanged && !labelChanged) continue;
      const el = this.cy.getElementById(this.ids[u]);
      if (el.empty()) continue;
      const p = el.position();
      const visible = p.x >= ext.x1 - 100 && p.x <= ext.x2 + 100 && p.y >= ext.y1 - 60 && p.y <= ext.y2 + 60;
      // An unreadable label can wait for the viewport to come to it; a colour cannot (it is what you see from afar).
      if (!colourChanged && !(visible && readable)) continue;
      (visible ? onScreen : offScreen).push(u);
    }
    this.queue = onScreen.concat(offScreen);
  }

  private flush = (): void => {
    this.frame = 0;
    const chunk = this.queue.splice(0, WRITES_PER_FRAME);
    if (chunk.length === 0) return;
    const ext = this.cy.extent();
    const readable = this.cy.zoom() >= READABLE_ZOOM;
    this.cy.batch(() => {
      for (const u of chunk) {
        const t = this.target[u], d = this.drawn[u];
        const el = this.cy.getElementById(this.ids[u]);
        if (el.empty()) continue;
        const p = el.position();
        const labelToo = readable && p.x >= ext.x1 - 100 && p.x <= ext.x2 + 100 && p.y >= ext.y1 - 60 && p.y <= ext.y2 + 60;
        const patch: { fill?: string; label?: string } = {};
        if (t.fill !== d.fill) { patch.fill = d.fill = t.fill; this.cyFill[u] = t.fill; }
        if (labelToo && t.label !== null && t.label !== d.label) patch.label = d.label = t.label;
        if (patch.fill !== undefined || patch.label !== undefined) el.data(patch);
        if (t.nan !== d.nan) { el.toggleClass("nan", t.nan); d.nan = t.nan; }
      }
    });
    if (this.queue.length > 0) this.frame = requestAnimationFrame(this.flush);
  };

  private scheduled = 0;
  private schedule(fn: () => void): void {
    if (this.scheduled) return;
    this.scheduled = requestAnimationFrame(() => {
      this.scheduled = 0;
      fn();
      if (this.queue.length > 0 && !this.frame) this.frame = requestAnimationFrame(this.flush);
    });
  }

  private cancel(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.queue = [];
  }
}

function computeTargets(src: DrawSource, d: Drawing, scale: GradientScale, withLabels: boolean): Drawn[] {
  const { data, grad } = src.values;
  return src.units.units.map((unit, u) => {
    const label = withLabels ? fittedLines(src, u, d.detail, d.chars[u]).join("\n") : null;
    if (unit.kind === "group") {
      const g = src.groupGrad[unit.group];
      return { fill: scale.fill(g), label, nan: Number.isNaN(g) };
    }
    const i = unit.node;
    return { fill: scale.fill(grad[i]), label, nan: Number.isNaN(data[i]) || Number.isNaN(grad[i]) };
  });
}
