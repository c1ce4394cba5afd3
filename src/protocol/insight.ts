import { z } from "zod";
import { AnyNumber } from "./graph";
import { BreakOnSchema, BreakSchema, FindingSchema, GradcheckRowSchema, HealthOptionsSchema } from "./health";

/**
 * Gradient insight requests (issue 10 §3–§6): the panel asks, the host relays
 * unchanged to the runner process, the runner answers from its recorded graph
 * of that step (replayed with src/engine/rules.ts: the user's code never runs
 * again), and the host relays the answer unchanged to the panel. One shape on
 * both hops:
 *
 *   panel → host → runner   { type: "insight/request",  request:  InsightRequest }
 *   runner → host → panel   { type: "insight/response", response: InsightResponse }
 *
 * Every request carries an `id` (chosen by the panel, echoed by the response)
 * and the `step` whose graph it is about. Nodes are indices into that step's
 * graph (GraphTopology order). The runner answers from its step history; when
 * it no longer (or never) held that step it answers from the latest step it
 * has, says so in `source`/`note`, and the response's `step` is the one
 * actually used. A request that cannot be answered gets `kind: "error"`.
 *
 * Findings and breakpoints (issue 10 §1–§2) travel runner → host as events:
 *
 *   { type: "health/finding", finding: Finding }
 *   { type: "run/break", break: Break }        (the run is paused, or ends in the CLI)
 *
 * Contract with insight-ui: from the commit that introduced this file on, the
 * shapes here only grow (new optional fields, new kinds); nothing is renamed
 * or removed.
 */

const Id = z.number().int().min(0);
const Step = z.number().int().min(1);
const NodeIndex = z.number().int().min(0);

const base = { id: Id, step: Step, hash: z.string().optional() };

/** Gradcheck one node (a leaf, or any node: then its inputs' leaves are nudged), or every parameter (every leaf when there are none). */
export const GradcheckRequestSchema = z.object({
  kind: z.literal("gradcheck"),
  ...base,
  /** The leaf to check; omitted = all parameters (or all leaves when the graph has no parameters). */
  node: NodeIndex.optional(),
  /** Finite-difference step h (default 1e-6 · max(1, |x|)). */
  eps: z.number().gt(0).optional(),
  /** relError above this is flagged (default 1e-4). */
  tol: z.number().gt(0).optional(),
});

/** Set one leaf to a new value, replay forward and backward. */
export const WhatIfRequestSchema = z.object({
  kind: z.literal("what-if"),
  ...base,
  /** A leaf (input or parameter) of the step's graph. */
  node: NodeIndex,
  value: AnyNumber,
});

/** Why does this node have the gradient it has: the top-k paths to the loss. */
export const ExplainRequestSchema = z.object({
  kind: z.literal("explain"),
  ...base,
  node: NodeIndex,
  /** How many paths to list (default 5, at most 50). */
  k: z.number().int().min(1).max(50).optional(),
});

/** Per-layer statistics of the step (the layer dashboard). */
export const LayerStatsRequestSchema = z.object({
  kind: z.literal("layer-stats"),
  ...base,
  /** Histogram bins (default 20). */
  bins: z.number().int().min(2).max(200).optional(),
  /** Also return log10(update/data) per layer for up to this many earlier steps the runner still holds (default 0). */
  historySteps: z.number().int().min(0).max(1000).optional(),
});

export const InsightRequestSchema = z.discriminatedUnion("kind", [
  GradcheckRequestSchema,
  WhatIfRequestSchema,
  ExplainRequestSchema,
  LayerStatsRequestSchema,
]);
export type InsightRequest = z.infer<typeof InsightRequestSchema>;
export type GradcheckRequest = z.infer<typeof GradcheckRequestSchema>;
export type WhatIfRequest = z.infer<typeof WhatIfRequestSchema>;
export type ExplainRequest = z.infer<typeof ExplainRequestSchema>;
export type LayerStatsRequest = z.infer<typeof LayerStatsRequestSchema>;

// ---------------------------------------------------------------- responses

/** Where the answer came from: the step asked for, from the runner's history ring, or the latest step the runner had (then `note` says why). */
export const AnswerSourceSchema = z.enum(["history", "latest"]);

