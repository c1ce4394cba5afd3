import type { ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { GraphTopology, GraphValues, Losses, Snapshot } from "../protocol/graph";
import type { EndReason, ModelError, RunState } from "../protocol/run";
import { RunnerMessageSchema, type HostCommand, type RunnerMessage, type RunSpec } from "../protocol/runner";
import { RUN_FREE } from "./control";
import { LossHistory, SnapshotRing } from "./history";
import { AGG_WIDTH } from "./process/viewPayload";
import { prepareSpare, runnerScriptFor, takeRunner } from "./runnerProcess";
import { DEFAULT_LIMITS, type RunOptions, type SessionEvent } from "./types";
import type { BreakOn, HealthOptions } from "../protocol/health";
import type { InsightRequest } from "../protocol/insight";

export { disposeSpares } from "./runnerProcess";

/**
 * One model run, seen from the host (the extension host, the CLI): a thin
 * proxy to the runner process that compiles and runs the model in its own OS
 * process (see runner/process/main.ts). It sends commands, receives validated
 * events and keeps the run's history. It never runs user code, never loads
 * the compiler, never blocks: whatever the model does (exhaust memory, kill
 * its process, loop forever), only the model's process dies, and the steps
 * already received stay here.
 */
export class ModelSession {
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private child: ChildProcess | undefined;
  private topology: GraphTopology | undefined;
  private readonly snapshots: SnapshotRing;
  private lossHistory = new LossHistory();
  private _state: RunState = "idle";
  private _step = 0;
  private ended = false;
  private generation = 0;
  private readonly runnerScript: string;

  /**
   * @param runnerScript dist/runner.js (a path to dist/worker.js means the runner beside it).
   * @param keepSpare keep one idle runner process ready so the next start/restart is faster (for long-lived hosts).
   */
  constructor(private opts: RunOptions, runnerScript = path.join(__dirname, "runner.js"), private readonly keepSpare = false) {
    this.snapshots = new SnapshotRing(opts.historySnapshots ?? DEFAULT_LIMITS.historySnapshots);
    this.runnerScript = runnerScriptFor(runnerScript);
  }

  get state(): RunState { return this._state; }
  /** The last step reported (completed backward() calls). */
  get currentStep(): number { return this._step; }
  /** The model's entry file. */
  get file(): string { return this.opts.file; }

  onEvent(listener: (e: SessionEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts the model in a new runner process. Compile errors arrive as events, not as a rejection. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.killRunner();
    this.ended = false;
    this.setState("starting");
    let child: ChildProcess;
    try {
      child = takeRunner(this.runnerScript);
    } catch (e) {
      return this.end("error", { kind: "runtime", message: `Gradscope could not start the model's process: ${(e as Error).message}` });
    }
    this.child = child;
    const mine = () => generation === this.generation && this.child === child;
    child.on("message", (raw) => mine() && this.onRunnerMessage(raw));
    for (const [stream, level] of [[child.stdout, "log"], [child.stderr, "error"]] as const)
      stream?.on("data", (d: Buffer) => mine() && this.emit({ type: "console", level, text: d.toString().replace(/\n$/, "") }));
    child.on("error", (err) => mine() && this.end("error", { kind: "runtime", message: `Gradscope could not run the model's process: ${err.message}` }));
    // "close" comes after the last message and output of the process: every step it sent is in by then.
    child.on("close", (code, signal) => mine() && !this.ended && this.end("error", processDied(code, signal)));
    this.send({ type: "run/start", spec: this.spec() });
    if (this.view) this.sendView();
  }

  /** Run (or continue) with no step limit. */
  run(): void { this.gate(RUN_FREE); }
  /** Pause at the next backward(). */
  pause(): void { this.gate(0); }
  /** Run to the next backward() and stop there. */
  step(): void { this.gate(1); }
  /** Run n more steps, then pause. */
  runSteps(n: number): void { this.gate(Math.max(1, Math.floor(n))); }

  /**
   * Flow control for a consumer that cannot keep up (the CLI's stdout into a slow pipe):
   * while held, the model waits after its next backward() without the run counting as paused.
   */
  hold(on: boolean): void {
    if (!this.ended) this.send({ type: "control/hold", on });
  }

  /**
   * What a view shows of the current shape (its open groups, extra nodes): the runner process then sends,
   * for every reported step of that shape, only those nodes' numbers and the collapsed groups' aggregates
   * ("view" events), starting with the latest step at once. Undefined unsubscribes (the view is hidden).
   */
  subscribeView(view: { hash: string; expanded: string[]; nodes: Int32Array<ArrayBuffer> } | undefined): void {
    this.view = view;
    if (!this.ended) this.sendView();
  }

  /** The view has drawn the last view update: the runner process may send the next. */
  viewAck(): void {
    if (!this.ended) this.send({ type: "view/ack" });
  }

  /** Kept across restarts: a fresh runner process is told at once. */
  private view: { hash: string; expanded: string[]; nodes: Int32Array<ArrayBuffer> } | undefined;

  private sendView(): void {
    const view = this.view;
    this.send(view ? { type: "view/subscribe", hash: view.hash, expanded: view.expanded, nodes: view.nodes } : { type: "view/unsubscribe" });
  }

  stop(): void {
    if (this.ended) return;
    this.generation++;
    this.end("stopped");
  }

  /** Ends this run and starts the model again from the top, in a fresh process (from `source` when given: the editor's current text). */
  async restart(source?: string): Promise<void> {
    if (source !== undefined) this.opts = { ...this.opts, source };
    this.generation++;
    this.killRunner();
    this.lossHistory = new LossHistory();
    this.snapshots.clear();
    this.topology = undefined;
    this._step = 0;
    await this.start();
  }

  dispose(): void {
    this.generation++;
    this.killRunner();
    this.listeners.clear();
  }

  /** Insight (issue 10): ask the runner to replay a recorded step; the answer comes as an "insight" event with the same id. */
  insight(request: InsightRequest): void { this.send({ type: "insight/request", request }); }
  /** Change breakpoint conditions / detector thresholds of the running model (from its next step). */
  configureHealth(breakOn?: BreakOn, options?: HealthOptions): void { this.send({ type: "health/configure", breakOn, options }); }

  latest(): Snapshot | undefined { return this.snapshots.latest(); }
  snapshotAt(step: number): Snapshot | undefined { return this.snapshots.at(step); }
  historySteps(): number[] { return this.snapshots.steps(); }
  /** Every step's loss (merged pairwise past a million steps: then each point covers `stride` steps). */
  losses(): { from: number; stride: number; losses: Float64Array } {
    return { from: 1, ...this.lossHistory.curve() };
  }

  /** Indices of the nodes created on this line of this file, in the given snapshot (default: the latest). */
  nodesAt(file: string, line: number, snapshot = this.latest()): number[] {
    const t = snapshot?.topology;
    if (!t) return [];
    const target = path.resolve(file);
    const locs = new Set<number>();
    t.locations.forEach((l, i) => l.line === line && path.resolve(l.file) === target && locs.add(i));
    const out: number[] = [];
    for (let i = 0; i < t.loc.length; i++) if (locs.has(t.loc[i])) out.push(i);
    return out;
  }

  // ---- internals

  private spec(): RunSpec {
    const o = this.opts;
    return {
      file: path.resolve(o.file),
      source: o.source,
      startPaused: o.startPaused ?? false,
      maxSteps: o.maxSteps ?? 0,
      throttleMs: o.throttleMs ?? DEFAULT_LIMITS.throttleMs,
      reportEvery: o.reportEvery,
      maxNodesPerStep: o.maxNodesPerStep ?? DEFAULT_LIMITS.maxNodesPerStep,
      memoryLimitMb: o.memoryLimitMb ?? DEFAULT_LIMITS.memoryLimitMb,
      timeoutSeconds: o.timeoutSeconds ?? DEFAULT_LIMITS.timeoutSeconds,
      values: o.values ?? "all",
      updates: o.updates,
      hostReportMs: o.hostReportMs,
      health: o.health,
    };
  }

  private onRunnerMessage(raw: unknown): void {
    const parsed = RunnerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.emit({ type: "console", level: "error", text: `Gradscope: dropped a malformed message from the model's process: ${parsed.error.issues[0]?.message}` });
      return;
    }
    const msg: RunnerMessage = parsed.data;
    switch (msg.type) {
      case "run/launched":
        // Even when starting paused, the model runs until its first backward(); the runner says when it blocks.
        return this.setState("running");
      case "step/report": {
        // The losses up to this step first, as a loss/batch would have brought them.
        if (msg.losses) this.onLosses(msg.losses);
        if (msg.topology) this.topology = msg.topology;
        if (!this.topology || this.topology.hash !== msg.hash) return; // the runner checked this already
        const values = msg.subset ? this.expand(this.topology, msg.subset, msg.values) : msg.values;
        if (!values) return;
        const snapshot: Snapshot = { step: msg.step, loss: msg.loss, topology: this.topology, values, updates: msg.updates };
        this.snapshots.add(snapshot);
        this._step = msg.step;
        if (msg.step === 1 && this.keepSpare) prepareSpare(this.runnerScript);
        this.emit({ type: "graph", snapshot, shapeChanged: msg.topology !== undefined });
        return;
      }
      case "view/update":
        if (msg.nodes.length !== msg.data.length || msg.nodes.length !== msg.grad.length || msg.agg.length !== msg.groups.length * AGG_WIDTH) return;
        return this.emit({ type: "view", update: msg });
      case "loss/batch":
        return this.onLosses(msg);
      case "run/paused":
        this._step = msg.step;
        return this.setState("paused");
      case "run/resumed":
        return this.setState("running");
      case "console/batch":
        for (const c of msg.chunks) this.emit({ type: "console", level: c.level, text: c.text.replace(/\n$/, "") });
        // Acknowledge after the listeners have taken it: a model that prints faster than we read waits for us.
        return this.send({ type: "console/ack" });
      case "model/warning":
        return this.emit({ type: "warning", message: msg.message, loc: msg.loc });
      case "health/finding":
        return this.emit({ type: "finding", finding: msg.finding });
      case "run/break":
        return this.emit({ type: "break", brk: msg.break });
      case "insight/response":
        return this.emit({ type: "insight", response: msg.response });
      case "run/end":
        this._step = Math.max(this._step, msg.steps);
        return this.end(msg.reason, msg.error, msg.detail);
    }
  }

  private onLosses({ from, losses }: Losses): void {
    this.lossHistory.append(losses);
    this._step = Math.max(this._step, from + losses.length - 1);
    this.emit({ type: "loss", from, losses });
  }

  private send(cmd: HostCommand): void {
    const child = this.child;
    if (child?.connected) child.send(cmd, (err) => void err /* the process is gone: its close event reports it */);
  }

  private gate(steps: number): void {
    if (!this.ended) this.send({ type: "control/gate", steps });
  }

  private setState(state: RunState): void {
    this._state = state;
    this.emit({ type: "state", state, step: this._step });
  }

  private end(reason: EndReason, error?: ModelError, detail?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.killRunner();
    const state: RunState = reason === "error" || reason === "timeout" ? "error" : reason === "stopped" ? "stopped" : "finished";
    this._state = state;
    if (this.keepSpare) prepareSpare(this.runnerScript);
    this.emit({ type: "state", state, step: this._step, error });
    this.emit({ type: "end", reason, steps: this._step, error, ...(detail ? { detail } : {}) });
  }

  private killRunner(): void {
    const child = this.child;
    this.child = undefined;
    // SIGKILL: a runner whose model spins in native code or ignores signals still goes at once.
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  /** Full-length arrays for a subset of values: fresh ones, or with a one-step history the last step's (see RunOptions.historySnapshots). */
  private expand(t: GraphTopology, subset: Int32Array, v: GraphValues): GraphValues | undefined {
    if (this.opts.historySnapshots !== 1) return expand(t.op.length, subset, v);
    // The subset's nodes depend on the shape only (runner/process/valueSubset.ts): the other entries stay NaN.
    const reused = this.reused?.hash === t.hash && this.reused.count === subset.length ? this.reused.values : undefined;
    const values = expand(t.op.length, subset, v, reused);
    if (values && !reused) this.reused = { hash: t.hash, count: subset.length, values };
    return values;
  }
  private reused: { hash: string; count: number; values: GraphValues } | undefined;

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }
}

/** Full-length values from a subset (RunOptions.values "leaves"/"none"): the nodes left out read NaN. */
function expand(n: number, subset: Int32Array, v: GraphValues, into?: GraphValues): GraphValues | undefined {
  if (subset.length !== v.data.length || subset.length !== v.grad.length) return undefined;
  const data = into?.data ?? new Float64Array(n).fill(NaN), grad = into?.grad ?? new Float64Array(n).fill(NaN);
  for (let j = 0; j < subset.length; j++) {
    const i = subset[j];
    if (i < 0 || i >= n) return undefined;
    data[i] = v.data[j];
    grad[i] = v.grad[j];
  }
  return { data, grad };
}

/** What to tell the user when the model's process died without saying why. */
function processDied(code: number | null, signal: NodeJS.Signals | null): ModelError {
  const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
  const hint = signal === "SIGKILL" ? " — by the model itself (process.kill), or by the system when the machine ran out of memory" : "";
  return { kind: "runtime", message: `The model's process ${how}${hint}. Steps reported before that are kept.` };
}
