import { nodeOpText, type Snapshot } from "../protocol/graph";
import { NodeKind, OPS } from "../protocol/ops";
import { nodeName } from "./nodeName";

/**
 * The two CSV exports, named for what they hold: the loss curve (one row per
 * step) and the graph (one row per node). Numbers are JavaScript's own text
 * (round-trips exactly; NaN and Infinity spelled out), not the display format.
 */

export type CsvContent = "loss" | "nodes";

export function csvFileName(content: CsvContent, step?: number): string {
  return content === "loss" ? "gradscope-loss-curve.csv" : `gradscope-nodes${step !== undefined ? `-step${step}` : ""}.csv`;
}

/** `step,loss` — one row per recorded step. */
export function lossCsv(steps: ArrayLike<number>, losses: ArrayLike<number>): string {
  const rows = ["step,loss"];
  for (let i = 0; i < steps.length; i++) rows.push(`${steps[i]},${losses[i]}`);
  return rows.join("\n") + "\n";
}

const KIND = { [NodeKind.value]: "value", [NodeKind.input]: "input", [NodeKind.param]: "param" } as Record<number, string>;

/** One row per node of the snapshot: what it is, where it was made, and its numbers at this step. */
export function nodesCsv(s: Snapshot): string {
  const t = s.topology;
  const rows = ["node,name,op,kind,data,grad,input0,input1,group,file,line"];
  for (let i = 0; i < t.op.length; i++) {
    const loc = t.loc[i] >= 0 ? t.locations[t.loc[i]] : null;
    const op = t.op[i] === 0 ? "leaf" : `${OPS[t.op[i]]?.name ?? "?"} ${nodeOpText(t, i)}`;
    rows.push([
      i, cell(nodeName(t, i)), cell(op), KIND[t.kind[i]] ?? "value", s.values.data[i], s.values.grad[i],
      t.in0[i] >= 0 ? t.in0[i] : "", t.in1[i] >= 0 ? t.in1[i] : "",
      cell(t.group[i] >= 0 ? t.groups[t.group[i]] : ""), cell(loc?.file ?? ""), loc?.line ?? "",
    ].join(","));
  }
  return rows.join("\n") + "\n";
}

/** RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula. */
function cell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
