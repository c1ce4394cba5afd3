import { OP } from "../protocol/ops";

/**
 * One row per primitive: its forward value and its local derivatives.
 * Operands are plain numbers: x is the first operand (a Value's data), y the
 * second (a Value's data, or the constant: `c + 1`, pow's exponent); `out` is
 * the forward result. d0 = ∂out/∂x, d1 = ∂out/∂y. backward() multiplies these by
 * the node's grad and accumulates; the panel shows them in the chain rule.
 *
 * Each function must be self-contained (its parameters, literals and `Math`
 * only): kernel.ts compiles the rows into the engine's switch from their source.
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
// x^y, both Values. ∂/∂x as pow's (so x = −2, y = 2 gives −4). ∂/∂y = x^y·ln x exists for x > 0;
// at x = 0 the function of y is 0 for y > 0, so 0 (y = 0 too, PyTorch's convention); for x < 0,
// x^y is real only at integer y, so ∂/∂y does not exist there: NaN, as in PyTorch.
RULES[OP.powv] = {
  forward: (x, y) => x ** y,
  d0: (x, y) => (y === 0 ? 0 : y * x ** (y - 1)),
  d1: (x, y, out) => (x > 0 ? out * Math.log(x) : x === 0 && y >= 0 ? 0 : NaN),
};
