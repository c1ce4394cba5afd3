import type { MessagePort } from "node:worker_threads";
import { z } from "zod";
import { AnyNumber, GraphTopologySchema, GraphValuesSchema, LossesSchema, ParamUpdateSchema, SourceLocationSchema } from "./graph";
import type { CompiledModule } from "../runner/compile/compile";
import { WorkerBreakMessageSchema, WorkerFindingMessageSchema, type HealthSpec } from "./health";

/**
 * The runner process ⇄ the model worker (both inside the model's own OS
 * process). The worker runs user code, so everything it sends is checked in
 * the runner process before it goes on to the host: shapes by these schemas,
 * file paths and locations against the compiler's own tables.
 */

/** What the runner process hands the model worker at start (workerData). */
export interface WorkerInit {
  /** The model's compiled files; modules[0] is the entry. */
  modules: CompiledModule[];
  entryFile: string;
  /** Health detectors and breakpoints (issue 10; src/analysis/health/). */
  health?: HealthSpec;
  locations: z.infer<typeof SourceLocationSchema>[];
  /** The step gate (see runner/control.ts). */
  control: SharedArrayBuffer;
  /** The console output ring (see runner/outputRing.ts). */
  output: SharedArrayBuffer;
  /**
   * The worker's private channel to the runner process (transferred). The worker takes it
   * out of workerData before user code runs; parentPort is left to the model and ignored.
   */
  port?: MessagePort;
  throttleMs: number;
  reportEvery?: number;
  maxSteps: number;
  maxNodesPerStep: number;
  /** Which nodes' numbers each step/report carries (the reporter selects them in the worker: the rest are never copied). */
  values: "all" | "leaves" | "none";
  /** Record the optimizers' parameter updates for each report (RunSpec.updates). */
  updates: boolean;
}

/** A thrown value as the worker saw it; the runner process maps the stack to the user's files itself. */
export const ThrownSchema = z.object({
  /** `${name}: ${message}` for an Error, `Uncaught <util.inspect of the value>` otherwise. */
  message: z.string(),
  /** The Error's name (a SyntaxError's stack has its location in a header line, not in frames). */
  name: z.string().optional(),
  /** The raw V8 stack (positions in the bundle), for Errors. */
  stack: z.string().optional(),
  /** The statement that was running (index into the compiler's locations), or -1. */
  loc: z.number().int(),
});
export type Thrown = z.infer<typeof ThrownSchema>;

/** Worker → runner process. */
export const WorkerMessageSchema = z.discriminatedUnion("type", [
  /** Sent once, right before the first line of user code: the process's resident memory then (the watchdog's baseline). */
  z.object({ type: z.literal("worker/ready"), rss: z.number().min(0) }),
  /** A step's graph: `topology` only when its hash differs from the last one sent. Its `locations` are replaced by the compiler's. */
  z.object({
    type: z.literal("step/report"),
    step: z.number().int().min(1),
    loss: AnyNumber,
    hash: z.string(),
    topology: GraphTopologySchema.optional(),
    values: GraphValuesSchema,
    /** With values "leaves" or "none": the node of each entry of `values`, ascending. */
    nodes: z.instanceof(Int32Array<ArrayBuffer>).optional(),
    updates: z.array(ParamUpdateSchema),
    /** The losses not sent yet, this step's last: a run that reports every step sends one message a step. */
    losses: LossesSchema.optional(),
  }),
  z.object({ type: z.literal("loss/batch"), ...LossesSchema.shape }),
  /** The worker blocked after backward() of this step. */
  z.object({ type: z.literal("run/paused"), step: z.number().int().min(0) }),
  /** The worker was released and runs on. */
  z.object({ type: z.literal("run/resumed"), step: z.number().int().min(0) }),
  /** A likely mistake in the model (e.g. gradients not zeroed); `loc` indexes the compiler's locations. */
  z.object({ type: z.literal("model/warning"), message: z.string(), loc: z.number().int() }),
  /** The model finished, or reached the step limit. */
  z.object({ type: z.literal("run/end"), reason: z.enum(["finished", "max-steps"]), steps: z.number().int().min(0) }),
  /** The model threw, broke a limit, or called process.exit(n ≠ 0). */
  z.object({ type: z.literal("run/error"), kind: z.enum(["runtime", "limit"]), thrown: ThrownSchema, steps: z.number().int().min(0) }),
  /** Health (issue 10): a finding; a breakpoint that fired (the worker then pauses). */
  WorkerFindingMessageSchema,
  WorkerBreakMessageSchema,
]);
export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;

/**
 * How every worker message travels: `seq` numbers the messages 0, 1, 2, … and
 * the worker writes a marker with the same number into the output ring just
 * before posting, so the runner relays prints and steps in the order the model
 * made them.
 */
export interface WorkerEnvelope {
  seq: number;
  msg: WorkerMessage;
}
