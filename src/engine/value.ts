import { NodeKind, OP, OPS } from "../protocol/ops";
import { backward } from "./backward";
import { engine } from "./context";
import { compileOp, KEEPS_CONSTANT } from "./kernel";
import { RULES } from "./rules";
import { meta, stringHash } from "./meta";
import { handleAt, intact, isLeaf, liveSlot, readOld, slotFor, writeOld } from "./lifetime";
import { DETACHED, store } from "./store";

export type Operand = Value | number;

/**
 * @internal What a handle keeps outside the store: a leaf's numbers while it
 * has no slot, and its names; a backward() root's numbers and names, frozen
 * then, for when its slot is recycled (`losses.push(loss)` read later).
 */
export class Own {
  labelHash: number;
  constructor(
    public d: number,
    public gr: number,
    public label: string | null,
    readonly leaf: boolean,
    public kind: NodeKind,
    public loc: number,
    public group: number,
  ) {
    this.labelHash = label === null ? 0 : stringHash(label);
  }
}

/** The slot of the op node whose handle is being constructed (see node()); −1 while user code constructs a leaf. */
let nodeSlot = -1;

/**
 * A scalar in the computation graph, as in micrograd: `.data`, `.grad` and the
 * ops. Every op takes a Value or a plain number; a number is folded into the
 * node as its constant operand (so `c + 1` is one node, shown `+ 1`).
 *
 * A Value is a handle to a slot of the store (store.ts). A node made by an op
 * lives until a later step reuses its slot; reading it after that throws
 * StaleValueError, never another node's number. Leaves (`new Value(x)`),
 * parameters, and each loss passed to backward() keep their numbers for good.
 */
export class Value {
  // Declared, not defined: a class field definition would run before the constructor on every node.
  /** @internal Slot in the store. */
  declare slot: number;
  /** @internal Generation of the node in `slot`; PERM or DETACHED for leaves (see store.ts). */
  declare gen: number;
  /** @internal See Own; null for an op node that was never a backward() root. */
  declare own: Own | null;

  constructor(data: number, label?: string) {
    this.slot = nodeSlot;
    this.gen = store.gen;
    this.own = null;
    // An op node's handle (see node()); a leaf's set-up stays out of line, so this inlines small into every op.
    if (nodeSlot >= 0) nodeSlot = -1;
    else makeLeaf(this, data, label);
  }

  get data(): number {
    return this.gen >= store.gen ? store.data[this.slot] : readOld(this, false);
  }
  set data(v: number) {
    if (typeof v !== "number") throw new TypeError(`.data takes a number, got ${describe(v)}`);
    if (v - v !== 0) store.dataNotFinite = true;
    if (this.gen >= store.gen) store.data[this.slot] = v;
    else writeOld(this, false, v);
  }

  get grad(): number {
    return this.gen >= store.gen ? store.grad[this.slot] : readOld(this, true);
  }
  set grad(v: number) {
    if (typeof v !== "number") throw new TypeError(`.grad takes a number, got ${describe(v)}`);
    if (this.gen >= store.gen) store.grad[this.slot] = v;
    else writeOld(this, true, v);
  }

  add(other: Operand): Value { return ADD(this, other); }
  sub(other: Operand): Value { return SUB(this, other); }
  mul(other: Operand): Value { return MUL(this, other); }
  div(other: Operand): Value { return DIV(this, other); }
  neg(): Value { return NEG(this); }
  /** x^k for a number k; x^y for a Value y (both derivatives, see rules.ts). */
  pow(exponent: Operand): Value { return typeof exponent === "number" ? POW(this, exponent) : POWV(this, exponent); }
  exp(): Value { return EXP(this); }
  log(): Value { return LOG(this); }
  tanh(): Value { return TANH(this); }
  relu(): Value { return RELU(this); }
  sigmoid(): Value { return SIGMOID(this); }

  /** Fills .grad of every node this one depends on (accumulating, like micrograd). */
  backward(): void { backward(this); }

