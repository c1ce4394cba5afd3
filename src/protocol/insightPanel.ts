import { z } from "zod";
import { AnyNumber } from "./graph";
import { BreakSchema, FindingSchema, GradcheckRowSchema } from "./health";

/**
 * Insight messages between the extension host and the panel (issue 10): the
 * run's health findings, a breakpoint hit, and the answers to the panel's
 * questions about the step it shows (gradcheck, what-if, explain). Every tag
 * starts with `insight/`, so both ends route them before the core panel
 * protocol (src/protocol/panel.ts) sees them; both ends validate them here.
 */

const Id = z.number().int().min(0);
const Node = z.number().int().min(0);
const Text = z.string().max(2000);

/** One path from a node to the loss: the nodes along it (the node first, the loss last) and each edge's local derivative. */
export const GradPathSchema = z.object({
  nodes: z.array(Node),
  factors: z.array(AnyNumber),
  product: AnyNumber,
});
export type GradPath = z.infer<typeof GradPathSchema>;

/** Host → panel. */
export const InsightHostMessageSchema = z.discriminatedUnion("type", [
  /** Every finding of this run so far (replaces the last list; empty on a new run). */
  z.object({ type: z.literal("insight/findings"), findings: z.array(FindingSchema).max(1000) }),
  /** The run paused (or ended) at a training breakpoint; null clears the banner (the run went on). */
  z.object({ type: z.literal("insight/break"), hit: BreakSchema.nullable() }),
  /** Gradcheck rows for the step shown, sorted by relative error (largest first). */
  z.object({ type: z.literal("insight/gradcheck"), id: Id, step: z.number().int().min(0), rows: z.array(GradcheckRowSchema), truncated: z.number().int().min(0).optional(), error: Text.optional() }),
  /** What-if: the loss after setting one leaf to `to` and replaying the graph, next to grad·Δx. `moved[i]` = |Δdata| of node i. */
  z.object({
    type: z.literal("insight/whatif"),
    id: Id,
    step: z.number().int().min(0),
    node: Node,
    from: AnyNumber,
    to: AnyNumber,
    grad: AnyNumber,
    lossBefore: AnyNumber,
    lossAfter: AnyNumber,
    predicted: AnyNumber,
    actual: AnyNumber,
    moved: z.instanceof(Float64Array),
    error: Text.optional(),
  }),
  /** Explain: the top paths from `node` to the loss with their local-derivative products; their sum over every path is `gradient`. */
  z.object({
    type: z.literal("insight/explain"),
    id: Id,
    step: z.number().int().min(0),
    node: Node,
    gradient: AnyNumber,
    recorded: AnyNumber,
    paths: z.array(GradPathSchema),
    /** Number of paths to the loss in all (a float: it can be astronomically large). */
    pathCount: AnyNumber,
    /** Sum of the shown paths' products. */
    shownSum: AnyNumber,
    /** For a zero gradient: why, in words. */
    why: Text.optional(),
    /** Nodes that block the gradient (a ReLU at ≤ 0, a saturated tanh, a × 0). */
    blockers: z.array(Node).max(50).optional(),
    error: Text.optional(),
  }),
]);
export type InsightHostMessage = z.infer<typeof InsightHostMessageSchema>;

/** Panel → host: questions about the step the panel shows. */
export const InsightViewMessageSchema = z.discriminatedUnion("type", [
  /** Gradcheck these leaves, or every parameter (every leaf when there are none) when `nodes` is null. */
  z.object({ type: z.literal("insight/gradcheck"), id: Id, nodes: z.array(Node).max(100_000).nullable() }),
  /** Set leaf `node` to `value`, replay the graph, report the loss. */
  z.object({ type: z.literal("insight/whatif"), id: Id, node: Node, value: AnyNumber }),
  /** The top `k` paths from `node` to the loss. */
  z.object({ type: z.literal("insight/explain"), id: Id, node: Node, k: z.number().int().min(1).max(50) }),
  /** Reveal a finding's line when its node is not in the graph on screen. */
  z.object({ type: z.literal("insight/reveal"), file: z.string().max(4096), line: z.number().int().min(1) }),
]);
export type InsightViewMessage = z.infer<typeof InsightViewMessageSchema>;

/** True for a message of this protocol (by its tag); validate it with the parse functions below. */
export function isInsightMessage(raw: unknown): boolean {
  return typeof raw === "object" && raw !== null && typeof (raw as { type?: unknown }).type === "string" && (raw as { type: string }).type.startsWith("insight/");
}

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

function parse<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  return { ok: false, error: `invalid insight message: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}` };
}

export const parseInsightHostMessage = (raw: unknown) => parse(InsightHostMessageSchema, raw);
export const parseInsightViewMessage = (raw: unknown) => parse(InsightViewMessageSchema, raw);
