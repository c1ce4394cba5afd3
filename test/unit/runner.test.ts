import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/protocol/graph";
import { OP } from "../../src/protocol/ops";
import { LossHistory } from "../../src/runner/history";
import { ModelSession } from "../../src/runner/session";
import type { RunOptions, SessionEvent } from "../../src/runner/types";

// The real runner process and worker bundles: `npm run build` first (the test script does).
const RUNNER = path.resolve("dist/runner.js");
const fixture = (name: string) => path.resolve("test/fixtures/models", name);
const dir = mkdtempSync(path.join(tmpdir(), "gradscope-runner-"));
let n = 0;
function model(source: string): string {
  const file = path.join(dir, `model${++n}.ts`);
  writeFileSync(file, source);
  return file;
}

/** Runs a session to its end, collecting events; `drive` may steer it as events arrive. */
async function run(opts: RunOptions, drive?: (e: SessionEvent, s: ModelSession) => void) {
  const session = new ModelSession(opts, RUNNER);
  const events: SessionEvent[] = [];
  const end = new Promise<Extract<SessionEvent, { type: "end" }>>((resolve) =>
    session.onEvent((e) => {
      events.push(e);
      drive?.(e, session);
      if (e.type === "end") resolve(e);
    }),
  );
  await session.start();
  const last = await end;
  const graphs = events.filter((e): e is Extract<SessionEvent, { type: "graph" }> => e.type === "graph").map((e) => e.snapshot);
  session.dispose();
  const console = events.filter((e) => e.type === "console").map((e) => (e as { text: string }).text);
  // Output arrives in batches of whole lines: `lines` is what a terminal would show.
  return { session, events, end: last, graphs, console, lines: console.flatMap((t) => t.split("\n")) };
}

/** w → 3 by SGD (lr 0.1) on (w − 3)², for `steps` steps. */
const sgdModel = (steps: number) => `import { Value, SGD } from "gradscope";
const w = new Value(1, "w");
const opt = new SGD([w], { lr: 0.1 });
for (let i = 0; i < ${steps}; i++) {
  const loss = w.sub(3).pow(2);
  opt.zeroGrad();
  loss.backward();
  opt.step();
}
`;

const SEED = `import { Value } from "gradscope";
const a = new Value(2.0);
const b = new Value(3.0);
const c = a.mul(b);
const d = c.add(1.0);
const loss = d.pow(2);
loss.backward();
`;

const nodeByLabel = (s: Snapshot, label: string) => s.topology.label.indexOf(label);

