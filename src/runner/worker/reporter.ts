import { engine } from "../../engine/context";
import type { Value } from "../../engine/value";
import type { GraphTopology, GraphValues, ParamUpdate, SourceLocation } from "../../protocol/graph";

export interface Report {
  hash: string;
  /** Present only when the shape differs from the last report's. */
  topology?: GraphTopology;
  values: GraphValues;
  updates: ParamUpdate[];
}

const kBits = new Float64Array(1);
const kWords = new Int32Array(kBits.buffer);

/** Turns the nodes a backward() reached into the wire format, sending topology only when it changed. */
export class Reporter {
  private lastHash = "";

  constructor(private readonly locations: SourceLocation[]) {}

  report(nodes: Value[]): Report {
    const n = nodes.length;
    // Each node's index in this report, where backward() is done with the mark (see Value.mark).
    for (let i = 0; i < n; i++) nodes[i].mark = -1 - i;
    // First pass: the numbers, and a hash of everything else. Most steps stop here.
    const data = new Float64Array(n), grad = new Float64Array(n);
    // Two FNV-1a style lanes over everything that changes the drawing (not the numbers).
    let h1 = 0x811c9dc5 ^ n, h2 = 0x01000193 ^ n;
    const mix = (x: number) => {
      h1 = Math.imul(h1 ^ x, 0x01000193);
      h2 = Math.imul(h2 ^ x, 0x5bd1e995) ^ (h2 >>> 13);
    };
    for (let i = 0; i < n; i++) {
      const v = nodes[i];
      data[i] = v.data;
      grad[i] = v.grad;
      mix(v.op | (v.kind << 8));
      mix(v.a ? v.a.mark : 0);
      mix(v.b ? v.b.mark : 0);
      mix(v.group);
      mix(v.loc);
      // The constant is part of what is drawn (`× 10`) and of the chain rule, so a new one is a new topology.
      if (v.k !== null) {
        kBits[0] = v.k;
        mix(kWords[0]);
        mix(kWords[1]);
      }
      if (v.label !== null) for (let c = 0; c < v.label.length; c++) mix(v.label.charCodeAt(c));
    }
    const hash = `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}-${n}`;
    const updates = engine.updates.map((u) => ({
      node: nodes[-1 - u.param.mark] === u.param ? -1 - u.param.mark : -1,
      label: u.param.label ?? `#${u.param.id}`,
      rule: u.rule, before: u.before, lr: u.lr, grad: u.grad, after: u.after,
    }));
    const values = { data, grad };
    if (hash === this.lastHash) return { hash, values, updates };
    this.lastHash = hash;
    return { hash, topology: this.topology(nodes, hash), values, updates };
  }

  /** Second pass, only for a new shape: the struct-of-arrays topology. */
  private topology(nodes: Value[], hash: string): GraphTopology {
    const n = nodes.length;
    const op = new Uint8Array(n), kind = new Uint8Array(n), in0 = new Int32Array(n), in1 = new Int32Array(n);
    const k = new Float64Array(n), loc = new Int32Array(n), group = new Int32Array(n);
    const label: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = nodes[i];
      op[i] = v.op;
      kind[i] = v.kind;
      in0[i] = v.a ? -1 - v.a.mark : -1;
      in1[i] = v.b ? -1 - v.b.mark : -1;
      k[i] = v.k ?? NaN;
      loc[i] = v.loc;
      group[i] = v.group;
      label[i] = v.label;
    }
    return { hash, op, kind, in0, in1, k, label, loc, group, locations: this.locations, groups: engine.groupPaths.slice() };
  }
}
