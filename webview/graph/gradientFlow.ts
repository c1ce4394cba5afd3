import type cytoscape from "cytoscape";
import { derivativeWrt } from "../model/chainRule";
import type { GraphModel } from "../model/graphModel";
import type { GradientScale } from "./gradientScale";

/**
 * Edges coloured by the gradient that flows back along them: into the op that
 * made node `to` from input `from` flows ∂loss/∂to · ∂to/∂from, and from an op
 * circle to its record flows ∂loss/∂to. Only on small graphs, where one can follow them.
 */

export const FLOW_MAX_UNITS = 300;

/** Gradient carried backward by the edge `from → to` (from = -1: the op circle's edge into its own record). */
export function edgeFlow(m: GraphModel, from: number, to: number): number {
  return from < 0 ? m.values.grad[to] : m.values.grad[to] * derivativeWrt(m, to, from);
}

export function paintFlows(cy: cytoscape.Core, m: GraphModel, scale: GradientScale): void {
  cy.batch(() => {
    cy.edges("[flowTo]").forEach((e) => {
      const stroke = scale.stroke(edgeFlow(m, e.data("flowFrom"), e.data("flowTo")));
      if (e.data("stroke") !== stroke) e.data("stroke", stroke);
    });
  });
}
