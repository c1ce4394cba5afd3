import { describe, expect, it } from "vitest";
import { MLP, SGD, StaleValueError, Value, hinge, makeMoons, Rng, sum } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { store } from "../../src/engine/store";

/**
 * What holding a Value means with the struct-of-arrays store: a node made by an
 * op lives in a slot until a later step's graph reuses it; leaves, parameters
 * and each backward() root keep their numbers for good. Reading a recycled node
 * throws StaleValueError, never another node's number.
 */

/** Builds and backpropagates a throwaway graph of n nodes: one "step" of some other computation. */
function step(n: number): void {
  const w = new Value(1);
  let acc = w.mul(1);
  for (let i = 1; i < n; i++) acc = acc.add(1);
  acc.backward();
}

describe("values kept across steps", () => {
  it("parameters and an input made before the loop train over many steps", () => {
    const x = new Value(2, "x");
    const w = new Value(0.5, "w");
    for (let i = 0; i < 200; i++) {
      const loss = w.mul(x).sub(3).pow(2);
      w.grad = 0;
      loss.backward();
      expect(w.grad).toBeCloseTo(2 * (w.data * 2 - 3) * 2, 12);
      w.data -= 0.05 * w.grad;
    }
    expect(w.data).toBeCloseTo(1.5, 6);
    expect(x.data).toBe(2);
    expect(x.grad).not.toBe(0);
  });

  it("a leaf made after the first backward() (a lazily made parameter) trains too, and keeps its numbers between steps", () => {
    step(10);
    let w: Value | null = null;
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) {
      w ??= new Value(0.5, "lazy");
      const loss = w.mul(3).sub(1).pow(2);
      w.grad = 0;
      loss.backward();
      expect(w.grad).toBeCloseTo(2 * (3 * w.data - 1) * 3, 12);
      w.data -= 0.01 * w.grad;
      seen.push(w.data);
      step(5); // other graphs in between recycle the region the leaf's numbers passed through
      expect(w.data).toBe(seen[i]);
    }
    expect(w!.data).toBeCloseTo(1 / 3, 3);
  });

  it("each loss passed to backward() stays readable for good (losses.push(loss), read after training)", () => {
    const { X, y } = makeMoons(20, 0.1, new Rng(2));
    const model = new MLP(2, [4, 1], { rng: new Rng(2) });
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const losses: Value[] = [];
    const numbers: number[] = [];
    for (let k = 0; k < 30; k++) {
      const loss = hinge(X.map((x) => model.forward(x)[0]), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses.push(loss);
      numbers.push(loss.data);
    }
    expect(losses.map((l) => l.data)).toEqual(numbers);
    expect(losses.map((l) => l.grad)).toEqual(numbers.map(() => 1));
    expect(losses[0].label).toBeNull();
  });

  it("an intermediate node is right right after backward(), and stale once a later step reuses its slot", () => {
    const a = new Value(3);
    const mid = a.mul(4);
    const loss = mid.add(1);
    loss.backward();
    expect([mid.data, mid.grad]).toEqual([12, 1]);
    step(50);
    expect(() => mid.data).toThrow(StaleValueError);
    expect(() => mid.grad).toThrow(/step \d+.*recycled|slot now holds a node of a later step/);
    expect(() => (mid.grad = 0)).toThrow(StaleValueError);
    // The loss and the leaf are still right.
    expect([loss.data, a.data, a.grad]).toEqual([13, 3, 4]);
  });

  it("a node whose slot a later step has not reached yet still reads its own number", () => {
    step(3);
    const a = new Value(1);
    let top = a.mul(1);
    for (let i = 0; i < 20; i++) top = top.add(1); // the last node made sits high in the region
    top.backward();
    new Value(2).mul(2); // the next step makes one node: slot 0 of the region, not top's
    expect(top.data).toBe(21);
  });

  it("trap: a stale handle never returns the number of the node that took its slot", () => {
    step(3);
    const a = new Value(5);
    const old = a.mul(1); // value 5 in the region's first slots
    old.add(0).backward(); // (not old.backward(): a root keeps its numbers)
    const b = new Value(7);
    const fresh = b.mul(1); // 7, made in the same slot the old node had
    fresh.add(0);
    expect(fresh.slot).toBe(old.slot);
    expect(fresh.data).toBe(7);
    expect(() => old.data).toThrow(StaleValueError);
    expect(() => old.add(1)).toThrow(StaleValueError);
  });

  it("trap: an operand from an older step is checked before the new node takes a slot, so it cannot overwrite it", () => {
    step(3);
    const a = new Value(2);
    const c = a.mul(3).add(1); // 7; its input a·3 sits in the region's first slot
    c.backward();
    const b = new Value(10);
    const first = b.mul(1); // the next step begins: its first node takes a·3's slot
    expect(first.data).toBe(10);
    // c's own slot is intact, but its graph is not: using it would propagate through a foreign node.
    expect(() => c.mul(2)).toThrow(StaleValueError);
    expect(() => c.mul(2)).toThrow(/used in step.*recycled.*\.data/);
  });
});