describe("ModelSession", () => {
  it("runs the seed: one step, loss 49, labels inferred from the source, grads 42 and 28", async () => {
    const r = await run({ file: model(SEED) });
    expect(r.end.reason).toBe("finished");
    expect(r.graphs.length).toBe(1);
    const s = r.graphs[0];
    expect(s.step).toBe(1);
    expect(s.loss).toBe(49);
    expect(s.topology.label).toEqual(["a", "b", "c", "d", "loss"]);
    expect(s.values.grad[nodeByLabel(s, "a")]).toBe(42);
    expect(s.values.grad[nodeByLabel(s, "b")]).toBe(28);
    // Each node knows the user's line that made it.
    const locOf = (label: string) => s.topology.locations[s.topology.loc[nodeByLabel(s, label)]];
    expect(locOf("a").line).toBe(2);
    expect(locOf("loss").line).toBe(6);
  });

  it("runs the editor's unsaved text instead of the file on disk", async () => {
    const file = model(SEED);
    const r = await run({ file, source: SEED.replace("2.0", "5.0") });
    expect(r.graphs[0].loss).toBe((5 * 3 + 1) ** 2);
  });

  it("runs an untitled editor's text, whose file does not exist", async () => {
    const r = await run({ file: path.join(dir, "never-saved", "Untitled-1.ts"), source: SEED });
    expect(r.end.reason).toBe("finished");
    expect(r.graphs[0].loss).toBe(49);
  });

  it("restart() runs the editor's new text", async () => {
    const session = new ModelSession({ file: model(SEED) }, RUNNER);
    const losses: number[] = [];
    let ends = 0;
    const ended = () => new Promise<void>((resolve) => session.onEvent((e) => e.type === "end" && ++ends && resolve()));
    session.onEvent((e) => e.type === "graph" && losses.push(e.snapshot.loss));
    let done = ended();
    await session.start();
    await done;
    done = ended();
    await session.restart(SEED.replace("3.0", "4.0"));
    await done;
    expect(losses).toEqual([49, 81]);
    session.dispose();
  });

  it("reports a syntax error at the user's line and column", async () => {
    const r = await run({ file: model(`import { Value } from "gradscope";\nconst a = new Value(2);\nconst b = a.mul(;\n`) });
    expect(r.end.reason).toBe("error");
    expect(r.end.error).toMatchObject({ kind: "compile", line: 3, column: 17 });
  });

  it("reports a thrown error at the user's TypeScript line, source-mapped", async () => {
    const r = await run({
      file: model(`import { Value } from "gradscope";
type Pair = { x: number; y: number };
function check(p: Pair): number {
  if (p.x > 1) throw new RangeError("x too big: " + p.x);
  return p.x;
}
const a = new Value(check({ x: 0.5, y: 1 }));
console.log("before");
check({ x: 3, y: 1 });
`),
    });
    expect(r.end.reason).toBe("error");
    expect(r.end.error).toMatchObject({ kind: "runtime", message: "RangeError: x too big: 3", line: 4 });
    expect(r.end.error!.stack).toMatch(/check \(.*model\d+\.ts:4:/);
    expect(r.end.error!.stack).toMatch(/model\d+\.ts:9:/);
    expect(r.lines).toEqual(["before"]);
  });

  it("stops an endless loop, and says where it was", async () => {
    const r = await run({ file: model(`let i = 0;\nwhile (true) {\n  i++;\n}\n`) }, (e, s) => {
      if (e.type === "state" && e.state === "running") setTimeout(() => s.stop(), 200);
    });
    expect(r.end.reason).toBe("stopped");
  });

  it("times out an endless loop with the user's line", async () => {
    // Long enough for the worker to reach the loop on a loaded machine (the limit counts from the launch).
    const r = await run({ file: model(`let i = 0;\nwhile (true) {\n  i++;\n}\n`), timeoutSeconds: 1.5 });
    expect(r.end.reason).toBe("timeout");
    expect(r.end.error).toMatchObject({ kind: "timeout", line: 3 });
  });

  it("steps, runs N and pauses at backward() calls", async () => {
    const file = model(sgdModel(20));
    const pausedAt: number[] = [];
    const plan = [(s: ModelSession) => s.step(), (s: ModelSession) => s.runSteps(3), (s: ModelSession) => s.run()];
    const r = await run({ file, startPaused: true }, (e, s) => {
      if (e.type === "state" && e.state === "paused" && e.step > 0) {
        pausedAt.push(e.step);
        // While paused the graph of that step is complete and inspectable.
        expect(s.latest()!.step).toBe(e.step);
        plan.shift()?.(s);
      }
    });
    expect(pausedAt).toEqual([1, 2, 5]);
    expect(r.end.reason).toBe("finished");
    expect(r.session.losses().losses.length).toBe(20);
    // The hover's "last update" for w at step 2: 1 − 0.1 × (−4) = 1.4.
    const step2 = r.graphs.find((g) => g.step === 2)!;
    expect(step2.updates).toEqual([{ node: 0, label: "w", rule: "sgd", before: 1, lr: 0.1, grad: -4, after: 1.4 }]);
  });

  it("updates: false (the CLI's step lines): no optimizer records cross, the numbers are the same", async () => {
    const file = model(sgdModel(3));
    const [on, off] = [await run({ file, throttleMs: 0 }), await run({ file, throttleMs: 0, updates: false })];
    expect(on.graphs.map((g) => g.updates.length)).toEqual([0, 1, 1]);
    expect(off.graphs.map((g) => g.updates.length)).toEqual([0, 0, 0]);
    expect(off.graphs.map((g) => [...g.values.data])).toEqual(on.graphs.map((g) => [...g.values.data]));
  });

  it("never loses a command: step() then run() in quick succession always runs on", async () => {
    const file = model(`import { Value } from "gradscope";
const w = new Value(1, "w");
for (let i = 0; i < 3000; i++) w.mul(w).backward();
`);
    const session = new ModelSession({ file, throttleMs: 1000 }, RUNNER);
    const end = new Promise<SessionEvent>((resolve) => session.onEvent((e) => e.type === "end" && resolve(e)));
    await session.start();
    // Hammer the gate while the model steps: every step() is followed by a run() that must win.
    for (let round = 0; round < 300 && session.state !== "finished"; round++) {
      session.step();
      await new Promise((r) => setImmediate(r));
      session.run();
    }
    expect(await end).toMatchObject({ reason: "finished", steps: 3000 });
    session.dispose();
  });

  it("keeps every loss, once, while throttling full reports", async () => {
    const r = await run({ file: path.resolve("examples/coffee-shop.ts"), throttleMs: 1000 });
    const batches = r.events.filter((e): e is Extract<SessionEvent, { type: "loss" }> => e.type === "loss");
    let next = 1;
    for (const b of batches) {
      expect(b.from).toBe(next);
      next += b.losses.length;
    }
    expect(next - 1).toBe(300);
    expect(r.graphs.length).toBeLessThan(300);
    expect(r.graphs.at(-1)!.step).toBe(300);
    // Same shape every step: topology was sent once.
    expect(r.events.filter((e) => e.type === "graph" && e.shapeChanged).length).toBe(1);
  });

  it("a new constant operand is a new topology (the panel redraws `× 20`, not a stale `× 10`)", async () => {
    const r = await run({
      file: model(`import { Value } from "gradscope";\nconst x = new Value(1);\nfor (let i = 1; i <= 3; i++) x.mul(i * 10).backward();\n`),
      throttleMs: 0,
    });
    expect(r.events.filter((e) => e.type === "graph").map((e) => (e as { shapeChanged: boolean }).shapeChanged)).toEqual([true, true, true]);
    expect(Array.from(r.graphs[2].topology.k)).toEqual([NaN, 30]);
  });

  it("a throttled run reports a new shape right although backward() hashed only the steps it expected to report", async () => {
    // ~1 ms steps, a report every 20 ms: most steps are not reported (and not hashed); the op changes at step 150.
    const r = await run({
      file: model(`import { Value } from "gradscope";\nconst w = new Value(1);\nfor (let i = 1; i <= 300; i++) {\n  const t = Date.now();\n  while (Date.now() - t < 1) {}\n  w.grad = 0;\n  (i < 150 ? w.mul(2) : w.add(2)).backward();\n}\n`),
      throttleMs: 20,
    });
    const graphs = r.events.filter((e): e is Extract<SessionEvent, { type: "graph" }> => e.type === "graph");
    expect(graphs.length).toBeGreaterThan(3);
    expect(graphs.length).toBeLessThan(150);
    for (const g of graphs) expect(g.snapshot.topology.op[1]).toBe(g.snapshot.step < 150 ? OP.mul : OP.add);
    // The first report of each shape carries it; the others reuse it.
    expect(graphs.filter((g) => g.shapeChanged).map((g) => g.snapshot.step < 150)).toEqual([true, false]);
    expect(graphs.at(-1)!.snapshot.step).toBe(300);
  });

  it("a model that ends itself with process.exit(0) still reports every step", async () => {
    const r = await run({
      file: model(`import { Value } from "gradscope";\nconst x = new Value(2);\nfor (let i = 0; i < 50; i++) x.mul(i).backward();\nprocess.exit(0);\n`),
      throttleMs: 1000,
    });
    expect(r.end).toMatchObject({ reason: "finished", steps: 50 });
    expect(r.session.losses().losses.length).toBe(50);
    expect(r.graphs.at(-1)!.step).toBe(50);
  });

  it("nodes made after a callback returns belong to the caller's line; recursion stays in one group", async () => {
    const r = await run({
      file: model(`import { Value } from "gradscope";
const w = new Value(2);
const xs = [1, 2, 3];
function total(vs: Value[]): Value {
  return vs.length === 1 ? vs[0] : vs[0].add(total(vs.slice(1)));
}
const out = total(xs.map((x) => {
  return w.mul(x);
})).tanh().mul(5);
out.backward();
`),
    });
    const t = r.graphs[0].topology;
    // tanh is made by the statement on line 7, after the callback (line 8) returned.
    const tanh = Array.from(t.op).indexOf(OP.tanh);
    expect(t.locations[t.loc[tanh]].line).toBe(7);
    expect(t.locations[t.loc[Array.from(t.op).indexOf(OP.mul)]].line).toBe(8);
    expect(new Set(Array.from(t.group, (g) => (g < 0 ? "" : t.groups[g])))).toEqual(new Set(["", "total#1"]));
  });

  it("a model cannot forge runner messages: wrapped ports and a fake error pointing at /etc/passwd change nothing", async () => {
    const r = await run({ file: fixture("forge.ts") });
    expect(r.end).toMatchObject({ reason: "finished", steps: 1 });
    expect(r.end.error).toBeUndefined();
    expect(r.lines).toEqual(expect.arrayContaining(["after step", "still running"]));
    expect(JSON.stringify(r.events)).not.toContain("/etc/passwd");
  });

  it("stops at maxSteps", async () => {
    const r = await run({ file: path.resolve("examples/coffee-shop.ts"), maxSteps: 3, throttleMs: 0 });
    expect(r.end.reason).toBe("max-steps");
    expect(r.graphs.map((g) => g.step)).toEqual([1, 2, 3]);
  });

  it("fails a step that builds too many nodes, at the user's line", async () => {
    const r = await run({
      file: model(`import { Value } from "gradscope";\nlet x = new Value(1);\nfor (let i = 0; i < 1e6; i++) {\n  x = x.add(1);\n}\nx.backward();\n`),
      maxNodesPerStep: 1000,
    });
    expect(r.end.error).toMatchObject({ kind: "limit", line: 4 });
    expect(r.end.error!.message).toMatch(/more than 1,000 nodes/);
  });

  it("ends a model that exceeds its memory limit with a clear error", async () => {
    const r = await run({ file: model(`const keep: number[][] = [];\nwhile (true) keep.push(new Array(1e6).fill(1.5));\n`), memoryLimitMb: 64 });
    expect(r.end.reason).toBe("error");
    expect(r.end.error).toMatchObject({ kind: "limit", line: 2 });
    expect(r.end.error!.message).toMatch(/memory/);
  });

  it("groups nodes by user function and nn module, and warns about grads not zeroed", async () => {
    const r = await run({
      file: model(`import { Value, MLP } from "gradscope";
const model = new MLP(2, [2, 1]);
function lossOf(x: number[]): Value {
  return model.forward(x)[0].pow(2);
}
for (let i = 0; i < 2; i++) lossOf([1, 2]).backward();
`),
      throttleMs: 0,
    });
    const s = r.graphs[0];
    const groups = new Set(Array.from(s.topology.group, (g) => (g < 0 ? "" : s.topology.groups[g])));
    // A module keeps the path it was built under; other nodes take the calling function.
    expect(groups).toContain("MLP/layer1/neuron1");
    expect(groups).toContain("lossOf#1");
    expect(r.events.some((e) => e.type === "warning" && /accumulate/.test(e.message))).toBe(true);
  });
});

describe("the model's own process: whatever the model does, only it dies", () => {
  it("a model that SIGKILLs its own process: the host lives on, the steps it reported are kept, the error says what happened", async () => {
    const r = await run({ file: fixture("selfKill.ts"), throttleMs: 0 });
    expect(r.end).toMatchObject({ reason: "error", steps: 3 });
    expect(r.end.error!.message).toMatch(/killed \(SIGKILL\)/);
    expect(r.graphs.map((g) => g.step)).toEqual([1, 2, 3]);
    expect(r.session.latest()!.step).toBe(3);
  });

  it("typed arrays count towards the memory limit: the bomb stops at the user's line", async () => {
    const r = await run({ file: fixture("typedArrayBomb.ts"), memoryLimitMb: 64 });
    expect(r.end.reason).toBe("error");
    expect(r.end.error).toMatchObject({ kind: "limit", line: 4 });
    expect(r.end.error!.file).toBe(fixture("typedArrayBomb.ts"));
    expect(r.end.error!.message).toMatch(/more than its 64 MB of memory/);
    expect(r.lines).not.toContain("allocated 12");
  });

  it("process.exit(3) in a model is an error that says so, at its line", async () => {
    const r = await run({ file: fixture("exitCode.ts") });
    expect(r.end).toMatchObject({ reason: "error", steps: 1 });
    expect(r.end.error).toMatchObject({ message: "The model called process.exit(3).", line: 3 });
  });

  it("`throw {code: 7}` reads as the value, not [object Object]", async () => {
    const r = await run({ file: fixture("throwObject.ts") });
    expect(r.end.error).toMatchObject({ kind: "runtime", message: "Uncaught { code: 7 }", line: 4 });
  });

  it("a model that never calls backward() ends with a message that says so and what to do", async () => {
    const r = await run({ file: fixture("noBackward.ts") });
    expect(r.end).toMatchObject({ reason: "finished", steps: 0 });
    expect(r.end.detail).toMatch(/^noBackward\.ts never called backward\(\): nothing to step\. Call loss\.backward\(\)/);
    expect(r.lines).toEqual(["b = 6"]);
  });
});

describe("console output", () => {
  const spam = async (lines: number, slowHost: boolean) => {
    process.env.SPAM_LINES = String(lines);
    try {
      return await run({ file: fixture("spam.ts") }, (e) => {
        // A host that takes 5 ms per batch: the model must wait for it, not pile output up.
        if (slowHost && e.type === "console") for (const t0 = performance.now(); performance.now() - t0 < 5; );
      });
    } finally {
      delete process.env.SPAM_LINES;
    }
  };
  const expected = (lines: number) => [
    "start of spam",
    "┌─────────┬───┐", "│ (index) │ a │", "├─────────┼───┤", "│ 0       │ 1 │", "└─────────┴───┘",
    "{ nested: [Object] }",
    ...Array.from({ length: lines }, (_, i) => `line ${i}`),
    "done",
  ];

  it("stdout.write, console.table, console.dir and console.log arrive whole, in order, batched", async () => {
    const r = await spam(100_000, false);
    expect(r.end.reason).toBe("finished");
    // `lines` splits each event at its newlines: it gives back the model's lines only if no event cut one in two.
    expect(r.lines).toEqual(expected(100_000));
    expect(r.console.length).toBeLessThan(2_000);
    const warn = r.events.find((e) => e.type === "console" && e.text === "done");
    expect(warn).toMatchObject({ level: "warn" });
  });

  it("a slow host slows the model down instead of losing or piling up output", async () => {
    const r = await spam(50_000, true);
    expect(r.lines).toEqual(expected(50_000));
  });

  it("a million prints in one loop do not pile up in the model's heap (they did: a write callback tick per line)", async () => {
    const r = await run({ file: fixture("spamHeap.ts") });
    expect(r.lines.filter((l) => l.startsWith("line ")).length).toBe(1_000_000);
    const peak = Number(/peak heap (\d+) MB/.exec(r.lines.at(-1) ?? "")?.[1]);
    // ~10–25 MB measured; the old path held ~120 MB of pending ticks by the end of the loop.
    expect(peak).toBeLessThan(64);
  });

  it("a line longer than the output ring arrives whole, cut at a million characters with a note", async () => {
    const r = await run({ file: model(`console.log("a".repeat(500_000) + "é".repeat(2_500_000));\nconsole.log("next");\n`) });
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toBe("a".repeat(500_000) + "é".repeat((1 << 20) - 500_000) + `… [${(3_000_001 - (1 << 20)).toLocaleString("en-US")} more characters]`);
    expect(r.lines[1]).toBe("next");
  });

  it("prints and steps arrive in the order the model made them", async () => {
    const r = await run({
      file: model(`import { Value } from "gradscope";\nconst w = new Value(1);\nfor (let i = 1; i <= 3; i++) {\n  console.log("before " + i);\n  w.grad = 0;\n  w.mul(w).backward();\n  console.log("after " + i);\n}\n`),
      throttleMs: 0,
    });
    const order = r.events.flatMap((e) => (e.type === "console" ? e.text.split("\n") : e.type === "graph" ? [`step ${e.snapshot.step}`] : []));
    expect(order).toEqual(["before 1", "step 1", "after 1", "before 2", "step 2", "after 2", "before 3", "step 3", "after 3"]);
  });

  it("steps without prints between them (no markers in the ring), then a print: still in order", async () => {
    const r = await run({
      file: model(`import { Value } from "gradscope";\nconst w = new Value(1);\nfor (let i = 1; i <= 7; i++) {\n  w.grad = 0;\n  w.mul(w).backward();\n  if (i % 3 === 0) console.log("after " + i);\n}\nconsole.log("end");\n`),
      throttleMs: 0,
    });
    const order = r.events.flatMap((e) => (e.type === "console" ? e.text.split("\n") : e.type === "graph" ? [`step ${e.snapshot.step}`] : []));
    expect(order).toEqual(["step 1", "step 2", "step 3", "after 3", "step 4", "step 5", "step 6", "after 6", "step 7", "end"]);
  });
});

describe("what crosses to the host", () => {
  it("values: leaves sends the leaves' numbers only (other nodes read NaN); all sends every node's", async () => {
    const leaves = (await run({ file: model(SEED), values: "leaves" })).graphs[0];
    expect(Array.from(leaves.values.grad)).toEqual([42, 28, NaN, NaN, NaN]);
    expect(Array.from(leaves.values.data)).toEqual([2, 3, NaN, NaN, NaN]);
    expect(leaves.loss).toBe(49);
    const all = (await run({ file: model(SEED), values: "all" })).graphs[0];
    expect(Array.from(all.values.grad)).toEqual([42, 28, 14, 14, 1]);
  });
});

describe("truthful numbers", () => {
  it("the last snapshot of a throttled run is one moment: step 3's loss and grad with the w they belong to", async () => {
    const r = await run({ file: fixture("consistent.ts"), throttleMs: 60_000 });
    const last = r.graphs.at(-1)!;
    expect(last.step).toBe(3);
    const w = last.topology.label.indexOf("w");
    expect(last.values.data[w]).toBeCloseTo(1.28, 12);
    expect(last.loss).toBeCloseTo(1.6384, 12);
    expect(last.values.grad[w]).toBeCloseTo(2.56, 12);
    // The update that produced w = 1.28, not the one that came after.
    expect(last.updates).toHaveLength(1);
    expect(last.updates[0].before).toBeCloseTo(1.6, 12);
    expect(last.updates[0].after).toBeCloseTo(1.28, 12);
  });
});

describe("LossHistory", () => {
  it("merging pairs keeps every point's mean over its own steps (capacity 4, losses 1..8)", () => {
    const h = new LossHistory(4);
    h.append([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.curve()).toEqual({ stride: 2, losses: Float64Array.of(1.5, 3.5, 5.5, 7.5) });
    h.append(Array.from({ length: 8 }, (_, i) => 9 + i));
    expect(h.curve()).toEqual({ stride: 4, losses: Float64Array.of(2.5, 6.5, 10.5, 14.5) });
  });

  it("an odd capacity loses no steps either", () => {
    const h = new LossHistory(3);
    h.append(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(h.curve()).toEqual({ stride: 4, losses: Float64Array.of(2.5, 6.5, 10.5) });
  });
});
