/**
 * The practical limit for JavaScript: the same MLP math on a flat Float64Array
 * tape (struct of arrays, op codes, no objects), forward and backward.
 */
const ADD = 1, MUL = 2, RELU = 3, LEAF = 0;

export class Tape {
  op = new Uint8Array(1 << 16);
  a = new Int32Array(1 << 16);
  b = new Int32Array(1 << 16);
  data = new Float64Array(1 << 16);
  grad = new Float64Array(1 << 16);
  n = 0;
  /** Parameters occupy the first slots and survive reset(). */
  keep = 0;

  private push(op: number, a: number, b: number, x: number): number {
    if (this.n === this.op.length) this.grow();
    const i = this.n++;
    this.op[i] = op; this.a[i] = a; this.b[i] = b; this.data[i] = x; this.grad[i] = 0;
    return i;
  }
  private grow(): void {
    const size = this.op.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(arr: T, make: new (n: number) => T) => { const c = new make(size); c.set(arr); return c; };
    this.op = g(this.op, Uint8Array); this.a = g(this.a, Int32Array); this.b = g(this.b, Int32Array);
    this.data = g(this.data, Float64Array); this.grad = g(this.grad, Float64Array);
  }
  leaf(x: number): number { return this.push(LEAF, -1, -1, x); }
  add(i: number, j: number): number { return this.push(ADD, i, j, this.data[i] + this.data[j]); }
  mul(i: number, j: number): number { return this.push(MUL, i, j, this.data[i] * this.data[j]); }
  relu(i: number): number { const x = this.data[i]; return this.push(RELU, i, -1, x < 0 ? 0 : x); }
  reset(): void { this.n = this.keep; }

  backward(root: number): void {
    const { op, a, b, data, grad } = this;
    grad[root] = 1;
    for (let i = root; i >= 0; i--) {
      const g = grad[i];
      switch (op[i]) {
        case ADD: grad[a[i]] += g; grad[b[i]] += g; break;
        case MUL: grad[a[i]] += data[b[i]] * g; grad[b[i]] += data[a[i]] * g; break;
        case RELU: grad[a[i]] += data[i] > 0 ? g : 0; break;
      }
    }
  }
}

/** An MLP on the tape with the engine's shapes: ReLU hidden layers, linear last layer. */
export function tapeMlp(t: Tape, sizes: number[], init: () => number): (x: number[]) => number[] {
  const layers = sizes.slice(1).map((nout, l) =>
    Array.from({ length: nout }, () => ({ w: Array.from({ length: sizes[l] }, () => t.leaf(init())), b: t.leaf(0) })),
  );
  t.keep = t.n;
  return (x) => {
    let cur = x.map((v) => t.leaf(v));
    layers.forEach((layer, l) => {
      cur = layer.map(({ w, b }) => {
        let act = b;
        for (let i = 0; i < w.length; i++) act = t.add(act, t.mul(w[i], cur[i]));
        return l < layers.length - 1 ? t.relu(act) : act;
      });
    });
    return cur;
  };
}
