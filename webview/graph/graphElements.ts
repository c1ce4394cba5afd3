import type cytoscape from "cytoscape";
import { NodeKind } from "../../src/protocol/ops";
import { nodeOpText } from "../../src/protocol/graph";
import { fmt, fmtRecord } from "../format";
import { layeredLayout } from "../layout/layeredLayout";
import { nodeName, rootIndex, type GraphModel } from "../model/graphModel";
import { edgeFlow, FLOW_MAX_UNITS } from "./gradientFlow";
import type { GradientScale } from "./gradientScale";
import { OP_D, RECORD_W } from "./graphStyle";
import type { VisibleGraph } from "./visibleGraph";

/** Element builders: one typed function per kind of element, ids that encode what they stand for. */

export const valueId = (node: number) => `n${node}`;
export const opId = (node: number) => `o${node}`;
export const groupId = (unit: number) => `g${unit}`;

/** Horizontal distance between layers: a record, its op circle, and breathing room. */
const COLUMN_W = RECORD_W + OP_D + 60;
const ROW_H = 76;

export function valueLabel(m: GraphModel, i: number, compact = false): string {
  return `${compact ? compactTitle(m, i) : nodeName(m, i)}\ndata ${fmtRecord(m.values.data[i])}\ngrad ${fmtRecord(m.values.grad[i])}`;
}

/** In compact mode the op circle is gone, so the record says which op made it: `d = … + 1`. */
function compactTitle(m: GraphModel, i: number): string {
  if (m.topology.op[i] === 0 || m.topology.label[i] === null) return nodeName(m, i);
  return `${nodeName(m, i)} = ${nodeOpText(m.topology, i)}`;
}

export function groupLabel(path: string, count: number, maxAbsGrad: number): string {
  // The last two path segments say which one it is (`layer1/neuron3`); the full path is in the tooltip.
  const tail = path.split("/").slice(-2).join("/");
  const short = tail.length > 22 ? `…${tail.slice(-21)}` : tail;
  return `▸ ${short}\n${count.toLocaleString("en-US")} nodes\nmax |grad| ${fmt(maxAbsGrad)}`;
}

export function valueClasses(m: GraphModel, i: number): string {
  const kind = m.topology.kind[i];
  const classes = ["value", kind === NodeKind.param ? "param" : kind === NodeKind.input ? "input" : "computed"];
  if (i === rootIndex(m)) classes.push("loss");
  if (Number.isNaN(m.values.data[i]) || Number.isNaN(m.values.grad[i])) classes.push("nan");
  return classes.join(" ");
}

/** Per group unit: the signed gradient of largest magnitude among its members (NaN wins, so it is never hidden). */
export function groupGradients(m: GraphModel, vg: VisibleGraph): Map<number, number> {
  const out = new Map<number, number>();
  const grad = m.values.grad;
  for (let i = 0; i < vg.unitOf.length; i++) {
    const u = vg.unitOf[i];
    if (u < 0 || vg.units[u].kind !== "group") continue;
    const prev = out.get(u);
    const g = grad[i];
    if (prev === undefined || Number.isNaN(g) || (!Number.isNaN(prev) && Math.abs(g) > Math.abs(prev))) out.set(u, g);
  }
  return out;
}

export function buildElements(m: GraphModel, vg: VisibleGraph, scale: GradientScale): cytoscape.ElementDefinition[] {
  const t = m.topology;
  const { layer, row } = layeredLayout({ count: vg.units.length, edges: vg.unitEdges });
  const layerSize = new Int32Array(layer.reduce((a, b) => Math.max(a, b + 1), 0));
  for (let u = 0; u < layer.length; u++) layerSize[layer[u]]++;
  const position = (u: number) => ({ x: layer[u] * COLUMN_W, y: (row[u] - (layerSize[layer[u]] - 1) / 2) * ROW_H });

  const groupGrad = groupGradients(m, vg);
  const els: cytoscape.ElementDefinition[] = [];
  const edgeSeen = new Set<string>();
  const withFlow = !vg.compact && vg.units.length <= FLOW_MAX_UNITS;
  const edge = (source: string, target: string, classes = "", flow?: { from: number; to: number }) => {
    const id = `${source}>${target}`;
    if (edgeSeen.has(id)) return;
    edgeSeen.add(id);
    const data = withFlow && flow ? { id, source, target, flowFrom: flow.from, flowTo: flow.to, stroke: scale.stroke(edgeFlow(m, flow.from, flow.to)) } : { id, source, target };
    els.push({ group: "edges", data, classes });
  };
  const unitElementId = (u: number) => (vg.units[u].kind === "node" ? valueId((vg.units[u] as { node: number }).node) : groupId(u));

  vg.units.forEach((unit, u) => {
    const pos = position(u);
    if (unit.kind === "group") {
      const g = groupGrad.get(u) ?? 0;
      els.push({ group: "nodes", data: { id: groupId(u), unit: u, path: unit.path, label: groupLabel(unit.path, unit.count, Math.abs(g)), fill: scale.fill(g) }, position: pos, classes: "group" + (Number.isNaN(g) ? " nan" : "") });
      return;
    }
    const i = unit.node;
    els.push({ group: "nodes", data: { id: valueId(i), unit: u, node: i, label: valueLabel(m, i, vg.compact), fill: scale.fill(m.values.grad[i]) }, position: pos, classes: valueClasses(m, i) });
    if (t.op[i] === 0 || vg.compact) return;
    const text = nodeOpText(m.topology, i);
    const opX = pos.x - RECORD_W / 2 - OP_D / 2 - 20;
    els.push({ group: "nodes", data: { id: opId(i), node: i, label: text }, position: { x: opX, y: pos.y }, classes: text.length > 3 ? "op wide" : "op" });
    edge(opId(i), valueId(i), "", { from: -1, to: i });
  });
  // Edges after nodes: from each input's unit into the op circle, or into the group that swallowed the consumer.
  for (let i = 0; i < vg.unitOf.length; i++) {
    const u = vg.unitOf[i];
    if (u < 0) continue;
    for (const j of [t.in0[i], t.in1[i]]) {
      if (j < 0 || vg.unitOf[j] < 0 || vg.unitOf[j] === u) continue;
      const intoGroup = vg.units[u].kind === "group";
      const target = intoGroup ? groupId(u) : vg.compact || t.op[i] === 0 ? valueId(i) : opId(i);
      const fromNode = vg.units[vg.unitOf[j]].kind === "node" && !intoGroup;
      edge(unitElementId(vg.unitOf[j]), target, intoGroup ? "into-group" : "", fromNode ? { from: j, to: i } : undefined);
    }
  }
  return els;
}
