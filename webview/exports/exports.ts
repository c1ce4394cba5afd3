import type cytoscape from "cytoscape";
import { csvFileName, lossCsv, nodesCsv, type CsvContent } from "../../src/graph/csv";
import type { Drawing, DrawSource } from "../../src/graph/drawing";
import { snapshotJsonText } from "../../src/graph/snapshotJson";
import { drawingToSvg, type SvgPalette } from "../../src/graph/svgExport";
import type { GradientScale } from "../graph/gradientScale";
import type { GraphModel } from "../model/graphModel";
import { mix, rgbText, type ThemeColours } from "../panel/theme";

/**
 * Produces the exports; the host saves them (the webview cannot write files).
 * SVG, JSON and CSV come from the shared, DOM-free code in src/graph/ — the
 * same exporters the CLI and the editor use; only PNG is cytoscape's.
 */

export type ExportFormat = "svg" | "png" | "json" | "csv";

export interface ExportSources {
  cy: cytoscape.Core;
  theme: ThemeColours;
  scale: GradientScale;
  model: GraphModel | null;
  drawing: Drawing | null;
  source: DrawSource | null;
  loss: { steps: number[]; losses: number[] };
}

export interface ExportResult { data: string; suggestedName: string }

export function produceExport(format: ExportFormat, csv: CsvContent, src: ExportSources): ExportResult {
  const m = src.model;
  const step = m ? `-step${m.step}` : "";
  switch (format) {
    case "svg": {
      if (!src.drawing || !src.source) throw new Error("no graph to export yet");
      return { data: drawingToSvg(src.drawing, src.source, paletteOf(src.theme, src.scale), { title: `Gradscope graph${m ? `, step ${m.step}` : ""}` }), suggestedName: `gradscope-graph${step}.svg` };
    }
    case "png":
      return { data: src.cy.png({ output: "base64uri", full: true, scale: 2, maxWidth: 8000, maxHeight: 8000, bg: rgbText(src.theme.background) }) as string, suggestedName: `gradscope-graph${step}.png` };
    case "json":
      if (!m) throw new Error("no graph to export yet");
      return { data: snapshotJsonText(m), suggestedName: `gradscope-snapshot${step}.json` };
    case "csv":
      if (csv === "loss") return { data: lossCsv(src.loss.steps, src.loss.losses), suggestedName: csvFileName("loss") };
      if (!m) throw new Error("no graph to export yet");
      return { data: nodesCsv(m), suggestedName: csvFileName("nodes", m.step) };
  }
}

/** The theme's colours for the exporter, so the file looks like the panel. */
function paletteOf(th: ThemeColours, scale: GradientScale): SvgPalette {
  return {
    background: rgbText(th.background), foreground: rgbText(th.foreground),
    border: rgbText(th.contrastBorder ?? mix(th.background, th.foreground, 0.35)), edge: rgbText(mix(th.background, th.foreground, 0.4)),
    opFill: rgbText(mix(th.background, th.foreground, 0.12)), param: rgbText(th.param), loss: rgbText(th.loss), nan: rgbText(th.nan),
    fill: (g) => scale.fill(g), fontFamily: th.monoFamily,
  };
}
