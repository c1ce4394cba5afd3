import * as path from "node:path";
import { setFlagsFromString } from "node:v8";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { GraphTopology, GraphValues, Losses, ParamUpdate } from "../../protocol/graph";
import type { EndReason, ModelError } from "../../protocol/run";
import type { RunnerMessage, RunSpec } from "../../protocol/runner";
import { WorkerMessageSchema, type WorkerInit, type WorkerMessage } from "../../protocol/worker";
import { compileModel, type CompiledModel } from "../compile/compile";
import { InsightRequests } from "./insightRequests";
import type { HealthConfigureMessage, InsightRequest } from "../../protocol/insight";
import { Ctl, createControl, setGate, setHold } from "../control";
import { createOutputRing, OutputReader } from "../outputRing";
import { ConsoleRelay } from "./consoleRelay";
import { MemoryWatchdog } from "./memoryWatchdog";
import { ModelErrors } from "./modelErrors";
import { buildGroupTree, type GroupTree } from "../../graph/groupTree";
import { ValueSubset } from "./valueSubset";
import { hasNode, resolveView, viewPayload, type ResolvedView, type ViewSubscription } from "./viewPayload";

/** 64 MB semi-spaces: measured 2–4× faster steps on the moons MLP than V8's default (bench/). Smaller under small memory limits. */
export const YOUNG_GENERATION_MB = 192;

/**
 * Model workers' semi-spaces start at 16 MB (V8 caps that at the limit above) rather than V8's 1 MB, and
 * grow from there; only isolates created after this call are affected, not this thread's. A step's
 * short-lived handles are megabytes: a worker left to grow from 1 MB stayed at half the young
 * generation a main thread reaches with the same limit, scavenged twice as often, and its unreported
 * bare-Value moons step read ×1.10–1.11 a main thread's (bench/processTurns.ts's harness, 2 runs of 8
 * rounds), ×1.03 with this.
 */
export function startWorkerYoungGenerationLarge(): void {
  setFlagsFromString("--min-semi-space-size=16");
}

/** How the run talks to its host; `written` fires once the host's channel has taken the message. */
export interface HostLink {
  send(msg: RunnerMessage, written?: () => void): void;
}

/** A view update the panel has not acknowledged after this long no longer holds the next back (a lost ack must not stop updates). */
const VIEW_ACK_MS = 1000;

/** Above this many bytes queued towards the host, the model waits at its next backward(). */
const HOLD_BYTES = 8 * 2 ** 20;

/**
 * One model run inside the runner process: compiles the model, starts its
 * worker with the step gate and the output ring, checks every message the
 * worker sends, and relays it to the host. Owns the limits the worker cannot
 * enforce on itself: memory (whole process), time, and the host's pace.
 *
 * Phase 2 grows here, not in the host: the step history ring and what each
 * subscriber sees (values of visible nodes, aggregates of collapsed groups)
 * are computed from the reports this class already checks (see ValueSubset);
 * requests to a paused model (replay for gradcheck, what-if) go to the worker
 * over the same private port, which it can read with receiveMessageOnPort
 * when the gate's Atomics.wait wakes it.
 */
