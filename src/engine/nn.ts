import { NodeKind } from "../protocol/ops";
import { childGroup, engine } from "./context";
import { defaultRng, type Rng } from "./rng";
import { PERM } from "./store";
import { affine, affineKept, resolveOperands, Value, type Operand } from "./value";

/** Anything with parameters, as in micrograd. */
export abstract class Module {
  abstract parameters(): Value[];
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = 0;
  }
}

function param(data: number, label: string, group: number): Value {
  const saved = engine.group;
  engine.group = group;
  const p = new Value(data, label);
  engine.group = saved;
  p.kind = NodeKind.param;
  return p;
}

/** w·x + b, then ReLU unless it is in the last layer. Its nodes are grouped as MLP/layer1/neuron3. */
export class Neuron extends Module {
  readonly w: Value[];
  readonly b: Value;
  /** @internal */
  readonly group: number;
  private readonly params: Value[];
  private slots: Int32Array | null = null;

  constructor(nin: number, readonly nonlin = true, name = "neuron", rng: Rng = defaultRng, group = childGroup(engine.group, name)) {
    super();
    this.group = group;
    const prefix = engine.groupPaths[group].split("/").slice(1).join(".") || name;
    this.w = Array.from({ length: nin }, (_, i) => param(rng.uniform(-1, 1), `${prefix}.w${i}`, group));
    this.b = param(0, `${prefix}.b`, group);
    this.params = [...this.w, this.b];
  }

  forward(x: Operand[]): Value {
    if (x.length !== this.w.length) throw new RangeError(`Neuron expects ${this.w.length} inputs, got ${x.length}`);
    const saved = engine.group;
    engine.group = this.group;
    try {
      // act = b; act = act.add(w[i].mul(x[i])) for each i; relu: the same nodes, one handle (see affine).
      return affine(this.w, x, this.b, this.nonlin);
    } finally {
      engine.group = saved;
    }
  }

  parameters(): Value[] {
    return this.params;
  }

  /**
   * @internal The weights' slots when all the parameters live in kept slots
   * for good (store.PERM), else null. Checked each call, in a pass that only
   * loads: `w` is a plain array a user may assign into.
   */
  keptSlots(): Int32Array | null {
    const w = this.w;
    let slots = this.slots;
    if (slots === null || slots.length !== w.length) {
      if (this.b.gen !== PERM) return null;
      slots = this.slots = new Int32Array(w.length).fill(-1);
    }
    for (let i = 0; i < w.length; i++) {
      const wi = w[i];
      if (wi.slot !== slots[i]) {
        if (wi.gen !== PERM) return null;
        slots[i] = wi.slot;
      }
    }
    return this.b.gen === PERM ? slots : null;
  }
}

export class Layer extends Module {
  readonly neurons: Neuron[];
  private readonly params: Value[];
  constructor(nin: number, nout: number, nonlin = true, group = -1, rng: Rng = defaultRng) {
    super();
    this.neurons = Array.from({ length: nout }, (_, i) => new Neuron(nin, nonlin, `neuron${i + 1}`, rng, childGroup(group, `neuron${i + 1}`)));
    this.params = this.neurons.flatMap((n) => n.parameters());
  }
  forward(x: Operand[]): Value[] {
    const ns = this.neurons;
    // Each neuron's forward, with the operands resolved once for the layer (see value.ts affineKept).
    if (!resolveOperands(x) || ns.some((n) => n.w.length !== x.length)) return ns.map((n) => n.forward(x));
    const out: Value[] = new Array(ns.length);
    const saved = engine.group;
    try {
      for (let j = 0; j < ns.length; j++) {
        const n = ns[j];
        engine.group = n.group;
        const slots = n.keptSlots();
        out[j] = (slots !== null && affineKept(slots, n.b.slot, n.nonlin)) || affine(n.w, x, n.b, n.nonlin);
      }
    } finally {
      engine.group = saved;
    }
    return out;
  }
  parameters(): Value[] {
    return this.params;
  }
}

export interface MLPOptions {
  /** Group name of the model's nodes (default "MLP"). */
  name?: string;
  rng?: Rng;
}

/** micrograd's MLP: `new MLP(2, [16, 16, 1])` has ReLU hidden layers and a linear last layer. */
export class MLP extends Module {
  readonly layers: Layer[];
  private readonly params: Value[];
  constructor(nin: number, nouts: number[], options: MLPOptions = {}) {
    super();
    const root = childGroup(engine.group, options.name ?? "MLP");
    const sizes = [nin, ...nouts];
    this.layers = nouts.map(
      (_, i) => new Layer(sizes[i], sizes[i + 1], i !== nouts.length - 1, childGroup(root, `layer${i + 1}`), options.rng ?? defaultRng),
    );
    this.params = this.layers.flatMap((l) => l.parameters());
  }
  /** The outputs of the last layer (take [0] for a single output). */
  forward(x: Operand[]): Value[] {
    let out: Operand[] = x;
    for (const layer of this.layers) out = layer.forward(out);
    return out as Value[];
  }
  /** The same array every call (modules never change shape): zeroGrad() each step stays cheap. */
  parameters(): Value[] {
    return this.params;
  }
}
