import type cytoscape from "cytoscape";
import { snapshotToJSON } from "../../src/protocol/graph";
import type { GraphModel } from "../model/graphModel";
import { rgbText, type ThemeColours } from "../panel/theme";
import { graphToSvg } from "./svgExport";

/** Produces the four exports; the host saves them (the webview cannot write files). */

export type ExportFormat = "svg" | "png" | "json" | "csv";

export interface ExportSources {
  cy: cytoscape.Core;
  theme: ThemeColours;
  model: GraphModel | null;
  lossCsv: string;
}

export interface ExportResult { data: string; suggestedName: string }

export function produceExport(format: ExportFormat, src: ExportSources): ExportResult {
  const step = src.model ? `-step${src.model.step}` : "";
  switch (format) {
    case "svg":
      return { data: graphToSvg(src.cy, src.theme), suggestedName: `gradscope-graph${step}.svg` };
    case "png":
      return { data: src.cy.png({ output: "base64uri", full: true, scale: 2, maxWidth: 8000, maxHeight: 8000, bg: rgbText(src.theme.background) }) as string, suggestedName: `gradscope-graph${step}.png` };
    case "json": {
      if (!src.model) throw new Error("no graph to export yet");
      const m = src.model;
      const json = snapshotToJSON({ step: m.step, loss: m.loss, topology: m.topology, values: m.values, updates: m.updates });
      return { data: JSON.stringify(json), suggestedName: `gradscope-snapshot${step}.json` };
    }
    case "csv":
      return { data: src.lossCsv, suggestedName: "gradscope-loss.csv" };
  }
}
