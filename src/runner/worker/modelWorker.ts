/**
 * The model worker: the only place user code runs. It loads the compiled
 * bundle, answers `require("gradscope")` with its own engine instance, and after
 * every backward() reports the step and, when told to, blocks until released.
 * It talks only to the runner process (through a private port and the output
 * ring), which checks everything it says before the host hears of it.
 */
import { MessagePort, receiveMessageOnPort, workerData } from "node:worker_threads";
import * as gradscope from "../../engine";
import { engine, GradscopeLimitError } from "../../engine/context";
import { setLocSink } from "../../engine/instrument";
import type { Thrown, WorkerEnvelope, WorkerInit, WorkerMessage } from "../../protocol/worker";
import type { Losses } from "../../protocol/graph";
import { Ctl, passGate, RUN_FREE, waitForGate, waitWhileHeld } from "../control";
import { store } from "../../engine/store";
import { OutputWriter } from "../outputRing";
import { captureConsole } from "./consoleCapture";
import { ModuleLoader } from "./moduleLoader";
import { Reporter, type Report } from "./reporter";
import { describeThrown } from "./thrown";
import { WorkerHealth } from "../../analysis/health/inWorker";

const init = workerData as WorkerInit;
// Take the private port out of reach before user code runs; bind its send so wrapping
// MessagePort.prototype.postMessage later cannot intercept or forge what we send.
const port = init.port!;
delete init.port;
const postOnPort = MessagePort.prototype.postMessage.bind(port) as (value: unknown) => void;
const ctl = new Int32Array(init.control);
const output = new OutputWriter(init.output);
const reporter = new Reporter(init.locations);

let seq = 0;
/**
 * Notes the message's place in the console output, then sends it (see WorkerEnvelope).
 * Nothing is transferred, only copied: detaching any ArrayBuffer in this thread turns off V8's
 * fast path for every typed-array access from then on (its "no buffer was ever detached"
 * protector), and the engine is typed-array loops. One transferred report made the later steps
 * of bare-Value moons 10–15% slower; copying a report's numbers costs far less.
 */
function post(msg: WorkerMessage): void {
  output.posted(seq);
  const envelope: WorkerEnvelope = { seq: seq++, msg };
  postOnPort(envelope);
}

captureConsole(output);

// ---- keep the running statement visible to the runner process (for timeouts and memory limits).
setLocSink(ctl, Ctl.LOC);

// ---- losses are batched; full reports are throttled, but never for a step we pause at.
let pendingLosses: number[] = [];
let pendingFrom = 1;
let lastFull = -Infinity;
/** When the last backward() ended, and how long the step before it took: to tell whether the next will be reported. */
let lastBackwardAt = NaN;
let stepMs = 0;
/** The last step, if it was not reported: the reporter holds its numbers from its backward(), for a report if the run ends there. */
let held: { step: number; loss: number } | null = null;

/** The losses not sent yet, or undefined. */
function takeLosses(): Losses | undefined {
  if (pendingLosses.length === 0) return undefined;
  const batch = { from: pendingFrom, losses: Float64Array.from(pendingLosses) };
  pendingFrom += pendingLosses.length;
  pendingLosses = [];
  return batch;
}

function flushLosses(): void {
  const batch = takeLosses();
  if (batch) post({ type: "loss/batch", ...batch });
}

/** Reads a step's numbers now, at its backward(): later reads would mix in the optimizer's update. */
function buildReport(): Report {
  const r = reporter.report(init.values);
  engine.updates.length = 0;
  return r;
}

function sendReport(step: number, loss: number, r: Report): void {
  // The losses so far (this step's last) go with the report: one message a step when every step is reported.
  const losses = takeLosses();
  post({ type: "step/report", step, loss, hash: r.hash, topology: r.topology, values: r.values, nodes: r.nodes, updates: r.updates, losses });
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
engine.recordUpdates = init.updates;
// Health (issue 10): detectors on every reported step, breakpoints through the step gate (src/analysis/health/inWorker.ts).
const health = new WorkerHealth(init.health, post, (step) => (Atomics.store(ctl, Ctl.GATE, 0), waitWhilePaused(step)), () => receiveMessageOnPort(port)?.message);
engine.onWarning = (message, leaf) => (post({ type: "model/warning", message, loc: engine.loc }), health.notZeroed(message, leaf));
engine.onBackward = (root) => {
  const step = engine.steps;
  const loss = root.data;
  pendingLosses.push(loss);
  const pausing = passGate(ctl);
  const last = init.maxSteps > 0 && step >= init.maxSteps;
  const now = performance.now();
  stepMs = now - lastBackwardAt || 0;
  const checking = health.mustReport(step, loss);
  if (step === 1 || last || pausing || checking || reportDue(step, now)) {
    const r = buildReport();
    health.check(step, r, () => reporter.numbersInPlace());
    sendReport(step, loss, r);
    if (health.flush()) Atomics.store(ctl, Ctl.GATE, 0);
  } else {
    // O(leaves): the graph's own numbers stay in the engine's store until the model builds its next step.
    reporter.hold();
    engine.updates.length = 0;
    held = { step, loss };
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
  lastBackwardAt = performance.now();
  expectReport(step + 1);
};

/**
 * backward() hashes the shape it walks (the reporter's cheap way to tell an unchanged graph: ~5% of a
 * bare-Value moons step) only for a step we expect to report. One reported without it takes the reporter's
 * full pass instead; a throttled run's other steps (most of them, under the panel) skip the cost.
 */
function expectReport(next: number): void {
  store.hashShapes = Atomics.load(ctl, Ctl.GATE) !== RUN_FREE || (init.maxSteps > 0 && next >= init.maxSteps) || reportDue(next, lastBackwardAt + stepMs);
}

/** A full report is due for this step, ending at this time: every Nth step with reportEvery, else by time (every step at throttle 0). */
function reportDue(step: number, at: number): boolean {
  if (init.reportEvery) return step % init.reportEvery === 0;
  return init.throttleMs === 0 || at - lastFull >= init.throttleMs;
}

/**
 * When a model ends without calling backward(), the graph it built so far
 * could still be drawn: reporter.reportForward() lists it (null if nothing was
 * built). Sending it needs a step-0 report in protocol/worker.ts (step ≥ 1 now).
 */
function reportForwardGraph(): void {}

let ended = false;
function finish(): void {
  if (ended) return;
  ended = true;
  const report = held && reporter.reportHeld(init.values);
  if (report) sendReport(held!.step, held!.loss, report);
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
