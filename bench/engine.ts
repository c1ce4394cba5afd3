/**
 * Engine vs a Float64Array tape doing the same maths, at steady state: every
 * step is timed, the first WARM steps are dropped afterwards (no warm-up branch
 * inside the loop: it would deoptimize the loop it measures). Three rounds,
 * interleaved; the ratio printed is the worst round's. GC time comes from
 * perf_hooks 'gc' entries inside the timed window. Prints figures, asserts nothing.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { MLP, SGD, hinge, makeMoons, sum, Rng, type Value } from "../src/engine";
import { store } from "../src/engine/store";
import { Reporter } from "../src/runner/worker/reporter";
import { Tape, tapeMlp } from "./tape";

const WARM = 200;
const ROUNDS = 3;

const gcEntries: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcEntries.push({ start: e.startTime, duration: e.duration });
}).observe({ entryTypes: ["gc"] });
const flushGc = () => new Promise((resolve) => setTimeout(resolve, 20));

interface Timing { medianMs: number; meanMs: number; gcShare: number; nodes: number }

/** Times `steps` calls of step(); statistics over the calls after WARM. */
async function timeSteps(steps: number, step: () => number): Promise<Timing> {
  const times = new Float64Array(steps);
  let nodes = 0;
  let windowStart = 0;
  const t0 = performance.now();
  let last = t0;
  for (let s = 0; s < steps; s++) {
    nodes = step();
    const now = performance.now();
    times[s] = now - last;
    if (s === WARM - 1) windowStart = now;
    last = now;
  }
  await flushGc();
  const steady = Array.from(times.subarray(WARM)).sort((a, b) => a - b);
  const wall = last - windowStart;
  const gc = gcEntries.filter((e) => e.start >= windowStart && e.start < last).reduce((t, e) => t + e.duration, 0);
  gcEntries.length = 0;
  return { medianMs: steady[steady.length >> 1], meanMs: wall / steady.length, gcShare: gc / wall, nodes };
}

/** The engine's step: forward over the batch, loss = sum of outputs, zero grads, backward. */
function engineStep(model: MLP, batch: number[][]): () => number {
  return () => {
    let loss: Value | null = null;
    for (const x of batch) for (const o of model.forward(x)) loss = loss === null ? o : loss.add(o);
    model.zeroGrad();
    loss!.backward();
    return store.top - store.floor;
  };
}

function tapeStep(sizes: number[], batch: number[][]): () => number {
  const t = new Tape();
  const rng = new Rng(1);
  const forward = tapeMlp(t, sizes, () => rng.uniform(-1, 1));
  return () => {
    t.reset();
    t.grad.fill(0, 0, t.keep);
    let loss = -1;
    for (const x of batch) for (const o of forward(x)) loss = loss < 0 ? o : t.add(loss, o);
    t.backward(loss);
    return t.n - t.keep;
  };
}

const fmt = (x: number, d = 2) => x.toFixed(d);
const range = (xs: number[], d = 2) => `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`;

const rng = new Rng(1337);
const moons = makeMoons(100, 0.1, rng).X;
const mnistLike = [Array.from({ length: 784 }, () => rng.uniform(0, 1))];
const benches = [
  { name: "moons MLP 2-16-16-1, 100 points", sizes: [2, 16, 16, 1], batch: moons, steps: 700 },
  { name: "MLP 784-64-10, one sample", sizes: [784, 64, 10], batch: mnistLike, steps: 600 },
];

// Every model is built before the first backward(), as a user's parameters are (they then live in the store for good).
const models = benches.map((b) => Array.from({ length: ROUNDS }, () => new MLP(b.sizes[0], b.sizes.slice(1), { rng: new Rng(1) })));
const training = { X: makeMoons(100, 0.1, new Rng(1337)), model: new MLP(2, [16, 16, 1], { rng: new Rng(1337) }) };

console.log(`steady state: ${WARM} warm-up steps dropped; ${ROUNDS} rounds, engine and tape interleaved; ratios of ms/step in the same round`);
for (const [bi, b] of benches.entries()) {
  const ratios: number[] = [], medianRatios: number[] = [], gcShares: number[] = [], engineMs: number[] = [], tapeMs: number[] = [];
  let nsPerOp = 0, tapeNsPerOp = 0, nodes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const e = await timeSteps(b.steps, engineStep(models[bi][r], b.batch));
    const t = await timeSteps(b.steps, tapeStep(b.sizes, b.batch));
    ratios.push(e.meanMs / t.meanMs);
    medianRatios.push(e.medianMs / t.medianMs);
    gcShares.push(e.gcShare);
    engineMs.push(e.meanMs);
    tapeMs.push(t.meanMs);
    nodes = e.nodes;
    nsPerOp = (e.meanMs * 1e6) / e.nodes;
    tapeNsPerOp = (t.meanMs * 1e6) / t.nodes;
  }
  console.log(
    `${b.name} (${nodes} nodes/step): engine ${range(engineMs, 3)} ms/step (~${fmt(nsPerOp, 0)} ns/op), tape ${range(tapeMs, 3)} ms/step (~${fmt(tapeNsPerOp, 0)} ns/op)\n` +
      `  engine/tape ${range(ratios)}× (worst of ${ROUNDS}: ${fmt(Math.max(...ratios))}×; medians ${range(medianRatios)}×) · GC ${range(gcShares.map((g) => g * 100), 1)}% of engine time`,
  );
}

// The full moons training step, in process: forward, hinge + L2, backward, SGD update.
const { X, y } = training.X;
const opt = new SGD(training.model.parameters(), { lr: 0.1 });
const trainStep = (report?: () => void) => () => {
  const model = training.model;
  const loss = hinge(X.map((x) => model.forward(x)[0]), y).add(sum(model.parameters().map((p) => p.mul(p))).mul(1e-4));
  opt.zeroGrad();
  loss.backward();
  report?.();
  opt.step();
  return store.top - store.floor;
};
const reporter = new Reporter([]);
const modes = [
  ["no reporting", undefined],
  ["report leaves", () => void reporter.report("leaves")],
  ["report all", () => void reporter.report("all")],
] as const;
const byMode = new Map<string, number[]>(modes.map(([m]) => [m, []]));
let trainGc: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const [mode, report] of modes) {
    const t = await timeSteps(600, trainStep(report));
    byMode.get(mode)!.push(t.meanMs);
    if (!report) trainGc.push(t.gcShare);
  }
}
const base = byMode.get("no reporting")!;
console.log(
  `moons training step in process (forward, hinge + L2, backward, SGD): ${range(base, 3)} ms/step, GC ${range(trainGc.map((g) => g * 100), 1)}% ` +
    `(micrograd in Python, per DESIGN.md: 2,290 ms)`,
);
for (const [mode] of modes.slice(1)) {
  const ms = byMode.get(mode)!;
  console.log(`  + reporter.${mode.replace("report ", "report(\"")}") every step: ${range(ms, 3)} ms/step (${range(ms.map((m, i) => m / base[i]))}× the step)`);
}
