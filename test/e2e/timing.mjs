// Timing a model's steps in the workbench and through the CLI, and where the machine's CPU went
// meanwhile: shared by the end-to-end walk and bench/workbench/liveVsCli.mjs (issue 9 goal 3).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../vscode/codeServer.mjs";

/**
 * Steps per second of a run, from the first step after the one it started at to the last step
 * seen before it ended. `probe` is polled every `everyMs` (each poll of the workbench costs its
 * renderer a little: not faster than needed).
 */
export async function timedSteps(probe, { timeoutMs = 300_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const seen = new Steps();
  for (;;) {
    const { step, done } = await probe().catch(() => ({ step: 0, done: false }));
    seen.saw(step);
    if (done || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return seen.rate();
}

/** The same for `gradscope run FILE --json`: each step event is timed as it arrives on the pipe. */
export async function cliTimedSteps(file) {
  const child = spawn(process.execPath, [path.join(repoRoot, "dist", "cli.js"), "run", file, "--json"], { cwd: path.dirname(file), stdio: ["ignore", "pipe", "ignore"] });
  const seen = new Steps();
  let buffered = "";
  child.stdout.on("data", (d) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop();
    for (const line of lines) if (line.startsWith('{"event":"step"')) seen.saw(JSON.parse(line).step);
  });
  await new Promise((resolve) => child.on("close", resolve));
  return seen.rate();
}

/** First and last step seen after the starting one, with the time each was first seen. */
class Steps {
  startStep;
  first;
  last;
  saw(step) {
    const now = performance.now();
    if (this.startStep === undefined && step > 0) this.startStep = step;
    if (step > this.startStep && !this.first) this.first = { step, t: now };
    if (this.first && step > (this.last?.step ?? this.first.step)) this.last = { step, t: now };
  }
  rate() {
    const { first, last } = this;
    if (!first || !last) return { rate: 0, from: first?.step ?? 0, to: first?.step ?? 0 };
    return { rate: (last.step - first.step) / ((last.t - first.t) / 1000), from: first.step, to: last.step };
  }
}

/** Waits until the workbench's own processes use less than a quarter of a core (at most 30 s); returns the seconds waited. */
export async function settle() {
  const t0 = Date.now();
  const busy = ["code-server", "extension host", "Chromium renderers (workbench + panel)", "Chromium other", "Chromium GPU"];
  while (Date.now() - t0 < 30_000) {
    const before = cpuByProcessKind();
    await new Promise((r) => setTimeout(r, 1000));
    const used = cpuByProcessKind(before);
    if (busy.reduce((sum, k) => sum + (used[k] ?? 0), 0) < 0.25) break;
  }
  return (Date.now() - t0) / 1000;
}

/** CPU seconds (user + system) of every process by kind, from /proc; minus `since` when given. Linux only ({} elsewhere). */
export function cpuByProcessKind(since = {}) {
  const out = {};
  let pids = [];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  const tick = 100; // USER_HZ
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const secs = (Number(f[11]) + Number(f[12])) / tick;
      const kind = processKind(cmd);
      out[kind] = (out[kind] ?? 0) + secs;
    } catch {
      /* gone */
    }
  }
  for (const k of Object.keys(out)) out[k] -= since[k] ?? 0;
  return out;
}

function processKind(cmd) {
  return /dist\/runner\.js/.test(cmd) ? "runner process (model)"
    : /dist\/cli\.js/.test(cmd) ? "CLI"
    : /extensionHost|--type=extensionHost/.test(cmd) ? "extension host"
    : /chrom/.test(cmd) && /--type=renderer/.test(cmd) ? "Chromium renderers (workbench + panel)"
    : /chrom/.test(cmd) && /--type=gpu/.test(cmd) ? "Chromium GPU"
    : /chrom/.test(cmd) ? "Chromium other"
    : /code-server|vscode/.test(cmd) ? "code-server"
    : /vitest|esbuild/.test(cmd) ? "other tests"
    : "other";
}

/** "kind 1.2 s · kind 0.4 s", largest first, from a cpuByProcessKind difference. */
export function cpuSummary(used) {
  return Object.entries(used).filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(" · ");
}
