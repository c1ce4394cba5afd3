import type { GraphTopology } from "../protocol/graph";
import { NodeKind, OPS } from "../protocol/ops";

/**
 * The group tree: every node of a graph placed in a hierarchy of groups that
 * can be opened one level at a time, down to single nodes, with no level
 * opening into more than `maxUnits` things. Levels come from, in order:
 *   1. the engine's group paths (`MLP/layer2/neuron1`, or the compile step's
 *      per-call instances `mlp#1/layer#2/neuron#3`);
 *   2. at the top, one group per source line that made many ungrouped nodes;
 *   3. for a group still too big to draw, synthetic sub-groups: per call of
 *      the function (a run of consecutive nodes; leaves made first become
 *      "parameters"), per loop iteration (for a line's group), per source
 *      line, per op kind, then creation-order chunks; and when a group has too
 *      many children, ranges of them.
 * Deterministic from the topology alone and linear in nodes (× group depth),
 * so the panel and (later) the runner process compute the same tree on
 * 65k–200k nodes, and per-group aggregates can be sent for exactly its groups.
 */

export const GroupKind = { root: 0, engine: 1, line: 2, call: 3, leaves: 4, iteration: 5, op: 6, chunk: 7, range: 8 } as const;
export type GroupKind = (typeof GroupKind)[keyof typeof GroupKind];

export interface GroupTreeOptions {
  /** The most units (sub-groups + own nodes) one group opens into. */
  maxUnits?: number;
  /** Ungrouped nodes made by one source line form a top-level group from this many. */
  minLineGroup?: number;
}

export const DEFAULT_MAX_UNITS = 150;
const DEFAULT_MIN_LINE_GROUP = 8;

export interface GroupTree {
  /** Number of groups; group 0 is the root (the whole graph, always open). Parents come before their children. */
  size: number;
  parent: Int32Array;
  /** Stable identity, used to remember what is expanded: engine paths as they are (`MLP/layer2/neuron1`), synthetic groups below them (`MLP/layer2/neuron1/@call7`); "" for the root. */
  key: string[];
  /** What the group is called on screen: `neuron1`, `call 7`, `moons-mlp.ts:12`, `mul`, `#120–#269`. */
  name: string[];
  kind: Uint8Array;
  depth: Int32Array;
  /** Nodes in the group and all of its sub-groups. */
  count: Int32Array;
  /** The group's own nodes (not in a sub-group). */
  direct: Int32Array;
  /** The first node (creation order) in the group's subtree: siblings are ordered by it. */
  first: Int32Array;
  /** Sub-groups of g, in creation order: childList[childStart[g] .. childStart[g + 1]). */
  childStart: Int32Array;
  childList: Int32Array;
  /** The deepest group of each node (0 for a top-level node; the root node, the loss, is always top level). */
  groupOf: Int32Array;
  /** How a group's own nodes were split into synthetic sub-groups, for people ("per call"), or "". */
  splitBy: string[];
  /** Group id by key. */
  index: Map<string, number>;
}

type Criterion = "runs" | "lines" | "ops" | "chunks";
const SPLIT_TEXT: Record<Criterion | "range", Partial<Record<GroupKind, string>> & { default: string }> = {
  runs: { default: "per call", [GroupKind.line]: "per loop iteration" },
  lines: { default: "per source line" },
  ops: { default: "per op" },
  chunks: { default: "in creation order" },
  range: { default: "in ranges" },
};

interface Draft {
  parent: number; key: string; name: string; kind: GroupKind;
  children: number[]; members: number[]; criteria: Criterion[]; splitBy: string;
}

