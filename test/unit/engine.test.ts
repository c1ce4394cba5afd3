import { describe, expect, it } from "vitest";
import { Value, gradcheck, MLP, SGD, Adam, mse, hinge, softmaxCrossEntropy, sum, Rng, makeMoons, scope } from "../../src/engine";
import { engine } from "../../src/engine/context";
import { NodeKind, OP } from "../../src/protocol/ops";
import { Reporter } from "../../src/runner/worker/reporter";

describe("the seed example", () => {
  it("gives loss 49 and grads 42, 28", () => {
    const a = new Value(2.0);
    const b = new Value(3.0);
    const c = a.mul(b);
    const d = c.add(1.0);
    const loss = d.pow(2);
    loss.backward();
    expect([c.data, d.data, loss.data]).toEqual([6, 7, 49]);
    expect([a.grad, b.grad, c.grad, d.grad, loss.grad]).toEqual([42, 28, 14, 14, 1]);
  });
});

describe("micrograd's published sanity values (test_engine.py)", () => {
  it("sanity check: y = -20, x.grad = 46", () => {
    const x = new Value(-4.0);
    const z = x.mul(2).add(2).add(x);
    const q = z.relu().add(z.mul(x));
    const h = z.mul(z).relu();
    const y = h.add(q).add(q.mul(x));
    y.backward();
    expect(y.data).toBe(-20);
    expect(x.grad).toBe(46);
  });

  it("more ops: g = 24.7041, a.grad = 138.8338, b.grad = 645.5773", () => {
    const a = new Value(-4.0);
    const b = new Value(2.0);
    let c = a.add(b);
    let d = a.mul(b).add(b.pow(3));
    c = c.add(c.add(1));
    c = c.add(c.add(1).add(a.neg()));
    d = d.add(d.mul(2).add(b.add(a).relu()));
    d = d.add(d.mul(3).add(b.sub(a).relu()));
    const e = c.sub(d);
    const f = e.pow(2);
    let g = f.div(2.0);
    g = g.add(f.pow(-1).mul(10.0));
    g.backward();
    const tol = 1e-6;
    expect(Math.abs(g.data - 24.70408163265306)).toBeLessThan(tol);
    expect(Math.abs(a.grad - 138.83381924198252)).toBeLessThan(tol);
    expect(Math.abs(b.grad - 645.5772594752186)).toBeLessThan(tol);
  });
});

