import { Value } from "./value";

export interface GradcheckResult {
  ok: boolean;
  analytic: number[];
  numeric: number[];
  /** Largest |analytic − numeric| / max(1, |numeric|). */
  maxError: number;
}

/** Compares backward()'s gradients of f at xs with central finite differences. */
export function gradcheck(f: (xs: Value[]) => Value, xs: number[], { eps = 1e-6, tol = 1e-5 } = {}): GradcheckResult {
  const inputs = xs.map((x) => new Value(x));
  f(inputs).backward();
  const analytic = inputs.map((v) => v.grad);
  const at = (i: number, d: number) => f(xs.map((x, j) => new Value(j === i ? x + d : x))).data;
  const numeric = xs.map((_, i) => (at(i, eps) - at(i, -eps)) / (2 * eps));
  let maxError = 0;
  for (let i = 0; i < xs.length; i++) {
    const err = Math.abs(analytic[i] - numeric[i]) / Math.max(1, Math.abs(numeric[i]));
    maxError = Math.max(maxError, Number.isNaN(err) ? Infinity : err);
  }
  return { ok: maxError <= tol, analytic, numeric, maxError };
}
