import { engine } from "../../engine/context";
import { reachedByLastBackward } from "../../engine/reached";
import type { Value } from "../../engine/value";
import type { GraphTopology } from "../../protocol/graph";
import type { BreakOn, HealthOptions, RawBreak, RawFinding } from "../../protocol/health";
import { HealthConfigureMessageSchema } from "../../protocol/insight";
import { dense, HealthTracker, type NodeNumbers, type StepHealth, type UnreachedParam } from "./tracker";

/** What the model worker's health glue sends (the messages of protocol/health.ts's worker side). */
export type HealthPost = (msg: { type: "health/finding"; finding: RawFinding } | { type: "run/break"; break: RawBreak }) => void;

export interface HealthSpec {
  options?: HealthOptions;
  breakOn?: BreakOn;
}

/** Parameters kept for the no-grad check, at most: a model that makes a new module every step must not grow this without bound. */
const MAX_TRACKED_PARAMS = 100_000;

/**
 * The detectors' glue in the model worker: modelWorker.ts calls these few
 * hooks; everything else is here. The step's numbers come from the report
 * the worker builds anyway;
 * findings are posted after the step's report, so the host has the graph
 * they point into.
 */
export class WorkerHealth {
  readonly tracker: HealthTracker;
  private topology: GraphTopology | undefined;
  private pending: StepHealth | null = null;

  /**
   * @param pauseHere closes the step gate and blocks until released (a model's own breakpoint() call).
   * @param receive the next message the runner process sent the worker, or undefined (health/configure).
   */
  constructor(
    spec: HealthSpec | undefined,
    private readonly post: HealthPost,
    private readonly pauseHere: (step: number) => void,
    private readonly receive: () => unknown = () => undefined,
  ) {
    this.tracker = new HealthTracker(spec?.options, spec?.breakOn ?? { nan: true });
    engine.trackParams = true;
    engine.onBreakpoint = (message) => {
      const step = engine.steps;
      this.post({ type: "run/break", break: { kind: "call", step, node: -1, loc: engine.loc, message: message.slice(0, 1500) || "breakpoint()" } });
      this.pauseHere(step);
    };
  }

  /** Every step, O(1): true when this step must be reported (its numbers are needed to check it). */
  mustReport(step: number, loss: number): boolean {
    for (let m = this.receive(); m !== undefined; m = this.receive()) {
      const c = HealthConfigureMessageSchema.safeParse(m);
      if (c.success) this.tracker.configure(c.data.breakOn, c.data.options);
    }
    return this.tracker.onLoss(step, loss);
  }

  /**
   * A reported step, before its buffers leave: run the detectors. They need
   * every node's numbers: `inPlace` says where they all are in the store (the
   * report may carry a subset, `nodes`: the host asked for leaves or none),
   * and whether the engine vouches for its op nodes' data, so that the check
   * reads the leaves' data only. Without it, the report's own numbers.
   */
  check(
    step: number,
    report: { topology?: GraphTopology; values: { data: Float64Array; grad: Float64Array }; nodes?: Int32Array },
    inPlace?: () => NodeNumbers,
  ): void {
    if (report.topology) this.topology = report.topology;
    const t = this.topology;
    const nums = inPlace ? inPlace() : report.nodes ? undefined : dense(report.values.data, report.values.grad);
    if (!t || !nums || t.op.length !== nums.n) return;
    this.pending = this.tracker.onReport(step, t, nums, this.unreached());
  }

  /** After the step's report was posted: the findings, and whether a breakpoint fired (then the caller pauses). */
  flush(): boolean {
    const p = this.pending;
    this.pending = null;
    if (!p) return false;
    for (const f of p.findings) this.post({ type: "health/finding", finding: f });
    if (p.brk) this.post({ type: "run/break", break: p.brk });
    return p.brk !== null;
  }

  /** The engine's not-zeroed warning, as a finding too. */
  notZeroed(message: string, leaf: Value | undefined): void {
    const f = this.tracker.notZeroed(Math.max(1, engine.steps + 1), leaf?.label ?? "a leaf", engine.loc, message);
    if (f) this.post({ type: "health/finding", finding: f });
  }

  private unreached(): UnreachedParam[] {
    const ps = engine.params;
    if (ps.length > MAX_TRACKED_PARAMS) ps.splice(0, ps.length - MAX_TRACKED_PARAMS);
    const out: UnreachedParam[] = [];
    for (const p of ps) if (!reachedByLastBackward(p)) out.push({ label: p.label ?? "a parameter", loc: p.loc });
    return out;
  }
}
