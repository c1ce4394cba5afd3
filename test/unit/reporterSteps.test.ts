import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Report } from "../../src/runner/worker/reporter";
import type { Value } from "../../src/engine/value";
import type { GraphTopology } from "../../src/protocol/graph";
import { OP } from "../../src/protocol/ops";

/**
 * A model runs in a worker of its own, so its first step is the store's first
 * region (kept for good: parameters live there) and later steps recycle theirs.
 * Each test here gets such a fresh engine (module instances of its own) and
 * checks that a graph built the same way every step reports the same shape
 * from step 1 on, whatever leaves the step makes, and that the shape and
 * numbers are the ones the Value API shows.
 */
async function freshEngine() {
  vi.resetModules();
  const gradscope = await import("../../src/engine");
  const { engine } = await import("../../src/engine/context");
  const { store } = await import("../../src/engine/store");
  const { Reporter } = await import("../../src/runner/worker/reporter");
  expect([store.gen, store.top]).toEqual([0, 0]); // the premise: nothing built yet
  return { gradscope, engine, Reporter };
}

type Fresh = Awaited<ReturnType<typeof freshEngine>>;
let current: Fresh | null = null;
afterEach(() => {
  if (current) current.engine.onBackward = null;
  current = null;
});

interface Step { report: Report; root: Value }

/** Runs `model` on a fresh engine with a reporter reporting every backward() in the hook, as the model worker does. */
async function run(model: (gs: Fresh["gradscope"]) => void | Promise<void>, check: (s: Step) => void = () => {}): Promise<Report[]> {
  const fresh = (current = await freshEngine());
  const reporter = new fresh.Reporter([]);
  const reports: Report[] = [];
  let topology: GraphTopology | undefined;
  fresh.engine.onBackward = (root) => {
    const report = reporter.report("all");
    topology = report.topology ?? topology;
    // Later steps carry no topology: the panel draws their numbers on the last one it got, so check them against it.
    expectSameGraph(topology!, report, root);
    check({ report, root });
    reports.push(report);
  };
  await model(fresh.gradscope);
  return reports;
}

/**
 * The reported graph is the one the Value API walks from the root: a parallel
 * walk from the root (the last node) pairs every node with a Value of the same
 * op, constant, inputs and numbers, one to one, in a topological order.
 */
function expectSameGraph(t: GraphTopology, r: Report, root: Value): void {
  const n = t.op.length;
  const paired = new Map<number, unknown>();
  const seen = new Set<unknown>();
  // An op node's handles are made on demand (several per node): its slot is its identity. A leaf's is the user's own handle.
  const key = (v: Value) => (v.op === OP.leaf ? v : `op${v.slot}`);
  const walk = (j: number, v: Value): void => {
    expect(j).toBeGreaterThanOrEqual(0);
    if (paired.has(j)) {
      expect(paired.get(j)).toBe(key(v));
      return;
    }
    expect(seen.has(key(v))).toBe(false);
    paired.set(j, key(v));
    seen.add(key(v));
    expect(t.op[j]).toBe(v.op);
    expect(Number.isNaN(t.k[j]) ? null : t.k[j]).toBe(v.k);
    expect([r.values.data[j], r.values.grad[j]]).toEqual([v.data, v.grad]);
    const [a, b] = [v.a, v.b];
    expect(t.in0[j] < 0).toBe(a === null);
    expect(t.in1[j] < 0).toBe(b === null);
    if (a) {
      expect(t.in0[j]).toBeLessThan(j);
      walk(t.in0[j], a);
    }
    if (b) {
      expect(t.in1[j]).toBeLessThan(j);
      walk(t.in1[j], b);
    }
  };
  walk(n - 1, root);
  expect(paired.size).toBe(n);
}

const shapes = (reports: Report[]) => ({ hashes: new Set(reports.map((r) => r.hash)).size, topologies: reports.map((r) => r.topology !== undefined) });

