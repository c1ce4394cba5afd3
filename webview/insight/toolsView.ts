import type cytoscape from "cytoscape";
import { formatNumber as fmt } from "../../src/graph/format";
import { groupId, valueId } from "../../src/graph/drawing";
import { nodeName } from "../../src/graph/nodeName";
import type { GradcheckRow } from "../../src/protocol/health";
import type { InsightResponse } from "../../src/protocol/insight";
import type { GraphModel } from "../model/graphModel";
import { h } from "../panel/dom";

/**
 * What the Gradcheck, What-if and Explain tabs show: the host's answers for
 * the step on screen, as tables and lines whose node names are buttons
 * (click: show that node).
 */

type Res<K extends InsightResponse["kind"]> = Extract<InsightResponse, { kind: K }>;

export function nodeButton(m: GraphModel | null, node: number, goTo: (node: number) => void): HTMLElement {
  const name = m && node < m.topology.op.length ? nodeName(m.topology, node) : `#${node}`;
  const b = h("button", { class: "node-link", title: "Show this node" }, name);
  b.addEventListener("click", () => goTo(node));
  return b;
}

/** The answer's note (e.g. answered from another step than the one asked about). */
function noteOf(r: { note?: string }): HTMLElement | null {
  return r.note ? h("p", { class: "muted note" }, r.note) : null;
}

/** Gradcheck rows, largest relative error first, each with its ok / flagged badge. */
export function gradcheckTable(r: Res<"gradcheck">, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  const flagged = r.rows.filter((x) => x.flagged).length;
  const summary = h("p", { class: "insight-summary", role: "status" },
    `Step ${r.step}: ${r.rows.length} checked, ${flagged ? `${flagged} flagged` : "all ok"} (central differences of the replayed graph; flagged above ${r.tol.toExponential(0)} relative error).`);
  const body = h("tbody", null);
  for (const row of r.rows) body.append(gradcheckRow(row, m, goTo));
  const table = h("table", { class: "gradcheck-table", "aria-label": "Gradcheck, sorted by relative error" },
    h("thead", null, h("tr", null, ...["node", "analytic", "numeric", "rel. error", "recorded grad", ""].map((c) => h("th", { scope: "col" }, c)))), body);
  return h("div", null, summary, noteOf(r), table);
}

function gradcheckRow(r: GradcheckRow, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  const badge = r.kink && !r.flagged
    ? h("span", { class: "check-badge", "data-flagged": "kink", title: "x ± h crossed a ReLU's kink: the central difference cannot be trusted here" }, "kink")
    : h("span", { class: "check-badge", "data-flagged": String(r.flagged) }, r.flagged ? "flagged" : "ok");
  return h("tr", { "data-node": String(r.node), "data-flagged": String(r.flagged) },
    h("td", null, nodeButton(m, r.node, goTo)), h("td", null, fmt(r.analytic)), h("td", null, fmt(r.numeric)),
    h("td", null, r.relError.toExponential(1)), h("td", null, fmt(r.recorded)), h("td", null, badge));
}

/** ΔL predicted by the gradient next to the replayed ΔL, and the nodes that moved most. */
export function whatIfResult(r: Res<"what-if">, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  const dx = r.after - r.before;
  const grad = dx !== 0 ? r.predicted / dx : NaN;
  const ratio = r.predicted !== 0 ? r.actual / r.predicted : NaN;
  const agree = Number.isFinite(ratio) && Math.abs(ratio - 1) < 0.05 ? "they agree: the loss is close to linear here" : "they differ: the loss curves over this change (try a smaller Δx)";
  const lines = h("div", { class: "whatif-lines", role: "status" },
    h("div", null, `Δx = ${fmt(r.after)} − ${fmt(r.before)} = ${fmt(dx)}`),
    h("div", { class: "predicted" }, `predicted ΔL ≈ grad · Δx = ${fmt(grad)} × ${fmt(dx)} = ${fmt(r.predicted)}`),
    h("div", { class: "actual" }, `actual ΔL = ${fmt(r.lossAfter)} − ${fmt(r.lossBefore)} = ${fmt(r.actual)}`),
    h("div", { class: "muted" }, r.actual === 0 && r.predicted === 0 ? "The loss does not depend on this value here." : agree));
  const top = topMoved(r.moved, r.node, 6);
  const moved = top.length ? h("div", { class: "moved" }, "Moved most: ", ...top.flatMap(([i, d], k) => [k ? ", " : "", nodeButton(m, i, goTo), ` Δ ${fmt(d)}`])) : null;
  return h("div", null, noteOf(r), lines, moved);
}

/** The k largest |Δ| (NaN first), except the node that was set. */
function topMoved(moved: Float64Array, except: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  const size = (d: number) => (Number.isNaN(d) ? Infinity : Math.abs(d));
  for (let i = 0; i < moved.length; i++) {
    if (i === except || !(size(moved[i]) > 0)) continue;
    out.push([i, moved[i]]);
    if (out.length > 4 * k) { out.sort((a, b) => size(b[1]) - size(a[1])); out.length = k; }
  }
  return out.sort((a, b) => size(b[1]) - size(a[1])).slice(0, k);
}

/** The top paths to the loss with their products, and their sum next to the gradient; for a zero gradient, why. */
export function explanation(r: Res<"explain">, m: GraphModel | null, goTo: (node: number) => void): HTMLElement {
  const name = (i: number) => (m && i < m.topology.op.length ? nodeName(m.topology, i) : `#${i}`);
  const head = h("p", { class: "insight-summary", role: "status" },
    `∂${name(r.loss)}/∂${name(r.node)} = ${fmt(r.gradient)}: the sum over ${fmtCount(r.pathCount)} path${r.pathCount === 1 ? "" : "s"} to the loss of the product of local derivatives along each.` +
    (r.recorded !== r.gradient && !(Number.isNaN(r.recorded) && Number.isNaN(r.gradient)) ? ` (The recorded grad is ${fmt(r.recorded)}: it accumulated over backward() calls.)` : ""));
  const list = h("ol", { class: "paths", "aria-label": "Paths to the loss, largest contribution first" });
  for (const p of r.paths) {
    const chain: (Node | string)[] = [];
    p.nodes.forEach((n, i) => { if (i) chain.push(" → "); chain.push(nodeButton(m, n, goTo)); });
    const product = p.factors.length ? `${p.factors.map(fmt).join(" × ")} = ${fmt(p.product)}` : "1";
    list.append(h("li", null, h("span", { class: "chain" }, ...chain), h("span", { class: "product" }, product)));
  }
  const shownAll = r.paths.length === r.pathCount;
  const sum = r.paths.length ? h("p", { class: "path-sum" },
    shownAll ? `Σ of the ${r.paths.length} path${r.paths.length > 1 ? "s" : ""} = ${fmt(r.sumShown)} = the gradient ${fmt(r.gradient)}`
      : `Σ of these ${r.paths.length} (largest) = ${fmt(r.sumShown)}; all ${fmtCount(r.pathCount)} paths sum to the gradient ${fmt(r.gradient)}`) : null;
  const why = r.zero ? h("p", { class: "why-zero", "data-reason": r.zero.kind }, "Why 0: ", r.zero.detail, r.zero.node >= 0 ? " " : "", r.zero.node >= 0 ? nodeButton(m, r.zero.node, goTo) : null) : null;
  return h("div", null, head, noteOf(r), why, list, sum);
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
      const d = Number.isNaN(moved[i]) ? Infinity : Math.abs(moved[i]);
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
