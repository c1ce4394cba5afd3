import type { Snapshot } from "../protocol/graph";
import { chooseView, drawGraph, FONT_PX, layoutOf, LINE_H, type DrawNode, type Drawing, type DrawSource } from "./drawing";
import { formatCount } from "./format";
import { buildGroupTree, groupExtremes } from "./groupTree";
import { collapseUnits, initialExpansion } from "./visibleUnits";

/**
 * The one SVG exporter: a drawing (src/graph/drawing.ts) as standalone
 * markup, no DOM needed. The panel exports what it shows, in its theme's
 * colours; the CLI exports a snapshot with `snapshotToSvg`, which draws a
 * graph of any size: past `maxUnits` it draws the grouping the panel opens
 * with (and says so in the picture), never one element per node of a
 * 200k-node graph.
 */

export interface SvgPalette {
  background: string;
  foreground: string;
  border: string;
  edge: string;
  opFill: string;
  param: string;
  loss: string;
  nan: string;
  /** Record fill for a gradient (diverging: sign by hue, magnitude by strength). */
  fill(grad: number): string;
  fontFamily: string;
}

/** For files without a theme (the CLI): light, print-friendly, red = positive gradient, blue = negative. */
export const LIGHT_PALETTE: SvgPalette = {
  background: "#ffffff", foreground: "#1f1f1f", border: "#8a8a8a", edge: "#9a9a9a", opFill: "#eeeeee",
  param: "#8250df", loss: "#d18616", nan: "#bf8700", fontFamily: "ui-monospace, Menlo, Consolas, monospace",
  fill: (g) => {
    if (Number.isNaN(g)) return "#ffe08a";
    if (g === 0 || !Number.isFinite(g)) return "#f3f3f3";
    const strength = Math.min(1, Math.max(0.15, (Math.log10(Math.abs(g)) + 4) / 6));
    const light = Math.round(97 - 25 * strength);
    return g > 0 ? `hsl(0, 75%, ${light}%)` : `hsl(212, 80%, ${light}%)`;
  },
};

export interface SvgOptions {
  /** A line above the drawing, e.g. what was grouped. */
  note?: string;
  title?: string;
}

export function drawingToSvg(d: Drawing, src: DrawSource, p: SvgPalette, opts: SvgOptions = {}): string {
  const pad = 20, noteH = opts.note ? LINE_H + 10 : 0;
  const b = d.bounds;
  const w = Math.ceil(b.x2 - b.x1 + 2 * pad), h = Math.ceil(b.y2 - b.y1 + 2 * pad + noteH);
  const ox = pad - b.x1, oy = pad + noteH - b.y1;
  const byId = new Map<string, DrawNode>();
  for (const n of d.nodes) byId.set(n.id, n);
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${esc(p.fontFamily)}" font-size="${FONT_PX}">`,
    opts.title ? `<title>${esc(opts.title)}</title>` : "",
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${p.edge}"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="${p.background}"/>`,
    opts.note ? `<text x="${pad}" y="${pad + LINE_H / 2}" dominant-baseline="central" fill="${p.foreground}">${esc(opts.note)}</text>` : "",
  ];
  for (const e of d.edges) {
    const s = byId.get(e.source), t = byId.get(e.target);
    if (!s || !t) continue;
    const [x1, y1] = boxExit(s, t.x, t.y), [x2, y2] = boxExit(t, s.x, s.y);
    parts.push(`<line x1="${r(x1 + ox)}" y1="${r(y1 + oy)}" x2="${r(x2 + ox)}" y2="${r(y2 + oy)}" stroke="${p.edge}" stroke-width="1.2"${e.intoGroup ? ` opacity="0.55"` : ` marker-end="url(#arrow)"`}/>`);
  }
  const { data, grad } = src.values;
  for (const n of d.nodes) {
    const x = n.x + ox, y = n.y + oy;
    let shape: string;
    if (n.kind === "op") {
      shape = `<ellipse cx="${r(x)}" cy="${r(y)}" rx="${r(n.w / 2)}" ry="${r(n.h / 2)}" fill="${p.opFill}" stroke="${p.border}"/>`;
    } else {
      const g = n.kind === "group" ? src.groupGrad[n.group] : grad[n.node];
      const nan = Number.isNaN(g) || (n.kind === "value" && Number.isNaN(data[n.node]));
      const stroke = nan ? p.nan : n.role === "loss" ? p.loss : n.role === "param" ? p.param : p.border;
      const sw = nan || n.role === "loss" ? 3 : n.role === "param" || n.kind === "group" ? 2 : 1;
      const dash = n.role === "input" ? ` stroke-dasharray="4 3"` : "";
      shape = `<rect x="${r(x - n.w / 2)}" y="${r(y - n.h / 2)}" width="${r(n.w)}" height="${r(n.h)}" rx="5" fill="${p.fill(g)}" stroke="${stroke}" stroke-width="${sw}"${dash}/>`;
    }
    const y0 = y - ((n.lines.length - 1) * LINE_H) / 2;
    const text = n.lines.map((line, k) => `<text x="${r(x)}" y="${r(y0 + k * LINE_H)}" text-anchor="middle" dominant-baseline="central" fill="${p.foreground}">${esc(line)}</text>`).join("");
    parts.push(`<g id="${esc(n.id)}" class="${n.kind}${n.role ? ` ${n.role}` : ""}">${shape}${text}</g>`);
  }
  parts.push(`</svg>`);
  return parts.filter(Boolean).join("\n") + "\n";
}

