import { describe, expect, it } from "vitest";
import { GradscopeLimitError, Layer, MLP, Neuron, Rng, Value } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { store } from "../../src/engine/store";
import type { Operand } from "../../src/engine/value";

/**
 * Neuron.forward writes its chain of mul and add nodes straight into the store
 * (value.ts affine()): it must build exactly the nodes, in exactly the slots,
 * that `act = b; act = act.add(w[i].mul(x[i])); act.relu()` builds with the ops.
 */

/** What the ops build. */
function byOps(n: Neuron, x: Operand[]): Value {
  let act = n.b;
  for (let i = 0; i < x.length; i++) act = act.add(n.w[i].mul(x[i]));
  return n.nonlin ? act.relu() : act;
}

/** The nodes of the current region as rows: op, inputs (relative inside the region, else the parameter's index, or the slot), constant, data. */
function rows(params: Value[]): string[] {
  const out: string[] = [];
  const param = new Map(params.filter((p) => p.slot < store.floor).map((p, i) => [p.slot, i]));
  const at = (j: number) => (j < 0 ? "-" : j >= store.floor ? `+${j - store.floor}` : param.has(j) ? `p${param.get(j)}` : `@${j}`);
  for (let i = store.floor; i < store.top; i++) {
    const k = store.in1[i] < 0 && store.op[i] === 3 ? store.k[i] : "";
    out.push(`${store.op[i]} ${at(store.in0[i])} ${at(store.in1[i])} ${k} ${store.data[i]} g${store.slotGen[i] === store.gen ? "" : "?"}`);
  }
  return out;
}

/** Runs build() in a fresh step (after a backward()), returns the rows, the output's data and the grads of `params` after backward. */
function stepOf(build: () => Value, params: Value[]): { rows: string[]; data: number; grads: number[]; slot: number } {
  new Value(0).mul(1).backward(); // end the previous step: the next node begins a region
  const out = build();
  const r = rows(params);
  for (const p of params) p.grad = 0;
  out.backward();
  return { rows: r, data: out.data, grads: params.map((p) => p.grad), slot: out.slot };
}

describe("Neuron.forward's fused chain", () => {
  const rng = new Rng(3);
  const hidden = new Neuron(5, true, "h", rng);
  const last = new Neuron(5, false, "o", rng);
  const xs = [0.5, -1.25, 2, 0, 3.5];

  it("builds the ops' nodes for numbers, for Values of this step, and for leaves without a slot", () => {
    for (const n of [hidden, last]) {
      const ps = n.parameters();
      expect(stepOf(() => n.forward(xs), ps)).toEqual(stepOf(() => byOps(n, xs), ps));
      // Values: nodes of this step, a leaf made after the first backward() (no slot yet), a parameter, mixed with numbers.
      const mixed = (): Operand[] => {
        const a = new Value(0.75).mul(2);
        return [a, new Value(-1.5), ps[0], 4, a.relu()];
      };
      expect(stepOf(() => n.forward(mixed()), ps)).toEqual(stepOf(() => byOps(n, mixed()), ps));
    }
  });

  it("keeps a carried node and a Neuron made after the first backward() on the ops' path", () => {
    const late = new Neuron(3, true, "late", new Rng(9)); // its parameters are leaves without a slot
    const ps = late.parameters();
    const xv = [1, -2, 0.5];
    expect(stepOf(() => late.forward(xv), ps)).toEqual(stepOf(() => byOps(late, xv), ps));
    // A node of the step backward() just ended, used as an input: that region is kept, as with the ops.
    const carried = () => {
      const prev = new Value(2).mul(3);
      prev.backward();
      return [prev, 1, 2] as Operand[];
    };
    const a = stepOf(() => late.forward(carried()), ps);
    const b = stepOf(() => byOps(late, carried()), ps);
    expect(a.data).toBe(b.data);
    expect(a.grads).toEqual(b.grads);
  });

  // Made before the first backward(), as a model's parameters usually are: they live in kept slots (the fast path's case).
  const m1 = new MLP(3, [4, 4, 1], { rng: new Rng(5) });
  const m2 = new MLP(3, [4, 4, 1], { rng: new Rng(5) });
  const early = () => [m1, m2, hidden, last, layer].flatMap((m) => m.parameters());

  it("an MLP's output, data and grads match the ops' over several steps", () => {
    const ref = (x: Operand[]) => {
      let h: Operand[] = x;
      for (const layer of m2.layers) h = layer.neurons.map((n) => byOps(n, h));
      return h[0] as Value;
    };
    for (let s = 0; s < 3; s++) {
      const x = [s, -1, 0.25 * s];
      expect(stepOf(() => m1.forward(x)[0], m1.parameters())).toEqual(stepOf(() => ref(x), m2.parameters()));
    }
    expect(early().every((p) => p.slot < store.floor)).toBe(true);
  });

  const layer = new Layer(3, 4, true, -1, new Rng(11));
  const layerRef = (x: Operand[]) => layer.neurons.map((n) => byOps(n, x));
  const sumOf = (vs: Value[]) => vs.reduce((acc, v) => acc.add(v));

  it("a Layer builds the ops' nodes, also for operands it cannot resolve once (a leaf without a slot, a non-number)", () => {
    const ps = layer.parameters();
    for (const x of [() => [1, -2, 0.5], () => [new Value(1).mul(3), 2, new Value(-0.5)]] as (() => Operand[])[]) {
      expect(stepOf(() => sumOf(layer.forward(x())), ps)).toEqual(stepOf(() => sumOf(layerRef(x())), ps));
    }
    const group = engine.group;
    expect(() => layer.forward([1, 2])).toThrow("Neuron expects 3 inputs, got 2");
    expect(() => layer.forward([1, 2, "3" as unknown as number])).toThrow(/got string "3"/);
    expect(engine.group).toBe(group);
  });

  it("a weight assigned into w after the parameters were kept is the one used", () => {
    const n = layer.neurons[1];
    layer.forward([1, 1, 1]);
    const saved = n.w[2];
    try {
      n.w[2] = new Value(10);
      const out = layer.forward([1, 1, 1])[1];
      expect(out.data).toBe(byOps(n, [1, 1, 1]).data);
      expect(out.inputs[0].inputs[1].inputs[0]).toBe(n.w[2]);
    } finally {
      n.w[2] = saved;
    }
  });

  it("throws the ops' errors: a non-number operand, the node limit", () => {
    expect(() => hidden.forward([1, 2, "3" as unknown as number, 4, 5])).toThrow(/mul\(\) takes a Value or a number, got string "3"/);
    new Value(0).mul(1).backward();
    const saved = engine.maxNodesPerStep;
    engine.maxNodesPerStep = 6;
    try {
      expect(() => hidden.forward(xs)).toThrow(GradscopeLimitError);
    } finally {
      engine.maxNodesPerStep = saved;
    }
    expect(hidden.forward(xs).data).toBe(byOps(hidden, xs).data);
  });
});
