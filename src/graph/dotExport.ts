import { nodeOpText, type Snapshot } from "../protocol/graph";
import { NodeKind } from "../protocol/ops";
import { formatNumber } from "./format";
import { nodeName } from "./nodeName";

const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[{}|<>]/g, "\\$&");

/** Graphviz, in micrograd's draw_dot style: a record per value (name | data | grad), a circle per op, left to right. */
export function snapshotToDot(s: Snapshot): string {
  const t = s.topology;
  const lines = ["digraph gradscope {", "  rankdir=LR;", '  node [fontname="Helvetica"];'];
  for (let i = 0; i < t.op.length; i++) {
    const record = `{ ${esc(nodeName(t, i))} | data ${esc(formatNumber(s.values.data[i]))} | grad ${esc(formatNumber(s.values.grad[i]))} }`;
    lines.push(`  v${i} [shape=record, label="${record}"${t.kind[i] === NodeKind.param ? ", style=filled, fillcolor=lightyellow" : ""}];`);
    if (t.op[i] === 0) continue;
    lines.push(`  op${i} [shape=circle, label="${esc(nodeOpText(t, i))}"];`, `  op${i} -> v${i};`);
    for (const src of [t.in0[i], t.in1[i]]) if (src >= 0) lines.push(`  v${src} -> op${i};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