describe("every op against finite differences", () => {
  // [name, the op on Values, the same maths on numbers, points]: forward value and gradient are both checked.
  const cases: [string, (v: Value[]) => Value, (x: number[]) => number, number[][]][] = [
    ["add", ([x, y]) => x.add(y), ([x, y]) => x + y, [[1, 2], [-3, 0.5]]],
    ["add const", ([x]) => x.add(3), ([x]) => x + 3, [[1], [-2]]],
    ["sub", ([x, y]) => x.sub(y), ([x, y]) => x - y, [[1, 2], [-3, 0.5]]],
    ["sub const", ([x]) => x.sub(2.5), ([x]) => x - 2.5, [[1], [-2]]],
    ["mul", ([x, y]) => x.mul(y), ([x, y]) => x * y, [[1.5, 2], [-3, 0.5], [0, 4]]],
    ["mul const", ([x]) => x.mul(-4), ([x]) => x * -4, [[1.5], [0]]],
    ["div", ([x, y]) => x.div(y), ([x, y]) => x / y, [[1.5, 2], [-3, 0.5], [2, -0.1]]],
    ["div const", ([x]) => x.div(8), ([x]) => x / 8, [[1.5], [-3]]],
    ["neg", ([x]) => x.neg(), ([x]) => -x, [[1.5], [-2]]],
    ["pow 2", ([x]) => x.pow(2), ([x]) => x ** 2, [[1.5], [-2], [0]]],
    ["pow 3 of a negative base", ([x]) => x.pow(3), ([x]) => x ** 3, [[-1.7], [-0.2]]],
    ["pow -1", ([x]) => x.pow(-1), ([x]) => 1 / x, [[1.5], [-2]]],
    ["pow 0.5", ([x]) => x.pow(0.5), ([x]) => Math.sqrt(x), [[2.5], [0.3]]],
    ["pow with a Value exponent", ([x, y]) => x.pow(y), ([x, y]) => x ** y, [[2.5, 1.5], [0.7, -2], [3, 2], [1, 0.5], [0.2, 0]]],
    ["exp", ([x]) => x.exp(), ([x]) => Math.exp(x), [[0], [1.3], [-4]]],
    ["log", ([x]) => x.log(), ([x]) => Math.log(x), [[1], [5], [0.001]]],
    ["tanh", ([x]) => x.tanh(), ([x]) => Math.tanh(x), [[0], [0.8], [-2.5]]],
    ["relu", ([x]) => x.relu(), ([x]) => Math.max(0, x), [[1.2], [-0.7]]],
    ["sigmoid", ([x]) => x.sigmoid(), ([x]) => 1 / (1 + Math.exp(-x)), [[0], [2], [-3]]],
    ["a node used twice", ([x]) => x.mul(x).add(x), ([x]) => x * x + x, [[1.5], [-2]]],
    ["a diamond", ([x, y]) => { const s = x.mul(y); return s.tanh().mul(s.exp()); }, ([x, y]) => Math.tanh(x * y) * Math.exp(x * y), [[0.3, 0.5], [-1, 0.2]]],
    ["every op at once", ([x, y]) => x.mul(y).add(x.div(y)).sub(y.neg().exp()).tanh().add(x.relu()).mul(y.sigmoid()).pow(2).add(x.pow(y).log()),
      ([x, y]) => (Math.tanh(x * y + x / y - Math.exp(-y)) + Math.max(0, x)) ** 2 / (1 + Math.exp(-y)) ** 2 + Math.log(x ** y), [[0.8, 1.3], [1.7, 0.4]]],
  ];
  for (const [name, f, reference, points] of cases) {
    for (const xs of points) {
      it(`${name} at (${xs.join(", ")})`, () => {
        expect(f(xs.map((x) => new Value(x))).data).toBeCloseTo(reference(xs), 12);
        const r = gradcheck(f, xs, { tol: 1e-5 });
        expect(r.maxError, `analytic ${r.analytic} numeric ${r.numeric}`).toBeLessThan(1e-5);
      });
    }
  }

  describe("x.pow(y) with a Value exponent: its own op, both derivatives, every base where they exist", () => {
    const powv = (x: number, y: number) => {
      const [vx, vy] = [new Value(x), new Value(y)];
      const out = vx.pow(vy);
      out.backward();
      return { op: out.op, data: out.data, dx: vx.grad, dy: vy.grad };
    };
    it("is one node of op powv, not exp(y·log x)", () => {
      expect(powv(2, 3).op).toBe(OP.powv);
    });
    it("x = −2, y = 2: 4, ∂/∂x = −4 (∂/∂y does not exist for a negative base: NaN, as in PyTorch)", () => {
      const r = powv(-2, 2);
      expect([r.data, r.dx]).toEqual([4, -4]);
      expect(Number.isNaN(r.dy)).toBe(true);
    });
    it("x = −2, y = 3: −8, ∂/∂x = 12", () => {
      expect(powv(-2, 3)).toMatchObject({ data: -8, dx: 12 });
    });
    it("x = 0: finite grads where they exist", () => {
      expect(powv(0, 2)).toMatchObject({ data: 0, dx: 0, dy: 0 });
      expect(powv(0, 1)).toMatchObject({ data: 0, dx: 1, dy: 0 });
      expect(powv(0, 0)).toMatchObject({ data: 1, dx: 0, dy: 0 });
      expect(powv(0, 0.5)).toMatchObject({ data: 0, dx: Infinity, dy: 0 });
    });
    it("x > 0: ∂/∂y = x^y · ln x", () => {
      const r = powv(3, 2);
      expect([r.data, r.dx]).toEqual([9, 6]);
      expect(r.dy).toBeCloseTo(9 * Math.log(3), 12);
    });
  });

  it("relu at exactly 0 has gradient 0 (micrograd's convention)", () => {
    const x = new Value(0);
    x.relu().backward();
    expect(x.grad).toBe(0);
  });

  it("log at 0 is -Infinity with an infinite gradient, not a crash", () => {
    const x = new Value(0);
    const y = x.log();
    y.backward();
    expect(y.data).toBe(-Infinity);
    expect(x.grad).toBe(Infinity);
  });

  it("NaN flows through instead of throwing", () => {
    const x = new Value(-1);
    const y = x.pow(0.5).mul(2);
    y.backward();
    expect(Number.isNaN(y.data)).toBe(true);
    expect(Number.isNaN(x.grad)).toBe(true);
  });

  it("rejects a non-number operand with a TypeError that names the op", () => {
    const x = new Value(1);
    expect(() => x.add("2" as unknown as number)).toThrow(TypeError);
    expect(() => x.add("2" as unknown as number)).toThrow(/add\(\) takes a Value or a number, got string "2"/);
    expect(() => x.pow("2" as unknown as number)).toThrow(/^pow\(\) takes a Value or a number, got string "2"$/);
    expect(() => x.mul(null as unknown as number)).toThrow(/mul\(\) takes a Value or a number, got null/);
    expect(() => x.div(undefined as unknown as number)).toThrow(/div\(\) takes a Value or a number, got undefined/);
    expect(() => x.sub([1] as unknown as number)).toThrow(/sub\(\) takes a Value or a number, got an array/);
    expect(() => x.pow({} as unknown as number)).toThrow(/pow\(\) takes/);
  });

  it("rejects a non-number in new Value() and in .data / .grad, so \"1.5\" never concatenates", () => {
    expect(() => new Value("1.5" as unknown as number)).toThrow(TypeError);
    expect(() => new Value("1.5" as unknown as number)).toThrow(/new Value\(\) takes a number, got string "1.5"/);
    expect(() => new Value(1, 2 as unknown as string)).toThrow(/label must be a string/);
    const x = new Value(1);
    expect(() => (x.data = "3" as unknown as number)).toThrow(/\.data takes a number, got string "3"/);
    expect(() => (x.grad = "3" as unknown as number)).toThrow(TypeError);
    expect(new Value(1.5).add(2).data).toBe(3.5);
  });
});

