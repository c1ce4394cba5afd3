import { afterEach, describe, expect, it } from "vitest";
import { SGD, Value, scope } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { WorkerHealth } from "../../src/analysis/health/inWorker";
import { dense, HealthTracker, nanOrigin } from "../../src/analysis/health/tracker";
import type { RawBreak, RawFinding } from "../../src/protocol/health";
import { WorkerMessageSchema } from "../../src/protocol/worker";
import type { GraphTopology } from "../../src/protocol/graph";
import { Reporter } from "../../src/runner/worker/reporter";

interface Rec { step: number; loss: number; t: GraphTopology; data: Float64Array; grad: Float64Array }

/** Every backward() of fn as the worker reports it. */
function record(fn: () => void): Rec[] {
  const reporter = new Reporter([]);
  const out: Rec[] = [];
  let t: GraphTopology | undefined;
  engine.onBackward = (root) => {
    const r = reporter.report("all");
    t = r.topology ?? t;
    out.push({ step: out.length + 1, loss: root.data, t: t!, data: r.values.data, grad: r.values.grad });
  };
  try {
    fn();
  } finally {
    engine.onBackward = null;
  }
  return out;
}

function track(recs: Rec[], tracker = new HealthTracker()): { findings: RawFinding[]; breaks: RawBreak[] } {
  const findings: RawFinding[] = [], breaks: RawBreak[] = [];
  for (const r of recs) {
    tracker.onLoss(r.step, r.loss);
    const h = tracker.onReport(r.step, r.t, dense(r.data, r.grad));
    findings.push(...h.findings);
    if (h.brk) breaks.push(h.brk);
  }
  return { findings, breaks };
}

afterEach(() => {
  engine.onBackward = null;
  engine.onBreakpoint = null;
  engine.trackParams = false;
  engine.params.length = 0;
});

describe("nan-origin", () => {
  it("forward: the first non-finite node in topological order, with its op and inputs; pauses by default", () => {
    const recs = record(() => {
      const x = new Value(0, "x");
      x.log().mul(2).add(1).backward();
    });
    const { findings, breaks } = track(recs);
    expect(findings).toEqual([expect.objectContaining({ kind: "nan-origin", node: 1, op: "log", detail: "log of 0 → −∞, first non-finite value in step 1 (forward)" })]);
    expect(breaks).toEqual([expect.objectContaining({ kind: "nan", node: 1 })]);
  });

  it("backward: data all finite, the op whose local derivative blew up (√x at 0)", () => {
    const [r] = record(() => {
      const x = new Value(0, "x");
      x.pow(0.5).mul(2).backward();
    });
    expect(Array.from(r.data).every(Number.isFinite)).toBe(true);
    const f = nanOrigin(r.t, r.data, r.grad, 1)!;
    expect(f).toMatchObject({ node: 1, op: "pow" });
    expect(f.detail).toMatch(/local derivative of 0 \^ 0.5 with respect to x is ∞/);
    expect(f.detail).toMatch(/\(backward\)/);
  });

  it("backward, deep in the graph: the tracker finds a gradient that blew up between two op nodes (it reaches the leaf as NaN)", () => {
    const recs = record(() => {
      const x = new Value(1, "x");
      x.mul(0).pow(0.5).mul(2).backward();
    });
    const [r] = recs;
    expect(Array.from(r.data).every(Number.isFinite)).toBe(true);
    expect(Number.isNaN(r.grad[0])).toBe(true);
    const { findings, breaks } = track(recs);
    expect(findings).toEqual([expect.objectContaining({ kind: "nan-origin", node: 2, op: "pow" })]);
    expect(findings[0].detail).toMatch(/\(backward\)/);
    expect(breaks).toEqual([expect.objectContaining({ kind: "nan", node: 2 })]);
  });

  it("reported once when it starts, again only after values were finite in between", () => {
    const recs = record(() => {
      for (const v of [1, 0, 0, 1, 0]) new Value(v, "x").log().mul(1).backward();
    });
    expect(track(recs).findings.map((f) => f.step)).toEqual([2, 5]);
    expect(track(recs, new HealthTracker(undefined, {})).breaks).toEqual([]);
  });
});

