import { h } from "./dom";

/** The strip over the graph saying what is shown: the focus view and its hops, or how the graph is grouped. */

export type BannerState =
  | { kind: "focus"; centerName: string; hops: number; limitedTo: number | null }
  | { kind: "groups"; nodes: number; collapsedGroups: number; regrouped: boolean }
  | { kind: "notice"; text: string };

export interface BannerActions {
  fewerHops(): void;
  moreHops(): void;
  exitFocus(): void;
  resetGrouping(): void;
}

export function renderBanner(el: HTMLElement, s: BannerState, act: BannerActions): void {
  switch (s.kind) {
    case "focus":
      el.replaceChildren(
        h("span", null, `Focus: ${s.hops} hops around `), h("b", null, s.centerName),
        s.limitedTo !== null ? h("span", { class: "warn" }, ` (the ${s.limitedTo.toLocaleString("en-US")} nearest nodes)`) : "",
        button("−", "Fewer hops (−)", act.fewerHops), button("+", "More hops (+)", act.moreHops), button("Exit focus", "Back to the whole graph (Esc)", act.exitFocus),
      );
      el.hidden = false;
      return;
    case "groups":
      el.replaceChildren(
        h("span", null, `${s.nodes.toLocaleString("en-US")} nodes` + (s.collapsedGroups > 0 ? `, ${s.collapsedGroups} collapsed groups (▸): click one to expand.` : "")),
        s.regrouped ? button("Reset grouping", "Back to the grouping the graph opened with", act.resetGrouping) : "",
      );
      el.hidden = s.collapsedGroups === 0 && !s.regrouped;
      return;
    case "notice":
      el.replaceChildren(h("span", { class: "warn" }, s.text));
      el.hidden = false;
  }
}

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = h("button", { title }, text);
  b.addEventListener("click", onClick);
  return b;
}
