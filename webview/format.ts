/** Number formatting shared by labels, tooltips, the table and exports: short, exact enough to follow the arithmetic. */

/** 4 significant digits, no trailing zeros: 42, 0.489, -1.234e-7, NaN. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e6 || abs < 1e-4) return x.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e");
  return String(Number(x.toPrecision(4))).replace("-", "−");
}

/** Fixed-width form for node records, like draw_dot's `data 2.0000`. */
export function fmtRecord(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return x.toExponential(2);
  return x.toFixed(4);
}
