import type { GraphTopology, GraphValues } from "../protocol/graph";
import { nodeOpText } from "../protocol/graph";
import { NodeKind } from "../protocol/ops";
import type { GroupTree } from "./groupTree";
import { layeredLayout, type LayoutResult } from "./layeredLayout";
import { DETAIL_SPECS, DETAILS, fitLines, groupLines, linesChars, valueLines, type Detail } from "./recordText";
import type { UnitGraph } from "./visibleUnits";

/**
 * Units → positioned records, op circles and edges, in either orientation and
 * at any level of detail. The panel turns a drawing into cytoscape elements,
 * the SVG exporter into markup, so both show the same picture. `chooseView`
 * picks orientation and detail for the space there is: top to bottom in a
 * tall panel (as Netron and TensorBoard do), left to right in a wide one, and
 * the richest records that still fit with text of at least FONT_PX on screen.
 */

export type Orientation = "LR" | "TB";

/** Record text size at zoom 1, in CSS px: a drawing is readable when it fits at zoom ≥ 1. */
export const FONT_PX = 11;
export const LINE_H = 14;
/** Advance of one monospace character at FONT_PX: DejaVu Sans Mono and Menlo are 0.602 em (6.62 px), Consolas 0.55 em. */
export const CHAR_W = 6.7;
const PAD_X = 12, PAD_Y = 8;
export const OP_D = 26;
const OP_GAP = 12;
const GAPS = { LR: { layer: 28, row: 10 }, TB: { layer: 18, row: 8 } } as const;
/** Past this many units only the two cheap-to-compute levels are considered (the text no longer decides anything). */
const LADDER_MAX_UNITS = 600;
/** Past this many units ops fold into records: half the elements. */
export const FOLD_OPS_UNITS = 300;

export const valueId = (node: number) => `n${node}`;
export const opId = (node: number) => `o${node}`;
export const groupId = (group: number) => `g${group}`;

export type Role = "loss" | "param" | "input" | "computed";

export interface DrawNode {
  id: string;
  kind: "value" | "op" | "group";
  unit: number;
  /** Graph node (value records and op circles), else -1. */
  node: number;
  /** Group id (group boxes), else -1. */
  group: number;
  role?: Role;
  x: number; y: number; w: number; h: number;
  lines: string[];
}

export interface DrawEdge {
  id: string; source: string; target: string;
  /** Many edges converge on a collapsed group: drawn lighter, without arrowheads. */
  intoGroup: boolean;
  /** The gradient flowing back along the edge is ∂loss/∂flowTo · ∂flowTo/∂flowFrom (flowFrom -1: op circle → its record). */
  flowFrom?: number; flowTo?: number;
}

export interface Drawing {
  orientation: Orientation;
  detail: Detail;
  /** Record width of each unit in characters (labels rewritten on a step are cut to it). */
  chars: Uint16Array;
  /** Layers longer than this across the flow were folded into bands. */
  maxSpan: number;
  nodes: DrawNode[];
  edges: DrawEdge[];
  bounds: { x1: number; y1: number; x2: number; y2: number };
}

export interface DrawSource {
  topology: GraphTopology;
  values: GraphValues;
  tree: GroupTree;
  units: UnitGraph;
  /** Signed largest gradient per group (groupExtremes). */
  groupGrad: Float64Array;
}

export function layoutOf(units: UnitGraph): LayoutResult {
  return layeredLayout({ count: units.units.length, edges: units.unitEdges });
}

/** Text lines of unit u at a level of detail, before cutting to width. */
export function unitLines(src: DrawSource, u: number, detail: Detail): string[] {
  const unit = src.units.units[u];
  return unit.kind === "group"
    ? groupLines(src.tree, unit.group, Math.abs(src.groupGrad[unit.group]), detail)
    : valueLines(src.topology, src.values, unit.node, detail);
}

/** The same, cut to a record's width in characters. */
export function fittedLines(src: DrawSource, u: number, detail: Detail, chars: number): string[] {
  return fitLines(unitLines(src, u, detail), chars, src.units.units[u].kind === "group");
}

