import { nodeName, type GraphModel } from "../model/graphModel";
import { byId, h } from "./dom";

/** Find a node by label across the whole graph, collapsed or not; picking one focuses it. */

const MAX_RESULTS = 30;

export function findNodes(m: GraphModel, query: string, limit = MAX_RESULTS): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const exact: number[] = [], prefix: number[] = [], inside: number[] = [];
  const labels = m.topology.label;
  for (let i = 0; i < labels.length && exact.length < limit; i++) {
    const name = (labels[i] ?? nodeName(m, i)).toLowerCase();
    if (name === q) exact.push(i);
    else if (name.startsWith(q)) prefix.push(i);
    else if (name.includes(q)) inside.push(i);
  }
  return [...exact, ...prefix, ...inside].slice(0, limit);
}

export class SearchBox {
  readonly input = byId<HTMLInputElement>("search");
  private readonly list = byId<HTMLUListElement>("search-results");
  private results: number[] = [];
  private active = 0;

  constructor(private readonly model: () => GraphModel | null, private readonly onPick: (node: number) => void) {
    this.input.addEventListener("input", () => this.refresh());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (this.results.length === 0) return;
        this.active = (this.active + (e.key === "ArrowDown" ? 1 : this.results.length - 1)) % this.results.length;
        this.renderList();
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (this.results.length > 0) this.pick(this.results[this.active]);
      } else if (e.key === "Escape") {
        this.close();
        this.input.blur();
      }
      e.stopPropagation();
    });
    this.list.addEventListener("mousedown", (e) => {
      const li = (e.target as HTMLElement).closest("li");
      if (li) { e.preventDefault(); this.pick(Number(li.dataset.node)); }
    });
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  focus(): void { this.input.focus(); this.input.select(); }

  private refresh(): void {
    const m = this.model();
    this.results = m ? findNodes(m, this.input.value) : [];
    this.active = 0;
    this.renderList();
  }

  private renderList(): void {
    const m = this.model();
    if (!m || this.results.length === 0) {
      this.list.hidden = this.input.value.trim() === "";
      this.list.replaceChildren(h("li", { class: "none" }, "no match"));
      return;
    }
    this.list.hidden = false;
    this.list.replaceChildren(...this.results.map((i, k) => {
      const group = m.topology.group[i] >= 0 ? m.topology.groups[m.topology.group[i]] : "";
      return h("li", { role: "option", "data-node": String(i), "aria-selected": String(k === this.active), class: k === this.active ? "active" : "" },
        h("span", { class: "label" }, nodeName(m, i)), group ? h("span", { class: "group" }, group) : null);
    }));
  }

  private pick(node: number): void {
    this.close();
    this.onPick(node);
  }

  private close(): void {
    this.list.hidden = true;
  }
}
