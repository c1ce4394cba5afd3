import type { Snapshot, SourceLocation } from "../protocol/graph";
import type { EndReason, ModelError, RunState } from "../protocol/run";
import type { RunnerMessage } from "../protocol/runner";

/** How to run a model. Every limit has a default (see DEFAULT_LIMITS). */
export interface RunOptions {
  /** Absolute path of the user's entry file (.ts or .js). */
  file: string;
  /** The entry file's current text, if it differs from disk (an unsaved editor). */
  source?: string;
  /** Start paused: block at the first backward() until told to go on. */
  startPaused?: boolean;
  /** Stop after this many steps (backward() calls). */
  maxSteps?: number;
  /** Which nodes' numbers each report carries: every node (default), the leaves only, or none; in snapshots the nodes left out read NaN. */
  values?: "all" | "leaves" | "none";
  /** Whether snapshots carry the optimizers' parameter updates (default true): hovers and exports show them; a host that prints values only saves their cost. */
  updates?: boolean;
  /** Minimum milliseconds between full reports while running; 0 reports every step. Losses are never dropped. */
  throttleMs?: number;
  /** Report every Nth step (and the first, the last, a paused one, one with a non-finite loss) instead of by time: throttleMs is then unused. */
  reportEvery?: number;
  /**
   * Minimum milliseconds between the reports that reach this host while the model runs (the subscribed view's
   * updates keep throttleMs); 0 or unset: every report. Paused and ended runs always deliver their last step.
   */
  hostReportMs?: number;
  /** A step that builds more nodes than this fails with a clear error. */
  maxNodesPerStep?: number;
  /** The model's memory limit: its process's resident memory above what it held before the model's first line (see runner/process/memoryWatchdog.ts). */
  memoryLimitMb?: number;
  /** Wall-clock limit on running time (paused time does not count); 0 = none. */
  timeoutSeconds?: number;
  /**
   * How many recent full snapshots to keep for going back in time. With 1 (a host that never goes back, like
   * the CLI), the full-length arrays of a subset of values are reused from step to step: a snapshot's numbers
   * then hold until the next step is reported.
   */
  historySnapshots?: number;
  /** Health detectors' thresholds and breakpoint conditions (issue 10); default: pause on the first non-finite value. */
  health?: import("../protocol/health").HealthSpec;
}

export const DEFAULT_LIMITS = {
  maxNodesPerStep: 2_000_000,
  memoryLimitMb: 2048,
  timeoutSeconds: 0,
  throttleMs: 33,
  historySnapshots: 20,
} as const;

/** What a session tells its consumer (the CLI, the extension). */
export type SessionEvent =
  /** Insight (issue 10): a health finding; a breakpoint that fired (the model is paused there); the answer to insight(). */
  | { type: "finding"; finding: import("../protocol/health").Finding }
  | { type: "break"; brk: import("../protocol/health").Break }
  | { type: "insight"; response: import("../protocol/insight").InsightResponse }
  /** The run state or step counter changed. */
  | { type: "state"; state: RunState; step: number; error?: ModelError }
  /** A step's graph; `shapeChanged` is true when the topology differs from the last graph event's. */
  | { type: "graph"; snapshot: Snapshot; shapeChanged: boolean }
  /** Losses of consecutive steps: losses[i] belongs to step from + i. Every step's loss arrives exactly once. */
  | { type: "loss"; from: number; losses: Float64Array }
  /** A step's numbers for the subscribed view (ModelSession.subscribeView): its nodes' values, its collapsed groups' aggregates. */
  | { type: "view"; update: ViewUpdate }
  /** The model's console output. */
  | { type: "console"; level: "log" | "info" | "warn" | "error" | "debug"; text: string }
  /** A likely mistake in the model, e.g. gradients not zeroed between steps; `loc` is where the model was. */
  | { type: "warning"; message: string; loc?: SourceLocation }
  /** The run is over; `detail` explains an outcome that needs it (a model that never called backward()). */
  | { type: "end"; reason: EndReason; steps: number; error?: ModelError; detail?: string };

/** See RunnerMessage "view/update" (protocol/runner.ts) and runner/process/viewPayload.ts. */
export type ViewUpdate = Omit<Extract<RunnerMessage, { type: "view/update" }>, "type">;
