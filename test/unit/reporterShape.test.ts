import { afterEach, describe, expect, it } from "vitest";
import { MLP, Rng, Value } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { lastPass } from "../../src/engine/backward";
import { store } from "../../src/engine/store";
import { OP } from "../../src/protocol/ops";
import { Reporter, type Report } from "../../src/runner/worker/reporter";

// A file of its own: a fresh store, whose regions outnumber its few kept leaves, so backward() hashes the
// shape as it walks it (the kernel's hash, not the listing kind), as for a real model.
afterEach(() => {
  engine.onBackward = null;
  store.hashShapes = true;
});

/** Six steps of `vary` on a chain long enough that the region is never the listed kind; which steps got a new topology. */
function shapes(vary: (i: number, w: Value) => Value, hashed = (_i: number) => true): (boolean | undefined)[] {
  const reporter = new Reporter([]);
  const reports: (Report | null)[] = [];
  const w = new Value(0.5, "w");
  for (let i = 0; i < 6; i++) {
    // As the model worker does: backward() hashes the shape only of a step it expects to report.
    store.hashShapes = hashed(i);
    engine.onBackward = () => {
      expect(lastPass.listed).toBe(false);
      reports.push(store.hashShapes ? reporter.report("none") : null);
    };
    let x = vary(i, w);
    for (let k = 0; k < 50; k++) x = x.tanh();
    w.grad = 0;
    x.backward();
  }
  return reports.map((r) => (r === null ? undefined : r.topology !== undefined));
}

describe("a step's shape, hashed by backward() as it walks the graph", () => {
  const net = new MLP(2, [2, 1], { rng: new Rng(3) });

  it("the same nodes in the same slots with an edge turned round, a layer's constant input or inputs swapped, a constant's sign, two constants swapped: new topologies", () => {
    const variants: ((i: number, w: Value) => Value)[] = [
      (i, w) => (i < 3 ? w.mul(2) : w.add(2)),
      (i, w) => { const a = w.mul(2), b = w.mul(3); return i < 3 ? a.sub(b) : b.sub(a); },
      // Written by the layer's own loop (affine), not by an op.
      (i, w) => net.forward([i < 3 ? 1 : 2, 0.5])[0].add(w),
      (i, w) => { const a = w.mul(2), b = w.mul(3); return net.forward(i < 3 ? [a, b] : [b, a])[0]; },
      (i, w) => w.mul(i < 3 ? 0 : -0),
      // Two constants swapped: hashes that only sum products miss it (the same sum).
      (i, w) => (i < 3 ? w.mul(2).add(w.mul(3)) : w.mul(3).add(w.mul(2))),
    ];
    // (Step 2 is a new layout: the first step's region held w, made before it.)
    for (const vary of variants) expect(shapes(vary).slice(2)).toEqual([false, true, false, false]);
  });

  it("a change in a step that was not hashed still makes a new topology at the next report", () => {
    // Reported at steps 2, 3, 5 and 6; the op changes at step 4, unreported.
    const got = shapes((i, w) => (i < 3 ? w.mul(2) : w.add(2)), (i) => i !== 0 && i !== 3);
    expect(got).toEqual([undefined, true, false, undefined, true, false]);
  });

  it("the topology a step reports has that step's op", () => {
    const reporter = new Reporter([]);
    const ops: number[][] = [];
    engine.onBackward = () => {
      const t = reporter.report("none").topology;
      if (t) ops.push(Array.from(t.op));
    };
    const w = new Value(0.5, "w");
    for (let i = 0; i < 4; i++) {
      let x = i < 2 ? w.mul(2) : w.add(2);
      for (let k = 0; k < 50; k++) x = x.tanh();
      x.backward();
    }
    expect(ops.map((o) => [o.includes(OP.mul), o.includes(OP.add)])).toEqual([[true, false], [false, true]]);
  });
});
