import { formatCount, formatNumber as fmt } from "../../src/graph/format";
import { groupTitle } from "../../src/graph/groupTree";
import { nodeName } from "../../src/graph/nodeName";
import { NodeKind, OPS } from "../../src/protocol/ops";
import { nodeOpText } from "../../src/protocol/graph";
import { chainRule } from "../model/chainRule";
import { rootIndex, type GraphModel } from "../model/graphModel";
import { lastUpdateOf, paramUpdateText } from "../model/paramUpdate";
import { h } from "./dom";

/**
 * What a node is and why it has its gradient: the content of the hover
 * tooltip and of the pinned details pane (same text, so keyboard users get
 * what mouse users get).
 */

export function describeKind(m: GraphModel, i: number): string {
  if (i === rootIndex(m)) return "loss (root)";
  const kind = m.topology.kind[i];
  if (kind === NodeKind.param) return "parameter";
  if (kind === NodeKind.input) return "input";
  return "value";
}

export function sourceOf(m: GraphModel, i: number): string | null {
  const l = m.topology.loc[i];
  if (l < 0) return null;
  const loc = m.topology.locations[l];
  const file = loc.file.split(/[\\/]/).pop() ?? loc.file;
  return `${file}:${loc.line}`;
}

function opDescription(m: GraphModel, i: number): string {
  const t = m.topology;
  if (t.op[i] === 0) return "leaf";
  const name = OPS[t.op[i]]?.name ?? "?";
  const text = nodeOpText(t, i);
  const inputs = [t.in0[i], t.in1[i]].filter((j) => j >= 0).map((j) => nodeName(t, j));
  return `${name} (${text}) of ${inputs.join(", ") || "constants"}`;
}

export function nodeDetails(m: GraphModel, i: number): HTMLElement {
  const t = m.topology;
  const rule = chainRule(m, i);
  const grad = m.values.grad[i];
  const update = lastUpdateOf(m.updates, i);
  const src = sourceOf(m, i);
  const mismatch = i !== rootIndex(m) && rule.terms.length > 0 && !closeEnough(rule.sum, grad);
  const row = (k: string, v: string, cls = "") => h("div", { class: `row ${cls}` }, h("span", { class: "k" }, k), h("span", { class: "v" }, v));
  return h("div", { class: "node-details", "data-node": String(i) },
    h("div", { class: "title" }, h("b", null, nodeName(t, i)), h("span", { class: `kind kind-${describeKind(m, i).split(" ")[0]}` }, describeKind(m, i))),
    row("op", opDescription(m, i)),
    row("data", fmt(m.values.data[i]), Number.isNaN(m.values.data[i]) ? "nan" : ""),
    row("grad", fmt(grad), Number.isNaN(grad) ? "nan" : ""),
    src ? row("created at", src) : null,
    m.tree.groupOf[i] > 0 ? row("group", groupTitle(m.tree, m.tree.groupOf[i])) : null,
    h("div", { class: "chain", "data-testid": "chain-rule" }, rule.text),
    rule.deadConsumers > 0 ? h("div", { class: "note" }, `also used by ${rule.deadConsumers} node(s) that do not reach the loss`) : null,
    mismatch ? h("div", { class: "note warn" }, `recorded grad ${fmt(grad)} ≠ ${fmt(rule.sum)}: gradients accumulated across backward() calls? (zero them before each step)`) : null,
    update ? h("div", { class: "update", "data-testid": "param-update" }, `last update  ${paramUpdateText(update)}`) : null,
  );
}

function closeEnough(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) === Number.isNaN(b);
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** A collapsed group's card: where it is, its size, its largest gradient, and exactly what a click on it does. */
export function groupDetails(m: GraphModel, g: number, maxAbsGrad: number, clickDoes: string): HTMLElement {
  const row = (k: string, v: string) => h("div", { class: "row" }, h("span", { class: "k" }, k), h("span", { class: "v" }, v));
  return h("div", { class: "node-details group-details" },
    h("div", { class: "title" }, h("b", null, groupTitle(m.tree, g)), h("span", { class: "kind" }, "group")),
    row("nodes", formatCount(m.tree.count[g])),
    row("max |grad|", fmt(maxAbsGrad)),
    h("div", { class: "note" }, clickDoes),
  );
}
