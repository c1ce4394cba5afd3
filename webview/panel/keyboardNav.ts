import type { Drawing, Orientation } from "../../src/graph/drawing";
import type { VisibleGraph } from "../graph/visibleGraph";
import type { GraphModel } from "../model/graphModel";

/**
 * Moving between the drawn units (records and group boxes) without a mouse,
 * in the drawing's own directions: towards an input, towards a consumer (the
 * one on the way to the loss first), or to the neighbour in the same layer.
 * Left to right, ← → follow the data and ↑ ↓ stay in a layer; top to bottom, ↑ ↓ follow it.
 */

export type Direction = "left" | "right" | "up" | "down";
type Move = "input" | "consumer" | "previous" | "next";

export function moveFor(dir: Direction, o: Orientation): Move {
  if (o === "LR") return dir === "left" ? "input" : dir === "right" ? "consumer" : dir === "up" ? "previous" : "next";
  return dir === "up" ? "input" : dir === "down" ? "consumer" : dir === "left" ? "previous" : "next";
}

export function neighbourUnit(m: GraphModel, vg: VisibleGraph, d: Drawing, from: number, dir: Direction): number | null {
  const move = moveFor(dir, d.orientation);
  const e = vg.unitEdges;
  if (move === "input") {
    for (let k = 0; k < e.length; k += 2) if (e[k + 1] === from) return e[k];
    return null;
  }
  if (move === "consumer") {
    let first: number | null = null;
    for (let k = 0; k < e.length; k += 2) {
      if (e[k] !== from) continue;
      const to = vg.units[e[k + 1]];
      if (to.kind === "group" || m.reachesRoot[to.node]) return e[k + 1];
      first ??= e[k + 1];
    }
    return first;
  }
  // Same layer: same coordinate along the flow, nearest across it.
  const pos = new Map<number, { x: number; y: number }>();
  for (const n of d.nodes) if (n.kind !== "op") pos.set(n.unit, n);
  const here = pos.get(from);
  if (!here) return null;
  const along = (p: { x: number; y: number }) => (d.orientation === "LR" ? p.x : p.y);
  const across = (p: { x: number; y: number }) => (d.orientation === "LR" ? p.y : p.x);
  let best: number | null = null, bestGap = Infinity;
  for (const [u, p] of pos) {
    if (Math.abs(along(p) - along(here)) > 1) continue;
    const gap = move === "next" ? across(p) - across(here) : across(here) - across(p);
    if (gap > 0 && gap < bestGap) { bestGap = gap; best = u; }
  }
  return best;
}
