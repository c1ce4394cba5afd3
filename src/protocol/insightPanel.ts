import { z } from "zod";
import { BreakOnSchema, BreakSchema, FindingSchema } from "./health";
import { InsightRequestMessageSchema, InsightResponseMessageSchema } from "./insight";

/**
 * Insight messages between the extension host and the panel (issue 10): the
 * run's health findings, a breakpoint hit, and the panel's questions about the
 * step it shows with their answers — the latter in the runner's own envelopes
 * (src/protocol/insight.ts), relayed unchanged by the host. Every tag
 * starts with `insight/`, so both ends route them before the core panel
 * protocol (src/protocol/panel.ts) sees them; both ends validate them here.
 */

/** Host → panel. */
export const InsightHostMessageSchema = z.discriminatedUnion("type", [
  /** Every finding of this run so far (replaces the last list; empty on a new run). */
  z.object({ type: z.literal("insight/findings"), findings: z.array(FindingSchema).max(1000) }),
  /** The run paused (or ended) at a training breakpoint; null clears the banner (the run went on). */
  z.object({ type: z.literal("insight/break"), hit: BreakSchema.nullable() }),
  /** What pauses the run now (settings, or the panel's own toggles this run): the Health view's breakpoint controls show it. */
  z.object({ type: z.literal("insight/breakOn"), breakOn: BreakOnSchema }),
  /** The answer to an insight/request (the runner's, relayed unchanged; or the host's replay when the run is over). */
  InsightResponseMessageSchema,
]);
export type InsightHostMessage = z.infer<typeof InsightHostMessageSchema>;

/** Panel → host. */
export const InsightViewMessageSchema = z.discriminatedUnion("type", [
  /** A question about a recorded step (gradcheck, what-if, explain, layer stats): relayed to the runner. */
  InsightRequestMessageSchema,
  /** The panel's breakpoint toggles changed: pause on these from the next step (a condition left out is off). */
  z.object({ type: z.literal("insight/breakOn"), breakOn: BreakOnSchema }),
  /** Reveal a finding's line when its node is not in the graph on screen. */
  z.object({ type: z.literal("insight/reveal"), file: z.string().max(4096), line: z.number().int().min(1) }),
]);
export type InsightViewMessage = z.infer<typeof InsightViewMessageSchema>;

/** Request ids from this number up are the host's own (the Check Gradients command); the panel picks ids below it. */
export const HOST_IDS = 1_000_000_000;

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
