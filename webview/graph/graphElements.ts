import type cytoscape from "cytoscape";
import type { DrawNode, Drawing, DrawSource } from "../../src/graph/drawing";
import type { GraphModel } from "../model/graphModel";
import { edgeFlow, FLOW_MAX_UNITS } from "./gradientFlow";
import type { GradientScale } from "./gradientScale";

/**
 * A drawing (src/graph/drawing.ts: positions, sizes, text) as cytoscape
 * elements: colours come from the theme's gradient scale, visual states are
 * classes. Ids encode what an element stands for (`n12` value, `o12` op, `g7` group).
 */

export { groupId, opId, valueId } from "../../src/graph/drawing";

export function valueClasses(role: DrawNode["role"], nan: boolean): string {
  const classes = ["value", role === "param" ? "param" : role === "input" ? "input" : "computed"];
  if (role === "loss") classes.push("loss");
  if (nan) classes.push("nan");
  return classes.join(" ");
}

const isNanAt = (m: GraphModel, i: number) => Number.isNaN(m.values.data[i]) || Number.isNaN(m.values.grad[i]);

export function buildElements(m: GraphModel, src: DrawSource, d: Drawing, scale: GradientScale): cytoscape.ElementDefinition[] {
  const els: cytoscape.ElementDefinition[] = [];
  for (const n of d.nodes) {
    const base = { id: n.id, unit: n.unit, w: n.w, h: n.h, label: n.lines.join("\n") };
    const position = { x: n.x, y: n.y };
    if (n.kind === "group") {
      const g = src.groupGrad[n.group];
      els.push({ group: "nodes", data: { ...base, group: n.group, path: src.tree.key[n.group], fill: scale.fill(g) }, position, classes: "group" + (Number.isNaN(g) ? " nan" : "") });
    } else if (n.kind === "op") {
      els.push({ group: "nodes", data: { ...base, node: n.node }, position, classes: n.lines[0].length > 3 ? "op wide" : "op" });
    } else {
      els.push({ group: "nodes", data: { ...base, node: n.node, fill: scale.fill(m.values.grad[n.node]) }, position, classes: valueClasses(n.role, isNanAt(m, n.node)) });
    }
  }
  // Small graphs: each edge shows the gradient flowing back along it (gradientFlow.ts).
  const withFlow = src.units.units.length <= FLOW_MAX_UNITS;
  for (const e of d.edges) {
    const flow = withFlow && e.flowTo !== undefined ? { flowFrom: e.flowFrom, flowTo: e.flowTo, stroke: scale.stroke(edgeFlow(m, e.flowFrom!, e.flowTo)) } : {};
    els.push({ group: "edges", data: { id: e.id, source: e.source, target: e.target, ...flow }, classes: e.intoGroup ? "into-group" : "" });
  }
  return els;
}
