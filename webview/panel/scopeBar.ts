import { formatCount } from "../../src/graph/format";
import { ancestry, groupTitle, type GroupTree } from "../../src/graph/groupTree";
import type { UnitGraph } from "../../src/graph/visibleUnits";
import { h } from "./dom";

/**
 * The strip above the graph that says what is shown and undoes it by mouse:
 * in a grouped graph, the open groups around the current selection as a
 * breadcrumb whose buttons collapse them (`▾ layer2 › ▾ neuron1`); in a focus
 * view, its hops with − / + / Exit. A notice (what a click did, or why not)
 * sits at its end.
 */

export interface Crumb { key: string; name: string; title: string; count: number }

export type ScopeState =
  | { kind: "none" }
  | { kind: "groups"; nodes: number; shown: number; collapsed: number; crumbs: Crumb[]; regrouped: boolean }
  | { kind: "focus"; centerName: string; hops: number; limitedTo: number | null };

/** A grouped view's scope: the open groups around group `at`, as crumbs that collapse them. */
export function groupsScope(tree: GroupTree, vg: UnitGraph, expanded: ReadonlySet<string>, at: number, regrouped: boolean): ScopeState {
  const crumbs: Crumb[] = ancestry(tree, at).filter((a) => expanded.has(tree.key[a]))
    .map((a) => ({ key: tree.key[a], name: tree.name[a], title: groupTitle(tree, a), count: tree.count[a] }));
  let collapsed = 0;
  for (const u of vg.units) if (u.kind === "group") collapsed++;
  return { kind: "groups", nodes: tree.count[0], shown: vg.units.length, collapsed, crumbs, regrouped };
}

export interface ScopeActions {
  collapse(key: string): void;
  resetGrouping(): void;
  fewerHops(): void;
  moreHops(): void;
  exitFocus(): void;
}

export class ScopeBar {
  private readonly scope: HTMLElement;
  private readonly notice: HTMLElement;
  private state: ScopeState = { kind: "none" };

  constructor(private readonly bar: HTMLElement, private readonly act: ScopeActions) {
    this.scope = h("span", { class: "scope" });
    this.notice = h("span", { class: "notice", id: "notice" });
    bar.replaceChildren(this.scope, this.notice);
  }

  render(state: ScopeState): void {
    this.state = state;
    this.notice.textContent = "";
    const a = this.act;
    switch (state.kind) {
      case "none":
        this.scope.replaceChildren();
        break;
      case "focus":
        this.scope.replaceChildren(
          h("span", null, `Focus: ${state.hops} hops around `), h("b", null, state.centerName),
          state.limitedTo !== null ? h("span", { class: "warn" }, ` (the ${formatCount(state.limitedTo)} nearest nodes)`) : "",
          button("−", "Fewer hops (−)", a.fewerHops), button("+", "More hops (+)", a.moreHops), button("Exit focus", "Back to the whole graph (Esc)", a.exitFocus),
        );
        break;
      case "groups": {
        const crumbs = state.crumbs.flatMap((c, k) => [
          k > 0 ? h("span", { class: "crumb-sep", "aria-hidden": "true" }, "›") : null,
          button(`▾ ${c.name}`, `Collapse ${c.title} (${formatCount(c.count)} nodes) back into one box`, () => a.collapse(c.key), `Collapse ${c.title}`),
        ]);
        this.scope.replaceChildren(
          h("span", { class: "counts" }, `${formatCount(state.nodes)} nodes, ${formatCount(state.shown)} shown`),
          crumbs.length ? h("span", { class: "crumbs", role: "group", "aria-label": "Open groups" }, ...crumbs)
            : state.collapsed > 0 ? h("span", { class: "hint" }, "click a ▸ group to open it") : "",
          state.regrouped ? button("Collapse all", "Back to the grouping the graph opened with", a.resetGrouping) : "",
        );
        break;
      }
    }
    this.updateHidden();
  }

  /** What a click did, or why it did not; cleared by the next render. */
  say(text: string): void {
    this.notice.textContent = text;
    this.updateHidden();
  }

  private updateHidden(): void {
    const s = this.state;
    const empty = s.kind === "none" || (s.kind === "groups" && s.collapsed === 0 && s.crumbs.length === 0 && !s.regrouped);
    this.bar.hidden = empty && !this.notice.textContent;
  }
}

function button(text: string, title: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = h("button", label ? { title, "aria-label": label } : { title }, text);
  b.addEventListener("click", onClick);
  return b;
}
