import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { buildGroupTree } from "../../src/graph/groupTree";
import { collapseUnits, initialExpansion } from "../../src/graph/visibleUnits";
import type { Snapshot } from "../../src/protocol/graph";
import { AGG, AGG_WIDTH, groupAggregates, resolveView, viewPayload } from "../../src/runner/process/viewPayload";
import { ModelSession } from "../../src/runner/session";
import type { SessionEvent, ViewUpdate } from "../../src/runner/types";

const RUNNER = path.resolve("dist/runner.js");
const dir = mkdtempSync(path.join(tmpdir(), "gradscope-view-"));

/** A small MLP on moons: big enough to be drawn collapsed (engine groups per layer and neuron). */
const MLP_MODEL = `import { MLP, SGD, makeMoons, Rng, Value, hinge } from "gradscope";
const rng = new Rng(7);
const { X, y } = makeMoons(20, 0.1, rng);
const model = new MLP(2, [8, 8, 1], { rng });
const opt = new SGD(model.parameters(), { lr: 0.01 });
for (let step = 0; step < 4; step++) {
  let loss = new Value(0);
  for (let i = 0; i < X.length; i++) loss = loss.add(model.forward(X[i])[0].mul(-y[i]).add(1).relu());
  opt.zeroGrad();
  loss.backward();
  opt.step();
}
`;

/** The same MLP with one shape from the first step on (MLP_MODEL's step 1 numbers its nodes differently from the rest). */
const STEADY_MODEL = `import { MLP, SGD, makeMoons, Rng, sum } from "gradscope";
const rng = new Rng(7);
const { X, y } = makeMoons(20, 0.1, rng);
const model = new MLP(2, [8, 8, 1], { rng });
const opt = new SGD(model.parameters(), { lr: 0.01 });
for (let step = 0; step < 30; step++) {
  const loss = sum(X.map((x, i) => model.forward(x)[0].mul(-y[i]).add(1).relu()));
  opt.zeroGrad();
  loss.backward();
  opt.step();
}
`;

