import { NodeKind } from "../../protocol/ops";
import { nodeOpText, type Snapshot } from "../../protocol/graph";

/** Display text of node i: `label = data` for values, the op for op-only nodes. */
export function nodeTitle(s: Snapshot, i: number): string {
  const t = s.topology;
  return t.label[i] ?? (t.op[i] === 0 ? `#${i}` : nodeOpText(t, i));
}

const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x));
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Graphviz, in micrograd's draw_dot style: value records, op circles, left to right. */
export function toDot(s: Snapshot): string {
  const t = s.topology;
  const lines = ["digraph gradscope {", "  rankdir=LR;", '  node [fontname="Helvetica"];'];
  for (let i = 0; i < t.op.length; i++) {
    const name = t.label[i] ?? (t.op[i] === 0 ? `#${i}` : "");
    lines.push(`  v${i} [shape=record, label="{ ${esc(name).replace(/[{}|]/g, "\\$&")} | data ${fmt(s.values.data[i])} | grad ${fmt(s.values.grad[i])} }"${t.kind[i] === NodeKind.param ? ", style=filled, fillcolor=lightyellow" : ""}];`);
    if (t.op[i] === 0) continue;
    lines.push(`  op${i} [shape=circle, label="${esc(nodeOpText(t, i))}"];`, `  op${i} -> v${i};`);
    for (const src of [t.in0[i], t.in1[i]]) if (src >= 0) lines.push(`  v${src} -> op${i};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** A self-contained SVG: columns by topological depth, rows by creation order. For small and medium graphs. */
export function toSvg(s: Snapshot): string {
  const t = s.topology;
  const n = t.op.length;
  const depth = new Int32Array(n);
  for (let i = 0; i < n; i++) depth[i] = Math.max(t.in0[i] >= 0 ? depth[t.in0[i]] + 1 : 0, t.in1[i] >= 0 ? depth[t.in1[i]] + 1 : 0);
  const rows = new Map<number, number>();
  const pos: [number, number][] = [];
  // Loops, not Math.max(...array): spreading 120k+ numbers overflows the call stack.
  let maxDepth = 0, maxRows = 1;
  for (let i = 0; i < n; i++) {
    const r = rows.get(depth[i]) ?? 0;
    rows.set(depth[i], r + 1);
    pos.push([20 + depth[i] * 200, 20 + r * 60]);
    maxDepth = Math.max(maxDepth, depth[i]);
    maxRows = Math.max(maxRows, r + 1);
  }
  const width = 20 + (maxDepth + 1) * 200;
  const height = 20 + maxRows * 60;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`];
  for (let i = 0; i < n; i++)
    for (const src of [t.in0[i], t.in1[i]])
      if (src >= 0) parts.push(`<line x1="${pos[src][0] + 160}" y1="${pos[src][1] + 20}" x2="${pos[i][0]}" y2="${pos[i][1] + 20}" stroke="#888"/>`);
  for (let i = 0; i < n; i++) {
    const [x, y] = pos[i];
    const g = s.values.grad[i];
    const fill = Number.isNaN(g) || Number.isNaN(s.values.data[i]) ? "#f9c" : g > 0 ? "#fdd" : g < 0 ? "#ddf" : "#eee";
    parts.push(
      `<g><rect x="${x}" y="${y}" width="160" height="40" rx="4" fill="${fill}" stroke="#444"/>`,
      `<text x="${x + 6}" y="${y + 15}">${esc(nodeTitle(s, i))}</text>`,
      `<text x="${x + 6}" y="${y + 32}">data ${fmt(s.values.data[i])} · grad ${fmt(g)}</text></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