export class ModelRun {
  private worker: Worker | undefined;
  private readonly ctl: Int32Array;
  private readonly outputRing = createOutputRing();
  private readonly relay: ConsoleRelay;
  private compiled: CompiledModel | undefined;
  private errors: ModelErrors | undefined;
  private topology: GraphTopology | undefined;
  /** Insight requests (issue 10), answered from recorded steps; the worker's port, for health/configure. */
  private readonly insight = new InsightRequests();
  private port: { postMessage(msg: unknown): void } | undefined;
  private readonly watchdog: MemoryWatchdog;
  private steps = 0;
  private paused = false;
  private held = false;
  private clockStopped = false;
  private ended = false;
  private runningMs = 0;
  private runningSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private queuedBytes = 0;
  private hostHold = false;
  private warnedParentPort = false;
  /** When the host last got a step/report, and the newest one it has not (see RunSpec.hostReportMs). */
  private hostReportAt = -Infinity;
  private unsentReport: { msg: Extract<RunnerMessage, { type: "step/report" }>; n: number } | undefined;
  private readonly subset: ValueSubset;
  /** The number the worker's next message must carry (see WorkerEnvelope). */
  private nextSeq = 0;
  /** The subscribed view and what it resolves to for the current shape (see viewPayload.ts). */
  private view: ViewSubscription | undefined;
  private resolved: ResolvedView | undefined;
  /** Flow control of view updates: one sent and not yet acknowledged; a newer step waiting for the ack. */
  private viewInFlight = false;
  private viewPending = false;
  private viewTimer: NodeJS.Timeout | undefined;
  private tree: { hash: string; tree: GroupTree } | undefined;
  /** The last reported step with every node's numbers (RunSpec.values "all"): a new subscription is answered from it. */
  private latest: { step: number; loss: number; hash: string; values: GraphValues; updates: ParamUpdate[] } | undefined;

  constructor(
    private readonly spec: RunSpec,
    private readonly host: HostLink,
    private readonly workerScript: string,
    private readonly onDone: () => void,
  ) {
    this.ctl = createControl(spec.startPaused);
    this.subset = new ValueSubset(spec.values);
    this.relay = new ConsoleRelay(new OutputReader(this.outputRing), (chunks) => this.host.send({ type: "console/batch", chunks }));
    this.watchdog = new MemoryWatchdog(spec.memoryLimitMb, (o) =>
      this.fail(this.errorAtLoc("limit", `The model used more than its ${o.limitMb} MB of memory (${o.usedMb} MB on top of the ${o.baselineMb} MB its process held before the model's first line) and was stopped. Raise the limit with --memory or gradscope.memoryLimitMb.`)),
    );
  }

  async start(): Promise<void> {
    const result = await compileModel(this.spec.file, this.spec.source);
    if (this.ended) return;
    if (!result.ok) return this.end("error", result.error);
    this.compiled = result.model;
    this.errors = new ModelErrors(result.model);
    try {
      this.launch(result.model);
    } catch (e) {
      return this.end("error", { kind: "runtime", message: `Gradscope could not start the model's thread: ${(e as Error).message}` });
    }
    this.host.send({ type: "run/launched" });
    this.relay.start();
    // Compiling is not the model's time.
    this.runningMs = 0;
    this.runningSince = performance.now();
    this.startTimer();
  }

  gate(steps: number): void {
    if (!this.ended) setGate(this.ctl, steps);
  }

  /** The host says it is behind (true) or has caught up (false). */
  holdForHost(on: boolean): void {
    this.hostHold = on;
    this.updateHold();
  }

  /** Insight (issue 10): answers a replay request from the recorded steps; passes new breakpoint conditions to the worker. */
  insightRequest(request: InsightRequest): void {
    this.host.send({ type: "insight/response", response: this.insight.answer(request) });
  }
  configureHealth(msg: HealthConfigureMessage): void {
    this.port?.postMessage(msg);
  }

  consoleAck(): void {
    this.relay.ack();
  }

  /** A view's subscription (undefined: none). Answered at once from the latest step when it has every node's numbers. */
  subscribe(view: ViewSubscription | undefined): void {
    this.view = view;
    this.resolved = undefined;
    clearTimeout(this.viewTimer);
    this.viewInFlight = this.viewPending = false;
    if (view && this.latest) this.sendView(this.latest);
  }

  /** The panel has drawn the last view update: the newest step it has not seen goes now. */
  viewAck(): void {
    clearTimeout(this.viewTimer);
    this.viewInFlight = false;
    if (!this.viewPending) return;
    this.viewPending = false;
    if (this.latest && !this.ended) this.sendView(this.latest);
  }

  /** Ends the run from outside (the host went away, or asked to stop). */
  stop(): void {
    this.end("stopped");
  }

  // ---- internals