export function buildGroupTree(t: GraphTopology, options: GroupTreeOptions = {}): GroupTree {
  const maxUnits = Math.max(2, options.maxUnits ?? DEFAULT_MAX_UNITS);
  const minLineGroup = options.minLineGroup ?? DEFAULT_MIN_LINE_GROUP;
  const n = t.op.length;
  const drafts: Draft[] = [];
  const byKey = new Map<string, number>();
  const add = (parent: number, key: string, name: string, kind: GroupKind, criteria: Criterion[]): number => {
    const id = drafts.length;
    drafts.push({ parent, key, name, kind, children: [], members: [], criteria, splitBy: "" });
    if (parent >= 0) drafts[parent].children.push(id);
    byKey.set(key, id);
    return id;
  };
  const ROOT = add(-1, "", "graph", GroupKind.root, ["lines", "ops", "chunks"]);

  // 1. Engine groups: every prefix of every path is a group.
  const engineOf = new Int32Array(t.groups.length);
  t.groups.forEach((path, p) => {
    let at = ROOT, prefix = "";
    for (const seg of path.split("/")) {
      prefix = prefix ? `${prefix}/${seg}` : seg;
      const known = byKey.get(prefix);
      at = known !== undefined && drafts[known].kind === GroupKind.engine ? known : add(at, prefix, seg, GroupKind.engine, ["runs", "lines", "ops", "chunks"]);
    }
    engineOf[p] = at;
  });
  const engineCount = drafts.length;
  const nodeEngine = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = i === n - 1 || t.group[i] < 0 ? ROOT : engineOf[t.group[i]];
    nodeEngine[i] = g;
    drafts[g].members.push(i);
  }

  // 2. Runs: a group's nodes split wherever creation leaves its subtree; each re-entry is a new call.
  const nodeRun = engineRuns(drafts, engineCount, nodeEngine);

  // 3. Top-level source lines: ungrouped nodes made in bulk on one line become that line's group.
  const lineOf = lineIds(t);
  const rootRun = new Int32Array(n);
  {
    const members = drafts[ROOT].members;
    const perLine = new Map<number, number>();
    for (const i of members) if (i !== n - 1 && lineOf.id[i] >= 0) perLine.set(lineOf.id[i], (perLine.get(lineOf.id[i]) ?? 0) + 1);
    const lineGroup = new Map<number, number>();
    const keep: number[] = [];
    let run = 0, lastLine = -2;
    for (const i of members) {
      const l = lineOf.id[i];
      if (l !== lastLine) { run++; lastLine = l; }
      rootRun[i] = run;
      if (i === n - 1 || l < 0 || (perLine.get(l) ?? 0) < minLineGroup) { keep.push(i); continue; }
      let g = lineGroup.get(l);
      if (g === undefined) {
        const name = lineOf.names[l];
        g = add(ROOT, byKey.has(name) ? `@line:${name}` : name, name, GroupKind.line, ["runs", "ops", "chunks"]);
        lineGroup.set(l, g);
      }
      drafts[g].members.push(i);
    }
    drafts[ROOT].members = keep;
  }

  // 4. Split whatever is still too big to open in one go, top down.
  const firstCache = new Map<number, number>();
  const runOf = (g: number) => (drafts[g].kind === GroupKind.line ? rootRun : nodeRun);
  for (let g = 0; g < drafts.length; g++) {
    const d = drafts[g];
    if (d.children.length + d.members.length <= maxUnits) continue;
    splitMembers(g);
    if (d.children.length + d.members.length > maxUnits) splitIntoRanges(g);
  }

  function splitMembers(g: number): void {
    const d = drafts[g];
    // The loss stays a node of its own at the top: it is what every view is about.
    const fixed = g === ROOT ? d.members.filter((i) => i === n - 1) : [];
    const members = g === ROOT ? d.members.filter((i) => i !== n - 1) : d.members;
    for (let c = 0; c < d.criteria.length; c++) {
      const criterion = d.criteria[c];
      const rest = d.criteria.slice(c + 1);
      // Chunks only help against too many own nodes; too many sub-groups become ranges instead.
      if (criterion === "chunks" && members.length <= maxUnits) continue;
      const buckets = bucketize(criterion, members, g);
      if (buckets.length < 2) continue;
      const singles: number[] = [];
      let grouped = 0;
      for (const b of buckets) if (b.members.length >= 2) grouped++; else singles.push(b.members[0]);
      // A criterion that leaves every node on its own splits nothing.
      if (grouped === 0) continue;
      d.splitBy = SPLIT_TEXT[criterion][d.kind] ?? SPLIT_TEXT[criterion].default;
      const naming = namer(criterion, g);
      for (const b of buckets) {
        if (b.members.length < 2) continue;
        const { seg, name, kind } = naming(b.members);
        const id = add(g, childKey(g, seg), name, kind, rest);
        drafts[id].members = b.members;
      }
      d.members = fixed.concat(singles).sort((a, b) => a - b);
      return;
    }
  }

  function bucketize(criterion: Criterion, members: number[], g: number): { members: number[] }[] {
    if (criterion === "chunks") {
      const out: { members: number[] }[] = [];
      for (let s = 0; s < members.length; s += maxUnits) out.push({ members: members.slice(s, s + maxUnits) });
      return out;
    }
    const keyOf = criterion === "runs" ? runOf(g) : criterion === "lines" ? lineOf.id : t.op;
    const at = new Map<number, { members: number[] }>();
    const out: { members: number[] }[] = [];
    for (const i of members) {
      const k = keyOf[i];
      let b = at.get(k);
      if (!b) { b = { members: [] }; at.set(k, b); out.push(b); }
      b.members.push(i);
    }
    return out;
  }

  function namer(criterion: Criterion, g: number): (members: number[]) => { seg: string; name: string; kind: GroupKind } {
    let calls = 0, leafRuns = 0;
    if (criterion === "runs") {
      const iteration = drafts[g].kind === GroupKind.line;
      return (members) => {
        if (members.every((i) => t.op[i] === 0)) {
          leafRuns++;
          const params = members.every((i) => t.kind[i] === NodeKind.param);
          const base = params ? "parameters" : "leaves";
          return { seg: `@${params ? "params" : "leaves"}${leafRuns}`, name: leafRuns > 1 ? `${base} ${leafRuns}` : base, kind: GroupKind.leaves };
        }
        calls++;
        return iteration
          ? { seg: `@iter${calls}`, name: `iteration ${calls}`, kind: GroupKind.iteration }
          : { seg: `@call${calls}`, name: `call ${calls}`, kind: GroupKind.call };
      };
    }
    if (criterion === "lines") return (m) => { const name = lineOf.id[m[0]] >= 0 ? lineOf.names[lineOf.id[m[0]]] : "no source line"; return { seg: `@line:${name}`, name, kind: GroupKind.line }; };
    if (criterion === "ops") return (m) => { const name = OPS[t.op[m[0]]]?.name ?? "op"; return { seg: `@op:${name}`, name, kind: GroupKind.op }; };
    let k = 0;
    return (m) => { k++; return { seg: `@chunk${k}`, name: `#${m[0]}–#${m[m.length - 1]}`, kind: GroupKind.chunk }; };
  }

  /** Too many children: put consecutive ones (groups and single nodes alike) into range groups, as many levels as it takes. */
  function splitIntoRanges(g: number): void {
    const d = drafts[g];
    drafts[g].splitBy ||= SPLIT_TEXT.range.default;
    let level = 0;
    while (d.children.length + d.members.length > maxUnits) {
      level++;
      type Item = { first: number; group: number; node: number };
      const items: Item[] = [
        ...d.children.map((c) => ({ first: firstNode(c), group: c, node: -1 })),
        ...d.members.filter((i) => !(g === ROOT && i === n - 1)).map((i) => ({ first: i, group: -1, node: i })),
      ].sort((a, b) => a.first - b.first);
      const keepRoot = g === ROOT && d.members.includes(n - 1) ? [n - 1] : [];
      const size = Math.ceil(items.length / Math.ceil(items.length / maxUnits));
      d.children = [];
      d.members = keepRoot;
      for (let s = 0, k = 1; s < items.length; s += size, k++) {
        const part = items.slice(s, s + size);
        const label = (it: Item) => (it.group >= 0 ? drafts[it.group].name : `#${it.node}`);
        const id = add(g, childKey(g, `@range${level}.${k}`), `${label(part[0])} … ${label(part[part.length - 1])}`, GroupKind.range, []);
        for (const it of part) {
          if (it.group >= 0) { drafts[it.group].parent = id; drafts[id].children.push(it.group); } else drafts[id].members.push(it.node);
        }
      }
    }
  }

  function firstNode(g: number): number {
    const cached = firstCache.get(g);
    if (cached !== undefined) return cached;
    // Iterative: trees from deep recursion in user code can be deep.
    let best = Infinity;
    const stack = [g];
    while (stack.length) {
      const x = stack.pop()!;
      if (drafts[x].members.length) best = Math.min(best, drafts[x].members[0]);
      stack.push(...drafts[x].children);
    }
    firstCache.set(g, best);
    return best;
  }

  function childKey(g: number, seg: string): string {
    return g === ROOT ? seg : `${drafts[g].key}/${seg}`;
  }

  return freeze(drafts, n);
}

