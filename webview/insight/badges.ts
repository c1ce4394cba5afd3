import type cytoscape from "cytoscape";
import { groupId, valueId } from "../../src/graph/drawing";
import type { Finding } from "../../src/protocol/health";
import type { GraphModel } from "../model/graphModel";
import { h } from "../panel/dom";
import { KIND_SEVERITY, KIND_TEXT } from "./healthView";

/**
 * Finding badges where the findings are: a pill on the graph element that
 * shows each finding's node (the node itself, or the innermost collapsed group
 * holding it, with the count aggregated), and a badge on the node table's rows.
 * Both are drawn over the graph's own rendering, so they survive relayouts and
 * never change what the graph draws.
 */

interface Mark { count: number; severity: "error" | "warning"; kinds: Set<string> }

export class FindingBadges {
  private findings: readonly Finding[] = [];
  private readonly layer: HTMLDivElement;
  private frame = 0;
  private readonly observer: MutationObserver;
  /** Whether a row may carry a badge. */
  private decorated = false;

  constructor(private readonly cy: cytoscape.Core, graphArea: HTMLElement, private readonly tableBody: HTMLTableSectionElement, private readonly model: () => GraphModel | null) {
    this.layer = h("div", { class: "finding-badges", "aria-hidden": "true" });
    graphArea.append(this.layer);
    cy.on("render", () => this.soon());
    // Rows are (re)built in chunks by the table: badge them as they arrive.
    this.observer = new MutationObserver(() => this.decorateTable());
    this.observer.observe(tableBody, { childList: true });
  }

  set(findings: readonly Finding[]): void {
    this.findings = findings;
    this.soon();
    this.decorateTable();
  }

  /**
   * A new step is on screen: the pills follow the drawing on the next frame. The table's badges stay: they
   * change only with the findings (set) or the rows (the observer), and re-reading every row at each step
   * cost more than the rest of a numbers-only update at 2k rows.
   */
  redraw(): void {
    this.soon();
  }

  private soon(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  /** Findings per node of the shown graph; per group of the group tree, counted in every enclosing group. */
  private marks(m: GraphModel): { nodes: Map<number, Mark>; groups: Map<number, Mark> } {
    const nodes = new Map<number, Mark>(), groups = new Map<number, Mark>();
    const add = (map: Map<number, Mark>, key: number, f: Finding) => {
      const mark = map.get(key) ?? { count: 0, severity: "warning", kinds: new Set<string>() };
      mark.count++;
      mark.kinds.add(KIND_TEXT[f.kind]);
      if (KIND_SEVERITY[f.kind] === "error") mark.severity = "error";
      map.set(key, mark);
    };
    const n = m.topology.op.length;
    for (const f of this.findings) {
      if (f.node < 0 || f.node >= n) continue;
      add(nodes, f.node, f);
      for (let g = m.tree.groupOf[f.node]; g > 0; g = m.tree.parent[g]) add(groups, g, f);
    }
    return { nodes, groups };
  }

  private draw(): void {
    const m = this.model();
    if (!m || this.findings.length === 0) { this.layer.replaceChildren(); return; }
    const { nodes, groups } = this.marks(m);
    const pills: HTMLElement[] = [];
    const seen = new Set<string>();
    const place = (id: string, mark: Mark) => {
      if (seen.has(id)) return;
      const el = this.cy.getElementById(id);
      if (el.empty() || !el.visible()) return;
      seen.add(id);
      const box = el.renderedBoundingBox({ includeLabels: false });
      const pill = h("span", { class: "finding-pill", "data-severity": mark.severity, "data-element": id, title: [...mark.kinds].join(", ") }, mark.count > 1 ? `⚠ ${mark.count}` : "⚠");
      pill.style.left = `${Math.round(box.x2 - 6)}px`;
      pill.style.top = `${Math.round(box.y1 - 8)}px`;
      pills.push(pill);
    };
    for (const [node, mark] of nodes) {
      if (!this.cy.getElementById(valueId(node)).empty()) { place(valueId(node), mark); continue; }
      // Not drawn: the innermost drawn (collapsed) group around it carries the group's aggregated count.
      for (let g = m.tree.groupOf[node]; g > 0; g = m.tree.parent[g]) {
        if (!this.cy.getElementById(groupId(g)).empty()) { place(groupId(g), groups.get(g)!); break; }
      }
    }
    this.layer.replaceChildren(...pills);
  }

  /** Table rows: `data-findings` on the row and a badge on its first cell (CSS), with the kinds in its title. */
  private decorateTable(): void {
    const m = this.model();
    const marks = m && this.findings.length ? this.marks(m) : null;
    // No findings and no badge left on a row: nothing to write (the common case, checked without reading rows).
    if (!marks && !this.decorated) return;
    this.decorated = marks !== null;
    for (const tr of this.tableBody.rows) {
      const node = Number(tr.dataset.node);
      const key = tr.dataset.group;
      const mark = !marks ? undefined : key !== undefined ? marks.groups.get(m!.tree.index.get(key) ?? -1) : marks.nodes.get(node);
      const cell = tr.cells[0];
      if (!mark) {
        if (tr.dataset.findings) { delete tr.dataset.findings; delete tr.dataset.severity; cell?.removeAttribute("data-badge"); cell?.removeAttribute("aria-description"); }
        continue;
      }
      tr.dataset.findings = String(mark.count);
      tr.dataset.severity = mark.severity;
      const text = `${mark.count} finding${mark.count > 1 ? "s" : ""}: ${[...mark.kinds].join(", ")}`;
      cell?.setAttribute("data-badge", mark.count > 1 ? `⚠ ${mark.count}` : "⚠");
      cell?.setAttribute("aria-description", text);
    }
  }
}
