/**
 * Issue 9 goal 2 where nothing but the step differs: the model worker as the CLI starts it (dist/worker.js:
 * the leaves' values, findings on) and the same model compiled the same way with no reporting
 * (bench/inProcess.ts), each in a worker thread of this one process, taking turns every TURN ms (the step
 * gate's HOLD word), so a drift of the machine lands on both. Apart, two processes running the very same
 * step here differ by up to ×1.4, which no interleaving of whole runs averages out in a few rounds.
 * Each round starts fresh workers (which starts first alternates) for three pairs: the baseline against
 * itself (what the instrument spreads), the worker reporting no step, and the worker reporting every step.
 * Usage: node dist/bench/lockstep.mjs [rounds] (built by bench/run.mjs, after npm run build)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
import { compileModel } from "../src/runner/compile/compile";
import { createControl, setHold } from "../src/runner/control";
import { createOutputRing, OutputReader } from "../src/runner/outputRing";
import type { WorkerInit } from "../src/protocol/worker";
import { startWorkerYoungGenerationLarge, YOUNG_GENERATION_MB } from "../src/runner/process/modelRun";
import { bareValueMoons } from "./models";
import { ratioSpread, takeTurns, type Contestant } from "./turns";

const ROUNDS = Number(process.argv[2] ?? 8);
const STEPS = 400;
const TURN_MS = 100;
const dist = path.resolve("dist");
const file = path.join(mkdtempSync(path.join(tmpdir(), "gradscope-lockstep-")), "moons.ts");
writeFileSync(file, bareValueMoons(STEPS));
const compiled = await compileModel(file);
if (!compiled.ok) throw new Error(compiled.error.message);
const model = compiled.model;
// Both workers' heaps start as the runner starts a model worker's.
startWorkerYoungGenerationLarge();

/** A model worker (or the baseline, which reads the same workerData) and what it printed. */
function launch(script: string, reportEvery: number) {
  const ctl = createControl(false);
  const ring = createOutputRing();
  const reader = new OutputReader(ring);
  const channel = new MessageChannel();
  const init: WorkerInit = {
    health: { breakOn: {} }, modules: model.modules, entryFile: file, locations: model.locations,
    control: ctl.buffer as SharedArrayBuffer, output: ring, port: channel.port2,
    throttleMs: 0, reportEvery, maxSteps: 0, maxNodesPerStep: 2_000_000, values: "leaves", updates: false,
  };
  const worker = new Worker(script, {
    workerData: init, transferList: [channel.port2], stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: 2048, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  let text = "";
  worker.stderr.on("data", (d: Buffer) => (text += d));
  const read = () => { for (let r = reader.next(); r; r = reader.next()) if (r.marker === undefined) text += r.text; };
  const drain = setInterval(read, 20);
  channel.port1.on("message", (m: { msg: { type: string } }) => m.msg.type === "run/end" && void worker.terminate());
  const stepMs = new Promise<number>((resolve) =>
    worker.on("exit", () => {
      clearInterval(drain);
      read();
      channel.port1.close();
      resolve(Number(/STEP_MS ([\d.]+)/.exec(text)?.[1] ?? NaN));
    }),
  );
  return { ctl, stepMs };
}

/** b's step over a's, the two taking turns through their HOLD words. */
async function pair(a: () => ReturnType<typeof launch>, b: () => ReturnType<typeof launch>, bFirst: boolean): Promise<number> {
  const turns = (w: () => ReturnType<typeof launch>) => (): Contestant<number> => {
    const { ctl, stepMs } = w();
    return { stop: () => setHold(ctl, true), resume: () => setHold(ctl, false), result: stepMs };
  };
  const [msA, msB] = await takeTurns(turns(a), turns(b), bFirst, TURN_MS);
  return msB / msA;
}

const baseline = () => launch(path.join(dist, "bench/inProcess.cjs"), 0);
const unreported = () => launch(path.join(dist, "worker.js"), 1e9);
const everyStep = () => launch(path.join(dist, "worker.js"), 1);
const r = { identity: [] as number[], unreported: [] as number[], every: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  const swap = round % 2 === 1;
  r.identity.push(await pair(baseline, baseline, swap));
  r.unreported.push(await pair(baseline, unreported, swap));
  r.every.push(await pair(baseline, everyStep, swap));
}
const text = (xs: number[]) => `median ${ratioSpread(xs)}`;
console.log(
  `bare-Value moons step in lockstep, two workers of one process taking turns every ${TURN_MS} ms, ${ROUNDS} rounds (median of steps ${STEPS / 2}–${STEPS}), against the model compiled as in the worker with no reporting:\n` +
    `  the same, against itself: ${text(r.identity)}\n` +
    `  the model worker, reporting no step: ${text(r.unreported)}\n` +
    `  the model worker, reporting every step (the CLI's --json): ${text(r.every)} (issue 9 goal 2: ≤ 1.2×)`,
);
