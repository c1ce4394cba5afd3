/**
 * The op codes every process agrees on. The engine keeps each op's forward and
 * backward rule (src/engine/rules.ts); this table only names them for the wire and
 * for display, so the webview and CLI need no engine code.
 */
export const OPS = [
  { name: "leaf", symbol: "", arity: 0 },
  { name: "add", symbol: "+", arity: 2 },
  { name: "sub", symbol: "−", arity: 2 },
  { name: "mul", symbol: "×", arity: 2 },
  { name: "div", symbol: "÷", arity: 2 },
  { name: "neg", symbol: "−", arity: 1 },
  { name: "pow", symbol: "^", arity: 1 },
  { name: "exp", symbol: "exp", arity: 1 },
  { name: "log", symbol: "log", arity: 1 },
  { name: "tanh", symbol: "tanh", arity: 1 },
  { name: "relu", symbol: "relu", arity: 1 },
  { name: "sigmoid", symbol: "σ", arity: 1 },
  /** x^y with a Value exponent y (`pow` is x^k for a constant k). */
  { name: "powv", symbol: "^", arity: 2 },
] as const;

export type OpName = (typeof OPS)[number]["name"];

/** Op code by name, e.g. OP.mul === 3. */
export const OP = Object.fromEntries(OPS.map((o, i) => [o.name, i])) as { [K in OpName]: number };

/** What a node is, beyond its op: drives colour, the CLI's `--values leaves`, and labels. */
export const NodeKind = {
  /** The result of an op. */
  value: 0,
  /** A leaf the user made with `new Value(x)`. */
  input: 1,
  /** A leaf owned by a module or optimizer: a trainable parameter. */
  param: 2,
} as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

/** Short text for an op node, with its constant operand folded in: `+ 1`, `^2`, `tanh`. */
export function opText(op: number, k: number, constFirst: boolean): string {
  const o = OPS[op];
  if (!o) return "?";
  if (o.name === "pow") return `^${fmtConst(k)}`;
  if (Number.isNaN(k) || o.arity < 2) return o.symbol;
  return constFirst ? `${fmtConst(k)} ${o.symbol}` : `${o.symbol} ${fmtConst(k)}`;
}

function fmtConst(k: number): string {
  return Number.isInteger(k) ? String(k) : String(Number(k.toPrecision(4)));
}
