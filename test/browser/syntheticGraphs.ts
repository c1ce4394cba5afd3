import { OP, NodeKind } from "../../src/protocol/ops";
import type { Snapshot, SourceLocation } from "../../src/protocol/graph";

/**
 * Synthetic snapshots shaped like the engine's: a tiny tape that computes
 * forward values and backward gradients with the same rules, so colours,
 * hover text and chain-rule sums are real numbers, at any size.
 */
export class TapeBuilder {
  op: number[] = []; kind: number[] = []; in0: number[] = []; in1: number[] = []; k: number[] = [];
  label: (string | null)[] = []; loc: number[] = []; group: number[] = [];
  data: number[] = [];
  groups: string[] = [];
  locations: SourceLocation[] = [];
  private groupIndex = new Map<string, number>();
  private currentGroup = -1;

  inGroup<T>(path: string | null, fn: () => T): T {
    const prev = this.currentGroup;
    if (path === null) this.currentGroup = -1;
    else {
      if (!this.groupIndex.has(path)) { this.groupIndex.set(path, this.groups.length); this.groups.push(path); }
      this.currentGroup = this.groupIndex.get(path)!;
    }
    try { return fn(); } finally { this.currentGroup = prev; }
  }

  at(file: string, line: number): number {
    this.locations.push({ file, line, column: 1 });
    return this.locations.length - 1;
  }

  leaf(value: number, label: string | null, kind: number = NodeKind.input, loc = -1): number {
    return this.push(OP.leaf, kind, -1, -1, NaN, label, loc, value);
  }

  /** An op on node inputs, or with one constant operand: pass a number as `b` (or `a`, for `2 − x`). */
  apply(op: number, a: number | { k: number }, b?: number | { k: number }, label: string | null = null, loc = -1): number {
    const i0 = typeof a === "number" ? a : -1, i1 = typeof b === "number" ? b : -1;
    const k = typeof a === "object" ? a.k : typeof b === "object" ? b.k : NaN;
    const x = typeof a === "number" ? this.data[a] : a.k;
    const y = b === undefined ? NaN : typeof b === "number" ? this.data[b] : b.k;
    return this.push(op, NodeKind.value, i0, i1, k, label, loc, forward(op, x, y, k));
  }

  pow(a: number, k: number, label: string | null = null, loc = -1): number {
    return this.push(OP.pow, NodeKind.value, a, -1, k, label, loc, Math.pow(this.data[a], k));
  }

  private push(op: number, kind: number, i0: number, i1: number, k: number, label: string | null, loc: number, value: number): number {
    this.op.push(op); this.kind.push(kind); this.in0.push(i0); this.in1.push(i1); this.k.push(k);
    this.label.push(label); this.loc.push(loc); this.group.push(this.currentGroup); this.data.push(value);
    return this.op.length - 1;
  }

  /** backward() from the last node, with the engine's local derivative rules. */
  backward(): Float64Array<ArrayBuffer> {
    const n = this.op.length, g = new Float64Array(n);
    g[n - 1] = 1;
    for (let i = n - 1; i >= 0; i--) {
      const o = this.op[i], a = this.in0[i], b = this.in1[i], k = this.k[i], out = this.data[i];
      const x = a >= 0 ? this.data[a] : k, y = b >= 0 ? this.data[b] : k;
      const local = (slot: 0 | 1): number => {
        switch (o) {
          case OP.add: return 1;
          case OP.sub: return slot === 0 ? 1 : -1;
          case OP.mul: return slot === 0 ? y : x;
          case OP.div: return slot === 0 ? 1 / y : -x / (y * y);
          case OP.neg: return -1;
          case OP.pow: return k * Math.pow(x, k - 1);
          case OP.exp: return out;
          case OP.log: return 1 / x;
          case OP.tanh: return 1 - out * out;
          case OP.relu: return x > 0 ? 1 : 0;
          case OP.sigmoid: return out * (1 - out);
          default: return 0;
        }
      };
      if (a >= 0) g[a] += g[i] * local(0);
      if (b >= 0) g[b] += g[i] * local(1);
    }
    return g;
  }

  snapshot(hash: string, step = 1, updates: Snapshot["updates"] = []): Snapshot {
    const grad = this.backward();
    return {
      step, loss: this.data[this.data.length - 1], updates,
      topology: {
        hash, op: Uint8Array.from(this.op), kind: Uint8Array.from(this.kind), in0: Int32Array.from(this.in0), in1: Int32Array.from(this.in1),
        k: Float64Array.from(this.k), label: this.label, loc: Int32Array.from(this.loc), locations: this.locations,
        group: Int32Array.from(this.group), groups: this.groups,
      },
      values: { data: Float64Array.from(this.data), grad },
    };
  }
}

function forward(op: number, x: number, y: number, k: number): number {
  switch (op) {
    case OP.add: return x + y;
    case OP.sub: return x - y;
    case OP.mul: return x * y;
    case OP.div: return x / y;
    case OP.neg: return -x;
    case OP.pow: return Math.pow(x, k);
    case OP.exp: return Math.exp(x);
    case OP.log: return Math.log(x);
    case OP.tanh: return Math.tanh(x);
    case OP.relu: return Math.max(0, x);
    case OP.sigmoid: return 1 / (1 + Math.exp(-x));
    default: return NaN;
  }
}