const MIN_CHARS = 4;
const recordW = (chars: number) => Math.ceil(chars * CHAR_W + PAD_X);
const recordH = (detail: Detail) => DETAIL_SPECS[detail].lines * LINE_H + PAD_Y;
const opW = (text: string) => Math.max(OP_D, Math.ceil(text.length * CHAR_W + 10));

/** chooseView measures every detail in both orientations and several foldings: the text widths of one source are computed once per detail. */
const charsCache = new WeakMap<DrawSource, Map<Detail, Uint16Array>>();

/** Each record is as wide as its own text needs (up to the detail's limit): narrow records let a wide layer fit. */
function unitChars(src: DrawSource, detail: Detail): Uint16Array {
  let perDetail = charsCache.get(src);
  if (!perDetail) { perDetail = new Map(); charsCache.set(src, perDetail); }
  const cached = perDetail.get(detail);
  if (cached) return cached;
  const chars = measureChars(src, detail);
  perDetail.set(detail, chars);
  return chars;
}

function measureChars(src: DrawSource, detail: Detail): Uint16Array {
  const { maxChars, maxGroupChars } = DETAIL_SPECS[detail];
  const units = src.units.units, n = units.length;
  const chars = new Uint16Array(n);
  for (let u = 0; u < n; u++) {
    const max = units[u].kind === "group" ? maxGroupChars : maxChars;
    chars[u] = Math.max(MIN_CHARS, Math.min(max, n > LADDER_MAX_UNITS ? max : linesChars(unitLines(src, u, detail))));
  }
  return chars;
}

/**
 * Geometry shared by extentOf and drawGraph: record widths, op circles, and
 * "bands" — a layer, or a part of one: a layer longer than `maxSpan` across
 * the flow (101 calls of one neuron side by side) folds into several bands
 * one after the other, so it reads as a block instead of a 3,000-px column.
 */
interface Geometry {
  chars: Uint16Array; w: Float64Array; h: number; ops: boolean; opWidth: number;
  /** Band of each unit; bands are in flow order. */
  band: Int32Array;
  /** Per band: thickness along the flow (LR: widest record) and length across it (TB: widths and gaps). */
  thick: number[]; span: number[];
  /** Units of each band, in row order. */
  members: number[][];
}

function geometry(src: DrawSource, layout: LayoutResult, orientation: Orientation, detail: Detail, maxSpan = Infinity): Geometry {
  const t = src.topology, units = src.units.units, gap = GAPS[orientation];
  const chars = unitChars(src, detail);
  const w = Float64Array.from(chars, recordW);
  const h = recordH(detail);
  const ops = DETAIL_SPECS[detail].opCircles && units.some((u) => u.kind === "node" && t.op[u.node] !== 0);
  let opWidth = 0;
  if (ops) for (const u of units) if (u.kind === "node" && t.op[u.node] !== 0) opWidth = Math.max(opWidth, opW(nodeOpText(t, u.node)));
  const byLayer: number[][] = Array.from({ length: Math.max(1, layout.layerCount) }, () => []);
  for (let u = 0; u < units.length; u++) byLayer[layout.layer[u]].push(u);
  const band = new Int32Array(units.length);
  const thick: number[] = [], span: number[] = [], members: number[][] = [];
  const size = (u: number) => (orientation === "LR" ? h : w[u]);
  for (const layer of byLayer) {
    // A layer emptied by pulling sources forward takes no room.
    if (layer.length === 0) continue;
    layer.sort((a, b) => layout.row[a] - layout.row[b]);
    // Bands of equal length: a folded layer reads as a block, not as full columns and a stub.
    let total = 0;
    for (const u of layer) total += size(u) + gap.row;
    const parts = Math.max(1, Math.ceil((total - gap.row) / Math.max(1, maxSpan)));
    const perPart = Math.ceil(layer.length / parts);
    for (let k = 0; k < layer.length; k += perPart) {
      const part = layer.slice(k, k + perPart);
      const b = thick.length;
      let th = 0, sp = 0;
      for (const u of part) { band[u] = b; th = Math.max(th, orientation === "LR" ? w[u] : h); sp += size(u); }
      thick.push(th);
      span.push(sp + Math.max(0, part.length - 1) * gap.row);
      members.push(part);
    }
  }
  return { chars, w, h, ops, opWidth, band, thick, span, members };
}

