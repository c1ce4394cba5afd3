import { afterEach, describe, expect, it } from "vitest";
import { MLP, SGD, Value, mse, Rng, scope } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { NodeKind, OP } from "../../src/protocol/ops";
import { Reporter, type Report, type ValueSelection } from "../../src/runner/worker/reporter";
import { lastPass } from "../../src/engine/backward";

/** Runs fn with a reporter reporting every backward() inside the hook, as the model worker does. */
function reporting(fn: () => void, which: ValueSelection = "all", reporter = new Reporter([])): Report[] {
  const reports: Report[] = [];
  engine.onBackward = () => reports.push(reporter.report(which));
  try {
    fn();
  } finally {
    engine.onBackward = null;
  }
  return reports;
}

afterEach(() => {
  engine.onBackward = null;
  engine.recordUpdates = false;
  engine.updates.length = 0;
});

describe("what a report holds", () => {
  it("the reached nodes in creation order, root last, with their numbers and shape", () => {
    const [r] = reporting(() => {
      const a = new Value(2, "a");
      const b = new Value(3, "b");
      a.add(100); // not reached by the loss
      const c = a.mul(b);
      c.label = "c"; // as instrumented code names `const c = ...`
      c.add(1).pow(2).backward();
    });
    const t = r.topology!;
    expect(Array.from(r.values.data)).toEqual([2, 3, 6, 7, 49]);
    expect(Array.from(r.values.grad)).toEqual([42, 28, 14, 14, 1]);
    expect(Array.from(t.op)).toEqual([OP.leaf, OP.leaf, OP.mul, OP.add, OP.pow]);
    expect(Array.from(t.kind)).toEqual([NodeKind.input, NodeKind.input, NodeKind.value, NodeKind.value, NodeKind.value]);
    expect(Array.from(t.in0)).toEqual([-1, -1, 0, 2, 3]);
    expect(Array.from(t.in1)).toEqual([-1, -1, 1, -1, -1]);
    expect(Array.from(t.k)).toEqual([NaN, NaN, NaN, 1, 2]);
    expect(t.label).toEqual(["a", "b", "c", null, null]);
    expect(r.nodes).toBeUndefined();
  });

  it("places and groups: the statement (engine.loc) and scope() each node was made in, a leaf's own", () => {
    const [r] = reporting(() => {
      engine.loc = 0;
      const x = new Value(1, "x");
      engine.loc = 1;
      const y = scope("enc", () => x.mul(2));
      engine.loc = 2;
      const z = y.add(x);
      z.loc = 3; // `const z = f(...)` names a node made elsewhere
      engine.loc = -1;
      z.tanh().backward();
    });
    const t = r.topology!;
    expect(Array.from(t.loc)).toEqual([0, 1, 3, -1]);
    expect(Array.from(t.group, (g) => (g < 0 ? "" : t.groups[g]))).toEqual(["", "enc", "", ""]);
  });

  it("parameters are marked, and an optimizer's updates name their node and label", () => {
    engine.recordUpdates = true;
    const reports = reporting(() => {
      const w = new Value(1, "w");
      const unused = new Value(5, "unused");
      const opt = new SGD([w, unused], { lr: 0.1 });
      for (let i = 0; i < 2; i++) {
        const loss = w.sub(3).pow(2);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    });
    expect(reports[1].updates).toEqual([
      { node: 0, label: "w", rule: "sgd", before: 1, lr: 0.1, grad: -4, after: 1.4 },
      { node: -1, label: "unused", rule: "sgd", before: 5, lr: 0.1, grad: 0, after: 5 },
    ]);
    expect(reports[1].values.data[0]).toBe(1.4);
    expect(reports[0].topology!.kind[0]).toBe(NodeKind.param);
  });

  it("selections: leaves (inputs and parameters) with their node indices, or none", () => {
    const build = () => {
      const model = new MLP(2, [3, 1], { rng: new Rng(1) });
      const x = [new Value(0.5, "x0"), new Value(-1, "x1")];
      mse([model.forward(x)[0]], [1]).backward();
    };
    const [all] = reporting(build);
    const [leaves] = reporting(build, "leaves");
    const [none] = reporting(build, "none");
    const kinds = all.topology!.kind;
    const leafIndices = Array.from(kinds.keys()).filter((i) => kinds[i] !== NodeKind.value);
    expect(leafIndices.length).toBe(13 + 2);
    expect(Array.from(leaves.nodes!)).toEqual(leafIndices);
    expect(Array.from(leaves.values.data)).toEqual(leafIndices.map((i) => all.values.data[i]));
    expect(Array.from(leaves.values.grad)).toEqual(leafIndices.map((i) => all.values.grad[i]));
    expect([none.nodes!.length, none.values.data.length]).toEqual([0, 0]);
    expect(none.hash).toBe(all.hash);
  });

  it("a batch from a dataset made of Values: the reached leaves among thousands, whichever way backward() found them", () => {
    // With more leaves kept under the region than nodes in it, backward() lists the ones it reaches; with fewer, the reporter finds them by their marks.
    for (const size of [3000, 8]) {
      const data = Array.from({ length: size }, (_, i) => new Value(i / 1000, `d${i}`));
      const w = new Value(0.5, "w");
      const listed: boolean[] = [];
      const reports = reporting(() => {
        // The region that gives the leaves made since the last backward() their slots, kept for good once a later step builds on it.
        const anchor = data[0].mul(1);
        anchor.backward();
        anchor.add(1).backward();
        for (let b = 1; b < 4; b++) {
          const batch = data.slice(2 * b, 2 * b + 2);
          const loss = batch.reduce((acc: Value, d) => acc.add(d.mul(w)), new Value(0, "zero"));
          w.grad = 0;
          loss.backward();
          listed.push(lastPass.listed);
        }
      }, "leaves").slice(2);
      if (size > 100) expect(listed).toEqual([true, true, true]);
      for (const [k, r] of reports.entries()) {
        const b = k + 1, data = Array.from(r.values.data), grad = Array.from(r.values.grad);
        // The batch's two points, w, and the accumulator's start; w's grad is the batch's sum.
        expect(data.slice().sort()).toEqual([2 * b / 1000, (2 * b + 1) / 1000, 0.5, 0].sort());
        expect(grad[data.indexOf(0.5)]).toBeCloseTo((4 * b + 1) / 1000, 12);
        expect(grad[data.indexOf(2 * b / 1000)]).toBe(0.5);
      }
    }
  });
});

describe("topology only when the shape changes", () => {
  const train = (steps: number, vary: (i: number, w: Value) => Value, reporter = new Reporter([])) =>
    reporting(() => {
      const w = new Value(0.5, "w");
      for (let i = 0; i < steps; i++) {
        const loss = vary(i, w);
        w.grad = 0;
        loss.backward();
        w.data -= 0.01 * w.grad;
      }
    }, "leaves", reporter);

  it("the same graph every step: one topology, the first step's included (its leaves sat in its own region)", () => {
    const reports = train(20, (_i, w) => w.mul(2).sub(1).pow(2).add(w.mul(w)));
    expect(reports.map((r) => r.topology !== undefined)).toEqual([true, ...Array(19).fill(false)]);
    expect(new Set(reports.map((r) => r.hash)).size).toBe(1);
  });

  it("a new constant, label, group or op is a new topology", () => {
    const variants: ((i: number, w: Value) => Value)[] = [
      (i, w) => w.mul(i < 3 ? 10 : 20),
      (i, w) => { const v = w.mul(2); if (i >= 3) v.label = "v"; return v; },
      (i, w) => (i < 3 ? w.mul(2) : scope("g", () => w.mul(2))),
      (i, w) => (i < 3 ? w.mul(2) : w.add(2)),
    ];
    for (const vary of variants) {
      const shapes = train(6, vary).map((r) => r.topology !== undefined);
      expect(shapes).toEqual([true, false, false, true, false, false]);
    }
  });

  it("the hash a reporter carries forward equals the one a fresh reporter computes from scratch", () => {
    const long = new Reporter([]);
    const w = new Value(0.3);
    const step = () => { const l = w.mul(w).add(w.mul(3)).tanh(); w.grad = 0; l.backward(); };
    const hashes: string[] = [];
    engine.onBackward = () => hashes.push(long.report("none").hash, new Reporter([]).report("none").hash);
    for (let i = 0; i < 5; i++) step();
    engine.onBackward = null;
    for (let i = 0; i < hashes.length; i += 2) expect(hashes[i]).toBe(hashes[i + 1]);
  });
});

describe("truthful numbers", () => {
  it("a held step reports the numbers of its backward(), although the optimizer has updated the parameters since", () => {
    engine.recordUpdates = true;
    const reporter = new Reporter([]);
    const w = new Value(1, "w");
    const opt = new SGD([w], { lr: 0.1 });
    let atBackward = { data: 0, grad: 0 };
    engine.onBackward = () => {
      reporter.hold();
      engine.updates.length = 0;
      atBackward = { data: w.data, grad: w.grad };
    };
    for (let i = 0; i < 3; i++) {
      const loss = w.sub(3).pow(2);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    engine.onBackward = null;
    const r = reporter.reportHeld()!;
    expect([r.values.data[0], r.values.grad[0]]).toEqual([atBackward.data, atBackward.grad]);
    expect(w.data).not.toBe(atBackward.data);
    expect(r.updates.map((u) => u.after)).toEqual([atBackward.data]); // the update that produced this step's w
    expect(r.values.data.at(-1)).toBe((atBackward.data - 3) ** 2);
  });

  it("a held step is gone once the model builds its next graph", () => {
    const reporter = new Reporter([]);
    engine.onBackward = () => reporter.hold();
    const x = new Value(2);
    x.mul(3).backward();
    engine.onBackward = null;
    expect(reporter.reportHeld()).not.toBeNull();
    x.mul(4);
    expect(reporter.reportHeld()).toBeNull();
  });
});

describe("a model that never calls backward()", () => {
  it("reports the forward graph built since the last backward(), rooted at the last node made", () => {
    const reporter = new Reporter([]);
    const a = new Value(2, "a");
    a.mul(5).backward(); // an earlier step: not part of the forward report
    const b = new Value(3, "b");
    const side = b.exp(); // not an ancestor of the last node
    const out = a.mul(b).add(1);
    const r = reporter.reportForward()!;
    // A leaf made in an earlier step appears where this step first uses it (b, in `side`, before a).
    expect(r.topology!.label).toEqual(["b", "a", null, null]);
    expect(Array.from(r.values.data)).toEqual([3, 2, 6, 7]);
    expect(Array.from(r.values.grad)).toEqual([0, 5, 0, 0]); // a's grad from the earlier step
    expect(side.data).toBeCloseTo(Math.exp(3), 12);
    expect(out.data).toBe(7);
  });

  it("reports nothing when nothing was built since the last backward()", () => {
    const x = new Value(1);
    x.mul(2).backward();
    expect(new Reporter([]).reportForward()).toBeNull();
  });
});

describe("nodes kept from earlier steps", () => {
  it("a carried Value's graph is reported with the step that builds on it, in creation order", () => {
    const reporter = new Reporter([]);
    const a = new Value(2, "a");
    a.mul(1).backward(); // leave the first region
    const c = a.mul(3);
    c.add(1).backward();
    const reports = reporting(() => c.mul(c).backward(), "all", reporter);
    const t = reports[0].topology!;
    expect(Array.from(t.op)).toEqual([OP.leaf, OP.mul, OP.mul]);
    expect(Array.from(t.in0)).toEqual([-1, 0, 1]);
    expect(Array.from(reports[0].values.data)).toEqual([2, 6, 36]);
  });
});
