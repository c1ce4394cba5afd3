import { formatNumber } from "../../src/graph/format";
import { groupTitle, opensInto } from "../../src/graph/groupTree";
import { nodeName } from "../../src/graph/nodeName";
import { nodeOpText } from "../../src/protocol/graph";
import { OPS } from "../../src/protocol/ops";
import type { VisibleGraph } from "../graph/visibleGraph";
import type { GraphModel } from "../model/graphModel";
import { byId, h } from "./dom";

/**
 * The accessible view: one row per visible node or collapsed group (label,
 * op, data, grad, group). Screen readers read it; tests read it instead of
 * pixels. Hidden visually unless the user toggles it. Rows are focusable
 * (one tab stop, arrow keys between rows, like a tree view): Enter or a click
 * opens a group or selects a node, → opens a group, ← collapses the group a
 * row is in.
 */
const ROWS_PER_CHUNK = 400;
/** Building a big table's rows (~0.1–0.2 s for 5k here) is sliced into tasks of about this long, so input is handled between. */
const BUILD_SLICE_MS = 12;

export interface TableActions {
  pickNode(node: number): void;
  openGroup(key: string): void;
  /** Collapse the innermost open group around a node or a collapsed group's box. */
  collapseAround(target: { node: number } | { group: string }): void;
}

export class NodeTable {
  private readonly body: HTMLTableSectionElement;
  private readonly caption = byId("node-table-caption");
  private readonly panel = byId("table-panel");
  private rows: { unit: number; node: number; data: HTMLTableCellElement; grad: HTMLTableCellElement }[] = [];

  constructor(private readonly act: TableActions) {
    this.body = byId<HTMLTableElement>("node-table").tBodies[0];
    this.body.addEventListener("click", (e) => {
      const tr = (e.target as HTMLElement).closest("tr");
      if (tr) { this.setCurrent(tr); this.activate(tr); }
    });
    this.body.addEventListener("keydown", (e) => this.onKey(e));
  }

  setShown(shown: boolean): void {
    this.panel.classList.toggle("visually-hidden", !shown);
  }

  /** The rows of a view, built in slices (the first now): finish() builds the rest at once. */
  show(m: GraphModel, vg: VisibleGraph, mode: string, groupGrad: Float64Array): void {
    const hadFocus = this.body.contains(document.activeElement);
    this.stopBuilding();
    this.pendingFrom = Infinity;
    this.rows = [];
    this.latest = m;
    this.body.replaceChildren();
    const nodes = vg.units.reduce((n, unit) => n + (unit.kind === "node" ? 1 : 0), 0), groups = vg.units.length - nodes;
    this.caption.textContent = `${nodes} nodes${groups ? ` and ${groups} collapsed groups` : ""} shown of ${m.topology.op.length} (${mode})`;
    this.building = { vg, groupGrad, next: 0, timer: 0, focus: hadFocus };
    this.buildSlice(BUILD_SLICE_MS);
  }

  private building: { vg: VisibleGraph; groupGrad: Float64Array; next: number; timer: number; focus: boolean } | null = null;

  /** Builds rows for about `ms` (all of them with Infinity), with the newest values; schedules the rest. */
  private buildSlice(ms: number): void {
    const b = this.building, m = this.latest;
    if (!b || !m) return;
    clearTimeout(b.timer);
    const t = m.topology, tree = m.tree, units = b.vg.units, t0 = performance.now();
    // Rows built now carry the newest values: if the value writer has caught up, they need no writing.
    const caughtUp = this.pendingFrom >= this.rows.length;
    const frag = document.createDocumentFragment();
    while (b.next < units.length && (b.next % 100 !== 0 || performance.now() - t0 < ms)) {
      const u = b.next++, unit = units[u];
      if (unit.kind === "group") {
        const g = unit.group, into = opensInto(tree, g);
        const opens = into.groups > 0 ? `opens into ${into.groups} groups${into.nodes ? ` and ${into.nodes} nodes` : ""}` : `opens into its ${into.nodes} nodes`;
        frag.append(h("tr", { "data-unit": String(u), "data-node": "-1", "data-group": tree.key[g], class: "group-row", tabindex: "-1", title: `Enter or click: ${opens}` },
          h("td", null, `▸ ${groupTitle(tree, g)} (${unit.count} nodes, collapsed)`), h("td", null, "group"), h("td", null, "—"),
          h("td", null, `max |grad| ${formatNumber(Math.abs(b.groupGrad[g]))}`), h("td", null, groupTitle(tree, tree.parent[g]))));
        continue;
      }
      const i = unit.node;
      const data = h("td", { class: "data" }, formatNumber(m.values.data[i]));
      const grad = h("td", { class: "grad" }, formatNumber(m.values.grad[i]));
      const op = t.op[i] === 0 ? "leaf" : `${OPS[t.op[i]].name} ${nodeOpText(t, i)}`;
      frag.append(h("tr", { "data-unit": String(u), "data-node": String(i), tabindex: "-1" },
        h("td", { class: "label" }, nodeName(t, i)), h("td", null, op), data, grad, h("td", null, groupTitle(tree, tree.groupOf[i]))));
      this.rows.push({ unit: u, node: i, data, grad });
    }
    if (caughtUp) this.pendingFrom = this.rows.length;
    const first = this.body.rows.length === 0;
    this.body.append(frag);
    if (first && this.body.rows[0]) {
      this.body.rows[0].tabIndex = 0;
      if (b.focus) this.body.rows[0].focus();
    }
    if (b.next < units.length) b.timer = window.setTimeout(() => this.buildSlice(BUILD_SLICE_MS), 0);
    else this.building = null;
  }

