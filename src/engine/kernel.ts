import { OP, OPS } from "../protocol/ops";
import { RULES } from "./rules";

/**
 * The engine's inner loops, compiled once from the rows of rules.ts. A call
 * through `RULES[op].d0(...)` per node is megamorphic and costs more than the
 * arithmetic; a switch with each rule's function inlined at its case is what a
 * hand-written tape does. Generating the switch from the table keeps one
 * source of truth: adding an op is still one row in rules.ts.
 */

type F64 = Float64Array;
type I32 = Int32Array;

/** 1 for ops whose constant operand sits in the store's k column when in1 is −1 (`c + 1`, `x ^ 2`). */
export const KEEPS_CONSTANT = Uint8Array.from(OPS, (o, op) => (op === OP.pow || (o.arity === 2 && op !== OP.powv) ? 1 : 0));

/** What a compiled op needs from value.ts (passed in: kernel.ts must not import it). */
export interface OpDeps {
  store: { gen: number; data: F64 };
  Value: abstract new (...args: never[]) => { slot: number; gen: number };
  /** Allocates the node (with its constant k, for nodeK) and returns its handle. */
  node(op: number, out: number, a: number, b: number): unknown;
  nodeK(op: number, out: number, a: number, k: number): unknown;
  /** Everything off the fast path: operands from older steps (or leaves without a slot yet), and non-numbers. */
  slowOp(op: number, self: unknown, other: unknown): unknown;
}

/**
 * One function per op, `(self, other?) => Value`, with the rule's forward
 * inlined and only the fast path (operands that are nodes of this region, or
 * a number) in it: a shared `binary(op, ...)` whose call to the forward
 * function sees every op runs several times slower, and a function too big to
 * inline into the caller's loop costs ~8% more (both measured on the moons MLP).
 */
export function compileOp(op: number, deps: OpDeps): (self: unknown, other?: unknown) => unknown {
  const fwd = `(${RULES[op].forward})`;
  const valueOperand = `if (other instanceof Value && self.gen >= s.gen && other.gen >= s.gen) {
      const a = self.slot, b = other.slot;
      return node(${op}, ${fwd}(s.data[a], s.data[b]), a, b);
    }`;
  const fast =
    OPS[op].arity === 1 && !KEEPS_CONSTANT[op]
      ? `if (self.gen >= s.gen) { const a = self.slot; return node(${op}, ${fwd}(s.data[a], NaN), a, -1); }`
      : KEEPS_CONSTANT[op]
        ? `if (typeof other === "number") {
             if (self.gen >= s.gen) { const a = self.slot; return nodeK(${op}, ${fwd}(s.data[a], other), a, other); }
           } else ${valueOperand}`
        : valueOperand;
  const make = new Function(
    "store", "Value", "node", "nodeK", "slowOp",
    `return function ${OPS[op].name}(self, other) { const s = store; ${fast} return slowOp(${op}, self, other); };`,
  );
  return make(deps.store, deps.Value, deps.node, deps.nodeK, deps.slowOp);
}

/**
 * Propagates grad from every node in [lo, hi] that carries mark `ep`, highest
 * first (creation order is topological), marking the inputs it reaches.
 * Returns how many nodes it reached.
 *  - `lowering` also walks down to op nodes it reaches below lo (nodes kept
 *    from earlier steps) and returns the lowest index it went to instead;
 *  - `hashing` also sums a hash of the shape it walks (each reached node's op,
 *    offset from lo, inputs as distances, constant) into out[0], from values it
 *    loads anyway, so a reporter can tell an unchanged graph without reading it
 *    again;
 *  - `listing` hashes too, and lists the out[1] slots below lo it reached into
 *    `below`: a reporter's way to them when there are more leaves under the
 *    region than nodes in it (a dataset made of Values, a batch of it used).
 *    The check on every input costs ~1/8 of the pass, so it is not the default.
 */