const answer = {
  id: Id,
  /** The step whose graph was used (the requested one, unless source is "latest"). */
  step: z.number().int().min(0),
  source: AnswerSourceSchema,
  /** Set when the answer is not from exactly the step asked for, or is approximate. */
  note: z.string().optional(),
};

export const GradcheckResponseSchema = z.object({
  kind: z.literal("gradcheck"),
  ...answer,
  /** Sorted by relError, largest first. */
  rows: z.array(GradcheckRowSchema),
  /** The loss of the replayed graph at the recorded values (equals the recorded loss unless the graph does not reproduce it). */
  loss: AnyNumber,
  tol: z.number(),
});

export const WhatIfResponseSchema = z.object({
  kind: z.literal("what-if"),
  ...answer,
  node: NodeIndex,
  /** The leaf's recorded value and the new one. */
  before: AnyNumber,
  after: AnyNumber,
  lossBefore: AnyNumber,
  lossAfter: AnyNumber,
  /** grad · Δx, with the recorded step's gradient of the leaf (the replayed one: see GradcheckRow.recorded). */
  predicted: AnyNumber,
  /** lossAfter − lossBefore. */
  actual: AnyNumber,
  /** Per node of the step's graph: data after − data before (for colouring by how much each moved). */
  moved: z.instanceof(Float64Array),
  /** The replayed graph's data and grads at the new value (to show it as a step). */
  data: z.instanceof(Float64Array),
  grad: z.instanceof(Float64Array),
});

/** One path from the explained node to the loss. */
export const GradPathSchema = z.object({
  /** Node indices from the explained node (first) to the loss (last). */
  nodes: z.array(NodeIndex),
  /** factors[i] = ∂nodes[i+1]/∂nodes[i], the local derivative along each edge (rules.ts). */
  factors: z.array(AnyNumber),
  /** The product of the factors: this path's share of the gradient. */
  product: AnyNumber,
});
export type GradPath = z.infer<typeof GradPathSchema>;

/**
 * Why a gradient is zero (or vanishingly small):
 *  - not-connected: no path from the node to the loss;
 *  - relu-off: every path goes through a ReLU whose input was ≤ 0 (`node` is the first such ReLU);
 *  - saturated: every path goes through a tanh/sigmoid whose local derivative is ~0 (`node`, |out| in detail);
 *  - zero-factor: every path has a zero local derivative of another kind (× 0, ^0…);
 *  - cancelled: paths carry gradient, but they sum to ~0.
 */
export const ZeroReasonSchema = z.object({
  kind: z.enum(["not-connected", "relu-off", "saturated", "zero-factor", "cancelled"]),
  /** The node that cuts the gradient, or −1. */
  node: z.number().int().min(-1),
  detail: z.string(),
});
export type ZeroReason = z.infer<typeof ZeroReasonSchema>;

export const ExplainResponseSchema = z.object({
  kind: z.literal("explain"),
  ...answer,
  node: NodeIndex,
  /** The loss node (the root). */
  loss: NodeIndex,
  /** ∂loss/∂node by replayed backward (equals the sum over all paths). */
  gradient: AnyNumber,
  /** The gradient the run recorded for the node. */
  recorded: AnyNumber,
  /** Top-k paths by |product|, largest first. */
  paths: z.array(GradPathSchema),
  /** Σ product over the listed paths (compare with `gradient`). */
  sumShown: AnyNumber,
  /** Number of paths from the node to the loss (≥ 0; may be huge: a float, Infinity past 1.8e308). */
  pathCount: AnyNumber,
  /** Present when |gradient| is ~0. */
  zero: ZeroReasonSchema.optional(),
});

/** A histogram over [min, max] in equal bins; non-finite values are counted apart. */
export const HistogramSchema = z.object({
  min: AnyNumber,
  max: AnyNumber,
  counts: z.array(z.number().int().min(0)),
  nonFinite: z.number().int().min(0),
  mean: AnyNumber,
  std: AnyNumber,
});
export type Histogram = z.infer<typeof HistogramSchema>;

