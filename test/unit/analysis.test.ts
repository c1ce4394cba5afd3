import { afterEach, describe, expect, it } from "vitest";
import { MLP, Rng, SGD, Value, hinge, makeMoons, sum } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { RULES } from "../../src/engine/rules";
import { explain } from "../../src/analysis/explain";
import { gradcheckNodes, gradcheckTargets } from "../../src/analysis/gradcheck";
import { answerInsight, type StepRecord } from "../../src/analysis/insight";
import { layerStats, layersOf } from "../../src/analysis/layers";
import { replayAll, replayBackward } from "../../src/analysis/replay";
import { whatIf } from "../../src/analysis/whatIf";
import { InsightResponseSchema } from "../../src/protocol/insight";
import { OP } from "../../src/protocol/ops";
import type { GraphTopology } from "../../src/protocol/graph";
import { Reporter } from "../../src/runner/worker/reporter";

/** Records every backward() of fn as the runner holds it (topology, data, grad, updates). */
function record(fn: () => void): StepRecord[] {
  const reporter = new Reporter([]);
  const out: StepRecord[] = [];
  let topology: GraphTopology | undefined;
  engine.recordUpdates = true;
  engine.onBackward = (root) => {
    const r = reporter.report("all");
    engine.updates.length = 0;
    topology = r.topology ?? topology;
    out.push({ step: engine.steps, loss: root.data, topology: topology!, data: r.values.data, grad: r.values.grad, updates: r.updates });
  };
  try {
    fn();
  } finally {
    engine.onBackward = null;
    engine.recordUpdates = false;
    engine.updates.length = 0;
  }
  return out;
}

afterEach(() => {
  engine.onBackward = null;
});

/** The seed: loss = (a·b + 1)², a = 2, b = 3 → 49, grads 42 / 28. */
function seed(): StepRecord {
  return record(() => {
    const a = new Value(2, "a");
    const b = new Value(3, "b");
    a.mul(b).add(1).pow(2).backward();
  })[0];
}

