import { groupTitle } from "../../src/graph/groupTree";
import { nodeName } from "../../src/graph/nodeName";
import type { GraphModel } from "../model/graphModel";
import { byId, h } from "./dom";

/**
 * Find a node by label across the whole graph, collapsed or not; picking one
 * focuses it. An ARIA 1.2 combobox: the input owns a listbox of results
 * (aria-controls, aria-expanded) and points at the active option with
 * aria-activedescendant, so focus stays in the input while ↑/↓ move through results.
 */

const MAX_RESULTS = 30;

export function findNodes(m: GraphModel, query: string, limit = MAX_RESULTS): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const exact: number[] = [], prefix: number[] = [], inside: number[] = [];
  const t = m.topology;
  for (let i = 0; i < t.op.length && exact.length < limit; i++) {
    const name = nodeName(t, i).toLowerCase();
    if (name === q) exact.push(i);
    else if (name.startsWith(q)) prefix.push(i);
    else if (name.includes(q)) inside.push(i);
  }
  return [...exact, ...prefix, ...inside].slice(0, limit);
}

const optionId = (k: number) => `search-option-${k}`;

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
        if (this.list.hidden) this.refresh();
        if (this.results.length === 0) return;
        this.active = (this.active + (e.key === "ArrowDown" ? 1 : this.results.length - 1)) % this.results.length;
        this.renderList();
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (this.results.length > 0 && !this.list.hidden) this.pick(this.results[this.active]);
      } else if (e.key === "Escape") {
        if (!this.list.hidden) this.close(); else this.input.blur();
      }
      e.stopPropagation();
    });
    this.list.addEventListener("mousedown", (e) => {
      const li = (e.target as HTMLElement).closest("li[data-node]") as HTMLElement | null;
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
      const open = this.input.value.trim() !== "";
      this.list.replaceChildren(h("li", { role: "option", "aria-disabled": "true", "aria-selected": "false", class: "none" }, m ? "no match" : "no graph yet"));
      this.setOpen(open, null);
      return;
    }
    this.list.replaceChildren(...this.results.map((i, k) => {
      const g = m.tree.groupOf[i];
      return h("li", { role: "option", id: optionId(k), "data-node": String(i), "aria-selected": String(k === this.active), class: k === this.active ? "active" : "" },
        h("span", { class: "label" }, nodeName(m.topology, i)), g > 0 ? h("span", { class: "group" }, groupTitle(m.tree, g)) : null);
    }));
    this.setOpen(true, optionId(this.active));
    this.list.querySelector("li.active")?.scrollIntoView({ block: "nearest" });
  }

  private setOpen(open: boolean, activeId: string | null): void {
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
    if (open && activeId) this.input.setAttribute("aria-activedescendant", activeId);
    else this.input.removeAttribute("aria-activedescendant");
  }

  private pick(node: number): void {
    this.close();
    this.onPick(node);
  }

  private close(): void {
    this.setOpen(false, null);
  }
}