async function runWithView(source: string, subscribe: (s: Snapshot, session: ModelSession) => void) {
  const file = path.join(dir, `m${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source);
  const session = new ModelSession({ file, values: "all", throttleMs: 0, startPaused: true }, RUNNER);
  const graphs: Snapshot[] = [];
  const views: ViewUpdate[] = [];
  const end = new Promise<void>((resolve) =>
    session.onEvent((e: SessionEvent) => {
      if (e.type === "graph") {
        graphs.push(e.snapshot);
        // Subscribe at the first step (the model waits there) and on every new shape, as the panel does.
        if (e.shapeChanged) subscribe(e.snapshot, session);
        // One step at a time: the subscription reaches the runner before the next step does.
        session.step();
      }
      // As the panel does once it has drawn it.
      if (e.type === "view") (views.push(e.update), session.viewAck());
      if (e.type === "end") resolve();
    }),
  );
  await session.start();
  await end;
  session.dispose();
  return { graphs, views };
}

describe("view payload (runner process: what the panel shows)", () => {
  it("aggregates a group from its whole subtree: count, max and mean |grad| over finite grads, non-finite count", async () => {
    const { graphs } = await runWithView(MLP_MODEL, () => {});
    const s = graphs[0];
    const tree = buildGroupTree(s.topology);
    const grad = s.values.grad.slice();
    grad[0] = NaN;
    const agg = groupAggregates(tree, { data: s.values.data, grad });
    // The root group covers every node.
    expect(agg[AGG.count]).toBe(s.topology.op.length);
    expect(agg[AGG.nonFinite]).toBe(1);
    const finite = Array.from(grad).filter(Number.isFinite).map(Math.abs);
    expect(Math.abs(agg[AGG.extremeGrad])).toBe(Math.max(...finite));
    expect(agg[AGG.meanAbsGrad]).toBeCloseTo(finite.reduce((a, b) => a + b, 0) / finite.length, 12);
    // Every other group agrees with a direct pass over its nodes.
    for (let g = 1; g < tree.size; g++) {
      const members: number[] = [];
      for (let i = 0; i < tree.groupOf.length; i++) for (let h = tree.groupOf[i]; h > 0; h = tree.parent[h]) if (h === g) members.push(i);
      expect(agg[g * AGG_WIDTH + AGG.count]).toBe(members.length);
      const gs = members.map((i) => grad[i]).filter(Number.isFinite).map(Math.abs);
      if (gs.length) expect(Math.abs(agg[g * AGG_WIDTH + AGG.extremeGrad])).toBe(Math.max(...gs));
    }
  });

  it("a subscription gets the drawn nodes' numbers and the collapsed groups' aggregates, at once and every step, in a few KB", async () => {
    const shown = (s: Snapshot) => {
      const tree = buildGroupTree(s.topology);
      const expanded = [...initialExpansion(tree, 40)];
      return { tree, expanded, units: collapseUnits(s.topology, tree, new Set(expanded)).units };
    };
    const { graphs, views } = await runWithView(MLP_MODEL, (s, session) => {
      session.subscribeView({ hash: s.topology.hash, expanded: shown(s).expanded, nodes: Int32Array.of(0) });
    });
    expect(graphs.map((g) => g.step)).toEqual([1, 2, 3, 4]);
    // Answered at once for the step the subscription was made at, then one per reported step.
    expect(views.map((v) => v.step)).toEqual([1, 2, 3, 4]);
    for (const v of views) {
      const s = graphs.find((g) => g.step === v.step)!;
      expect(v.hash).toBe(s.topology.hash);
      const { tree, units } = shown(s);
      const drawnNodes = units.flatMap((u) => (u.kind === "node" ? [u.node] : []));
      const drawnGroups = units.flatMap((u) => (u.kind === "group" ? [u.group] : []));
      expect(drawnGroups.length).toBeGreaterThan(0);
      expect(Array.from(v.nodes)).toEqual([...new Set([0, ...drawnNodes])].sort((a, b) => a - b));
      v.nodes.forEach((i, j) => {
        expect(v.data[j]).toBe(s.values.data[i]);
        expect(v.grad[j]).toBe(s.values.grad[i]);
      });
      expect(Array.from(v.groups)).toEqual(drawnGroups.slice().sort((a, b) => a - b));
      const all = groupAggregates(tree, s.values);
      v.groups.forEach((g, j) => expect(Array.from(v.agg.subarray(j * AGG_WIDTH, (j + 1) * AGG_WIDTH))).toEqual(Array.from(all.subarray(g * AGG_WIDTH, (g + 1) * AGG_WIDTH))));
      expect(v.loss).toBe(s.loss);
      // The optimizer's updates of the drawn nodes only.
      expect(v.updates).toEqual(s.updates.filter((u) => v.nodes.includes(u.node)));
      // Far less than every node's numbers.
      expect(serialize(v).length).toBeLessThan(serialize(s.values).length / 4);
    }
  });

  it("unsubscribed or made for another shape: nothing is sent", async () => {
    const { views } = await runWithView(MLP_MODEL, (s, session) => {
      session.subscribeView({ hash: "another-shape", expanded: [], nodes: new Int32Array(0) });
    });
    expect(views).toEqual([]);
    // Answered at once (step 1), then unsubscribed: no more.
    let once = false;
    const off = await runWithView(MLP_MODEL, (s, session) => {
      if (once) return;
      once = true;
      session.subscribeView({ hash: s.topology.hash, expanded: [], nodes: new Int32Array(0) });
      session.subscribeView(undefined);
    });
    expect(off.views.map((v) => v.step)).toEqual([1]);
  });

  it("hostReportMs: a training host gets the first step, then at most one report per interval, and the last step at the end; the view is not held to it", async () => {
    const file = path.join(dir, "paced.ts");
    writeFileSync(file, STEADY_MODEL);
    const session = new ModelSession({ file, values: "all", throttleMs: 0, hostReportMs: 60_000, startPaused: true }, RUNNER);
    const graphs: number[] = [], views: number[] = [];
    const end = new Promise<void>((resolve) =>
      session.onEvent((e: SessionEvent) => {
        if (e.type === "graph") {
          graphs.push(e.snapshot.step);
          if (e.shapeChanged) {
            session.subscribeView({ hash: e.snapshot.topology.hash, expanded: [], nodes: new Int32Array(0) });
            session.run();
          }
        }
        if (e.type === "view") (views.push(e.update.step), session.viewAck());
        if (e.type === "end") resolve();
      }),
    );
    await session.start();
    await end;
    session.dispose();
    // Step 1 (a new shape, paused there), then nothing until the run ended: its last step, whole.
    expect(graphs).toEqual([1, 30]);
    // The view's updates are paced by its acks, not by hostReportMs: from step 1 to the last, in order.
    expect(views[0]).toBe(1);
    expect(views.at(-1)).toBe(30);
    expect(views.every((v, i) => i === 0 || v > views[i - 1])).toBe(true);
  });

  it("hostReportMs: a run that pauses gives the host the paused step's numbers before it says paused", async () => {
    const file = path.join(dir, "pausing.ts");
    writeFileSync(file, STEADY_MODEL);
    const session = new ModelSession({ file, values: "all", throttleMs: 0, hostReportMs: 60_000, startPaused: true }, RUNNER);
    const events: string[] = [];
    let ran = false;
    const paused = new Promise<void>((resolve) =>
      session.onEvent((e: SessionEvent) => {
        if (e.type === "graph") events.push(`graph ${e.snapshot.step}`);
        if (e.type === "state" && e.state === "paused") {
          events.push(`paused ${e.step}`);
          if (!ran) {
            ran = true;
            session.runSteps(10);
          } else resolve();
        }
      }),
    );
    await session.start();
    await paused;
    session.dispose();
    expect(events).toEqual(["graph 1", "paused 1", "graph 11", "paused 11"]);
  });

  it("view flow control: with no ack the runner holds the next update (the newest waits), an ack sends it, and the end always shows the last step", async () => {
    const file = path.join(dir, "acks.ts");
    writeFileSync(file, STEADY_MODEL);
    const session = new ModelSession({ file, values: "all", throttleMs: 0, startPaused: true }, RUNNER);
    const views: number[] = [];
    let acked = false;
    const end = new Promise<void>((resolve) =>
      session.onEvent((e: SessionEvent) => {
        if (e.type === "graph" && e.snapshot.step === 1) {
          session.subscribeView({ hash: e.snapshot.topology.hash, expanded: [], nodes: new Int32Array(0) });
          session.runSteps(10);
        }
        if (e.type === "view") views.push(e.update.step);
        // Paused at step 11 with step 1's update never acknowledged: the ack brings the newest step, then run on.
        if (e.type === "state" && e.state === "paused" && e.step === 11 && !acked) {
          acked = true;
          expect(views).toEqual([1]);
          session.viewAck();
          session.run();
        }
        if (e.type === "end") resolve();
      }),
    );
    await session.start();
    await end;
    session.dispose();
    // Step 1, step 11 on the ack; then, unacknowledged again, at most a few on the 1 s fallback; and the last step at the end.
    expect(views.slice(0, 2)).toEqual([1, 11]);
    expect(views.at(-1)).toBe(30);
    expect(views.length).toBeLessThan(8);
  });

  it("resolveView keeps the extra nodes in range only", async () => {
    const { graphs } = await runWithView(MLP_MODEL, () => {});
    const t = graphs[0].topology;
    const v = resolveView(t, { hash: t.hash, expanded: [], nodes: Int32Array.of(-1, 3, t.op.length) });
    expect(v.nodes.includes(3)).toBe(true);
    expect(Array.from(v.nodes).every((i) => i >= 0 && i < t.op.length)).toBe(true);
    const p = viewPayload(v, graphs[0].values);
    expect(p.data.length).toBe(p.nodes.length);
  });
});
