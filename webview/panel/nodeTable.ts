import { OPS } from "../../src/protocol/ops";
import { nodeOpText } from "../../src/protocol/graph";
import { fmt } from "../format";
import { groupGradients } from "../graph/graphElements";
import type { VisibleGraph } from "../graph/visibleGraph";
import { nodeName, type GraphModel } from "../model/graphModel";
import { byId, h } from "./dom";

/**
 * The accessible view: one table row per visible node or collapsed group
 * (label, op, data, grad, group). Screen readers read it; tests read it
 * instead of pixels. Hidden visually unless the user toggles it.
 */
const ROWS_PER_CHUNK = 400;

export class NodeTable {
  private readonly body: HTMLTableSectionElement;
  private readonly caption = byId("node-table-caption");
  private readonly panel = byId("table-panel");
  private rows: { unit: number; node: number; data: HTMLTableCellElement; grad: HTMLTableCellElement }[] = [];

  constructor(onPick: (node: number) => void) {
    this.body = byId<HTMLTableElement>("node-table").tBodies[0];
    this.body.addEventListener("click", (e) => {
      const tr = (e.target as HTMLElement).closest("tr");
      const node = tr ? Number(tr.dataset.node) : NaN;
      if (Number.isInteger(node) && node >= 0) onPick(node);
    });
  }

  setShown(shown: boolean): void {
    this.panel.classList.toggle("visually-hidden", !shown);
  }

  show(m: GraphModel, vg: VisibleGraph, mode: string): void {
    const t = m.topology;
    this.pendingFrom = Infinity;
    const groupGrad = groupGradients(m, vg);
    this.rows = [];
    const frag = document.createDocumentFragment();
    vg.units.forEach((unit, u) => {
      if (unit.kind === "group") {
        const g = groupGrad.get(u) ?? 0;
        frag.append(h("tr", { "data-unit": String(u), "data-node": "-1", class: "group-row" },
          h("td", null, `${unit.path} (${unit.count} nodes, collapsed)`), h("td", null, "group"), h("td", null, "—"),
          h("td", null, `max |grad| ${fmt(Math.abs(g))}`), h("td", null, unit.path)));
        return;
      }
      const i = unit.node;
      const data = h("td", { class: "data" }, fmt(m.values.data[i]));
      const grad = h("td", { class: "grad" }, fmt(m.values.grad[i]));
      const op = t.op[i] === 0 ? "leaf" : `${OPS[t.op[i]].name} ${nodeOpText(t, i)}`;
      frag.append(h("tr", { "data-unit": String(u), "data-node": String(i) },
        h("td", { class: "label" }, nodeName(m, i)), h("td", null, op), data, grad, h("td", null, t.group[i] >= 0 ? t.groups[t.group[i]] : "")));
      this.rows.push({ unit: u, node: i, data, grad });
    });
    this.body.replaceChildren(frag);
    const groups = vg.units.length - this.rows.length;
    this.caption.textContent = `${this.rows.length} nodes${groups ? ` and ${groups} collapsed groups` : ""} shown of ${t.op.length} (${mode})`;
  }

  /** Rows still waiting for the latest values. */
  get pending(): number { return this.pendingFrom < this.rows.length ? this.rows.length - this.pendingFrom : 0; }

  /** New values, written in chunks between frames: a screen reader can wait 50 ms, the graph cannot. */
  updateValues(m: GraphModel): void {
    this.latest = m;
    this.pendingFrom = 0;
    if (!this.timer) this.timer = window.setTimeout(this.writeChunk, 0);
  }

  private latest: GraphModel | null = null;
  private pendingFrom = Infinity;
  private timer = 0;
  private writeChunk = (): void => {
    this.timer = 0;
    const m = this.latest;
    if (!m) return;
    const end = Math.min(this.rows.length, this.pendingFrom + ROWS_PER_CHUNK);
    for (let k = this.pendingFrom; k < end; k++) {
      const r = this.rows[k];
      r.data.textContent = fmt(m.values.data[r.node]);
      r.grad.textContent = fmt(m.values.grad[r.node]);
    }
    this.pendingFrom = end;
    if (end < this.rows.length) this.timer = window.setTimeout(this.writeChunk, 16);
  };
}
