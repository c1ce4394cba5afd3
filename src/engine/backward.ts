import { engine, tape } from "./context";
import { RULES } from "./rules";
import type { Value } from "./value";

/**
 * Reverse-mode autodiff without a topological sort: creation order already is
 * one, so we walk the tape of this step's nodes from the root down, skipping
 * nodes the root does not reach (an integer epoch mark, no Set). Nodes created
 * before the tape began (parameters, values reused across steps) are collected
 * as they are reached and handled after, in descending id order.
 */
export function backward(root: Value): void {
  const ep = ++tape.epoch;
  const base = tape.baseId;
  const nodes = tape.nodes;
  const old: Value[] = [];
  const reached: Value[] = [];
  root.grad = 1;
  root.mark = ep;
  if (root.id < base) old.push(root);
  else {
    for (let i = root.id - base; i >= 0; i--) {
      const n = nodes[i];
      if (n.mark !== ep) continue;
      reached.push(n);
      propagate(n, ep, base, old);
    }
  }
  if (old.length > 0) backwardOld(old, ep, base);

  tape.nodes = [];
  tape.baseId = engine.nextId;
  engine.steps++;
  if (engine.onBackward) engine.onBackward(root, () => inCreationOrder(old, reached), old.length + reached.length);
}

/** All reached nodes in creation order: the older ones sorted, then the tape's (already in order, reversed). */
function inCreationOrder(old: Value[], reached: Value[]): Value[] {
  const out = old.slice().sort((p, q) => p.id - q.id);
  for (let i = reached.length - 1; i >= 0; i--) out.push(reached[i]);
  return out;
}

function propagate(n: Value, ep: number, base: number, old: Value[]): void {
  const a = n.a;
  if (a === null) return;
  const b = n.b;
  const g = n.grad;
  const r = RULES[n.op];
  const x = a.data;
  const y = b === null ? (n.k ?? NaN) : b.data;
  if (a.mark !== ep) firstVisit(a, ep, base, old);
  a.grad += r.d0(x, y, n.data) * g;
  if (b !== null) {
    if (b.mark !== ep) firstVisit(b, ep, base, old);
    b.grad += r.d1(x, y, n.data) * g;
  }
}

function firstVisit(v: Value, ep: number, base: number, old: Value[]): void {
  v.mark = ep;
  if (v.id < base) old.push(v);
  if (v.a === null && v.grad !== 0) warnStaleGrad(v);
}

/** Nodes older than the tape: find all reachable ones, then propagate newest first. */
function backwardOld(old: Value[], ep: number, base: number): void {
  // Leaves (parameters, inputs) have nothing to propagate: only older op nodes need ordering.
  const stack = old.filter((n) => n.a !== null);
  if (stack.length === 0) return;
  const ops = stack.slice();
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const input of [n.a, n.b]) {
      if (input !== null && input.mark !== ep) {
        firstVisit(input, ep, base, old);
        if (input.a !== null) {
          stack.push(input);
          ops.push(input);
        }
      }
    }
  }
  ops.sort((p, q) => q.id - p.id);
  for (const n of ops) propagate(n, ep, base, old);
}

let warned = false;
function warnStaleGrad(v: Value): void {
  if (warned || !engine.onWarning) return;
  warned = true;
  engine.onWarning(
    `${v.label ?? "A leaf"} already had grad ${v.grad} before this backward(): gradients accumulate, as in micrograd. ` +
      `Zero them first (model.zeroGrad(), or p.grad = 0 for each parameter) unless you mean to accumulate.`,
  );
}