export const LayerStatSchema = z.object({
  /** The layer's group path (`MLP/layer1`): a group whose subgroups are its neurons, or a group with none. */
  path: z.string(),
  /** Group indices (into the step's topology.groups) that belong to the layer. */
  groups: z.array(z.number().int().min(0)),
  /** Which nodes the activation histogram is of: the layer's nonlinearity outputs, or all its op nodes when it has none. */
  activationOp: z.string(),
  activations: HistogramSchema,
  /** Gradients of those same nodes. */
  gradients: HistogramSchema,
  /** Share of tanh/sigmoid outputs with |t| > 0.97 (sigmoid: |2s − 1|), or null when the layer has none. */
  saturated: z.number().min(0).max(1).nullable(),
  /** Share of ReLU outputs that are 0 (input ≤ 0) in this step, or null when the layer has none. */
  dead: z.number().min(0).max(1).nullable(),
  /** log10(rms(update) / rms(data)) over the layer's parameters for the update that led to this step, or null (no update recorded). */
  updateRatioLog10: AnyNumber.nullable(),
  parameters: z.number().int().min(0),
});
export type LayerStat = z.infer<typeof LayerStatSchema>;

export const LayerStatsResponseSchema = z.object({
  kind: z.literal("layer-stats"),
  ...answer,
  layers: z.array(LayerStatSchema),
  /** Earlier steps' log10(update/data), one entry per step held, values aligned with `layers` (null where unknown). */
  history: z.array(z.object({ step: z.number().int().min(1), updateRatioLog10: z.array(AnyNumber.nullable()) })),
});

export const InsightErrorSchema = z.object({
  kind: z.literal("error"),
  id: Id,
  /** The request's kind, when it could be read. */
  request: z.string().optional(),
  message: z.string(),
});

export const InsightResponseSchema = z.discriminatedUnion("kind", [
  GradcheckResponseSchema,
  WhatIfResponseSchema,
  ExplainResponseSchema,
  LayerStatsResponseSchema,
  InsightErrorSchema,
]);
export type InsightResponse = z.infer<typeof InsightResponseSchema>;
export type GradcheckResponse = z.infer<typeof GradcheckResponseSchema>;
export type WhatIfResponse = z.infer<typeof WhatIfResponseSchema>;
export type ExplainResponse = z.infer<typeof ExplainResponseSchema>;
export type LayerStatsResponse = z.infer<typeof LayerStatsResponseSchema>;
export type InsightError = z.infer<typeof InsightErrorSchema>;

// ---------------------------------------------------------------- envelopes

/** Panel → host and host → runner. */
export const InsightRequestMessageSchema = z.object({ type: z.literal("insight/request"), request: InsightRequestSchema });
/** Runner → host and host → panel. */
export const InsightResponseMessageSchema = z.object({ type: z.literal("insight/response"), response: InsightResponseSchema });
/** Runner → host: a health finding (location resolved by the runner from the compiler's table). */
export const FindingMessageSchema = z.object({ type: z.literal("health/finding"), finding: FindingSchema });
/** Runner → host: a training breakpoint fired (the model is paused at `break.step`; the CLI ends the run with reason "breakpoint"). */
export const BreakMessageSchema = z.object({ type: z.literal("run/break"), break: BreakSchema });

/**
 * Host → runner: change what pauses the run and the detectors' thresholds
 * while it runs (the panel's breakpoint toggles, settings). Fields left out
 * keep their current value. A run starts with `nan: true` (pause on the first
 * non-finite value) unless told otherwise.
 */
export const HealthConfigureMessageSchema = z.object({
  type: z.literal("health/configure"),
  breakOn: BreakOnSchema.optional(),
  options: HealthOptionsSchema.optional(),
});

export type HealthConfigureMessage = z.infer<typeof HealthConfigureMessageSchema>;
export type InsightRequestMessage = z.infer<typeof InsightRequestMessageSchema>;
export type InsightResponseMessage = z.infer<typeof InsightResponseMessageSchema>;
export type FindingMessage = z.infer<typeof FindingMessageSchema>;
export type BreakMessage = z.infer<typeof BreakMessageSchema>;