  private launch(model: CompiledModel): void {
    const channel = new MessageChannel();
    const init: WorkerInit = {
      health: this.spec.health,
      modules: model.modules, entryFile: path.resolve(this.spec.file), locations: model.locations,
      control: this.ctl.buffer as SharedArrayBuffer, output: this.outputRing, port: channel.port2,
      throttleMs: this.spec.throttleMs, reportEvery: this.spec.reportEvery, maxSteps: this.spec.maxSteps, maxNodesPerStep: this.spec.maxNodesPerStep,
      values: this.spec.values, updates: this.spec.updates ?? true,
    };
    const limit = this.spec.memoryLimitMb;
    startWorkerYoungGenerationLarge();
    const worker = new Worker(path.resolve(this.workerScript), {
      workerData: init,
      transferList: [channel.port2],
      // A step's graph lives until backward(); a large young generation lets it die there instead of being promoted.
      resourceLimits: { maxOldGenerationSizeMb: limit, maxYoungGenerationSizeMb: Math.min(YOUNG_GENERATION_MB, Math.max(8, Math.floor(limit / 4))) },
    });
    this.worker = worker;
    channel.port1.on("message", (raw) => this.onWorkerMessage(raw));
    this.port = channel.port1;
    // parentPort is within the model's reach; nothing on it is ours.
    worker.on("message", () => {
      if (this.warnedParentPort) return;
      this.warnedParentPort = true;
      this.host.send({ type: "console/batch", chunks: [{ level: "warn", text: "Gradscope: ignored a message the model posted to its parent port.\n" }] });
    });
    worker.on("error", (err: Error & { code?: string }) => {
      const outOfMemory = err.code === "ERR_WORKER_OUT_OF_MEMORY";
      this.fail(
        outOfMemory
          ? this.errorAtLoc("limit", `The model ran out of memory (its heap reached the ${limit} MB limit) and was stopped. Raise the limit with --memory or gradscope.memoryLimitMb.`)
          : this.errorAtLoc("runtime", String(err?.message ?? err)),
      );
    });
    worker.on("exit", (code) => {
      // Our private port is not drained before "exit" (only parentPort is): take what the worker sent last first.
      for (let m = receiveMessageOnPort(channel.port1); m && !this.ended; m = receiveMessageOnPort(channel.port1)) this.onWorkerMessage(m.message);
      if (!this.ended) this.fail(this.errorAtLoc("runtime", `The model's thread stopped unexpectedly (exit code ${code}).`));
    });
  }

  private onWorkerMessage(raw: unknown): void {
    if (this.ended) return;
    const envelope = raw as { seq?: unknown; msg?: { type?: unknown; topology?: { locations?: unknown } } } | null;
    if (envelope?.seq !== this.nextSeq || typeof envelope.msg !== "object" || envelope.msg === null) return this.dropped("out of sequence");
    this.nextSeq++;
    this.relay.beforeMessage(envelope.seq);
    // Locations are the compiler's, whatever the worker put there.
    if (envelope.msg.type === "step/report" && envelope.msg.topology && typeof envelope.msg.topology === "object") envelope.msg.topology.locations = this.compiled!.locations;
    const parsed = WorkerMessageSchema.safeParse(envelope.msg);
    if (!parsed.success) return this.dropped(parsed.error.issues[0]?.message ?? "invalid");
    this.handle(parsed.data);
    // Insight (issue 10): keep steps with every node's numbers for replay requests (record() ignores subsets and mismatches).
    if (parsed.data.type === "step/report" && this.topology?.hash === parsed.data.hash) this.insight.record(parsed.data.step, parsed.data.loss, this.topology, parsed.data.values, parsed.data.updates);
  }