export type BackwardKernel = (
  hi: number, lo: number, ep: number, data: F64, grad: F64, op: Uint8Array, in0: I32, in1: I32, k: F64, mark: I32, kw: I32, out: I32, below: I32,
) => number;

function compileBackward(mode: "region" | "hashing" | "listing" | "lowering"): BackwardKernel {
  const hashing = mode === "hashing" || mode === "listing";
  const extend = (v: string) => (mode === "lowering" ? `if (${v} < lo && op[${v}] !== 0) lo = ${v};` : "");
  const hash = (term: string) => (hashing ? `h = (h + ${term}) | 0;` : "");
  // A term through a mixer: a sum of products alone is linear, and two nodes' changes can cancel (two same-op
  // nodes whose inputs are swapped, two constants swapped: the same sum).
  const mixed = (term: string, by: number) => `(t = Math.imul((t = ${term}) ^ (t >>> 15), ${by}), t ^ (t >>> 13))`;
  // Each slot below lo it reaches (parameters, mostly) is listed once: the reporter's O(reached) way to them.
  const reach = (v: string) => (mode === "listing" ? `if (${v} < lo && mark[${v}] !== ep) below[nb++] = ${v}; mark[${v}] = ep;` : `mark[${v}] = ep;`);
  const cases = RULES.map((r, op) => {
    if (op === OP.leaf) return "";
    const binary = OPS[op].arity === 2;
    const y = KEEPS_CONSTANT[op] ? (binary ? "(b >= 0 ? data[b] : k[i])" : "k[i]") : binary ? "data[b]" : "NaN";
    const operands = ["data[a]", y, "data[i]"];
    const constant = KEEPS_CONSTANT[op] && hashing ? `if (b < 0) { ${hash(mixed("Math.imul(kw[2 * i] ^ Math.imul(i - lo, 0x85ebca6b), 0x27d4eb2f) ^ kw[2 * i + 1]", 0x165667b1))} }` : "";
    return `case ${op}: {
      ${reach("a")} grad[a] += ${call(r.d0, operands)} * g; ${extend("a")}
      ${binary ? `if (b >= 0) { ${reach("b")} grad[b] += ${call(r.d1, operands)} * g; ${extend("b")} }` : ""}
      ${hash(mixed("Math.imul((i - a) ^ ((i - b) << 16), 0x9e3779b1) ^ (i - lo)", 2 * op + 0x3b9ac9ff))}
      ${constant}
      break;
    }`;
  });
  const body = `
    let reached = 0, h = 0, nb = 0, t = 0;
    for (let i = hi; i >= lo; i--) {
      if (mark[i] !== ep) continue;
      reached++;
      const a = in0[i];
      if (a < 0) { ${hash(mixed("Math.imul((i - lo) ^ 0x5bd1e995, 0x165667b1)", 0x27d4eb2f))} continue; }
      const b = in1[i], g = grad[i];
      switch (op[i]) {${cases.join("\n")}}
    }
    ${hashing ? "out[0] = h; out[1] = nb;" : ""}
    return ${mode === "lowering" ? "lo" : "reached"};`;
  return new Function("hi", "lo", "ep", "data", "grad", "op", "in0", "in1", "k", "mark", "kw", "out", "below", body) as BackwardKernel;
}

/**
 * `f(x, y, out)` as source, passing 0 for the parameters f does not use: a
 * load the rule never reads still costs a bounds-checked read per node.
 */
function call(f: (...args: number[]) => number, operands: string[]): string {
  const src = String(f);
  const arrow = src.indexOf("=>");
  const params = src.slice(0, arrow).replace(/[()\s]/g, "").split(",").filter(Boolean);
  const body = src.slice(arrow + 2);
  const args = operands.map((operand, p) => (p < params.length && new RegExp(`\\b${params[p]}\\b`).test(body) ? operand : "0"));
  return `(${src})(${args.join(", ")})`;
}

export const backwardRegion = compileBackward("region");
export const backwardHashing = compileBackward("hashing");
export const backwardListing = compileBackward("listing");
export const backwardLowering = compileBackward("lowering");
