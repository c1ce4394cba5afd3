/**
 * Issue 9 goals 2 and 4, each a ratio or a size measured in this run:
 *  - the bare-Value moons MLP step through the CLI (`--json`, every step reported, the leaves' values)
 *    against the same file run in one plain Node process: not instrumented (the engine alone) and
 *    instrumented as the worker runs it (bench/inProcess.ts, no reporting); interleaved rounds.
 *  - bytes per panel update on the moons model with every group collapsed (target ≤ 10 KB).
 * Usage: node dist/bench/flow.mjs (after npm run build and the bench build of bench/run.mjs)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";

const dir = mkdtempSync(path.join(tmpdir(), "gradscope-flow-"));
const dist = path.resolve("dist");
const STEPS = 120;
const ROUNDS = 5;

/** The hand-written moons MLP of bench/runner.ts: bare Values, prints the median step time of its second half. */
export const MOONS = `import { Value, makeMoons, Rng } from "gradscope";
const rng = new Rng(1337);
const { X, y } = makeMoons(100, 0.1, rng);
const layer = (nin: number, nout: number) => Array.from({ length: nout }, () => ({ w: Array.from({ length: nin }, () => new Value(rng.uniform(-1, 1))), b: new Value(0) }));
const layers = [layer(2, 16), layer(16, 16), layer(16, 1)];
const params = layers.flat().flatMap((n) => [...n.w, n.b]);
function forward(x: (number | Value)[]): Value[] {
  let h: (number | Value)[] = x;
  layers.forEach((l, k) => {
    h = l.map((n) => {
      let act = n.b;
      for (let i = 0; i < n.w.length; i++) act = act.add(n.w[i].mul(h[i]));
      return k < layers.length - 1 ? act.relu() : act;
    });
  });
  return h as Value[];
}
const times: number[] = [];
for (let k = 0; k < ${STEPS}; k++) {
  const t0 = performance.now();
  let loss = new Value(0);
  for (let i = 0; i < X.length; i++) loss = loss.add(forward(X[i])[0].mul(-y[i]).add(1).relu());
  loss = loss.mul(1 / X.length);
  for (const p of params) p.grad = 0;
  loss.backward();
  for (const p of params) p.data -= 0.05 * p.grad;
  times.push(performance.now() - t0);
}
const late = times.slice(${STEPS} / 2).sort((a, b) => a - b);
console.error("STEP_MS " + late[late.length >> 1]);
`;

const moons = path.join(dir, "moons.ts");
writeFileSync(moons, MOONS);
const plainBundle = path.join(dir, "moons.plain.cjs");
esbuild.buildSync({ entryPoints: [moons], bundle: true, platform: "node", format: "cjs", outfile: plainBundle, alias: { gradscope: path.resolve("src/engine/index.ts") }, logLevel: "warning" });

const stepMs = (text: string) => Number(/STEP_MS ([\d.]+)/.exec(text)?.[1] ?? NaN);
// The worker's young-generation size (runner/process/modelRun.ts) for the in-process baselines.
const node = (args: string[]) => stepMs(spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 30 }).stderr);
const plain = () => node(["--max-semi-space-size=64", plainBundle]);
const instrumented = () => node(["--max-semi-space-size=64", path.join(dist, "bench/inProcess.cjs"), moons]);
const cli = () => node([path.join(dist, "cli.js"), "run", moons, "--json", "--values", "leaves"]);

const range = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const mid = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const ratios = (xs: number[], base: number[]) => xs.map((x, i) => x / base[i]);
const ratioText = (r: number[]) => `×${range(r)}, median ×${mid(r).toFixed(2)}`;

function steps(): string {
  const s = { plain: [] as number[], instrumented: [] as number[], cli: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    s.plain.push(plain());
    s.instrumented.push(instrumented());
    s.cli.push(cli());
  }
  return (
    `bare-Value moons MLP step (median of steps ${STEPS / 2}–${STEPS}), ${ROUNDS} interleaved rounds: ` +
    `in process, plain ${range(s.plain)} ms · in process, instrumented as in the worker ${range(s.instrumented)} ms ` +
    `(×${range(ratios(s.instrumented, s.plain))} of plain) · CLI --json, every step reported ${range(s.cli)} ms: ` +
    `${ratioText(ratios(s.cli, s.instrumented))} of instrumented in-process (issue 9 goal 2: ≤ 1.2×), ${ratioText(ratios(s.cli, s.plain))} of plain`
  );
}

console.log(steps());
