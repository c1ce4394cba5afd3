import type { GraphTopology, GraphValues } from "../protocol/graph";
import { formatCount, formatNumber } from "./format";
import type { GroupTree } from "./groupTree";
import { nodeName, recordTitle } from "./nodeName";

/**
 * What a record says, at each level of detail. The richest is micrograd's
 * draw_dot (`a | data 2 | grad 42`, with the op in its own circle); smaller
 * drawings fold the op into the title and drop lines, so a 40-node graph
 * still fits a narrow panel with text a person can read. Whatever a record
 * leaves out is in the hover card and the details pane.
 */

export type Detail = "full" | "folded" | "short" | "values" | "tiny";
/** Richest first. */
export const DETAILS: readonly Detail[] = ["full", "folded", "short", "values", "tiny"];

export interface DetailSpec {
  /** Text lines per record. */
  lines: number;
  /** Ops drawn as their own circles (else folded into the record's title). */
  opCircles: boolean;
  /** Widest record, in characters; longer lines end in "…". */
  maxChars: number;
  /** Widest group box: `▸ layer2/neuron12` must stay whole to tell groups apart. */
  maxGroupChars: number;
}

export const DETAIL_SPECS: Record<Detail, DetailSpec> = {
  full: { lines: 3, opCircles: true, maxChars: 22, maxGroupChars: 22 },
  folded: { lines: 3, opCircles: false, maxChars: 22, maxGroupChars: 22 },
  short: { lines: 2, opCircles: false, maxChars: 14, maxGroupChars: 17 },
  values: { lines: 2, opCircles: false, maxChars: 10, maxGroupChars: 17 },
  tiny: { lines: 1, opCircles: false, maxChars: 10, maxGroupChars: 17 },
};

/** A value record's lines: `[name, data …, grad …]` down to just its title (the fill colour still shows the gradient). */
export function valueLines(t: GraphTopology, v: GraphValues, i: number, detail: Detail): string[] {
  const data = formatNumber(v.data[i]), grad = formatNumber(v.grad[i]);
  switch (detail) {
    case "full": return [nodeName(t, i), `data ${data}`, `grad ${grad}`];
    case "folded": return [recordTitle(t, i), `data ${data}`, `grad ${grad}`];
    case "short": return [recordTitle(t, i), `${data} ∇${grad}`];
    case "values": return [recordTitle(t, i), data];
    case "tiny": return [recordTitle(t, i)];
  }
}

/** A collapsed group's lines: `▸ layer2/neuron1`, its size, its largest gradient. */
export function groupLines(tree: GroupTree, g: number, maxAbsGrad: number, detail: Detail): string[] {
  const title = `▸ ${groupShortName(tree, g)}`;
  const count = `${formatCount(tree.count[g])} nodes`;
  switch (detail) {
    case "full":
    case "folded": return [title, count, `max |∇| ${formatNumber(maxAbsGrad)}`];
    case "short":
    case "values": return [title, count];
    case "tiny": return [title];
  }
}

/** A group's name with its parent's, which is what tells `layer1/neuron1` from `layer2/neuron1`. */
export function groupShortName(tree: GroupTree, g: number): string {
  const p = tree.parent[g];
  return p > 0 ? `${tree.name[p]}/${tree.name[g]}` : tree.name[g];
}

/** Room a number may need a step later (`0.5` becomes `0.4873`): number lines are sized as if each number had this many characters. */
const NUMBER_ROOM = 5;
const NUMBER = /−?(?:∞|NaN|[\d.]+(?:e−?\d+)?)/g;

/** Characters a record needs for these lines: the title as it is, number lines with room to change. */
export function linesChars(lines: string[]): number {
  let longest = 0;
  lines.forEach((line, k) => { longest = Math.max(longest, k === 0 ? line.length : line.replace(NUMBER, (x) => x.padEnd(NUMBER_ROOM)).length); });
  return longest;
}

/** Lines cut to `maxChars`: value text keeps its start, group titles keep their end (the part that differs). */
export function fitLines(lines: string[], maxChars: number, keepEnd = false): string[] {
  return lines.map((line, k) => {
    if (line.length <= maxChars) return line;
    return keepEnd && k === 0 ? `▸ …${line.slice(line.length - maxChars + 3)}` : `${line.slice(0, maxChars - 1)}…`;
  });
}
