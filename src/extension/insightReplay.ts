import { RULES } from "../engine/rules";
import type { GraphTopology, GraphValues } from "../protocol/graph";
import type { GradcheckRow } from "../protocol/health";
import type { GradPath } from "../protocol/insightPanel";
import { NodeKind, OP, OPS } from "../protocol/ops";

/**
 * Answers about one recorded step by replaying its graph with the engine's
 * rules table (src/engine/rules.ts): forward from the leaves, backward from
 * the loss. The user's code is not re-run. Pure (no vscode, no node:*): the
 * host uses it until the runner process answers these requests itself
 * (src/analysis/**, issue 10); nodes are in creation order, the loss last.
 */

export interface Recorded {
  topology: GraphTopology;
  values: GraphValues;
}

const operand = (t: GraphTopology, data: Float64Array, j: number, i: number) => (j >= 0 ? data[j] : t.k[i]);

/** Forward pass from the leaves' data (leaf values are taken from `data` itself): fills `data` in place. */
export function replayForward(t: GraphTopology, data: Float64Array, from = 0): void {
  const { op, in0, in1 } = t;
  for (let i = from; i < op.length; i++) {
    if (op[i] === OP.leaf) continue;
    data[i] = RULES[op[i]].forward(operand(t, data, in0[i], i), operand(t, data, in1[i], i));
  }
}

/** Gradients of the loss (the last node) w.r.t. every node, for this step's data alone (no accumulation). */
export function replayBackward(t: GraphTopology, data: Float64Array): Float64Array {
  const n = t.op.length, grad = new Float64Array(n);
  if (n === 0) return grad;
  grad[n - 1] = 1;
  for (let i = n - 1; i >= 0; i--) {
    const g = grad[i];
    if (g === 0 || t.op[i] === OP.leaf) continue;
    const a = t.in0[i], b = t.in1[i];
    const x = operand(t, data, a, i), y = operand(t, data, b, i);
    if (a >= 0) grad[a] += g * RULES[t.op[i]].d0(x, y, data[i]);
    if (b >= 0) grad[b] += g * RULES[t.op[i]].d1(x, y, data[i]);
  }
  return grad;
}

/** The leaves a "Check all parameters" covers: the parameters, or every leaf when the model has none. */
export function checkableLeaves(t: GraphTopology): number[] {
  const params: number[] = [], leaves: number[] = [];
  for (let i = 0; i < t.op.length; i++) {
    if (t.op[i] !== OP.leaf) continue;
    leaves.push(i);
    if (t.kind[i] === NodeKind.param) params.push(i);
  }
  return params.length ? params : leaves;
}

export const GRADCHECK_TOLERANCE = 1e-4;
/** Below this magnitude both gradients count as 0: relative error is measured against it instead. */
const REL_FLOOR = 1e-6;

/**
 * Central differences of the replayed loss for each leaf: (L(x+h) − L(x−h)) / 2h
 * with h = 1e-6·max(1, |x|), next to the chain rule through the rules table.
 * Rows sorted by relative error, largest (and NaN) first.
 */
export function gradcheck(r: Recorded, leaves: number[], label: (i: number) => string, tolerance = GRADCHECK_TOLERANCE): GradcheckRow[] {
  const t = r.topology, n = t.op.length;
  const base = Float64Array.from(r.values.data);
  replayForward(t, base);
  const analytic = replayBackward(t, base);
  const work = new Float64Array(n);
  const rows: GradcheckRow[] = [];
  for (const i of leaves) {
    if (i < 0 || i >= n || t.op[i] !== OP.leaf) continue;
    const x = base[i], h = 1e-6 * Math.max(1, Math.abs(x));
    const lossAt = (v: number) => { work.set(base); work[i] = v; replayForward(t, work, i + 1); return work[n - 1]; };
    const numeric = (lossAt(x + h) - lossAt(x - h)) / (2 * h);
    const a = analytic[i];
    const relError = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), REL_FLOOR);
    rows.push({ node: i, label: label(i), analytic: a, numeric, relError, recorded: r.values.grad[i], flagged: !(relError <= tolerance) });
  }
  const key = (e: number) => (Number.isNaN(e) ? Infinity : e);
  return rows.sort((p, q) => key(q.relError) - key(p.relError));
}

