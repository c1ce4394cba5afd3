/** Engine vs a Float64Array tape on the same graphs; prints figures, asserts nothing. */
import { MLP, SGD, hinge, makeMoons, sum, Rng, Value } from "../src/engine";
import { Tape, tapeMlp } from "./tape";

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

function time(reps: number, fn: () => void): number {
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

function engineFwdBwd(sizes: number[], batch: number[][], reps: number): { ms: number; ops: number } {
  const model = new MLP(sizes[0], sizes.slice(1), { rng: new Rng(1) });
  let ops = 0;
  const ms = time(reps, () => {
    const before = new Value(0).id;
    const loss = sum(batch.map((x) => sum(model.forward(x))));
    model.zeroGrad();
    loss.backward();
    ops = loss.id - before;
  });
  return { ms, ops };
}

function tapeFwdBwd(sizes: number[], batch: number[][], reps: number): { ms: number; ops: number } {
  const t = new Tape();
  const rng = new Rng(1);
  const forward = tapeMlp(t, sizes, () => rng.uniform(-1, 1));
  let ops = 0;
  const ms = time(reps, () => {
    t.reset();
    t.grad.fill(0, 0, t.keep);
    let loss = -1;
    for (const x of batch) for (const o of forward(x)) loss = loss < 0 ? o : t.add(loss, o);
    t.backward(loss);
    ops = t.n - t.keep;
  });
  return { ms, ops };
}

const rng = new Rng(1337);
const moons = makeMoons(100, 0.1, rng).X;
const mnistLike = [Array.from({ length: 784 }, () => rng.uniform(0, 1))];
const rows: string[] = [];
for (const [name, sizes, batch, reps] of [
  ["moons MLP 2-16-16-1, 100 points", [2, 16, 16, 1], moons, 40],
  ["MLP 784-64-10, one sample", [784, 64, 10], mnistLike, 40],
] as const) {
  const e = engineFwdBwd([...sizes], batch as number[][], reps);
  const t = tapeFwdBwd([...sizes], batch as number[][], reps);
  rows.push(
    `${name}: engine ${((e.ms * 1e6) / e.ops).toFixed(0)} ns/op (${e.ops} ops, ${e.ms.toFixed(2)} ms) · ` +
      `tape ${((t.ms * 1e6) / t.ops).toFixed(0)} ns/op (${t.ops} ops, ${t.ms.toFixed(2)} ms) · engine/tape ${(e.ms / e.ops / (t.ms / t.ops)).toFixed(2)}×`,
  );
}

// The full moons training step: forward, hinge + L2, backward, SGD update.
const { X, y } = makeMoons(100, 0.1, new Rng(1337));
const model = new MLP(2, [16, 16, 1], { rng: new Rng(1337) });
const opt = new SGD(model.parameters(), { lr: 0.1 });
let nodes = 0;
const stepMs = time(40, () => {
  const before = new Value(0).id;
  const loss = hinge(X.map((x) => model.forward(x)[0]), y).add(sum(model.parameters().map((p) => p.mul(p))).mul(1e-4));
  nodes = loss.id - before;
  opt.zeroGrad();
  loss.backward();
  opt.step();
});
rows.push(`moons training step (forward, backward, update; ${nodes} nodes), in process: ${stepMs.toFixed(2)} ms (micrograd in Python, measured here per DESIGN.md: 2,290 ms → ${(2290 / stepMs).toFixed(0)}× faster)`);
console.log(rows.join("\n"));