  /** Op code (see protocol/ops.ts); 0 for a leaf. */
  get op(): number {
    return isLeaf(this) ? OP.leaf : store.op[liveSlot(this)];
  }
  /** The nodes this one was computed from (micrograd's `_prev`), in operand order. */
  get inputs(): Value[] {
    const out: Value[] = [];
    if (isLeaf(this)) return out;
    const i = liveSlot(this);
    if (store.in0[i] >= 0) out.push(handleAt(store.in0[i]));
    if (store.in1[i] >= 0) out.push(handleAt(store.in1[i]));
    return out;
  }
  /** The first and second input, or null (none, or a constant operand). */
  get a(): Value | null {
    return isLeaf(this) || store.in0[liveSlot(this)] < 0 ? null : handleAt(store.in0[this.slot]);
  }
  get b(): Value | null {
    return isLeaf(this) || store.in1[liveSlot(this)] < 0 ? null : handleAt(store.in1[this.slot]);
  }
  /** The constant operand (`c + 1` → 1, `x ^ 2` → 2), or null. */
  get k(): number | null {
    if (isLeaf(this)) return null;
    const i = liveSlot(this);
    return KEEPS_CONSTANT[store.op[i]] && store.in1[i] < 0 ? store.k[i] : null;
  }

  /** The user's label, or the variable name instrumented code gave it; null shows the op instead. */
  get label(): string | null {
    const own = this.own;
    if (own === null && this.gen >= store.gen) return meta.labelOf(this.slot); // instrumented code asks this of every named node
    if (own !== null && (own.leaf || !intact(this))) return own.label;
    return meta.labelOf(liveSlot(this));
  }
  set label(label: string | null) {
    if (label !== null && typeof label !== "string") throw new TypeError(`.label takes a string or null, got ${describe(label)}`);
    const own = this.own;
    if (own === null || !own.leaf) meta.setLabel(own === null && this.gen >= store.gen ? this.slot : liveSlot(this), label);
    if (own !== null) {
      own.label = label;
      own.labelHash = label === null ? 0 : stringHash(label);
    }
  }

  /** input or param for a leaf (optimizers make what they train a param); value for an op node. */
  get kind(): NodeKind {
    return isLeaf(this) ? this.own!.kind : NodeKind.value;
  }
  set kind(kind: NodeKind) {
    if (isLeaf(this)) {
      if (kind === NodeKind.param && this.own!.kind !== NodeKind.param && engine.trackParams) engine.params.push(this);
      this.own!.kind = kind;
    } else if (kind !== NodeKind.value) throw new RangeError("only a leaf (new Value(x)) can be an input or a parameter");
  }

  /** Index into the source-location table of the statement that made (or named) this node, or -1. */
  get loc(): number {
    const own = this.own;
    if (own !== null && (own.leaf || !intact(this))) return own.loc;
    return meta.locOf(liveSlot(this));
  }
  set loc(loc: number) {
    if (isLeaf(this)) this.own!.loc = loc;
    else meta.setLocOf(this.gen >= store.gen ? this.slot : liveSlot(this), loc);
  }

  /** Group id (index into engine.groupPaths) the node was made in, or -1. */
  get group(): number {
    const own = this.own;
    if (own !== null && (own.leaf || !intact(this))) return own.group;
    return meta.groupOf(liveSlot(this));
  }

  toString(): string {
    const label = this.label;
    return `Value(${label ? label + "=" : ""}${this.data}, grad=${this.grad})`;
  }
}

function makeLeaf(v: Value, data: number, label: string | undefined): void {
  if (typeof data !== "number") throw new TypeError(`new Value() takes a number, got ${describe(data)}`);
  if (label !== undefined && typeof label !== "string") throw new TypeError(`new Value()'s label must be a string, got ${describe(label)}`);
  v.slot = 0;
  v.gen = DETACHED;
  v.own = new Own(data, 0, label ?? null, true, NodeKind.input, engine.loc, engine.group);
  // A slot where it is made (see store.ts): in the first region, kept for good, for parameters and inputs made before the
  // first backward(); in a later step's region, or at its start when made before its first node.
  const s = store;
  if (s.allocGen === s.gen) s.attach(v, v.own);
  else s.pending.push(v);
}

// ---- ops

type Op = (self: Value, other?: Operand) => Value;
const op = (code: number) => compileOp(code, { store, Value, node, nodeK, slowOp }) as Op;
const [ADD, SUB, MUL, DIV, POW, POWV] = [OP.add, OP.sub, OP.mul, OP.div, OP.pow, OP.powv].map(op);
const [NEG, EXP, LOG, TANH, RELU, SIGMOID] = [OP.neg, OP.exp, OP.log, OP.tanh, OP.relu, OP.sigmoid].map(op);

