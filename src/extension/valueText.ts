import type { Snapshot } from "../protocol/graph";
import { NodeKind, OPS } from "../protocol/ops";

/** Short, stable number text for hovers and inline values: 42, 0.5, 1.235e-7. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** The name a node goes by: its label, else its op. */
export function nodeName(s: Snapshot, node: number): string {
  return s.topology.label[node] ?? OPS[s.topology.op[node]]?.name ?? `#${node}`;
}

/** `a = 2 · ∂loss/∂a = 42` — the one-line story of a node at this step. */
export function nodeValueText(s: Snapshot, node: number): string {
  const name = nodeName(s, node);
  return `${name} = ${formatNumber(s.values.data[node])} · ∂loss/∂${name} = ${formatNumber(s.values.grad[node])}`;
}

export function isLeafWorthShowing(s: Snapshot, node: number): boolean {
  const kind = s.topology.kind[node];
  return kind === NodeKind.input || kind === NodeKind.param;
}
