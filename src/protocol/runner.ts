import { z } from "zod";
import { AnyNumber, GraphTopologySchema, GraphValuesSchema, LossesSchema, ParamUpdateSchema, SourceLocationSchema } from "./graph";
import { EndReasonSchema, ModelErrorSchema } from "./run";
import { HealthSpecSchema } from "./health";
import { BreakMessageSchema, FindingMessageSchema, HealthConfigureMessageSchema, InsightRequestMessageSchema, InsightResponseMessageSchema } from "./insight";

/**
 * The host (extension host, CLI) ⇄ the runner process (dist/runner.js, the
 * model's own OS process), over the IPC channel of child_process.fork with
 * `serialization: "advanced"`: typed arrays cross as binary. Both sides
 * validate what arrives.
 */

export const OutputLevelSchema = z.enum(["log", "info", "warn", "error", "debug"]);

/** How to run the model: RunOptions minus what stays in the host. */
export const RunSpecSchema = z.object({
  file: z.string(),
  source: z.string().optional(),
  startPaused: z.boolean(),
  maxSteps: z.number().int().min(0),
  throttleMs: z.number().min(0),
  /** Every Nth step is reported instead of by time (RunOptions.reportEvery). */
  reportEvery: z.number().int().min(1).optional(),
  maxNodesPerStep: z.number().int().min(1),
  memoryLimitMb: z.number().min(1),
  timeoutSeconds: z.number().min(0),
  /** Which nodes' numbers each step/report carries: all, the leaves (inputs and parameters), or none. */
  values: z.enum(["all", "leaves", "none"]),
  /** Whether reports carry the optimizers' parameter updates (default true; a moons SGD step updates 337 parameters). */
  updates: z.boolean().optional(),
  /**
   * At most one step/report per this many ms reaches the host while the model runs (0: every report). A
   * paused or ended run's host always gets its last step first. The view's own updates are not slowed.
   */
  hostReportMs: z.number().min(0).optional(),
  /** Health detectors' thresholds and breakpoint conditions (issue 10). */
  health: HealthSpecSchema.optional(),
});
export type RunSpec = z.infer<typeof RunSpecSchema>;

/** Host → runner process. */
export const HostCommandSchema = z.discriminatedUnion("type", [
  /** Insight (issue 10): a replay request about a recorded step; new breakpoint conditions / thresholds. */
  InsightRequestMessageSchema,
  HealthConfigureMessageSchema,
  /** Compile and run this model (the first and only start a runner process gets). */
  z.object({ type: z.literal("run/start"), spec: RunSpecSchema }),
  /** Set the step gate: -1 run freely, 0 pause, n > 0 run n more steps (see runner/control.ts). */
  z.object({ type: z.literal("control/gate"), steps: z.number().int().min(-1) }),
  /** Flow control: the host is behind (true) or has caught up (false); a held model waits after its next backward() without pausing. */
  z.object({ type: z.literal("control/hold"), on: z.boolean() }),
  /** The host has taken a console/batch: the runner may send the next (flow control). */
  z.object({ type: z.literal("console/ack") }),
  /**
   * What a view shows (see runner/process/viewPayload.ts): the shape it was made for, its open groups and
   * extra nodes. The runner answers with a view/update for the latest step at once, then one per reported step
   * of that shape. Replaces the previous subscription.
   */
  z.object({ type: z.literal("view/subscribe"), hash: z.string(), expanded: z.array(z.string()).max(1_000_000), nodes: z.instanceof(Int32Array) }),
  /** The view is hidden or gone: no view/update until the next view/subscribe. */
  z.object({ type: z.literal("view/unsubscribe") }),
  /** The view has drawn the last view/update: the runner may send the next (flow control; see ModelRun.sendView). */
  z.object({ type: z.literal("view/ack") }),
]);
export type HostCommand = z.infer<typeof HostCommandSchema>;

/** Runner process → host. */
export const RunnerMessageSchema = z.discriminatedUnion("type", [
  /** Insight (issue 10): the answer to an insight/request; a health finding; a breakpoint hit. */
  InsightResponseMessageSchema,
  FindingMessageSchema,
  BreakMessageSchema,
  /** Compiled; the model's worker is starting. */
  z.object({ type: z.literal("run/launched") }),
  /** A step's graph: `topology` only when its hash differs from the last one sent. */
  z.object({
    type: z.literal("step/report"),
    step: z.number().int().min(1),
    loss: AnyNumber,
    hash: z.string(),
    topology: GraphTopologySchema.optional(),
    values: GraphValuesSchema,
    /** Present when the host asked for some nodes' numbers only: values.data[j] belongs to node subset[j]. */
    subset: z.instanceof(Int32Array).optional(),
    updates: z.array(ParamUpdateSchema),
    /** The losses not sent yet, this step's last (a report that goes at once carries them: one message a step). */
    losses: LossesSchema.optional(),
  }),
  z.object({ type: z.literal("loss/batch"), ...LossesSchema.shape }),
  /** A step's numbers for the subscribed view: values of its nodes, aggregates of its collapsed groups (AGG_WIDTH numbers each), the optimizer's updates of its nodes. */
  z.object({
    type: z.literal("view/update"),
    step: z.number().int().min(1),
    loss: AnyNumber,
    hash: z.string(),
    nodes: z.instanceof(Int32Array),
    data: z.instanceof(Float64Array),
    grad: z.instanceof(Float64Array),
    groups: z.instanceof(Int32Array),
    agg: z.instanceof(Float64Array),
    updates: z.array(ParamUpdateSchema),
  }),
  /** The model blocked after backward() of this step. */
  z.object({ type: z.literal("run/paused"), step: z.number().int().min(0) }),
  /** The model was released and runs on. */
  z.object({ type: z.literal("run/resumed"), step: z.number().int().min(0) }),
  /** The model's console output: whole lines, in order, each chunk one level. The host answers console/ack. */
  z.object({ type: z.literal("console/batch"), chunks: z.array(z.object({ level: OutputLevelSchema, text: z.string() })) }),
  /** A likely mistake in the model (e.g. gradients not zeroed), where the model was. */
  z.object({ type: z.literal("model/warning"), message: z.string(), loc: SourceLocationSchema.optional() }),
  /** The run is over; `detail` says more when the outcome needs explaining (e.g. no backward() call). */
  z.object({ type: z.literal("run/end"), reason: EndReasonSchema, steps: z.number().int().min(0), detail: z.string().optional(), error: ModelErrorSchema.optional() }),
]);
export type RunnerMessage = z.infer<typeof RunnerMessageSchema>;