describe("backward()", () => {
  it("accumulates like micrograd across calls", () => {
    const a = new Value(3);
    a.mul(a).backward();
    a.mul(a).backward();
    expect(a.grad).toBe(12);
  });

  it("handles a 100,000-deep chain without overflowing the stack", () => {
    const x = new Value(1);
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1);
    y.backward();
    expect(x.grad).toBe(1);
    expect(y.data).toBe(100_001);
  });

  it("goes through nodes built before the previous backward()", () => {
    const a = new Value(2);
    const c = a.mul(3); // built once, reused in later steps
    c.add(1).backward();
    a.grad = 0;
    c.grad = 0; // grads accumulate, as in micrograd: zero the reused node too
    const loss = c.mul(c);
    loss.backward();
    expect(a.grad).toBe(2 * 6 * 3);
  });

  it("reports the reachable nodes in creation order to the host hook", () => {
    const seen: number[][] = [];
    const reporter = new Reporter([]);
    engine.onBackward = () => seen.push(Array.from(reporter.report().values.data));
    try {
      const a = new Value(2);
      const b = new Value(3);
      const unused = a.add(100);
      const loss = a.mul(b).add(1).pow(2);
      loss.backward();
      expect(unused.grad).toBe(0);
      expect(seen).toEqual([[2, 3, 6, 7, 49]]);
    } finally {
      engine.onBackward = null;
    }
  });
});