const leadOf = (g: Geometry, o: Orientation) => (g.ops ? (o === "LR" ? g.opWidth : OP_D) + OP_GAP : 0);

/** Size of the drawing at zoom 1, without building it. */
export function extentOf(src: DrawSource, layout: LayoutResult, orientation: Orientation, detail: Detail, maxSpan = Infinity): { width: number; height: number } {
  const g = geometry(src, layout, orientation, detail, maxSpan), gap = GAPS[orientation];
  let along = 0, across = 0;
  for (let b = 0; b < g.thick.length; b++) { along += g.thick[b] + leadOf(g, orientation); across = Math.max(across, g.span[b]); }
  along += Math.max(0, g.thick.length - 1) * gap.layer;
  return orientation === "LR" ? { width: along, height: across } : { width: across, height: along };
}

export interface ViewChoice {
  orientation: Orientation;
  detail: Detail;
  /** Zoom that fits the drawing to the area (before any clamping). */
  zoom: number;
  /** Fits with text of at least FONT_PX on screen. */
  readable: boolean;
  /** Layers longer than this across the flow fold into bands (Infinity: none do). */
  maxSpan: number;
}

/** Below this zoom records are too small to tell apart without zooming in, so the drawing might as well be the richest. */
const LEGIBLE_ZOOM = 0.45;
/** Up to this many units the most compact candidate is taken even below LEGIBLE_ZOOM. */
const COMPACT_WINS_UNITS = 400;
/** Zooms a folded drawing is planned for: fold long layers to the panel's size at these zooms. */
const FOLD_ZOOMS = [1, 0.8, 0.6, 0.45];

/**
 * Orientation from the aspect ratio (of the area, or of the whole panel when
 * the caller says which it prefers: a 700×900 panel's graph area is square); then the richest detail that fits
 * at zoom ≥ 1. Only when nothing fits that way in the preferred orientation
 * is the other one tried. When nothing is readable, the largest text that
 * still fits wins if it is legible; failing that (a big graph), records with
 * their ops folded in (or draw_dot's full records when small), to zoom into.
 */
export function chooseView(src: DrawSource, layout: LayoutResult, area: { width: number; height: number }, prefer?: Orientation): ViewChoice {
  const preferred: Orientation = prefer ?? (area.height > area.width ? "TB" : "LR");
  const other: Orientation = preferred === "TB" ? "LR" : "TB";
  const count = src.units.units.length;
  const ladder = count > LADDER_MAX_UNITS ? [] : DETAILS;
  const zoomOf = (o: Orientation, d: Detail, maxSpan: number) => {
    const e = extentOf(src, layout, o, d, maxSpan);
    return Math.min(area.width / Math.max(1, e.width), area.height / Math.max(1, e.height));
  };
  let best: ViewChoice | null = null;
  for (const o of [preferred, other]) {
    // Folding long layers to the panel's size helps when the drawing is too long across and has room along.
    const across = o === "LR" ? area.height : area.width;
    const spans = [Infinity, ...FOLD_ZOOMS.map((z) => across / z)];
    for (const d of ladder) {
      let pick: ViewChoice | null = null;
      for (const maxSpan of spans) {
        const zoom = zoomOf(o, d, maxSpan);
        if (!pick || zoom > pick.zoom) pick = { orientation: o, detail: d, zoom, readable: zoom >= 1, maxSpan };
      }
      if (pick!.readable) return pick!;
      if (!best || pick!.zoom > best.zoom) best = pick;
    }
  }
  // Up to a few groups' worth of units the most compact drawing wins even when small: folded, it stays a block one can click into.
  if (best && (best.zoom >= LEGIBLE_ZOOM || count <= COMPACT_WINS_UNITS)) return best;
  const detail: Detail = count > FOLD_OPS_UNITS ? "folded" : "full";
  return { orientation: preferred, detail, zoom: zoomOf(preferred, detail, Infinity), readable: false, maxSpan: Infinity };
}