export interface WhatIf {
  from: number;
  to: number;
  grad: number;
  lossBefore: number;
  lossAfter: number;
  /** grad · Δx: the first-order prediction. */
  predicted: number;
  actual: number;
  /** |Δdata| per node. */
  moved: Float64Array<ArrayBuffer>;
}

/** Sets leaf `node` to `value` and replays forward: the loss's actual change next to grad·Δx. */
export function whatIf(r: Recorded, node: number, value: number): WhatIf {
  const t = r.topology, n = t.op.length;
  if (node < 0 || node >= n || t.op[node] !== OP.leaf) throw new Error("only a leaf (an input or a parameter) can be set");
  const base = Float64Array.from(r.values.data);
  replayForward(t, base);
  const grad = replayBackward(t, base)[node];
  const next = Float64Array.from(base);
  next[node] = value;
  replayForward(t, next, node + 1);
  const moved = new Float64Array(n);
  for (let i = 0; i < n; i++) moved[i] = Math.abs(next[i] - base[i]);
  const from = base[node], lossBefore = base[n - 1], lossAfter = next[n - 1];
  return { from, to: value, grad, lossBefore, lossAfter, predicted: grad * (value - from), actual: lossAfter - lossBefore, moved };
}

export interface Explanation {
  gradient: number;
  paths: GradPath[];
  pathCount: number;
  shownSum: number;
  why?: string;
  blockers?: number[];
}

/** Consumers of each node (a node reading the same input twice is listed twice: each slot is its own edge). */
function consumers(t: GraphTopology): { start: Int32Array; list: Int32Array } {
  const n = t.op.length, count = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) { if (t.in0[i] >= 0) count[t.in0[i] + 1]++; if (t.in1[i] >= 0) count[t.in1[i] + 1]++; }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const start = count.slice(), fill = count.slice(0, n), list = new Int32Array(start[n]);
  for (let i = 0; i < n; i++) { if (t.in0[i] >= 0) list[fill[t.in0[i]]++] = i; if (t.in1[i] >= 0) list[fill[t.in1[i]]++] = i; }
  return { start, list };
}

/** ∂c/∂(its input in slot s). */
function local(t: GraphTopology, data: Float64Array, c: number, slot: 0 | 1): number {
  const x = operand(t, data, t.in0[c], c), y = operand(t, data, t.in1[c], c);
  return slot === 0 ? RULES[t.op[c]].d0(x, y, data[c]) : RULES[t.op[c]].d1(x, y, data[c]);
}

/** Each edge from `a` into consumer c: one per slot of c that reads a. */
function edgesOut(t: GraphTopology, data: Float64Array, cons: { start: Int32Array; list: Int32Array }, a: number, visit: (c: number, d: number) => void): void {
  let last = -1;
  for (let e = cons.start[a]; e < cons.start[a + 1]; e++) {
    const c = cons.list[e];
    if (c === last) continue; // listed once per slot: handle both slots on the first sight
    last = c;
    if (t.in0[c] === a) visit(c, local(t, data, c, 0));
    if (t.in1[c] === a) visit(c, local(t, data, c, 1));
  }
}

const MAX_EXPANSIONS = 200_000;

/**
 * The k paths from `node` to the loss with the largest |product of local derivatives|, found
 * best-first (each partial path's bound is its product times the best product from its end);
 * the sum over all paths is the gradient (computed by the backward replay). For a zero
 * gradient, why: not connected to the loss, or the ops that multiply every path by 0.
 */