  private handle(msg: WorkerMessage): void {
    switch (msg.type) {
      case "worker/ready":
        return this.watchdog.start(msg.rss);
      case "step/report": {
        if (msg.topology) this.topology = msg.topology;
        const t = this.topology;
        const n = t?.op.length ?? -1;
        if (!t || t.hash !== msg.hash) return this.dropped("a step without its topology");
        if (!valuesFit(n, msg.values, msg.nodes) || msg.updates.some((u) => u.node >= n)) return this.dropped("values that do not match the topology");
        this.steps = Math.max(this.steps, msg.step);
        const { values, subset } = msg.nodes ? { values: msg.values, subset: msg.nodes } : this.subset.pick(t, msg.values);
        const report: Extract<RunnerMessage, { type: "step/report" }> = { type: "step/report", step: msg.step, loss: msg.loss, hash: msg.hash, topology: msg.topology, values, subset, updates: msg.updates };
        // A new shape always goes at once; otherwise at most one report per hostReportMs (the newest waits).
        // The losses go now either way: with the report, or on their own while it waits.
        const now = performance.now();
        if (msg.topology || now - this.hostReportAt >= (this.spec.hostReportMs ?? 0)) this.sendReport(msg.losses ? { ...report, losses: msg.losses } : report, n);
        else {
          if (msg.losses) this.sendLosses(msg.losses);
          this.unsentReport = { msg: report, n };
        }
        if (!msg.nodes) {
          this.latest = { step: msg.step, loss: msg.loss, hash: msg.hash, values: msg.values, updates: msg.updates };
          // One update in flight at a time: a panel slower than the model gets fewer steps, never a queue of stale ones.
          if (this.view && this.viewInFlight) this.viewPending = true;
          else if (this.view) this.sendView(this.latest);
        }
        return;
      }
      case "loss/batch":
        return this.sendLosses(msg);
      case "run/paused":
        this.setPaused(true);
        this.flushReport();
        return this.host.send(msg);
      case "run/resumed":
        this.setPaused(false);
        return this.host.send(msg);
      case "model/warning":
        return this.host.send({ type: "model/warning", message: msg.message, loc: this.errors!.location(msg.loc) });
      case "health/finding": {
        const { loc, ...f } = msg.finding;
        return this.host.send({ type: "health/finding", finding: { ...f, location: this.errors!.location(loc) } });
      }
      case "run/break": {
        const { loc, ...b } = msg.break;
        return this.host.send({ type: "run/break", break: { ...b, location: this.errors!.location(loc) } });
      }
      case "run/end":
        return this.end(msg.reason, undefined, msg.steps);
      case "run/error":
        return this.end("error", this.errors!.fromThrown(msg.kind, msg.thrown), msg.steps);
    }
  }

  /** The subscribed view's numbers of a step, if the subscription was made for its shape. */
  private sendView(s: NonNullable<ModelRun["latest"]>): void {
    const view = this.view, t = this.topology;
    if (!view || !t || view.hash !== s.hash || t.hash !== s.hash) return;
    if (this.resolved?.hash !== s.hash) {
      // The group tree depends on the shape only: kept across subscriptions to it.
      if (this.tree?.hash !== t.hash) this.tree = { hash: t.hash, tree: buildGroupTree(t) };
      this.resolved = resolveView(t, view, this.tree.tree);
    }
    const p = viewPayload(this.resolved, s.values);
    // The optimizer's updates of the drawn nodes only (a moons step updates 337 parameters: ~35 KB).
    const updates = s.updates.filter((u) => u.node >= 0 && hasNode(p.nodes, u.node));
    const bytes = 20 * p.nodes.length + 36 * p.groups.length + 256;
    this.sendCounted({ type: "view/update", step: s.step, loss: s.loss, hash: s.hash, nodes: p.nodes, data: p.data, grad: p.grad, groups: p.groups, agg: p.agg, updates }, bytes);
    this.viewInFlight = true;
    clearTimeout(this.viewTimer);
    this.viewTimer = setTimeout(() => this.viewAck(), VIEW_ACK_MS);
    this.viewTimer.unref();
  }

  private sendLosses({ from, losses }: Losses): void {
    this.steps = Math.max(this.steps, from + losses.length - 1);
    this.sendCounted({ type: "loss/batch", from, losses }, losses.byteLength + 64);
  }

