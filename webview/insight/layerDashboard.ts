import uPlot from "uplot";
import { formatNumber as fmt } from "../../src/graph/format";
import type { Histogram, InsightResponse } from "../../src/protocol/insight";
import { h } from "../panel/dom";

/**
 * The layer dashboard (issue 10 §6): per layer, histograms of activations and
 * gradients, the saturated / dead share, and log10(update / data) over the
 * steps seen, with the ~−3 guide (Karpathy's "activations and gradients").
 * Clicking a layer opens it in the graph.
 */

type LayerStats = Extract<InsightResponse, { kind: "layer-stats" }>;

const GUIDE = -3;
const MAX_STEPS = 2000;

export class LayerDashboard {
  /** log10(update/data) per layer path, per step. */
  private ratios = new Map<string, Map<number, number>>();
  private order: string[] = [];
  private plot: uPlot | null = null;
  private readonly table: HTMLElement;
  private readonly chartBox: HTMLElement;

  constructor(root: HTMLElement, private readonly openLayer: (path: string) => void) {
    this.table = h("div", { class: "layer-table" });
    this.chartBox = h("div", { class: "layer-chart", role: "img", "aria-label": "log10(update / data) per layer over steps; the dashed line is −3" });
    root.append(this.table, this.chartBox);
  }

  clear(): void {
    this.ratios.clear();
    this.order = [];
    this.table.replaceChildren();
    this.plot?.destroy();
    this.plot = null;
  }

  show(r: LayerStats): void {
    for (const l of r.layers) if (!this.order.includes(l.path)) this.order.push(l.path);
    const remember = (path: string, step: number, v: number | null) => {
      if (v === null || !Number.isFinite(v)) return;
      const m = this.ratios.get(path) ?? new Map<number, number>();
      m.set(step, v);
      if (m.size > MAX_STEPS) m.delete(m.keys().next().value!);
      this.ratios.set(path, m);
    };
    for (const past of r.history) past.updateRatioLog10.forEach((v, i) => r.layers[i] && remember(r.layers[i].path, past.step, v));
    for (const l of r.layers) remember(l.path, r.step, l.updateRatioLog10);
    this.renderTable(r);
    this.renderChart();
  }

  private renderTable(r: LayerStats): void {
    if (r.layers.length === 0) { this.table.replaceChildren(h("p", { class: "muted" }, "No layers: the dashboard shows models whose values are grouped into modules (e.g. MLP/layer1).")); return; }
    const rows = r.layers.map((l) => {
      const open = h("button", { class: "node-link", title: "Open this layer in the graph" }, l.path);
      open.addEventListener("click", () => this.openLayer(l.path));
      const share = (x: number | null, what: string) => (x === null ? "—" : `${(x * 100).toFixed(0)}% ${what}`);
      return h("tr", { "data-layer": l.path },
        h("td", null, open),
        h("td", null, histogram(l.activations, `${l.activationOp} outputs`)),
        h("td", null, histogram(l.gradients, "gradients")),
        h("td", { "data-warn": String((l.saturated ?? 0) > 0.25) }, share(l.saturated, "saturated")),
        h("td", { "data-warn": String((l.dead ?? 0) > 0.5) }, share(l.dead, "dead")),
        h("td", { "data-warn": String(l.updateRatioLog10 !== null && Math.abs(l.updateRatioLog10 - GUIDE) > 1) }, l.updateRatioLog10 === null ? "—" : l.updateRatioLog10.toFixed(2)));
    });
    this.table.replaceChildren(h("p", { class: "insight-summary" }, `Step ${r.step}: ${r.layers.length} layers.`),
      h("table", { class: "layers", "aria-label": "Layers" },
        h("thead", null, h("tr", null, ...["layer", "activations", "gradients", "saturated", "dead", "log10(update/data)"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", null, ...rows)));
  }

  private renderChart(): void {
    const steps = [...new Set([...this.ratios.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    const paths = this.order.filter((p) => this.ratios.has(p));
    if (steps.length === 0) { this.chartBox.hidden = true; return; }
    this.chartBox.hidden = false;
    const data: uPlot.AlignedData = [steps, steps.map(() => GUIDE), ...paths.map((p) => steps.map((s) => this.ratios.get(p)!.get(s) ?? null))] as uPlot.AlignedData;
    const css = getComputedStyle(document.body);
    const fg = css.getPropertyValue("--gs-muted").trim() || "#999";
    const palette = ["--vscode-charts-blue", "--vscode-charts-orange", "--vscode-charts-green", "--vscode-charts-purple", "--vscode-charts-red", "--vscode-charts-yellow"]
      .map((v, i) => css.getPropertyValue(v).trim() || ["#3794ff", "#d18616", "#89d185", "#b180d7", "#f14c4c", "#cca700"][i]);
    const width = Math.max(200, this.chartBox.clientWidth || 400);
    this.plot?.destroy();
    this.plot = new uPlot({
      width, height: 120, legend: { show: true }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [{ stroke: fg, grid: { show: false } }, { stroke: fg, size: 40 }],
      series: [{ label: "step" }, { label: "−3", stroke: fg, dash: [4, 4], width: 1, points: { show: false } },
        ...paths.map((p, i) => ({ label: p, stroke: palette[i % palette.length], width: 1.5, spanGaps: true, value: (_u: uPlot, v: number | null) => (v === null ? "—" : fmt(v)) }))],
    }, data, this.chartBox);
  }
}

/** A small bar histogram (CSS bars, no canvas), with its range and mean in the title. */
function histogram(hg: Histogram, what: string): HTMLElement {
  const max = Math.max(1, ...hg.counts);
  const bars = hg.counts.map((c) => {
    const bar = h("span", { class: "bar" });
    bar.style.height = `${Math.round((c / max) * 100)}%`;
    return bar;
  });
  const title = `${what}: ${fmt(hg.min)} … ${fmt(hg.max)}, mean ${fmt(hg.mean)}, std ${fmt(hg.std)}${hg.nonFinite ? `, ${hg.nonFinite} non-finite` : ""}`;
  return h("span", { class: "histogram", title, "aria-label": title, role: "img" }, ...bars);
}
