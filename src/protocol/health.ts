import { z } from "zod";
import { AnyNumber, SourceLocationSchema } from "./graph";

/**
 * Gradient health (issue 10): what the model worker finds after each
 * backward(), the conditions that pause a run (training breakpoints), and
 * gradcheck results, as they cross process boundaries. The definitions and
 * thresholds live in src/analysis/health/ (see its README).
 */

export const FINDING_KINDS = ["nan-origin", "dead-relu", "saturation", "vanishing", "exploding", "no-grad", "growing-graph", "not-zeroed"] as const;
export const FindingKindSchema = z.enum(FINDING_KINDS);
export type FindingKind = z.infer<typeof FindingKindSchema>;

/** Text the worker writes (labels, details) is bounded: a model cannot flood the host through it. */
const Text = z.string().max(2000);

/**
 * Tunable thresholds of the detectors; every field has a default
 * (DEFAULT_HEALTH in src/analysis/health/options.ts).
 */
export const HealthOptionsSchema = z
  .object({
    /** A ReLU neuron is dead after this many consecutive steps with its input ≤ 0 for every sample. */
    deadReluSteps: z.number().int().min(1),
    /** |t| above this counts a tanh output as saturated (a sigmoid's s when |2s − 1| is above it). */
    saturationLevel: z.number().gt(0).lt(1),
    /** A layer is saturated when more than this share of its tanh/sigmoid outputs are. */
    saturationShare: z.number().gt(0).max(1),
    /** Vanishing / exploding across depth: a layer's grad RMS this many decades below / above the layer nearest the loss. */
    depthDecades: z.number().gt(0),
    /** Vanishing / exploding over time: a layer's grad RMS this many decades off its own recent mean. */
    historyDecades: z.number().gt(0),
    /** Steps of history that mean is taken over (at least half of them must be there). */
    historySteps: z.number().int().min(2),
    /** A parameter is reported once backward() has not reached it for this many steps in a row. */
    noGradSteps: z.number().int().min(1),
    /** A growing graph is reported once the kept node count has grown this many steps in a row. */
    growingSteps: z.number().int().min(1),
  })
  .partial();
export type HealthOptions = z.infer<typeof HealthOptionsSchema>;

/**
 * When to stop a run (each condition fires when it starts, not on every step
 * it stays true): a non-finite value or gradient; the loss rising more than
 * lossUpPct % over one step; any |grad| above gradAbove; a finding of one of
 * these kinds. A model's own breakpoint() call always pauses.
 */
export const BreakOnSchema = z
  .object({
    nan: z.boolean(),
    lossUpPct: z.number().gt(0),
    gradAbove: z.number().gt(0),
    findings: z.array(FindingKindSchema),
  })
  .partial();
export type BreakOn = z.infer<typeof BreakOnSchema>;

/** What a breakpoint hit was: a condition of BreakOn, or the model's breakpoint() call. */
export const BreakKindSchema = z.enum(["nan", "loss-up", "grad-above", "finding", "call"]);
export type BreakKind = z.infer<typeof BreakKindSchema>;

/** A finding as the worker reports it: `loc` indexes the compiler's locations (the runner maps it). */
export const RawFindingSchema = z.object({
  kind: FindingKindSchema,
  step: z.number().int().min(1),
  /** The node to reveal, as an index into the step's graph; −1 when the finding is about something not in it (a parameter the loss does not reach). */
  node: z.number().int().min(-1),
  /** The node's name, or the group's path for group findings (`MLP/layer1/neuron3`). */
  label: Text,
  /** The op of that node (`log`, `relu`, `leaf`), or "" for a layer. */
  op: z.string().max(40),
  loc: z.number().int(),
  /** What happened, with the numbers that triggered it. */
  detail: Text,
});
export type RawFinding = z.infer<typeof RawFindingSchema>;

/** A finding for the host: the location resolved from the compiler's own table. */
export const FindingSchema = RawFindingSchema.omit({ loc: true }).extend({ location: SourceLocationSchema.optional() });
export type Finding = z.infer<typeof FindingSchema>;

/** Why a run paused or ended at a breakpoint, as the worker says it (`loc` as in RawFinding). */
export const RawBreakSchema = z.object({
  kind: BreakKindSchema,
  step: z.number().int().min(0),
  node: z.number().int().min(-1),
  loc: z.number().int(),
  /** For people: what fired, with its numbers (`loss rose 62% (0.41 → 0.66)`, the model's own message). */
  message: Text,
});
export type RawBreak = z.infer<typeof RawBreakSchema>;

export const BreakSchema = RawBreakSchema.omit({ loc: true }).extend({ location: SourceLocationSchema.optional() });
export type Break = z.infer<typeof BreakSchema>;

/** One row of a gradcheck: backward()'s gradient of a leaf next to a central finite difference of the replayed graph. */
/** Model worker → runner process (added to WorkerMessageSchema): a finding, a breakpoint hit. */
export const WorkerFindingMessageSchema = z.object({ type: z.literal("health/finding"), finding: RawFindingSchema });
export const WorkerBreakMessageSchema = z.object({ type: z.literal("run/break"), break: RawBreakSchema });

/** What a run starts with (RunSpec.health): detector thresholds and breakpoint conditions. Without it: defaults, and pause on the first non-finite value. */
export const HealthSpecSchema = z.object({ options: HealthOptionsSchema.optional(), breakOn: BreakOnSchema.optional() });
export type HealthSpec = z.infer<typeof HealthSpecSchema>;

export const GradcheckRowSchema = z.object({
  node: z.number().int().min(0),
  label: z.string(),
  /** The chain rule through the rules table, replayed on the recorded graph. */
  analytic: AnyNumber,
  /** (L(x + h) − L(x − h)) / 2h, replaying the graph forward from its leaves. */
  numeric: AnyNumber,
  /** |analytic − numeric| / max(|analytic|, |numeric|, floor). */
  relError: AnyNumber,
  /** The gradient the run recorded (differs from analytic when grads accumulated over steps). */
  recorded: AnyNumber,
  /** relError above the tolerance (and no kink crossed: see `kink`). */
  flagged: z.boolean(),
  /** x ± h moved a ReLU's input across 0 (a kink): the central difference straddles it and cannot be trusted, so the row is not flagged. */
  kink: z.boolean().optional(),
});
export type GradcheckRow = z.infer<typeof GradcheckRowSchema>;
