import type cytoscape from "cytoscape";
import { valueId } from "../graph/graphElements";
import { consumersOf, type GraphModel } from "../model/graphModel";

/**
 * Moving between nodes without a mouse: left to an input, right to a consumer
 * (the one on the way to the loss first), up/down to the neighbour in the same column.
 */
export function neighbour(cy: cytoscape.Core, m: GraphModel, from: number, dir: "left" | "right" | "up" | "down"): number | null {
  const shown = (i: number) => i >= 0 && cy.getElementById(valueId(i)).nonempty();
  if (dir === "left") {
    for (const j of [m.topology.in0[from], m.topology.in1[from]]) if (shown(j)) return j;
    return null;
  }
  if (dir === "right") {
    const cs = Array.from(consumersOf(m, from)).filter(shown);
    return cs.find((c) => m.reachesRoot[c]) ?? cs[0] ?? null;
  }
  const here = cy.getElementById(valueId(from));
  if (here.empty()) return null;
  const x = here.position().x, y = here.position().y;
  let best: number | null = null, bestDy = Infinity;
  cy.nodes(".value").forEach((n) => {
    const p = n.position();
    if (Math.abs(p.x - x) > 1) return;
    const dy = dir === "down" ? p.y - y : y - p.y;
    if (dy > 0 && dy < bestDy) { bestDy = dy; best = n.data("node") as number; }
  });
  return best;
}
