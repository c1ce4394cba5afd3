import { z } from "zod";
import { OPS, opText } from "./ops";

/**
 * A graph snapshot as it crosses process boundaries: struct-of-arrays, so the
 * numbers travel as typed arrays (transferred, not copied) and the topology is
 * sent only when its structural hash changes. Nodes are in creation order,
 * which is a topological order; the root (the loss) is the last node.
 */

/** Any JavaScript number, NaN and ±Infinity included: a model's numbers may be any of them, and must still be shown. */
export const AnyNumber = z.custom<number>((x) => typeof x === "number", "expected a number");

/** Where user code created a node: the user's TypeScript file, 1-based. */
export const SourceLocationSchema = z.object({
  file: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
});
export type SourceLocation = z.infer<typeof SourceLocationSchema>;

export const GraphTopologySchema = z
  .object({
    /** Structural hash: equal hashes mean the same shape, labels and groups. */
    hash: z.string(),
    /** Op code per node (index into OPS). */
    op: z.instanceof(Uint8Array),
    /** NodeKind per node. */
    kind: z.instanceof(Uint8Array),
    /** Index of each node's first/second input, or -1 (none, or a constant operand). */
    in0: z.instanceof(Int32Array),
    in1: z.instanceof(Int32Array),
    /** The constant operand (`c + 1` → 1, `d ^ 2` → 2), NaN when there is none. */
    k: z.instanceof(Float64Array),
    /** The user's or the inferred label; null shows the op instead. */
    label: z.array(z.string().nullable()),
    /** Index into `locations`, or -1. */
    loc: z.instanceof(Int32Array),
    locations: z.array(SourceLocationSchema),
    /** Index into `groups`, or -1 for the top level. */
    group: z.instanceof(Int32Array),
    /** Group paths like `MLP/layer1/neuron3`. */
    groups: z.array(z.string()),
  })
  .superRefine((t, ctx) => {
    const n = t.op.length;
    for (const [name, arr] of [["kind", t.kind], ["in0", t.in0], ["in1", t.in1], ["k", t.k], ["label", t.label], ["loc", t.loc], ["group", t.group]] as const) {
      if (arr.length !== n) ctx.addIssue({ code: "custom", message: `${name} has ${arr.length} entries for ${n} nodes` });
    }
    for (let i = 0; i < n; i++) {
      if (t.op[i] >= OPS.length) return ctx.addIssue({ code: "custom", message: `node ${i}: unknown op ${t.op[i]}` });
      // Inputs come earlier in creation order: this keeps the graph a DAG.
      if (t.in0[i] >= i || t.in1[i] >= i || t.in0[i] < -1 || t.in1[i] < -1)
        return ctx.addIssue({ code: "custom", message: `node ${i}: input out of order` });
      if (t.loc[i] >= t.locations.length || t.group[i] >= t.groups.length)
        return ctx.addIssue({ code: "custom", message: `node ${i}: location or group out of range` });
    }
  });
export type GraphTopology = z.infer<typeof GraphTopologySchema>;

export const GraphValuesSchema = z.object({
  data: z.instanceof(Float64Array),
  grad: z.instanceof(Float64Array),
});
export type GraphValues = z.infer<typeof GraphValuesSchema>;

/** Losses of steps from, from+1, …: every step's loss reaches the host exactly once, in a loss/batch or with a step's report. */
export const LossesSchema = z.object({ from: z.number().int().min(1), losses: z.instanceof(Float64Array) });
export type Losses = z.infer<typeof LossesSchema>;

/** One optimizer update of one parameter, e.g. `w: 0.52 − 0.01 × 3.1 = 0.489`. */
export const ParamUpdateSchema = z.object({
  /** Index of the parameter in the step's graph, or -1 if it is not in it. */
  node: z.number().int().min(-1),
  label: z.string(),
  rule: z.enum(["sgd", "momentum", "adam"]),
  before: AnyNumber,
  lr: AnyNumber,
  grad: AnyNumber,
  after: AnyNumber,
});
export type ParamUpdate = z.infer<typeof ParamUpdateSchema>;

/** Everything the view needs to draw one step. */
export interface Snapshot {
  step: number;
  loss: number;
  topology: GraphTopology;
  values: GraphValues;
  /** Optimizer updates made since the previous step (they produced `values.data` of the parameters). */
  updates: ParamUpdate[];
}

/** Node i's op text with its constant folded in (`+ 1`, `2 −`, `^2`); the constant comes first when the first input is missing. */
export function nodeOpText(t: GraphTopology, i: number): string {
  return opText(t.op[i], t.k[i], t.in0[i] === -1 && t.in1[i] !== -1);
}

export function nodeCount(t: GraphTopology): number {
  return t.op.length;
}

export function edgeCount(t: GraphTopology): number {
  let e = 0;
  for (let i = 0; i < t.op.length; i++) e += (t.in0[i] >= 0 ? 1 : 0) + (t.in1[i] >= 0 ? 1 : 0);
  return e;
}