/** Run number of each node within its engine group: it changes each time creation enters the group's subtree again. */
function engineRuns(drafts: Draft[], engineCount: number, nodeEngine: Int32Array): Int32Array {
  // Euler intervals on the engine part of the tree: "a contains b" in O(1).
  const tin = new Int32Array(engineCount), tout = new Int32Array(engineCount);
  let clock = 0;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [g, k] = top;
    if (k === 0) tin[g] = clock++;
    const kids = drafts[g].children;
    if (k < kids.length) { top[1]++; stack.push([kids[k], 0]); } else { tout[g] = clock - 1; stack.pop(); }
  }
  const contains = (a: number, b: number) => tin[a] <= tin[b] && tin[b] <= tout[a];
  const runCount = new Int32Array(engineCount);
  const nodeRun = new Int32Array(nodeEngine.length);
  let prev = 0;
  for (let i = 0; i < nodeEngine.length; i++) {
    const g = nodeEngine[i];
    for (let a = g; a !== 0 && !contains(a, prev); a = drafts[a].parent) runCount[a]++;
    nodeRun[i] = runCount[g];
    prev = g;
  }
  return nodeRun;
}

/** One id per (file, line) a node was made on, and its short name: `line 12` when the model is one file, else `model.ts:12`. */
function lineIds(t: GraphTopology): { id: Int32Array; names: string[] } {
  const locLine = new Int32Array(t.locations.length);
  const names: string[] = [];
  const byName = new Map<string, number>();
  const oneFile = t.locations.every((loc) => loc.file === t.locations[0].file);
  t.locations.forEach((loc, l) => {
    const name = oneFile ? `line ${loc.line}` : `${loc.file.split(/[\\/]/).pop()}:${loc.line}`;
    let id = byName.get(name);
    if (id === undefined) { id = names.length; names.push(name); byName.set(name, id); }
    locLine[l] = id;
  });
  const id = new Int32Array(t.op.length);
  for (let i = 0; i < id.length; i++) id[i] = t.loc[i] >= 0 ? locLine[t.loc[i]] : -1;
  return { id, names };
}