/** A new handle to the op node in slot i (of the current generation; the caller may set another). */
export function opHandle(i: number): Value {
  nodeSlot = i;
  return new Value(0);
}

function node(op: number, out: number, a: number, b: number): Value {
  const s = store;
  const i = s.alloc();
  // x − x is 0 for a finite x, NaN for ±∞ and NaN.
  if (out - out !== 0) s.dataNotFinite = true;
  s.data[i] = out;
  s.grad[i] = 0;
  s.op[i] = op;
  s.in0[i] = a;
  s.in1[i] = b;
  s.slotGen[i] = s.gen;
  nodeSlot = i; // opHandle(i), written out: one call less to fit V8's inlining budget in the caller's loop
  return new Value(0);
}

function nodeK(op: number, out: number, a: number, k: number): Value {
  const v = node(op, out, a, -1);
  store.k[v.slot] = k;
  return v;
}

/**
 * @internal `b + w[0]·x[0] + … + w[n−1]·x[n−1]`, then relu if asked: what
 * Neuron.forward computes with the ops, as the same chain of mul and add nodes
 * in the same slots, written straight into the store. Only the result gets a
 * handle: the chain's nodes stay reachable through `.inputs` (handleAt makes
 * handles on demand), so the ~2n handles the ops would allocate and drop are
 * saved. Any operand off the ops' fast path (an operand of an older step, a
 * leaf without a slot, a non-number, a region to begin, the node limit) takes
 * that step through the ops themselves.
 */
export function affine(w: readonly Value[], x: readonly Operand[], b: Value, relu: boolean): Value {
  const s = store, n = x.length;
  // The running sum: its handle while one exists (b, or a node the ops made), else its slot `acc` of generation `accGen`.
  let hand: Value | null = b;
  let acc = -1, accGen = -1;
  for (let i = 0; ; i++) {
    // A run of terms on the fast path, with the store's columns in locals (only the ops' slow path can grow them).
    const gen = s.gen, end = s.fastEnd - 2, top0 = s.top;
    let a = hand === null ? (accGen === gen ? acc : -1) : hand.gen >= gen ? hand.slot : -1;
    let top = top0;
    if (a >= 0) {
      const { data, k } = s;
      for (; i < n && top <= end; i++) {
        const wi = w[i], xi = x[i];
        if (wi.gen < gen) break;
        const wd = data[wi.slot];
        if (typeof xi === "number") {
          k[top] = xi;
          writeTerm(s, top, wi.slot, wd * xi, -1, a, gen);
        } else if (xi instanceof Value && xi.gen >= gen) writeTerm(s, top, wi.slot, wd * data[xi.slot], xi.slot, a, gen);
        else break;
        a = top + 1;
        top += 2;
      }
    }
    if (top !== top0) {
      s.top = top;
      acc = a;
      accGen = gen;
      hand = null;
    }
    if (i >= n) break;
    hand = slowStep(hand, acc, accGen, w[i], x[i]);
  }
  if (hand !== null) return relu ? hand.relu() : hand;
  if (relu && s.top < s.fastEnd && accGen === s.gen) {
    const x0 = s.data[acc];
    return node(OP.relu, x0 < 0 ? 0 : x0, acc, -1);
  }
  const v = handleOf(acc, accGen);
  return relu ? v.relu() : v;
}

/** Scratch for a layer's operands (see resolveOperands): a slot per operand, or −1 and the number in xConsts. */
let xSlots = new Int32Array(1024);
let xConsts = new Float64Array(1024);
let resolvedN = 0;
let resolvedGen = -1;

/**
 * @internal For a layer's neurons, which all read the same operands: resolves
 * them once, for affineKept(). False when one is neither a number nor a node
 * of this region (the ops then handle it, neuron by neuron).
 */
export function resolveOperands(x: readonly Operand[]): boolean {
  const n = x.length, gen = store.gen;
  if (n > xSlots.length) {
    xSlots = new Int32Array(n * 2);
    xConsts = new Float64Array(n * 2);
  }
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (typeof xi === "number") {
      xSlots[i] = -1;
      xConsts[i] = xi;
    } else if (xi instanceof Value && xi.gen >= gen) xSlots[i] = xi.slot;
    else return false;
  }
  resolvedN = n;
  resolvedGen = gen;
  return true;
}

