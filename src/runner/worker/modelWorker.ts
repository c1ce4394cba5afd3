/**
 * The model worker: the only place user code runs. It loads the compiled
 * bundle, answers `require("gradscope")` with its own engine instance, and after
 * every backward() reports the step and, when told to, blocks until released.
 */
import { format } from "node:util";
import { parentPort, workerData } from "node:worker_threads";
import * as gradscope from "../../engine";
import { engine, GradscopeLimitError } from "../../engine/context";
import { instrumentation } from "../../engine/instrument";
import type { Value } from "../../engine/value";
import type { WorkerInit, WorkerMessage } from "../../protocol/worker";
import { Ctl, passGate, waitForGate } from "../control";
import { ModuleLoader } from "./moduleLoader";
import { Reporter } from "./reporter";
import { StackMapper } from "./stackTrace";

const init = workerData as WorkerInit;
const port = parentPort!;
const token = init.token;
delete (init as Partial<WorkerInit>).token;
const ctl = new Int32Array(init.control);
const reporter = new Reporter(init.locations);
const stacks = new StackMapper(init.modules);

const post = (msg: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage({ ...msg, token }, transfer);

// ---- the model's console goes to the session, formatted as Node would.
for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  console[level] = (...args: unknown[]) => post({ type: "console/output", level, text: format(...args) });
}

// ---- keep the running statement visible to the session (for timeouts and out-of-memory errors).
const at = instrumentation.at;
instrumentation.at = (loc: number) => {
  at(loc);
  ctl[Ctl.LOC] = loc;
};

// ---- losses are batched; full reports are throttled, but never for a step we pause at.
let pendingLosses: number[] = [];
let pendingFrom = 1;
let lastFull = -Infinity;
let unreported: { root: Value; nodes: () => Value[] } | null = null;
const RETAIN_FOR_FINAL_REPORT = 5000;

function flushLosses(): void {
  if (pendingLosses.length === 0) return;
  const losses = Float64Array.from(pendingLosses);
  post({ type: "loss/batch", from: pendingFrom, losses }, [losses.buffer]);
  pendingFrom += pendingLosses.length;
  pendingLosses = [];
}

function sendReport(step: number, loss: number, nodes: () => Value[]): void {
  flushLosses();
  const r = reporter.report(nodes());
  engine.updates.length = 0;
  const transfer = [r.values.data.buffer, r.values.grad.buffer] as ArrayBuffer[];
  post({ type: "step/report", step, loss, hash: r.hash, topology: r.topology, values: r.values, updates: r.updates }, transfer);
  lastFull = performance.now();
  unreported = null;
}

function waitWhilePaused(step: number): void {
  if (Atomics.load(ctl, Ctl.GATE) !== 0) return;
  flushLosses();
  post({ type: "run/paused", step });
  waitForGate(ctl);
  post({ type: "run/resumed", step });
}

engine.maxNodesPerStep = init.maxNodesPerStep;
engine.recordUpdates = true;
engine.onWarning = (message) => post({ type: "model/warning", message, loc: init.locations[engine.loc] });
engine.onBackward = (root, nodes, count) => {
  const step = engine.steps;
  pendingLosses.push(root.data);
  const pausing = passGate(ctl);
  const last = init.maxSteps > 0 && step >= init.maxSteps;
  const now = performance.now();
  if (step === 1 || last || pausing || init.throttleMs === 0 || now - lastFull >= init.throttleMs) sendReport(step, root.data, nodes);
  else {
    engine.updates.length = 0;
    // Keep a small graph for a final report if the model ends here; keeping a big one alive
    // into the next step's forward pass made every step ~20% slower (GC), so a big graph's
    // final view may be up to one throttle interval old (its loss curve is still complete).
    unreported = count <= RETAIN_FOR_FINAL_REPORT ? { root, nodes } : null;
  }
  if (last) {
    post({ type: "run/end", reason: "max-steps", steps: step });
    // Hold here: the session ends the worker. Nothing after the last step may run.
    for (;;) Atomics.wait(ctl, Ctl.WAKE, Atomics.load(ctl, Ctl.WAKE));
  }
  waitWhilePaused(step);
};

function finish(): void {
  if (unreported) sendReport(engine.steps, unreported.root.data, unreported.nodes);
  flushLosses();
  post({ type: "run/end", reason: "finished", steps: engine.steps });
}

function fail(err: unknown): void {
  flushLosses();
  const kind = err instanceof GradscopeLimitError ? "limit" : "runtime";
  post({ type: "run/error", error: stacks.toModelError(err, kind, init.locations[engine.loc]), steps: engine.steps });
}

// A model may end itself with process.exit(): report what it did first (beforeExit does not run then).
const exit = process.exit.bind(process);
process.exit = ((code?: number) => {
  if (!code) finish();
  return exit(code);
}) as typeof process.exit;

process.on("uncaughtException", (err) => {
  fail(err);
  exit(1);
});
process.on("unhandledRejection", (err) => {
  fail(err);
  exit(1);
});

try {
  const evaluated = new ModuleLoader(init.modules, gradscope).run();
  // Async models keep the event loop busy; we finish when it drains.
  process.once("beforeExit", finish);
  evaluated?.catch((err: unknown) => {
    process.off("beforeExit", finish);
    fail(err);
  });
} catch (err) {
  fail(err);
}