  /** Every row now (keyboard moves and searches need the whole table). */
  finish(): void {
    this.buildSlice(Infinity);
  }

  private stopBuilding(): void {
    if (this.building) clearTimeout(this.building.timer);
    this.building = null;
  }

  /** Forget the last model. */
  clear(): void {
    this.stopBuilding();
    this.rows = [];
    this.pendingFrom = Infinity;
    this.body.replaceChildren();
    this.caption.textContent = "Nodes";
  }

  /** Move keyboard focus to the first row a predicate picks (after opening a group from the table). */
  focusRow(pick: (row: HTMLTableRowElement) => boolean): void {
    this.finish();
    const row = Array.from(this.body.rows).find(pick);
    if (row) { this.setCurrent(row); row.focus(); }
  }

  private onKey(e: KeyboardEvent): void {
    const tr = (e.target as HTMLElement).closest("tr");
    if (!tr) return;
    this.finish();
    const rows = this.body.rows;
    const move = (to: HTMLTableRowElement | undefined) => { if (to) { this.setCurrent(to); to.focus(); } };
    const node = Number(tr.dataset.node);
    switch (e.key) {
      case "ArrowDown": move(rows[tr.sectionRowIndex + 1]); break;
      case "ArrowUp": move(rows[tr.sectionRowIndex - 1]); break;
      case "Home": move(rows[0]); break;
      case "End": move(rows[rows.length - 1]); break;
      case "Enter": case " ": this.activate(tr); break;
      case "ArrowRight": if (tr.dataset.group) this.act.openGroup(tr.dataset.group); else return; break;
      case "ArrowLeft": this.act.collapseAround(tr.dataset.group ? { group: tr.dataset.group } : { node }); break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  private activate(tr: HTMLTableRowElement): void {
    if (tr.dataset.group) this.act.openGroup(tr.dataset.group);
    else {
      const node = Number(tr.dataset.node);
      if (Number.isInteger(node) && node >= 0) this.act.pickNode(node);
    }
  }

  /** One tab stop: the current row. */
  private setCurrent(tr: HTMLTableRowElement): void {
    for (const r of Array.from(this.body.querySelectorAll<HTMLTableRowElement>("tr[tabindex='0']"))) r.tabIndex = -1;
    tr.tabIndex = 0;
  }

  /** Rows still to be built, or waiting for the latest values. */
  get pending(): number {
    const unbuilt = this.building ? this.building.vg.units.length - this.building.next : 0;
    return unbuilt + (this.pendingFrom < this.rows.length ? this.rows.length - this.pendingFrom : 0);
  }

  /**
   * New values, written in chunks between frames: a screen reader can wait 50 ms, the graph cannot. The first
   * chunk waits for the frame that paints the graph's update (a timer set now would run before it).
   */
  updateValues(m: GraphModel): void {
    this.latest = m;
    this.pendingFrom = 0;
    if (!this.timer) this.timer = requestAnimationFrame(() => { this.timer = window.setTimeout(this.writeChunk, 0); });
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
      r.data.textContent = formatNumber(m.values.data[r.node]);
      r.grad.textContent = formatNumber(m.values.grad[r.node]);
    }
    this.pendingFrom = end;
    if (end < this.rows.length) this.timer = window.setTimeout(this.writeChunk, 16);
  };
}
