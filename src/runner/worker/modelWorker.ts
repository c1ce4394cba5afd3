/**
 * The model worker: the only place user code runs. It loads the compiled
 * bundle, answers `require("gradscope")` with its own engine instance, and after
 * every backward() reports the step and, when told to, blocks until released.
 * It talks only to the runner process (through a private port and the output
 * ring), which checks everything it says before the host hears of it.
 */
import { MessagePort, workerData } from "node:worker_threads";
import * as gradscope from "../../engine";
import { engine, GradscopeLimitError } from "../../engine/context";
import { instrumentation } from "../../engine/instrument";
import type { Value } from "../../engine/value";
import type { GraphTopology } from "../../protocol/graph";
import type { Thrown, WorkerEnvelope, WorkerInit, WorkerMessage } from "../../protocol/worker";
import { Ctl, passGate, waitForGate, waitWhileHeld } from "../control";
import { OutputWriter } from "../outputRing";
import { captureConsole } from "./consoleCapture";
import { ModuleLoader } from "./moduleLoader";
import { Reporter, type Report } from "./reporter";
import { describeThrown } from "./thrown";

const init = workerData as WorkerInit;
// Take the private port out of reach before user code runs; bind its send so wrapping
// MessagePort.prototype.postMessage later cannot intercept or forge what we send.
const port = init.port!;
delete init.port;
const postOnPort = MessagePort.prototype.postMessage.bind(port) as (value: unknown, transfer?: ArrayBuffer[]) => void;
const ctl = new Int32Array(init.control);
const output = new OutputWriter(init.output);
const reporter = new Reporter(init.locations);

let seq = 0;
/** Marks the message's place in the console output, then sends it (see WorkerEnvelope). */
function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  output.mark(seq);
  const envelope: WorkerEnvelope = { seq: seq++, msg };
  postOnPort(envelope, transfer);
}

captureConsole(output);

// ---- keep the running statement visible to the runner process (for timeouts and memory limits).
const at = instrumentation.at;
instrumentation.at = (loc: number) => {
  at(loc);
  ctl[Ctl.LOC] = loc;
};

// ---- losses are batched; full reports are throttled, but never for a step we pause at.
let pendingLosses: number[] = [];
let pendingFrom = 1;
let lastFull = -Infinity;
/** The last step's report, built at its backward() (so its numbers are that moment's), sent only if the run ends there. */
let held: { step: number; loss: number; report: Report } | null = null;
/** A topology the reporter built for a held report that was never sent: the next report of that shape carries it. */
let unsentTopology: GraphTopology | undefined;
/** Holding a big graph alive into the next step's forward pass made every step ~20% slower (GC). */
const HOLD_AT_MOST_NODES = 5000;

function flushLosses(): void {
  if (pendingLosses.length === 0) return;
  const losses = Float64Array.from(pendingLosses);
  post({ type: "loss/batch", from: pendingFrom, losses }, [losses.buffer]);
  pendingFrom += pendingLosses.length;
  pendingLosses = [];
}

/** Reads a step's numbers now, at its backward(): later reads would mix in the optimizer's update. */
function buildReport(nodes: () => Value[]): Report {
  const r = reporter.report(nodes());
  engine.updates.length = 0;
  return r;
}

function sendReport(step: number, loss: number, r: Report): void {
  flushLosses();
  const topology = r.topology ?? (unsentTopology?.hash === r.hash ? unsentTopology : undefined);
  unsentTopology = undefined;
  const transfer = [r.values.data.buffer, r.values.grad.buffer] as ArrayBuffer[];
  post({ type: "step/report", step, loss, hash: r.hash, topology, values: r.values, updates: r.updates }, transfer);
  lastFull = performance.now();
  held = null;
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
engine.onWarning = (message) => post({ type: "model/warning", message, loc: engine.loc });
engine.onBackward = (root, nodes, count) => {
  const step = engine.steps;
  pendingLosses.push(root.data);
  const pausing = passGate(ctl);
  const last = init.maxSteps > 0 && step >= init.maxSteps;
  const now = performance.now();
  if (step === 1 || last || pausing || init.throttleMs === 0 || now - lastFull >= init.throttleMs) sendReport(step, root.data, buildReport(nodes));
  else if (count <= HOLD_AT_MOST_NODES) {
    const report = buildReport(nodes);
    if (report.topology) unsentTopology = report.topology;
    held = { step, loss: root.data, report };
  } else {
    // A big graph's final view may be up to one throttle interval old (its loss curve is still complete).
    engine.updates.length = 0;
    held = null;
  }
  if (last) {
    post({ type: "run/end", reason: "max-steps", steps: step });
    // Hold here: the runner process ends the worker. Nothing after the last step may run.
    for (;;) Atomics.wait(ctl, Ctl.WAKE, Atomics.load(ctl, Ctl.WAKE));
  }
  waitWhilePaused(step);
  if (Atomics.load(ctl, Ctl.HOLD) !== 0) {
    flushLosses();
    waitWhileHeld(ctl);
  }
};

/**
 * Hook for the engine: when a model ends without calling backward(), the graph
 * it built so far could still be drawn. The engine does not list those nodes
 * yet; once it does, report them here (as a step-0 report) before run/end.
 */
function reportForwardGraph(): void {}

let ended = false;
function finish(): void {
  if (ended) return;
  ended = true;
  if (held) sendReport(held.step, held.loss, held.report);
  if (engine.steps === 0) reportForwardGraph();
  flushLosses();
  post({ type: "run/end", reason: "finished", steps: engine.steps });
}

function fail(err: unknown): void {
  const kind = err instanceof GradscopeLimitError ? "limit" : "runtime";
  failWith(kind, describeThrown(err, engine.loc));
}

function failWith(kind: "runtime" | "limit", thrown: Thrown): void {
  if (ended) return;
  ended = true;
  flushLosses();
  post({ type: "run/error", kind, thrown, steps: engine.steps });
}

// process.exit() in a worker ends only this thread: report what the model did first (beforeExit does not run then).
const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const n = Number(code ?? process.exitCode ?? 0);
  if (!n) finish();
  else failWith("runtime", { message: `The model called process.exit(${String(code)}).`, loc: engine.loc });
  return exit(n);
}) as typeof process.exit;

process.on("uncaughtException", (err) => {
  fail(err);
  exit(1);
});
process.on("unhandledRejection", (err) => {
  fail(err);
  exit(1);
});

post({ type: "worker/ready", rss: process.memoryUsage.rss() });
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