/** Renumbers the drafts in pre-order (parents first, siblings by first node) into flat arrays. */
function freeze(drafts: Draft[], n: number): GroupTree {
  const first = new Float64Array(drafts.length).fill(Infinity);
  const count = new Int32Array(drafts.length);
  // Range groups re-parent earlier drafts, so draft ids are not parent-first: walk the tree (pre-order, then reversed).
  const order: number[] = [];
  const stack = [0];
  while (stack.length) { const g = stack.pop()!; order.push(g); stack.push(...drafts[g].children); }
  for (let k = order.length - 1; k >= 0; k--) {
    const g = order[k], d = drafts[g];
    count[g] += d.members.length;
    if (d.members.length) first[g] = Math.min(first[g], d.members[0]);
    if (d.parent >= 0) { count[d.parent] += count[g]; first[d.parent] = Math.min(first[d.parent], first[g]); }
  }
  for (const d of drafts) d.children.sort((a, b) => first[a] - first[b]);
  const newId = new Int32Array(drafts.length).fill(-1);
  const pre: number[] = [];
  const st = [0];
  while (st.length) {
    const g = st.pop()!;
    newId[g] = pre.length;
    pre.push(g);
    const kids = drafts[g].children;
    for (let k = kids.length - 1; k >= 0; k--) st.push(kids[k]);
  }
  const size = pre.length;
  const tree: GroupTree = {
    size, parent: new Int32Array(size), key: new Array(size), name: new Array(size), kind: new Uint8Array(size),
    depth: new Int32Array(size), count: new Int32Array(size), direct: new Int32Array(size), first: new Int32Array(size),
    childStart: new Int32Array(size + 1), childList: new Int32Array(size - 1), groupOf: new Int32Array(n),
    splitBy: new Array(size), index: new Map(),
  };
  let c = 0;
  pre.forEach((g, id) => {
    const d = drafts[g];
    tree.parent[id] = d.parent >= 0 ? newId[d.parent] : -1;
    tree.depth[id] = d.parent >= 0 ? tree.depth[tree.parent[id]] + 1 : 0;
    tree.key[id] = d.key;
    tree.name[id] = d.name;
    tree.kind[id] = d.kind;
    tree.count[id] = count[g];
    tree.direct[id] = d.members.length;
    tree.first[id] = Number.isFinite(first[g]) ? first[g] : -1;
    tree.splitBy[id] = d.splitBy;
    tree.index.set(d.key, id);
    tree.childStart[id] = c;
    for (const k of d.children) tree.childList[c++] = newId[k];
    for (const i of d.members) tree.groupOf[i] = id;
  });
  tree.childStart[size] = c;
  return tree;
}

