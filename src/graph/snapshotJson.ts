import { edgeCount, GraphTopologySchema, nodeCount, ParamUpdateSchema, type ParamUpdate, type Snapshot, type SourceLocation } from "../protocol/graph";

/**
 * The one JSON snapshot format (`gradscope-snapshot@1`): what the CLI's
 * `--export FILE.json`, the editor's Export Graph and the panel's export write,
 * byte for byte (`snapshotJsonText`), and what recorded test fixtures hold.
 * JSON has no NaN or ±Infinity, so those numbers are written as the strings
 * "NaN", "Infinity", "-Infinity".
 */

type Num = number | "NaN" | "Infinity" | "-Infinity";
const encodeNum = (x: number): Num => (Number.isFinite(x) ? x : (String(x) as Num));
const decodeNum = (x: Num): number => (typeof x === "number" ? x : Number(x));
const nums = (a: ArrayLike<number>): Num[] => Array.from(a, encodeNum);

export const SNAPSHOT_FORMAT = "gradscope-snapshot@1";

export interface SnapshotJSON {
  format: typeof SNAPSHOT_FORMAT;
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
    format: SNAPSHOT_FORMAT,
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

/** The file's text, the same from every front end: one line of JSON and a newline. */
export function snapshotJsonText(s: Snapshot): string {
  return JSON.stringify(snapshotToJSON(s)) + "\n";
}

/** Parses and validates a snapshot JSON (throws with a readable message when it is not one). */
export function snapshotFromJSON(j: SnapshotJSON): Snapshot {
  if (j?.format !== SNAPSHOT_FORMAT) throw new Error(`not a Gradscope snapshot (format ${SNAPSHOT_FORMAT})`);
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