describe("nn, losses and optimizers", () => {
  it("MLP(2, [16, 16, 1]) has micrograd's 337 parameters with readable names", () => {
    const model = new MLP(2, [16, 16, 1], { rng: new Rng(1) });
    const ps = model.parameters();
    expect(ps.length).toBe(337);
    expect(ps[0].label).toBe("layer1.neuron1.w0");
    expect(ps[2].label).toBe("layer1.neuron1.b");
    expect(ps.at(-1)!.label).toBe("layer3.neuron1.b");
    const out = model.forward([1, -1]);
    expect(out.length).toBe(1);
    expect(engine.groupPaths[out[0].group]).toBe("MLP/layer3/neuron1");
  });

  it("the same seed gives the same model", () => {
    const a = new MLP(3, [4, 1], { rng: new Rng(7) }).parameters().map((p) => p.data);
    const b = new MLP(3, [4, 1], { rng: new Rng(7) }).parameters().map((p) => p.data);
    expect(a).toEqual(b);
  });

  it("SGD fits the coffee-shop line and records each update", () => {
    // money = start + change × distance; the seed's starting point and first update.
    const start = new Value(500, "start");
    const change = new Value(-50, "change");
    start.grad = 400;
    change.grad = -90;
    engine.recordUpdates = true;
    engine.updates.length = 0;
    expect(start.kind).toBe(NodeKind.input);
    new SGD([start, change], { lr: 0.01 }).step();
    // What an optimizer trains is shown as a parameter.
    expect(start.kind).toBe(NodeKind.param);
    engine.recordUpdates = false;
    expect(start.data).toBe(496);
    expect(change.data).toBeCloseTo(-49.1, 12);
    expect(engine.updates.map(({ before, lr, grad, after }) => [before, lr, grad, after])).toEqual([
      [500, 0.01, 400, 496],
      [-50, 0.01, -90, change.data],
    ]);
  });

  it("training reduces each loss", () => {
    const rng = new Rng(3);
    const { X, y } = makeMoons(20, 0.1, rng);
    for (const [makeOpt, lossOf] of [
      [(ps: Value[]) => new SGD(ps, { lr: 0.05, momentum: 0.9 }), (s: Value[]) => hinge(s, y)],
      [(ps: Value[]) => new Adam(ps, { lr: 0.02 }), (s: Value[]) => mse(s, y)],
    ] as const) {
      const model = new MLP(2, [8, 1], { rng: new Rng(5) });
      const opt = makeOpt(model.parameters());
      const losses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const loss = lossOf(X.map((x) => model.forward(x)[0]));
        opt.zeroGrad();
        loss.backward();
        opt.step();
        losses.push(loss.data);
      }
      expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.8);
    }
  });

  it("softmax cross-entropy matches its closed form and gradient", () => {
    const logits = [1, 2, 0.5];
    const lse = Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));
    const vs = logits.map((l) => new Value(l));
    const loss = softmaxCrossEntropy(vs, 1);
    loss.backward();
    expect(loss.data).toBeCloseTo(lse - 2, 12);
    const p = logits.map((l) => Math.exp(l - lse));
    vs.forEach((v, i) => expect(v.grad).toBeCloseTo(p[i] - (i === 1 ? 1 : 0), 12));
    expect(gradcheck((xs) => softmaxCrossEntropy(xs, 2), [0.3, -1, 2]).ok).toBe(true);
  });

  it("scope() groups nodes, nested", () => {
    const x = new Value(1);
    const y = scope("encoder", () => scope("block1", () => x.mul(2)));
    expect(engine.groupPaths[y.group]).toBe("encoder/block1");
    expect(x.add(1).group).toBe(-1);
    expect(sum([x, 2, x]).data).toBe(4);
  });
});