/** Sub-groups of g. */
export function childrenOf(tree: GroupTree, g: number): Int32Array {
  return tree.childList.subarray(tree.childStart[g], tree.childStart[g + 1]);
}

/** g and its ancestors up to (not including) the root, outermost first. */
export function ancestry(tree: GroupTree, g: number): number[] {
  const out: number[] = [];
  for (let a = g; a > 0; a = tree.parent[a]) out.push(a);
  return out.reverse();
}

/** True when group g is `ancestor` or inside it. */
export function isWithin(tree: GroupTree, g: number, ancestor: number): boolean {
  for (let a = g; a >= 0; a = tree.parent[a]) if (a === ancestor) return true;
  return false;
}

/** The path people read: `MLP › layer2 › neuron1 › call 7`. */
export function groupTitle(tree: GroupTree, g: number): string {
  return ancestry(tree, g).map((a) => tree.name[a]).join(" › ");
}

/** What opening g shows: its sub-groups and its own nodes, and how they were split. */
export function opensInto(tree: GroupTree, g: number): { groups: number; nodes: number; splitBy: string } {
  return { groups: tree.childStart[g + 1] - tree.childStart[g], nodes: tree.direct[g], splitBy: tree.splitBy[g] };
}

/**
 * Per group, the signed value of largest magnitude among its nodes (NaN wins,
 * so it is never hidden): what a collapsed group's colour and "max |grad|" show.
 * One pass over the nodes, one over the groups (children after parents, so reversed).
 */
export function groupExtremes(tree: GroupTree, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(tree.size);
  const pick = (prev: number, v: number) => (Number.isNaN(prev) || Number.isNaN(v) ? NaN : Math.abs(v) > Math.abs(prev) ? v : prev);
  for (let i = 0; i < tree.groupOf.length; i++) out[tree.groupOf[i]] = pick(out[tree.groupOf[i]], values[i]);
  for (let g = tree.size - 1; g > 0; g--) out[tree.parent[g]] = pick(out[tree.parent[g]], out[g]);
  return out;
}
