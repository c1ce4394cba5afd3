import { describe, expect, it } from "vitest";
import { SGD, Value, scope } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { WorkerHealth } from "../../src/analysis/health/inWorker";
import type { RawBreak, RawFinding } from "../../src/protocol/health";
import { Reporter } from "../../src/runner/worker/reporter";

// A file of its own: the engine's store is fresh here, so the parameters made before the first backward()
// stay in kept slots below each step's region, as in the model worker (node j < m of NodeNumbers).
describe("numbers read in the engine's store (a report with the leaves' numbers, as the CLI asks)", () => {
  /**
   * Three samples a step through a layer without parameters ("a": its RMS is over its op nodes, which
   * alternate with layer2's) and a layer with them (net/layer2): layer2's gradient is ~10⁵ times layer a's,
   * the layer nearest the loss (exploding across depth); a tanh that saturates at step 7, a dead ReLU
   * neuron, and log(0) at step 8 (non-finite).
   */
  function model(): void {
    const w1 = new Value(0.5, "w1");
    const w2 = scope("net", () => scope("layer2", () => scope("neuron1", () => new Value(3, "w2"))));
    const d = scope("net", () => scope("layer2", () => scope("neuron2", () => new Value(-5, "d"))));
    new SGD([w1, w2, d], { lr: 0 });
    for (let k = 1; k <= 8; k++) {
      let loss = new Value(0);
      for (const x of [0.5, 1, 2]) {
        const a = scope("a", () => w1.mul(x).add(k === 7 ? 1e4 : 1));
        const t = scope("net", () => scope("layer2", () => scope("neuron1", () => a.mul(k === 7 ? 1 : 1e-6).mul(w2).mul(10).tanh())));
        const r = scope("net", () => scope("layer2", () => scope("neuron2", () => d.mul(x).relu())));
        loss = loss.add(t.add(r).add(w2.mul(x)));
      }
      if (k === 8) loss = loss.add(new Value(0).log());
      for (const p of [w1, w2, d]) p.grad = 0;
      loss.backward();
    }
  }

  it("give the same findings, with the same numbers, as a report of every node's numbers", () => {
    // One run, two trackers: one fed the report of every node's numbers, one the leaves' report read in place.
    const all: unknown[] = [], inPlace: unknown[] = [], below: number[] = [];
    const options = { options: { deadReluSteps: 2, historySteps: 4 } };
    const dense = new WorkerHealth(options, (m) => all.push(m), () => {});
    const placed = new WorkerHealth(options, (m) => inPlace.push(m), () => {});
    const reporter = new Reporter([]);
    let step = 0;
    engine.onBackward = (root) => {
      step++;
      const r = reporter.report("all");
      dense.mustReport(step, root.data);
      dense.check(step, r);
      dense.flush();
      const leaves = reporter.report("leaves");
      expect(leaves.nodes).toBeDefined();
      placed.mustReport(step, root.data);
      placed.check(step, { ...leaves, topology: r.topology }, () => {
        const nums = reporter.numbersInPlace();
        below.push(nums.m);
        return nums;
      });
      placed.flush();
    };
    model();
    engine.onBackward = null;

    const kinds = all.map((m) => (m as { finding?: RawFinding }).finding?.kind ?? (m as { break: RawBreak }).break.kind);
    // Every detector that reads the numbers took part.
    expect(new Set(kinds)).toEqual(new Set(["exploding", "saturation", "dead-relu", "nan-origin", "nan"]));
    // Across depth, against layer a's RMS: summed over its op nodes, which alternate with layer2's.
    expect(all.some((m) => /decades above a \(3e−5\)/.test((m as { finding?: RawFinding }).finding?.detail ?? ""))).toBe(true);
    expect(inPlace).toEqual(all);
    // Both places a node's numbers lie were read: the parameters below the step's region (from step 2), the rest in it.
    expect(below).toEqual([0, 3, 3, 3, 3, 3, 3, 3]);
  });

  it("find an op node's data that is not finite although every grad is, and vouch for the op nodes' data of the steps around it", () => {
    const posted: unknown[] = [], vouched: boolean[] = [];
    const health = new WorkerHealth(undefined, (m) => posted.push(m), () => {});
    const reporter = new Reporter([]);
    const w = new Value(-1, "w");
    let step = 0;
    engine.onBackward = (root) => {
      step++;
      const r = reporter.report("leaves");
      health.mustReport(step, root.data);
      health.check(step, r, () => {
        const nums = reporter.numbersInPlace();
        vouched.push(nums.opDataFinite === true);
        return nums;
      });
      health.flush();
    };
    let grads: number[] = [];
    for (let k = 1; k <= 3; k++) {
      w.grad = 0;
      // At step 2, w·10³⁰⁸·10 is −∞, and the ReLU after it passes 0 forward and no gradient back: only that data is not finite.
      const big = w.mul(k === 2 ? 1e308 : 1).mul(10);
      const loss = big.relu().add(w.mul(2));
      loss.backward();
      if (k === 2) grads = [big.grad, w.grad, loss.grad];
    }
    engine.onBackward = null;
    expect(grads.every(Number.isFinite)).toBe(true);
    expect(vouched).toEqual([true, false, true]);
    // (The first test's parameters, not used here, bring no-grad findings.)
    const findings = posted.map((m) => (m as { finding?: RawFinding }).finding).filter((f) => f?.kind === "nan-origin");
    expect(findings).toEqual([expect.objectContaining({ kind: "nan-origin", step: 2, op: "mul" })]);
    expect(findings[0]!.detail).toMatch(/first non-finite value in step 2 \(forward\)/);
  });
});