export function drawGraph(src: DrawSource, layout: LayoutResult, orientation: Orientation, detail: Detail, maxSpan = Infinity): Drawing {
  const t = src.topology, { units, unitOf } = src.units;
  const geo = geometry(src, layout, orientation, detail, maxSpan), gap = GAPS[orientation];
  const lead = leadOf(geo, orientation);
  const bands = geo.thick.length;
  // Where each band starts along the flow, and where each record sits across it.
  const bandStart = new Float64Array(bands);
  for (let b = 1; b < bands; b++) bandStart[b] = bandStart[b - 1] + lead + geo.thick[b - 1] + gap.layer;
  const acrossOf = new Float64Array(units.length);
  geo.members.forEach((members, b) => {
    let at = -geo.span[b] / 2;
    for (const u of members) {
      const size = orientation === "LR" ? geo.h : geo.w[u];
      acrossOf[u] = at + size / 2;
      at += size + gap.row;
    }
  });
  const root = t.op.length - 1;
  const nodes: DrawNode[] = [];
  const edges: DrawEdge[] = [];
  const edgeIds = new Set<string>();
  const addEdge = (e: DrawEdge) => { if (!edgeIds.has(e.id)) { edgeIds.add(e.id); edges.push(e); } };
  const elementOfUnit = (u: number) => { const unit = units[u]; return unit.kind === "node" ? valueId(unit.node) : groupId(unit.group); };

  units.forEach((unit, u) => {
    const b = geo.band[u], w = geo.w[u], h = geo.h;
    const along = bandStart[b] + lead + geo.thick[b] / 2;
    const x = orientation === "LR" ? along : acrossOf[u], y = orientation === "LR" ? acrossOf[u] : along;
    const lines = fitLines(unitLines(src, u, detail), geo.chars[u], unit.kind === "group");
    if (unit.kind === "group") {
      nodes.push({ id: groupId(unit.group), kind: "group", unit: u, node: -1, group: unit.group, x, y, w, h, lines });
      return;
    }
    const i = unit.node;
    const role: Role = i === root ? "loss" : t.kind[i] === NodeKind.param ? "param" : t.kind[i] === NodeKind.input ? "input" : "computed";
    nodes.push({ id: valueId(i), kind: "value", unit: u, node: i, group: -1, role, x, y, w, h, lines });
    if (!geo.ops || t.op[i] === 0) return;
    const text = nodeOpText(t, i);
    const ox = orientation === "LR" ? x - w / 2 - OP_GAP - opW(text) / 2 : x;
    const oy = orientation === "LR" ? y : y - h / 2 - OP_GAP - OP_D / 2;
    nodes.push({ id: opId(i), kind: "op", unit: u, node: i, group: -1, x: ox, y: oy, w: opW(text), h: OP_D, lines: [text] });
    addEdge({ id: `${opId(i)}>${valueId(i)}`, source: opId(i), target: valueId(i), intoGroup: false, flowFrom: -1, flowTo: i });
  });
  // Edges after nodes: from each input's unit into the op circle, or into the group that swallowed the consumer.
  for (let i = 0; i < unitOf.length; i++) {
    const u = unitOf[i];
    if (u < 0) continue;
    for (const j of [t.in0[i], t.in1[i]]) {
      if (j < 0 || unitOf[j] < 0 || unitOf[j] === u) continue;
      const intoGroup = units[u].kind === "group";
      const target = intoGroup ? elementOfUnit(u) : geo.ops && t.op[i] !== 0 ? opId(i) : valueId(i);
      const source = elementOfUnit(unitOf[j]);
      const flow = units[unitOf[j]].kind === "node" && !intoGroup ? { flowFrom: j, flowTo: i } : {};
      addEdge({ id: `${source}>${target}`, source, target, intoGroup, ...flow });
    }
  }
  return { orientation, detail, chars: geo.chars, maxSpan, nodes, edges, bounds: boundsOf(nodes) };
}

function boundsOf(nodes: DrawNode[]): Drawing["bounds"] {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const d of nodes) {
    x1 = Math.min(x1, d.x - d.w / 2); x2 = Math.max(x2, d.x + d.w / 2);
    y1 = Math.min(y1, d.y - d.h / 2); y2 = Math.max(y2, d.y + d.h / 2);
  }
  return nodes.length ? { x1, y1, x2, y2 } : { x1: 0, y1: 0, x2: 0, y2: 0 };
}
