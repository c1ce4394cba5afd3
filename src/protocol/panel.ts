import { z } from "zod";
import { AnyNumber, GraphTopologySchema, GraphValuesSchema, ParamUpdateSchema } from "./graph";
import { ModelErrorSchema, RunStateSchema } from "./run";

/**
 * Messages between the extension host and the Gradscope panel (webview).
 * Both sides validate what they receive: a bad message is dropped and logged.
 */

const LossFields = { step: z.number().int().min(0), loss: AnyNumber };
/** Which CSV: the loss curve (one row per step, the default) or the graph (one row per node). */
const CsvContentSchema = z.enum(["loss", "nodes"]);

/** Host → webview. */
export const HostMessageSchema = z.discriminatedUnion("type", [
  /** A new run starts (or the panel must forget the last model): clear graph, loss curve, history, banners. Sent on every start. */
  z.object({ type: z.literal("session/reset"), file: z.string().optional(), title: z.string().optional() }),
  /** Run state and step counter; `error` is set when state is "error". */
  z.object({
    type: z.literal("session/state"),
    state: RunStateSchema,
    step: z.number().int().min(0),
    file: z.string().optional(),
    error: ModelErrorSchema.optional(),
  }),
  /** A likely mistake in the model (gradients not zeroed, no backward() call): a banner in the panel. */
  z.object({ type: z.literal("model/warning"), message: z.string(), file: z.string().optional(), line: z.number().int().min(1).optional() }),
  /** A graph whose shape is new to the view: lay it out, then draw the numbers. */
  z.object({ type: z.literal("graph/set"), ...LossFields, topology: GraphTopologySchema, values: GraphValuesSchema, updates: z.array(ParamUpdateSchema) }),
  /** Same shape as the last graph/set: only numbers changed, never relayout. */
  z.object({ type: z.literal("step/update"), ...LossFields, values: GraphValuesSchema, updates: z.array(ParamUpdateSchema) }),
  /**
   * A step's numbers for what the view subscribed to (view/subscribe), computed in the model's process: values
   * of `nodes`, and per collapsed group of `groups` AGG_WIDTH aggregates (runner/process/viewPayload.ts: count,
   * signed extreme grad (|·| = max |grad|), mean |grad|, non-finite count). Other nodes keep their last numbers.
   */
  z.object({
    type: z.literal("view/update"), ...LossFields, hash: z.string(),
    nodes: z.instanceof(Int32Array), data: z.instanceof(Float64Array), grad: z.instanceof(Float64Array),
    groups: z.instanceof(Int32Array), agg: z.instanceof(Float64Array), updates: z.array(ParamUpdateSchema),
  }),
  /** Replace the loss curve: losses[i] is the loss of step from + i·stride (stride > 1 once a very long run's history is merged pairwise). */
  z.object({ type: z.literal("loss/set"), from: z.number().int().min(1), stride: z.number().int().min(1).optional(), losses: z.instanceof(Float64Array) }),
  /** Extend the loss curve. */
  z.object({ type: z.literal("loss/append"), from: z.number().int().min(1), losses: z.instanceof(Float64Array) }),
  /** Steps whose full snapshot the host still holds (clicking them on the chart shows them). */
  z.object({ type: z.literal("history/available"), steps: z.array(z.number().int().min(1)) }),
  /** Highlight these nodes (e.g. the ones the editor's cursor line created); empty clears. */
  z.object({ type: z.literal("nodes/highlight"), nodes: z.array(z.number().int().min(0)) }),
  /** Settings the view honours. */
  z.object({ type: z.literal("config/set"), collapseThreshold: z.number().int().min(1) }),
  /** The host asks the view to produce an export (the Export Graph command); `csv` says which CSV (default: the loss curve). */
  z.object({ type: z.literal("export/request"), format: z.enum(["svg", "png", "json", "csv"]), csv: CsvContentSchema.optional() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

/** Webview → host. */
export const ViewMessageSchema = z.discriminatedUnion("type", [
  /** The view is listening; the host answers with the whole current state. */
  z.object({ type: z.literal("view/ready") }),
  /** Run (or continue) until the model ends or is paused. */
  z.object({ type: z.literal("control/run") }),
  /** Pause at the next backward(). */
  z.object({ type: z.literal("control/pause") }),
  /** Run to the next backward() and stop there. */
  z.object({ type: z.literal("control/step") }),
  /** Run n more steps. */
  z.object({ type: z.literal("control/runN"), n: z.number().int().min(1).max(1_000_000_000) }),
  /** End the run. */
  z.object({ type: z.literal("control/stop") }),
  /** Start the model again from the top. */
  z.object({ type: z.literal("control/restart") }),
  /** Reveal the line of code that created this node; only with `focusEditor` (Enter) does keyboard focus move to the editor — a click keeps it in the panel. */
  z.object({ type: z.literal("node/reveal"), node: z.number().int().min(0), focusEditor: z.boolean().optional() }),
  /** Show the snapshot of an earlier step (from the history). */
  z.object({ type: z.literal("history/show"), step: z.number().int().min(1) }),
  /** Save an export the view produced; `data` is text, or a base64 data URL for PNG; `csv` says which CSV it is (the file name says it too). */
  z.object({ type: z.literal("export/save"), format: z.enum(["svg", "png", "json", "csv"]), data: z.string(), suggestedName: z.string(), csv: CsvContentSchema.optional() }),
  /**
   * What the view shows of the graph of `hash`: its open groups and the nodes it needs numbers for besides
   * the drawn ones (selection and its neighbours). Sent whenever that changes; from then on steps of that
   * shape arrive as view/update instead of every node's numbers.
   */
  z.object({ type: z.literal("view/subscribe"), hash: z.string(), expanded: z.array(z.string()).max(1_000_000), nodes: z.array(z.number().int().min(0)).max(10_000_000) }),
  /** The view has drawn the view/update of this step: the next may come (a slow panel gets fewer updates, never a queue). */
  z.object({ type: z.literal("view/ack"), step: z.number().int().min(0) }),
  /** An export that needs every node's numbers, which this view no longer holds (it receives what it shows): the host writes it from its snapshot. */
  z.object({ type: z.literal("export/fromHost"), format: z.enum(["json", "csv-nodes"]) }),
  /** Something the host should log (e.g. a dropped message). */
  z.object({ type: z.literal("view/log"), level: z.enum(["info", "warn", "error"]), message: z.string() }),
]);
export type ViewMessage = z.infer<typeof ViewMessageSchema>;

export type Validated<T> = { ok: true; message: T } | { ok: false; error: string };

function validate<T>(schema: z.ZodType<T>, raw: unknown): Validated<T> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const tag = typeof raw === "object" && raw && "type" in raw ? String((raw as { type: unknown }).type) : typeof raw;
  return { ok: false, error: `invalid message (${tag}): ${r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}` };
}

export const parseHostMessage = (raw: unknown) => validate(HostMessageSchema, raw);
export const parseViewMessage = (raw: unknown) => validate(ViewMessageSchema, raw);