describe("a Value carried into the next step on purpose", () => {
  it("used before anything else is built, keeps its step's graph (as micrograd would) and backpropagates through it", () => {
    step(3);
    const kept = engine.keptNodes;
    const a = new Value(2);
    const c = a.mul(3); // step N
    c.add(1).backward();
    a.grad = 0;
    c.grad = 0; // grads accumulate, as in micrograd: zero the carried node too
    const loss = c.mul(c); // step N+1 builds on c first: c's region is kept
    loss.backward();
    expect(a.grad).toBe(2 * 6 * 3);
    expect(engine.keptNodes).toBeGreaterThan(kept);
    step(100);
    expect([c.data, c.grad, a.grad]).toEqual([6, 12, 36]);
  });

  it("a running total of losses is a growing graph: it works, and engine.keptNodes shows it growing", () => {
    step(3);
    const w = new Value(1.5, "w");
    let total = new Value(0);
    const kept: number[] = [];
    for (let i = 0; i < 5; i++) {
      const loss = w.mul(i + 1);
      w.grad = 0;
      loss.backward();
      total = total.add(loss); // the first node of the next step: loss's region is kept
      kept.push(engine.keptNodes);
    }
    w.grad = 0;
    total.backward();
    expect(total.data).toBe(1.5 * 15);
    // As in micrograd: each loss still holds grad 1 from its own backward(), so it passes on 1 + 1.
    expect(w.grad).toBe(2 * 15);
    expect(kept[4]).toBeGreaterThan(kept[0]);
  });

  it("used after the next step built other nodes, fails with a clear error instead of a wrong gradient", () => {
    step(3);
    const w = new Value(2);
    const carried = w.mul(w).add(1);
    carried.backward();
    const other = new Value(3).mul(2); // the next step builds first
    expect(() => other.add(carried)).toThrow(StaleValueError);
    expect(() => carried.backward()).toThrow(StaleValueError);
  });
});

