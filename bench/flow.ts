/**
 * Issue 9 goals 2 and 4, each a ratio or a size measured in this run:
 *  - the bare-Value moons MLP step through the CLI (`--json`, every step reported, the leaves' values)
 *    against the same file run in one plain Node process: not instrumented (the engine alone) and
 *    instrumented as the worker runs it (bench/inProcess.ts, no reporting); and, to tell what the
 *    reporting costs from what running in the runner's worker thread costs, a runner session that
 *    reports only the first and last steps. Interleaved rounds: the machine's speed drifts by up to
 *    1.5× between runs a minute apart, so each round's ratios compare runs made seconds apart. And the
 *    CLI reporting every other step (--every 2): its reported steps against its unreported ones, turn by
 *    turn in one process, which no between-process spread touches.
 *  - bytes per panel update on the moons model with every group collapsed (target ≤ 10 KB).
 * Usage: node dist/bench/flow.mjs [--bytes] (built by bench/run.mjs, after npm run build; --bytes: the sizes only)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { serialize } from "node:v8";
import * as esbuild from "esbuild";
import { buildGroupTree } from "../src/graph/groupTree";
import { collapseUnits, initialExpansion } from "../src/graph/visibleUnits";
import type { Snapshot } from "../src/protocol/graph";
import { ModelSession } from "../src/runner/session";
import type { ViewUpdate } from "../src/runner/types";
import { bareValueMoons } from "./models";

const dir = mkdtempSync(path.join(tmpdir(), "gradscope-flow-"));
const dist = path.resolve("dist");
const STEPS = 300;
const ROUNDS = 8;


const moons = path.join(dir, "moons.ts");
writeFileSync(moons, bareValueMoons(STEPS));
const plainBundle = path.join(dir, "moons.plain.cjs");
esbuild.buildSync({ entryPoints: [moons], bundle: true, platform: "node", format: "cjs", outfile: plainBundle, alias: { gradscope: path.resolve("src/engine/index.ts") }, logLevel: "warning" });

const stepMs = (text: string) => Number(/STEP_MS ([\d.]+)/.exec(text)?.[1] ?? NaN);
/** What a node process with these arguments printed on stderr (the bench models print their timings there). */
const stderrOf = (args: string[]) => spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 30 }).stderr;
const node = (args: string[]) => stepMs(stderrOf(args));
// The worker's young-generation size (runner/process/modelRun.ts) for the in-process baselines.
const plain = () => node(["--max-semi-space-size=64", plainBundle]);
const instrumented = () => node(["--max-semi-space-size=64", path.join(dist, "bench/inProcess.cjs"), moons]);
const cliArgs = [path.join(dist, "cli.js"), "run", moons, "--json", "--values", "leaves"];
const cli = () => node(cliArgs);
/**
 * The CLI reporting every other step: its reported (even) steps against its unreported (odd) ones, in one
 * process, one thread, turn by turn: what reporting costs a step, free of the between-process spread above.
 */
function cliEveryOther(): { even: number; odd: number } {
  const m = /EVEN ([\d.]+) ODD ([\d.]+)/.exec(stderrOf([...cliArgs, "--every", "2"]));
  return { even: Number(m?.[1] ?? NaN), odd: Number(m?.[2] ?? NaN) };
}

/** The runner with reporting off: a session that reports the first and last steps only (throttled), the bench as its host. */
async function runnerOff(): Promise<number> {
  const session = new ModelSession({ file: moons, throttleMs: 1e9, values: "none", updates: false }, path.join(dist, "runner.js"));
  let ms = NaN;
  await new Promise<void>((resolve) => {
    session.onEvent((e) => {
      if (e.type === "console") ms = stepMs(e.text) || ms;
      if (e.type === "end") resolve();
    });
    void session.start();
  });
  session.dispose();
  return ms;
}

const range = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const mid = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const ratios = (xs: number[], base: number[]) => xs.map((x, i) => x / base[i]);
const ratioText = (r: number[]) => `×${range(r)}, median ×${mid(r).toFixed(2)}`;

