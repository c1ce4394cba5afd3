import { formatNumber } from "../graph/format";
import { nodeName } from "../graph/nodeName";
import type { Snapshot } from "../protocol/graph";
import { NodeKind } from "../protocol/ops";

/** `a = 2 · ∂loss/∂a = 42` — the one-line story of a node at this step (the panel's names and number format). */
export function nodeValueText(s: Snapshot, node: number): string {
  const name = nodeName(s.topology, node);
  return `${name} = ${formatNumber(s.values.data[node])} · ∂loss/∂${name} = ${formatNumber(s.values.grad[node])}`;
}

export function isLeafWorthShowing(s: Snapshot, node: number): boolean {
  const kind = s.topology.kind[node];
  return kind === NodeKind.input || kind === NodeKind.param;
}