describe("a leaf made inside the training loop", () => {
  it("an accumulator `let loss = new Value(0)` made every step: one shape from step 1 on, right numbers", async () => {
    const reports = await run(
      ({ Value }) => {
        const w = new Value(0.5);
        for (let k = 0; k < 5; k++) {
          let loss = new Value(0); // a fresh leaf every step
          for (let i = 0; i < 3; i++) loss = loss.add(w.mul(i).sub(1).pow(2));
          w.grad = 0;
          loss.backward();
          w.data -= 0.1 * w.grad;
        }
      },
      ({ report, root }) => {
        // loss = Σ (w·i − 1)², dloss/dw = Σ 2(w·i − 1)·i, at the w of this step (node 0: made first, used first).
        const w = report.values.data[0];
        const expected = [0, 1, 2].reduce((s, i) => s + (w * i - 1) ** 2, 0);
        expect(root.data).toBeCloseTo(expected, 12);
        expect(report.values.data.at(-1)).toBe(root.data);
        expect(report.values.grad[0]).toBeCloseTo([0, 1, 2].reduce((s, i) => s + 2 * (w * i - 1) * i, 0), 12);
      },
    );
    expect(reports.length).toBe(5);
    expect(reports[0].values.data[0]).toBe(0.5);
    expect(reports[1].values.data[0]).toBeCloseTo(0.6, 12); // 0.5 − 0.1 · (−1)
    expect(shapes(reports)).toEqual({ hashes: 1, topologies: [true, false, false, false, false] });
    // Both leaves sit where they were made, before the ops: w (node 0), then the accumulator.
    const t = reports[0].topology!;
    expect([t.op[0], t.op[1]]).toEqual([OP.leaf, OP.leaf]);
    expect(t.op[2]).toBe(OP.mul);
  });

  it("leaves made after the step's first node, and made before their first use (`new Value(1).sub(w.mul(2))`, reduce's initial value)", async () => {
    const reports = await run(({ Value }) => {
      const w = new Value(0.1, "w");
      const v = [new Value(0.3, "v0"), new Value(-0.2, "v1")];
      for (let k = 0; k < 4; k++) {
        const margin = new Value(1).sub(w.mul(2)).relu(); // the leaf is made before w.mul(2), used after it
        const h = v.map((vj) => vj.mul(w).tanh());
        const out = h.reduce((acc: Value, hj) => acc.add(hj.mul(2)), new Value(0)); // made before the first hj.mul(2)
        const bias = new Value(0.25); // made mid-step, after nodes of this step
        const loss = margin.add(out).add(bias).pow(2);
        w.grad = 0;
        for (const p of v) p.grad = 0;
        loss.backward();
        w.data -= 0.05 * w.grad;
        for (const p of v) p.data -= 0.05 * p.grad;
      }
    });
    expect(shapes(reports)).toEqual({ hashes: 1, topologies: [true, false, false, false] });
  });

  it("a bare-Value MLP with its inputs and loss accumulator made in the loop (as bench/models.ts bareValueMoons)", async () => {
    const reports = await run(({ Value, Rng, makeMoons }) => {
      const rng = new Rng(1337);
      const { X, y } = makeMoons(6, 0.1, rng);
      const layer = (nin: number, nout: number) => Array.from({ length: nout }, () => ({ w: Array.from({ length: nin }, () => new Value(rng.uniform(-1, 1))), b: new Value(0) }));
      const layers = [layer(2, 4), layer(4, 4), layer(4, 1)];
      const params = layers.flat().flatMap((n) => [...n.w, n.b]);
      const forward = (x: (number | Value)[]): Value[] => {
        let h = x;
        layers.forEach((l, k) => {
          h = l.map((n) => {
            let act = n.b;
            for (let i = 0; i < n.w.length; i++) act = act.add(n.w[i].mul(h[i]));
            return k < layers.length - 1 ? act.relu() : act;
          });
        });
        return h as Value[];
      };
      for (let k = 0; k < 4; k++) {
        let loss = new Value(0);
        for (let i = 0; i < X.length; i++) {
          const x = X[i].map((xi) => new Value(xi)); // inputs as leaves, made every step
          loss = loss.add(forward(x)[0].mul(-y[i]).add(1).relu());
        }
        loss = loss.mul(1 / X.length);
        for (const p of params) p.grad = 0;
        loss.backward();
        for (const p of params) p.data -= 0.05 * p.grad;
      }
    });
    expect(shapes(reports)).toEqual({ hashes: 1, topologies: [true, false, false, false] });
  });

  it("the compiled model as the worker runs it (names and places from the source): one shape from step 1 on", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gradscope-steps-"));
    const file = path.join(dir, "model.ts");
    writeFileSync(
      file,
      `import { Value } from "gradscope";
const w = new Value(0.5);
for (let k = 0; k < 5; k++) {
  let loss = new Value(0);
  for (let i = 0; i < 3; i++) loss = loss.add(w.mul(i).sub(1).pow(2));
  w.grad = 0;
  loss.backward();
  w.data -= 0.1 * w.grad;
}
`,
    );
    const { compileModel } = await import("../../src/runner/compile/compile");
    const compiled = await compileModel(file);
    if (!compiled.ok) throw new Error(compiled.error.message);
    const reports = await run(async (gradscope) => {
      const { ModuleLoader } = await import("../../src/runner/worker/moduleLoader");
      await new ModuleLoader(compiled.model.modules, gradscope).run();
    });
    expect(reports.length).toBe(5);
    expect(shapes(reports)).toEqual({ hashes: 1, topologies: [true, false, false, false, false] });
    expect(reports[0].topology!.label.slice(0, 2)).toEqual(["w", "loss"]);
  });
});
