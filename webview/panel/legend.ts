import { fmt } from "../format";
import type { GradientScale } from "../graph/gradientScale";
import { h } from "./dom";

/** The gradient colour legend: swatches from most negative to most positive, log-spaced. */
export function renderLegend(el: HTMLElement, scale: GradientScale): void {
  const stops = scale.legendStops();
  const swatches = stops.map((s) => {
    const sw = h("span", { class: "swatch", title: fmt(s.value) });
    sw.style.background = s.colour; // CSSOM, allowed under the CSP (unlike style attributes in markup)
    return sw;
  });
  el.replaceChildren(
    h("div", { class: "legend-title" }, "grad (log scale)"),
    h("div", { class: "swatches" }, ...swatches),
    h("div", { class: "legend-axis" }, h("span", null, `−${fmt(scale.top)}`), h("span", null, "0"), h("span", null, `+${fmt(scale.top)}`)),
    h("div", { class: "legend-keys" },
      h("span", { class: "key key-param" }, "parameter"), h("span", { class: "key key-input" }, "input"),
      h("span", { class: "key key-loss" }, "loss"), h("span", { class: "key key-nan" }, "NaN")),
  );
}
