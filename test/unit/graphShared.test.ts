import { describe, expect, it } from "vitest";
import { lossCsv, nodesCsv } from "../../src/graph/csv";
import { chooseView, drawGraph, layoutOf } from "../../src/graph/drawing";
import { formatNumber } from "../../src/graph/format";
import { buildGroupTree, childrenOf, groupExtremes, GroupKind, opensInto, type GroupTree } from "../../src/graph/groupTree";
import { nodeName } from "../../src/graph/nodeName";
import { snapshotFromJSON, snapshotJsonText } from "../../src/graph/snapshotJson";
import { snapshotToSvg } from "../../src/graph/svgExport";
import { collapseUnits, initialExpansion, visibleCount } from "../../src/graph/visibleUnits";
import { OP, NodeKind } from "../../src/protocol/ops";
import type { Snapshot } from "../../src/protocol/graph";
import { mlpSnapshot, seedSnapshot, TapeBuilder } from "../browser/syntheticGraphs";

/** src/graph/: the pure code every front end shares (CLI, runner, extension, panel). */

describe("formatNumber: one spelling everywhere", () => {
  it("writes numbers short, with U+2212 minus signs, ∞ and NaN", () => {
    const cases: [number, string][] = [
      [42, "42"], [49, "49"], [0.489, "0.489"], [-8.2222, "−8.222"], [12345, "12345"], [-999999, "−999999"],
      [1234567, "1.235e6"], [-1.2345e-7, "−1.235e−7"], [0.00012346, "0.0001235"], [0, "0"], [-0, "0"],
      [Infinity, "∞"], [-Infinity, "−∞"], [NaN, "NaN"], [1 / 3, "0.3333"],
    ];
    for (const [x, text] of cases) expect(formatNumber(x), String(x)).toBe(text);
  });
});

describe("nodeName", () => {
  it("is the label, else what the node is and its index", () => {
    const t = new TapeBuilder();
    const w = t.leaf(1, null, NodeKind.param);
    const x = t.leaf(2, null, NodeKind.input);
    const y = t.apply(OP.mul, w, x);
    t.apply(OP.tanh, y, undefined, "out");
    const s = t.snapshot("names");
    expect([0, 1, 2, 3].map((i) => nodeName(s.topology, i))).toEqual(["param#0", "input#1", "mul#2", "out"]);
  });
});

/** Every group opens into at most maxUnits things, and every node is in exactly one deepest group. */
function checkTree(tree: GroupTree, n: number, maxUnits = 150): void {
  let total = 0;
  for (let g = 0; g < tree.size; g++) {
    const into = opensInto(tree, g);
    expect(into.groups + into.nodes, `group ${tree.key[g]}`).toBeLessThanOrEqual(maxUnits);
    total += tree.direct[g];
    if (g > 0) expect(tree.parent[g]).toBeLessThan(g);
    let sum = tree.direct[g];
    for (const c of childrenOf(tree, g)) sum += tree.count[c];
    expect(sum).toBe(tree.count[g]);
  }
  expect(total).toBe(n);
  expect(tree.count[0]).toBe(n);
}

describe("group tree", () => {
  const moons = mlpSnapshot({ sizes: [2, 16, 16, 1], batch: 100 });
  const tree = buildGroupTree(moons.topology);

  it("splits the moons MLP's layer-2 neurons (3,300 nodes each) into their parameters and one group per call", () => {
    checkTree(tree, moons.topology.op.length);
    const g = tree.index.get("MLP/layer2/neuron3")!;
    expect(tree.count[g]).toBeGreaterThan(3000);
    const kids = Array.from(childrenOf(tree, g));
    expect(kids.map((c) => tree.name[c])).toEqual(["parameters", ...Array.from({ length: 100 }, (_, k) => `call ${k + 1}`)]);
    expect(tree.splitBy[g]).toBe("per call");
    expect(tree.count[kids[1]]).toBe(33);
    expect(tree.kind[kids[1]]).toBe(GroupKind.call);
  });

  it("is deterministic from the topology alone", () => {
    const again = buildGroupTree(moons.topology);
    expect(again.key).toEqual(tree.key);
    expect(Array.from(again.groupOf)).toEqual(Array.from(tree.groupOf));
  });

  it("keeps the loss a top-level node and opens first into the architecture", () => {
    const n = moons.topology.op.length;
    expect(tree.groupOf[n - 1]).toBe(0);
    const open = initialExpansion(tree, 400);
    expect([...open].sort()).toEqual(["MLP", "MLP/layer1", "MLP/layer2", "MLP/layer3", "loss"]);
    expect(visibleCount(tree, open)).toBeLessThanOrEqual(400);
    const units = collapseUnits(moons.topology, tree, open);
    expect(units.units.length).toBe(visibleCount(tree, open));
  });

  it("uses the compile step's per-call group instances as they are", () => {
    const t = new TapeBuilder();
    const x = t.leaf(1, "x");
    let acc = x;
    for (let call = 1; call <= 3; call++) acc = t.inGroup(`mlp#1/layer#1/neuron#${call}`, () => t.apply(OP.tanh, t.apply(OP.mul, acc, { k: call })));
    t.apply(OP.mul, acc, { k: 2 }, "loss");
    const tr = buildGroupTree(t.snapshot("calls").topology);
    expect(Array.from(childrenOf(tr, tr.index.get("mlp#1/layer#1")!)).map((g) => tr.key[g])).toEqual(["mlp#1/layer#1/neuron#1", "mlp#1/layer#1/neuron#2", "mlp#1/layer#1/neuron#3"]);
  });

  it("splits what has no groups at all: 20,000 ungrouped nodes on 2 lines, a 5,000-term sum on one", () => {
    const t = new TapeBuilder();
    const a = t.at("/m.ts", 3), b = t.at("/m.ts", 4), c = t.at("/m.ts", 9);
    let acc = t.leaf(0, "acc", NodeKind.input, a);
    for (let k = 0; k < 10000; k++) acc = t.apply(OP.add, t.apply(OP.mul, acc, { k: 0.5 }, null, a), { k: 1 }, null, b);
    let sum = t.leaf(0, "s", NodeKind.input, c);
    for (let k = 0; k < 5000; k++) sum = t.apply(OP.add, sum, { k }, null, c);
    t.apply(OP.add, acc, sum, "loss");
    const s = t.snapshot("flat");
    const tr = buildGroupTree(s.topology);
    checkTree(tr, s.topology.op.length);
    expect(Array.from(childrenOf(tr, 0)).map((g) => tr.name[g])).toEqual(["line 3", "line 4", "line 9"]);
  });

  it("computes per-group extremes (signed, NaN wins) in one pass", () => {
    const ext = groupExtremes(tree, moons.values.grad);
    const g = tree.index.get("MLP/layer1")!;
    let best = 0;
    for (let i = 0; i < moons.topology.op.length; i++) {
      let a = tree.groupOf[i];
      while (a > 0 && a !== g) a = tree.parent[a];
      if (a === g && Math.abs(moons.values.grad[i]) > Math.abs(best)) best = moons.values.grad[i];
    }
    expect(ext[g]).toBe(best);
  });
});

