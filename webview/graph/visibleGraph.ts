import type { GraphModel } from "../model/graphModel";

/**
 * Which elements the view materialises. A node is shown itself when every
 * group on its path is expanded; otherwise its outermost collapsed group
 * stands for it. A focus view shows only a k-hop neighbourhood. This is what
 * keeps a 65k-node graph down to a few hundred cytoscape elements.
 */

export type Unit = { kind: "node"; node: number } | { kind: "group"; path: string; count: number };

export interface VisibleGraph {
  units: Unit[];
  /** Unit index of each original node, or -1 when hidden (outside the focus view). */
  unitOf: Int32Array;
  /** Unit-level edges for the layout, [from, to, ...]. */
  unitEdges: Int32Array;
  /** Many units: draw ops inside the records instead of as circles (half the elements for cytoscape). */
  compact: boolean;
  /** A focus view that hit its node limit. */
  truncated?: boolean;
}

/** Above this many units, op circles are folded into their records. */
export const COMPACT_UNITS = 700;

export type ViewMode =
  | { kind: "groups"; expanded: ReadonlySet<string> }
  /** The k-hop neighbourhood of `center`, nearest first, at most `maxNodes` nodes (a hub's neighbourhood can be the whole graph). */
  | { kind: "focus"; center: number; hops: number; maxNodes: number };

/** Prefixes of a group path: `a/b/c` → `a`, `a/b`, `a/b/c`. */
export function pathPrefixes(path: string): string[] {
  const parts = path.split("/");
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** The outermost collapsed prefix of each group, or null when the group is fully expanded. */
function collapsedRepOfGroups(groups: string[], expanded: ReadonlySet<string>): (string | null)[] {
  return groups.map((g) => pathPrefixes(g).find((p) => !expanded.has(p)) ?? null);
}

/** Lines that made at least this many ungrouped nodes become a group of their own (`moons-mlp.ts:13`). */
const MIN_LINE_GROUP = 8;

/**
 * The groups the view collapses by: the engine's group paths, plus one group
 * per source line for ungrouped nodes made in bulk (a `sum()` over 300 terms
 * is one line, one box). The root always stays itself, so the loss is always on screen.
 */
export interface Grouping { paths: string[]; groupOf: Int32Array }

const groupingCache = new WeakMap<GraphModel["topology"], Grouping>();

export function groupingOf(m: GraphModel): Grouping {
  const t = m.topology;
  const cached = groupingCache.get(t);
  if (cached) return cached;
  const n = t.op.length;
  const perLoc = new Int32Array(t.locations.length);
  for (let i = 0; i < n - 1; i++) if (t.group[i] < 0 && t.loc[i] >= 0) perLoc[t.loc[i]]++;
  const paths = t.groups.slice();
  const lineGroup = new Int32Array(t.locations.length).fill(-1);
  const byName = new Map<string, number>();
  t.locations.forEach((loc, l) => {
    if (perLoc[l] < MIN_LINE_GROUP) return;
    const name = `${loc.file.split(/[\\/]/).pop()}:${loc.line}`;
    if (!byName.has(name)) { byName.set(name, paths.length); paths.push(name); }
    lineGroup[l] = byName.get(name)!;
  });
  const groupOf = Int32Array.from(t.group);
  for (let i = 0; i < n - 1; i++) if (groupOf[i] < 0 && t.loc[i] >= 0) groupOf[i] = lineGroup[t.loc[i]];
  if (n > 0) groupOf[n - 1] = -1;
  const g = { paths, groupOf };
  groupingCache.set(t, g);
  return g;
}

export function buildVisibleGraph(m: GraphModel, mode: ViewMode): VisibleGraph {
  return mode.kind === "focus" ? focusGraph(m, mode.center, mode.hops, mode.maxNodes) : groupedGraph(m, mode.expanded);
}

function groupedGraph(m: GraphModel, expanded: ReadonlySet<string>): VisibleGraph {
  const { paths, groupOf } = groupingOf(m);
  const n = groupOf.length;
  const repOfGroup = collapsedRepOfGroups(paths, expanded);
  const units: Unit[] = [];
  const unitOfPath = new Map<string, number>();
  const unitOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const rep = groupOf[i] >= 0 ? repOfGroup[groupOf[i]] : null;
    if (rep === null) { unitOf[i] = units.length; units.push({ kind: "node", node: i }); continue; }
    let u = unitOfPath.get(rep);
    if (u === undefined) { u = units.length; unitOfPath.set(rep, u); units.push({ kind: "group", path: rep, count: 0 }); }
    (units[u] as { count: number }).count++;
    unitOf[i] = u;
  }
  return { units, unitOf, unitEdges: unitEdgesOf(m, unitOf), compact: units.length > COMPACT_UNITS };
}

