import { defaultRng, type Rng } from "./rng";

/** Two interleaving half circles (like scikit-learn's make_moons), labels −1 and +1 as in micrograd's demo. */
export function makeMoons(n: number, noise = 0.1, rng: Rng = defaultRng): { X: [number, number][]; y: number[] } {
  const nOuter = Math.floor(n / 2);
  const X: [number, number][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const outer = i < nOuter;
    const count = outer ? nOuter : n - nOuter;
    const t = (Math.PI * (outer ? i : i - nOuter)) / Math.max(1, count - 1);
    const px = outer ? Math.cos(t) : 1 - Math.cos(t);
    const py = outer ? Math.sin(t) : 0.5 - Math.sin(t);
    X.push([px + rng.normal(0, noise), py + rng.normal(0, noise)]);
    y.push(outer ? -1 : 1);
  }
  return { X, y };
}
