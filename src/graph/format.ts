/**
 * The one number formatter for people: panel records, tooltips, the table,
 * the editor's hovers and inline values, the status bar, SVG exports. Short and
 * exact enough to follow the arithmetic (4 significant digits), with one
 * spelling everywhere: U+2212 for every minus sign, ∞ for infinities, NaN.
 * Machine formats (JSON, CSV) keep JavaScript's own number text instead.
 */

const MINUS = "\u2212";

/** 42, 0.489, −1.234e−7, 12345 (integers below a million stay exact), ∞, NaN. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : `${MINUS}∞`;
  if (x === 0) return "0"; // also −0: a sign on zero only confuses
  const abs = Math.abs(x);
  let text: string;
  if (Number.isInteger(x) && abs < 1e6) text = String(x);
  else if (abs >= 1e6 || abs < 1e-4) text = x.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e");
  else text = String(Number(x.toPrecision(4)));
  return text.replace(/-/g, MINUS);
}

/** A count of things: 65,412. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