function focusGraph(m: GraphModel, center: number, hops: number, maxNodes: number): VisibleGraph {
  const t = m.topology;
  const n = t.op.length;
  const dist = new Int32Array(n).fill(-1);
  const queue = [center];
  dist[center] = 0;
  for (let h = 0; h < queue.length; h++) {
    const v = queue[h];
    if (dist[v] >= hops) continue;
    const visit = (w: number) => { if (w >= 0 && dist[w] < 0 && queue.length < maxNodes) { dist[w] = dist[v] + 1; queue.push(w); } };
    visit(t.in0[v]);
    visit(t.in1[v]);
    for (let e = m.consumerStart[v]; e < m.consumerStart[v + 1]; e++) visit(m.consumerList[e]);
  }
  queue.sort((a, b) => a - b);
  const unitOf = new Int32Array(n).fill(-1);
  const units: Unit[] = queue.map((node, u) => { unitOf[node] = u; return { kind: "node", node }; });
  return { units, unitOf, unitEdges: unitEdgesOf(m, unitOf), compact: units.length > COMPACT_UNITS, truncated: queue.length >= maxNodes };
}

function unitEdgesOf(m: GraphModel, unitOf: Int32Array): Int32Array {
  const { in0, in1 } = m.topology;
  const seen = new Set<number>();
  const out: number[] = [];
  const unitCount = unitOf.reduce((a, b) => Math.max(a, b), -1) + 1;
  const add = (from: number, to: number) => {
    if (from < 0 || to < 0 || from === to) return;
    const key = from * unitCount + to;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(from, to);
  };
  for (let i = 0; i < unitOf.length; i++) {
    if (unitOf[i] < 0) continue;
    if (in0[i] >= 0) add(unitOf[in0[i]], unitOf[i]);
    if (in1[i] >= 0) add(unitOf[in1[i]], unitOf[i]);
  }
  return Int32Array.from(out);
}

/** How many units a given expansion would show, without building it. */
export function visibleCount(m: GraphModel, expanded: ReadonlySet<string>): number {
  const { paths, groupOf } = groupingOf(m);
  const repOfGroup = collapsedRepOfGroups(paths, expanded);
  const perGroup = new Int32Array(paths.length);
  let ungrouped = 0;
  for (let i = 0; i < groupOf.length; i++) groupOf[i] >= 0 ? perGroup[groupOf[i]]++ : ungrouped++;
  const collapsed = new Set<string>();
  let shown = ungrouped;
  repOfGroup.forEach((rep, g) => { if (rep === null) shown += perGroup[g]; else if (perGroup[g] > 0) collapsed.add(rep); });
  return shown + collapsed.size;
}

/**
 * The most detailed expansion that stays within the threshold: expand every
 * engine group up to depth d, for the largest d that fits; source-line groups
 * open last, since the engine's groups are the architecture the user wrote.
 */
export function initialExpansion(m: GraphModel, threshold: number): Set<string> {
  const { paths } = groupingOf(m);
  const engineGroups = paths.slice(0, m.topology.groups.length).flatMap(pathPrefixes);
  const lineGroups = paths.slice(m.topology.groups.length);
  const maxDepth = engineGroups.reduce((d, p) => Math.max(d, p.split("/").length), 0);
  let best = new Set<string>();
  for (let d = 1; d <= maxDepth + 1; d++) {
    const candidate = new Set(engineGroups.filter((p) => p.split("/").length <= d));
    if (d > maxDepth) lineGroups.forEach((p) => candidate.add(p));
    if (visibleCount(m, candidate) > threshold) break;
    best = candidate;
  }
  return best;
}
