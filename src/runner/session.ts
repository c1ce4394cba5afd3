import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { GraphTopology, Snapshot } from "../protocol/graph";
import type { EndReason, ModelError, RunState } from "../protocol/run";
import { WorkerMessageSchema, type WorkerInit, type WorkerMessage } from "../protocol/worker";
import { compileModel, type CompiledModel } from "./compile/compile";
import { Ctl, createControl, RUN_FREE, setGate } from "./control";
import { LossHistory, SnapshotRing } from "./history";
import { DEFAULT_LIMITS, type RunOptions, type SessionEvent } from "./types";

/**
 * One model run: compiles the user's file, runs it in a worker thread with
 * memory and time limits, steps it on request, and keeps its history. The
 * calling process (the extension host, the CLI) never runs user code and never
 * blocks on the worker.
 */
/** 64 MB semi-spaces: measured 2–4× faster steps on the moons MLP than V8's default (bench/). */
export const YOUNG_GENERATION_MB = 192;

export class ModelSession {
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private worker: Worker | undefined;
  private ctl: Int32Array | undefined;
  private compiled: CompiledModel | undefined;
  private topology: GraphTopology | undefined;
  private readonly snapshots: SnapshotRing;
  private lossHistory = new LossHistory();
  private _state: RunState = "idle";
  private _step = 0;
  private ended = false;
  private runningSince = 0;
  private runningMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private opts: RunOptions, private readonly workerScript = path.join(__dirname, "worker.js")) {
    this.snapshots = new SnapshotRing(opts.historySnapshots ?? DEFAULT_LIMITS.historySnapshots);
  }

  get state(): RunState { return this._state; }
  /** The last step reported (completed backward() calls). */
  get currentStep(): number { return this._step; }

  onEvent(listener: (e: SessionEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Compiles and launches the model. Compile errors arrive as events, not as a rejection. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.setState("starting");
    const result = await compileModel(this.opts.file, this.opts.source);
    if (generation !== this.generation) return; // stopped or restarted meanwhile
    if (!result.ok) return this.end("error", result.error);
    this.compiled = result.model;
    try {
      this.launch(result.model);
    } catch (e) {
      this.end("error", { kind: "runtime", message: `Gradscope could not start the model's worker: ${(e as Error).message}` });
    }
  }

  /** Run (or continue) with no step limit. */
  run(): void { this.gate(RUN_FREE); }
  /** Pause at the next backward(). */
  pause(): void { this.gate(0); }
  /** Run to the next backward() and stop there. */
  step(): void { this.gate(1); }
  /** Run n more steps, then pause. */
  runSteps(n: number): void { this.gate(Math.max(1, Math.floor(n))); }

  stop(): void {
    if (this.ended) return;
    this.generation++;
    this.end("stopped");
  }

  /** The model's entry file. */
  get file(): string { return this.opts.file; }

  /** Ends this run and starts the model again from the top, recompiling it (from `source` when given: the editor's current text). */
  async restart(source?: string): Promise<void> {
    if (source !== undefined) this.opts = { ...this.opts, source };
    this.generation++;
    this.killWorker();
    this.ended = false;
    this.lossHistory = new LossHistory();
    this.snapshots.clear();
    this.topology = undefined;
    this._step = 0;
    this.runningMs = 0;
    await this.start();
  }

  dispose(): void {
    this.generation++;
    this.killWorker();
    this.listeners.clear();
  }

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

  private launch(model: CompiledModel): void {
    const ctl = createControl(this.opts.startPaused ?? false);
    this.ctl = ctl;
    const init: WorkerInit = {
      modules: model.modules, entryFile: path.resolve(this.opts.file),
      locations: model.locations, control: ctl.buffer as SharedArrayBuffer,
      throttleMs: this.opts.throttleMs ?? DEFAULT_LIMITS.throttleMs,
      maxSteps: this.opts.maxSteps ?? 0,
      maxNodesPerStep: this.opts.maxNodesPerStep ?? DEFAULT_LIMITS.maxNodesPerStep,
      token: randomBytes(16).toString("hex"),
    };
    const memoryLimitMb = this.opts.memoryLimitMb ?? DEFAULT_LIMITS.memoryLimitMb;
    const generation = this.generation;
    const worker = new Worker(path.resolve(this.workerScript), {
      workerData: init,
      // A step's graph lives until backward(); a large young generation lets it die there instead of being promoted.
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    const mine = () => generation === this.generation && this.worker === worker;
    worker.stdout.on("data", (d: Buffer) => mine() && this.emit({ type: "console", level: "log", text: d.toString().replace(/\n$/, "") }));
    worker.stderr.on("data", (d: Buffer) => mine() && this.emit({ type: "console", level: "error", text: d.toString().replace(/\n$/, "") }));
    worker.on("message", (raw) => mine() && this.onWorkerMessage(raw, init.token));
    worker.on("error", (err: Error & { code?: string }) => {
      if (!mine()) return;
      const outOfMemory = err.code === "ERR_WORKER_OUT_OF_MEMORY";
      this.end("error", {
        kind: outOfMemory ? "limit" : "runtime",
        message: outOfMemory ? `The model ran out of memory (limit ${memoryLimitMb} MB; gradscope.memoryLimitMb).` : String(err.message),
        ...this.runningAt(),
      });
    });
    worker.on("exit", (code) => {
      if (!mine() || this.ended) return;
      if (code === 0) this.end("finished");
      else this.end("error", { kind: "runtime", message: `The model's worker exited with code ${code}.`, ...this.runningAt() });
    });
    // Even when starting paused, the model runs until its first backward(); the worker says when it blocks.
    this.setState("running");
    this.startTimer();
  }

  private onWorkerMessage(raw: unknown, token: string): void {
    if ((raw as { token?: unknown } | null)?.token !== token) {
      this.emit({ type: "console", level: "warn", text: "Gradscope: ignored a message the model posted to the runner's port." });
      return;
    }
    const parsed = WorkerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.emit({ type: "console", level: "error", text: `Gradscope: dropped a malformed worker message: ${parsed.error.issues[0]?.message}` });
      return;
    }
    const msg: WorkerMessage = parsed.data;
    switch (msg.type) {
      case "step/report": {
        if (msg.topology) this.topology = msg.topology;
        if (!this.topology || this.topology.hash !== msg.hash) return; // cannot happen: the worker sends topology on change
        const n = this.topology.op.length;
        if (msg.values.data.length !== n || msg.values.grad.length !== n || msg.updates.some((u) => u.node >= n)) return;
        const snapshot: Snapshot = { step: msg.step, loss: msg.loss, topology: this.topology, values: msg.values, updates: msg.updates };
        this.snapshots.add(snapshot);
        this._step = msg.step;
        this.emit({ type: "graph", snapshot, shapeChanged: msg.topology !== undefined });
        return;
      }
      case "loss/batch":
        this.lossHistory.append(msg.losses);
        this._step = Math.max(this._step, msg.from + msg.losses.length - 1);
        this.emit({ type: "loss", from: msg.from, losses: msg.losses });
        return;
      case "run/paused":
        this._step = msg.step;
        return this.setState("paused");
      case "run/resumed":
        return this.setState("running");
      case "console/output":
        return this.emit({ type: "console", level: msg.level, text: msg.text });
      case "model/warning":
        return this.emit({ type: "warning", message: msg.message, loc: msg.loc });
      case "run/end":
        this._step = msg.steps;
        return this.end(msg.reason);
      case "run/error":
        this._step = msg.steps;
        return this.end("error", msg.error);
    }
  }

  private gate(steps: number): void {
    if (!this.ctl || this.ended) return;
    setGate(this.ctl, steps);
  }

  /** Where the model was when it was stopped from outside (timeout, out of memory). */
  private runningAt(): Partial<ModelError> {
    const loc = this.ctl ? this.compiled?.locations[Atomics.load(this.ctl, Ctl.LOC)] : undefined;
    return loc ? { file: loc.file, line: loc.line, column: loc.column } : {};
  }

  private startTimer(): void {
    const limit = (this.opts.timeoutSeconds ?? DEFAULT_LIMITS.timeoutSeconds) * 1000;
    if (limit <= 0) return;
    this.timer = setInterval(() => {
      if (this.runningMs + (this._state === "running" ? performance.now() - this.runningSince : 0) < limit) return;
      this.generation++;
      this.end("timeout", { kind: "timeout", message: `The model ran for more than ${limit / 1000} s (the time limit) and was stopped.`, ...this.runningAt() });
    }, Math.min(100, limit));
  }

  private setState(state: RunState): void {
    const now = performance.now();
    if (this._state === "running") this.runningMs += now - this.runningSince;
    if (state === "running") this.runningSince = now;
    this._state = state;
    this.emit({ type: "state", state, step: this._step });
  }

  private end(reason: EndReason, error?: ModelError): void {
    if (this.ended) return;
    this.ended = true;
    this.killWorker();
    const state: RunState = reason === "error" || reason === "timeout" ? "error" : reason === "stopped" ? "stopped" : "finished";
    this._state = state;
    this.emit({ type: "state", state, step: this._step, error });
    this.emit({ type: "end", reason, steps: this._step, error });
  }

  private killWorker(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const w = this.worker;
    this.worker = undefined;
    // terminate() interrupts even `while (true) {}`.
    void w?.terminate();
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }
}
