import type cytoscape from "cytoscape";
import { formatNumber as fmt } from "../../src/graph/format";
import { groupId, valueId } from "../../src/graph/drawing";
import { nodeName } from "../../src/graph/nodeName";
import type { GradcheckRow } from "../../src/protocol/health";
import type { InsightHostMessage } from "../../src/protocol/insightPanel";
import type { GraphModel } from "../model/graphModel";
import { h } from "../panel/dom";

/**
 * What the Gradcheck, What-if and Explain tabs show: the host's answers for
 * the step on screen, as tables and lines whose node names are buttons
 * (click: show that node).
 */

type Msg<T extends InsightHostMessage["type"]> = Extract<InsightHostMessage, { type: T }>;

export function nodeButton(m: GraphModel | null, node: number, goTo: (node: number) => void): HTMLElement {
  const name = m && node < m.topology.op.length ? nodeName(m.topology, node) : `#${node}`;
  const b = h("button", { class: "node-link", title: "Show this node" }, name);
  b.addEventListener("click", () => goTo(node));
  return b;
}

/** Gradcheck rows, largest relative error first, each with its ok / flagged badge. */
export function gradcheckTable(msg: Msg<"insight/gradcheck">, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  if (msg.error) return h("p", { class: "insight-error", role: "alert" }, msg.error);
  const flagged = msg.rows.filter((r) => r.flagged).length;
  const summary = h("p", { class: "insight-summary", role: "status" },
    `Step ${msg.step}: ${msg.rows.length} checked, ${flagged ? `${flagged} flagged` : "all ok"} (central differences of the replayed graph; flagged above 1e-4 relative error).` +
    (msg.truncated ? ` ${msg.truncated} more not checked.` : ""));
  const body = h("tbody", null);
  for (const r of msg.rows) body.append(gradcheckRow(r, m, goTo));
  const table = h("table", { class: "gradcheck-table", "aria-label": "Gradcheck, sorted by relative error" },
    h("thead", null, h("tr", null, ...["node", "analytic", "numeric", "rel. error", "recorded grad", ""].map((c) => h("th", { scope: "col" }, c)))), body);
  return h("div", null, summary, table);
}

function gradcheckRow(r: GradcheckRow, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  const badge = h("span", { class: "check-badge", "data-flagged": String(r.flagged) }, r.flagged ? "flagged" : "ok");
  return h("tr", { "data-node": String(r.node), "data-flagged": String(r.flagged) },
    h("td", null, nodeButton(m, r.node, goTo)), h("td", null, fmt(r.analytic)), h("td", null, fmt(r.numeric)),
    h("td", null, r.relError.toExponential(1)), h("td", null, fmt(r.recorded)), h("td", null, badge));
}

/** ΔL predicted by the gradient next to the replayed ΔL, and the nodes that moved most. */
export function whatIfResult(msg: Msg<"insight/whatif">, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  if (msg.error) return h("p", { class: "insight-error", role: "alert" }, msg.error);
  const dx = msg.to - msg.from;
  const ratio = msg.predicted !== 0 ? msg.actual / msg.predicted : NaN;
  const agree = Number.isFinite(ratio) && Math.abs(ratio - 1) < 0.05 ? "they agree: the loss is close to linear here" : "they differ: the loss curves over this change (try a smaller Δx)";
  const lines = h("div", { class: "whatif-lines", role: "status" },
    h("div", null, `Δx = ${fmt(msg.to)} − ${fmt(msg.from)} = ${fmt(dx)}`),
    h("div", { class: "predicted" }, `predicted ΔL ≈ grad · Δx = ${fmt(msg.grad)} × ${fmt(dx)} = ${fmt(msg.predicted)}`),
    h("div", { class: "actual" }, `actual ΔL = ${fmt(msg.lossAfter)} − ${fmt(msg.lossBefore)} = ${fmt(msg.actual)}`),
    h("div", { class: "muted" }, msg.actual === 0 && msg.predicted === 0 ? "The loss does not depend on this value here." : agree));
  const top = topMoved(msg.moved, msg.node, 6);
  const moved = top.length ? h("div", { class: "moved" }, "Moved most: ", ...top.flatMap(([i, d], k) => [k ? ", " : "", nodeButton(m, i, goTo), ` Δ ${fmt(d)}`])) : null;
  return h("div", null, lines, moved);
}

function topMoved(moved: Float64Array, except: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < moved.length; i++) {
    const d = moved[i];
    if (i === except || !(d > 0) && !Number.isNaN(d)) continue;
    out.push([i, d]);
    if (out.length > 4 * k) { out.sort((a, b) => b[1] - a[1]); out.length = k; }
  }
  return out.sort((a, b) => b[1] - a[1]).slice(0, k);
}

