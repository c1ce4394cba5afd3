/**
 * The runner's costs, each as a ratio against a baseline measured in the same run (interleaved rounds,
 * so a busy moment of the machine does not land on one side only):
 *  1. start-up latency, start → first step reported: the runner process (cold, and with a spare
 *     process kept ready) vs the old shape, a worker thread inside the host process;
 *  2. a bare-Value moons MLP step: through the CLI (every step reported, values of the leaves) and
 *     through a session with reporting off vs the same model in a plain Node process (issue 9 goal 2);
 *  3. 10^6 console.log lines through the CLI vs plain node (time, and peak memory of every process).
 * Usage: node dist/bench/runner.mjs dist/runner.js
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import type { RunnerMessage } from "../src/protocol/runner";
import { ModelRun } from "../src/runner/process/modelRun";
import { disposeSpares, runnerScriptFor } from "../src/runner/runnerProcess";
import { ModelSession } from "../src/runner/session";
import { DEFAULT_LIMITS } from "../src/runner/types";
import { bareValueMoons } from "./models";

const runner = path.resolve(runnerScriptFor(process.argv[2] ?? "dist/runner.js"));
const dist = path.dirname(runner);
const cli = path.join(dist, "cli.js");
const dir = mkdtempSync(path.join(tmpdir(), "gradscope-bench-"));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const mid = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const range = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- 1. start-up latency

const seed = write("seed.ts", `import { Value } from "gradscope";\nconst a = new Value(2);\nconst b = new Value(3);\nconst loss = a.mul(b).add(1).pow(2);\nloss.backward();\n`);

/** The old shape: compile in this process and run the model in a worker thread of this process. */
async function inHostStartMs(): Promise<number> {
  const t0 = performance.now();
  let first = NaN;
  await new Promise<void>((resolve) => {
    const spec = { file: seed, startPaused: false, maxSteps: 0, throttleMs: 0, maxNodesPerStep: DEFAULT_LIMITS.maxNodesPerStep, memoryLimitMb: DEFAULT_LIMITS.memoryLimitMb, timeoutSeconds: 0, values: "leaves" as const };
    const host = {
      send(msg: RunnerMessage, written?: () => void) {
        if (msg.type === "step/report" && Number.isNaN(first)) first = performance.now() - t0;
        if (msg.type === "run/end") resolve();
        written?.();
      },
    };
    void new ModelRun(spec, host, path.join(dist, "worker.js"), () => {}).start();
  });
  return first;
}

async function sessionStartMs(keepSpare: boolean): Promise<number> {
  const session = new ModelSession({ file: seed, throttleMs: 0 }, runner, keepSpare);
  const t0 = performance.now();
  let first = NaN;
  const end = new Promise<void>((resolve) =>
    session.onEvent((e) => {
      if (e.type === "graph" && Number.isNaN(first)) first = performance.now() - t0;
      if (e.type === "end") resolve();
    }),
  );
  await session.start();
  await end;
  session.dispose();
  return first;
}

async function startup(): Promise<string> {
  const s = { inHost: [] as number[], cold: [] as number[], spare: [] as number[] };
  await inHostStartMs(); // the old host had the compiler loaded after its first run
  for (let round = 0; round < 5; round++) {
    s.inHost.push(await inHostStartMs());
    disposeSpares(); // a cold start must not take the spare
    s.cold.push(await sessionStartMs(false));
    await sessionStartMs(true); // leaves a spare for the next measurement
    await sleep(2500); // a spare is only useful once it has started: give it the time a user takes between runs
    s.spare.push(await sessionStartMs(true));
  }
  disposeSpares();
  const ratios = (xs: number[]) => xs.map((x, i) => x / s.inHost[i]);
  const r = (xs: number[]) => `×${range(ratios(xs))}, median ×${mid(ratios(xs)).toFixed(2)}`;
  return (
    `start → first step, seed model, 5 rounds: in-host worker (old, compiler warm) ${range(s.inHost, 0)} ms · ` +
    `new runner process ${range(s.cold, 0)} ms (${r(s.cold)}) · with a spare runner process ready ${range(s.spare, 0)} ms (${r(s.spare)})`
  );
}

// ---- 2. the moons step

const STEPS = 100;
/** A hand-written MLP of bare Values (issue 9's "bare-Value moons model"); prints the median step time of the second half. */
const moons = write("moons.ts", bareValueMoons(STEPS));

const stepMsFrom = (text: string) => Number(/STEP_MS ([\d.]+)/.exec(text)?.[1] ?? NaN);

/** The same model file, not instrumented, in a plain Node process with the worker's young-generation size. */
function inProcessMs(): number {
  const out = path.join(dir, "moons.inprocess.cjs");
  if (!existsSync(out))
    esbuild.buildSync({ entryPoints: [moons], bundle: true, platform: "node", format: "cjs", outfile: out, alias: { gradscope: path.resolve("src/engine/index.ts") }, logLevel: "warning" });
  const r = spawnSync(process.execPath, ["--max-semi-space-size=64", out], { encoding: "utf8" });
  return stepMsFrom(r.stderr);
}

