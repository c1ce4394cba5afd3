import type cytoscape from "cytoscape";
import { FONT_PX } from "../../src/graph/drawing";
import { mix, rgbText, type ThemeColours } from "../panel/theme";
import type { FillColours } from "./fillLayer";

/**
 * The graph's stylesheet as named blocks. Visual states are classes
 * (`.loss`, `.param`, `.nan`, `.path`, `.dim`, `.unlit`, `.flagged`), so
 * features toggle classes and never touch inline styles. Sizes and text come
 * from the drawing (data(w), data(h), data(label)); text is FONT_PX at zoom 1,
 * monospace, so the drawing's character-count widths hold.
 */

type Block = cytoscape.StylesheetJson;

/** The fills FillLayer paints for states that change a record's colour (the same as the stylesheet's). */
export function fillColours(th: ThemeColours): FillColours {
  const hc = th.contrastBorder !== null;
  return {
    nan: rgbText(mix(th.background, th.nan, 0.55)), unlit: rgbText(mix(th.background, th.foreground, 0.04)),
    edge: rgbText(mix(th.background, th.foreground, hc ? 0.9 : 0.4)), highlight: rgbText(th.highlight),
    border: rgbText(th.contrastBorder ?? mix(th.background, th.foreground, 0.35)), param: rgbText(th.param), loss: rgbText(th.loss), nanBorder: rgbText(th.nan), hc,
  };
}

/**
 * `big`: the cheap settings for big drawings (no arrowheads, straight-through edges, small text not drawn)
 * and records left transparent: their fills are FillLayer's (fillLayer.ts), so a step never restyles them.
 */
export function graphStylesheet(th: ThemeColours, big: boolean, layerFills = big): cytoscape.StylesheetJson {
  const fg = rgbText(th.foreground);
  const border = rgbText(th.contrastBorder ?? mix(th.background, th.foreground, 0.35));
  const hc = th.contrastBorder !== null;
  const edgeColour = rgbText(mix(th.background, th.foreground, hc ? 0.9 : 0.4));
  // Lines are already cut to the record's width; wrap only honours their newlines.
  const text = {
    "font-family": th.monoFamily, "font-size": FONT_PX, "line-height": 1.27, "text-wrap": "wrap", "text-max-width": "2000px",
    "text-valign": "center", "text-halign": "center", "min-zoomed-font-size": big ? 7 : 0,
  } as const;

  const valueNodes: Block = [
    { selector: "node.value", style: {
      shape: "round-rectangle", width: "data(w)", height: "data(h)", "background-color": "data(fill)",
      "border-width": hc ? 2 : 1, "border-color": border, label: "data(label)", color: fg, ...text,
    } },
    { selector: "node.input", style: { "border-style": "dashed" } },
    { selector: "node.param", style: { "border-color": rgbText(th.param), "border-width": 3, "border-style": "double" } },
    { selector: "node.loss", style: {
      "border-color": rgbText(th.loss), "border-width": 3, "font-weight": "bold",
    } },
    { selector: "node.nan", style: { "border-color": rgbText(th.nan), "border-width": 4, "border-style": "solid", "background-color": rgbText(mix(th.background, th.nan, 0.55)) } },
  ];
  const opNodes: Block = [
    { selector: "node.op", style: {
      shape: "ellipse", width: "data(w)", height: "data(h)", "background-color": rgbText(mix(th.background, th.foreground, 0.12)),
      "border-width": 1, "border-color": border, label: "data(label)", color: fg, ...text,
    } },
    { selector: "node.op.wide", style: { shape: "round-rectangle" } },
  ];
  const groupNodes: Block = [
    { selector: "node.group", style: {
      shape: "round-rectangle", width: "data(w)", height: "data(h)", "background-color": "data(fill)",
      "border-width": 3, "border-style": "double", "border-color": border, label: "data(label)", color: fg, ...text,
      ...(big ? {} : { "underlay-color": border, "underlay-padding": 4, "underlay-opacity": 0.35, "underlay-shape": "round-rectangle" }),
    } },
  ];
  // Big drawings: FillLayer paints the records' fills (after every state above, so nothing turns them opaque again).
  const overlay: Block = layerFills ? [{ selector: "node.value, node.group", style: { "background-opacity": 0 } }] : [];
  const edges: Block = [
    { selector: "edge", style: {
      width: 1.2, "line-color": edgeColour, "target-arrow-color": edgeColour, "target-arrow-shape": big ? "none" : "triangle",
      // Big drawings' edges are FillLayer's (cytoscape never gets them), except for a PNG export.
      "arrow-scale": 0.8, "curve-style": big ? "haystack" : "bezier", "haystack-radius": 0,
    } },
  ];
  const flowEdges: Block = [
    // Small graphs: the edge shows the gradient flowing back along it (gradientFlow.ts).
    { selector: "edge[stroke]", style: { "line-color": "data(stroke)", "target-arrow-color": "data(stroke)", width: 1.8 } },
  ];
  const groupEdges: Block = [
    // Many edges converge on a group: arrowheads there would pile up into a smudge.
    { selector: "edge.into-group", style: { "target-arrow-shape": "none", opacity: 0.55 } },
  ];
  const states: Block = [
    { selector: "node:selected", style: { "overlay-color": rgbText(th.highlight), "overlay-opacity": 0.25, "overlay-padding": 6 } },
    { selector: "node.active", style: { "border-color": rgbText(th.highlight), "border-width": 3 } },
    { selector: "edge.path", style: { "line-color": rgbText(th.highlight), "target-arrow-color": rgbText(th.highlight), width: 2.5, "z-index": 10 } },
    { selector: "node.path", style: { "border-color": rgbText(th.highlight), "border-width": 3 } },
    { selector: ".dim", style: { opacity: 0.25 } },
    { selector: "node.flagged", style: { "underlay-color": rgbText(th.highlight), "underlay-opacity": 0.45, "underlay-padding": 8 } },
    { selector: "node.unlit", style: { "background-color": rgbText(mix(th.background, th.foreground, 0.04)), color: rgbText(th.muted) } },
  ];
  return [...edges, ...flowEdges, ...groupEdges, ...valueNodes, ...opNodes, ...groupNodes, ...states, ...overlay];
}
