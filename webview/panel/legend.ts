import { formatNumber as fmt } from "../../src/graph/format";
import type { GradientScale } from "../graph/gradientScale";
import { h } from "./dom";

/** The gradient colour legend, one strip under the graph: swatches from most negative to most positive (log-spaced), and the record borders. */
export function renderLegend(el: HTMLElement, scale: GradientScale): void {
  const stops = scale.legendStops();
  const swatches = stops.map((s) => {
    const sw = h("span", { class: "swatch", title: fmt(s.value) });
    sw.style.background = s.colour; // CSSOM, allowed under the CSP (unlike style attributes in markup)
    return sw;
  });
  el.replaceChildren(
    h("span", { class: "legend-scale" },
      h("span", { class: "legend-title" }, "grad ∇"), h("span", { class: "legend-axis" }, `−${fmt(scale.top)}`),
      h("span", { class: "swatches" }, ...swatches), h("span", { class: "legend-axis" }, `+${fmt(scale.top)}`)),
    h("span", { class: "legend-keys" },
      h("span", { class: "key key-param" }, "parameter"), h("span", { class: "key key-input" }, "input"),
      h("span", { class: "key key-loss" }, "loss"), h("span", { class: "key key-nan" }, "NaN")),
  );
}
