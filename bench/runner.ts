/** The moons step through the real runner (worker, reporting) with reporting off, throttled, and every step. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ModelSession } from "../src/runner/session";

const model = `
import { MLP, SGD, hinge, makeMoons, sum, Rng } from "gradscope";
const { X, y } = makeMoons(100, 0.1, new Rng(1337));
const model = new MLP(2, [16, 16, 1], { rng: new Rng(1337) });
const opt = new SGD(model.parameters(), { lr: 0.1 });
const times: number[] = [];
for (let k = 0; k < 60; k++) {
  const t0 = performance.now();
  const loss = hinge(X.map((x) => model.forward(x)[0]), y).add(sum(model.parameters().map((p) => p.mul(p))).mul(1e-4));
  opt.zeroGrad();
  loss.backward();
  opt.step();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(String(times[times.length >> 1]));
`;

const dir = mkdtempSync(path.join(tmpdir(), "gradscope-bench-"));
const file = path.join(dir, "moons.ts");
writeFileSync(file, model);
const workerScript = path.resolve(process.argv[2] ?? "dist/worker.js");

async function stepMs(throttleMs: number): Promise<number> {
  const session = new ModelSession({ file, throttleMs }, workerScript);
  let median = NaN;
  let graphs = 0;
  const done = new Promise<void>((resolve) =>
    session.onEvent((e) => {
      if (e.type === "console") median = Number(e.text);
      if (e.type === "graph") graphs++;
      if (e.type === "end") resolve();
    }),
  );
  await session.start();
  await done;
  session.dispose();
  console.error(`  (throttle ${throttleMs} ms: ${graphs} full reports for 60 steps)`);
  return median;
}

// Interleaved rounds, so a busy moment of the machine does not land on one mode only.
const modes = { off: 1e9, throttled: 33, every: 0 };
const samples: Record<keyof typeof modes, number[]> = { off: [], throttled: [], every: [] };
for (let round = 0; round < 3; round++) for (const [mode, ms] of Object.entries(modes)) samples[mode as keyof typeof modes].push(await stepMs(ms));
const mid = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const [off, throttled, every] = [mid(samples.off), mid(samples.throttled), mid(samples.every)];
console.log(
  `moons step through the runner: reporting off ${off.toFixed(2)} ms · throttled to 30/s ${throttled.toFixed(2)} ms (+${((throttled / off - 1) * 100).toFixed(0)}%) · ` +
    `every step ${every.toFixed(2)} ms (+${((every / off - 1) * 100).toFixed(0)}%)`,
);