/**
 * @internal affine() for parameters in kept slots (`wSlots`, `bSlot`: see
 * store.PERM) over the operands resolveOperands() resolved in
 * this generation: the same nodes, from typed arrays only. Null, having built nothing,
 * when the region has no room for them or is not this generation's yet.
 */
export function affineKept(wSlots: Int32Array, bSlot: number, relu: boolean): Value | null {
  const s = store, top0 = s.top, n = resolvedN, gen = resolvedGen;
  if (s.gen !== gen || top0 + 2 * n + 1 > s.fastEnd) return null;
  const { data, k } = s;
  const xs = xSlots, xk = xConsts;
  let a = bSlot, top = top0;
  for (let i = 0; i < n; i++, top += 2) {
    const w = wSlots[i], xj = xs[i], wd = data[w];
    if (xj >= 0) writeTerm(s, top, w, wd * data[xj], xj, a, gen);
    else {
      k[top] = xk[i];
      writeTerm(s, top, w, wd * xk[i], -1, a, gen);
    }
    a = top + 1;
  }
  s.top = top;
  if (relu) {
    const x0 = data[a];
    return node(OP.relu, x0 < 0 ? 0 : x0, a, -1);
  }
  return n === 0 ? null : handleOf(a, gen);
}

/**
 * One term of a neuron's sum, as the ops make it: the mul node `w·x` in slot `top` (its product given; `xSlot`
 * −1 for a number, whose value the caller keeps in k) and the add node `a + w·x` in slot `top + 1`.
 */
function writeTerm(s: typeof store, top: number, wSlot: number, product: number, xSlot: number, a: number, gen: number): void {
  const { data, grad, op, in0, in1, slotGen } = s;
  data[top] = product;
  grad[top] = 0;
  op[top] = OP.mul;
  in0[top] = wSlot;
  in1[top] = xSlot;
  slotGen[top] = gen;
  const o = top + 1;
  const sum = data[a] + product;
  // The sum is not finite when the product is not (nor when the running sum was not): one check for both nodes.
  if (sum - sum !== 0) s.dataNotFinite = true;
  data[o] = sum;
  grad[o] = 0;
  op[o] = OP.add;
  in0[o] = a;
  in1[o] = top;
  slotGen[o] = gen;
}

function handleOf(slot: number, gen: number): Value {
  const v = opHandle(slot);
  v.gen = gen;
  return v;
}

/** One term of affine() through the ops. */
function slowStep(hand: Value | null, acc: number, accGen: number, w: Value, x: Operand): Value {
  return (hand ?? handleOf(acc, accGen)).add(w.mul(x));
}

/**
 * An op off the compiled fast path: checks and resolves its operands (before
 * the new node takes a slot, so it cannot overwrite them), then builds it.
 */
function slowOp(op: number, self: Value, other: Operand | undefined): Value {
  const s = store, forward = RULES[op].forward;
  if (OPS[op].arity === 1 && !KEEPS_CONSTANT[op]) {
    const a = slotFor(self, null);
    return node(op, forward(s.data[a], NaN), a, -1);
  }
  if (typeof other === "number" && KEEPS_CONSTANT[op]) {
    const a = slotFor(self, null);
    return nodeK(op, forward(s.data[a], other), a, other);
  }
  if (!(other instanceof Value)) throw operandError(op, other);
  const a = slotFor(self, other), b = slotFor(other, self);
  return node(op, forward(s.data[a], s.data[b]), a, b);
}

function operandError(op: number, x: unknown): TypeError {
  const name = op === OP.powv ? "pow" : OPS[op].name;
  return new TypeError(`${name}() takes a Value or a number, got ${describe(x)}`);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "string") return `string ${JSON.stringify(x.length > 20 ? x.slice(0, 20) + "…" : x)}`;
  return typeof x === "object" ? "an object" : typeof x;
}

/** A Value for a number, or the Value itself. */
export function toValue(x: Operand): Value {
  return typeof x === "number" ? new Value(x) : x;
}
