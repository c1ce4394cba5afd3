import { nodeOpText, type Snapshot } from "../protocol/graph";
import { NodeKind, OPS } from "../protocol/ops";

/**
 * The two CSVs Export Graph offers. Numbers are written in full (String(x): round-trips, and
 * NaN / Infinity / -Infinity stay readable); text fields are quoted when they need it.
 */

const KIND_NAMES = Object.fromEntries(Object.entries(NodeKind).map(([name, code]) => [code, name])) as Record<number, string>;

/** The loss curve: one row per step (per merged point, once a very long run's history is merged). */
export function lossCurveCsv(curve: { from: number; stride: number; losses: ArrayLike<number> }): string {
  const rows = ["step,loss"];
  for (let i = 0; i < curve.losses.length; i++) rows.push(`${curve.from + i * curve.stride},${curve.losses[i]}`);
  return rows.join("\n") + "\n";
}

/** One row per node of a step's graph: what it is, where it sits, its value and gradient. */
export function nodesCsv(s: Snapshot): string {
  const t = s.topology;
  const rows = ["id,label,op,kind,data,grad,group"];
  for (let i = 0; i < t.op.length; i++) {
    const op = t.op[i] === 0 ? OPS[0].name : nodeOpText(t, i);
    const group = t.group[i] >= 0 ? t.groups[t.group[i]] : "";
    rows.push([i, field(t.label[i] ?? ""), field(op), KIND_NAMES[t.kind[i]] ?? "", s.values.data[i], s.values.grad[i], field(group)].join(","));
  }
  return rows.join("\n") + "\n";
}

function field(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