export function explain(r: Recorded, node: number, k: number, name: (i: number) => string): Explanation {
  const t = r.topology, n = t.op.length, root = n - 1;
  const data = Float64Array.from(r.values.data);
  replayForward(t, data);
  const gradient = replayBackward(t, data)[node];
  const cons = consumers(t);
  // best[i]: the largest |product| over paths from i to the root; count[i]: how many paths.
  const best = new Float64Array(n), count = new Float64Array(n);
  best[root] = 1; count[root] = 1;
  for (let i = root - 1; i >= node; i--) {
    edgesOut(t, data, cons, i, (c, d) => {
      count[i] += count[c];
      const b = Math.abs(d) * best[c];
      if (b > best[i] || Number.isNaN(b)) best[i] = Number.isNaN(b) ? Infinity : Math.max(best[i], b);
    });
  }
  if (node === root) return { gradient: 1, paths: [{ nodes: [root], factors: [], product: 1 }], pathCount: 1, shownSum: 1 };
  if (count[node] === 0) return { gradient, paths: [], pathCount: 0, shownSum: 0, why: `${name(node)} does not reach ${name(root)}: no path leads from it to the loss, so backward() never gives it a gradient.` };

  // Best-first over partial paths: a small binary heap keyed by bound = |product so far| · best[end].
  type Partial = { nodes: number[]; factors: number[]; product: number; bound: number };
  const heap: Partial[] = [];
  const push = (p: Partial) => { heap.push(p); let i = heap.length - 1; while (i > 0) { const up = (i - 1) >> 1; if (heap[up].bound >= p.bound) break; heap[i] = heap[up]; i = up; } heap[i] = p; };
  const pop = (): Partial => {
    const top = heap[0], last = heap.pop()!;
    if (heap.length) { let i = 0; for (;;) { const l = 2 * i + 1, rr = l + 1; let m = i; const bm = () => (m === i ? last.bound : heap[m].bound); if (l < heap.length && heap[l].bound > bm()) m = l; if (rr < heap.length && heap[rr].bound > bm()) m = rr; if (m === i) break; heap[i] = heap[m]; i = m; } heap[i] = last; }
    return top;
  };
  push({ nodes: [node], factors: [], product: 1, bound: best[node] });
  const paths: GradPath[] = [];
  for (let expansions = 0; heap.length && paths.length < k && expansions < MAX_EXPANSIONS; expansions++) {
    const p = pop();
    const end = p.nodes[p.nodes.length - 1];
    if (end === root) { paths.push({ nodes: p.nodes, factors: p.factors, product: p.product }); continue; }
    edgesOut(t, data, cons, end, (c, d) => {
      if (count[c] === 0) return;
      const product = p.product * d;
      const bound = Number.isNaN(product) ? Infinity : Math.abs(product) * best[c];
      push({ nodes: [...p.nodes, c], factors: [...p.factors, d], product, bound });
    });
  }
  const shownSum = paths.reduce((s, p) => s + p.product, 0);
  const out: Explanation = { gradient, paths, pathCount: count[node], shownSum };
  if (gradient === 0) Object.assign(out, whyZero(t, data, cons, count, node, name));
  return out;
}

/** The ops whose local derivative is 0 on the node's way to the loss, nearest first, said in words. */
function whyZero(t: GraphTopology, data: Float64Array, cons: { start: Int32Array; list: Int32Array }, count: Float64Array, node: number, name: (i: number) => string): { why: string; blockers: number[] } {
  const blockers: number[] = [], reasons: string[] = [];
  const seen = new Uint8Array(t.op.length);
  const queue = [node];
  seen[node] = 1;
  while (queue.length && blockers.length < 5) {
    const a = queue.shift()!;
    edgesOut(t, data, cons, a, (c, d) => {
      if (count[c] === 0 || blockers.length >= 5) return;
      if (d === 0) {
        if (!blockers.includes(c)) { blockers.push(c); reasons.push(zeroReason(t, data, c, a, name)); }
      } else if (!seen[c]) { seen[c] = 1; queue.push(c); }
    });
  }
  const why = reasons.length
    ? `Every path to the loss is multiplied by 0: ${reasons.join("; ")}.`
    : "The paths' products cancel out or underflow to 0.";
  return { why, blockers };
}

function zeroReason(t: GraphTopology, data: Float64Array, c: number, a: number, name: (i: number) => string): string {
  const op = OPS[t.op[c]]?.name;
  const x = operand(t, data, t.in0[c], c);
  const fmt = (v: number) => String(Number(v.toPrecision(4)));
  switch (op) {
    case "relu": return `${name(c)} is a ReLU whose input ${fmt(x)} is ≤ 0, so it passes no gradient`;
    case "tanh": return `${name(c)} is a saturated tanh (output ${fmt(data[c])}, 1 − t² = 0)`;
    case "sigmoid": return `${name(c)} is a saturated sigmoid (output ${fmt(data[c])})`;
    case "mul": {
      const other = t.in0[c] === a ? t.in1[c] : t.in0[c];
      return `${name(c)} multiplies ${name(a)} by ${other >= 0 ? `${name(other)} = ` : ""}0`;
    }
    default: return `${name(c)} (${op}) has a local derivative of 0 here`;
  }
}
