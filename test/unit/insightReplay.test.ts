import { describe, expect, it } from "vitest";
import { Value } from "../../src/engine";
import { RULES } from "../../src/engine/rules";
import { checkableLeaves, explain, gradcheck, replayBackward, replayForward, whatIf, type Recorded } from "../../src/extension/insightReplay";
import { nodeName } from "../../src/graph/nodeName";
import type { GraphTopology } from "../../src/protocol/graph";
import { NodeKind, OP } from "../../src/protocol/ops";

/** The host's replay of a recorded step (until the runner answers insight requests), on hand-built graphs. */
function graph(nodes: [op: number, in0: number, in1: number, k: number, data: number, label: string, kind?: number][]): Recorded {
  const n = nodes.length;
  const topology: GraphTopology = {
    hash: "t", op: Uint8Array.from(nodes.map((x) => x[0])), kind: Uint8Array.from(nodes.map((x) => x[6] ?? NodeKind.value)),
    in0: Int32Array.from(nodes.map((x) => x[1])), in1: Int32Array.from(nodes.map((x) => x[2])), k: Float64Array.from(nodes.map((x) => x[3])),
    label: nodes.map((x) => x[5]), loc: new Int32Array(n).fill(-1), locations: [], group: new Int32Array(n).fill(-1), groups: [],
  };
  const data = Float64Array.from(nodes.map((x) => x[4]));
  replayForward(topology, data);
  return { topology, values: { data, grad: replayBackward(topology, data) } };
}

/** The seed: a=2, b=3, c=a*b, d=c+1, loss=d^2 → 49; a.grad 42, b.grad 28. */
const seed = () => graph([
  [OP.leaf, -1, -1, NaN, 2, "a", NodeKind.input], [OP.leaf, -1, -1, NaN, 3, "b", NodeKind.input],
  [OP.mul, 0, 1, NaN, 0, "c"], [OP.add, 2, -1, 1, 0, "d"], [OP.pow, 3, -1, 2, 0, "loss"],
]);
const name = (r: Recorded) => (i: number) => nodeName(r.topology, i);

describe("insight replay", () => {
  it("replays the seed: 49, a.grad 42, b.grad 28", () => {
    const r = seed();
    expect(r.values.data[4]).toBe(49);
    expect([...r.values.grad.slice(0, 2)]).toEqual([42, 28]);
  });

  it("gradcheck agrees with backward() on the seed and on an engine-built tanh/sigmoid/powv graph", () => {
    const r = seed();
    const rows = gradcheck(r, checkableLeaves(r.topology), name(r));
    expect(rows.map((x) => x.label).sort()).toEqual(["a", "b"]);
    for (const row of rows) { expect(row.flagged).toBe(false); expect(row.numeric).toBeCloseTo(row.analytic, 5); }
    // powv: x^y with both Values; d/dy = x^y ln x.
    const g = graph([[OP.leaf, -1, -1, NaN, 1.7, "x", NodeKind.param], [OP.leaf, -1, -1, NaN, 0.6, "y", NodeKind.param],
      [OP.powv, 0, 1, NaN, 0, "p"], [OP.tanh, 2, -1, NaN, 0, "t"], [OP.sigmoid, 3, -1, NaN, 0, "s"], [OP.mul, 4, 0, NaN, 0, "loss"]]);
    for (const row of gradcheck(g, [0, 1], name(g))) expect(row.relError).toBeLessThan(1e-7);
    // And the engine's own backward() gives the same gradient for the same graph.
    const x = new Value(1.7), y = new Value(0.6);
    const loss = x.pow(y).tanh().sigmoid().mul(x);
    loss.backward();
    expect(g.values.grad[0]).toBeCloseTo(x.grad, 12);
    expect(g.values.grad[1]).toBeCloseTo(y.grad, 12);
  });

  it("flags a deliberately wrong derivative rule", () => {
    const r = graph([[OP.leaf, -1, -1, NaN, 0.4, "w", NodeKind.param], [OP.tanh, 0, -1, NaN, 0, "t"], [OP.mul, 1, -1, 3, 0, "loss"]]);
    const original = RULES[OP.tanh].d0;
    RULES[OP.tanh].d0 = (_x, _y, out) => 1 - out; // wrong: should be 1 − out²
    try {
      const [row] = gradcheck(r, [0], name(r));
      expect(row.flagged).toBe(true);
      expect(row.relError).toBeGreaterThan(0.1);
    } finally {
      RULES[OP.tanh].d0 = original;
    }
    expect(gradcheck(r, [0], name(r))[0].flagged).toBe(false);
  });

  it("what-if: ΔL ≈ grad·Δx for a small nudge; |Δdata| per node", () => {
    const r = seed();
    const w = whatIf(r, 0, 2.001);
    expect(w.grad).toBe(42);
    expect(w.predicted).toBeCloseTo(0.042, 12);
    expect(w.actual).toBeCloseTo(7.003 ** 2 - 49, 12);
    expect(w.moved[1]).toBe(0);
    expect(w.moved[2]).toBeCloseTo(0.003, 12);
    expect(() => whatIf(r, 2, 1)).toThrow(/leaf/);
  });

  it("explain: paths to the loss with products summing to the gradient; a shared input has one path per use", () => {
    // x used twice: p = 3x, q = x + 1, loss = p·q → dloss/dx = q·3 + p·1.
    const r = graph([[OP.leaf, -1, -1, NaN, 2, "x", NodeKind.input], [OP.mul, 0, -1, 3, 0, "p"], [OP.add, 0, -1, 1, 0, "q"], [OP.mul, 1, 2, NaN, 0, "loss"]]);
    const e = explain(r, 0, 5, name(r));
    expect(e.gradient).toBe(15);
    expect(e.pathCount).toBe(2);
    expect(e.paths.map((p) => p.nodes)).toEqual([[0, 1, 3], [0, 2, 3]]); // 3·3 = 9 first, then 1·6 = 6
    expect(e.shownSum).toBe(15);
    // x·x: two edges into the same node, two paths.
    const sq = graph([[OP.leaf, -1, -1, NaN, 3, "x"], [OP.mul, 0, 0, NaN, 0, "loss"]]);
    const es = explain(sq, 0, 5, name(sq));
    expect(es.pathCount).toBe(2);
    expect(es.shownSum).toBe(6);
  });

  it("explain: a zero gradient says why (a ReLU at ≤ 0; not connected to the loss)", () => {
    const r = graph([[OP.leaf, -1, -1, NaN, 0.5, "w", NodeKind.param], [OP.mul, 0, -1, -2, 0, "z"], [OP.relu, 1, -1, NaN, 0, "h"], [OP.leaf, -1, -1, NaN, 7, "u", NodeKind.param], [OP.add, 2, -1, 1, 0, "loss"]]);
    const e = explain(r, 0, 3, name(r));
    expect(e.gradient).toBe(0);
    expect(e.blockers).toEqual([2]);
    expect(e.why).toMatch(/h is a ReLU whose input −?-?1 is ≤ 0/);
    const u = explain(r, 3, 3, name(r));
    expect(u.pathCount).toBe(0);
    expect(u.why).toMatch(/does not reach loss/);
  });
});
