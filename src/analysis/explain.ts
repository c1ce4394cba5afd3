import type { GraphTopology } from "../protocol/graph";
import type { GradPath, ZeroReason } from "../protocol/insight";
import { OP } from "../protocol/ops";
import { downstreamOf, edgeDerivative, nodeName, operandX, reachesFrom, replayBackward, replayForward } from "./replay";

/** A local derivative at or below this cuts a path (a saturated tanh at |x| ≥ ~10, a ReLU at ≤ 0, × 0). */
export const CUT = 1e-8;
/** A gradient at or below this is explained as zero. */
export const ZERO = 1e-12;

export interface Explanation {
  loss: number;
  gradient: number;
  paths: GradPath[];
  sumShown: number;
  pathCount: number;
  zero?: ZeroReason;
}

interface Entry {
  product: number;
  /** The consumer this path continues into, and which of its entries; −1 at the loss. */
  next: number;
  at: number;
}

/**
 * Explains node v's gradient: the paths from v to the loss, each the product
 * of the local derivatives (rules.ts) along it; the gradient is their sum
 * (the chain rule, multivariate). Lists the top-k by |product| (a k-best
 * dynamic programme from the loss down, O(edges · k log k)); an input used
 * twice by one op (x·x) is one edge with the summed derivative (2x). For a
 * ~zero gradient, says why.
 */
export function explain(t: GraphTopology, recordedData: Float64Array, v: number, k = 5): Explanation {
  const n = t.op.length, root = n - 1;
  const data = replayForward(t, recordedData, new Map());
  const gradient = replayBackward(t, data, root)[v];
  const sub = downstreamOf(t, v);
  const up = reachesFrom(t, root);
  for (let i = 0; i < n; i++) sub[i] &= up[i];

  // Consumers within the sub-DAG, each once per consuming node.
  const cons = new Map<number, number[]>();
  for (let i = v + 1; i <= root; i++) {
    if (!sub[i]) continue;
    const a = t.in0[i], b = t.in1[i];
    if (a >= 0 && sub[a]) push(cons, a, i);
    if (b >= 0 && b !== a && sub[b]) push(cons, b, i);
  }

  const best = new Map<number, Entry[]>();
  const count = new Map<number, number>();
  const alive = new Map<number, boolean>();
  if (sub[root]) {
    best.set(root, [{ product: 1, next: -1, at: 0 }]);
    count.set(root, 1);
    alive.set(root, true);
  }
  for (let u = root - 1; u >= v; u--) {
    if (!sub[u]) continue;
    const cands: Entry[] = [];
    let c = 0, live = false;
    for (const consumer of cons.get(u) ?? []) {
      const f = edgeDerivative(t, data, consumer, u);
      c += count.get(consumer) ?? 0;
      if (alive.get(consumer) && Math.abs(f) > CUT) live = true;
      const entries = best.get(consumer) ?? [];
      for (let j = 0; j < entries.length; j++) cands.push({ product: f * entries[j].product, next: consumer, at: j });
    }
    cands.sort((p, q) => Math.abs(q.product) - Math.abs(p.product));
    best.set(u, cands.slice(0, k));
    count.set(u, c);
    alive.set(u, live);
  }

  const paths: GradPath[] = [];
  let sumShown = 0;
  for (const e of best.get(v) ?? []) {
    const nodes = [v], factors: number[] = [];
    let cur = e, at = v;
    while (cur.next >= 0) {
      factors.push(edgeDerivative(t, data, cur.next, at));
      nodes.push(cur.next);
      at = cur.next;
      cur = best.get(cur.next)![cur.at];
    }
    paths.push({ nodes, factors, product: e.product });
    sumShown += e.product;
  }

  const out: Explanation = { loss: root, gradient, paths, sumShown, pathCount: count.get(v) ?? 0 };
  if (v === root) return out;
  if (!sub[v]) out.zero = { kind: "not-connected", node: -1, detail: `${nodeName(t, v)} is not used on any path to the loss: changing it cannot change the loss.` };
  else if (!alive.get(v)) out.zero = cutReason(t, data, v, sub, cons);
  else if (Math.abs(gradient) <= ZERO) out.zero = { kind: "cancelled", node: -1, detail: `${out.pathCount} paths carry gradient, but their contributions cancel (sum ${gradient}).` };
  return out;
}

/** Every path from v is cut: find the cut nearest v, and say what kind of cut it is. */
function cutReason(t: GraphTopology, data: Float64Array, v: number, sub: Uint8Array, cons: Map<number, number[]>): ZeroReason {
  const seen = new Set<number>([v]);
  const cuts: number[] = [];
  const queue = [v];
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q];
    for (const c of cons.get(u) ?? []) {
      if (!sub[c]) continue;
      if (Math.abs(edgeDerivative(t, data, c, u)) > CUT) {
        if (!seen.has(c)) {
          seen.add(c);
          queue.push(c);
        }
      } else if (!cuts.includes(c)) cuts.push(c);
    }
  }
  cuts.sort((a, b) => a - b);
  const c = cuts[0] ?? -1;
  if (c < 0) return { kind: "zero-factor", node: -1, detail: "every path to the loss has a zero local derivative" };
  const more = cuts.length > 1 ? ` (${cuts.length} places cut it; this is the nearest)` : "";
  const op = t.op[c];
  if (op === OP.relu)
    return { kind: "relu-off", node: c, detail: `${nodeName(t, c)}: the ReLU's input is ${operandX(t, data, c)} ≤ 0, so it passes no gradient${more}.` };
  if (op === OP.tanh || op === OP.sigmoid) {
    const name = op === OP.tanh ? "tanh" : "sigmoid";
    return { kind: "saturated", node: c, detail: `${nodeName(t, c)}: ${name} is saturated at ${data[c]} (input ${operandX(t, data, c)}), its derivative ~0${more}.` };
  }
  return { kind: "zero-factor", node: c, detail: `${nodeName(t, c)}: its local derivative with respect to this input is 0${more}.` };
}

function push(m: Map<number, number[]>, key: number, value: number): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}