async function steps(): Promise<string> {
  const s = { plain: [] as number[], instrumented: [] as number[], off: [] as number[], cli: [] as number[], even: [] as number[], odd: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    s.plain.push(plain());
    s.instrumented.push(instrumented());
    s.off.push(await runnerOff());
    s.cli.push(cli());
    const every = cliEveryOther();
    s.even.push(every.even);
    s.odd.push(every.odd);
  }
  return (
    `bare-Value moons MLP step (median of steps ${STEPS / 2}–${STEPS}), ${ROUNDS} interleaved rounds: ` +
    `in process, plain ${range(s.plain)} ms · in process, instrumented as in the worker ${range(s.instrumented)} ms ` +
    `(${ratioText(ratios(s.instrumented, s.plain))} of plain)\n` +
    `  runner, reporting off (first and last step only) ${range(s.off)} ms: ${ratioText(ratios(s.off, s.instrumented))} of instrumented in-process\n` +
    `  CLI --json, every step reported ${range(s.cli)} ms: ${ratioText(ratios(s.cli, s.instrumented))} of instrumented in-process (issue 9 goal 2: ≤ 1.2×), ` +
    `${ratioText(ratios(s.cli, s.off))} of the runner with reporting off, ${ratioText(ratios(s.cli, s.plain))} of plain\n` +
    `  CLI --every 2, same process: reported steps ${range(s.even)} ms vs unreported ${range(s.odd)} ms: ${ratioText(ratios(s.even, s.odd))} ` +
    `(what reporting a step costs); its unreported steps ${ratioText(ratios(s.odd, s.instrumented))} of instrumented in-process (the worker, between processes)`
  );
}

// ---- bytes per panel update

/** The panel's default collapse threshold (gradscope.collapseThreshold). */
const COLLAPSE_THRESHOLD = 400;

/**
 * Runs a model a few steps, one at a time, subscribed as the panel is when it first shows the graph
 * (initialExpansion at the default threshold: moons is drawn as a few dozen collapsed groups); returns
 * the serialized size of each view/update against the step's every-node numbers (what step/update carried).
 */
async function bytesPerUpdate(file: string, steps = 6): Promise<{ view: number[]; full: number[]; units: number }> {
  const session = new ModelSession({ file, values: "all", throttleMs: 0, startPaused: true, maxSteps: steps }, path.join(dist, "runner.js"));
  const out = { view: [] as number[], full: [] as number[], units: 0 };
  const snapshots = new Map<number, Snapshot>();
  await new Promise<void>((resolve) => {
    session.onEvent((e) => {
      if (e.type === "graph") {
        snapshots.set(e.snapshot.step, e.snapshot);
        if (e.shapeChanged) {
          const t = e.snapshot.topology, tree = buildGroupTree(t);
          const expanded = [...initialExpansion(tree, COLLAPSE_THRESHOLD)];
          out.units = collapseUnits(t, tree, new Set(expanded)).units.length;
          session.subscribeView({ hash: t.hash, expanded, nodes: new Int32Array(0) });
        }
        session.step();
      }
      if (e.type === "view") {
        session.viewAck();
        const v: ViewUpdate = e.update;
        const s = snapshots.get(v.step)!;
        out.view.push(serialize(v).length);
        out.full.push(serialize({ type: "step/update", step: s.step, loss: s.loss, values: s.values, updates: s.updates }).length);
      }
      if (e.type === "end") resolve();
    });
    void session.start();
  });
  session.dispose();
  return out;
}

async function bytes(): Promise<string> {
  const kb = (xs: number[]) => `${range(xs.map((x) => x / 1024), 1)} KB`;
  const lines: string[] = [];
  for (const [name, file] of [["examples/moons-mlp.ts (MLP 2-16-16-1, 100 points)", path.resolve("examples/moons-mlp.ts")], ["bare-Value moons MLP", moons]] as const) {
    const r = await bytesPerUpdate(file);
    lines.push(
      `bytes per panel update, ${name}, collapsed (${r.units} units drawn), ${r.view.length} steps: view/update ${kb(r.view)} ` +
        `(issue 9 goal 4: ≤ 10 KB) vs every node's numbers ${kb(r.full)} (×${range(r.view.map((v, i) => r.full[i] / v), 0)} less)`,
    );
  }
  return lines.join("\n");
}

console.log(await bytes());
if (!process.argv.includes("--bytes")) console.log(await steps());
