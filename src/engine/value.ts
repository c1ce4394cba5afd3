import { NodeKind, OP } from "../protocol/ops";
import { engine, GradscopeLimitError, tape } from "./context";
import { backward } from "./backward";
import { RULES } from "./rules";

export type Operand = Value | number;

/**
 * A scalar in the computation graph, as in micrograd. Every op takes a Value or
 * a plain number; a number is folded into the node as its constant operand `k`
 * instead of becoming a node of its own (so `c + 1` is one node, shown `+ 1`).
 */
export class Value {
  data: number;
  grad = 0;
  /** Op code (see protocol/ops.ts); 0 for a leaf. */
  op = 0;
  /** Inputs in a fixed order; null for none or a constant operand. */
  a: Value | null = null;
  b: Value | null = null;
  /** The constant operand, or pow's exponent. null, not NaN, when there is none: a double field would box one more number per node. */
  k: number | null = null;
  /** Creation counter: stable, and creation order is a topological order. */
  readonly id: number;
  label: string | null;
  kind: NodeKind;
  /** Source location and group at creation (see context.ts). */
  loc: number;
  group: number;
  /** backward()'s epoch mark; the reporter then stores −1 − (index in the reported graph) here. */
  mark = 0;

  constructor(data: number, label?: string) {
    this.data = data;
    this.id = engine.nextId++;
    this.label = label ?? null;
    this.kind = NodeKind.input;
    this.loc = engine.loc;
    this.group = engine.group;
    track(this);
  }

  add(other: Operand): Value { return binary(OP.add, this, other); }
  sub(other: Operand): Value { return binary(OP.sub, this, other); }
  mul(other: Operand): Value { return binary(OP.mul, this, other); }
  div(other: Operand): Value { return binary(OP.div, this, other); }
  neg(): Value { return unary(OP.neg, this, null); }
  /** x^k for a constant k; a Value exponent is built from primitives as exp(k · log x). */
  pow(k: Operand): Value {
    return typeof k === "number" ? unary(OP.pow, this, k) : this.log().mul(k).exp();
  }
  exp(): Value { return unary(OP.exp, this, null); }
  log(): Value { return unary(OP.log, this, null); }
  tanh(): Value { return unary(OP.tanh, this, null); }
  relu(): Value { return unary(OP.relu, this, null); }
  sigmoid(): Value { return unary(OP.sigmoid, this, null); }

  /** Fills .grad of every node this one depends on (accumulating, like micrograd). */
  backward(): void { backward(this); }

  toString(): string {
    return `Value(${this.label ? this.label + "=" : ""}${this.data}, grad=${this.grad})`;
  }
}

function track(v: Value): void {
  tape.nodes.push(v);
  if (tape.nodes.length > engine.maxNodesPerStep) {
    tape.nodes.length = 0;
    tape.baseId = engine.nextId;
    throw new GradscopeLimitError(
      `This step built more than ${engine.maxNodesPerStep.toLocaleString("en-US")} nodes before calling backward(). ` +
        `Use a smaller batch, or raise the limit (gradscope.maxNodesPerStep / --max-nodes) if you meant it.`,
    );
  }
}

function make(op: number, data: number, a: Value, b: Value | null, k: number | null): Value {
  const v = new Value(data);
  v.op = op;
  v.a = a;
  v.b = b;
  v.k = k;
  v.kind = NodeKind.value;
  return v;
}

function binary(op: number, self: Value, other: Operand): Value {
  if (typeof other === "number") return make(op, RULES[op].forward(self.data, other), self, null, other);
  if (!(other instanceof Value)) throw new TypeError(`${opName(op)}() takes a Value or a number, got ${describe(other)}`);
  return make(op, RULES[op].forward(self.data, other.data), self, other, null);
}

function unary(op: number, self: Value, k: number | null): Value {
  return make(op, RULES[op].forward(self.data, k ?? NaN), self, null, k);
}

function opName(op: number): string {
  return Object.keys(OP).find((k) => OP[k as keyof typeof OP] === op) ?? String(op);
}

function describe(x: unknown): string {
  return x === null ? "null" : Array.isArray(x) ? "an array" : typeof x;
}

/** A Value for a number, or the Value itself. */
export function toValue(x: Operand): Value {
  return typeof x === "number" ? new Value(x) : x;
}