/** The top paths to the loss with their products, and their sum next to the gradient; for a zero gradient, why. */
export function explanation(msg: Msg<"insight/explain">, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  if (msg.error) return h("p", { class: "insight-error", role: "alert" }, msg.error);
  const name = (i: number) => (m && i < m.topology.op.length ? nodeName(m.topology, i) : `#${i}`);
  const root = msg.paths[0]?.nodes.at(-1);
  const head = h("p", { class: "insight-summary", role: "status" },
    `∂${root !== undefined ? name(root) : "loss"}/∂${name(msg.node)} = ${fmt(msg.gradient)}: the sum over ${fmtCount(msg.pathCount)} path${msg.pathCount === 1 ? "" : "s"} to the loss of the product of local derivatives along each.` +
    (msg.recorded !== msg.gradient && !(Number.isNaN(msg.recorded) && Number.isNaN(msg.gradient)) ? ` (The recorded grad is ${fmt(msg.recorded)}: it accumulated over backward() calls.)` : ""));
  const list = h("ol", { class: "paths", "aria-label": "Paths to the loss, largest contribution first" });
  for (const p of msg.paths) {
    const chain: (Node | string)[] = [];
    p.nodes.forEach((n, i) => { if (i) chain.push(" → "); chain.push(nodeButton(m, n, goTo)); });
    const product = p.factors.length ? `${p.factors.map(fmt).join(" × ")} = ${fmt(p.product)}` : "1";
    list.append(h("li", null, h("span", { class: "chain" }, ...chain), h("span", { class: "product" }, product)));
  }
  const shownAll = msg.paths.length === msg.pathCount;
  const sum = msg.paths.length ? h("p", { class: "path-sum" },
    shownAll ? `Σ of the ${msg.paths.length} path${msg.paths.length > 1 ? "s" : ""} = ${fmt(msg.shownSum)} = the gradient ${fmt(msg.gradient)}`
      : `Σ of these ${msg.paths.length} (largest) = ${fmt(msg.shownSum)}; all ${fmtCount(msg.pathCount)} paths sum to the gradient ${fmt(msg.gradient)}`) : null;
  const why = msg.why ? h("p", { class: "why-zero" }, "Why 0: ", msg.why, ...(msg.blockers ?? []).flatMap((b, i) => [i ? " " : " ", nodeButton(m, b, goTo)])) : null;
  return h("div", null, head, why, list, sum);
}

function fmtCount(x: number): string {
  return x < 1e15 ? Math.round(x).toLocaleString("en-US") : x.toExponential(2);
}

/**
 * What-if colouring: a halo on each drawn element whose value moved, stronger
 * for larger moves (log scale relative to the largest). Drawn as an overlay,
 * like the finding badges, so the graph's own colours stay the gradient's.
 */
export class MovedHalo {
  private moved: Float64Array | null = null;
  private frame = 0;
  private readonly layer: HTMLDivElement;

  constructor(private readonly cy: cytoscape.Core, graphArea: HTMLElement, private readonly model: () => GraphModel | null) {
    this.layer = h("div", { class: "moved-halos", "aria-hidden": "true" });
    graphArea.append(this.layer);
    cy.on("render", () => this.soon());
  }

  set(moved: Float64Array | null): void {
    this.moved = moved;
    this.soon();
  }

  private soon(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  private draw(): void {
    const m = this.model(), moved = this.moved;
    if (!m || !moved || moved.length !== m.topology.op.length) { this.layer.replaceChildren(); return; }
    const byElement = new Map<string, number>();
    for (let i = 0; i < moved.length; i++) {
      const d = Number.isNaN(moved[i]) ? Infinity : moved[i];
      if (!(d > 0)) continue;
      let id = valueId(i);
      if (this.cy.getElementById(id).empty()) {
        id = "";
        for (let g = m.tree.groupOf[i]; g > 0; g = m.tree.parent[g]) if (!this.cy.getElementById(groupId(g)).empty()) { id = groupId(g); break; }
        if (!id) continue;
      }
      byElement.set(id, Math.max(byElement.get(id) ?? 0, d));
    }
    let max = 0;
    for (const d of byElement.values()) if (Number.isFinite(d)) max = Math.max(max, d);
    const halos: HTMLElement[] = [];
    for (const [id, d] of [...byElement].sort((a, b) => b[1] - a[1]).slice(0, 400)) {
      const box = this.cy.getElementById(id).renderedBoundingBox({ includeLabels: false });
      // Six decades below the largest move fade to nothing.
      const strength = !Number.isFinite(d) || max === 0 ? 1 : Math.max(0.08, 1 + Math.log10(d / max) / 6);
      const halo = h("span", { class: "moved-halo", "data-element": id });
      halo.style.left = `${Math.round(box.x1 - 4)}px`;
      halo.style.top = `${Math.round(box.y1 - 4)}px`;
      halo.style.width = `${Math.round(box.w + 8)}px`;
      halo.style.height = `${Math.round(box.h + 8)}px`;
      halo.style.opacity = strength.toFixed(2);
      halos.push(halo);
    }
    this.layer.replaceChildren(...halos);
  }
}
