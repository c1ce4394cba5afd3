import type cytoscape from "cytoscape";

/**
 * Fitting the drawing to the panel, and keeping it fitted: while the user has
 * not zoomed or panned, a resize re-fits (and may re-choose orientation and
 * detail); the first wheel, drag or pinch hands the viewport to the user
 * until they press Fit or a new model starts.
 */

/** Space kept free around the drawing, CSS px. */
export const FIT_PAD = 10;
/** A tiny graph fitted to a big panel would be huge: records stay record-sized. */
export const MAX_FIT_ZOOM = 1.6;
/** Below this a huge graph is specks: stay readable-ish and start at the loss, where backward() starts. */
export const MIN_FIT_ZOOM = 0.3;

/** The space a drawing may use, in CSS px (the chooser plans with a little less, so the real fit never lands under zoom 1). */
export function fitArea(container: HTMLElement, slack = 0): { width: number; height: number } {
  return { width: Math.max(1, container.clientWidth - 2 * (FIT_PAD + slack)), height: Math.max(1, container.clientHeight - 2 * (FIT_PAD + slack)) };
}

/** Room outside a record's box that borders and selection take, model px. */
const BORDER_ROOM = 4;

/**
 * Fits a drawing's bounds (known from the layout: asking cytoscape for a bounding box
 * with labels costs seconds at 5k nodes) into the container; huge graphs stop at
 * MIN_FIT_ZOOM, centred on `anchor` (the loss, where backward() starts).
 */
export function fitBounds(cy: cytoscape.Core, container: HTMLElement, b: { x1: number; y1: number; x2: number; y2: number }, anchor: { x: number; y: number } | null): void {
  const w = b.x2 - b.x1 + 2 * BORDER_ROOM, h = b.y2 - b.y1 + 2 * BORDER_ROOM;
  const area = fitArea(container);
  let zoom = Math.min(area.width / Math.max(1, w), area.height / Math.max(1, h), MAX_FIT_ZOOM);
  let cx = (b.x1 + b.x2) / 2, cy0 = (b.y1 + b.y2) / 2;
  if (zoom < MIN_FIT_ZOOM) {
    zoom = MIN_FIT_ZOOM;
    if (anchor) { cx = anchor.x; cy0 = anchor.y; }
  }
  cy.viewport({ zoom, pan: { x: container.clientWidth / 2 - cx * zoom, y: container.clientHeight / 2 - cy0 * zoom } });
}

/** Brings a part of the drawing into view (what a group opened into): fitted if it fits a legible zoom, else its centre at MIN_FIT_ZOOM; nothing moves if it is already in view. */
export function frameElements(cy: cytoscape.Core, container: HTMLElement, els: cytoscape.Collection): void {
  if (els.empty()) return;
  frameBounds(cy, container, els.boundingBox({ includeLabels: true, includeOverlays: false }));
}

/** frameElements for model bounds known without cytoscape (a big drawing's records need not be in it). */
export function frameBounds(cy: cytoscape.Core, container: HTMLElement, bb: { x1: number; y1: number; x2: number; y2: number; w: number; h: number }): void {
  const ext = cy.extent();
  if (bb.x1 >= ext.x1 && bb.x2 <= ext.x2 && bb.y1 >= ext.y1 && bb.y2 <= ext.y2) return;
  const area = fitArea(container);
  const zoom = Math.max(MIN_FIT_ZOOM, Math.min(area.width / Math.max(1, bb.w), area.height / Math.max(1, bb.h), MAX_FIT_ZOOM));
  const cx = (bb.x1 + bb.x2) / 2, cy0 = (bb.y1 + bb.y2) / 2;
  cy.viewport({ zoom, pan: { x: container.clientWidth / 2 - cx * zoom, y: container.clientHeight / 2 - cy0 * zoom } });
}

/** Calls `onResize` (at most once a frame) when the container changes size, and tracks whether the user took the viewport. */
export class ViewportTracker {
  /** True once the user zoomed or panned by hand. */
  userOwned = false;
  private frame = 0;
  private lastSize = "";

  constructor(cy: cytoscape.Core, container: HTMLElement, onResize: () => void) {
    cy.on("dragpan scrollzoom pinchzoom", () => { this.userOwned = true; });
    new ResizeObserver(() => {
      const size = `${container.clientWidth}x${container.clientHeight}`;
      if (size === this.lastSize || this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.lastSize = `${container.clientWidth}x${container.clientHeight}`;
        cy.resize();
        onResize();
      });
    }).observe(container);
  }
}
