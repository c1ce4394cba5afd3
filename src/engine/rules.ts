import { OP } from "../protocol/ops";

/**
 * One row per primitive: its forward value and its local derivatives.
 * Operands are plain numbers: x is the first operand (a Value's data, or the
 * constant), y the second (a Value's data, the constant, or pow's exponent);
 * `out` is the forward result. d0 = ∂out/∂x, d1 = ∂out/∂y. backward() multiplies
 * these by the node's grad and accumulates; the panel shows them in the chain rule.
 */
export interface Rule {
  forward(x: number, y: number): number;
  d0(x: number, y: number, out: number): number;
  d1(x: number, y: number, out: number): number;
}

const none = () => 0;

export const RULES: Rule[] = [];
RULES[OP.leaf] = { forward: (x) => x, d0: none, d1: none };
RULES[OP.add] = { forward: (x, y) => x + y, d0: () => 1, d1: () => 1 };
RULES[OP.sub] = { forward: (x, y) => x - y, d0: () => 1, d1: () => -1 };
RULES[OP.mul] = { forward: (x, y) => x * y, d0: (_x, y) => y, d1: (x) => x };
RULES[OP.div] = { forward: (x, y) => x / y, d0: (_x, y) => 1 / y, d1: (x, y) => -x / (y * y) };
RULES[OP.neg] = { forward: (x) => -x, d0: () => -1, d1: none };
// y is the constant exponent. Written as k·x^(k-1) so x = 0 with k ≥ 1 stays finite.
RULES[OP.pow] = { forward: (x, k) => x ** k, d0: (x, k) => (k === 0 ? 0 : k * x ** (k - 1)), d1: none };
RULES[OP.exp] = { forward: (x) => Math.exp(x), d0: (_x, _y, out) => out, d1: none };
RULES[OP.log] = { forward: (x) => Math.log(x), d0: (x) => 1 / x, d1: none };
RULES[OP.tanh] = { forward: (x) => Math.tanh(x), d0: (_x, _y, out) => 1 - out * out, d1: none };
// micrograd's convention: the derivative at exactly 0 is 0.
RULES[OP.relu] = { forward: (x) => (x < 0 ? 0 : x), d0: (x) => (x > 0 ? 1 : 0), d1: none };
RULES[OP.sigmoid] = { forward: (x) => 1 / (1 + Math.exp(-x)), d0: (_x, _y, out) => out * (1 - out), d1: none };