  /** A step's report to the host (its numbers are most of the bytes that count towards flow control). */
  private sendReport(report: Extract<RunnerMessage, { type: "step/report" }>, n: number): void {
    this.unsentReport = undefined;
    this.hostReportAt = performance.now();
    this.sendCounted(report, 16 * report.values.data.length + (report.topology ? 40 * n : 0) + (report.losses?.losses.byteLength ?? 0) + 256);
  }

  /** The newest report the host has not had yet, before the host hears that the run paused or ended. */
  private flushReport(): void {
    if (this.unsentReport) this.sendReport(this.unsentReport.msg, this.unsentReport.n);
  }

  /** Sends a message whose size counts towards flow control. */
  private sendCounted(msg: RunnerMessage, bytes: number): void {
    this.queuedBytes += bytes;
    this.updateHold();
    this.host.send(msg, () => {
      this.queuedBytes -= bytes;
      this.updateHold();
    });
  }

  private updateHold(): void {
    if (this.ended) return;
    const held = this.hostHold || this.queuedBytes > HOLD_BYTES;
    setHold(this.ctl, held);
    this.held = held;
    this.updateClock();
  }

  private dropped(why: string): void {
    this.host.send({ type: "console/batch", chunks: [{ level: "error", text: `Gradscope: dropped a malformed message from the model's thread (${why}).\n` }] });
  }

  private errorAtLoc(kind: ModelError["kind"], message: string): ModelError {
    const loc = Atomics.load(this.ctl, Ctl.LOC);
    return this.errors?.at(kind, message, loc) ?? { kind, message };
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    this.updateClock();
  }

  /** The time limit counts running time only: not while paused, nor while held for a slow host. */
  private updateClock(): void {
    const stopped = this.paused || this.held;
    if (stopped === this.clockStopped) return;
    const now = performance.now();
    if (stopped) this.runningMs += now - this.runningSince;
    else this.runningSince = now;
    this.clockStopped = stopped;
  }

  private startTimer(): void {
    const limit = this.spec.timeoutSeconds * 1000;
    if (limit <= 0) return;
    this.timer = setInterval(() => {
      const ran = this.runningMs + (this.clockStopped ? 0 : performance.now() - this.runningSince);
      if (ran >= limit) this.end("timeout", this.errorAtLoc("timeout", `The model ran for more than ${this.spec.timeoutSeconds} s (the time limit) and was stopped.`));
    }, Math.min(100, limit));
  }

  private fail(error: ModelError): void {
    this.end("error", error);
  }

  private end(reason: EndReason, error?: ModelError, steps = this.steps): void {
    if (this.ended) return;
    this.ended = true;
    this.watchdog.stop();
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.viewTimer);
    // Stop the model before anything else: nothing it does after this moment may reach the host.
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    this.relay.close();
    this.flushReport();
    // The view shows the run's last step, acknowledged or not.
    if (this.viewPending && this.latest) this.sendView(this.latest);
    const detail = reason === "finished" && steps === 0 ? noBackwardDetail(this.spec.file) : undefined;
    this.host.send({ type: "run/end", reason, steps, ...(error ? { error } : {}), ...(detail ? { detail } : {}) }, () => this.onDone());
  }
}

function noBackwardDetail(file: string): string {
  return `${path.basename(file)} never called backward(): nothing to step. Call loss.backward() on the value you want to minimise; each call is one step.`;
}

/** Values of every node (no `nodes`), or of the ascending, in-range nodes listed. */
function valuesFit(n: number, v: GraphValues, nodes: Int32Array | undefined): boolean {
  const len = nodes ? nodes.length : n;
  if (v.data.length !== len || v.grad.length !== len) return false;
  if (!nodes) return true;
  for (let j = 0, last = -1; j < nodes.length; last = nodes[j++]) if (nodes[j] <= last || nodes[j] >= n) return false;
  return true;
}
