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

// ---- JSON form: exports and recorded fixtures. JSON has no NaN/Infinity, so those become strings.

type Num = number | "NaN" | "Infinity" | "-Infinity";
const encodeNum = (x: number): Num => (Number.isFinite(x) ? x : (String(x) as Num));
const decodeNum = (x: Num): number => (typeof x === "number" ? x : Number(x));
const nums = (a: ArrayLike<number>): Num[] => Array.from(a, encodeNum);

export interface SnapshotJSON {
  format: "gradscope-snapshot@1";
  step: number;
  loss: Num;
  nodes: number;
  edges: number;
  topology: {
    hash: string; op: number[]; kind: number[]; in0: number[]; in1: number[]; k: Num[];
    label: (string | null)[]; loc: number[]; locations: SourceLocation[]; group: number[]; groups: string[];
  };
  values: { data: Num[]; grad: Num[] };
  updates: (Omit<ParamUpdate, "before" | "grad" | "after" | "lr"> & { before: Num; lr: Num; grad: Num; after: Num })[];
}

export function snapshotToJSON(s: Snapshot): SnapshotJSON {
  const t = s.topology;
  return {
    format: "gradscope-snapshot@1",
    step: s.step,
    loss: encodeNum(s.loss),
    nodes: nodeCount(t),
    edges: edgeCount(t),
    topology: {
      hash: t.hash, op: Array.from(t.op), kind: Array.from(t.kind), in0: Array.from(t.in0), in1: Array.from(t.in1),
      k: nums(t.k), label: t.label, loc: Array.from(t.loc), locations: t.locations, group: Array.from(t.group), groups: t.groups,
    },
    values: { data: nums(s.values.data), grad: nums(s.values.grad) },
    updates: s.updates.map((u) => ({ ...u, before: encodeNum(u.before), lr: encodeNum(u.lr), grad: encodeNum(u.grad), after: encodeNum(u.after) })),
  };
}

/** Parses and validates a snapshot JSON (throws with a readable message when it is not one). */
export function snapshotFromJSON(j: SnapshotJSON): Snapshot {
  if (j?.format !== "gradscope-snapshot@1") throw new Error("not a Gradscope snapshot (format gradscope-snapshot@1)");
  const t = j.topology;
  const topology = GraphTopologySchema.parse({
    hash: t.hash, op: Uint8Array.from(t.op), kind: Uint8Array.from(t.kind), in0: Int32Array.from(t.in0), in1: Int32Array.from(t.in1),
    k: Float64Array.from(t.k, decodeNum), label: t.label, loc: Int32Array.from(t.loc), locations: t.locations,
    group: Int32Array.from(t.group), groups: t.groups,
  });
  const values = { data: Float64Array.from(j.values.data, decodeNum), grad: Float64Array.from(j.values.grad, decodeNum) };
  if (values.data.length !== topology.op.length || values.grad.length !== topology.op.length) throw new Error("values do not match the topology");
  const updates = j.updates.map((u) => ParamUpdateSchema.parse({ ...u, before: decodeNum(u.before), lr: decodeNum(u.lr), grad: decodeNum(u.grad), after: decodeNum(u.after) }));
  return { step: j.step, loss: decodeNum(j.loss), topology, values, updates };
}
