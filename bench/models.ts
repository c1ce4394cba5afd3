/** Models the benchmarks run as user files. */

/**
 * Issue 9's "bare-Value moons model": the moons MLP hand-written with bare Values (no nn classes),
 * trained for `steps` steps; prints the median step time of its second half on stderr as `STEP_MS <ms>`,
 * then that of its even and of its odd steps (`EVEN <ms> ODD <ms>`: the CLI's --every 2 reports the even ones).
 * With `stamps`, also every step's start and end on the machine's clock (`STEP_AT [[t0, t1], …]`, ms since the
 * epoch), so that a bench pausing whole processes can leave out the steps a pause fell in.
 */
export function bareValueMoons(steps: number, stamps = false): string {
  return `import { Value, makeMoons, Rng } from "gradscope";
const rng = new Rng(1337);
const { X, y } = makeMoons(100, 0.1, rng);
const layer = (nin: number, nout: number) => Array.from({ length: nout }, () => ({ w: Array.from({ length: nin }, () => new Value(rng.uniform(-1, 1))), b: new Value(0) }));
const layers = [layer(2, 16), layer(16, 16), layer(16, 1)];
const params = layers.flat().flatMap((n) => [...n.w, n.b]);
function forward(x: (number | Value)[]): Value[] {
  let h: (number | Value)[] = x;
  layers.forEach((l, k) => {
    h = l.map((n) => {
      let act = n.b;
      for (let i = 0; i < n.w.length; i++) act = act.add(n.w[i].mul(h[i]));
      return k < layers.length - 1 ? act.relu() : act;
    });
  });
  return h as Value[];
}
const times: number[] = [];
const at: number[][] = [];
for (let k = 0; k < ${steps}; k++) {
  const t0 = performance.now();
  let loss = new Value(0);
  for (let i = 0; i < X.length; i++) loss = loss.add(forward(X[i])[0].mul(-y[i]).add(1).relu());
  loss = loss.mul(1 / X.length);
  for (const p of params) p.grad = 0;
  loss.backward();
  for (const p of params) p.data -= 0.05 * p.grad;
  const t1 = performance.now();
  times.push(t1 - t0);
  ${stamps ? "at.push([performance.timeOrigin + t0, performance.timeOrigin + t1]);" : ""}
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
const late = times.slice(${steps} / 2);
// Loop index k is engine step k + 1 (each backward() is one step).
const parity = (p: number) => median(late.filter((_, j) => (${steps} / 2 + j + 1) % 2 === p));
console.error("STEP_MS " + median(late.slice()) + " EVEN " + parity(0) + " ODD " + parity(1));
${stamps ? 'console.error("STEP_AT " + JSON.stringify(at));' : ""}
`;
}
