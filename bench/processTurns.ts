/**
 * Issue 9 goal 2 for the CLI itself: `gradscope run --json` (its main thread, the runner, the model worker,
 * the output it writes) against the same file run in a plain Node process (bench/inProcess.ts: compiled as in
 * the worker, no reporting), the two processes taking turns every TURN ms: this bench stops one with SIGSTOP
 * and resumes the other with SIGCONT, so each runs with the machine to itself and a drift of the machine lands
 * on both. Only the steps that ran wholly inside one of their process's turns are timed (the model stamps each
 * step on the machine's clock), from the first quarter of the run on. Their mean is the figure (steps per
 * second): a step here takes 3 ms or 5 ms by turns, for reasons outside the model, and a median jumps
 * between the two; the ratio of medians is printed beside it.
 * Each round starts fresh processes (which starts first alternates) for three pairs: the baseline against
 * itself (what the instrument spreads), the CLI reporting only its first and last steps, and the CLI
 * reporting every step.
 * Usage: node dist/bench/processTurns.mjs [rounds] (built by bench/run.mjs, after npm run build)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bareValueMoons } from "./models";
import { ratioSpread, takeTurns, type Contestant } from "./turns";

const ROUNDS = Number(process.argv[2] ?? 6);
const STEPS = 400;
const TURN_MS = 100;
const dist = path.resolve("dist");
const file = path.join(mkdtempSync(path.join(tmpdir(), "gradscope-turns-")), "moons.ts");
writeFileSync(file, bareValueMoons(STEPS, true));
const now = () => performance.timeOrigin + performance.now();

/** A process's step time in milliseconds. */
interface Step { mean: number; median: number }
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

/** The process groups started and not yet ended: a stopped one must not outlive this bench. */
const running = new Set<number>();
process.on("exit", () => running.forEach((pid) => signalGroup(pid, "SIGKILL")));
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group has just exited
  }
}

/** A process of its own group (so a signal reaches all of it), its turns, and the mean and median of its steps timed inside them. */
function launch(args: string[]): Contestant<Step> {
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  running.add(child.pid!);
  let text = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (text += d));
  // [from, to): when the process ran; the last turn is open until it is stopped.
  const turns: [number, number][] = [[now(), Infinity]];
  const signal = (sig: NodeJS.Signals) => running.has(child.pid!) && signalGroup(child.pid!, sig);
  const result = new Promise<Step>((resolve, reject) =>
    child.on("exit", (code) => {
      running.delete(child.pid!);
      const at = /STEP_AT (\[.*\])/.exec(text);
      if (code !== 0 || !at) return reject(new Error(`${args.join(" ")} exited ${code}: ${text.slice(-500)}`));
      const steps = (JSON.parse(at[1]) as [number, number][]).slice(STEPS / 4);
      const inTurn = steps.filter(([t0, t1]) => turns.some(([from, to]) => from <= t0 && t1 <= to)).map(([t0, t1]) => t1 - t0);
      resolve({ mean: inTurn.reduce((x, y) => x + y, 0) / inTurn.length, median: median(inTurn) });
    }),
  );
  return {
    result,
    stop() {
      turns[turns.length - 1][1] = now();
      signal("SIGSTOP");
    },
    resume() {
      signal("SIGCONT");
      turns.push([now(), Infinity]);
    },
  };
}

/** b's step over a's, the two taking turns. */
async function pair(a: () => Contestant<Step>, b: () => Contestant<Step>, bFirst: boolean): Promise<Step> {
  const [msA, msB] = await takeTurns(a, b, bFirst, TURN_MS);
  return { mean: msB.mean / msA.mean, median: msB.median / msA.median };
}

// The worker's young-generation size (runner/process/modelRun.ts) for the in-process baseline.
const baseline = () => launch(["--max-semi-space-size=64", path.join(dist, "bench/inProcess.cjs"), file]);
const cli = (every: number) => () => launch([path.join(dist, "cli.js"), "run", file, "--json", "--values", "leaves", "--every", String(every)]);
const r = { identity: [] as Step[], unreported: [] as Step[], every: [] as Step[] };
for (let round = 0; round < ROUNDS; round++) {
  const swap = round % 2 === 1;
  r.identity.push(await pair(baseline, baseline, swap));
  r.unreported.push(await pair(baseline, cli(1e9), swap));
  r.every.push(await pair(baseline, cli(1), swap));
}
const text = (steps: Step[]) => `means ${ratioSpread(steps.map((x) => x.mean))}; medians ${ratioSpread(steps.map((x) => x.median))}`;
console.log(
  `bare-Value moons step, two processes taking turns every ${TURN_MS} ms (SIGSTOP/SIGCONT), ${ROUNDS} rounds (the steps from ${STEPS / 4} on that ran inside a turn; the median over rounds of each round's ratio), against the model in its own process, compiled as in the worker, no reporting:\n` +
    `  the same, against itself: ${text(r.identity)}\n` +
    `  the CLI (--json --values leaves), reporting only its first and last steps: ${text(r.unreported)}\n` +
    `  the CLI (--json --values leaves), reporting every step: ${text(r.every)} (issue 9 goal 2: ≤ 1.2×)`,
);
