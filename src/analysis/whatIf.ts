import type { GraphTopology } from "../protocol/graph";
import { replayBackward, replayForward } from "./replay";

export interface WhatIfResult {
  before: number;
  after: number;
  lossBefore: number;
  lossAfter: number;
  /** grad · Δx with the replayed (fresh, not accumulated) gradient of the node. */
  predicted: number;
  actual: number;
  moved: Float64Array<ArrayBuffer>;
  data: Float64Array<ArrayBuffer>;
  grad: Float64Array<ArrayBuffer>;
}

/** Sets one node (normally a leaf) to `value`, replays forward and backward, and compares ΔL with the first-order prediction. */
export function whatIf(t: GraphTopology, data: Float64Array, node: number, value: number): WhatIfResult {
  const root = t.op.length - 1;
  const base = replayForward(t, data, new Map());
  const grad0 = replayBackward(t, base, root);
  const next = replayForward(t, base, new Map([[node, value]]), new Float64Array(base.length));
  const moved = new Float64Array(next.length);
  for (let i = 0; i < next.length; i++) moved[i] = next[i] - base[i];
  const before = base[node];
  return {
    before,
    after: value,
    lossBefore: base[root],
    lossAfter: next[root],
    predicted: grad0[node] * (value - before),
    actual: next[root] - base[root],
    moved,
    data: next,
    grad: replayBackward(t, next, root),
  };
}