/** The seed: a=2, b=3, c=a*b, d=c+1, loss=d**2 → loss 49, a.grad 42, b.grad 28. */
export function seedSnapshot(): Snapshot {
  const t = new TapeBuilder();
  const line = (n: number) => t.at("/work/examples/chain-rule.ts", n);
  const a = t.leaf(2, "a", NodeKind.input, line(2));
  const b = t.leaf(3, "b", NodeKind.input, line(3));
  const c = t.apply(OP.mul, a, b, "c", line(4));
  const d = t.apply(OP.add, c, { k: 1 }, "d", line(5));
  t.pow(d, 2, "loss", line(6));
  return t.snapshot("seed-chain-rule");
}

/** A seeded PRNG (mulberry32) so every run draws the same graph. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * micrograd's MLP over a batch with a mean-squared loss, grouped like the
 * engine's modules (`MLP/layer1/neuron3`). sizes [2,16,16,1] with batch 100 is
 * the moons example's shape (~68k nodes).
 */
export function mlpSnapshot(opts: { sizes: number[]; batch: number; seed?: number; step?: number }): Snapshot {
  const r = rng(opts.seed ?? 1);
  const t = new TapeBuilder();
  const loc = t.at("/work/examples/moons-mlp.ts", 12);
  const params: { w: number[]; b: number }[][] = [];
  for (let l = 1; l < opts.sizes.length; l++) {
    const layer: { w: number[]; b: number }[] = [];
    for (let n = 0; n < opts.sizes[l]; n++) {
      t.inGroup(`MLP/layer${l}/neuron${n}`, () => {
        const w = Array.from({ length: opts.sizes[l - 1] }, (_, i) => t.leaf(r() * 2 - 1, `layer${l}.neuron${n}.w${i}`, NodeKind.param, loc));
        layer.push({ w, b: t.leaf(0, `layer${l}.neuron${n}.b`, NodeKind.param, loc) });
      });
    }
    params.push(layer);
  }
  let total = -1;
  for (let p = 0; p < opts.batch; p++) {
    // Data points are plain numbers, as in the engine: they fold into the first layer's products as constants.
    let xs: (number | { k: number })[] = Array.from({ length: opts.sizes[0] }, () => ({ k: r() * 4 - 2 }));
    params.forEach((layer, li) => {
      const last = li === params.length - 1;
      xs = layer.map((neuron, ni) => t.inGroup(`MLP/layer${li + 1}/neuron${ni}`, () => {
        let act = neuron.b;
        neuron.w.forEach((w, i) => { act = t.apply(OP.add, act, t.apply(OP.mul, w, xs[i])); });
        return last ? act : t.apply(OP.tanh, act);
      }));
    });
    const y = r() > 0.5 ? 1 : -1;
    total = t.inGroup("loss", () => {
      const err = t.pow(t.apply(OP.sub, xs[0] as number, { k: y }), 2);
      return total < 0 ? err : t.apply(OP.add, total, err);
    });
  }
  t.inGroup("loss", () => t.apply(OP.mul, total, { k: 1 / opts.batch }, "loss", loc));
  return t.snapshot(`mlp-${opts.sizes.join("-")}-b${opts.batch}`, opts.step ?? 1);
}

/** An MLP-over-a-batch graph with about `nodes` nodes (the moons shape, or a narrower one for small sizes). */
export function mlpOfSize(nodes: number): Snapshot {
  let best: Snapshot | null = null;
  for (const sizes of [[2, 16, 16, 1], [2, 8, 8, 1]]) {
    const one = mlpSnapshot({ sizes, batch: 1 }).topology.op.length;
    const perPoint = mlpSnapshot({ sizes, batch: 2 }).topology.op.length - one;
    const batch = Math.max(1, Math.round((nodes - (one - perPoint)) / perPoint));
    const s = mlpSnapshot({ sizes, batch });
    if (!best || Math.abs(s.topology.op.length - nodes) < Math.abs(best.topology.op.length - nodes)) best = s;
  }
  return best!;
}

/** The same graph one SGD step later: new data and grads, same topology. */
export function nextStep(s: Snapshot, lr = 0.05): Snapshot {
  const data = Float64Array.from(s.values.data);
  // Gradients change unevenly (some flip sign), as they do between real steps.
  const grad = s.values.grad.map((g, i) => (i % 7 === 0 ? -g : g * (0.2 + 0.8 * Math.abs(Math.sin(i)))));
  const updates: Snapshot["updates"] = [];
  for (let i = 0; i < data.length; i++) {
    if (s.topology.kind[i] !== NodeKind.param && s.topology.kind[i] !== NodeKind.input) continue;
    const before = data[i];
    data[i] = before - lr * s.values.grad[i];
    if (s.topology.kind[i] === NodeKind.param || updates.length < 4)
      updates.push({ node: i, label: s.topology.label[i] ?? `#${i}`, rule: "sgd", before, lr, grad: s.values.grad[i], after: data[i] });
  }
  return { ...s, step: s.step + 1, loss: s.loss * 0.8, values: { data, grad }, updates };
}