describe("vanishing / exploding", () => {
  /** Two layers; layer 1's gradient is `scale` × layer 2's. */
  function twoLayers(scales: number[]): Rec[] {
    return record(() => {
      // Parameters live in their neuron's group, as an MLP's do.
      const w1 = scope("net", () => scope("layer1", () => scope("neuron1", () => new Value(0.5, "w1"))));
      const w2 = scope("net", () => scope("layer2", () => scope("neuron1", () => new Value(0.5, "w2"))));
      new SGD([w1, w2], { lr: 0 });
      for (const s of scales) {
        const a = scope("net", () => scope("layer1", () => scope("neuron1", () => w1.mul(s))));
        const b = scope("net", () => scope("layer2", () => scope("neuron1", () => a.add(w2))));
        w1.grad = 0;
        w2.grad = 0;
        b.pow(2).backward();
      }
    });
  }

  it("across depth: layer1's gradient 5 decades below the layer nearest the loss (threshold 3), with the numbers", () => {
    const { findings } = track(twoLayers([1e-5]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: "vanishing", label: "net/layer1" });
    expect(findings[0].detail).toMatch(/decades below net\/layer2/);
    expect(findings[0].detail).toMatch(/threshold 3 decades/);
    expect(track(twoLayers([1e-2])).findings).toEqual([]);
  });

  it("over time: a layer's gradient 4 decades above its own recent mean", () => {
    const { findings } = track(twoLayers([1, 1, 1, 1, 1, 1, 1e4 * 1.0001]));
    const ex = findings.filter((f) => f.kind === "exploding");
    expect(ex.length).toBeGreaterThanOrEqual(1);
    expect(ex.some((f) => f.step === 7 && /above its mean over the last 6 steps/.test(f.detail))).toBe(true);
  });
});

describe("vanishing over time vs convergence", () => {
  /** Layer 1's gradient is scale × layer 2's; the loss is set to `losses` by an added constant. */
  function twoLayersLoss(scales: number[], losses: number[]): Rec[] {
    return record(() => {
      const w1 = scope("net", () => scope("layer1", () => scope("neuron1", () => new Value(0.5, "w1"))));
      const w2 = scope("net", () => scope("layer2", () => scope("neuron1", () => new Value(0.5, "w2"))));
      new SGD([w1, w2], { lr: 0 });
      scales.forEach((s, k) => {
        const a = scope("net", () => scope("layer1", () => scope("neuron1", () => w1.mul(s))));
        const b = scope("net", () => scope("layer2", () => scope("neuron1", () => a.add(w2))));
        w1.grad = 0;
        w2.grad = 0;
        b.add(losses[k] - b.data).backward();
      });
    });
  }

  it("a gradient that falls 3 decades while the loss falls too (convergence) is not vanishing; with a flat loss it is", () => {
    const scales = [1, 1, 1, 1, 1, 1, 1e-3];
    const falling = track(twoLayersLoss(scales, [1, 1, 1, 1, 1, 1, 1e-3]));
    expect(falling.findings.filter((f) => f.kind === "vanishing" && /its mean/.test(f.detail))).toEqual([]);
    const flat = track(twoLayersLoss(scales, [1, 1, 1, 1, 1, 1, 1]));
    expect(flat.findings.filter((f) => f.kind === "vanishing" && /below its mean over the last 6 steps/.test(f.detail))).toHaveLength(1);
  });
});

describe("breakpoint conditions", () => {
  it("loss-up fires on the step the loss rose more than X%; grad-above when a |grad| crosses T; configure changes them", () => {
    const t = new HealthTracker(undefined, { lossUpPct: 50 });
    const recs = record(() => {
      for (const v of [1, 1.2, 2, 2.1]) new Value(v, "w").mul(1).backward();
    });
    expect(track(recs, t).breaks.map((b) => [b.kind, b.step])).toEqual([["loss-up", 3]]);
    const g = new HealthTracker(undefined, {});
    g.configure({ gradAbove: 5 });
    const big = record(() => {
      for (const k of [1, 10, 10, 1, 10]) new Value(1, "w").mul(k).backward();
    });
    expect(track(big, g).breaks.map((b) => [b.kind, b.step])).toEqual([["grad-above", 2], ["grad-above", 5]]);
  });
});