function cliMs(): number {
  const r = spawnSync(process.execPath, [cli, "run", moons, "--json", "--values", "leaves"], { encoding: "utf8", maxBuffer: 1 << 30 });
  return stepMsFrom(r.stderr);
}

async function sessionMs(throttleMs: number): Promise<number> {
  const session = new ModelSession({ file: moons, throttleMs }, runner);
  let ms = NaN;
  const end = new Promise<void>((resolve) =>
    session.onEvent((e) => {
      if (e.type === "console") ms = Math.min(Number.isNaN(ms) ? Infinity : ms, stepMsFrom(e.text) || Infinity);
      if (e.type === "end") resolve();
    }),
  );
  await session.start();
  await end;
  session.dispose();
  return ms;
}

/** The old shape, CLI-style: the worker in this process, every step reported (leaves' values), no IPC. */
async function inHostMs(): Promise<number> {
  let ms = NaN;
  await new Promise<void>((resolve) => {
    const spec = { file: moons, startPaused: false, maxSteps: 0, throttleMs: 0, maxNodesPerStep: DEFAULT_LIMITS.maxNodesPerStep, memoryLimitMb: DEFAULT_LIMITS.memoryLimitMb, timeoutSeconds: 0, values: "leaves" as const };
    let run: ModelRun;
    const host = {
      send(msg: RunnerMessage, written?: () => void) {
        if (msg.type === "console/batch") {
          for (const c of msg.chunks) ms = stepMsFrom(c.text) || ms;
          run.consoleAck();
        }
        if (msg.type === "run/end") resolve();
        written?.();
      },
    };
    run = new ModelRun(spec, host, path.join(dist, "worker.js"), () => {});
    void run.start();
  });
  return ms;
}

async function steps(): Promise<string> {
  const s = { inProcess: [] as number[], inHost: [] as number[], off: [] as number[], cli: [] as number[] };
  for (let round = 0; round < 5; round++) {
    s.inProcess.push(inProcessMs());
    s.inHost.push(await inHostMs());
    s.off.push(await sessionMs(1e9));
    s.cli.push(cliMs());
  }
  const r = (xs: number[]) => `×${range(xs.map((x, i) => x / s.inProcess[i]))}, median ×${mid(xs.map((x, i) => x / s.inProcess[i])).toFixed(2)}`;
  return (
    `bare-Value moons step (median of steps ${STEPS / 2}–${STEPS}), 5 rounds: in process ${range(s.inProcess)} ms · ` +
    `runner process, reporting off ${range(s.off)} ms (${r(s.off)}) · ` +
    `in-host worker (old shape), every step reported ${range(s.inHost)} ms (${r(s.inHost)}) · ` +
    `CLI --json, every step reported ${range(s.cli)} ms (${r(s.cli)}; issue 9 goal ≤ 1.2×)`
  );
}

// ---- 3. console spam

const LINES = 1_000_000;
const spamJs = write("spam.js", `for (let i = 0; i < ${LINES}; i++) console.log("line " + i);\n`);
const spamTs = write("spam.ts", `for (let i = 0; i < ${LINES}; i++) console.log("line " + i);\nexport {};\n`);

/** Runs a command with stdout to a file; wall time and the peak of the summed RSS of it and its child processes (Linux /proc). */
async function measured(args: string[]): Promise<{ ms: number; peakMb: number }> {
  const out = path.join(dir, "spam.out");
  const { openSync, closeSync } = await import("node:fs");
  const fd = openSync(out, "w");
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ["ignore", fd, "ignore"] });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, treeRssKb(child.pid!))), 50);
  await new Promise((r) => child.on("close", r));
  clearInterval(timer);
  closeSync(fd);
  const lines = readFileSync(out, "utf8").split("\n").filter((l) => l.startsWith("line ")).length;
  if (lines !== LINES) throw new Error(`expected ${LINES} lines, got ${lines}`);
  return { ms: performance.now() - t0, peakMb: peak / 1024 };
}

function treeRssKb(pid: number): number {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return rss + kids.reduce((sum, k) => sum + treeRssKb(k), 0);
  } catch {
    return 0;
  }
}

async function spam(): Promise<string> {
  const plain: { ms: number; peakMb: number }[] = [];
  const ours: { ms: number; peakMb: number }[] = [];
  for (let round = 0; round < 2; round++) {
    plain.push(await measured([spamJs]));
    ours.push(await measured([cli, "run", spamTs]));
  }
  const ratios = ours.map((o, i) => o.ms / plain[i].ms);
  const mem = existsSync("/proc/self/status") ? ` · peak RSS, all processes: plain ${range(plain.map((p) => p.peakMb), 0)} MB, CLI + runner ${range(ours.map((o) => o.peakMb), 0)} MB` : "";
  return `10^6 console.log lines to a file, 2 rounds: plain node ${range(plain.map((p) => p.ms / 1000))} s · gradscope run ${range(ours.map((o) => o.ms / 1000))} s (×${range(ratios)})${mem}`;
}

console.log(await startup());
console.log(await steps());
console.log(await spam());