describe("micrograd's accumulation", () => {
  it("backward() twice on the same root accumulates through every node, like micrograd", () => {
    const a = new Value(3);
    const b = a.mul(2);
    const loss = b.mul(b); // 36; dloss/da = 2·b·2 = 24
    loss.backward();
    loss.backward();
    expect(a.grad).toBe(24 + 24 * 2); // micrograd: b keeps its grad 12 and adds 12 more; loss.grad is reset to 1
    expect(b.grad).toBe(24);
  });

  it("unzeroed grads accumulate across steps, p.grad = 0 resets them, and the host is warned once", () => {
    const warnings: string[] = [];
    engine.onWarning = (m) => warnings.push(m);
    try {
      const p = new Value(1, "p");
      for (let i = 0; i < 3; i++) p.mul(5).backward();
      expect(p.grad).toBe(15);
      p.grad = 0;
      p.mul(5).backward();
      expect(p.grad).toBe(5);
      expect(warnings.length).toBe(1);
      expect(warnings[0]).toMatch(/p already had grad 5 before this backward\(\): gradients accumulate/);
    } finally {
      engine.onWarning = null;
    }
  });

  it("backward() on a leaf sets its grad to 1, as micrograd does, whether or not it has a slot yet", () => {
    step(3);
    const fresh = new Value(4);
    fresh.backward();
    expect(fresh.grad).toBe(1);
    const used = new Value(2);
    used.mul(3).backward();
    used.backward(); // the slot it got in that step
    expect(used.grad).toBe(1);
  });

  it("keeps micrograd's NaN where a reached node with zero grad has an infinite local derivative", () => {
    const x = new Value(0);
    x.pow(0.5).mul(0).backward(); // 0 · ∞
    expect(Number.isNaN(x.grad)).toBe(true);
  });

  it("leaves unreached nodes alone (an infinite derivative off the loss's graph does not poison a grad)", () => {
    const x = new Value(0);
    const unused = x.log(); // ∂/∂x = 1/0
    x.mul(3).backward();
    expect(x.grad).toBe(3);
    expect(unused.grad).toBe(0);
  });
});

describe("reading the graph after backward()", () => {
  it("walks from the loss to the leaves: the user's own leaf handles, ops, constants, numbers", () => {
    const a = new Value(2, "a");
    const b = new Value(3, "b");
    const c = a.mul(b);
    const d = c.add(1);
    const loss = d.pow(2);
    loss.backward();
    const [dd] = loss.inputs;
    const [cc] = dd.inputs;
    const [aa, bb] = cc.inputs;
    expect([aa, bb]).toEqual([a, b]);
    expect(aa).toBe(a);
    expect([loss.op, dd.op, cc.op, a.op]).toEqual([6, 1, 3, 0]);
    expect([loss.k, dd.k, cc.k, loss.b]).toEqual([2, 1, null, null]);
    expect([dd.data, dd.grad, cc.data, cc.grad]).toEqual([7, 14, 6, 14]);
    expect(loss.a!.data).toBe(7);
    expect(a.inputs).toEqual([]);
  });

  it("a node made in a recycled slot does not inherit the old node's name or place", () => {
    step(3);
    const a = new Value(1);
    const named = a.mul(2);
    named.label = "named";
    named.loc = 7;
    named.add(0).backward();
    const fresh = new Value(1).mul(2); // the next step's node in the same slot
    expect(fresh.slot).toBe(named.slot);
    expect([fresh.label, fresh.loc]).toEqual([null, -1]);
  });

  it("String(v) shows label, data and grad", () => {
    const a = new Value(2, "a");
    a.mul(3).backward();
    expect(String(a)).toBe("Value(a=2, grad=3)");
  });
});

describe("memory", () => {
  it("a training loop recycles its steps: the store stops growing", () => {
    const { X, y } = makeMoons(10, 0.1, new Rng(4));
    const model = new MLP(2, [8, 1], { rng: new Rng(4) });
    const opt = new SGD(model.parameters(), { lr: 0.05 });
    const train = () => {
      const loss = hinge(X.map((x) => model.forward(x)[0]), y).add(sum(model.parameters().map((p) => p.mul(p))).mul(1e-4));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    };
    for (let i = 0; i < 5; i++) train();
    const capacity = store.data.length, floor = store.floor;
    for (let i = 0; i < 200; i++) train();
    expect(store.data.length).toBe(capacity);
    expect(store.floor).toBe(floor);
  });

  it("a step past maxNodesPerStep fails with the limit's message, and the next step runs", () => {
    engine.maxNodesPerStep = 100;
    try {
      const x = new Value(1);
      expect(() => {
        let y = x.mul(1);
        for (let i = 0; i < 1000; i++) y = y.add(1);
      }).toThrow(/more than 100 nodes/);
      const y = x.mul(2).add(1);
      y.backward();
      expect([y.data, x.grad]).toEqual([3, 2]);
    } finally {
      engine.maxNodesPerStep = Infinity;
    }
  });
});