function moons(steps = 2, sizes = [8, 8, 1]): StepRecord[] {
  return record(() => {
    const rng = new Rng(7);
    const { X, y } = makeMoons(20, 0.1, rng);
    const model = new MLP(2, sizes, { rng });
    const opt = new SGD(model.parameters(), { lr: 0.5 });
    for (let k = 0; k < steps; k++) {
      const scores = X.map((x) => model.forward(x)[0]);
      const loss = hinge(scores, y).add(sum(model.parameters().map((p) => p.mul(p))).mul(1e-4));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
  });
}

describe("replay", () => {
  it("reproduces the recorded numbers of a real graph exactly, forward and backward", () => {
    for (const r of [seed(), moons(1)[0]]) {
      expect(Array.from(replayAll(r.topology, r.data))).toEqual(Array.from(r.data));
      expect(Array.from(replayBackward(r.topology, r.data))).toEqual(Array.from(r.grad));
    }
  });
});

describe("what-if", () => {
  it("the seed: a + 0.1 predicts ΔL = 42 · 0.1 = 4.2; the replay gives (2.1·3 + 1)² − 49 = 4.29", () => {
    const r = seed();
    const w = whatIf(r.topology, r.data, 0, 2.1);
    expect(w.lossBefore).toBe(49);
    expect(w.predicted).toBeCloseTo(4.2, 12);
    expect(w.lossAfter).toBeCloseTo(53.29, 12);
    expect(w.actual).toBeCloseTo(4.29, 12);
    expect(Array.from(w.moved).map((x) => +x.toFixed(10))).toEqual([0.1, 0, 0.3, 0.3, 4.29]);
    // The new step's gradients: ∂L/∂a = 2·7.3·3.
    expect(w.grad[0]).toBeCloseTo(43.8, 12);
  });
});

describe("explain", () => {
  it("a single path in the seed: 3 · 1 · 14 = 42", () => {
    const r = seed();
    const e = explain(r.topology, r.data, 0);
    expect(e.gradient).toBe(42);
    expect(e.paths).toHaveLength(1);
    expect(e.paths[0].nodes).toEqual([0, 2, 3, 4]);
    expect(e.paths[0].factors).toEqual([3, 1, 14]);
    expect(e.paths[0].product).toBe(42);
    expect(e.zero).toBeUndefined();
  });

  it("all paths of a parameter in an MLP sum to its gradient; the top-k are the largest", () => {
    const r = moons(1)[0];
    const t = r.topology;
    const w = t.label.findIndex((l) => l === "layer1.neuron1.w0");
    expect(w).toBeGreaterThanOrEqual(0);
    const all = explain(t, r.data, w, 50);
    expect(all.pathCount).toBeGreaterThan(1);
    if (all.pathCount <= 50) expect(all.sumShown).toBeCloseTo(all.gradient, 10);
    expect(all.gradient).toBeCloseTo(r.grad[w], 12);
    const top = explain(t, r.data, w, 3);
    expect(top.paths.map((p) => p.product)).toEqual(all.paths.slice(0, 3).map((p) => p.product));
    for (let i = 1; i < top.paths.length; i++) expect(Math.abs(top.paths[i - 1].product)).toBeGreaterThanOrEqual(Math.abs(top.paths[i].product));
    for (const p of top.paths) {
      expect(p.nodes[0]).toBe(w);
      expect(p.nodes.at(-1)).toBe(t.op.length - 1);
      expect(p.factors.reduce((a, b) => a * b, 1)).toBeCloseTo(p.product, 12);
    }
  });

  it("why a gradient is zero: a ReLU at ≤ 0, a saturated tanh, a node not used by the loss", () => {
    const [relu] = record(() => {
      const x = new Value(-2, "x");
      x.mul(3).relu().add(1).backward();
    });
    expect(explain(relu.topology, relu.data, 0).zero).toMatchObject({ kind: "relu-off", node: 2 });

    const [tanh] = record(() => {
      const x = new Value(30, "x");
      x.tanh().mul(2).backward();
    });
    const z = explain(tanh.topology, tanh.data, 0).zero!;
    expect(z.kind).toBe("saturated");
    expect(z.detail).toMatch(/tanh is saturated at 1/);

    const [cut] = record(() => {
      const a = new Value(1, "a");
      const b = new Value(2, "b");
      a.mul(b).mul(0).backward();
    });
    expect(explain(cut.topology, cut.data, 0).zero).toMatchObject({ kind: "zero-factor", node: 3 });
    expect(explain(cut.topology, cut.data, 0).pathCount).toBe(1);
  });
});

describe("gradcheck by replay", () => {
  it("known analytic values: the seed's 42 and 28 next to central differences", () => {
    const r = seed();
    const g = gradcheckNodes(r.topology, r.data, r.grad, gradcheckTargets(r.topology));
    const byLabel = Object.fromEntries(g.rows.map((row) => [row.label, row]));
    expect(byLabel.a.analytic).toBe(42);
    expect(byLabel.a.numeric).toBeCloseTo(42, 5);
    expect(byLabel.b.numeric).toBeCloseTo(28, 5);
    expect(g.rows.every((row) => !row.flagged && row.relError < 1e-6)).toBe(true);
  });

  it("every parameter of a moons MLP passes", () => {
    const r = moons(2)[1];
    const targets = gradcheckTargets(r.topology);
    expect(targets.length).toBe(2 * 8 + 8 + 8 * 8 + 8 + 8 + 1);
    const g = gradcheckNodes(r.topology, r.data, r.grad, targets);
    // A ReLU exactly at its kink could differ; a well-conditioned MLP has none.
    expect(g.rows.filter((row) => row.flagged)).toEqual([]);
    expect(g.rows[0].relError).toBeLessThan(1e-4);
  });

  it("a ReLU input within h of 0 is a kink: marked, not flagged (the central difference straddles it)", () => {
    const [r] = record(() => {
      const x = new Value(1e-8, "x");
      x.relu().mul(3).backward();
    });
    const [row] = gradcheckNodes(r.topology, r.data, r.grad, [0]).rows;
    expect(row.analytic).toBe(3);
    expect(row.numeric).toBeCloseTo(3 * (1e-6 + 1e-8) / 2e-6, 6);
    expect(row.kink).toBe(true);
    expect(row.flagged).toBe(false);
  });

  it("flags a deliberately wrong derivative (tanh's rule broken in a test build)", () => {
    const [r] = record(() => {
      const x = new Value(0.3, "x");
      const w = new Value(-0.7, "w");
      x.mul(w).tanh().pow(2).backward();
    });
    const saved = RULES[OP.tanh].d0;
    RULES[OP.tanh].d0 = (_x, _y, out) => 1 - out; // wrong: should be 1 − out²
    try {
      const g = gradcheckNodes(r.topology, r.data, r.grad, [0, 1]);
      expect(g.rows.every((row) => row.flagged)).toBe(true);
      expect(g.rows[0].relError).toBeGreaterThan(0.1);
    } finally {
      RULES[OP.tanh].d0 = saved;
    }
    const ok = gradcheckNodes(r.topology, r.data, r.grad, [0, 1]);
    expect(ok.rows.some((row) => row.flagged)).toBe(false);
  });
});

describe("layer statistics", () => {
  it("MLP layers: neurons gathered under their layer, ReLU dead share, update ratio", () => {
    const [, r] = moons(2);
    const t = r.topology;
    expect(layersOf(t).map((l) => l.path)).toEqual(["MLP/layer1", "MLP/layer2", "MLP/layer3"].filter((p) => t.groups.some((g) => g.startsWith(p))));
    const s = layerStats(t, r.data, r.grad, r.updates, 10);
    const l1 = s.find((l) => l.path === "MLP/layer1")!;
    expect(l1.activationOp).toBe("relu");
    expect(l1.parameters).toBe(24);
    expect(l1.activations.counts.reduce((a, b) => a + b, 0)).toBe(20 * 8);
    expect(l1.dead).toBeGreaterThanOrEqual(0);
    expect(l1.saturated).toBeNull();
    expect(l1.updateRatioLog10).not.toBeNull();
    expect(l1.updateRatioLog10!).toBeLessThan(0);
    const l3 = s.find((l) => l.path === "MLP/layer3")!;
    expect(l3.activationOp).toBe("all");
  });
});

describe("answerInsight", () => {
  it("answers each kind with a response the protocol accepts, echoing the id", () => {
    const r = seed();
    const ctx = { source: "history" as const };
    for (const req of [
      { kind: "gradcheck" as const, id: 1, step: 1 },
      { kind: "what-if" as const, id: 2, step: 1, node: 0, value: 2.1 },
      { kind: "explain" as const, id: 3, step: 1, node: 1 },
      { kind: "layer-stats" as const, id: 4, step: 1 },
      { kind: "explain" as const, id: 5, step: 1, node: 99 },
    ]) {
      const res = answerInsight(req, r, ctx);
      expect(InsightResponseSchema.safeParse(res).success).toBe(true);
      expect(res.id).toBe(req.id);
      expect(res.kind).toBe(req.id === 5 ? "error" : req.kind);
    }
  });
});