/** Where the line from the centre of `n` towards (tx, ty) leaves its box. */
function boxExit(n: DrawNode, tx: number, ty: number): [number, number] {
  const dx = tx - n.x, dy = ty - n.y;
  if (dx === 0 && dy === 0) return [n.x, n.y];
  const t = Math.min(dx !== 0 ? n.w / 2 / Math.abs(dx) : Infinity, dy !== 0 ? n.h / 2 / Math.abs(dy) : Infinity);
  return [n.x + dx * t, n.y + dy * t];
}

export interface SnapshotSvgOptions {
  /** Past this many drawn elements' worth of units, draw the grouping instead of every node. */
  maxUnits?: number;
  palette?: SvgPalette;
  /** Area to choose orientation and detail for (the CLI has no panel: a wide page). */
  area?: { width: number; height: number };
}

/** A snapshot as SVG, for the CLI: every node when it fits `maxUnits`, else the panel's opening grouping. Any size: linear time. */
export function snapshotToSvg(s: Snapshot, opts: SnapshotSvgOptions = {}): string {
  const maxUnits = opts.maxUnits ?? 2000;
  const t = s.topology, n = t.op.length;
  const tree = buildGroupTree(t);
  const all = new Set(tree.key.slice(1));
  const expanded = n <= maxUnits ? all : initialExpansion(tree, maxUnits);
  const units = collapseUnits(t, tree, expanded);
  const src: DrawSource = { topology: t, values: s.values, tree, units, groupGrad: groupExtremes(tree, s.values.grad) };
  const layout = layoutOf(units);
  // A file has no viewport: by default the richest records, left to right, like draw_dot.
  const choice = chooseView(src, layout, opts.area ?? { width: Infinity, height: Infinity });
  const d = drawGraph(src, layout, choice.orientation, choice.detail, choice.maxSpan);
  const shown = units.units.length;
  const note = shown < n
    ? `${formatCount(n)} nodes, drawn as ${formatCount(shown)} groups and nodes (the panel's grouping): export JSON or CSV for every node.`
    : undefined;
  return drawingToSvg(d, src, opts.palette ?? LIGHT_PALETTE, { note, title: `Gradscope graph, step ${s.step}` });
}

const r = (v: number) => Math.round(v * 10) / 10;
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