describe("in the worker: no-grad, not-zeroed, breakpoint()", () => {
  it("a parameter backward() does not reach is reported after noGradSteps, once; the messages pass the worker protocol", () => {
    const posted: unknown[] = [];
    const health = new WorkerHealth(undefined, (m) => posted.push(m), () => {});
    const reporter = new Reporter([]);
    const w = new Value(1, "w");
    const b = new Value(0, "b");
    new SGD([w, b], { lr: 0 });
    let step = 0;
    engine.onBackward = () => {
      const r = reporter.report("all");
      health.check(++step, r);
      health.flush();
    };
    for (let k = 0; k < 4; k++) {
      w.grad = 0;
      w.mul(3).backward();
    }
    const findings = posted.filter((m) => (m as { type: string }).type === "health/finding");
    expect(findings).toEqual([{ type: "health/finding", finding: expect.objectContaining({ kind: "no-grad", label: "b", step: 2, node: -1 }) }]);
    for (const m of posted) expect(WorkerMessageSchema.safeParse(m).success).toBe(true);
  });

  it("a report with a subset of the values (the host asked for leaves): the detectors read every node's numbers in the store", () => {
    const posted: unknown[] = [];
    const health = new WorkerHealth(undefined, (m) => posted.push(m), () => {});
    const reporter = new Reporter([]);
    engine.onBackward = () => {
      const r = reporter.report("leaves");
      expect(r.nodes).toBeDefined();
      health.check(1, r, () => reporter.numbersInPlace());
      health.flush();
    };
    new Value(0, "x").log().mul(2).backward();
    expect(posted).toEqual([
      { type: "health/finding", finding: expect.objectContaining({ kind: "nan-origin", op: "log" }) },
      { type: "run/break", break: expect.objectContaining({ kind: "nan" }) },
    ]);
  });

  it("breakpoint(message) posts a break of kind call and pauses through the given gate", () => {
    const posted: unknown[] = [];
    const paused: number[] = [];
    new WorkerHealth(undefined, (m) => posted.push(m), (step) => paused.push(step));
    engine.onBreakpoint!("why");
    expect(posted).toEqual([{ type: "run/break", break: expect.objectContaining({ kind: "call", message: "why" }) }]);
    expect(paused).toHaveLength(1);
  });

  it("health/configure messages from the runner are read at the next step", () => {
    const inbox: unknown[] = [{ type: "health/configure", breakOn: { lossUpPct: 10 } }, { type: "bogus" }];
    const health = new WorkerHealth(undefined, () => {}, () => {}, () => inbox.shift());
    health.mustReport(1, 1);
    expect(health.mustReport(2, 2)).toBe(true);
  });
});

describe("runs of checked steps", () => {
  // A neuron whose ReLU input is always negative: dead at every step.
  const recs = () =>
    record(() => {
      const w = new Value(-1, "w");
      for (let k = 0; k < 10; k++) scope("neuron", () => w.mul(2).relu()).backward();
    });

  it("a dead ReLU checked at every step says how many steps in a row", () => {
    const [f] = track(recs(), new HealthTracker({ deadReluSteps: 5 }, {})).findings.filter((x) => x.kind === "dead-relu");
    expect(f).toMatchObject({ step: 5, label: "neuron" });
    expect(f.detail).toContain("5 steps in a row");
  });

  it("checked at some steps only (a throttled run reports some), it says which: not 'in a row'", () => {
    // Steps 1, 3, 5, …: as the worker reports a model that runs faster than the update rate.
    const sampled = recs().map((r, k) => ({ ...r, step: 2 * k + 1 }));
    const [f] = track(sampled, new HealthTracker({ deadReluSteps: 5 }, {})).findings.filter((x) => x.kind === "dead-relu");
    expect(f).toMatchObject({ step: 9, label: "neuron" });
    expect(f.detail).toContain("at all 5 steps checked from step 1 to step 9");
    expect(f.detail).not.toContain("in a row");
  });
});
