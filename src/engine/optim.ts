import { NodeKind } from "../protocol/ops";
import { engine, type UpdateRecord } from "./context";
import type { Value } from "./value";

abstract class Optimizer {
  constructor(readonly params: Value[]) {
    // A leaf an optimizer trains is a parameter, whoever made it: the panel marks it so.
    for (const p of params) if (p.kind === NodeKind.input) p.kind = NodeKind.param;
  }
  zeroGrad(): void {
    for (const p of this.params) p.grad = 0;
  }
  abstract step(): void;
  protected record(param: Value, rule: UpdateRecord["rule"], before: number, lr: number, grad: number): void {
    if (engine.recordUpdates) engine.updates.push({ param, rule, before, lr, grad, after: param.data });
  }
}

/** Gradient descent, `w ← w − lr × grad`, with optional momentum (then grad is the velocity). */
export class SGD extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  private readonly velocity: Float64Array;
  constructor(params: Value[], options: { lr: number; momentum?: number }) {
    super(params);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.velocity = new Float64Array(params.length);
  }
  step(lr = this.lr): void {
    const m = this.momentum;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const before = p.data;
      const v = m === 0 ? p.grad : (this.velocity[i] = m * this.velocity[i] + p.grad);
      p.data = before - lr * v;
      this.record(p, m === 0 ? "sgd" : "momentum", before, lr, v);
    }
  }
}

/** Adam (Kingma & Ba), with bias correction. */
export class Adam extends Optimizer {
  readonly lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(params: Value[], options: { lr?: number; beta1?: number; beta2?: number; eps?: number } = {}) {
    super(params);
    this.lr = options.lr ?? 0.001;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.m = new Float64Array(params.length);
    this.v = new Float64Array(params.length);
  }
  step(): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, lr } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const g = p.grad;
      const before = p.data;
      this.m[i] = b1 * this.m[i] + (1 - b1) * g;
      this.v[i] = b2 * this.v[i] + (1 - b2) * g * g;
      p.data = before - (lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + eps);
      this.record(p, "adam", before, lr, g);
    }
  }
}
