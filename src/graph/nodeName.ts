import type { GraphTopology } from "../protocol/graph";
import { nodeOpText } from "../protocol/graph";
import { NodeKind, OPS } from "../protocol/ops";

/**
 * The one name of a node, wherever it is shown (panel, tooltips, search,
 * editor hovers, CLI exports): the user's or the inferred label, else what it
 * is and its index — `tanh#12`, `param#3`, `input#0`.
 */
export function nodeName(t: GraphTopology, i: number): string {
  const label = t.label[i];
  if (label !== null && label !== undefined) return label;
  if (t.op[i] === 0) return `${t.kind[i] === NodeKind.param ? "param" : t.kind[i] === NodeKind.input ? "input" : "leaf"}#${i}`;
  return `${OPS[t.op[i]]?.name ?? "op"}#${i}`;
}

/**
 * What a record says it is when there is no separate op circle: the label
 * with its op (`d = + 1`), or just the op for unlabelled results (`× 1.5`),
 * so a small drawing still shows the arithmetic.
 */
export function recordTitle(t: GraphTopology, i: number): string {
  const label = t.label[i];
  if (t.op[i] === 0) return nodeName(t, i);
  const op = nodeOpText(t, i);
  return label === null || label === undefined ? op : `${label} = ${op}`;
}
