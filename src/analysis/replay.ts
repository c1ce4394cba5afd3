import type { GraphTopology } from "../protocol/graph";
import { OP, OPS } from "../protocol/ops";
import { RULES } from "../engine/rules";

/**
 * Replaying a recorded graph (issue 10 §3–§5): the step's topology (op,
 * inputs, constants) and its recorded numbers are enough to recompute the
 * step with the engine's own rules (src/engine/rules.ts) — the user's code is
 * not run again. Nodes are in topological order (inputs come first) and the
 * loss is the last node, as in every snapshot.
 */

/** The operands of node i as its rule sees them: x (first), y (second, or the constant). */
export function operandX(t: GraphTopology, data: Float64Array, i: number): number {
  const a = t.in0[i];
  return a >= 0 ? data[a] : t.k[i];
}

export function operandY(t: GraphTopology, data: Float64Array, i: number): number {
  const b = t.in1[i];
  if (b >= 0) return data[b];
  // A constant-first op keeps its constant as x; its y is the node in in1 (handled above).
  return t.in0[i] < 0 ? NaN : t.k[i];
}

export const isLeaf = (t: GraphTopology, i: number) => t.op[i] === OP.leaf;

/** ∂node/∂(its input `which`) at the given numbers: the rule's d0 or d1. */
export function localDerivative(t: GraphTopology, data: Float64Array, i: number, which: 0 | 1): number {
  const r = RULES[t.op[i]];
  const x = operandX(t, data, i), y = operandY(t, data, i);
  // A constant-first op (`2 − x`, stored with in0 = −1): its node input is the rule's second operand.
  if (t.in0[i] < 0) return which === 1 ? r.d1(x, y, data[i]) : 0;
  return which === 0 ? r.d0(x, y, data[i]) : r.d1(x, y, data[i]);
}

/** ∂node i/∂node j summed over i's inputs that are j (x·x counts twice). */
export function edgeDerivative(t: GraphTopology, data: Float64Array, i: number, j: number): number {
  let d = 0;
  if (t.in0[i] === j) d += localDerivative(t, data, i, 0);
  if (t.in1[i] === j) d += localDerivative(t, data, i, 1);
  return d;
}

/**
 * Forward from the leaves: every op node recomputed from its inputs, the
 * leaves' data from `base` except the overridden nodes. An overridden op node
 * keeps the given value (its inputs are ignored), so any node can be nudged.
 * Only nodes downstream of an override are recomputed; the rest are copied.
 */
export function replayForward<A extends ArrayBufferLike = ArrayBuffer>(t: GraphTopology, base: Float64Array, overrides: ReadonlyMap<number, number>, out: Float64Array<A> = new Float64Array(base.length) as unknown as Float64Array<A>): Float64Array<A> {
  const n = t.op.length;
  out.set(base.subarray(0, n));
  if (overrides.size === 0) return out;
  let first = n;
  for (const [i, v] of overrides) {
    out[i] = v;
    first = Math.min(first, i);
  }
  // 1: changed; 2: overridden (kept as given).
  const dirty = new Uint8Array(n);
  for (const i of overrides.keys()) dirty[i] = 2;
  const { op, in0, in1 } = t;
  for (let i = first + 1; i < n; i++) {
    if (op[i] === OP.leaf || dirty[i] === 2) continue;
    const a = in0[i], b = in1[i];
    if (!((a >= 0 && dirty[a]) || (b >= 0 && dirty[b]))) continue;
    dirty[i] = 1;
    out[i] = RULES[op[i]].forward(operandX(t, out, i), operandY(t, out, i));
  }
  return out;
}

/** Every op node recomputed from the leaves (to check that a graph replays to its recorded numbers). */
export function replayAll(t: GraphTopology, base: Float64Array): Float64Array {
  const n = t.op.length, out = Float64Array.from(base.subarray(0, n));
  for (let i = 0; i < n; i++) if (t.op[i] !== OP.leaf && t.in0[i] + t.in1[i] > -2) out[i] = RULES[t.op[i]].forward(operandX(t, out, i), operandY(t, out, i));
  return out;
}

/** Reverse mode from `root` (default: the loss, the last node) through the rules table: fresh gradients, nothing accumulated. */
export function replayBackward(t: GraphTopology, data: Float64Array, root = t.op.length - 1): Float64Array<ArrayBuffer> {
  const grad = new Float64Array(t.op.length);
  grad[root] = 1;
  for (let i = root; i >= 0; i--) {
    const g = grad[i];
    if (g === 0 || t.op[i] === OP.leaf) continue;
    const a = t.in0[i], b = t.in1[i];
    if (a >= 0) grad[a] += localDerivative(t, data, i, 0) * g;
    if (b >= 0) grad[b] += localDerivative(t, data, i, 1) * g;
  }
  return grad;
}

/** Which nodes the root depends on (an input of an input of … the root). */
export function reachesFrom(t: GraphTopology, root = t.op.length - 1): Uint8Array {
  const r = new Uint8Array(t.op.length);
  r[root] = 1;
  for (let i = root; i >= 0; i--) {
    if (!r[i]) continue;
    if (t.in0[i] >= 0) r[t.in0[i]] = 1;
    if (t.in1[i] >= 0) r[t.in1[i]] = 1;
  }
  return r;
}

/** Which nodes depend on `node` (it, and everything computed from it). */
export function downstreamOf(t: GraphTopology, node: number): Uint8Array {
  const n = t.op.length, d = new Uint8Array(n);
  d[node] = 1;
  for (let i = node + 1; i < n; i++) {
    const a = t.in0[i], b = t.in1[i];
    if ((a >= 0 && d[a]) || (b >= 0 && d[b])) d[i] = 1;
  }
  return d;
}

export function opName(t: GraphTopology, i: number): string {
  return OPS[t.op[i]]?.name ?? "?";
}

export { nodeName } from "../graph/nodeName";