describe("drawing", () => {
  const seed = seedSnapshot();
  const tree = buildGroupTree(seed.topology);
  const units = collapseUnits(seed.topology, tree, new Set());
  const src = { topology: seed.topology, values: seed.values, tree, units, groupGrad: groupExtremes(tree, seed.values.grad) };
  const layout = layoutOf(units);

  it("reads top to bottom in a tall area and left to right in a wide one, with draw_dot's full records when they fit", () => {
    expect(chooseView(src, layout, { width: 500, height: 700 })).toMatchObject({ orientation: "TB", detail: "full", readable: true });
    expect(chooseView(src, layout, { width: 1200, height: 600 })).toMatchObject({ orientation: "LR", detail: "full", readable: true });
    const d = drawGraph(src, layout, "TB", "full");
    const y = (id: string) => d.nodes.find((n) => n.id === id)!.y;
    expect(y("n0")).toBeLessThan(y("n2"));
    expect(y("n2")).toBeLessThan(y("n4"));
    expect(d.nodes.find((n) => n.id === "n0")!.lines).toEqual(["a", "data 2", "grad 42"]);
  });

  it("folds the op into the record and drops lines when space is short", () => {
    expect(chooseView(src, layout, { width: 90, height: 220 }).detail).not.toBe("full");
    expect(drawGraph(src, layout, "TB", "tiny").nodes.find((n) => n.id === "n3")!.lines).toEqual(["d = + 1"]);
  });
});

describe("exports", () => {
  it("SVG of any size: 200,000 nodes draw as their grouping, linear, no stack overflow", () => {
    const t = new TapeBuilder();
    const loc = t.at("/big.ts", 5);
    let acc = t.leaf(1, "x", NodeKind.input, loc);
    for (let k = 0; k < 200_000; k++) acc = t.apply(k % 2 ? OP.add : OP.mul, acc, { k: 1.0001 }, null, loc);
    const s = t.snapshot("big");
    const svg = snapshotToSvg(s);
    expect(svg).toContain("200,001 nodes, drawn as");
    expect(svg.length).toBeLessThan(2_000_000);
    expect(svg.startsWith("<?xml")).toBe(true);
  });

  it("SVG of a small graph draws every node and op, and uses the one formatter", () => {
    const svg = snapshotToSvg(seedSnapshot());
    for (const id of ["n0", "n1", "n2", "n3", "n4", "o2", "o3", "o4"]) expect(svg).toContain(`id="${id}"`);
    expect(svg).toContain(">grad 42<");
    expect(svg).not.toContain("drawn as");
  });

  it("JSON text is one format, and round-trips NaN and infinities", () => {
    const s: Snapshot = seedSnapshot();
    s.values.grad[4] = NaN;
    s.values.data[0] = -Infinity;
    const text = snapshotJsonText(s);
    expect(text.endsWith("}\n")).toBe(true);
    const back = snapshotFromJSON(JSON.parse(text));
    expect(back.values.grad[4]).toBeNaN();
    expect(back.values.data[0]).toBe(-Infinity);
  });

  it("CSV: the loss curve per step, the graph per node", () => {
    expect(lossCsv([1, 2], [4, 2.5])).toBe("step,loss\n1,4\n2,2.5\n");
    const csv = nodesCsv(seedSnapshot()).trim().split("\n");
    expect(csv).toEqual([
      "node,name,op,kind,data,grad,input0,input1,group,file,line",
      "0,a,leaf,input,2,42,,,,/work/examples/chain-rule.ts,2",
      "1,b,leaf,input,3,28,,,,/work/examples/chain-rule.ts,3",
      "2,c,mul ×,value,6,14,0,1,,/work/examples/chain-rule.ts,4",
      "3,d,add + 1,value,7,14,2,,,/work/examples/chain-rule.ts,5",
      "4,loss,pow ^2,value,49,1,3,,,/work/examples/chain-rule.ts,6",
    ]);
  });
});
